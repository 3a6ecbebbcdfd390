"""What a call-centre report gives (CC-3): a table of named, typed columns with its totals and the chart it suggests,
and what it is asked (Ask). The reports themselves are in report_queues.py, report_agents.py, callbacks.py and
opening.py; reports.py lists them.

Values are data, not text: counts int, seconds and percentages float with 2 decimals (None where a denominator is 0),
times epoch seconds (kind "time"), local periods as sortable text ("2026-12-06", "2026-W49", "2026-12", hour "09",
ISO weekday 1..7). The web and the CLI format them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from appliance.callcentre.kpis import RuleBook, ratio

KINDS = ("text", "count", "seconds", "percent", "number", "time", "hour", "weekday", "agent")


@dataclass(frozen=True)
class Col:
    """A column: its name (the heading's key), the kind of its values, and whether its total is its sum (counts and
    durations; not an average, which the report computes for its totals row from the sums)."""
    name: str
    kind: str = "count"
    adds: bool = True

    def __post_init__(self):
        assert self.kind in KINDS, self.kind


def avg(name: str) -> Col:
    """A column of average seconds (ASA, AHT, a longest wait): not added up in the totals."""
    return Col(name, "seconds", adds=False)


@dataclass
class Table:
    """columns; rows; totals (None: a list, nothing to add up); the first `keys` columns name a row (the rest are
    measures); chart: (kind "bar"/"line", the measures it draws); the row order is the report's natural one."""
    columns: list[Col]
    rows: list[list] = field(default_factory=list)
    totals: list | None = None
    keys: int = 1
    chart: tuple[str, tuple[str, ...]] | None = None
    note: str = ""           # what the figures mean where it is not obvious (English; the web translates by key)
    link: str = ""           # a column holding a queue call's id: the web links the row to its evaluation

    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def as_dicts(self) -> list[dict]:
        names = self.names()
        return [dict(zip(names, r)) for r in self.rows]


@dataclass(frozen=True)
class Ask:
    """One run of a report: the KPI rules, the period [since, until) in epoch seconds (None: unbounded), the PBX's
    time zone (local hours, days, weeks), the queues the user sees and chose (None: every queue), and the caller
    searched for (the journey search)."""
    book: RuleBook
    since: int | None
    until: int | None
    tz: tzinfo
    queues: frozenset[str] | None = None
    caller: str = ""
    wrapup_reasons: tuple[str, ...] = ()

    def keeps(self, queue: str) -> bool:
        return self.queues is None or queue in self.queues


def local(epoch: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(epoch, tz)


def bucket(epoch: int, tz: tzinfo, by: str) -> str:
    """The local period an instant falls in: by "hour" (of the day, "09"), "day", "week" (ISO), "weekday" (ISO 1-7),
    "month"."""
    t = local(epoch, tz)
    if by == "hour":
        return f"{t.hour:02d}"
    if by == "day":
        return t.date().isoformat()
    if by == "week":
        y, w, _ = t.isocalendar()
        return f"{y}-W{w:02d}"
    if by == "weekday":
        return str(t.isoweekday())
    if by == "month":
        return f"{t.year}-{t.month:02d}"
    raise ValueError(by)


def whole_hour_zone(tz: tzinfo, since: int | None, until: int | None) -> bool:
    """Whether the zone's offset is a whole number of hours at both ends of the period (then a UTC hour lies in one
    local hour, and the hour roll-ups can be read by local periods)."""
    points = [p for p in (since, until) if p is not None] or [0]
    return all(((local(p, tz).utcoffset() or timedelta()).total_seconds() % 3600) == 0 for p in points)


# wait bands (the answered and the lost by how long they waited): (label, lowest, highest) in whole seconds
WAIT_BANDS = (("0-5 s", 0, 5), ("6-10 s", 6, 10), ("11-20 s", 11, 20), ("21-30 s", 21, 30), ("31-60 s", 31, 60),
              ("1-2 min", 61, 120), ("2-5 min", 121, 300), ("5-10 min", 301, 600), ("over 10 min", 601, None))


def band_sql(column: str) -> str:
    """SQL giving the index in WAIT_BANDS of `column`'s value (the bands sort by it, in their natural order)."""
    whens = " ".join(f"WHEN {column} <= {hi} THEN {i}" for i, (_, _, hi) in enumerate(WAIT_BANDS) if hi is not None)
    return f"(CASE {whens} ELSE {len(WAIT_BANDS) - 1} END)"


def share(part: float | int, whole: float | int) -> float | None:
    return ratio(part, whole, 100)


def total_row(columns: list[Col], rows: list[list], keys: int, **computed: Any) -> list:
    """The sums of the count and seconds columns ("" under the key columns; `computed` gives the others, such as a
    percentage of the sums; None where not given)."""
    out: list = [""] * keys
    for i, c in enumerate(columns[keys:], keys):
        if c.name in computed:
            out.append(computed[c.name])
        elif c.kind in ("count", "seconds") and c.adds:
            values = [r[i] for r in rows if r[i] is not None]
            out.append(round(sum(values), 2) if c.kind == "seconds" else sum(values))
        else:
            out.append(None)
    return out
