"""Dialled digits -> the number called (E.164) -> its class (RAT-3), with phonenumbers and site overrides.

Decisions (the README of this module):
- A plan's outside-line access codes are stripped only when what remains reads better (a valid number,
  a known short code or an extension) than the digits as printed: in Norway access code 9 and mobiles 9xxxxxxx
  then coexist whether or not the PBX prints the access code.
- Local vs long distance: a domestic geographic number under one of the plan's `area_codes` is local, any other
  is long distance. Countries without area codes (Norway; the Czech Republic, whose closed 9-digit plan has had
  none since 2002 and whose operators price all domestic fixed calls alike) have every domestic fixed number
  local; `region` still names the place (Prague, Olomouc Region) for reports and region-based tariffs.
- Domestic non-geographic numbers that are neither mobile, toll-free nor premium (TR 444 and 850, CZ 84x/910,
  NO 81x: phonenumbers' UAN, SHARED_COST, VOIP, PERSONAL_NUMBER, PAGER, VOICEMAIL) are long_distance (the
  national rate); `number_type` keeps the exact type and an override (`+90444 = local`) can move them.
- International numbers are international_mobile when phonenumbers says MOBILE, else international_fixed
  (also when the number is not valid but its country code is: the tariff prices it by prefix).
- Domestic = same country calling code, except +1 and +7 (shared by several countries: the region must match).
- Emergency and known short codes (112, 1881) win over the extension pattern (a trunk call to 112 is never an
  extension); calls whose direction is "internal" are internal whatever the digits (see classify_call).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

import phonenumbers as pn
from phonenumbers import PhoneNumberType as T
from phonenumbers import shortnumberinfo

from appliance.rating import phonedata
from appliance.rating.numbering_overrides import (KINDS, OPTIONS, Override, Overrides, as_overrides, find_override,
                                                  plan_fields)

log = logging.getLogger(__name__)

__all__ = ("KINDS", "OPTIONS", "Classification", "NumberingPlan", "Override", "classify", "classify_call",
           "normalize", "plan_from_options")


# Entries per cache and plan: about 280 bytes each with all three caches, so at most ~30 MB on the box. A full
# cache is emptied rather than kept LRU: a hit must stay a plain dict lookup.
_CACHE_MAX = 100_000
_DIAL = re.compile(r"\+?[0-9*#]*")
_JUNK = str.maketrans("", "", " \t-().,;/PpWw")   # separators and dial pauses
_GEOGRAPHIC = {T.FIXED_LINE, T.FIXED_LINE_OR_MOBILE}
_DOMESTIC_KIND = {T.MOBILE: "mobile", T.TOLL_FREE: "toll_free", T.PREMIUM_RATE: "premium", T.UNKNOWN: "unknown"}
_TYPE_NAMES = {v: k for k, v in vars(T).items() if isinstance(v, int)}
_SHARED_CODES = {1, 7}   # NANP and +7: several countries behind one calling code


@dataclass(frozen=True, slots=True)
class Classification:
    """What a number is: kind (one of KINDS), E.164 ("" for short numbers), ISO country, operator, region."""

    number: str                  # the number as normalize() returned it
    kind: str
    e164: str = ""
    country: str = ""
    operator: str = ""           # mobile operator where known (Turkcell, Vodafone, O2, telenor norge)
    region: str = ""             # city/province of a geographic number (Izmir, Prague, Oslo)
    number_type: str = ""        # phonenumbers' type name (FIXED_LINE, MOBILE, UAN, ...), for the explanation
    # False when phonenumbers does not know the number (a range newer than its metadata, or not a number): the
    # kind is then the dialling plan's reading (international, domestic), and the tariff prices it by prefix
    known: bool = True


@dataclass(frozen=True, slots=True)
class _Context:
    cc: str                      # home calling code, "90"
    trunk: str                   # national (trunk) prefix, "0" or ""
    idd: re.Pattern[str]         # international prefix, 00
    fixed_lengths: frozenset[int]
    ext: re.Pattern[str] | None


def _uses_area_codes(country: str) -> bool:
    example = pn.example_number_for_type(country, T.FIXED_LINE)
    return example is not None and pn.length_of_geographical_area_code(example) > 0


def _context(plan: NumberingPlan) -> _Context:
    meta = pn.PhoneMetadata.metadata_for_region(plan.country)
    assert meta is not None, plan.country      # the country was checked against SUPPORTED_REGIONS
    try:
        ext = re.compile(plan.extensions) if plan.extensions else None
    except re.error as e:
        raise ValueError(f"extensions: {plan.extensions!r} is not a regular expression ({e})") from None
    return _Context(cc=str(meta.country_code), trunk=meta.national_prefix or "",
                    idd=re.compile(f"(?:{meta.international_prefix or '(?!)'})"),
                    fixed_lengths=frozenset(meta.fixed_line.possible_length if meta.fixed_line else ()), ext=ext)


class _Caches:
    """Per plan: normalize by direction and dialled, classify by number, classify_call by direction and dialled."""

    __slots__ = ("normalized", "classified", "calls")

    def __init__(self) -> None:
        self.normalized: dict[str, dict[str, str]] = {}
        self.classified: dict[str, Classification] = {}
        self.calls: dict[str, dict[str, Classification]] = {}


def _digit_codes(key: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        if not code.isdigit() or not code.isascii() or len(code) > 5:
            raise ValueError(f"{key}: {code!r} is not 1-5 digits")


@dataclass(frozen=True)
class NumberingPlan:
    """How one site (PBX, trunk) dials: field names are the option names of plan_from_options."""

    country: str
    access_codes: tuple[str, ...] = ()
    area_codes: tuple[str, ...] = ()
    extensions: str = ""
    overrides: Overrides = ()
    language: str = "en"
    _ctx: _Context = field(init=False, repr=False, compare=False)
    _caches: _Caches = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        country = self.country.strip().upper()
        if country not in pn.SUPPORTED_REGIONS:
            raise ValueError(f"country: {self.country!r} is not an ISO 3166 alpha-2 country phonenumbers knows "
                             f"(e.g. TR, CZ, NO)")
        object.__setattr__(self, "country", country)
        _digit_codes("access_codes", self.access_codes)
        _digit_codes("area_codes", self.area_codes)
        ctx = _context(self)
        # Installers write 0232; the trunk prefix is not part of the area code.
        areas = tuple(a[len(ctx.trunk):] if ctx.trunk and a.startswith(ctx.trunk) else a for a in self.area_codes)
        uses_area_codes = _uses_area_codes(country)
        if uses_area_codes and not areas:
            raise ValueError(f"area_codes: {country} numbers have area codes; give the home one(s), e.g. 232")
        if areas and not uses_area_codes:
            raise ValueError(f"area_codes: {country} has no area codes; leave area_codes empty")
        if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", self.language):
            raise ValueError(f"language: {self.language!r} is not a language code such as en or tr")
        try:
            overrides = as_overrides(self.overrides)
        except ValueError as e:
            raise ValueError(f"overrides: {e}") from None
        object.__setattr__(self, "area_codes", areas)
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "_ctx", ctx)
        object.__setattr__(self, "_caches", _Caches())


def plan_from_options(options: dict[str, str]) -> NumberingPlan:
    """A plan from config strings (keys as in OPTIONS); ValueError naming the bad key."""
    return NumberingPlan(**plan_fields(options))


def _remember(cache: dict, key: Any, value: Any, limit: int = 0) -> Any:
    if len(cache) >= (limit or _CACHE_MAX):
        cache.clear()
    cache[key] = value
    return value


# ---------------------------------------------------------------- normalize


# Hands normalize's parse to the classify that follows it; small because a PhoneNumber is ~300 bytes.
_PARSED: dict[str, tuple[pn.PhoneNumber, int] | None] = {}
_PARSED_MAX = 4096


def _parse(e164: str) -> tuple[pn.PhoneNumber, int] | None:
    """(PhoneNumber, type) of "+digits", or None; shared by normalize and classify (one parse, one type)."""
    hit = _PARSED.get(e164, False)
    if hit is not False:
        return hit           # type: ignore[return-value]
    try:
        n = pn.parse(e164, None)
        found: tuple[pn.PhoneNumber, int] | None = (n, pn.number_type(n))   # UNKNOWN = not valid
    except pn.NumberParseException:
        found = None
    return _remember(_PARSED, e164, found, _PARSED_MAX)


def _e164(digits: str) -> tuple[str, int]:
    """("+digits", quality): 2 valid, 1 possible, 0 neither (unknown country code, wrong length)."""
    parsed = _parse("+" + digits)
    if parsed is None:
        return "+" + digits, 0
    n, ptype = parsed
    e164 = pn.format_number(n, pn.PhoneNumberFormat.E164)
    if e164 != "+" + digits:
        _remember(_PARSED, e164, parsed, _PARSED_MAX)
    return e164, 2 if ptype != T.UNKNOWN else 1 if pn.is_possible_number(n) else 0


def _is_short(digits: str, plan: NumberingPlan) -> bool:
    if len(digits) > 6:      # no short code is longer; spares phonenumbers a parse
        return False
    if shortnumberinfo.is_emergency_number(digits, plan.country):
        return True
    try:
        short = pn.parse(digits, plan.country)
    except pn.NumberParseException:
        return False
    return shortnumberinfo.is_valid_short_number_for_region(short, plan.country)


def _country_code(digits: str) -> bool:
    """True when digits (after an international prefix) start with a country calling code in use."""
    return any(int(digits[:n]) in pn.COUNTRY_CODE_TO_REGION_CODE for n in (1, 2, 3) if len(digits) > n)


def _subscriber_length(e164: str) -> bool:
    """True when the number has the length of a fixed or mobile number of its country (what a subscriber dials,
    rather than the odd lengths some special ranges have): such a reading is taken without the range known."""
    parsed = _parse(e164)
    return parsed is not None and any(pn.is_possible_number_for_type(parsed[0], t) for t in (T.FIXED_LINE, T.MOBILE))


def _interpret(digits: str, plan: NumberingPlan, direction: str) -> tuple[str, int, bool]:
    """One reading of digits (access code already stripped or not), how good it is (see _e164), and whether the
    plan's own prefixes decided it (international prefix + a country code, or the national trunk prefix)."""
    ctx = plan._ctx
    idd = ctx.idd.match(digits)
    if idd and idd.end() < len(digits):
        rest = digits[idd.end():]
        return (*_e164(rest), _country_code(rest))
    if ctx.trunk and digits.startswith(ctx.trunk) and len(digits) > len(ctx.trunk):
        return (*_e164(ctx.cc + digits[len(ctx.trunk):]), True)
    if _is_short(digits, plan) or (ctx.ext and ctx.ext.fullmatch(digits)):
        return digits, 2, False
    national = _e164(ctx.cc + digits)
    if national[1] == 2:
        return (*national, False)
    if plan.area_codes and len(plan.area_codes[0]) + len(digits) in ctx.fixed_lengths:
        local = _e164(ctx.cc + plan.area_codes[0] + digits)    # a local number dialled without its area code
        return local[0], max(local[1], 1), False
    if direction == "in":    # caller IDs printed with the country code but no + (905321234567)
        international = _e164(digits)
        if international[1] == 2:
            return (*international, False)
    return (*national, False) if national[1] else (digits, 0, False)


