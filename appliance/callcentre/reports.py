"""The call-centre reports (CC-3), by name: what the web's /callcentre/reports and `callbox queue report` run.

    table = reports.run("service_level_by_hour", Ask(book, since, until, tz, queues))
    before = reports.run(name, ask.earlier())    # the previous period of the same length, or any earlier range
    reports.compare(table, before)               # the first measure's previous value and change, per row

Each report returns a tables.Table; the web and the CLI add the headings, formats, charts, CSV and PDF.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from appliance.callcentre import callbacks, evaluation, opening, report_agents, report_queues, targets
from appliance.callcentre.tables import Ask, Col, Table, share

# name -> (group, the report); the order is the index's ("queues", "agents", "callers")
REPORTS: dict[str, tuple[str, Callable[[Ask], Table] | None]] = {
    "queue_summary": ("queues", report_queues.summary),
    "service_level_by_hour": ("queues", report_queues.by_period("hour", chart=("service_level_pct",))),
    "service_level_by_day": ("queues", report_queues.by_period("day", chart=("service_level_pct",))),
    "service_level_by_week": ("queues", report_queues.by_period("week", chart=("service_level_pct",))),
    "service_level_by_weekday": ("queues", report_queues.by_period("weekday", chart=("offered", "answered"))),
    "service_level_by_month": ("queues", report_queues.by_period("month", chart=("service_level_pct",))),
    "asa_trend": ("queues", report_queues.by_period(
        "day", ("answered", "asa_s", "service_level_pct", "max_wait_s"), chart=("asa_s",))),
    "aht_trend": ("queues", report_queues.by_period("day", ("answered", "talk_s", "aht_s", "over_5min"),
                                                    chart=("aht_s",))),
    "queue_hour_heatmap": ("queues", report_queues.heatmap),
    "answered_by_wait": ("queues", report_queues.answered_by_wait),
    "lost_by_wait": ("queues", report_queues.lost_by_wait),
    "outside_opening_hours": ("queues", None),            # needs the opening hours: run() passes them
    "data_quality": ("queues", report_queues.data_quality),
    "queue_ranking": ("queues", None),                    # needs the targets: run() passes them
    "agent_performance": ("agents", report_agents.performance),
    "agent_by_queue": ("agents", report_agents.by_queue),
    "agent_sessions": ("agents", report_agents.sessions),
    "agent_pauses": ("agents", report_agents.pauses),
    "ring_no_answer": ("agents", report_agents.rung),
    "occupancy": ("agents", report_agents.occupancy),
    "after_call_work": ("agents", report_agents.after_call_work),
    "staffing_by_hour": ("agents", report_agents.staffing),
    "agent_ranking": ("agents", None),
    "call_evaluations": ("agents", evaluation.report),
    "calls_over_5_min": ("callers", report_queues.long_calls),
    "transfers": ("callers", report_queues.transfers),
    "repeat_callers": ("callers", report_queues.repeat_callers),
    "callback_time": ("callers", callbacks.report),
    "callback_list": ("callers", callbacks.callback_list),
    "caller_journeys": ("callers", report_queues.journeys),
}
GROUPS = ("queues", "agents", "callers")


class UnknownReport(KeyError):
    pass


def run(name: str, ask: Ask, hours: opening.Hours | None = None,
        goals: tuple[targets.Targets, targets.Targets] | None = None) -> Table:
    """The report `name` for `ask` (hours: the opening hours, for outside_opening_hours; goals: the agent and queue
    targets, for the rankings)."""
    if name not in REPORTS:
        raise UnknownReport(name)
    if name == "outside_opening_hours":
        return opening.outside(ask, hours or opening.Hours())
    if name == "agent_ranking":
        return targets.agent_ranking(ask, (goals or (targets.Targets(), targets.Targets()))[0])
    if name == "queue_ranking":
        return targets.queue_ranking(ask, (goals or (targets.Targets(), targets.Targets()))[1])
    fn = REPORTS[name][1]
    assert fn is not None
    return fn(ask)


# the reports whose rows are named by what recurs from one period to another (a queue, an agent, a band, an hour of the
# day): they can be compared with an earlier period. Not the lists of calls, nor days, weeks and months.
COMPARABLE = frozenset(("queue_summary", "service_level_by_hour", "service_level_by_weekday", "queue_hour_heatmap",
                        "answered_by_wait", "lost_by_wait", "outside_opening_hours", "data_quality",
                        "agent_performance", "agent_by_queue", "agent_pauses", "ring_no_answer", "occupancy",
                        "after_call_work", "staffing_by_hour", "transfers", "callback_time", "call_evaluations"))


def comparable(name: str) -> bool:
    return name in COMPARABLE


def earlier(ask: Ask, since: int | None = None, until: int | None = None) -> Ask:
    """The same ask over [since, until), by default the period of the same length just before."""
    if since is None or until is None:
        if ask.since is None or ask.until is None:
            raise ValueError("an open range has no previous period: give the earlier range")
        since, until = ask.since - (ask.until - ask.since), ask.since
    return replace(ask, since=since, until=until)


def compare(now: Table, before: Table) -> Table:
    """`now` with, after its first measure, that measure's value in `before` and the change in % (per row by its
    keys, and for the totals)."""
    k = now.keys
    measure = now.columns[k]
    i = k
    old = {tuple(r[:k]): r[i] for r in before.rows}
    cols = now.columns[:i + 1] + [Col(f"{measure.name}_before", measure.kind), Col("change_pct", "percent")] + \
        now.columns[i + 1:]

    def change(a, b):
        if a is None or b is None or b == 0:
            return None
        return share(a - b, b)
    rows = [r[:i + 1] + [old.get(tuple(r[:k])), change(r[i], old.get(tuple(r[:k])))] + r[i + 1:] for r in now.rows]
    totals = None
    if now.totals is not None:
        b = before.totals[i] if before.totals else None
        totals = now.totals[:i + 1] + [b, change(now.totals[i], b)] + now.totals[i + 1:]
    return Table(cols, rows, totals, keys=k, chart=now.chart, note=now.note)
