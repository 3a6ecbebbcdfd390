"""Call-centre reports on a central that cover its branch boxes (issue 18 with CC-3): the queue summary, the KPIs
by local period (service level by hour, day, week, weekday, month; ASA and AHT trends), the queue x hour heat map,
the answered and the lost by wait band, staffing by hour and the agents' performance, over this box's queue calls
and those its branch boxes sent (central_queue_call), the branch box the first column ("" = this box's own) and a
filter (`box`: that branch box's only).

A branch box's figures are its own report's, from the same KPI SQL (kpis.sums_sql, through received.branch_sums),
with the central's [callcentre] rules; the agents' reports (performance, sessions, pauses, occupancy) are
received_agents.py's, from the queue calls and member events the boxes sent; the queue calls' lists and the
opening hours are received_lists.py's, the rankings, callbacks and evaluations received_ranks.py's: every report of
reports.REPORTS (tests/sync/test_central_callcentre.py checks it). Which branch boxes a user sees is the
caller's (the received calls' scope: HQ every box, a user scoped to a branch that branch's box), handed in as SQL
conditions. SQLite or PostgreSQL ([central] database).
"""
from __future__ import annotations

from appliance.callcentre import opening, received, received_agents, received_lists, received_ranks, report_agents, \
    report_queues, reports, targets
from appliance.callcentre.kpis import OPEN, SUM_COLUMNS, add_sums, kpi_values, sums_sql
from appliance.callcentre.tables import Ask, Col, Table, band_sql, bucket, total_row, whole_hour_zone
from appliance.store.central_db import connection, execute

# the reports that cover the branch boxes: the summary, the KPIs by local period, the agents' performance
PERIODS = {"service_level_by_hour": "hour", "service_level_by_day": "day", "service_level_by_week": "week",
           "service_level_by_weekday": "weekday", "service_level_by_month": "month", "asa_trend": "day",
           "aht_trend": "day"}
BANDS = {"answered_by_wait": ("answered",), "lost_by_wait": report_queues.LOST}
REPORTS = ("queue_summary", "queue_hour_heatmap", "staffing_by_hour") + tuple(PERIODS) + tuple(BANDS) + \
    received_agents.REPORTS + received_lists.REPORTS + received_ranks.REPORTS
Seen = received.Seen


def _wrapped(ask: Ask, queue: str, values: list) -> list:
    talk, ended = values[SUM_COLUMNS.index("talk_s")], values[SUM_COLUMNS.index("ended")]
    return [*values, talk + ended * ask.book.of(queue).wrapup_seconds]