def _resolve(digits: str, plan: NumberingPlan, direction: str) -> str:
    if digits.startswith("+"):
        return _e164(digits[1:])[0] if len(digits) > 1 else digits
    # A valid reading wins, stripped first. Failing that the dialling plan decides (issue 21): digits after the
    # international prefix and a country code are that country's number, digits after the trunk prefix a domestic
    # one, whether or not phonenumbers knows the range yet, provided the length is possible. Failing that too,
    # the access code is stripped as configured.
    stripped = [digits[len(c):] for c in plan.access_codes if digits.startswith(c) and len(digits) > len(c)]
    readings = [(candidate in stripped, *_interpret(candidate, plan, direction)) for candidate in stripped + [digits]]
    for _, number, quality, _ in readings:
        if quality == 2:
            return number
    for _, number, quality, ruled in readings:
        if ruled and quality and _subscriber_length(number):
            return number
    best, best_quality = digits, -1
    for was_stripped, number, quality, _ in readings:
        if best_quality < 0 or (quality > best_quality and was_stripped):
            best, best_quality = number, quality
    return best


def normalize(dialled: str, plan: NumberingPlan, direction: str = "out") -> str:
    """The number called, E.164 (+905321234567), or a short/internal/feature number as dialled; never raises.

    Strips separators, pauses (P, W, commas), a trailing # and the plan's access code; reads the home country's
    international and trunk prefixes; prepends the home area code to local numbers. Text that is not digits
    ("Anonymous") comes back stripped, and classifies as unknown.
    """
    cache = plan._caches.normalized.setdefault(direction, {})
    hit = cache.get(dialled)
    if hit is not None:
        return hit
    s = dialled.strip()
    cleaned = s.translate(_JUNK).rstrip("#")
    if not _DIAL.fullmatch(cleaned):
        result = s
    elif direction == "internal" or not cleaned.lstrip("+") or "*" in cleaned or "#" in cleaned:
        result = cleaned
    else:
        try:
            result = _resolve(cleaned, plan, direction)
        except Exception:    # phonenumbers on a pathological string: keep the digits, classify says unknown
            log.exception("cannot normalize %r", dialled)
            result = cleaned
    return _remember(cache, dialled, result)


