"""What a report can break calls down by and measure: dimensions, measures, bands, and their SQL over `call`.

A dimension is computed from one or more *base keys*: SQL expressions over a call row (also stored as columns
of the roll-up cubes, appliance/rollup.py), turned into the shown value in Python. Person, department,
branch and trunk group are *attributed*: they come from the directory as of the call's time (extension ->
person -> placement, trunk -> provider), looked up per group of calls that no directory change splits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from appliance.store.directions import DIRECTION_SQL, NAMED_PARTY_SQL, OUT_SQL  # noqa: F401 (the reports')
from appliance.store.rollups import SHORT_S

log = logging.getLogger(__name__)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Duration bands (talk time) and answer-time bands (ring time before an incoming call was answered): fixed,
# because the roll-ups store them. (label, upper bound in seconds, exclusive; None = no bound).
DURATION_BANDS = (("0s", 1), ("1-59s", 60), ("1-3min", 180), ("3-10min", 600), ("10-30min", 1800),
                  ("30min+", None))
ANSWER_BANDS = (("0-5s", 6), ("6-10s", 11), ("11-20s", 21), ("21-30s", 31), ("31-60s", 61), ("60s+", None))
NOT_ANSWERED_IN = "unanswered"     # an incoming call nobody answered
NOT_INCOMING = ""                  # outgoing and internal calls have no answer time


# Bands sort in their own order, not as text ("1-3min" before "1-59s"); an answer band's two non-bands last
BAND_ORDER = {"duration_band": {label: i for i, (label, _upper) in enumerate(DURATION_BANDS)},
              "answer_band": {**{label: i for i, (label, _upper) in enumerate(ANSWER_BANDS)},
                              NOT_ANSWERED_IN: len(ANSWER_BANDS), NOT_INCOMING: len(ANSWER_BANDS) + 1}}


def row_order(dims: list[str]):
    """The sort key of a report's rows (their dimension values, in `dims` order): bands in their order."""
    banded = [(i, BAND_ORDER[d]) for i, d in enumerate(dims) if d in BAND_ORDER]
    if not banded:
        return None

    def key(values: tuple) -> tuple:
        out = list(values)
        for i, order in banded:
            out[i] = (order.get(out[i], len(order)), out[i])
        return tuple(out)
    return key


def _band_case(column: str, bands: tuple) -> str:
    parts = [f"WHEN {column} < {upper} THEN '{label}'" for label, upper in bands if upper is not None]
    return f"CASE {' '.join(parts)} ELSE '{bands[-1][0]}' END"


LOCAL = "(start_utc + utc_offset)"
# A call to a name over no trunk (IP Office's to a voicemail mailbox, "?GRABOWA") is never counted as outgoing:
# direction voicemail or to_name (store/directions.py, which the central's month roll-up shares)
# base key -> SQL expression over the call table (the roll-up cubes store these values under the key's name)
BASE_SQL = {
    "tenant": "tenant",
    "extension": "TRIM(extension)",
    "trunk": "trunk",
    "day": f"({LOCAL} / 86400)",
    "hour": f"(({LOCAL} % 86400) / 3600)",
    "direction": DIRECTION_SQL,
    "kind": "kind",
    "destination": "destination",
    "tariff": "tariff",
    "currency": "currency",
    "number": "CASE WHEN number != '' THEN number ELSE party END",
    "duration_band": _band_case("talk_s", DURATION_BANDS),
    "answer_band": (f"CASE WHEN direction != 'in' THEN '{NOT_INCOMING}' WHEN NOT answered THEN '{NOT_ANSWERED_IN}' "
                    f"ELSE {_band_case('ring_s', ANSWER_BANDS)} END"),
}
# keys computed from the local day (a cube's `day` column, or the call's): {d} is replaced by it
# (month and year as integers: cubes store YYYYMM as `ym`, so a year of groups needs no date function per row)
YM_SQL = "CAST(strftime('%Y%m', {d} * 86400, 'unixepoch') AS INTEGER)"
DAY_SQL = {
    "dayno": "{d}",
    "date": "date({d} * 86400, 'unixepoch')",
    "month": YM_SQL,
    "year": f"({YM_SQL} / 100)",
    "weekday": "(({d} + 3) % 7 + 1)",
}
CUBE_DAY_SQL = {"month": "ym", "year": "(ym / 100)"}


def key_sql(key: str, cube: bool) -> str:
    """The SQL of a base key over a cube (its columns) or over the call table."""
    if cube and key in CUBE_DAY_SQL:
        return CUBE_DAY_SQL[key]
    if key in DAY_SQL:
        return DAY_SQL[key].format(d="day" if cube else BASE_SQL["day"])
    return key if cube else BASE_SQL[key]


def month_label(ym: int) -> str:
    return f"{ym // 100:04d}-{ym % 100:02d}"


COST_MICRO_SQL = ("CASE WHEN cost IS NULL OR cost = '' THEN 0 "
                  "ELSE CAST(ROUND(CAST(cost AS REAL) * 1000000) AS INTEGER) END")   # exact for <= 6 decimals
