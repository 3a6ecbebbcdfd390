"""Call-centre reports of the agents (CC-3): performance, per queue, login sessions, pauses by reason, rung and not
answered, occupancy, after-call work, and staffing by hour of the day (online/offline analysis).

The figures are agents.py's (agent_kpis: the definitions are there); sessions and pauses come from its walk of the
member events (agents.members).
"""
from __future__ import annotations

import json

from appliance.callcentre import agents, evaluation
from appliance.callcentre.kpis import SUM_COLUMNS, period_where, ratio, secs
from appliance.callcentre.report_queues import period_sums
from appliance.callcentre.tables import Ask, Col, Table, avg, bucket, share, total_row, whole_hour_zone
from appliance.store.base import db


def _bounds(ask: Ask) -> tuple[int, int]:
    """The period with its open ends closed by the stored events (as agent_kpis does)."""
    first, last = db.execute_sql("SELECT MIN(at_utc), MAX(at_utc) FROM queue_event").fetchone()
    since = ask.since if ask.since is not None else (first or 0)
    until = ask.until if ask.until is not None else (last or 0)
    return since, max(since, until)


def performance(ask: Ask) -> Table:
    """Per agent: answered, talk, rung and not answered, answer rate, logged in, paused, occupancy, and the calls
    evaluated with their score (evaluation.py)."""
    names = ("answered", "talk_s", "ring_no_answer", "answer_rate_pct", "login_s", "pause_s", "occupancy_pct")
    kinds = ("count", "seconds", "count", "percent", "seconds", "seconds", "percent")
    cols = [Col("agent", "agent")] + [Col(n, k) for n, k in zip(names, kinds)] + [Col("evaluated"),
                                                                                  Col("score_pct", "percent")]
    scores = evaluation.by_agent(ask)
    rows: list[list] = []
    for r in agents.agent_kpis(ask.book, ask.since, ask.until, queues=ask.queues):
        n, points, most = scores.get(r["agent"], (0, 0, 0))
        rows.append([r["agent"]] + [r[k] for k in names] + [n, share(points, most)])
    answered = sum(r[1] for r in rows)
    rna = sum(r[3] for r in rows)
    given = [scores[a] for a in (r[0] for r in rows) if a in scores]
    return Table(cols, rows, total_row(cols, rows, 1, answer_rate_pct=ratio(answered, answered + rna, 100),
                                       score_pct=share(sum(g[1] for g in given), sum(g[2] for g in given))),
                 chart=("bar", ("answered",)))


def by_queue(ask: Ask) -> Table:
    """Per agent and queue: answered, talk, average handling time (with the queue's wrap-up), average wait."""
    cols = [Col("agent", "agent"), Col("queue", "text"), Col("answered"), Col("talk_s", "seconds"), avg("aht_s"),
            avg("asa_s")]
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    rows, sums = [], [0, 0, 0, 0]      # answered, wrapped talk, ended, hold
    for agent, queue, n, talk, ended, hold in db.execute_sql(
            "SELECT agent, queue, COUNT(*), IFNULL(SUM(talk_s), 0), SUM(talk_s IS NOT NULL), IFNULL(SUM(wait_s), 0) "
            f"FROM queue_call WHERE {where} AND outcome = 'answered' GROUP BY agent, queue ORDER BY agent, queue",
            args):
        wrap = ask.book.of(queue).wrapup_seconds
        rows.append([agent, queue, n, secs(talk), ratio(talk + ended * wrap, ended), ratio(hold, n)])
        sums = [sums[0] + n, sums[1] + talk + ended * wrap, sums[2] + ended, sums[3] + hold]
    totals = total_row(cols, rows, 2, aht_s=ratio(sums[1], sums[2]), asa_s=ratio(sums[3], sums[0]))
    return Table(cols, rows, totals, keys=2, chart=("bar", ("answered",)))


def _members(ask: Ask) -> dict:
    return agents.members_of(*_bounds(ask), queues=ask.queues)   # as agent_kpis: only the members of these queues


