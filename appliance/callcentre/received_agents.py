"""The agents' reports on a central over its branch boxes (issue 18 with CC-3): performance, login sessions, pauses
by reason and occupancy, a row per branch box and agent after this box's own rows ("" = this box).

A branch box's answered, talk and rung-not-answered come from the queue calls it sent (central_queue_call), its
logins, logoffs and pauses from the member events it sent (central_agent_event, store/sync_agent.py), walked by the
same code as the box's own (agents.walk), with the central's [callcentre] rules (wrap-up). Which boxes a user sees is
the caller's (`seen`: SQL conditions on branch and tenant, as received.branch_where); `box` narrows to one. Not sent:
the evaluations (the central's own only). SQLite or PostgreSQL ([central] database).
"""
from __future__ import annotations

import json

from appliance.callcentre import agents, evaluation, received, report_agents
from appliance.callcentre.kpis import period_where, ratio, secs
from appliance.callcentre.tables import Ask, Col, Table, share, total_row
from appliance.store import directory as sd
from appliance.store.base import db
from appliance.store.central_db import connection, execute
from appliance.store.sync import boxes_of_unit

Seen = received.Seen
REPORTS = ("agent_performance", "agent_sessions", "agent_pauses", "occupancy", "agent_by_queue", "ring_no_answer",
           "after_call_work")
_ENDED = "SUM(CASE WHEN talk_s IS NOT NULL THEN 1 ELSE 0 END)"


def branch_calls(since: int | None, until: int | None, seen: Seen, box: str, book
                 ) -> dict[tuple[str, str], list]:
    """(branch box, agent) -> [answered, talk, rung not answered, wrap-up seconds, answered calls with an end event]
    of the boxes' queue calls entered in [since, until)."""
    args: list = []
    cond = received.branch_where(since, until, seen, box, args)
    out: dict[tuple[str, str], list] = {}
    with connection():
        for b, agent, q, n, talk, ended in execute(
                f"SELECT branch, agent, queue, COUNT(*), SUM(COALESCE(talk_s, 0)), {_ENDED} FROM central_queue_call "
                f"WHERE {cond} AND outcome = 'answered' GROUP BY branch, agent, queue", args):
            have = out.setdefault((b, agent), [0, 0, 0, 0, 0])
            have[0] += n
            have[1] += talk or 0
            have[3] += (ended or 0) * book.of(q).wrapup_seconds
            have[4] += ended or 0
        for b, rings in execute(f"SELECT branch, rings FROM central_queue_call WHERE {cond} AND rna > 0", args):
            for agent, event, *_ in json.loads(rings or "[]"):
                if event == "RINGNOANSWER":
                    out.setdefault((b, agent), [0, 0, 0, 0, 0])[2] += 1
    return out


def branch_members(since: int | None, until: int | None, seen: Seen, box: str = "") -> dict[tuple[str, str], object]:
    """(branch box, agent) -> its login sessions and pauses inside [since, until) (agents._Member), from each box's
    member events before `until` (None: up to each box's last event sent)."""
    cond = [f"({c})" for c in seen[0]]
    args: list = list(seen[1])
    if box:
        cond.append("branch = ?")
        args.append(box)
    where = " AND ".join(cond) or "1 = 1"
    out: dict[tuple[str, str], object] = {}
    with connection():
        lasts = dict(execute(f"SELECT branch, MAX(at_utc) FROM central_agent_event WHERE {where} GROUP BY branch",
                             args))
        for b in sorted(lasts):
            end = until if until is not None else int(lasts[b] or 0)
            start = 0 if since is None else since
            rows = execute("SELECT at_utc, queue, agent, event, params FROM central_agent_event "
                           "WHERE branch = ? AND at_utc < ? ORDER BY at_utc, rid", [b, end])
            for agent, m in agents.walk(rows, start, max(start, end)).items():
                out[(b, agent)] = m
    return out


