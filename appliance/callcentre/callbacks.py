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


class Source:
    """Where the lost calls and what reaches them are read: this box's queue_call and call tables (a central reads a
    branch box's from what it sent: received_ranks.BoxSource)."""

    def lost(self, where: str, short: str, args: list) -> list[tuple]:
        """(id, queue, caller, entered_utc, left_utc, wait_s) of the lost calls meeting `where`, oldest first."""
        return db.execute_sql(
            "SELECT id, queue, caller, entered_utc, IFNULL(end_utc, entered_utc + IFNULL(wait_s, 0)), wait_s "
            f"FROM queue_call WHERE {where} AND {LOST_SQL} AND NOT (outcome = 'abandoned' AND wait_s <= {short}) "
            "ORDER BY entered_utc, id", args).fetchall()

    def queued(self, start: int, end: int) -> set[str]:
        """The call keys of the queue calls entered in [start, end)."""
        return {k for k, in db.execute_sql("SELECT DISTINCT call_key FROM queue_call WHERE entered_utc >= ? AND "
                                           "entered_utc < ?", (start, end))}

    def answered_calls(self, start: int, end: int):
        """(start_utc, party, number, extension, direction, call_key) of the answered calls in and out."""
        return db.execute_sql(
            "SELECT start_utc, party, number, extension, direction, call_key FROM call WHERE start_utc >= ? AND "
            "start_utc < ? AND answered = 1 AND direction IN ('in', 'out')", (start, end))

    def answered_queue(self, start: int, end: int):
        """(entered_utc, caller, agent) of the answered queue calls entered in [start, end)."""
        return db.execute_sql("SELECT entered_utc, caller, agent FROM queue_call WHERE entered_utc >= ? AND "
                              "entered_utc < ? AND outcome = 'answered'", (start, end))


LOCAL = Source()


def lost_calls(ask: Ask, source: Source = LOCAL) -> list[tuple]:
    """(id, queue, caller, entered_utc, left_utc, wait_s) of the lost calls of the period, oldest first."""
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    short = rule_sql(ask.book, "short_abandon_seconds", args)
    return source.lost(where, short, args)


def _reaches(start: int, end: int, wanted: set[str], source: Source) -> dict[str, list[tuple[int, str, str]]]:
    """number key -> [(time, by whom, how)] of what reaches the callers `wanted` (their keys) in [start, end), in
    time order; only theirs are kept (a year of a big box's calls would not fit a small board's memory)."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    queued = source.queued(start - 3600, end)
    for at, party, number, extension, direction, call_key in source.answered_calls(start, end):
        if call_key in queued:
            continue
        k = key(number) or key(party)
        if k in wanted:
            found.setdefault(k, []).append((at, extension, "called_back" if direction == "out" else "called_in"))
    for at, caller, agent in source.answered_queue(start, end):
        k = key(caller)
        if k in wanted:
            found.setdefault(k, []).append((at, agent, "answered_again"))
    for k in found:
        found[k].sort()
    return found


def matched(ask: Ask, source: Source = LOCAL) -> list[tuple[tuple, tuple[int, str, str] | None]]:
    """Each lost call and what reached it first (None: nothing within HORIZON_S)."""
    lost = lost_calls(ask, source)
    if not lost:
        return []
    wanted = {k for k in (key(r[2]) for r in lost) if k}
    reach = _reaches(min(r[4] for r in lost), max(r[4] for r in lost) + HORIZON_S, wanted, source)
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


REPORT_COLUMNS = [Col("queue", "text"), Col("lost"), Col("reached"), Col("not_reached"),
                  Col("reached_pct", "percent"), avg("median_s"), avg("mean_s")]


def report_rows(found: list[tuple[tuple, tuple | None]]) -> tuple[list[list], list[int]]:
    """report's rows of `matched`'s lost calls, and every reached call's time to reach it."""
    per: dict[str, list[int | None]] = {}
    for row, hit in found:
        per.setdefault(row[1], []).append(None if hit is None else hit[0] - row[4])
    rows: list[list] = []
    every: list[int] = []
    for queue, waits in sorted(per.items()):
        got = [w for w in waits if w is not None]
        every += got
        rows.append([queue, len(waits), len(got), len(waits) - len(got), share(len(got), len(waits)),
                     secs(statistics.median(got)) if got else None, secs(statistics.fmean(got)) if got else None])
    return rows, every


def report_totals(cols: list[Col], rows: list[list], every: list[int], keys: int = 1) -> list | None:
    lost = sum(r[keys] for r in rows)
    totals = total_row(cols, rows, keys, reached_pct=share(len(every), lost),
                       median_s=secs(statistics.median(every)) if every else None,
                       mean_s=secs(statistics.fmean(every)) if every else None)
    return totals if rows else None


def report(ask: Ask) -> Table:
    """Per queue: lost calls, reached and not, the share reached, and the median and mean time to reach them."""
    rows, every = report_rows(matched(ask))
    return Table(REPORT_COLUMNS, rows, report_totals(REPORT_COLUMNS, rows, every),
                 chart=("bar", ("reached", "not_reached")))


LIST_COLUMNS = [Col("left", "time"), Col("queue", "text"), Col("caller", "text"), Col("wait_s", "seconds"),
                Col("times_lost"), Col("status", "text"), Col("reached", "time"), Col("by", "agent"),
                Col("how", "text"), Col("after_s", "seconds")]


def list_rows(found: list[tuple[tuple, tuple | None]]) -> list[list]:
    """callback_list's rows of `matched`'s lost calls, those not reached first, then the newest."""
    last: dict[str, tuple[tuple, tuple | None, int]] = {}
    for row, hit in found:
        who = key(row[2]) or f"#{row[0]}"     # a number too short to match stands alone
        before = last.get(who)
        last[who] = (row, hit, (before[2] if before else 0) + 1)
    rows = []
    for row, hit, n in last.values():
        rows.append([row[4], row[1], row[2], row[5], n, "reached" if hit else "open", hit[0] if hit else None,
                     hit[1] if hit else "", hit[2] if hit else "", secs(hit[0] - row[4]) if hit else None])
    rows.sort(key=lambda r: (r[5] != "open", -r[0]))
    return rows


def callback_list(ask: Ask) -> Table:
    """The callback list: each lost caller once (their last lost call), those not reached first, then the newest;
    with who reached them, how and when, once they are."""
    return Table(LIST_COLUMNS, list_rows(matched(ask)), None, keys=3)