def summary(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_queues.summary with a row per branch box and queue: this box's queues (when `own`), then those of
    the branch boxes within `seen` (of `box` only, when given); the totals over them all."""
    cols = [Col("branch", "text"), Col("queue", "text")] + [report_queues._col(k) for k in report_queues._KPI_KINDS]
    sums: dict[tuple[str, str], list] = {}
    if own:
        sums.update({("", q): v for q, v in report_queues._all_sums(ask).items()})
    if seen is not None:
        for (b, q), v in received.branch_sums(ask.book, ask.since, ask.until, seen, box).items():
            sums[(b, q)] = _wrapped(ask, q, v)
    rows = [[b, q] + list(kpi_values(v, wrapped=v[-1]).values()) for (b, q), v in sorted(sums.items())]
    total = None
    for v in sums.values():
        total = add_sums(total, list(v))
    totals = ["", ""] + list(kpi_values(total, wrapped=total[-1]).values()) if total else None
    return Table(cols, rows, totals, keys=2, chart=("bar", ("offered", "answered")))


def _branch_periods(ask: Ask, seen: Seen, box: str, by: str, with_queue: bool = False) -> dict[tuple, list]:
    """(branch box, local `by` period) -> SUM_COLUMNS + wrapped talk of the branch boxes' queue calls, per step of
    the queue calls' entry as report_queues.period_sums reads this box's (15 minutes in a zone not on the hour);
    `with_queue`: (branch box, queue, period)."""
    step = 3600 if whole_hour_zone(ask.tz, ask.since, ask.until) else 900
    args: list = []
    sums = sums_sql(ask.book, args)
    where = received.branch_where(ask.since, ask.until, seen, box, args)
    with connection():
        rows = execute(f"SELECT branch, queue, entered_utc / {step}, {sums} FROM central_queue_call WHERE "
                       f"{where} GROUP BY branch, queue, entered_utc / {step}", args)
    out: dict[tuple, list] = {}
    for b, q, n, *values in rows:
        key = (b, q, bucket(int(n) * step, ask.tz, by)) if with_queue else (b, bucket(int(n) * step, ask.tz, by))
        out[key] = add_sums(out.get(key), _wrapped(ask, q, list(values[:len(SUM_COLUMNS)])))
    return out


def by_period(name: str, ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_queues.by_period's report `name` with a row per branch box and local period: this box's periods
    (when `own`), then the branch boxes'; the totals over them all."""
    by = PERIODS[name]
    base = reports.run(name, ask)      # this box's: its columns and chart
    measures = [c.name for c in base.columns[1:]]
    sums: dict[tuple[str, str], list] = {}
    if own:
        sums.update({("", p): v for p, v in report_queues.period_sums(ask, by).items()})
    if seen is not None:
        sums.update(_branch_periods(ask, seen, box, by))

    def order(key: tuple[str, str]):
        return key[0], int(key[1]) if by in ("hour", "weekday") else key[1]
    rows, total = [], None
    for key in sorted(sums, key=order):
        row = report_queues._kpi_row(sums[key])
        rows.append(list(key) + [row[m] for m in measures])
        total = add_sums(total, list(sums[key]))
    totals = ["", ""] + [report_queues._kpi_row(total)[m] for m in measures] if total is not None else None
    return Table([Col("branch", "text")] + base.columns, rows, totals, keys=2, chart=base.chart)


def heatmap(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_queues.heatmap with a row per branch box and queue: offered calls per local hour of the day."""
    base = report_queues.heatmap(ask)
    rows = [[""] + r for r in base.rows] if own else []
    if seen is not None:
        offered = SUM_COLUMNS.index("offered")
        sums = _branch_periods(ask, seen, box, "hour", with_queue=True)
        for b, q in sorted({k[:2] for k in sums}):
            cells = [sums[(b, q, f"{h:02d}")][offered] if (b, q, f"{h:02d}") in sums else 0 for h in range(24)]
            rows.append([b, q, *cells, sum(cells)])
    cols = [Col("branch", "text")] + base.columns
    return Table(cols, rows, total_row(cols, rows, 2) if rows else None, keys=2, note=base.note)


def by_wait(name: str, ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """answered_by_wait or lost_by_wait with each branch box's bands after this box's (each box's shares of its own
    calls, as its own report gives them); the totals' counts over them all."""
    make = report_queues.answered_by_wait if name == "answered_by_wait" else report_queues.lost_by_wait
    base = make(ask)
    rows = [[""] + r for r in base.rows] if own and any(r[1] for r in base.rows) else []
    if seen is not None:
        outcomes = BANDS[name]
        args: list = []
        where = received.branch_where(ask.since, ask.until, seen, box, args, extra=(OPEN,))
        found: dict[str, dict[int, dict[str, int]]] = {}
        with connection():
            for b, band, outcome, n in execute(
                    f"SELECT branch, {band_sql('wait_s')}, outcome, COUNT(*) FROM central_queue_call WHERE "
                    f"{where} AND outcome IN ({', '.join('?' * len(outcomes))}) AND wait_s IS NOT NULL "
                    f"GROUP BY branch, {band_sql('wait_s')}, outcome", [*args, *outcomes]):
                found.setdefault(b, {}).setdefault(int(band), {})[outcome] = n
        for b in sorted(found):
            rows += [[b] + r for r in make(ask, found[b]).rows]
    cols = [Col("branch", "text")] + base.columns
    counts = [i for i, c in enumerate(cols) if c.kind == "count"]
    totals = ["", ""] + [sum(r[i] for r in rows) if i in counts else None for i in range(2, len(cols))]
    return Table(cols, rows, totals if rows else None, keys=2, chart=base.chart)


def staffing(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_agents.staffing with each branch box's hours of the day after this box's: its agents logged in and
    paused (from the member events it sent) and its calls offered and answered, over the period (an open end: the
    box's first or last member event)."""
    base = report_agents.staffing(ask)
    rows = [[""] + r for r in base.rows] if own else []
    if seen is not None:
        members = received_agents.branch_members(ask.since, ask.until, seen, box)
        calls = _branch_periods(ask, seen, box, "hour")
        for b in sorted({k[0] for k in members} | {k[0] for k in calls}):
            with connection():
                first, last = execute("SELECT MIN(at_utc), MAX(at_utc) FROM central_agent_event WHERE branch = ?",
                                      [b])[0]
            since = ask.since if ask.since is not None else int(first or 0)
            until = max(since, ask.until if ask.until is not None else int(last or 0))
            mine = {a: m for (bb, a), m in members.items() if bb == b}
            rows += [[b] + r for r in report_agents.staffing_rows(
                ask, since, until, mine, {h: v for (bb, h), v in calls.items() if bb == b})]
    return Table([Col("branch", "text")] + base.columns, rows, None, keys=2, chart=base.chart)


def run(name: str, ask: Ask, seen: Seen | None, box: str = "", own: bool = True,
        hours: opening.Hours | None = None,
        goals: tuple[targets.Targets, targets.Targets] | None = None) -> Table:
    """The report `name` (one of REPORTS) over this box's and the branch boxes' data (hours: this box's opening
    hours; goals: the agent and queue targets, as reports.run's)."""
    if name in PERIODS:
        return by_period(name, ask, seen, box, own)
    if name in BANDS:
        return by_wait(name, ask, seen, box, own)
    if name in received_agents.REPORTS:
        return received_agents.run(name, ask, seen, box, own)
    if name in received_lists.REPORTS:
        return received_lists.run(name, ask, seen, box, own, hours)
    if name in received_ranks.REPORTS:
        return received_ranks.run(name, ask, seen, box, own, goals)
    return {"queue_summary": summary, "queue_hour_heatmap": heatmap, "staffing_by_hour": staffing}[name](
        ask, seen, box, own)
