"""Tariff plans as data (provider > plan > dated version > destinations, bands, rates) and their cell formats.

A plan is checked by compiling it into the lookup tables rate() (appliance/rating/rate.py) prices calls with;
the compiling lives here so that rate imports this module and not the other way round.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import groupby

from appliance.money import parse_money
from appliance.rating.numbering_overrides import KINDS

log = logging.getLogger(__name__)

# KINDS: the number classes appliance/numbering.py assigns (Classification.kind); a destination may claim any.
ROUNDINGS = ("half-up", "up", "down", "bankers")
BOUNDARY_RULES = ("split", "start")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol")
ALL_BANDS = "*"
SECTIONS = ("setting", "band", "holiday", "destination")
RESERVED = SECTIONS + (ALL_BANDS,)
_EPOCH_DAY = date(1970, 1, 1).toordinal()


class TariffError(ValueError):
    """A bad tariff file or plan: the message names the file, line and column where there is one."""


class PlanProblem(TariffError):
    """An inconsistent plan; `key` names the part at fault: ("band", 2), ("prefix", "+90532", "Turkcell")..."""

    def __init__(self, key: tuple, message: str):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Step:
    """`count` units of `period_s` seconds at `price` each (or per minute); count None repeats to the call's end."""
    period_s: int
    price: Decimal
    count: int | None = None
    per_minute: bool = False


@dataclass(frozen=True)
class Band:
    """One row of a time band: on `days` from start_min to end_min (minutes of the local day, end exclusive)."""
    name: str
    days: tuple[str, ...]
    start_min: int
    end_min: int


@dataclass(frozen=True)
class Holiday:
    """A day priced with the `hol` bands, from from_min (minutes; 0 = the whole day, 780 = from 13:00)."""
    day: date
    name: str = ""
    from_min: int = 0


@dataclass(frozen=True)
class Destination:
    """Numbers that start with one of `prefixes` (and, if given, are of one of `classes`), or of `classes`."""
    name: str
    prefixes: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rate:
    """The price of a destination in a band ("*": every band not listed on its own)."""
    destination: str
    band: str
    steps: tuple[Step, ...]
    connection_fee: Decimal = Decimal("0")
    minimum: Decimal = Decimal("0")


@dataclass(frozen=True)
class PlanVersion:
    """One dated version of a provider's plan; it prices calls that start on or after valid_from (local date)."""
    provider: str
    plan: str
    valid_from: date
    currency: str
    destinations: tuple[Destination, ...]
    rates: tuple[Rate, ...]
    bands: tuple[Band, ...] = ()       # none: one band "all" for every hour of every day
    holidays: tuple[Holiday, ...] = ()
    rounding: str = "half-up"
    decimals: int = 2
    band_boundary: str = "split"
    id: int | None = field(default=None, compare=False)   # the store's row id, when loaded from it

    def band_names(self) -> tuple[str, ...]:
        """Band names in first-seen order."""
        return tuple(dict.fromkeys(b.name for b in self.bands)) or ("all",)


# ---- cells: text <-> values (each parser raises ValueError with the reason) ----

_STEP = re.compile(r"(?:(\d+)\*)?(\d+):([^/]*)(/min)?")
_TIME = re.compile(r"(\d\d):(\d\d)")


def parse_steps(text: str) -> tuple[Step, ...]:
    """"60:0.50,1:0.0083" (first 60 s at 0.50, then each second at 0.0083); "10*60:0.10" repeats a step 10
    times; "1:0.50/min" prices a 1 s unit at 0.50 per minute. The last step repeats until the call ends."""
    parts, steps = [p.strip() for p in text.split(",") if p.strip()], []
    if not parts:
        raise ValueError("no steps: write e.g. 60:0.50 (60 s units at 0.50) or 30:0.06,6:0.012")
    for i, part in enumerate(parts):
        m = _STEP.fullmatch(part)
        if not m:
            raise ValueError(f"step {part!r} is not SECONDS:PRICE (e.g. 60:0.50, 10*60:0.10, 1:0.50/min)")
        count, period = (int(m[1]) if m[1] else None), int(m[2])
        if period <= 0 or count == 0:
            raise ValueError(f"step {part!r}: the period and count must be at least 1")
        last = i == len(parts) - 1
        if last and count is not None:
            raise ValueError(f"step {part!r}: the last step repeats until the call ends; remove its count")
        steps.append(Step(period, parse_money(m[3]), None if last else (count or 1), bool(m[4])))
    return tuple(steps)


