"""The agent KPIs (CC-2), defined here once: calls answered, talk, ring-no-answer, login and pause time, occupancy.

An agent is the member as queue_log names it (PJSIP/201, Local/2001@from-internal/n, Agent/1001); extension_of() gives
the extension it names, by which the wallboard shows the directory's person (their name as of now). Calls, talk and
rings are those of the queue calls that entered in the period (kpis.py); sessions and pauses are the time inside
[since, until) the member was logged in or paused, from every member event before `until`.
"""
from __future__ import annotations

import json
import re

from appliance.callcentre.kpis import RuleBook, period_where, ratio, secs
from appliance.directory.organisation import Index
from appliance.store.base import db
from appliance.store.directory import tenant_id

DEFINITIONS: dict[str, str] = {
    "answered": "queue calls this member answered (its CONNECT)",
    "talk_s": "their talk time, from the end event's calltime (answered calls with an end event)",
    "ring_no_answer": "RINGNOANSWER events of this member (rung and not answered) in the period's queue calls",
    "answer_rate_pct": "answered / (answered + ring_no_answer), in %: the calls offered to the member it took "
                       "(a RINGCANCELED, the call taken elsewhere or abandoned, is not offered to it)",
    "login_s": "time logged in: from AGENTLOGIN to AGENTLOGOFF (or AGENTCALLBACKLOGIN/LOGOFF), or member of a queue "
               "from ADDMEMBER to REMOVEMEMBER; an AGENTLOGOFF whose login was not seen counts its logintime",
    "pause_s": "time paused: from PAUSE (or PAUSEALL) to UNPAUSE (or UNPAUSEALL), by the reason of the PAUSE",
    "occupancy_pct": "(talk_s + wrapup_seconds per answered call with an end event) / (login_s - pause_s), in %",
}
FIELDS = ("agent",) + tuple(DEFINITIONS) + ("pause_by_reason",)
LOGINS = {"AGENTLOGIN": "agent", "AGENTCALLBACKLOGIN": "agent", "ADDMEMBER": None}
LOGOFFS = {"AGENTLOGOFF": "agent", "AGENTCALLBACKLOGOFF": "agent", "REMOVEMEMBER": None}
PAUSES = ("PAUSE", "PAUSEALL")
UNPAUSES = ("UNPAUSE", "UNPAUSEALL")
MEMBER_EVENTS = tuple(LOGINS) + tuple(LOGOFFS) + PAUSES + UNPAUSES


class _Member:
    """One member's state walking its events in time order, and the time it spent in each inside [since, until)."""

    def __init__(self, since: int, until: int):
        self.since, self.until = since, until
        self.logged: dict[str, int] = {}     # what it is logged in by (agent, or a queue) -> since when
        self.paused: dict[str, int] = {}     # what is paused ("*": all queues, or a queue) -> since when
        self.reason = ""
        self.login_s = 0
        self.pause: dict[str, int] = {}      # reason -> seconds
        self.session_start = 0
        self.sessions: list[tuple[int, int]] = []          # [start, end) of each login session, clipped to the period
        self.pauses: list[tuple[int, int, str]] = []       # [start, end) and reason of each pause, likewise

    def clip(self, start: int, end: int) -> int:
        return max(0, min(end, self.until) - max(start, self.since))

    def _login_end(self, at: int) -> None:
        if self.logged:
            start = min(self.logged.values())
            self.login_s += self.clip(start, at)

    def _pause_end(self, at: int) -> None:
        if self.paused:
            start = min(self.paused.values())
            self.pause[self.reason] = self.pause.get(self.reason, 0) + self.clip(start, at)
            if self.clip(start, at):
                self.pauses.append((max(start, self.since), min(at, self.until), self.reason))

    def _session_end(self, at: int) -> None:
        if self.clip(self.session_start, at):
            self.sessions.append((max(self.session_start, self.since), min(at, self.until)))

    def event(self, at: int, queue: str, event: str, params: list[str]) -> None:
        if event in LOGINS:
            if not self.logged:   # logged in from now (a session begins)
                self.logged[LOGINS[event] or queue] = at
                self.session_start = at
            else:
                self.logged.setdefault(LOGINS[event] or queue, at)
        elif event in LOGOFFS:
            what = LOGOFFS[event] or queue
            if what not in self.logged and event != "REMOVEMEMBER" and len(params) > 1 and params[1].isdigit():
                self.logged[what] = at - int(params[1])   # its login was not seen: the logintime it gives
                if len(self.logged) == 1:
                    self.session_start = self.logged[what]
            if what in self.logged:
                rest = {k: v for k, v in self.logged.items() if k != what}
                if not rest:   # the session ends
                    self._login_end(at)
                    self._session_end(at)
                    self._pause_end(at)
                    self.paused.clear()
                else:
                    self._login_end(at)
                    rest = {k: at for k in rest}   # counted up to now; the session goes on
                self.logged = rest
        elif event in PAUSES:
            if not self.paused:
                self.reason = params[0] if params else ""
            self.paused.setdefault("*" if event == "PAUSEALL" or not queue else queue, at)
        elif event in UNPAUSES:
            what = "*" if event == "UNPAUSEALL" or not queue else queue
            if what in self.paused or event == "UNPAUSEALL":
                self._pause_end(at)   # counted up to now; paused on as long as another queue is
                self.paused = {} if event == "UNPAUSEALL" else {k: at for k in self.paused if k != what}

    def close(self) -> None:
        """The period ends: what is still open counts up to `until`."""
        self._login_end(self.until)
        if self.logged:
            self._session_end(self.until)
        self._pause_end(self.until)


