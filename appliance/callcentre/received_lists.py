"""The queue calls' reports on a central that cover its branch boxes (issue 18 with CC-3): outside opening hours,
data quality, calls over 5 minutes, transfers, repeat callers and the caller journeys, the branch box the first
column ("" = this box's own rows, first) and a filter (`box`: that branch box's only).

A branch box's rows are its own report's, from the queue calls it sent (central_queue_call) by the same SQL where
the engines allow, with the central's [callcentre] rules (long_call_seconds). Opening hours: the branch box's own,
as it classified each call (its `closed`: 0 open, 1 outside its hours, 2 a closed day; not yet classified: open, as
the KPIs take it). Which boxes a user sees is the caller's (`seen`, as received.branch_where). SQLite or
PostgreSQL ([central] database).
"""
from __future__ import annotations

import json

from appliance.callcentre import opening, received, report_queues
from appliance.callcentre.journeys import PROBLEMS
from appliance.callcentre.kpis import rule_sql
from appliance.callcentre.report_queues import LIST_MAX, LOST
from appliance.callcentre.tables import Ask, Col, Table, share, total_row
from appliance.store.central_db import connection, execute, is_postgres

Seen = received.Seen
REPORTS = ("outside_opening_hours", "data_quality", "calls_over_5_min", "transfers", "repeat_callers",
           "caller_journeys")
_BOX = Col("branch", "text")
_LISTED = "entered_utc, queue, caller, agent, wait_s, talk_s, end_event, transfer_to, outcome, rings, rid, branch"


def _own(base: Table | None) -> list[list]:
    return [[""] + r for r in base.rows] if base is not None else []


def _where(ask: Ask, seen: Seen, box: str, args: list) -> str:
    return received.branch_where(ask.since, ask.until, seen, box, args)


def outside(ask: Ask, seen: Seen | None, box: str = "", own: bool = True,
            hours: opening.Hours | None = None) -> Table:
    """opening.outside with a row per branch box and queue after this box's: each box's calls by its own opening
    hours (as it classified them)."""
    base = opening.outside(ask, hours or opening.Hours())
    rows = _own(base) if own else []
    if seen is not None:
        args: list = []
        where = _where(ask, seen, box, args)
        state = "COALESCE(closed, 0)"

        def n(cond: str) -> str:
            return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"
        states = ("= 0", "= 1", "= 2", "> 0 AND outcome = 'answered'", "> 0 AND outcome != 'answered'")
        counts = ", ".join(n(f"{state} {c}") for c in states)
        with connection():
            found = execute(f"SELECT branch, queue, COUNT(*), {counts} FROM central_queue_call WHERE {where} "
                            "GROUP BY branch, queue", args)
        for b, q, offered, inside, out, closed_day, answered, unanswered in sorted(found):
            rows.append([b, q, offered, inside, out, closed_day, share(out + closed_day, offered), answered,
                         unanswered])
    cols = [_BOX] + base.columns
    offered, out = sum(r[2] for r in rows), sum(r[4] + r[5] for r in rows)
    return Table(cols, rows, total_row(cols, rows, 2, outside_pct=share(out, offered)), keys=2, chart=base.chart)