def format_steps(steps: tuple[Step, ...]) -> str:
    return ",".join(("" if s.count in (None, 1) else f"{s.count}*") + f"{s.period_s}:{s.price:f}"
                    + ("/min" if s.per_minute else "") for s in steps)


def parse_time(text: str, end: bool = False) -> int:
    m = _TIME.fullmatch(text.strip())
    top = 24 * 60 if end else 24 * 60 - 1
    if not m or int(m[2]) > 59 or not 0 <= int(m[1]) * 60 + int(m[2]) <= top:
        raise ValueError(f"{text!r} is not a time of day HH:MM{' (24:00 ends the day)' if end else ''}")
    return int(m[1]) * 60 + int(m[2])


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_days(text: str) -> tuple[str, ...]:
    """"mon-fri", "sat sun hol", "all" -> day tokens in DAYS order."""
    found: set[str] = set()
    week = DAYS[:7]
    for token in re.split(r"[\s,;+]+", text.strip().lower()):
        a, _, b = token.partition("-")
        if token in DAYS or token == "all":
            found.update(DAYS if token == "all" else [token])
        elif a in week and b in week and week.index(a) <= week.index(b):
            found.update(week[week.index(a):week.index(b) + 1])
        else:
            raise ValueError(f"{token!r} is not a day: use mon tue wed thu fri sat sun hol, ranges (mon-fri), all")
    return tuple(d for d in DAYS if d in found)


def format_days(days: tuple[str, ...]) -> str:
    week = [DAYS.index(d) for d in days if d != "hol"]
    runs = [[i for _, i in g] for _, g in groupby(enumerate(week), lambda p: p[1] - p[0])]   # consecutive days
    return " ".join([DAYS[r[0]] if len(r) == 1 else f"{DAYS[r[0]]}-{DAYS[r[-1]]}" for r in runs]
                    + (["hol"] if "hol" in days else []))


