"""What queue_log tells an agent's operator panel (CC-4): their members' state now, today's answered calls and rings
not answered, the calls their queues lost today, and a caller's earlier queue calls.

The live half (ringing now, paused by AMI) comes from appliance.ami in the web process; this is the half that
works without AMI, a few seconds late (the worker stores queue_log lines within its poll)."""
from __future__ import annotations

import json

from appliance.callcentre import agents, kpis, live
from appliance.store.base import db

HISTORY_DAYS = 90         # a caller's earlier calls are looked for this far back (by the entered_utc index)
LOST = ("abandoned", "timeout", "exit_empty", "exit_key")


def members_of(extensions: frozenset[str], since: int) -> list[str]:
    """The queue_log member names (PJSIP/201, Local/201@from-queue/n, Agent/201) of these extensions seen since."""
    if not extensions:
        return []
    found = {a for a, in db.execute_sql("SELECT DISTINCT agent FROM queue_event WHERE at_utc >= ? AND agent != ''",
                                        (since,))}
    return sorted(a for a in found if agents.extension_of(a) in extensions)


def agent_day(book: kpis.RuleBook, extensions: frozenset[str], now: int, day_start: int) -> dict:
    """The agent's day from queue_log: state rows of their members, answered calls, rung-not-answered count, and
    the queues they served (their calls' or memberships')."""
    members = members_of(extensions, min(day_start, now - live.LOOKBACK_S))
    board = live.board(book, live.Targets(), now, day_start)
    states = [a for a in board["agents"] if a["agent"] in members]
    kpi = [r for r in agents.agent_kpis(book, day_start, None) if r["agent"] in members]
    calls = agents.recent_calls(members, day_start, None, limit=100)
    queues = sorted({c["queue"] for c in calls} | {q for q, in db.execute_sql(
        f"SELECT DISTINCT queue FROM queue_event WHERE at_utc >= ? AND queue != '' AND agent IN "
        f"({', '.join('?' * len(members)) or 'NULL'})", [day_start - live.LOOKBACK_S, *members])})
    return {"members": members, "states": states, "answered": sum(r["answered"] for r in kpi),
            "ring_no_answer": sum(r["ring_no_answer"] for r in kpi), "calls": calls, "queues": queues}


def lost_today(queues: list[str], day_start: int, limit: int = 50) -> list[dict]:
    """The calls these queues lost today (abandoned, timed out, left), newest first: who to call back."""
    if not queues:
        return []
    rows = db.execute_sql(
        "SELECT entered_utc, queue, caller, outcome, wait_s FROM queue_call WHERE queue IN "
        f"({', '.join('?' * len(queues))}) AND entered_utc >= ? AND seen_enter = 1 AND outcome IN "
        f"({', '.join(repr(o) for o in LOST)}) ORDER BY entered_utc DESC LIMIT ?",
        [*queues, day_start, limit]).fetchall()
    return [dict(zip(("entered_utc", "queue", "caller", "outcome", "wait_s"), r)) for r in rows]


def caller_history(caller: str, now: int, limit: int = 20) -> list[dict]:
    """The caller's queue calls of the last HISTORY_DAYS, newest first, answered or lost."""
    if not caller:
        return []
    rows = db.execute_sql(
        "SELECT entered_utc, queue, outcome, agent, wait_s, talk_s, rings FROM queue_call WHERE entered_utc >= ? "
        "AND caller = ? ORDER BY entered_utc DESC LIMIT ?", (now - HISTORY_DAYS * 86400, caller, limit)).fetchall()
    out = []
    for entered, queue, outcome, agent, wait, talk, rings in rows:
        out.append({"entered_utc": entered, "queue": queue, "outcome": outcome, "agent": agent, "wait_s": wait,
                    "talk_s": talk, "rang": len(json.loads(rings or "[]"))})
    return out
