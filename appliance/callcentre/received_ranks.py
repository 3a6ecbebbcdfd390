"""The rankings, the callbacks and the evaluations on a central over its branch boxes (issue 18 with CC-3/CC-5).

- queue_ranking and agent_ranking: one ranking of this box's and the branch boxes' queues (agents) the user sees, by
  the central's [callcentre] queue_targets (agent_targets), each row's branch box after its rank ("" = this box).
  A branch box's KPIs are received.py's and received_agents.py's (its own reports' figures).
- callback_time and callback_list: each branch box's lost calls matched, as on the box, against what it sent: its
  calls (central_call: answered calls in and out that are not queue calls) and its answered queue calls; never
  another box's (a caller lost at one box is not reached by an answer at another).
- call_evaluations: this box's evaluations, then those each branch box sent (store/sync_evaluation.py: a supervisor
  scores a call on the box that took it, and the evaluation reaches the central with the box's next batch), a row
  per branch box and agent; the totals over them all.
SQLite or PostgreSQL ([central] database).
"""
from __future__ import annotations

from dataclasses import replace

from appliance.callcentre import callbacks, evaluation, received, received_agents, targets
from appliance.callcentre.kpis import ratio
from appliance.callcentre.tables import Ask, Col, Table, share
from appliance.store.central_db import connection, execute

Seen = received.Seen
REPORTS = ("queue_ranking", "agent_ranking", "callback_time", "callback_list", "call_evaluations")
EVALUATIONS_NOTE = "evaluations_central"      # where a branch box's evaluations come from
_BOX = Col("branch", "text")


def queue_ranking(ask: Ask, seen: Seen | None, box: str = "", own: bool = True,
                  goals: targets.Targets | None = None) -> Table:
    """targets.queue_ranking over this box's queues (when `own`) and the branch boxes' within `seen`."""
    goals = goals or targets.Targets()
    rows = targets.queue_rows(ask, goals, ("",)) if own else []
    if seen is not None:
        rows += [targets.judged_row([r["branch"], r["queue"]], r, targets.QUEUE_METRICS, goals.of(r["queue"]))
                 for r in received.branch_kpis(ask.book, ask.since, ask.until, seen, box)]
    rows = targets.ranked(rows, 2, targets.QUEUE_METRICS, "service_level_pct")
    return Table([Col("rank"), _BOX, Col("queue", "text")] + targets.QUEUE_COLUMNS, rows, None, keys=3,
                 chart=("bar", ("service_level_pct",)))


def agent_ranking(ask: Ask, seen: Seen | None, box: str = "", own: bool = True,
                  goals: targets.Targets | None = None) -> Table:
    """targets.agent_ranking over this box's agents (when `own`) and the branch boxes' within `seen`."""
    goals = goals or targets.Targets()
    rows = targets.agent_rows(ask, goals, ("",)) if own else []
    if seen is not None:
        calls = received_agents.branch_calls(ask.since, ask.until, seen, box, ask.book)
        for r in received_agents.agent_rows(ask.book, ask.since, ask.until, seen, box):
            _n, talk, _rna, wrap, ended = calls.get((r["branch"], r["agent"]), (0, 0, 0, 0, 0))
            values = targets.agent_values(r, ratio(talk + wrap, ended))
            rows.append(targets.judged_row([r["branch"], r["agent"]], values, targets.AGENT_METRICS,
                                           goals.of(r["agent"])))
    rows = targets.ranked(rows, 2, targets.AGENT_METRICS, "answered")
    return Table([Col("rank"), _BOX, Col("agent", "agent")] + targets.AGENT_COLUMNS, rows, None, keys=3,
                 chart=("bar", ("answered",)))