# ---------------------------------------------------------------- classify


def _geographic_kind(n: pn.PhoneNumber, plan: NumberingPlan) -> str:
    # Area codes of one plan are prefix-free, so a prefix test is an area-code test (without phonenumbers'
    # length_of_geographical_area_code, which computes the number type again).
    if not plan.area_codes:
        return "local"
    nsn = pn.national_significant_number(n)
    return "local" if any(nsn.startswith(a) for a in plan.area_codes) else "long_distance"


def _classify_e164(number: str, plan: NumberingPlan) -> Classification:
    parsed = _parse(number)
    if parsed is None:
        return Classification(number, "unknown", known=False)
    n, ptype = parsed
    cc = n.country_code or 0
    region = pn.region_code_for_number(n) or pn.region_code_for_country_code(cc)
    if region == pn.UNKNOWN_REGION:
        return Classification(number, "unknown", known=False)
    domestic = str(cc) == plan._ctx.cc and (cc not in _SHARED_CODES or region == plan.country)
    if domestic:
        kind = _geographic_kind(n, plan) if ptype in _GEOGRAPHIC else _DOMESTIC_KIND.get(ptype, "long_distance")
    else:
        kind = "international_mobile" if ptype == T.MOBILE else "international_fixed"
    lang, operator, place = plan.language, "", ""
    if ptype in (T.MOBILE, T.FIXED_LINE_OR_MOBILE, T.PAGER):
        operator = phonedata.carrier().name_for_valid_number(n, lang)
    if ptype != T.UNKNOWN and pn.is_number_type_geographical(ptype, cc):
        geocoder = phonedata.geocoder()
        place = geocoder.description_for_valid_number(n, lang)
        place = "" if place == geocoder.country_name_for_number(n, lang) else place
    e164 = pn.format_number(n, pn.PhoneNumberFormat.E164)
    return Classification(number, kind, number if e164 == number else e164,
                          region if len(region) == 2 else "", operator, place, _TYPE_NAMES.get(ptype, ""),
                          ptype != T.UNKNOWN)


