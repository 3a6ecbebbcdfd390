"""A site's numbering options as config strings, and its overrides: a number prefix -> kind, operator, region."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

KINDS = ("internal", "local", "long_distance", "mobile", "international_fixed", "international_mobile",
         "toll_free", "premium", "emergency", "short_code", "unknown")

OPTIONS: dict[str, str] = {
    "country": "Home country, ISO 3166 alpha-2 (TR, CZ, NO). Required.",
    "access_codes": "Outside-line access codes the PBX prints before the number, comma-separated (9 or 0); "
                    "empty when it prints none.",
    "area_codes": "Home area code(s) without the trunk prefix, comma-separated (Istanbul: 212, 216): calls "
                  "there are local, and the first is prepended to local numbers dialled without it. Required "
                  "where the country has area codes (TR), not allowed where it has none (CZ, NO).",
    "extensions": "Regular expression for internal numbers (whole number), e.g. [1-7][0-9]{2}.",
    "overrides": "One per line: PREFIX = kind; operator=NAME; region=NAME (each part optional). PREFIX is +E.164 "
                 "digits (+90444) or a short number (1880); the longest matching prefix wins.",
    "language": "Language of region and operator names (phonenumbers' geocoder and carrier data), e.g. en, tr.",
}

# "+" and digits: an E.164 prefix ("+90444"); digits, * and #: a short, internal or feature number ("1880", "*7").
_PREFIX = re.compile(r"\+[0-9]+|[0-9*#]+")
_FIELDS = ("kind", "operator", "region")


@dataclass(frozen=True, slots=True)
class Override:
    """What a site says about numbers under one prefix; None keeps what phonenumbers says."""

    kind: str | None = None
    operator: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")


Overrides = tuple[tuple[str, Override], ...]


def check_prefix(prefix: str) -> str:
    """Return the prefix stripped, or raise ValueError saying what a prefix looks like."""
    p = prefix.strip()
    if not _PREFIX.fullmatch(p):
        raise ValueError(f"prefix {p!r} is neither +digits (E.164, e.g. +90444) nor a short number "
                         f"(digits, * and #, e.g. 1880)")
    return p


def as_overrides(value: Mapping[str, Override] | Iterable[tuple[str, Override]]) -> Overrides:
    """Validated (prefix, Override) pairs, longest prefix first, so the first match is the longest."""
    pairs = value.items() if isinstance(value, Mapping) else value
    out: dict[str, Override] = {}
    for prefix, override in pairs:
        if not isinstance(override, Override):
            raise ValueError(f"prefix {prefix!r}: {override!r} is not an Override")
        out[check_prefix(prefix)] = override
    return tuple(sorted(out.items(), key=lambda kv: (-len(kv[0]), kv[0])))


def parse_override(text: str) -> Override:
    """`local` or `kind=mobile; operator=Türk Telekom; region=Izmir` (every field optional)."""
    fields: dict[str, str] = {}
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts:
        raise ValueError("nothing after '='; give a kind and/or operator=..., region=...")
    for i, part in enumerate(parts):
        name, eq, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not eq and i == 0:
            name, value = "kind", part
        elif not eq or name not in _FIELDS:
            raise ValueError(f"{part!r} is not kind=..., operator=... or region=...")
        if name in fields:
            raise ValueError(f"{name} is given twice")
        fields[name] = value
    return Override(**fields)


def parse_overrides(text: str) -> Overrides:
    """One `PREFIX = WHAT` per line (blank lines and # comments skipped); errors name the line."""
    pairs: list[tuple[str, Override]] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):   # as in the INI file: a prefix cannot start with #
            continue
        prefix, eq, what = line.partition("=")
        try:
            if not eq:
                raise ValueError("expected PREFIX = kind; operator=...; region=...")
            prefix = check_prefix(prefix)
            if prefix in seen:
                raise ValueError(f"prefix {prefix} is given twice")
            seen.add(prefix)
            pairs.append((prefix, parse_override(what)))
        except ValueError as e:
            raise ValueError(f"line {n} ({line!r}): {e}") from None
    return as_overrides(pairs)


def find_override(overrides: Overrides, number: str) -> Override | None:
    """The override with the longest prefix of `number`, or None."""
    for prefix, override in overrides:
        if number.startswith(prefix):
            return override
    return None


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


def plan_fields(options: dict[str, str]) -> dict[str, Any]:
    """NumberingPlan's keyword arguments from config strings; ValueError naming the bad key."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown option (known: {', '.join(OPTIONS)})")
    if not options.get("country", "").strip():
        raise ValueError("country: required (ISO 3166 alpha-2, e.g. TR)")
    try:
        overrides = parse_overrides(options.get("overrides", ""))
    except ValueError as e:
        raise ValueError(f"overrides: {e}") from None
    return {"country": options["country"], "access_codes": _codes(options.get("access_codes", "")),
            "area_codes": _codes(options.get("area_codes", "")), "extensions": options.get("extensions", "").strip(),
            "overrides": overrides, "language": options.get("language", "en").strip() or "en"}
