"""The rating engine: worked examples per feature, properties (hypothesis), and a month's invoice recomputed."""
from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.rating import tariff_csv
from appliance.rating.rate import Unrated, offset_span, rate
from appliance.rating.tariffs import (Band, DAYS, Destination, Holiday, PlanProblem, PlanVersion, Rate, compile_plan,
                                      parse_steps)
from conftest import REPO

PRAGUE, OSLO, ISTANBUL = ZoneInfo("Europe/Prague"), ZoneInfo("Europe/Oslo"), ZoneInfo("Europe/Istanbul")
WEEK = ("mon", "tue", "wed", "thu", "fri")
PEAK_OFF_WEEKEND = (Band("off", WEEK, 0, 480), Band("peak", WEEK, 480, 1080), Band("off", WEEK, 1080, 1440),
                    Band("weekend", ("sat", "sun", "hol"), 0, 1440))
EXAMPLE = REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv"


def plan(steps="60:1.00", fee="0", minimum="0", bands=(), band_steps=None, boundary="split", rounding="half-up",
         decimals=2, holidays=(), valid_from=date(2020, 1, 1)):
    """One destination (+1...) at `steps` in every band, or `band_steps` {band: steps} per band."""
    band_steps = band_steps or {"*": steps}
    rates = tuple(Rate("Dest", b, parse_steps(s), Decimal(fee), Decimal(minimum)) for b, s in band_steps.items())
    return PlanVersion("Prov", "Plan", valid_from, "EUR", (Destination("Dest", ("+1",)),), rates, bands, holidays,
                       rounding, decimals, boundary)


def cost(version_or_plan, talk_s, start=None, tz=PRAGUE, number="+12125550100", kind="international_fixed"):
    compiled = compile_plan([version_or_plan]) if isinstance(version_or_plan, PlanVersion) else version_or_plan
    start = start if start is not None else at(2024, 3, 5, 10, 0, tz=tz)
    return rate(number, kind, start, talk_s, tz, compiled)


def at(y, mo, d, h=0, mi=0, s=0, tz=PRAGUE, fold=0) -> int:
    return int(datetime(y, mo, d, h, mi, s, tzinfo=tz, fold=fold).timestamp())


# ---- worked examples ----

@pytest.mark.parametrize("steps, talk, expected", [
    ("60:1.00", 0, "0.00"), ("60:1.00", 1, "1.00"), ("60:1.00", 60, "1.00"), ("60:1.00", 61, "2.00"),
    ("60:1.00", 120, "2.00"), ("60:1.00", 121, "3.00"),
    ("30:0.30,6:0.06", 1, "0.30"), ("30:0.30,6:0.06", 30, "0.30"), ("30:0.30,6:0.06", 31, "0.36"),
    ("30:0.30,6:0.06", 36, "0.36"), ("30:0.30,6:0.06", 37, "0.42"), ("30:0.30,6:0.06", 61, "0.66"),
    ("1:0.01", 1, "0.01"), ("1:0.01", 59, "0.59"), ("1:0.01", 3600, "36.00"),
    ("60:0.50,1:0.0083", 60, "0.50"), ("60:0.50,1:0.0083", 61, "0.51"), ("60:0.50,1:0.0083", 120, "1.00"),
    ("10*60:0.10,60:0.05", 600, "1.00"), ("10*60:0.10,60:0.05", 601, "1.05"), ("10*60:0.10,60:0.05", 661, "1.10"),
    ("1:0.50/min", 1, "0.01"), ("1:0.50/min", 90, "0.75"), ("30:1.20/min,6:1.20/min", 31, "0.72"),
])
def test_charging_steps(steps, talk, expected):
    assert cost(plan(steps), talk).cost == Decimal(expected)