MEMBER = re.compile(r"^(?:PJSIP|SIP|IAX2|DAHDI|Local|Agent)/(\d+)(?:[@/-].*)?$", re.IGNORECASE)


def extension_of(member: str) -> str:
    """The extension a queue member's interface names (PJSIP/201, SIP/201, Local/201@from-queue/n; Agent/1001: the
    agent number, which is the extension where agents log in from their own), or "" (a member name from
    queues.conf, another technology)."""
    found = MEMBER.match(member.strip())
    return found.group(1) if found else ""


def directory_names(members: list[str], tenant_code: str, at: int) -> dict[str, str]:
    """member -> the directory name, as of `at`, of the person whose extension its interface names (extension_of);
    members with none are left out."""
    tenant = tenant_id(tenant_code) if tenant_code else None
    exts = {m: extension_of(m) for m in members}
    if tenant is None or not any(exts.values()):
        return {}
    index = Index(tenant, sorted({e for e in exts.values() if e}))
    out = {}
    for m, ext in exts.items():
        found = index.attribute(ext, at) if ext else None
        if found is not None and found.name:
            out[m] = found.name
    return out


def members(since: int, until: int, queue: str | None = None, queues: frozenset[str] | None = None
            ) -> dict[str, _Member]:
    """Each member's login sessions and pauses inside [since, until), from every member event before `until` (of
    `queue` and of `queues` when given, and the agent's own events, of every queue)."""
    args: list = [until]
    where = "at_utc < ? AND event IN (" + ", ".join(f"'{e}'" for e in MEMBER_EVENTS) + ")"
    if queue is not None:   # that queue's membership and pauses; agent logins and pauses of all queues count too
        where += " AND queue IN (?, '')"
        args.append(queue)
    if queues is not None:
        where += f" AND queue IN ({', '.join('?' * (len(queues) + 1))})"
        args += [*sorted(queues), ""]
    return walk(db.execute_sql(f"SELECT at_utc, queue, agent, event, params FROM queue_event WHERE {where} "
                               "ORDER BY at_utc, id", args), since, until)


def walk(events, since: int, until: int) -> dict[str, _Member]:
    """Each member's login sessions and pauses inside [since, until) from its member events (at_utc, queue, agent,
    event, params as JSON), in time order: members()'s, and the central's over a branch box's events."""
    found: dict[str, _Member] = {}
    for at, q, agent, event, params in events:
        if agent:
            member = found.get(agent)
            if member is None:
                member = found[agent] = _Member(since, until)
            member.event(at, q, event, json.loads(params))
    for member in found.values():
        member.close()
    return found