def data_quality(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_queues.data_quality with a row per branch box and queue after this box's: the calls each box flagged
    (the queue_log lines a box quarantined or read twice stay on that box's own page)."""
    base = report_queues.data_quality(ask)
    problems = [c.name for c in base.columns[2:]]
    rows = _own(base) if own else []
    if seen is not None:
        args: list = []
        where = _where(ask, seen, box, args).replace("seen_enter = 1", "1 = 1")    # quality.quality's: every call
        per: dict[tuple[str, str], dict[str, int]] = {}
        with connection():
            for b, q, flags, n in execute(f"SELECT branch, queue, problems, COUNT(*) FROM central_queue_call WHERE "
                                          f"{where} AND problems != '' GROUP BY branch, queue, problems", args):
                have = per.setdefault((b, q), {})
                have[""] = have.get("", 0) + n
                for p in flags.split(","):
                    have[p] = have.get(p, 0) + n
        rows += [[b, q, c[""], *(c.get(p, 0) for p in problems)] for (b, q), c in sorted(per.items())]
    assert problems == list(PROBLEMS)
    cols = [_BOX] + base.columns
    return Table(cols, rows, total_row(cols, rows, 2), keys=2, note=base.note)


def _listing(where: str, args: list) -> list[tuple]:
    """The branch boxes' queue calls meeting `where`, the newest LIST_MAX + 1, by box then newest first."""
    with connection():
        found = execute(f"SELECT {_LISTED} FROM central_queue_call WHERE {where} "
                        "ORDER BY entered_utc DESC, rid DESC LIMIT ?", [*args, LIST_MAX + 1])
    return sorted(found, key=lambda r: (r[-1], -r[0], -r[-2]))


def _listed(cols: list[Col], own_rows: list[list], boxes: list[list], more: bool, keys: int,
            totals: bool = True, link: str = "") -> Table:
    rows = (own_rows + boxes)[:LIST_MAX]
    table = Table(cols, rows, total_row(cols, rows, keys) if totals else None, keys=keys, link=link)
    if more or len(own_rows) + len(boxes) > LIST_MAX:
        table.note = "list_max"
    return table


def long_calls(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_queues.long_calls with the branch boxes' calls after this box's."""
    base = report_queues.long_calls(ask)
    boxes, more = [], False
    if seen is not None:
        args: list = []
        where = _where(ask, seen, box, args)
        over = rule_sql(ask.book, "long_call_seconds", args)
        found = _listing(f"{where} AND outcome = 'answered' AND talk_s > {over}", args)
        boxes, more = [[r[-1], *r[:6]] for r in found], len(found) > LIST_MAX
    table = _listed([_BOX] + base.columns, _own(base) if own else [], boxes, more, 5)
    table.note = table.note or (base.note if own else "")
    return table


def transfers(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_queues.transfers with a row per branch box, queue, agent and destination after this box's."""
    base = report_queues.transfers(ask)
    rows = _own(base) if own else []
    if seen is not None:
        args: list = []
        with connection():
            found = execute(
                "SELECT branch, queue, agent, transfer_to, COUNT(*), COALESCE(SUM(talk_s), 0) FROM central_queue_call "
                f"WHERE {_where(ask, seen, box, args)} AND end_event IN ('TRANSFER', 'BLINDTRANSFER', "
                "'ATTENDEDTRANSFER') GROUP BY branch, queue, agent, transfer_to", args)
        rows += [list(r) for r in sorted(found)]
    cols = [_BOX] + base.columns
    return Table(cols, rows, total_row(cols, rows, 4), keys=4, chart=base.chart)


def repeat_callers(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_queues.repeat_callers per branch box after this box's: a caller who called two boxes once each is no
    repeat caller of either (each box's list is its own)."""
    base = report_queues.repeat_callers(ask)
    boxes: list[list] = []
    if seen is not None:
        args: list = [*LOST]
        where = _where(ask, seen, box, args)
        digits = "caller ~ '[0-9]{4}'" if is_postgres() else "caller GLOB '*[0-9][0-9][0-9][0-9]*'"
        with connection():
            found = execute(
                "SELECT branch, caller, COUNT(*), SUM(CASE WHEN outcome = 'answered' THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN outcome IN ({', '.join('?' * len(LOST))}) THEN 1 ELSE 0 END), MIN(entered_utc), "
                f"MAX(entered_utc) FROM central_queue_call WHERE {where} AND {digits} GROUP BY branch, caller "
                "HAVING COUNT(*) > 1 ORDER BY COUNT(*) DESC, branch, caller LIMIT ?", [*args, LIST_MAX + 1])
        boxes = sorted((list(r) for r in found), key=lambda r: (r[0], -r[2], r[1]))
    table = _listed([_BOX] + base.columns, _own(base) if own else [], boxes, len(boxes) > LIST_MAX, 2)
    table.chart = base.chart
    return table


def journeys(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_queues.journeys with the branch boxes' calls after this box's; a branch box's call links to no
    evaluation (its queue call is evaluated on that box)."""
    base = report_queues.journeys(ask)
    boxes, more = [], False
    if seen is not None:
        args: list = []
        where = _where(ask, seen, box, args)
        digits = "".join(ch for ch in ask.caller if ch.isalnum())
        if digits:
            where += " AND LOWER(caller) LIKE ?"      # SQLite's LIKE ignores the case of ASCII letters
            args.append(f"%{digits.lower()}%")
        found = _listing(where, args)
        more = len(found) > LIST_MAX
        for entered, queue, caller, agent, wait, talk, end, to, outcome, rings, _rid, b in found:
            missed = [a for a, event, *_ in json.loads(rings) if event == "RINGNOANSWER"]
            boxes.append([b, entered, queue, caller, outcome or "unterminated", wait, ", ".join(missed), agent, talk,
                          end + (f" {to}" if to else ""), None])
    return _listed([_BOX] + base.columns, _own(base) if own else [], boxes, more, 4, totals=False, link=base.link)


def run(name: str, ask: Ask, seen: Seen | None, box: str = "", own: bool = True,
        hours: opening.Hours | None = None) -> Table:
    """The report `name` (one of REPORTS) over this box's and the branch boxes' queue calls."""
    if name == "outside_opening_hours":
        return outside(ask, seen, box, own, hours)
    return {"data_quality": data_quality, "calls_over_5_min": long_calls, "transfers": transfers,
            "repeat_callers": repeat_callers, "caller_journeys": journeys}[name](ask, seen, box, own)