@pytest.mark.parametrize("fee, minimum, talk, expected, raised", [
    ("0.20", "0", 1, "0.21", False), ("0.20", "0", 0, "0.00", False), ("0.20", "0", 61, "0.81", False),
    ("0", "0.50", 10, "0.50", True), ("0", "0.50", 50, "0.50", False), ("0", "0.50", 60, "0.60", False),
    ("0.20", "0.50", 10, "0.50", True), ("0.20", "0.50", 30, "0.50", False), ("0.20", "0.50", 31, "0.51", False),
])
def test_connection_fee_and_minimum_charge(fee, minimum, talk, expected, raised):
    p = cost(plan("1:0.01", fee=fee, minimum=minimum), talk)
    assert p.cost == Decimal(expected) and p.explain.minimum_applied is raised


@pytest.mark.parametrize("rounding, units, expected", [
    ("half-up", 1, "0.01"), ("bankers", 1, "0.00"), ("down", 1, "0.00"), ("up", 1, "0.01"),
    ("half-up", 3, "0.02"), ("bankers", 3, "0.02"), ("down", 3, "0.01"), ("up", 3, "0.02"),
    ("half-up", 5, "0.03"), ("bankers", 5, "0.02"), ("down", 7, "0.03"), ("up", 7, "0.04"),
])
def test_rounding_methods(rounding, units, expected):
    p = cost(plan("1:0.005", rounding=rounding), units)
    assert p.cost == Decimal(expected) and p.explain.before_rounding == Decimal("0.005") * units
    assert str(p.cost) == expected   # quantized to the plan's decimals


@pytest.mark.parametrize("decimals, rounding, expected", [(0, "half-up", "2"), (0, "bankers", "2"),
                                                          (3, "half-up", "1.500"), (0, "down", "1")])
def test_decimals(decimals, rounding, expected):
    assert str(cost(plan("60:0.5", decimals=decimals, rounding=rounding), 180).cost) == expected


BANDED = {"peak": "60:1.00", "off": "60:0.40", "weekend": "60:0.20"}


@pytest.mark.parametrize("boundary, start, talk, expected, bands", [
    ("split", (2024, 3, 4, 17, 59), 180, "1.80", [("peak", 60), ("off", 120)]),
    ("start", (2024, 3, 4, 17, 59), 180, "3.00", [("peak", 180)]),
    ("split", (2024, 3, 4, 17, 59, 30), 60, "1.00", [("peak", 30), ("off", 30)]),   # a unit: its start's band
    ("split", (2024, 3, 4, 17, 59, 30), 61, "1.40", [("peak", 30), ("off", 31)]),
    ("split", (2024, 3, 4, 7, 59), 120, "1.40", [("off", 60), ("peak", 60)]),
    ("split", (2024, 3, 8, 23, 59), 120, "0.60", [("off", 60), ("weekend", 60)]),   # Friday night into Saturday
    ("start", (2024, 3, 8, 23, 59), 120, "0.80", [("off", 120)]),
    ("split", (2024, 3, 10, 23, 58), 180, "0.80", [("weekend", 120), ("off", 60)]),   # Sunday into Monday
    ("split", (2024, 5, 1, 10, 0), 60, "0.20", [("weekend", 60)]),                     # a holiday (Wednesday)
    ("split", (2024, 12, 24, 12, 59), 120, "1.20", [("peak", 60), ("weekend", 60)]),   # holiday from 13:00
    ("split", (2024, 12, 23, 12, 59), 120, "2.00", [("peak", 120)]),
])
def test_time_bands_and_the_boundary_rule(boundary, start, talk, expected, bands):
    v = plan(bands=PEAK_OFF_WEEKEND, band_steps=BANDED, boundary=boundary,
             holidays=(Holiday(date(2024, 5, 1), "Svátek práce"), Holiday(date(2024, 12, 24), "Štědrý den", 780)))
    p = cost(v, talk, at(*start))
    assert p.cost == Decimal(expected) and list(p.explain.bands) == bands


