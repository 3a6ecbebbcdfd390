"""Hour roll-ups of the queue calls (queue_hour): the KPIs of a year read ~9,000 rows per queue, not every call.

Per queue and UTC hour (entered_utc // 3600), the sums kpis.SUM_COLUMNS of the queue calls that entered in it. UTC
hours, not local days: a range of local days begins and ends on whole UTC hours in every time zone with a whole-hour
offset, and where it does not (India, Nepal) the partial hours are read from the queue calls, as any range's are.

Kept exact, as the report roll-ups are (appliance/reports/rollup.py):
- journeys.refresh() marks dirty, in the transaction that changes queue calls, the hours they entered in before and
  after (mark());
- the worker, when the journal is drained, sums a few dirty hours again (refresh_some());
- a KPI reads a dirty hour from the queue calls (kpis._sums), so a figure never depends on whether that has run;
- the threshold counts (short abandons, service level, over 5 min) depend on the rules: the roll-ups are summed with
  the worker's [callcentre] rules, named in queue_state "hours_rules", and serve only KPIs asked with those rules
  (others, such as `--sl-seconds`, read the queue calls). When the rules change, the worker sums every hour again.
"""
from __future__ import annotations

import logging
from typing import Iterable

from appliance.callcentre.kpis import SUM_COLUMNS, RuleBook, fingerprint, sums_sql
from appliance.store.base import IMMEDIATE, db

log = logging.getLogger(__name__)
IDLE_HOURS = 200          # dirty hours one idle refresh sums at most
_BATCH = 500


def mark(conn, driver: str, keys: list[str]) -> None:
    """Mark dirty the hours the queue calls of these uniqueids entered in (before and after a refresh: call it on
    both sides, in the same transaction)."""
    for i in range(0, len(keys), _BATCH):
        chunk = keys[i:i + _BATCH]
        conn.execute("INSERT OR IGNORE INTO queue_hour_dirty (hour) SELECT DISTINCT entered_utc / 3600 FROM queue_call "
                     f"WHERE driver = ? AND call_key IN ({', '.join('?' * len(chunk))})", (driver, *chunk))


def _sum_hours(book: RuleBook, where: str, args: Iterable) -> None:
    sql_args: list = []
    sums = sums_sql(book, sql_args)
    db.execute_sql(f"INSERT INTO queue_hour (queue, hour, {', '.join(SUM_COLUMNS)}) "
                   f"SELECT queue, entered_utc / 3600, {sums} FROM queue_call WHERE seen_enter = 1 AND {where} "
                   "GROUP BY queue, entered_utc / 3600", [*sql_args, *args])


def rebuild(book: RuleBook) -> int:
    """Sum every hour again with `book`'s rules (a new database, changed rules); returns the rows."""
    with db.atomic(IMMEDIATE):
        db.execute_sql("DELETE FROM queue_hour")
        db.execute_sql("DELETE FROM queue_hour_dirty")
        _sum_hours(book, "1", ())
        db.execute_sql("INSERT OR REPLACE INTO queue_state (key, value) VALUES ('hours_rules', ?)",
                       (fingerprint(book),))
        db.execute_sql("INSERT OR REPLACE INTO queue_state (key, value) VALUES ('hours_built', '1')")
        n = db.execute_sql("SELECT COUNT(*) FROM queue_hour").fetchone()[0]
    log.info("queue KPI roll-ups summed again: %d queue hours", n)
    return n


def refresh_some(book: RuleBook, limit: int = IDLE_HOURS) -> int:
    """Bring the roll-ups up to date a little (the worker, when idle): every hour when they were never built or
    were built with other rules, else up to `limit` dirty hours. Returns the hours summed (-1: all of them)."""
    state = dict(db.execute_sql("SELECT key, value FROM queue_state WHERE key IN ('hours_built', 'hours_rules')"))
    if state.get("hours_built") != "1" or state.get("hours_rules") != fingerprint(book):
        rebuild(book)
        return -1
    with db.atomic(IMMEDIATE):
        hours = [h for h, in db.execute_sql("SELECT hour FROM queue_hour_dirty ORDER BY hour DESC LIMIT ?", (limit,))]
        if not hours:
            return 0
        for hour in hours:      # each by the entered_utc index
            db.execute_sql("DELETE FROM queue_hour WHERE hour = ?", (hour,))
            _sum_hours(book, "entered_utc >= ? AND entered_utc < ?", (hour * 3600, hour * 3600 + 3600))
            db.execute_sql("DELETE FROM queue_hour_dirty WHERE hour = ?", (hour,))
    return len(hours)