def agent_rows(book, since: int | None, until: int | None, seen: Seen, box: str = "") -> list[dict]:
    """agents.agent_kpis's rows of the branch boxes' agents, each with its "branch"."""
    calls = branch_calls(since, until, seen, box, book)
    found = branch_members(since, until, seen, box)
    rows = []
    for b, agent in sorted(set(calls) | set(found)):
        answered, talk, rna, wrap, _ended = calls.get((b, agent), (0, 0, 0, 0, 0))
        m = found.get((b, agent))
        login, pauses = (m.login_s, m.pause) if m is not None else (0, {})    # type: ignore[attr-defined]
        pause = sum(pauses.values())
        rows.append({"branch": b, "agent": agent, "answered": answered, "talk_s": secs(talk), "ring_no_answer": rna,
                     "answer_rate_pct": ratio(answered, answered + rna, 100), "login_s": secs(login),
                     "pause_s": secs(pause), "wrapup_s": wrap,
                     "occupancy_pct": ratio(talk + wrap, login - pause if login > pause else 0, 100),
                     "pause_by_reason": {k: secs(v) for k, v in sorted(pauses.items()) if v}})
    return rows


def performance(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_agents.performance with a row per branch box and agent: this box's agents (when `own`), then the
    branch boxes' (their evaluations those the boxes sent); the score over them all."""
    base = report_agents.performance(ask) if own else None
    names = ("answered", "talk_s", "ring_no_answer", "answer_rate_pct", "login_s", "pause_s", "occupancy_pct")
    kinds = ("count", "seconds", "count", "percent", "seconds", "seconds", "percent")
    cols = [Col("branch", "text"), Col("agent", "agent")] + [Col(n, k) for n, k in zip(names, kinds)] + [
        Col("evaluated"), Col("score_pct", "percent")]
    rows: list[list] = [[""] + r for r in base.rows] if base else []
    own_scores = evaluation.by_agent(ask) if base else {}
    given = [own_scores[r[1]] for r in rows if r[1] in own_scores]
    if seen is not None:
        scores = received.branch_evaluations(ask.since, ask.until, seen, box)
        for r in agent_rows(ask.book, ask.since, ask.until, seen, box):
            scored, points, most = scores.get((r["branch"], r["agent"]), (0, 0, 0))
            if scored:
                given.append((scored, points, most))
            rows.append([r["branch"], r["agent"]] + [r[k] for k in names] + [scored, share(points, most)])
    answered, rna = sum(r[2] for r in rows), sum(r[4] for r in rows)
    totals = total_row(cols, rows, 2, answer_rate_pct=ratio(answered, answered + rna, 100),
                       score_pct=share(sum(g[1] for g in given), sum(g[2] for g in given)))
    return Table(cols, rows, totals, keys=2, chart=("bar", ("answered",)))


def _boxes_members(ask: Ask, seen: Seen | None, box: str) -> dict:
    return branch_members(ask.since, ask.until, seen, box) if seen is not None else {}


def sessions(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_agents.sessions with the branch boxes' sessions after this box's."""
    base = report_agents.sessions(ask)
    rows = [[""] + r for r in base.rows] if own else []
    for (b, agent), m in sorted(_boxes_members(ask, seen, box).items()):
        for start, end in m.sessions:
            paused = sum(max(0, min(e, end) - max(s, start)) for s, e, _ in m.pauses)
            rows.append([b, agent, start, end, secs(end - start), secs(paused)])
    cols = [Col("branch", "text")] + base.columns
    return Table(cols, rows, total_row(cols, rows, 4), keys=4)


def pauses(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_agents.pauses with the branch boxes' agents and reasons after this box's."""
    base = report_agents.pauses(ask)
    rows = [[""] + r for r in base.rows] if own else []
    for (b, agent), m in sorted(_boxes_members(ask, seen, box).items()):
        rows.extend([b, agent] + r for r in report_agents.pause_rows(m))
    cols = [Col("branch", "text")] + base.columns
    return Table(cols, rows, total_row(cols, rows, 3), keys=3, chart=base.chart)


def occupancy(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_agents.occupancy with the branch boxes' agents after this box's."""
    base = report_agents.occupancy(ask)
    rows = [[""] + r for r in base.rows] if own else []
    if seen is not None:
        for r in agent_rows(ask.book, ask.since, ask.until, seen, box):
            available = max(0.0, (r["login_s"] or 0) - (r["pause_s"] or 0))
            rows.append([r["branch"], r["agent"], r["login_s"], r["pause_s"], secs(available), r["talk_s"],
                         secs(r["wrapup_s"]), r["occupancy_pct"]])
    busy = sum((r[5] or 0) + r[6] for r in rows)
    cols = [Col("branch", "text")] + base.columns
    return Table(cols, rows, total_row(cols, rows, 2, occupancy_pct=ratio(busy, sum(r[4] for r in rows), 100)),
                 chart=base.chart)


def by_queue(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_agents.by_queue with the branch boxes' agents and queues after this box's."""
    base = report_agents.by_queue(ask)
    rows = [[""] + r for r in base.rows] if own else []
    sums = [0, 0, 0, 0]      # answered, wrapped talk, ended, hold: this box's then the boxes'
    if own:
        args0: list = []
        for queue, n, talk, ended, hold in db.execute_sql(
                "SELECT queue, COUNT(*), IFNULL(SUM(talk_s), 0), SUM(talk_s IS NOT NULL), IFNULL(SUM(wait_s), 0) "
                f"FROM queue_call WHERE {period_where(ask.since, ask.until, None, args0, queues=ask.queues)} "
                "AND outcome = 'answered' GROUP BY queue", args0):
            wrap = ask.book.of(queue).wrapup_seconds
            sums = [sums[0] + n, sums[1] + talk + ended * wrap, sums[2] + ended, sums[3] + hold]
    if seen is not None:
        args: list = []
        cond = received.branch_where(ask.since, ask.until, seen, box, args)
        with connection():
            found = execute("SELECT branch, agent, queue, COUNT(*), SUM(COALESCE(talk_s, 0)), "
                            f"{_ENDED}, SUM(COALESCE(wait_s, 0)) FROM central_queue_call WHERE {cond} "
                            "AND outcome = 'answered' GROUP BY branch, agent, queue", args)
        for b, agent, queue, n, talk, ended, hold in sorted(found):
            wrap = ask.book.of(queue).wrapup_seconds
            rows.append([b, agent, queue, n, secs(talk), ratio(talk + ended * wrap, ended), ratio(hold, n)])
            sums = [sums[0] + n, sums[1] + talk + ended * wrap, sums[2] + ended, sums[3] + hold]
    cols = [Col("branch", "text")] + base.columns
    return Table(cols, rows, total_row(cols, rows, 3, aht_s=ratio(sums[1], sums[2]), asa_s=ratio(sums[3], sums[0])),
                 keys=3, chart=base.chart)


def rung(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_agents.rung with the branch boxes' agents after this box's."""
    base = report_agents.rung(ask)
    rows = [[""] + r for r in base.rows] if own else []
    if seen is not None:
        args: list = []
        cond = received.branch_where(ask.since, ask.until, seen, box, args)
        counts: dict[tuple[str, str], list[int]] = {}
        with connection():
            found = execute(f"SELECT branch, agent, outcome, rings FROM central_queue_call WHERE {cond} "
                            "AND (outcome = 'answered' OR rings != '[]')", args)
        for b, agent, outcome, rings in found:
            if outcome == "answered" and agent:
                counts.setdefault((b, agent), [0, 0, 0])[0] += 1
            for member, event, *_ in json.loads(rings or "[]"):
                counts.setdefault((b, member), [0, 0, 0])[1 if event == "RINGNOANSWER" else 2] += 1
        rows += [[b, a, sum(c), c[0], c[1], c[2], ratio(c[0], c[0] + c[1], 100)]
                 for (b, a), c in sorted(counts.items())]
    answered, rna = sum(r[3] for r in rows), sum(r[4] for r in rows)
    cols = [Col("branch", "text")] + base.columns
    return Table(cols, rows, total_row(cols, rows, 2, answer_rate_pct=ratio(answered, answered + rna, 100)),
                 chart=base.chart)


def after_call_work(ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """report_agents.after_call_work with the branch boxes' agents after this box's (their pauses by the central's
    [callcentre] wrapup_pause_reasons)."""
    base = report_agents.after_call_work(ask)
    rows = [[""] + r for r in base.rows] if own else []
    if seen is not None:
        calls = branch_calls(ask.since, ask.until, seen, box, ask.book)
        reasons = {r.casefold() for r in ask.wrapup_reasons}
        paused: dict[tuple[str, str], int] = {}
        if reasons:
            for key, m in branch_members(ask.since, ask.until, seen, box).items():
                paused[key] = sum(e - s for s, e, why in m.pauses if why.casefold() in reasons)   # type: ignore
        for key in sorted({k for k, c in calls.items() if c[0]} | {k for k, s in paused.items() if s}):
            _n, _t, _r, wrap, ended = calls.get(key, (0, 0, 0, 0, 0))
            acw = paused.get(key, 0)
            rows.append([key[0], key[1], ended, secs(wrap), secs(acw), ratio(wrap + acw, ended)])
    ended = sum(r[2] for r in rows)
    cols = [Col("branch", "text")] + base.columns
    return Table(cols, rows, total_row(cols, rows, 2, acw_per_call_s=ratio(sum(r[3] + r[4] for r in rows), ended)),
                 chart=base.chart)


def run(name: str, ask: Ask, seen: Seen | None, box: str = "", own: bool = True) -> Table:
    """The agents' report `name` (one of REPORTS) over this box's and the branch boxes' agents."""
    return {"agent_performance": performance, "agent_sessions": sessions, "agent_pauses": pauses,
            "occupancy": occupancy, "agent_by_queue": by_queue, "ring_no_answer": rung,
            "after_call_work": after_call_work}[name](ask, seen, box, own)


def person_boxes(user) -> tuple[str, ...]:
    """The branch boxes where the user's directory person works now (those linked to their current branch, or
    written as it is named): where their own agent figures are on a central (/callcentre/agent)."""
    if user is None or not user.person or not user.tenant:
        return ()
    tid = sd.tenant_id(user.tenant)
    person = (sd.Person.get_or_none(sd.Person.tenant_id == tid, sd.Person.external_id == user.person)
              if tid is not None else None)
    placed = sd.open_placement(tid, person.id) if person is not None and tid is not None else None
    if placed is None or placed.branch_id is None:
        return ()
    unit = sd.Branch.get_or_none(sd.Branch.id == placed.branch_id)
    return boxes_of_unit(placed.branch_id, unit.name if unit is not None else "")


def own_figures(book, since: int | None, until: int | None, boxes: tuple[str, ...], extensions: frozenset[str],
                limit: int = 50) -> tuple[list[dict], list[dict]]:
    """An agent's own figures in `boxes` (agent_rows of the members whose interface names one of `extensions`) and
    the last `limit` queue calls they answered there, newest first, each with its "branch"."""
    if not boxes or not extensions:
        return [], []
    seen: Seen = ([f"branch IN ({', '.join('?' * len(boxes))})"], list(boxes))
    rows = [r for r in agent_rows(book, since, until, seen) if agents.extension_of(r["agent"]) in extensions]
    pairs = sorted({(r["branch"], r["agent"]) for r in rows})
    if not pairs:
        return rows, []
    args: list = []
    where = received.branch_where(since, until, seen, "", args)
    mine = " OR ".join(["(branch = ? AND agent = ?)"] * len(pairs))
    names = ("branch", "entered_utc", "queue", "caller", "agent", "wait_s", "talk_s", "end_event", "transfer_to")
    with connection():
        calls = execute(f"SELECT {', '.join(names)} FROM central_queue_call WHERE {where} AND outcome = 'answered' "
                        f"AND ({mine}) ORDER BY entered_utc DESC LIMIT ?",
                        [*args, *(x for p in pairs for x in p), limit])
    return rows, [dict(zip(names, c)) for c in calls]
