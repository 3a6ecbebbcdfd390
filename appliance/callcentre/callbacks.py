"""Lost callers and their callbacks (CC-3 "callback time", CC-5 the callback list).

A lost call is a queue call that left unanswered (abandoned, timed out, left empty or by key), short abandons not
counted (kpis.py). It is reached by the first of, after it left the queue:
- an answered call of the CDR to or from the caller's number that is not itself a queue call (someone called back,
  or the caller got through another way), or
- a later queue call of the same caller that an agent answered.
A call that entered a queue again and was lost again does not reach it (an IVR answering it proves nothing).
Numbers match on their last MATCH_DIGITS digits (0532 123 45 67, +90 532 123 45 67 and 90532... are one number);
callers with fewer than MIN_DIGITS digits (anonymous, an internal test) are never matched. A lost call not reached
within HORIZON_S is "not reached"; the list clears itself as the calls arrive.
"""
from __future__ import annotations

import bisect
import statistics

from appliance.callcentre.kpis import period_where, rule_sql, secs
from appliance.callcentre.tables import Ask, Col, Table, avg, share, total_row
from appliance.store.base import db

MATCH_DIGITS, MIN_DIGITS = 9, 4
HORIZON_S = 7 * 86400
LOST_SQL = "outcome IN ('abandoned', 'timeout', 'exit_empty', 'exit_key')"


def key(number: str) -> str:
    """The digits a number is matched on ("" when too short to match)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[-MATCH_DIGITS:] if len(digits) >= MIN_DIGITS else ""


def lost_calls(ask: Ask) -> list[tuple]:
    """(id, queue, caller, entered_utc, left_utc, wait_s) of the lost calls of the period, oldest first."""
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    short = rule_sql(ask.book, "short_abandon_seconds", args)
    return db.execute_sql(
        "SELECT id, queue, caller, entered_utc, IFNULL(end_utc, entered_utc + IFNULL(wait_s, 0)), wait_s "
        f"FROM queue_call WHERE {where} AND {LOST_SQL} AND NOT (outcome = 'abandoned' AND wait_s <= {short}) "
        "ORDER BY entered_utc, id", args).fetchall()


def _reaches(start: int, end: int, wanted: set[str]) -> dict[str, list[tuple[int, str, str]]]:
    """number key -> [(time, by whom, how)] of what reaches the callers `wanted` (their keys) in [start, end), in
    time order; only theirs are kept (a year of a big box's calls would not fit a small board's memory)."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    queued = {k for k, in db.execute_sql("SELECT DISTINCT call_key FROM queue_call WHERE entered_utc >= ? AND "
                                         "entered_utc < ?", (start - 3600, end))}
    for at, party, number, extension, direction, call_key in db.execute_sql(
            "SELECT start_utc, party, number, extension, direction, call_key FROM call WHERE start_utc >= ? AND "
            "start_utc < ? AND answered = 1 AND direction IN ('in', 'out')", (start, end)):
        if call_key in queued:
            continue
        k = key(number) or key(party)
        if k in wanted:
            found.setdefault(k, []).append((at, extension, "called_back" if direction == "out" else "called_in"))
    for at, caller, agent in db.execute_sql(
            "SELECT entered_utc, caller, agent FROM queue_call WHERE entered_utc >= ? AND entered_utc < ? AND "
            "outcome = 'answered'", (start, end)):
        k = key(caller)
        if k in wanted:
            found.setdefault(k, []).append((at, agent, "answered_again"))
    for k in found:
        found[k].sort()
    return found


def _matched(ask: Ask) -> list[tuple[tuple, tuple[int, str, str] | None]]:
    """Each lost call and what reached it first (None: nothing within HORIZON_S)."""
    lost = lost_calls(ask)
    if not lost:
        return []
    wanted = {k for k in (key(r[2]) for r in lost) if k}
    reach = _reaches(min(r[4] for r in lost), max(r[4] for r in lost) + HORIZON_S, wanted)
    out = []
    for row in lost:
        k, left = key(row[2]), row[4]
        hit = None
        if k in reach:
            times = reach[k]
            i = bisect.bisect_left(times, (left, "", ""))
            if i < len(times) and times[i][0] - left <= HORIZON_S:
                hit = times[i]
        out.append((row, hit))
    return out


def report(ask: Ask) -> Table:
    """Per queue: lost calls, reached and not, the share reached, and the median and mean time to reach them."""
    cols = [Col("queue", "text"), Col("lost"), Col("reached"), Col("not_reached"), Col("reached_pct", "percent"),
            avg("median_s"), avg("mean_s")]
    per: dict[str, list[int | None]] = {}
    for row, hit in _matched(ask):
        per.setdefault(row[1], []).append(None if hit is None else hit[0] - row[4])
    rows: list[list] = []
    every: list[int] = []
    for queue, waits in sorted(per.items()):
        got = [w for w in waits if w is not None]
        every += got
        rows.append([queue, len(waits), len(got), len(waits) - len(got), share(len(got), len(waits)),
                     secs(statistics.median(got)) if got else None, secs(statistics.fmean(got)) if got else None])
    lost = sum(r[1] for r in rows)
    totals = total_row(cols, rows, 1, reached_pct=share(len(every), lost),
                       median_s=secs(statistics.median(every)) if every else None,
                       mean_s=secs(statistics.fmean(every)) if every else None)
    return Table(cols, rows, totals if rows else None, chart=("bar", ("reached", "not_reached")))


def callback_list(ask: Ask) -> Table:
    """The callback list: each lost caller once (their last lost call), those not reached first, then the newest;
    with who reached them, how and when, once they are."""
    cols = [Col("left", "time"), Col("queue", "text"), Col("caller", "text"), Col("wait_s", "seconds"),
            Col("times_lost"), Col("status", "text"), Col("reached", "time"), Col("by", "agent"),
            Col("how", "text"), Col("after_s", "seconds")]
    last: dict[str, tuple[tuple, tuple | None, int]] = {}
    for row, hit in _matched(ask):
        who = key(row[2]) or f"#{row[0]}"     # a number too short to match stands alone
        before = last.get(who)
        last[who] = (row, hit, (before[2] if before else 0) + 1)
    rows = []
    for row, hit, n in last.values():
        rows.append([row[4], row[1], row[2], row[5], n, "reached" if hit else "open", hit[0] if hit else None,
                     hit[1] if hit else "", hit[2] if hit else "", secs(hit[0] - row[4]) if hit else None])
    rows.sort(key=lambda r: (r[5] != "open", -r[0]))
    return Table(cols, rows, None, keys=3)
