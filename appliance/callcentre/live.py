"""The wallboard's picture of now (CC-1): per queue the calls waiting and the longest wait, today's KPIs against the
targets, and every agent's state with the time it began.

Computed from what the worker has stored (queue_call, queue_event): the board is as live as the capture and the
worker are (a line reaches the database within the worker's poll, 200 ms by default). The page shows the time in
each state itself, from the `since` times here, so the board is computed again only when the data changes.

What queue_log cannot say is not guessed: a member rung now is logged only when the ring ends (RINGNOANSWER), so
"ringing" needs the live AMI events (issue 16); a static member (queues.conf, no ADDMEMBER/AGENTLOGIN) is shown while
it took a call in the last WAITING_MAX_S, as ready when not talking. A call still unterminated WAITING_MAX_S after it
entered is no longer "waiting" (its end was never logged: the data-quality line counts it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from appliance.callcentre import agents, kpis
from appliance.store.base import db

WAITING_MAX_S = 4 * 3600      # beyond this a call without an end is not waiting but unterminated
LOOKBACK_S = 24 * 3600        # member events before today that still say who is logged in or paused
CLOCK_SLACK_S = 60            # a queue event this far after now: the PBX clock is ahead (shown on the board)
STATES = ("talking", "wrapup", "paused", "ready", "logged_out")


@dataclass(frozen=True)
class Targets:
    """What the board's colours compare with ([callcentre] target_*, wait_warn_s)."""
    service_level_pct: float = 80.0
    asa_s: float = 20.0
    lost_pct: float = 5.0
    wait_warn_s: int = 60


def targets(cfg) -> Targets:
    s = cfg.section("callcentre")
    return Targets(s.target_service_level_pct, s.target_asa_s, s.target_lost_pct, s.wait_warn_s)


def grade(metric: str, value: float | None, t: Targets) -> str:
    """"ok" (meets the target), "warn" (near it) or "bad"; "" when there is no value to grade.

    Near: service level at most 10 points under its target; ASA and the longest wait up to 1.5 times theirs; lost %
    up to twice its target."""
    if value is None:
        return ""
    if metric == "service_level_pct":
        return "ok" if value >= t.service_level_pct else "warn" if value >= t.service_level_pct - 10 else "bad"
    limit = {"asa_s": t.asa_s, "lost_pct": t.lost_pct, "wait_s": t.wait_warn_s}[metric]
    near = 2.0 if metric == "lost_pct" else 1.5
    return "ok" if value <= limit else "warn" if value <= limit * near else "bad"


@dataclass
class _Agent:
    logged: dict                  # what it is logged in by (agent, or a queue) -> since
    paused: dict                  # "*" or a queue -> since
    reason: str = ""
    state_since: int = 0          # when it last logged in, off, or unpaused
    logged_off: bool = False


MEMBER_SQL = f"agent != '' AND event IN ({', '.join(repr(e) for e in agents.MEMBER_EVENTS)})"


def _walk(events, queues: frozenset[str] | None) -> dict[str, _Agent]:
    """Each member's login and pause state from its `events` (at_utc, queue, agent, event, params), in time order."""
    found: dict[str, _Agent] = {}
    for at, queue, agent, event, params in events:
        if queues is not None and queue and queue not in queues:
            continue              # another queue's membership or pause ("": the agent's, every queue's)
        a = found.get(agent)
        if a is None:
            a = found[agent] = _Agent({}, {}, state_since=at)
        if event in agents.LOGINS:
            if not a.logged:
                a.state_since, a.logged_off = at, False
            a.logged.setdefault(agents.LOGINS[event] or queue, at)
        elif event in agents.LOGOFFS:
            a.logged.pop(agents.LOGOFFS[event] or queue, None)
            if not a.logged:
                a.paused.clear()
                a.state_since, a.logged_off = at, True
        elif event in agents.PAUSES:
            if not a.paused:
                a.reason = (json.loads(params) or [""])[0]
            a.paused.setdefault("*" if event == "PAUSEALL" or not queue else queue, at)
        elif event in agents.UNPAUSES and a.paused:
            what = "*" if event == "UNPAUSEALL" or not queue else queue
            a.paused = {} if event == "UNPAUSEALL" else {k: v for k, v in a.paused.items() if k != what}
            if not a.paused:
                a.state_since = at
    return found


def _agents(book: kpis.RuleBook, now: int, day_start: int, queues: frozenset[str] | None) -> list[dict]:
    events = db.execute_sql(f"SELECT at_utc, queue, agent, event, params FROM queue_event WHERE at_utc >= ? AND "
                            f"{MEMBER_SQL} ORDER BY at_utc, id", (min(day_start, now - LOOKBACK_S),))
    calls = db.execute_sql(     # the last hours' calls, not the day's: a busy centre's day costs 0.1 s a board
        f"SELECT {CALL_COLUMNS} FROM queue_call WHERE entered_utc >= ? AND {ANSWERED_SQL} ORDER BY entered_utc",
        (now - WAITING_MAX_S,))
    return agent_states(book, now, day_start, queues, events, calls)