NIGHT_DAY = (Band("night", DAYS, 0, 180), Band("day", DAYS, 180, 1440))     # boundary at 03:00 local
A_B = (Band("a", DAYS, 0, 150), Band("b", DAYS, 150, 1440))                 # boundary at 02:30 local


@pytest.mark.parametrize("tz, bands, start, talk, expected", [
    # spring forward: 02:00 CET becomes 03:00 CEST at 01:00 UTC, so the day band starts an hour "early"
    (PRAGUE, NIGHT_DAY, at(2024, 3, 31, 1, 59), 120, [("night", 60), ("day", 60)]),
    (PRAGUE, NIGHT_DAY, at(2024, 3, 31, 1, 30), 3600, [("night", 1800), ("day", 1800)]),
    (OSLO, NIGHT_DAY, at(2024, 3, 31, 1, 0, tz=OSLO), 7200, [("night", 3600), ("day", 3600)]),
    # fall back: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:00-03:00 happens twice
    (PRAGUE, A_B, at(2024, 10, 27, 2, 20), 3600, [("a", 600), ("b", 1800), ("a", 1200)]),
    (PRAGUE, NIGHT_DAY, at(2024, 10, 27, 2, 59, 30), 3660, [("night", 3630), ("day", 30)]),
    (PRAGUE, NIGHT_DAY, at(2024, 10, 27, 2, 59, 30, fold=1), 60, [("night", 30), ("day", 30)]),
    (ISTANBUL, NIGHT_DAY, at(2024, 3, 31, 2, 59, tz=ISTANBUL), 120, [("night", 60), ("day", 60)]),   # no DST
])
def test_bands_follow_local_time_across_dst(tz, bands, start, talk, expected):
    v = plan(bands=bands, band_steps={"*": "1:0.01"})
    p = cost(v, talk, start, tz=tz)
    assert list(p.explain.bands) == expected and p.cost == Decimal(talk) / 100


def test_the_version_active_at_the_start_prices_the_call():
    old, new = plan("60:1.00", valid_from=date(2024, 1, 1)), plan("60:2.00", valid_from=date(2024, 7, 1))
    p = compile_plan([new, old])
    assert cost(p, 120, at(2024, 6, 30, 23, 59, 30)).cost == Decimal("2.00")   # starts in June: old prices
    assert cost(p, 60, at(2024, 7, 1, 0, 0)).explain.version == "2024-07-01"
    assert cost(p, 60, at(2024, 7, 1, 0, 0)).cost == Decimal("2.00")
    with pytest.raises(Unrated, match="no version active on 2023-12-31"):
        cost(p, 60, at(2023, 12, 31, 23, 59))


def test_destinations_longest_prefix_classes_and_short_numbers():
    v = tariff_csv.read_csv(EXAMPLE.read_text(encoding="utf-8-sig"))[0]
    p, t = compile_plan([v]), at(2024, 3, 5, 10, 0, tz=ISTANBUL)
    for number, kind, destination, matched in [
            ("+905321234567", "mobile", "Turkcell", "+90532"),
            ("+905161234567", "mobile", "Mobil diğer", "class:mobile"),
            ("+902125551234", "local", "Şehir içi", "class:local"),
            ("+4930123456", "international_fixed", "Almanya sabit", "+49"),
            ("+4915112345678", "international_mobile", "Almanya mobil", "+49"),
            ("+33123456789", "international_fixed", "Uluslararası diğer", "class:international_fixed"),
            ("4441234", "short_code", "444 hatları", "444"),
            ("112", "emergency", "Acil ve kısa numaralar", "class:emergency")]:
        e = rate(number, kind, t, 30, ISTANBUL, p).explain
        assert (e.destination, e.matched, e.number, e.kind) == (destination, matched, number, kind)
    with pytest.raises(Unrated, match=r"no destination for \+4930123456 \(unknown\)"):
        rate("+4930123456", "unknown", t, 30, ISTANBUL, p)


