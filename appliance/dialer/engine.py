"""The dialing loop (CC-6): every [dialer] tick_s it shows preview agents their next contact, originates the calls
preview agents asked for and, in progressive mode, the next due number for every agent who is ready; each Originate
waits for its OriginateResponse in a thread of its own, and its outcome closes the attempt: answered (the agent sets
the result), or busy / no answer / failed with the retry the campaign sets for it.

It runs in the jobs process (appliance/procs.py jobs_main), beside huey's consumer, in a thread of its own: that
process runs on every box (the worker waits for a PBX driver, which a dialer does not need), already writes the
store's own tables (outbox, schedules, alerts), and is not the web (a dial never waits in a request). Not a huey
task: huey's periodic schedule is by the minute, and a ready agent must not wait a minute for the next number.

The customer is called first (Originate Channel = [dialer] channel with the number), and put through to the agent's
extension (Context [dialer] agent_context, Exten the extension) once answered: the OriginateResponse's Reason is
then the customer's (busy, no answer), which the retries need. The do-not-call list is checked again right before
every Originate: a number listed after the import is never dialled.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from appliance import files
from appliance.ami.client import AmiError
from appliance.dialer import campaigns, rules
from appliance.dialer.campaigns import Settings
from appliance.rating import numbering
from appliance.store.base import IMMEDIATE
from appliance.store.dialer import Attempt, Campaign, Contact, DialerAgent, DncNumber

log = logging.getLogger(__name__)
STATUS_EVERY_S = 10.0      # the status file's heartbeat (webui/dialer.py calls it stale after STATUS_STALE_S)
STATUS_STALE_S = 45.0
Originate = Callable[[dict[str, str], float], tuple[str, str, str]]   # fields, timeout -> (response, reason, uid)


def _db():
    """The database the dialer's tables are bound to now: the store's, or the web's writable connection
    (webui.db.write_access binds them for one request)."""
    return Contact._meta.database


def _campaign_of(row) -> int:
    """A row's campaign id without loading the campaign (peewee keeps the foreign key's value in __data__)."""
    return row.__data__["campaign"]


class Dialer:
    """One pass at a time (`tick`); `originate(fields, timeout)` sends one Originate and returns the
    OriginateResponse's (Response, Reason, Uniqueid), raising AmiError when it could not be sent or answered.
    `agent_busy(extension)` says whether the PBX shows the agent on a call or paused (progressive mode)."""

    def __init__(self, settings: Settings, plan: numbering.NumberingPlan, originate: Originate,
                 link_up: Callable[[], bool] = lambda: True, agent_busy: Callable[[str], bool] = lambda e: False,
                 clock: Callable[[], float] = time.time, spawn: Callable[[Callable[[], None]], None] | None = None):
        self.settings, self.plan, self.originate = settings, plan, originate
        self.link_up, self.agent_busy, self.clock = link_up, agent_busy, clock
        self.spawn = spawn or (lambda fn: threading.Thread(target=fn, name="dialer-call", daemon=True).start())
        self.calls = 0

    def recover(self) -> int:
        """At start: attempts a stopped process left ringing end as failed (their outcome is unknown; retried)."""
        stuck = list(Attempt.select().where(Attempt.state == "dialing"))
        for a in stuck:
            self.finish(a.id, "failed", "interrupted: the dialer stopped during the call", "")
        return len(stuck)

    def tick(self) -> int:
        """One pass; the number of calls started."""
        now = int(self.clock())
        started = 0
        open_campaigns = {c.id: c for c in Campaign.select().where(Campaign.state == "active")
                          if rules.open_now(c.windows, ZoneInfo(c.timezone), now)}
        self._show_previews(open_campaigns, now)
        if not self.link_up():
            return 0
        for a in list(Attempt.select().where(Attempt.state == "queued").order_by(Attempt.id)):
            if _campaign_of(a) in open_campaigns:
                started += self._start(a.id, now)
        for agent in list(DialerAgent.select().where(DialerAgent.ready == True)):  # noqa: E712 (peewee)
            c = open_campaigns.get(_campaign_of(agent))
            if c is None or c.mode != "progressive" or campaigns.held(agent.username) is not None:
                continue
            if self.agent_busy(agent.extension):
                continue
            contact = self._claim(c, agent.username, "queued", now)
            if contact is not None:
                a = Attempt.create(campaign=c.id, contact=contact.id, agent=agent.username,
                                   extension=agent.extension, state="queued", created_utc=now)
                started += self._start(a.id, now)
        return started

    def _show_previews(self, open_campaigns: dict[int, Campaign], now: int) -> None:
        for agent in list(DialerAgent.select()):
            c = open_campaigns.get(_campaign_of(agent))
            if c is not None and c.mode == "preview" and campaigns.held(agent.username) is None:
                self._claim(c, agent.username, "reserved", now)

    def _claim(self, c: Campaign, username: str, state: str, now: int) -> Contact | None:
        """The campaign's next due contact not on the do-not-call list, now held by `username` in `state`."""
        with _db().atomic(IMMEDIATE):
            for ct in (Contact.select().where(Contact.campaign == c.id, Contact.state == "pending",
                                              Contact.next_utc <= now)
                       .order_by(Contact.next_utc, Contact.id).limit(20)):
                if DncNumber.get_or_none(DncNumber.number == ct.number) is not None:
                    Contact.update(state="dnc", updated_utc=now).where(Contact.id == ct.id).execute()
                    continue
                Contact.update(state=state, agent=username, updated_utc=now).where(Contact.id == ct.id).execute()
                return Contact.get_by_id(ct.id)
        return None

    def _start(self, attempt_id: int, now: int) -> int:
        with _db().atomic(IMMEDIATE):
            a = Attempt.get_or_none(Attempt.id == attempt_id, Attempt.state == "queued")
            if a is None:
                return 0
            ct = a.contact
            if DncNumber.get_or_none(DncNumber.number == ct.number) is not None:   # the list always wins
                Attempt.update(state="done", outcome="failed", reason="on the do-not-call list: not dialled",
                               ended_utc=now).where(Attempt.id == a.id).execute()
                Contact.update(state="dnc", updated_utc=now).where(Contact.id == ct.id).execute()
                return 0
            Attempt.update(state="dialing", started_utc=now).where(Attempt.id == a.id).execute()
            Contact.update(state="dialing", updated_utc=now).where(Contact.id == ct.id).execute()
        fields = self.fields(a, ct)
        timeout = self.settings.ring_timeout_s + 15.0
        self.calls += 1
        log.info("dialer: campaign %s, contact %d (%s) for %s at %s", a.campaign.code, ct.id, ct.number, a.agent,
                 a.extension)
        self.spawn(lambda: self._call(a.id, fields, timeout))
        return 1

    def fields(self, a: Attempt, ct: Contact) -> dict[str, str]:
        s = self.settings
        out = {"Channel": s.channel.replace("{number}", rules.dial_string(ct.number, s.number_format, self.plan)),
               "Context": s.agent_context, "Exten": a.extension, "Priority": "1",
               "Timeout": str(s.ring_timeout_s * 1000), "Async": "true",
               "Variable": f"CALLBOX_CAMPAIGN={a.campaign.code},CALLBOX_ATTEMPT={a.id}"}
        if s.caller_id:
            out["CallerID"] = s.caller_id
        return out

    def _call(self, attempt_id: int, fields: dict[str, str], timeout: float) -> None:
        try:
            response, reason, uid = self.originate(fields, timeout)
            outcome = rules.outcome_of(response, reason)
            why = f"Reason {reason}" if reason else response
        except AmiError as e:
            outcome, why, uid = "failed", str(e)[:200], ""
        except Exception as e:    # a thread that dies silently would leave the contact ringing forever
            log.exception("dialer: attempt %d", attempt_id)
            outcome, why, uid = "failed", f"{type(e).__name__}: {e}"[:200], ""
        try:
            self.finish(attempt_id, outcome, why, uid)
        finally:
            if not _db().is_closed() and not _db().in_transaction():
                _db().close()     # this thread's connection (run inline by a test: the caller's, kept open)

    def finish(self, attempt_id: int, outcome: str, reason: str, uid: str) -> None:
        """An attempt ended: its outcome, and the contact's next state (connected, retry later, exhausted)."""
        now = int(self.clock())
        with _db().atomic(IMMEDIATE):
            a = Attempt.get_by_id(attempt_id)
            ct = a.contact
            Attempt.update(state="done", outcome=outcome, reason=reason, uniqueid=uid if uid != "<null>" else "",
                           ended_utc=now).where(Attempt.id == a.id).execute()
            attempts = ct.attempts + 1
            state, next_utc = campaigns.retries_of(a.campaign).after(outcome, attempts, now)
            Contact.update(state=state, next_utc=next_utc, attempts=attempts, last_outcome=outcome,
                           agent=a.agent if state == "connected" else "", updated_utc=now).where(
                Contact.id == ct.id).execute()
        log.info("dialer: attempt %d %s (%s): contact %d %s", attempt_id, outcome, reason, ct.id, state)

    def report(self, path: Path | None, last: tuple[bool, float] | None) -> tuple[bool, float] | None:
        """Write {"link": up, "at": epoch} to `path` when the link's state changes, else every STATUS_EVERY_S: the
        agents' page says from it whether calls can be made now (the web cannot see this process's link)."""
        if path is None:
            return last
        now, up = self.clock(), bool(self.link_up())
        if last is not None and last[0] == up and now - last[1] < STATUS_EVERY_S:
            return last
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            files.replace(path, json.dumps({"link": up, "at": int(now)}), durable=False)
        except OSError as e:
            log.warning("dialer: cannot write %s: %s", path, e)
        return up, now

    def run(self, stop: threading.Event, status_path: Path | None = None) -> None:
        """Tick until stopped; a pass that fails is logged and the next one tries again."""
        try:
            self.recover()
        except Exception:
            log.exception("dialer: recovering interrupted attempts failed")
        last = None
        while not stop.is_set():
            last = self.report(status_path, last)
            try:
                self.tick()
            except Exception:
                log.exception("dialer: a pass failed; trying again")
            finally:
                if not _db().is_closed():
                    _db().close()
            stop.wait(self.settings.tick_s)


def next_window(c: Campaign, now: float) -> datetime | None:
    """When the campaign may call next (now, if open), in its time zone."""
    tz = ZoneInfo(c.timezone)
    return rules.parse_windows(c.windows).next_open(datetime.fromtimestamp(now, tz))