CALL_COLUMNS = "agent, queue, entered_utc, wait_s, end_utc, end_event"
ANSWERED_SQL = "seen_enter = 1 AND outcome = 'answered' AND agent != ''"


def agent_states(book: kpis.RuleBook, now: int, day_start: int, queues: frozenset[str] | None, events,
                 calls) -> list[dict]:
    """Each agent's state now ({"agent", "state", "since", "reason"}) from its member `events` since LOOKBACK_S
    before now (or the day's start), in time order (at_utc, queue, agent, event, params), and the answered queue
    `calls` entered in the last WAITING_MAX_S, oldest first (CALL_COLUMNS): this box's, or on a central a branch
    box's as it sent them."""
    walked = _walk(events, queues)
    talking: dict[str, tuple[int, str]] = {}     # agent -> (connected at, queue)
    done: dict[str, tuple[int, str]] = {}        # agent -> (last end, queue)
    recent: set[str] = set()
    for agent, queue, entered, wait, end, end_event in calls:
        if queues is not None and queue not in queues:
            continue
        recent.add(agent)
        connected = entered + (wait or 0)
        if not end_event:
            talking[agent] = (connected, queue)
            continue
        if talking.get(agent, (connected + 1, ""))[0] <= connected:
            del talking[agent]            # it answered a later call: the end of that one was never logged
        if end is not None and end >= done.get(agent, (0, ""))[0]:
            done[agent] = (end, queue)
    rows = []
    for name in sorted(set(walked) | recent):
        a = walked.get(name)
        if a is not None and a.logged_off and name not in recent and a.state_since < day_start:
            continue           # logged off before today and no recent call: not on today's board
        last = done.get(name)
        wrap_until = last[0] + book.of(last[1]).wrapup_seconds if last else None
        if name in talking:
            state, since, reason = "talking", talking[name][0], ""
        elif last and wrap_until is not None and wrap_until > now:
            state, since, reason = "wrapup", last[0], ""
        elif a is not None and a.logged_off:
            state, since, reason = "logged_out", a.state_since, ""
        elif a is not None and a.paused:
            state, since, reason = "paused", min(a.paused.values()), a.reason
        else:
            since = max(x for x in (a.state_since if a else None, wrap_until, day_start) if x is not None)
            state, reason = "ready", ""
        rows.append({"agent": name, "state": state, "since": since, "reason": reason})
    return rows


def _name(people: list[dict], tenant_code: str, now: int) -> None:
    """Each agent's directory name as of now, by the extension its interface names ("" when none)."""
    names = agents.directory_names([a["agent"] for a in people], tenant_code, now)
    for a in people:
        a["name"] = names.get(a["agent"], "")


def board(book: kpis.RuleBook, t: Targets, now: int, day_start: int, queues: tuple[str, ...] = (),
          tenant: str = "") -> dict:
    """The wallboard at `now` (epoch seconds), today beginning at `day_start`; only `queues` when given; agents named
    from the directory of the tenant with code `tenant` when given."""
    only = frozenset(queues) if queues else None
    today = {r["queue"]: r for r in kpis.queue_kpis(book, day_start, None) if only is None or r["queue"] in only}
    waiting: dict[str, tuple[int, int]] = {}
    for q, entered in db.execute_sql(      # by the entered_utc index (a GROUP BY queue would scan the queue index)
            "SELECT queue, entered_utc FROM queue_call WHERE entered_utc >= ? AND seen_enter = 1 AND outcome = ''",
            (now - WAITING_MAX_S,)):
        if only is None or q in only:
            n, first = waiting.get(q, (0, entered))
            waiting[q] = (n + 1, min(first, entered))
    rows = []
    for queue in sorted(set(today) | set(waiting) | (only or set())):
        k = today.get(queue, {})
        n, first = waiting.get(queue, (0, None))
        row = {"queue": queue, "waiting": n, "longest_since": first,
               **{f: k.get(f, 0) for f in ("offered", "answered", "abandoned", "short_abandoned")},
               **{f: k.get(f) for f in ("service_level_pct", "asa_s", "lost_pct")}}
        row["grade"] = {m: grade(m, row[m], t) for m in ("service_level_pct", "asa_s", "lost_pct")}
        rows.append(row)
    people = _agents(book, now, day_start, only)
    _name(people, tenant, now)
    last = db.execute_sql("SELECT MAX(at_utc) FROM queue_event").fetchone()[0]
    return {"now": now, "day_start": day_start, "queues": rows, "agents": people,
            "states": {s: sum(a["state"] == s for a in people) for s in STATES},
            "targets": t.__dict__, "last_event": last,
            "clock_ahead_s": last - now if last is not None and last > now + CLOCK_SLACK_S else None}