def sessions(ask: Ask) -> Table:
    """Every login session in the period (clipped to it), by agent and start."""
    cols = [Col("agent", "agent"), Col("start", "time"), Col("end", "time"), Col("logged_in_s", "seconds"),
            Col("paused_s", "seconds")]
    rows = []
    for agent, m in sorted(_members(ask).items()):
        for start, end in m.sessions:
            paused = sum(max(0, min(e, end) - max(s, start)) for s, e, _ in m.pauses)
            rows.append([agent, start, end, secs(end - start), secs(paused)])
    return Table(cols, rows, total_row(cols, rows, 3), keys=3)


def pauses(ask: Ask) -> Table:
    """Per agent and reason: how many pauses and how long, and the share of the agent's logged-in time."""
    cols = [Col("agent", "agent"), Col("reason", "text"), Col("pauses"), Col("paused_s", "seconds"),
            Col("share_pct", "percent")]
    rows = [[agent] + r for agent, m in sorted(_members(ask).items()) for r in pause_rows(m)]
    return Table(cols, rows, total_row(cols, rows, 2), keys=2, chart=("bar", ("paused_s",)))


def pause_rows(m) -> list[list]:
    """One member's pauses by reason: [reason, pauses, paused_s, share_pct of the logged-in time]."""
    by: dict[str, list] = {}
    for start, end, reason in m.pauses:
        have = by.setdefault(reason, [0, 0])
        have[0] += 1
        have[1] += end - start
    return [[reason, n, secs(s), share(s, m.login_s)] for reason, (n, s) in sorted(by.items())]


def rung(ask: Ask) -> Table:
    """Per agent: how often they were rung for a queue call, answered it, let it ring out (RINGNOANSWER) or were
    cancelled (RINGCANCELED: taken by another or abandoned), and the answer rate (agents.py)."""
    cols = [Col("agent", "agent"), Col("rung"), Col("answered"), Col("ring_no_answer"), Col("ring_canceled"),
            Col("answer_rate_pct", "percent")]
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    counts: dict[str, list[int]] = {}
    for agent, outcome, rings in db.execute_sql(f"SELECT agent, outcome, rings FROM queue_call WHERE {where} "
                                                "AND (outcome = 'answered' OR rings != '[]')", args):
        if outcome == "answered" and agent:
            counts.setdefault(agent, [0, 0, 0])[0] += 1
        for member, event, *_ in json.loads(rings):
            counts.setdefault(member, [0, 0, 0])[1 if event == "RINGNOANSWER" else 2] += 1
    rows: list[list] = [[a, sum(c), c[0], c[1], c[2], ratio(c[0], c[0] + c[1], 100)] for a, c in sorted(counts.items())]
    answered, rna = sum(r[2] for r in rows), sum(r[3] for r in rows)
    return Table(cols, rows, total_row(cols, rows, 1, answer_rate_pct=ratio(answered, answered + rna, 100)),
                 chart=("bar", ("ring_no_answer",)))


def _wrapups(ask: Ask) -> dict[str, tuple[int, int]]:
    """agent -> (answered calls with an end event, their configured wrap-up seconds)."""
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    out: dict[str, tuple[int, int]] = {}
    for agent, queue, ended in db.execute_sql(
            f"SELECT agent, queue, SUM(talk_s IS NOT NULL) FROM queue_call WHERE {where} AND outcome = 'answered' "
            "GROUP BY agent, queue", args):
        n, s = out.get(agent, (0, 0))
        out[agent] = (n + ended, s + ended * ask.book.of(queue).wrapup_seconds)
    return out


def occupancy(ask: Ask) -> Table:
    """Per agent: logged in, paused, available (logged in, not paused), talk, configured wrap-up, occupancy ((talk +
    wrap-up) / available)."""
    cols = [Col("agent", "agent"), Col("login_s", "seconds"), Col("pause_s", "seconds"),
            Col("available_s", "seconds"), Col("talk_s", "seconds"), Col("wrapup_s", "seconds"),
            Col("occupancy_pct", "percent")]
    wraps = _wrapups(ask)
    rows = []
    for r in agents.agent_kpis(ask.book, ask.since, ask.until, queues=ask.queues):
        available = max(0.0, (r["login_s"] or 0) - (r["pause_s"] or 0))
        wrap = wraps.get(r["agent"], (0, 0))[1]
        rows.append([r["agent"], r["login_s"], r["pause_s"], secs(available), r["talk_s"], secs(wrap),
                     r["occupancy_pct"]])
    busy = sum((r[4] or 0) + r[5] for r in rows)
    return Table(cols, rows, total_row(cols, rows, 1, occupancy_pct=ratio(busy, sum(r[3] for r in rows), 100)),
                 chart=("bar", ("occupancy_pct",)))


