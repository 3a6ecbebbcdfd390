"""A central's call-centre KPIs over its branch boxes' queue calls (central_queue_call, store/sync_queue.py), with
`branch` (the branch box) as a dimension and a filter (APP-1 with CC-2).

The KPIs are kpis.py's, computed by the same SQL (kpis.sums_sql) from the received queue calls, per branch box and
queue, with the central's [callcentre] rules; on SQLite or PostgreSQL ([central] database). Which branch boxes a
user sees is decided by the caller (the reports' scope of received calls, appliance/reports/received.scope_sql:
HQ every branch, a user scoped to a branch that branch's box), handed in as SQL conditions.
"""
from __future__ import annotations

from appliance.callcentre import received_names
from appliance.callcentre.kpis import SUM_COLUMNS, RuleBook, add_sums, kpi_values, period_where, sums_sql
from appliance.store.central_db import connection, execute

Seen = tuple[list[str], list]     # conditions on the received rows (branch, tenant) and their arguments


def any_received() -> bool:
    """Has any branch box sent queue calls?"""
    with connection():
        return bool(execute("SELECT 1 FROM central_queue_call LIMIT 1"))


def branch_where(since: int | None, until: int | None, seen: Seen, box: str, args: list, queue: str | None = None,
                 extra: tuple[str, ...] = ()) -> str:
    """The WHERE conditions on central_queue_call of the queue calls entered in [since, until) (of `queue`, when
    given) that `seen` allows, of branch box `box` only when given, and `extra` conditions (no arguments); their
    arguments appended to `args`."""
    where = [period_where(since, until, queue, args), *extra] + [f"({c})" for c in seen[0]]
    args += list(seen[1])
    if box:
        where.append("branch = ?")
        args.append(box)
    return " AND ".join(where)


def branch_evaluations(since: int | None, until: int | None, seen: Seen, box: str = ""
                       ) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(branch box, agent) -> (evaluations, points, points possible) of the evaluations the branch boxes sent
    (central_call_evaluation, store/sync_evaluation.py) of the queue calls entered in [since, until) that `seen`
    allows (of `box` only, when given), as evaluation.by_agent sums a box's own."""
    args: list = []
    where = branch_where(since, until, seen, box, args).replace("seen_enter = 1", "1 = 1")
    with connection():
        return {(b, a): (int(n), int(p), int(m)) for b, a, n, p, m in execute(
            "SELECT branch, agent, COUNT(*), SUM(points), SUM(max_points) FROM central_call_evaluation "
            f"WHERE {where} GROUP BY branch, agent", args)}


def branch_sums(book: RuleBook, since: int | None, until: int | None, seen: Seen, branch: str = "",
                queue: str | None = None) -> dict[tuple[str, str], list]:
    """(branch box, queue) -> its SUM_COLUMNS over the received queue calls entered in [since, until) that `seen`
    allows (of `branch` only, when given)."""
    args: list = []
    sums = sums_sql(book, args)
    where = branch_where(since, until, seen, branch, args, queue)
    with connection():
        rows = execute(f"SELECT branch, queue, {sums} FROM central_queue_call WHERE {where} GROUP BY branch, queue",
                       args)
    out: dict[tuple[str, str], list] = {}
    for b, q, *values in rows:
        out[(b, q)] = add_sums(out.get((b, q)), values[:len(SUM_COLUMNS)])
    return out


def branch_kpis(book: RuleBook, since: int | None, until: int | None, seen: Seen, branch: str = "",
                queue: str | None = None) -> list[dict]:
    """{"branch", "queue", KPIs...} of every branch box's queue with calls entered in [since, until) that `seen`
    allows, by branch box and queue."""
    summed = branch_sums(book, since, until, seen, branch, queue)
    return [{"branch": b, "queue": q} | kpi_values(summed[(b, q)], book.of(q).wrapup_seconds)
            for b, q in sorted(summed)]