def members_of(since: int, until: int, queue: str | None = None, queues: frozenset[str] | None = None
               ) -> dict[str, _Member]:
    """members(), and with `queues` (a supervisor's) only the agents with an event of these queues before `until`:
    an agent's own logins and pauses name no queue."""
    found = members(since, until, queue, queues)
    if queues is not None:
        ours = {a for a, in db.execute_sql(
            f"SELECT DISTINCT agent FROM queue_event WHERE at_utc < ? AND queue IN ({', '.join('?' * len(queues))})",
            [until, *sorted(queues)])} if queues else set()
        found = {a: m for a, m in found.items() if a in ours}
    return found


def agent_kpis(book: RuleBook, since: int | None = None, until: int | None = None,
               queue: str | None = None, queues: frozenset[str] | None = None) -> list[dict]:
    """The KPIs of every member with calls, rings or sessions in [since, until), by member name (of `queue`, and of
    `queues` when given: a supervisor's)."""
    if until is None:   # open sessions count up to the last event stored
        until = db.execute_sql("SELECT MAX(at_utc) FROM queue_event").fetchone()[0] or 0
    since = 0 if since is None else since
    args: list = []
    where = period_where(since, until, queue, args, queues=queues)
    wraps = book.queues and any(r.wrapup_seconds != book.default.wrapup_seconds for _, r in book.queues)
    calls = {agent: (n, talk or 0, ended) for agent, n, talk, ended in db.execute_sql(
        "SELECT agent, COUNT(*), SUM(talk_s), SUM(talk_s IS NOT NULL) FROM queue_call "
        f"WHERE {where} AND outcome = 'answered' GROUP BY agent", args)}
    wrap: dict[str, int] = {}
    if wraps or book.default.wrapup_seconds:
        for agent, q, ended in db.execute_sql(
                f"SELECT agent, queue, SUM(talk_s IS NOT NULL) FROM queue_call WHERE {where} "
                "AND outcome = 'answered' GROUP BY agent, queue", args):
            wrap[agent] = wrap.get(agent, 0) + ended * book.of(q).wrapup_seconds
    rna: dict[str, int] = {}
    for rings, in db.execute_sql(f"SELECT rings FROM queue_call WHERE {where} AND rna > 0", args):
        for agent, event, *_ in json.loads(rings):
            if event == "RINGNOANSWER":
                rna[agent] = rna.get(agent, 0) + 1
    found = members_of(since, until, queue, queues)
    rows = []
    for agent in sorted(set(calls) | set(rna) | set(found)):
        answered, talk, _ = calls.get(agent, (0, 0, 0))
        m = found.get(agent)
        login, pauses = (m.login_s, m.pause) if m else (0, {})
        pause = sum(pauses.values())
        rows.append({"agent": agent, "answered": answered, "talk_s": secs(talk), "ring_no_answer": rna.get(agent, 0),
                     "answer_rate_pct": ratio(answered, answered + rna.get(agent, 0), 100),
                     "login_s": secs(login), "pause_s": secs(pause),
                     "occupancy_pct": ratio(talk + wrap.get(agent, 0), login - pause if login > pause else 0, 100),
                     "pause_by_reason": {k: secs(v) for k, v in sorted(pauses.items()) if v}})
    return rows


def recent_calls(members: list[str], since: int | None, until: int | None, limit: int = 50) -> list[dict]:
    """The last `limit` queue calls these members answered in [since, until), newest first."""
    if not members:
        return []
    args: list = list(members)
    where = period_where(since, until, None, args)
    rows = db.execute_sql(
        "SELECT entered_utc, queue, caller, agent, wait_s, talk_s, end_event, transfer_to FROM queue_call "
        f"WHERE agent IN ({', '.join('?' * len(members))}) AND outcome = 'answered' AND {where} "
        "ORDER BY entered_utc DESC LIMIT ?", [*args, limit]).fetchall()
    names = ("entered_utc", "queue", "caller", "agent", "wait_s", "talk_s", "end_event", "transfer_to")
    return [dict(zip(names, r)) for r in rows]