def _tokens(text: str, pattern: str, what: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(t for t in re.split(r"[\s,;]+", text.strip()) if t))
    bad = [t for t in out if not re.fullmatch(pattern, t)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not {what}")
    return out


def parse_prefixes(text: str) -> tuple[str, ...]:
    """"+90532 +90533" (E.164 prefixes) or "444" (a short number dialled as is, without +)."""
    return _tokens(text, r"\+?\d+|\+", "a prefix: digits, with a leading + for an E.164 number (+90532)")


def parse_classes(text: str) -> tuple[str, ...]:
    return _tokens(text.lower(), "|".join(KINDS), f"a number class; one of: {', '.join(KINDS)}")


def parse_date(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", text.strip()):
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD")
    return date.fromisoformat(text.strip())   # ValueError for 2024-02-30 names the problem


def _pattern(regex: str, what: str, convert=str, lower: bool = False):
    def parse(text: str):
        t = text.strip().lower() if lower else text.strip()
        if not re.fullmatch(regex, t):
            raise ValueError(f"{text!r}: {what}")
        return convert(t)
    return parse


def parse_name(text: str) -> str:
    if not text.strip() or text.strip().lower() in RESERVED:
        raise ValueError(f"{text.strip()!r} is {'a reserved word' if text.strip() else 'empty'}: name it")
    return text.strip()


SETTINGS = {"provider": parse_name, "plan": parse_name, "valid_from": parse_date,
            "currency": _pattern("[A-Z]{3}", "not an ISO 4217 currency code like TRY, EUR, CZK, NOK"),
            "rounding": _pattern("|".join(ROUNDINGS), f"one of {', '.join(ROUNDINGS)}", lower=True),
            "decimals": _pattern("[0-6]", "decimals is a whole number from 0 to 6", int),
            "band_boundary": _pattern("|".join(BOUNDARY_RULES), f"one of {', '.join(BOUNDARY_RULES)}", lower=True)}
REQUIRED_SETTINGS = ("provider", "plan", "valid_from", "currency")


# ---- compiling a plan: the model checked and turned into lookup tables ----

@dataclass(frozen=True, slots=True)
class _Rate:
    connection_fee: Decimal
    minimum: Decimal
    steps: tuple[tuple[int, int | None, Decimal, bool], ...]   # (period s, count or None, price, per minute)


@dataclass(frozen=True, slots=True)
class CompiledVersion:
    """A plan version as lookup tables. Build with compile_version()."""
    id: int | None
    label: str
    valid_from: str
    currency: str
    quantum: Decimal
    rounding: str
    rounding_text: str
    split: bool
    band_names: tuple[str, ...]
    sched: tuple[tuple[list[int], list[int]], ...]   # per day type (mon..sun, hol): (bounds s, band per interval)
    holidays: dict[int, int]                          # local day number -> second of the day it starts at
    dest_names: tuple[str, ...]
    prefixes: dict[str, tuple[tuple[frozenset | None, int], ...]]   # specific classes first, then "any"
    lengths: tuple[int, ...]                          # prefix lengths present, longest first
    classes: dict[str, int]                           # class -> destination with classes and no prefixes
    rates: tuple[tuple[_Rate, ...], ...]              # [destination][band]


@dataclass(frozen=True, slots=True)
class CompiledPlan:
    """All versions of one provider's plan, by activation day. Build with compile_plan()."""
    id: int | None
    label: str
    days: tuple[int, ...]
    versions: tuple[CompiledVersion, ...]


def _schedule(v: PlanVersion, names: tuple[str, ...]) -> tuple:
    if not v.bands:
        return tuple(([0, 86400], [0]) for _ in DAYS)
    grid = [[-1] * 1440 for _ in DAYS]
    if not any("hol" in b.days for b in v.bands) and not v.holidays:
        grid[7] = grid[6]   # no holidays and no hol band: the hol day type is never used (shares sun)
    for i, b in enumerate(v.bands):
        for day in b.days:
            row = grid[DAYS.index(day)]
            for m in range(b.start_min, b.end_min):
                if row[m] >= 0:
                    raise PlanProblem(("band", i), f"band {b.name} overlaps band {v.bands[row[m]].name} on "
                                                   f"{day} at {format_time(m)}")
                row[m] = i
    sched = []
    for day, row in zip(DAYS, grid):
        if -1 in row:
            m = row.index(-1)
            raise PlanProblem(("band", 0), f"no band covers {day} at {format_time(m)}")
        bounds, bands = [0], [names.index(v.bands[row[0]].name)]
        for m in range(1, 1440):
            band = names.index(v.bands[row[m]].name)
            if band != bands[-1]:
                bounds.append(m * 60)
                bands.append(band)
        sched.append((bounds + [86400], bands))
    return tuple(sched)


def _rates(v: PlanVersion, names: tuple[str, ...], dests: dict[str, int]) -> tuple:
    given: dict[tuple[str, str], _Rate] = {}
    for i, r in enumerate(v.rates):
        if r.destination not in dests:
            raise PlanProblem(("rate", i), f"no destination {r.destination!r} in the destination section")
        if r.band != ALL_BANDS and r.band not in names:
            raise PlanProblem(("rate", i), f"no band {r.band!r}; the bands are {', '.join(names)} (or * for all)")
        if (r.destination, r.band) in given:
            raise PlanProblem(("rate", i), f"a second rate for {r.destination} in band {r.band}")
        if not r.steps or min([r.connection_fee, r.minimum] + [s.price for s in r.steps]) < 0 or \
                any(s.count is None for s in r.steps[:-1]) or r.steps[-1].count is not None or \
                min(s.period_s for s in r.steps) < 1:
            raise PlanProblem(("rate", i), f"{r.destination}: no steps, a negative amount or period, or a count "
                                           "on the last step (it repeats until the call ends)")
        given[(r.destination, r.band)] = _Rate(r.connection_fee, r.minimum,
                                               tuple((s.period_s, s.count, s.price, s.per_minute) for s in r.steps))
    out = []
    for d in dests:
        row = []
        for band in names:
            found = given.get((d, band)) or given.get((d, ALL_BANDS))
            if found is None:
                raise PlanProblem(("destination", d), f"destination {d} has no rate for band {band}")
            row.append(found)
        if v.band_boundary == "split" and len({tuple(s[:2] for s in r.steps) for r in row}) > 1:
            raise PlanProblem(("destination", d), f"destination {d}: with band_boundary split, every band's steps "
                                                  "need the same periods (only the prices may differ)")
        out.append(tuple(row))
    return tuple(out)


def _matcher(v: PlanVersion) -> tuple[dict, dict]:
    prefixes: dict[str, list] = {}
    classes: dict[str, int] = {}
    for i, d in enumerate(v.destinations):
        if not (d.prefixes or d.classes):
            raise PlanProblem(("destination", d.name), f"destination {d.name} has neither prefixes nor classes")
        mine = frozenset(d.classes) or None
        for p in d.prefixes:
            for other, j in prefixes.get(p, ()):
                if (other is None and mine is None) or (other and mine and other & mine):
                    raise PlanProblem(("prefix", p, d.name), f"prefix {p} is claimed by both {v.destinations[j].name}"
                                      f" and {d.name} (give them different classes, or remove one)")
            prefixes.setdefault(p, []).append((mine, i))
        if not d.prefixes:
            for c in d.classes:
                if c in classes:
                    raise PlanProblem(("destination", d.name), f"class {c} is claimed by both "
                                      f"{v.destinations[classes[c]].name} and {d.name}")
                classes[c] = i
    return {p: tuple(sorted(e, key=lambda x: x[0] is None)) for p, e in prefixes.items()}, classes


def compile_version(v: PlanVersion) -> CompiledVersion:
    """Check a plan version (PlanProblem names the part at fault) and build its lookup tables."""
    names = v.band_names()
    dests = {d.name: i for i, d in enumerate(v.destinations)}
    if len(dests) != len(v.destinations):
        raise PlanProblem(("destination", v.destinations[0].name), "a destination name is used twice")
    holidays: dict[int, int] = {}
    for i, h in enumerate(v.holidays):
        if h.day.toordinal() - _EPOCH_DAY in holidays:
            raise PlanProblem(("holiday", i), f"holiday {h.day} is listed twice")
        holidays[h.day.toordinal() - _EPOCH_DAY] = h.from_min * 60
    prefixes, classes = _matcher(v)
    return CompiledVersion(v.id, f"{v.provider} / {v.plan}", v.valid_from.isoformat(), v.currency,
                           Decimal(1).scaleb(-v.decimals), v.rounding, f"{v.rounding} to {v.decimals} decimals",
                           v.band_boundary == "split", names, _schedule(v, names), holidays,
                           tuple(dests), prefixes, tuple(sorted({len(p) for p in prefixes}, reverse=True)),
                           classes, _rates(v, names, dests))


def compile_plan(versions: list[PlanVersion], plan_id: int | None = None) -> CompiledPlan:
    """All versions of one plan, ready for rate(): each call is priced by the version active at its start."""
    if not versions or len({(v.provider, v.plan) for v in versions}) != 1:
        raise ValueError("compile_plan needs the versions of exactly one provider's plan")
    ordered = sorted(versions, key=lambda v: v.valid_from)
    days = tuple(v.valid_from.toordinal() - _EPOCH_DAY for v in ordered)
    if len(set(days)) != len(days):
        raise ValueError(f"two versions of {ordered[0].plan} start on the same day")
    return CompiledPlan(plan_id, f"{ordered[0].provider} / {ordered[0].plan}", days,
                        tuple(compile_version(v) for v in ordered))


def check(version: PlanVersion) -> None:
    """Raise PlanProblem for the first inconsistency (bands overlapping or leaving gaps, a prefix claimed twice,
    a destination without a rate for some band, ...): the checks are those of compiling it for rating."""
    compile_version(version)