PRICED_SQL = "CASE WHEN cost IS NULL OR cost = '' THEN 0 ELSE 1 END"
# the per-group sums every query returns, over raw calls and over a cube (whose rows carry the direction)
SHORT_SQL = f"CASE WHEN answered AND talk_s < {SHORT_S} THEN 1 ELSE 0 END"   # a short call (problem trunks)
SUMS_RAW = ("COUNT(*)", "SUM(answered)", "SUM(ring_s)", "SUM(talk_s)", f"SUM({COST_MICRO_SQL})", f"SUM({PRICED_SQL})",
            f"SUM({SHORT_SQL})")
SUMS_CUBE = ("SUM(calls)", "SUM(answered)", "SUM(ring_s)", "SUM(talk_s)", "SUM(cost_micro)", "SUM(priced)",
             "SUM(short)")


@dataclass(frozen=True, slots=True)
class Dim:
    """A dimension: the base keys it needs, whether it is attributed through the directory, what it shows."""
    name: str
    keys: tuple[str, ...]
    help: str
    attributed: str = ""     # "" | "person" (extension at the call's time) | "trunk" (trunk's provider then)


DIMS: dict[str, Dim] = {d.name: d for d in (
    Dim("extension", ("extension",), "the extension (our side of the call)"),
    Dim("person", ("tenant", "extension"), "the person the extension belonged to at the call's time: NAME (ID)",
        "person"),
    Dim("department", ("tenant", "extension"), "that person's department at the call's time", "person"),
    Dim("branch", ("tenant", "extension"), "that person's branch at the call's time", "person"),
    Dim("tenant", ("tenant",), "the tenant (company) code of the call"),
    Dim("number", ("number",), "the number called or calling (E.164 where known)"),
    Dim("hour", ("hour",), "hour of the day, PBX local time (00..23)"),
    Dim("day", ("date",), "local date (YYYY-MM-DD)"),
    Dim("weekday", ("weekday",), "ISO weekday of the local date (1 = Monday .. 7 = Sunday)"),
    Dim("month", ("month",), "local month (YYYY-MM)"),
    Dim("year", ("year",), "local year (YYYY)"),
    Dim("tariff", ("tariff",), "the tariff that priced the call (provider / plan @ version)"),
    Dim("trunk", ("trunk",), "the trunk / line"),
    Dim("trunk_group", ("tenant", "trunk"), "the trunk's provider at the call's time (directory trunks)", "trunk"),
    Dim("duration_band", ("duration_band",), "talk time band: " + ", ".join(b for b, _ in DURATION_BANDS)),
    Dim("answer_band", ("answer_band",), "ring time before an incoming call was answered: "
        + ", ".join(b for b, _ in ANSWER_BANDS) + f", {NOT_ANSWERED_IN}; empty for other calls"),
    Dim("direction", ("direction",), "in, out or internal; voicemail (an IP Office call to a mailbox by name) or "
        "to_name (another PBX's call to a name over no trunk), never counted as out (system: legs to IVR menus, "
        "voicemail, feature codes, counted only when a filter asks for them)"),
    Dim("kind", ("kind",), "number class: local, long_distance, mobile, international_fixed, "
        "international_mobile, toll_free, premium, emergency, internal... (appliance/numbering.py)"),
    Dim("destination", ("destination",), "the tariff's destination (e.g. a mobile operator, a city, a country)"),
    Dim("operator", ("kind", "number"), "mobile operator of mobile numbers (from the number; empty otherwise)"),
    Dim("region", ("kind", "number"), "city / province of fixed numbers (from the number; empty otherwise)"),
    Dim("currency", ("currency",), "the currency of the cost (empty for calls without a price)"),
    Dim("hunt_group", ("extension", "number"), "the hunt group ([directory] hunt_groups) the call's extension, else "
        "its number, is: the group's number (empty for other calls; a filter takes its number or name)"),
)}

# measure -> (help). All are sums over the group, computed from the SUMS_RAW / SUMS_CUBE sums split by direction.
MEASURES: dict[str, str] = {
    "calls": "number of calls",
    "calls_in": "incoming calls", "calls_out": "outgoing calls", "calls_internal": "internal calls",
    "answered": "answered calls", "unanswered": "calls not answered",
    "duration": "ring + talk time, seconds", "talk": "talk time, seconds", "ring": "ring time, seconds",
    "talk_in": "talk time of incoming calls, s", "talk_out": "talk time of outgoing calls, s",
    "ring_in": "ring time of incoming calls, s", "ring_out": "ring time of outgoing calls, s",
    "cost": "sum of the calls' prices (exact decimal; empty when none is priced)",
    "priced": "calls with a price",
}
DEFAULT_MEASURES = ("calls", "duration", "cost")
SECOND_MEASURES = frozenset(("duration", "talk", "ring", "talk_in", "talk_out", "ring_in", "ring_out"))


def csv_header(columns: list[str]) -> list[str]:
    """A report's columns as a CSV file names them: a measure in seconds with its unit ("talk_out_s"), as the call
    search's CSV names ring_s and talk_s (a spreadsheet reader cannot tell seconds from minutes otherwise)."""
    return [f"{c}_s" if c in SECOND_MEASURES else c for c in columns]
