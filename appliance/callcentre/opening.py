"""Opening hours and closed days of the queues (issue 15): calls that entered a queue while it was closed are reported
apart ("Outside opening hours"), so a supervisor sees them as what they are and not as a staffing failure.

[callcentre] opening_hours, one line per queue (`*` for every queue without its own line; none at all: always open):

    support = mon-fri 08:00-18:00, sat 09:00-13:00
    *       = mon-fri 09:00-17:30

Each item is DAYS HH:MM-HH:MM, DAYS one day (mon ... sun) or a span (mon-fri, fri-mon); a day may have several items
(mon-fri 08:00-12:00, mon-fri 13:00-17:00); 24:00 ends a day. Times are the PBX's local time ([pbx] timezone).
[callcentre] closed_days: ISO dates on which every queue is closed (public holidays).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from appliance.callcentre.kpis import period_where
from appliance.callcentre.tables import Ask, Col, Table, share, total_row
from appliance.config import ConfigError
from appliance.store.base import IMMEDIATE, db

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ITEM = re.compile(r"^(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+(?P<h1>\d{1,2}):(?P<m1>\d\d)\s*-\s*(?P<h2>\d{1,2}):"
                  r"(?P<m2>\d\d)$")


@dataclass(frozen=True)
class Hours:
    """Per queue ("*": the default) and ISO weekday (1-7), the open [start, end) minutes of the day; closed dates."""
    queues: tuple[tuple[str, tuple[tuple[int, tuple[tuple[int, int], ...]], ...]], ...] = ()
    closed: frozenset[date] = frozenset()

    def configured(self) -> bool:
        return bool(self.queues or self.closed)

    def state(self, queue: str, when: datetime) -> str:
        """"open", "closed" (outside the queue's hours) or "closed_day" (a closed date)."""
        if when.date() in self.closed:
            return "closed_day"
        table = dict(self.queues)
        week = table.get(queue, table.get("*"))
        if week is None:
            return "open"
        minute = when.hour * 60 + when.minute
        return "open" if any(a <= minute < b for a, b in dict(week).get(when.isoweekday(), ())) else "closed"


def _days(first: str, last: str | None) -> list[int]:
    a = DAYS.index(first) + 1
    b = DAYS.index(last) + 1 if last else a
    return [((a - 1 + i) % 7) + 1 for i in range((b - a) % 7 + 1)]


def parse(text: str, closed_text: str = "", where: str = "[callcentre] opening_hours") -> Hours:
    """The settings' text -> Hours; ConfigError naming the bad line or date."""
    queues: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        queue, sep, rest = (p.strip() for p in line.partition("="))
        here = f"{where}: line {n} {line!r}"
        if not sep or not queue or queue in queues:
            raise ConfigError(f"{here}: expected QUEUE = DAYS HH:MM-HH:MM, ... once per queue")
        week: dict[int, list[tuple[int, int]]] = {}
        for item in filter(None, (i.strip().lower() for i in rest.split(","))):
            m = ITEM.match(item)
            if not m or m["d1"] not in DAYS or (m["d2"] and m["d2"] not in DAYS):
                raise ConfigError(f"{here}: {item!r}: expected DAYS HH:MM-HH:MM (mon-fri 08:00-18:00; days "
                                  f"{', '.join(DAYS)})")
            start = int(m["h1"]) * 60 + int(m["m1"])
            end = int(m["h2"]) * 60 + int(m["m2"])
            if int(m["m1"]) > 59 or int(m["m2"]) > 59 or start >= 24 * 60 or end > 24 * 60 or end <= start:
                raise ConfigError(f"{here}: {item!r}: a time range within one day (00:00-24:00), ending after it "
                                  "starts")
            for day in _days(m["d1"], m["d2"]):
                week.setdefault(day, []).append((start, end))
        queues[queue] = week
    closed = set()
    for item in filter(None, (i.strip() for i in closed_text.split(","))):
        try:
            closed.add(date.fromisoformat(item))
        except ValueError:
            raise ConfigError(f"[callcentre] closed_days: {item!r} is not an ISO date (2026-12-25)") from None
    return Hours(tuple(sorted((q, tuple(sorted((d, tuple(sorted(r))) for d, r in w.items())))
                              for q, w in queues.items())), frozenset(closed))


def hours(cfg) -> Hours:
    s = cfg.section("callcentre")
    return parse(s.opening_hours, s.closed_days)


STATES = ("open", "closed", "closed_day")      # queue_call.closed: their index
_BATCH = 5000


def fingerprint(opening: Hours, tz: tzinfo) -> str:
    """What the classification depends on: classified calls serve only these hours in this zone."""
    return repr((opening, str(tz)))


def classify(opening: Hours, tz: tzinfo, limit: int | None = _BATCH) -> int:
    """Classify the queue calls not yet classified (queue_call.closed NULL) by the opening hours: at most `limit`
    (None: all of them); when the hours or the zone changed since the last time, every call again (and the KPIs'
    hour roll-ups summed again). The hours whose figures change are marked dirty in the same transaction, so a KPI
    never mixes classifications. Returns the calls classified. The worker calls it when idle; the CLI before a
    report."""
    done = 0
    while True:
        with db.atomic(IMMEDIATE):
            stamp = fingerprint(opening, tz)
            have = db.execute_sql("SELECT value FROM queue_state WHERE key = 'opening_rules'").fetchone()
            if have is None or have[0] != stamp:
                db.execute_sql("UPDATE queue_call SET closed = NULL WHERE closed IS NOT NULL")
                db.execute_sql("DELETE FROM queue_state WHERE key = 'hours_built'")   # roll-ups: summed again
                db.execute_sql("INSERT OR REPLACE INTO queue_state (key, value) VALUES ('opening_rules', ?)",
                               (stamp,))
            step = _BATCH if limit is None else min(_BATCH, limit - done)
            rows = db.execute_sql("SELECT id, queue, entered_utc FROM queue_call WHERE closed IS NULL LIMIT ?",
                                  (step,)).fetchall() if step > 0 else []
            if not rows:
                return done
            states = [(STATES.index(opening.state(q, _local(at, tz))) if opening.configured() else 0, i, at)
                      for i, q, at in rows]
            db.connection().executemany("UPDATE queue_call SET closed = ? WHERE id = ?", [s[:2] for s in states])
            db.connection().executemany("INSERT OR IGNORE INTO queue_hour_dirty (hour) VALUES (?)",
                                        [(at // 3600,) for s, _, at in states if s])   # NULL counted as open
            done += len(rows)
        if limit is not None and done >= limit:
            return done


def outside(ask: Ask, opening: Hours) -> Table:
    """Per queue: calls offered, those that entered while it was open, outside its hours and on closed days; of the
    calls outside, how many were answered and how many left unanswered."""
    cols = [Col("queue", "text"), Col("offered"), Col("in_hours"), Col("outside_hours"), Col("closed_day"),
            Col("outside_pct", "percent"), Col("outside_answered"), Col("outside_unanswered")]
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    counts: dict[str, list[int]] = {}    # offered, in hours, outside hours, closed day, outside answered, unanswered
    for queue, entered, outcome in db.execute_sql(
            f"SELECT queue, entered_utc, outcome FROM queue_call WHERE {where}", args):
        c = counts.setdefault(queue, [0] * 6)
        state = opening.state(queue, _local(entered, ask.tz))
        c[0] += 1
        c[("open", "closed", "closed_day").index(state) + 1] += 1
        if state != "open":
            c[4 if outcome == "answered" else 5] += 1
    rows: list[list] = [[q, c[0], c[1], c[2], c[3], share(c[2] + c[3], c[0]), c[4], c[5]]
                        for q, c in sorted(counts.items())]
    offered, out = sum(r[1] for r in rows), sum(r[3] + r[4] for r in rows)
    return Table(cols, rows, total_row(cols, rows, 1, outside_pct=share(out, offered)),
                 chart=("bar", ("outside_hours", "closed_day")))


def _local(epoch: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(epoch, tz)