def test_the_explanation_names_every_part_of_the_price():
    v = plan(bands=PEAK_OFF_WEEKEND, band_steps={"peak": "30:0.45,6:0.09", "*": "30:0.30,6:0.06"}, fee="0.05")
    p = cost(v, 100, at(2024, 3, 4, 17, 59, 30))
    assert p.explain.as_dict() == {
        "number": "+12125550100", "kind": "international_fixed", "matched": "+1", "destination": "Dest",
        "plan": "Prov / Plan", "version": "2020-01-01", "bands": [{"band": "peak", "seconds": 30},
                                                                  {"band": "off", "seconds": 70}],
        "steps": [{"band": "peak", "period_s": 30, "units": 1, "unit_price": "0.45", "amount": "0.45"},
                  {"band": "off", "period_s": 6, "units": 12, "unit_price": "0.06", "amount": "0.72"}],
        "connection_fee": "0.05", "minimum_applied": False, "before_rounding": "1.22",
        "rounding": "half-up to 2 decimals", "cost": "1.22"}
    assert (p.cost, p.currency, p.destination, p.plan, p.version) == (Decimal("1.22"), "EUR", "Dest", "Prov / Plan",
                                                                      "2020-01-01")


@pytest.mark.parametrize("version, message", [
    (plan(bands=(Band("x", WEEK, 0, 600), Band("y", WEEK, 540, 1440))), "band y overlaps band x on mon at 09:00"),
    (plan(bands=(Band("x", WEEK, 0, 1440),)), "no band covers sat at 00:00"),
    (plan(band_steps={"peak": "60:1"}, bands=PEAK_OFF_WEEKEND), "destination Dest has no rate for band off"),
    (plan(band_steps={"peak": "60:1", "*": "30:1,6:1"}, bands=PEAK_OFF_WEEKEND), "need the same periods"),
    (plan(band_steps={"lunch": "60:1"}), "no band 'lunch'"),
])
def test_inconsistent_plans_are_refused(version, message):
    with pytest.raises(PlanProblem, match=message):
        compile_plan([version])


def test_a_negative_talk_time_is_an_error():
    with pytest.raises(ValueError, match="negative"):
        cost(plan(), -1)


def test_utc_offsets_are_exact_at_the_second_of_a_change():
    spring = at(2024, 3, 31, 3, 0)                 # the first second of CEST
    assert offset_span(PRAGUE, spring - 1) == (3600, spring)
    assert offset_span(PRAGUE, spring)[0] == 7200


# ---- properties ----

STEPS = st.lists(st.tuples(st.integers(1, 90), st.integers(0, 500), st.integers(1, 3)), min_size=1, max_size=3)


def _steps_text(steps) -> str:
    return ",".join(f"{n}*{p}:{Decimal(c).scaleb(-3)}" if i < len(steps) - 1 else f"{p}:{Decimal(c).scaleb(-3)}"
                    for i, (p, c, n) in enumerate(steps))


@settings(max_examples=200, deadline=None)
@given(STEPS, st.integers(0, 300), st.integers(0, 300), st.sampled_from(["split", "start"]),
       st.integers(0, 14 * 86400), st.integers(0, 3600), st.integers(1, 600))