def board_rows(book: RuleBook, targets, now: int, day_start: int, seen: Seen, labels: dict[str, str]) -> list[dict]:
    """The wallboard's tiles of the branch boxes' queues within `seen` (live.board's queue rows, named "BOX · queue",
    with `branch`): today's KPIs and the calls waiting, as far as the boxes have sent them (their sync period
    behind); their agents' rows are board_agents'."""
    from appliance.callcentre import live   # late: live reads this box's queue events, this module the central's
    today = {(r["branch"], r["queue"]): r for r in branch_kpis(book, day_start, None, seen)}
    where = " AND ".join(["entered_utc >= ?", "seen_enter = 1", "outcome = ''"] + [f"({c})" for c in seen[0]])
    waiting: dict[tuple[str, str], tuple[int, int]] = {}
    with connection():
        for b, q, entered in execute(f"SELECT branch, queue, entered_utc FROM central_queue_call WHERE {where}",
                                     [now - live.WAITING_MAX_S] + list(seen[1])):
            n, first = waiting.get((b, q), (0, entered))
            waiting[(b, q)] = (n + 1, min(first, entered))
    rows = []
    for b, queue in sorted(set(today) | set(waiting)):
        k = today.get((b, queue), {})
        n, first = waiting.get((b, queue), (0, None))
        row = {"queue": f"{labels.get(b, b)} · {queue}", "branch": b, "waiting": n, "longest_since": first,
               **{f: k.get(f, 0) for f in ("offered", "answered", "abandoned", "short_abandoned")},
               **{f: k.get(f) for f in ("service_level_pct", "asa_s", "lost_pct")}}
        row["grade"] = {m: live.grade(m, row[m], targets) for m in ("service_level_pct", "asa_s", "lost_pct")}
        rows.append(row)
    return rows


def board_agents(book: RuleBook, now: int, day_start: int, seen: Seen, labels: dict[str, str]) -> list[dict]:
    """The wallboard's agents of the branch boxes within `seen`: each box's agents' states now (live.agent_states's
    rows, with "branch" and "box", its display name), from the member events and answered queue calls it sent, as far
    as it has sent them (its sync period behind): by box, then agent; each named ("name") from the box's directory
    as the box's own board names it (received_names.py), "" when no person matches (the page shows the channel)."""
    from appliance.callcentre import live   # late: live reads this box's queue events, this module the central's
    cond = " AND ".join(f"({c})" for c in seen[0]) or "1 = 1"
    since, recent = min(day_start, now - live.LOOKBACK_S), now - live.WAITING_MAX_S
    rows = []
    with connection():
        boxes = {b for b, in execute(f"SELECT DISTINCT branch FROM central_agent_event WHERE at_utc >= ? AND {cond}",
                                     [since, *seen[1]])}
        boxes |= {b for b, in execute("SELECT DISTINCT branch FROM central_queue_call WHERE entered_utc >= ? AND "
                                      f"{live.ANSWERED_SQL} AND {cond}", [recent, *seen[1]])}
        for b in sorted(boxes):
            events = execute("SELECT at_utc, queue, agent, event, params FROM central_agent_event WHERE branch = ? AND "
                             f"at_utc >= ? AND {live.MEMBER_SQL} AND {cond} ORDER BY at_utc, rid",
                             [b, since, *seen[1]])
            calls = execute(f"SELECT {live.CALL_COLUMNS} FROM central_queue_call WHERE branch = ? AND entered_utc >= ? "
                            f"AND {live.ANSWERED_SQL} AND {cond} ORDER BY entered_utc, rid", [b, recent, *seen[1]])
            states = live.agent_states(book, now, day_start, None, events, calls)
            names = received_names.member_names(b, [r["agent"] for r in states], now)
            for row in states:
                rows.append({**row, "branch": b, "box": labels.get(b, b), "name": names.get(row["agent"], "")})
    return rows