def after_call_work(ask: Ask) -> Table:
    """Per agent: the calls that ended, the configured wrap-up after them ([callcentre] wrapup_seconds), the time
    paused with an after-call-work reason ([callcentre] wrapup_pause_reasons), and both per call."""
    cols = [Col("agent", "agent"), Col("ended"), Col("wrapup_s", "seconds"), Col("acw_pause_s", "seconds"),
            avg("acw_per_call_s")]
    wraps = _wrapups(ask)
    reasons = {r.casefold() for r in ask.wrapup_reasons}
    paused: dict[str, int] = {}
    if reasons:
        for agent, m in _members(ask).items():
            paused[agent] = sum(e - s for s, e, why in m.pauses if why.casefold() in reasons)
    rows: list[list] = []
    for agent in sorted(set(wraps) | {a for a, s in paused.items() if s}):
        n, wrap = wraps.get(agent, (0, 0))
        rows.append([agent, n, secs(wrap), secs(paused.get(agent, 0)), ratio(wrap + paused.get(agent, 0), n)])
    ended = sum(r[1] for r in rows)
    return Table(cols, rows, total_row(cols, rows, 1, acw_per_call_s=ratio(sum(r[2] + r[3] for r in rows), ended)),
                 chart=("bar", ("acw_per_call_s",)))


STAFFING_COLUMNS = [Col("hour", "hour"), Col("days"), Col("agents_logged_in", "number"),
                    Col("agents_paused", "number"), Col("offered"), Col("answered"), Col("offered_per_agent", "number")]


def staffing(ask: Ask) -> Table:
    """Online/offline analysis by local hour of the day: agents logged in and paused on average over the period's
    days, calls offered and answered, and calls offered per available agent."""
    since, until = _bounds(ask)
    rows = staffing_rows(ask, since, until, _members(ask), period_sums(ask, "hour"))
    return Table(STAFFING_COLUMNS, rows, None, chart=("line", ("agents_logged_in", "offered")))


def staffing_rows(ask: Ask, since: int, until: int, members: dict, calls: dict) -> list[list]:
    """staffing's rows over [since, until) from the agents' sessions and pauses (`members`: agents._Member) and the
    queue calls' sums by local hour of the day (`calls`: hour -> SUM_COLUMNS...)."""
    step = 3600 if whole_hour_zone(ask.tz, since, until) else 900
    logged: dict[str, float] = {}
    paused: dict[str, float] = {}
    days: dict[str, set] = {}

    def spread(start: int, end: int, into: dict[str, float]) -> None:
        t = start
        while t < end:
            nxt = min(end, (t // step + 1) * step)
            hour = f"{_hour(t, ask)}"
            into[hour] = into.get(hour, 0) + (nxt - t) / 3600
            t = nxt
    t = since - since % step
    while t < until:           # the local days each hour of the day occurs on in the period
        days.setdefault(_hour(t, ask), set()).add(_day(t, ask))
        t += step
    for m in members.values():
        for s, e in m.sessions:
            spread(s, e, logged)
        for s, e, _ in m.pauses:
            spread(s, e, paused)
    o, a = SUM_COLUMNS.index("offered"), SUM_COLUMNS.index("answered")
    rows = []
    for hour in sorted(set(logged) | set(calls), key=int):
        n = len(days.get(hour, ())) or 1
        on, off = logged.get(hour, 0) / n, paused.get(hour, 0) / n
        offered = calls[hour][o] if hour in calls else 0
        rows.append([hour, n, secs(on), secs(off), offered, calls[hour][a] if hour in calls else 0,
                     ratio(offered / n, on - off) if on > off else None])
    return rows


def _hour(t: int, ask: Ask) -> str:
    return bucket(t, ask.tz, "hour")


def _day(t: int, ask: Ask) -> str:
    return bucket(t, ask.tz, "day")