def _classify_short(number: str, plan: NumberingPlan) -> Classification:
    if "*" in number or "#" in number:      # PBX or network feature code (*72, #31#)
        return Classification(number, "short_code", country=plan.country, number_type="FEATURE_CODE")
    if shortnumberinfo.is_emergency_number(number, plan.country):
        return Classification(number, "emergency", country=plan.country, number_type="EMERGENCY")
    if _is_short(number, plan):
        return Classification(number, "short_code", country=plan.country, number_type="SHORT_CODE")
    ext = plan._ctx.ext
    if ext and ext.fullmatch(number):
        return Classification(number, "internal", country=plan.country)
    return Classification(number, "unknown", known=False)


def _classify(number: str, plan: NumberingPlan) -> Classification:
    try:
        if number.startswith("+"):
            found = _classify_e164(number, plan)
        elif number and _DIAL.fullmatch(number):
            found = _classify_short(number, plan)
        else:
            found = Classification(number, "unknown", known=False)
    except Exception:        # never let one odd number stop rating
        log.exception("cannot classify %r", number)
        found = Classification(number, "unknown", known=False)
    override = find_override(plan.overrides, number)
    if override is None:
        return found
    changes = {k: getattr(override, k) for k in ("kind", "operator", "region") if getattr(override, k) is not None}
    if not found.country and not number.startswith("+"):
        changes["country"] = plan.country
    if override.kind is not None:   # the site says what these numbers are
        changes["known"] = True
    return replace(found, **changes)


def classify(number: str, plan: NumberingPlan) -> Classification:
    """Classify a number as normalize() returns it; kind "unknown" rather than an exception. Cached per plan."""
    cache = plan._caches.classified
    hit = cache.get(number)
    if hit is not None:
        return hit
    return _remember(cache, number, _classify(number, plan))


def classify_call(dialled: str, plan: NumberingPlan, direction: str = "out") -> Classification:
    """normalize + classify in one cached lookup (the rating engine's fast path); internal calls are internal."""
    try:
        return plan._caches.calls[direction][dialled]     # the hot path: two dict lookups
    except KeyError:
        pass
    number = normalize(dialled, plan, direction)
    if direction == "internal":
        found = Classification(number, "internal", country=plan.country)
    else:
        found = classify(number, plan)
    return _remember(plan._caches.calls.setdefault(direction, {}), dialled, found)