def test_cost_never_decreases_as_the_call_grows(steps, fee, minimum, boundary, offset, talk, more):
    off_peak = _steps_text([(p, c // 2, n) for p, c, n in steps])
    v = plan(bands=PEAK_OFF_WEEKEND, boundary=boundary, fee=str(Decimal(fee).scaleb(-2)),
             minimum=str(Decimal(minimum).scaleb(-2)), band_steps={"peak": _steps_text(steps), "*": off_peak})
    p, start = compile_plan([v]), at(2024, 3, 25) + offset   # the fortnight around the spring DST change
    assert cost(p, talk, start).cost <= cost(p, talk + more, start).cost


@settings(max_examples=200, deadline=None)
@given(STEPS, st.integers(0, 40))
def test_every_step_boundary_is_exact(steps, k):
    text = _steps_text(steps)
    p = compile_plan([plan(text, decimals=6)])
    edges, t, prices = [], 0, []
    for i, s in enumerate(parse_steps(text)):
        for _ in range(s.count or k + 3):   # the last step repeats: enough of it to pass the k-th edge
            prices.append(s.price)
            t += s.period_s
            edges.append(t)
    edge = edges[k]                         # the call ends exactly where unit k + 1 ends
    assert cost(p, edge).cost == sum(prices[:k + 1])                 # exactly at the edge: no extra unit
    assert cost(p, edge + 1).cost == sum(prices[:k + 2])             # one second more: one more unit
    before = edge - 1                       # inside unit k + 1, or the end of unit k when it is 1 s long
    assert cost(p, before).cost == sum(prices[:k + 1 if before > ([0] + edges)[k] else k])


def _reference_bands(v: PlanVersion, start: int, talk: int, tz) -> list[tuple[str, int]]:
    """Second by second, with datetime: the band of each second of the call, merged."""
    out: list[list] = []
    for u in range(start, start + talk):
        local = datetime.fromtimestamp(u, tz)
        minute, day = local.hour * 60 + local.minute, DAYS[local.weekday()]
        band = next(b.name for b in v.bands if day in b.days and b.start_min <= minute < b.end_min)
        if out and out[-1][0] == band:
            out[-1][1] += 1
        else:
            out.append([band, 1])
    return [tuple(x) for x in out]


def _dst_changes(tz, years) -> list[int]:
    out = []
    for y in years:
        t = int(datetime(y, 1, 1, tzinfo=tz).timestamp())
        for _ in range(366):
            _, until = offset_span(tz, t)
            if until - t <= 86400 and offset_span(tz, until)[0] != offset_span(tz, t)[0]:
                out.append(until)
            t += 86400
    return sorted(set(out))


CHANGES = [(tz, c) for tz in (PRAGUE, OSLO) for c in _dst_changes(tz, range(2020, 2031))]
HOURLY = tuple(Band(f"h{h:02d}", DAYS, h * 60, h * 60 + 60) for h in range(24))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CHANGES), st.integers(-7200, 3600), st.integers(1, 7200))
def test_band_and_dst_boundaries_are_exact(change, before, talk):
    tz, instant = change
    v = plan(bands=HOURLY, band_steps={"*": "1:0.001"}, decimals=3)
    p = cost(v, talk, instant + before, tz=tz)
    assert list(p.explain.bands) == _reference_bands(v, instant + before, talk, tz)
    assert p.cost == Decimal(talk) / 1000


# ---- the invoice: a month of calls against an independent calculation ----

def _ref_destination(v: PlanVersion, number: str, kind: str) -> Destination:
    """The longest matching prefix (one with classes before one without); else the destination of the class."""
    found = [((len(p), bool(d.classes)), i) for i, d in enumerate(v.destinations) for p in d.prefixes
             if number.startswith(p) and (not d.classes or kind in d.classes)]
    if found:
        return v.destinations[max(found)[1]]
    return next(d for d in v.destinations if not d.prefixes and kind in d.classes)


def _ref_band(v: PlanVersion, local: datetime) -> str:
    minute = local.hour * 60 + local.minute
    hol = {h.day: h.from_min for h in v.holidays}
    day = "hol" if local.date() in hol and minute >= hol[local.date()] else DAYS[local.weekday()]
    return next(b.name for b in v.bands if day in b.days and b.start_min <= minute < b.end_min)


def _ref_cost(v: PlanVersion, number: str, kind: str, start: int, talk: int, tz) -> Decimal:
    if talk == 0:
        return Decimal("0.00")
    rates = {r.band: r for r in v.rates if r.destination == _ref_destination(v, number, kind).name}
    start_band = _ref_band(v, datetime.fromtimestamp(start, tz))
    first = rates.get(start_band) or rates["*"]
    total, t = Fraction(first.connection_fee), 0
    for i, step in enumerate(first.steps):
        n = 0
        while t < talk and (step.count is None or n < step.count):
            band = start_band if v.band_boundary == "start" else _ref_band(v, datetime.fromtimestamp(start + t, tz))
            s = (rates.get(band) or rates["*"]).steps[i]
            total += Fraction(s.price) * (Fraction(s.period_s, 60) if s.per_minute else 1)
            t, n = t + step.period_s, n + 1
    total = max(total, Fraction(first.minimum))
    cents = (total * 100 + Fraction(1, 2)).__floor__()     # half-up to 2 decimals
    return Decimal(cents).scaleb(-2)


NUMBERS = [("+90212{:07d}", "local"), ("+90312{:07d}", "long_distance"), ("+90532{:07d}", "mobile"),
           ("+90541{:07d}", "mobile"), ("+90505{:07d}", "mobile"), ("+90516{:07d}", "mobile"),
           ("+90800{:07d}", "toll_free"), ("+90900{:07d}", "premium"), ("112", "emergency"),
           ("444{:04d}", "short_code"), ("+4930{:07d}", "international_fixed"),
           ("+49151{:07d}", "international_mobile"), ("+1212{:07d}", "international_fixed"),
           ("+33{:09d}", "international_fixed"), ("+420{:09d}", "international_mobile"), ("2{:03d}", "internal")]


@pytest.mark.parametrize("tz, month", [(ISTANBUL, (2024, 4)), (PRAGUE, (2024, 10))])
def test_a_month_of_calls_matches_an_independent_calculation(tz, month):
    v = tariff_csv.read_csv(EXAMPLE.read_text(encoding="utf-8-sig"))[0]
    for boundary in ("split", "start"):
        version = dataclasses.replace(v, band_boundary=boundary)
        p, rnd = compile_plan([version]), random.Random(month[1])
        t0 = at(*month, 1, tz=tz)
        seconds = int((datetime(month[0], month[1] + 1, 1) - datetime(*month, 1)).total_seconds())
        engine = reference = Decimal(0)
        for _ in range(1500):
            pattern, kind = rnd.choice(NUMBERS)
            number = pattern.format(rnd.randrange(10 ** 6))
            start, talk = t0 + rnd.randrange(seconds), min(int(rnd.expovariate(1 / 150)), 3600)
            if rnd.random() < 0.05:
                talk = 0
            mine = rate(number, kind, start, talk, tz, p).cost
            theirs = _ref_cost(version, number, kind, start, talk, tz)
            assert mine == theirs, (number, kind, datetime.fromtimestamp(start, tz), talk, boundary)
            engine, reference = engine + mine, reference + theirs
        assert engine == reference and engine > 1000


def test_the_shipped_example_plan_prices_a_weekday_and_a_holiday():
    p = compile_plan(tariff_csv.read_csv(EXAMPLE.read_text(encoding="utf-8-sig")))
    weekday = rate("+905321234567", "mobile", at(2024, 4, 8, 10, 0, tz=ISTANBUL), 65, ISTANBUL, p)
    holiday = rate("+905321234567", "mobile", at(2024, 4, 10, 10, 0, tz=ISTANBUL), 65, ISTANBUL, p)
    arife = rate("+905321234567", "mobile", at(2024, 4, 9, 12, 59, 50, tz=ISTANBUL), 65, ISTANBUL, p)
    assert (weekday.cost, holiday.cost) == (Decimal("0.05") + Decimal("0.45") + 6 * Decimal("0.09"),
                                            Decimal("0.05") + Decimal("0.30") + 6 * Decimal("0.06"))
    assert arife.explain.bands == (("peak", 10), ("weekend", 55)) and arife.cost == Decimal("0.05") + \
        Decimal("0.45") + 6 * Decimal("0.06")