class BoxSource(callbacks.Source):
    """A branch box's lost calls and what reaches them, from what it sent (central_queue_call, central_call)."""

    def __init__(self, branch: str, seen: Seen):
        self.cond = " AND ".join(["branch = ?"] + [f"({c})" for c in seen[0]])
        self.args = [branch, *seen[1]]

    def lost(self, where: str, short: str, args: list) -> list[tuple]:
        with connection():
            return execute(
                "SELECT rid, queue, caller, entered_utc, COALESCE(end_utc, entered_utc + COALESCE(wait_s, 0)), wait_s "
                f"FROM central_queue_call WHERE {where} AND {callbacks.LOST_SQL} AND NOT (outcome = 'abandoned' AND "
                f"wait_s <= {short}) AND {self.cond} ORDER BY entered_utc, rid", [*args, *self.args])

    def queued(self, start: int, end: int) -> set[str]:
        with connection():
            return {k for k, in execute("SELECT DISTINCT call_key FROM central_queue_call WHERE entered_utc >= ? AND "
                                        f"entered_utc < ? AND {self.cond}", [start, end, *self.args])}

    def answered_calls(self, start: int, end: int):
        with connection():
            return execute("SELECT start_utc, party, number, extension, direction, call_key FROM central_call WHERE "
                           "start_utc >= ? AND start_utc < ? AND answered = 1 AND direction IN ('in', 'out') AND "
                           f"{self.cond}", [start, end, *self.args])

    def answered_queue(self, start: int, end: int):
        with connection():
            return execute("SELECT entered_utc, caller, agent FROM central_queue_call WHERE entered_utc >= ? AND "
                           f"entered_utc < ? AND outcome = 'answered' AND {self.cond}", [start, end, *self.args])


def _boxes_matched(ask: Ask, seen: Seen, box: str) -> list[tuple[str, list]]:
    """(branch box, callbacks.matched of its lost calls) of each branch box within `seen` (`box` only, when given)
    with queue calls in the period."""
    args: list = []
    where = received.branch_where(ask.since, ask.until, seen, box, args)
    with connection():
        boxes = sorted(b for b, in execute(f"SELECT DISTINCT branch FROM central_queue_call WHERE {where}", args))
    every = replace(ask, queues=None)       # the queues the user sees of this box's: `seen` says the boxes'
    return [(b, callbacks.matched(every, BoxSource(b, seen))) for b in boxes]


def callback_time(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """callbacks.report with a row per branch box and queue after this box's; the totals over them all."""
    rows: list[list] = []
    every: list[int] = []
    if own:
        mine, every = callbacks.report_rows(callbacks.matched(ask))
        rows = [[""] + r for r in mine]
    for b, found in _boxes_matched(ask, seen, box) if seen is not None else []:
        theirs, waits = callbacks.report_rows(found)
        rows += [[b] + r for r in theirs]
        every += waits
    cols = [_BOX] + callbacks.REPORT_COLUMNS
    return Table(cols, rows, callbacks.report_totals(cols, rows, every, 2), keys=2,
                 chart=("bar", ("reached", "not_reached")))


def callback_list(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """callbacks.callback_list with each branch box's list after this box's."""
    rows = [[""] + r for r in callbacks.list_rows(callbacks.matched(ask))] if own else []
    for b, found in _boxes_matched(ask, seen, box) if seen is not None else []:
        rows += [[b] + r for r in callbacks.list_rows(found)]
    return Table([_BOX] + callbacks.LIST_COLUMNS, rows, None, keys=4)


def evaluations(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """evaluation.report of this box's own evaluations (when `own`), then the branch boxes' within `seen` (of `box`
    only, when given), a row per box and agent; the totals over them all."""
    base = evaluation.report(ask)
    rows = [[""] + r for r in base.rows] if own else []
    if seen is not None:
        rows += [[b, a, n, p, m, share(p, m)]
                 for (b, a), (n, p, m) in sorted(received.branch_evaluations(ask.since, ask.until, seen, box).items())]
    points, most = sum(r[3] for r in rows), sum(r[4] for r in rows)
    totals = ["", ""] + [sum(r[2] for r in rows), points, most, ratio(points, most, 100)] if rows else None
    return Table([_BOX] + base.columns, rows, totals, keys=2, chart=base.chart, note=EVALUATIONS_NOTE)


def run(name: str, ask: Ask, seen: Seen | None, box: str = "", own: bool = True,
        goals: tuple[targets.Targets, targets.Targets] | None = None) -> Table:
    """The report `name` (one of REPORTS) over this box's and the branch boxes' data."""
    if name == "queue_ranking":
        return queue_ranking(ask, seen, box, own, goals[1] if goals else None)
    if name == "agent_ranking":
        return agent_ranking(ask, seen, box, own, goals[0] if goals else None)
    return {"callback_time": callback_time, "callback_list": callback_list,
            "call_evaluations": evaluations}[name](ask, seen, box, own)
