"""The live queue state AMI events make: queue members (logged in, paused and why, ringing, talking, since when) and
the callers waiting or talking; what the operator panel shows (CC-4).

Events arrive out of order (an AgentConnect before its QueueCallerJoin after a reconnect, a Hangup of a channel we
never saw): each event is applied on its own, a caller that already left is not brought back by a late event, and
events for channels we do not know are counted and logged at debug level, never an error.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Callable

from appliance.ami.protocol import Message

log = logging.getLogger(__name__)

MAX_CALLERS = 5000      # a flood of joins without leaves (a lost connection's backlog) must not grow memory forever
MAX_GONE = 5000
# Asterisk device states (QueueMemberStatus Status)
RINGING_STATES = {"6", "7"}
TALKING_STATES = {"2", "3", "8"}
UNAVAILABLE_STATES = {"4", "5"}


@dataclass(frozen=True)
class Member:
    queue: str
    interface: str
    name: str = ""
    paused: bool = False
    reason: str = ""
    status: str = "1"
    in_call: bool = False
    since: float = 0.0      # when its state (as `state` names it) last changed, epoch seconds

    @property
    def state(self) -> str:
        if self.paused:
            return "paused"
        if self.status in RINGING_STATES:
            return "ringing"
        if self.in_call or self.status in TALKING_STATES:
            return "talking"
        if self.status in UNAVAILABLE_STATES:
            return "unavailable"
        return "ready"


@dataclass
class Caller:
    uniqueid: str
    queue: str = ""
    number: str = ""
    name: str = ""
    joined: float = 0.0
    ringing: set[str] = field(default_factory=set)     # member interfaces being rung for this caller
    agent: str = ""                                     # the interface that answered
    answered: float = 0.0


def _number(value: str) -> str:
    return "" if value in ("", "<unknown>", "unknown") else value


class LiveState:
    """Apply AMI events (`apply`), read a consistent copy (`members_of`, `calls_for`). Thread-safe: the reader
    writes, web requests read."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.lock = threading.Lock()
        self.members: dict[tuple[str, str], Member] = {}
        self.callers: OrderedDict[str, Caller] = OrderedDict()
        self.gone: OrderedDict[str, float] = OrderedDict()    # uniqueids that left: a late event does not revive
        self.unknown = 0
        self.handlers = {
            "queuememberadded": self._member, "queuememberstatus": self._member, "queuemember": self._member,
            "queuememberpause": self._member, "queuememberpaused": self._member,
            "queuememberremoved": self._removed, "queuecallerjoin": self._join, "join": self._join,
            "queueentry": self._join, "queuecallerleave": self._leave, "leave": self._leave,
            "queuecallerabandon": self._leave, "agentcalled": self._called, "agentringnoanswer": self._not_answered,
            "agentdump": self._not_answered, "agentconnect": self._connect, "agentcomplete": self._complete,
            "hangup": self._hangup,
        }

    def reset(self) -> None:
        """Forget everything (after a reconnect: QueueStatus then tells the present)."""
        with self.lock:
            self.members.clear()
            self.callers.clear()

    def apply(self, msg: Message) -> None:
        handler = self.handlers.get(msg.event.lower())
        if handler is None:
            return
        with self.lock:
            handler(msg, self.clock())

    # -- members
    def _member(self, msg: Message, now: float) -> None:
        queue = msg["Queue"]
        interface = msg.get("Interface") or msg.get("Location") or msg.get("StateInterface")
        if not queue or not interface:
            self._unknown(msg, "no queue or interface")
            return
        old = self.members.get((queue, interface))
        paused = msg.get("Paused", "1" if old and old.paused else "0") in ("1", "true", "yes")
        reason = msg.get("PausedReason") or msg.get("Reason") if paused else ""
        new = Member(queue, interface, msg.get("MemberName") or (old.name if old else interface), paused,
                     reason or (old.reason if old and old.paused and paused else ""),
                     msg.get("Status") or (old.status if old else "1"),
                     msg.get("InCall", "1" if old and old.in_call else "0") == "1", now)
        if old is not None and old.state == new.state:
            new = replace(new, since=old.since)
        elif old is None and msg.event.lower() == "queuemember":
            # QueueStatus after a (re)connect: LastPause / LoginTime tell when the present state began
            began = msg.get("LastPause") if paused else msg.get("LoginTime")
            if began and began.isdigit() and 0 < int(began) <= now:
                new = replace(new, since=float(began))
        self.members[(queue, interface)] = new

    def _removed(self, msg: Message, now: float) -> None:
        if self.members.pop((msg["Queue"], msg.get("Interface") or msg.get("Location")), None) is None:
            self._unknown(msg, "member not known")

    # -- callers
    def _caller(self, msg: Message, create: bool = True) -> Caller | None:
        uid = msg["Uniqueid"]
        if not uid or uid in self.gone:
            return None
        caller = self.callers.get(uid)
        if caller is None and create:
            caller = self.callers[uid] = Caller(uid, joined=self.clock())
            while len(self.callers) > MAX_CALLERS:
                self.callers.popitem(last=False)
        if caller is not None:
            caller.queue = msg["Queue"] or caller.queue
            caller.number = _number(msg["CallerIDNum"]) or caller.number
            caller.name = _number(msg["CallerIDName"]) or caller.name
        return caller

    def _join(self, msg: Message, now: float) -> None:
        caller = self._caller(msg)
        if caller is None:
            self._unknown(msg, "caller already left")
        elif msg.event.lower() == "queueentry" and msg["Wait"].isdigit():
            caller.joined = now - int(msg["Wait"])

    def _leave(self, msg: Message, now: float) -> None:
        caller = self.callers.get(msg["Uniqueid"])
        if caller is None or not caller.agent:      # answered callers leave the queue but talk on
            self._forget(msg["Uniqueid"], caller is None and msg)

    def _called(self, msg: Message, now: float) -> None:
        caller = self._caller(msg)
        if caller is None:
            self._unknown(msg, "caller already left")
            return
        caller.ringing.add(msg["Interface"])

    def _not_answered(self, msg: Message, now: float) -> None:
        caller = self.callers.get(msg["Uniqueid"])
        if caller is None:
            self._unknown(msg, "caller not known")
        else:
            caller.ringing.discard(msg["Interface"])

    def _connect(self, msg: Message, now: float) -> None:
        caller = self._caller(msg)
        if caller is None:
            self._unknown(msg, "caller already left")
            return
        caller.agent, caller.answered, caller.ringing = msg["Interface"], now, set()
        if msg["HoldTime"].isdigit() and not caller.joined:
            caller.joined = now - int(msg["HoldTime"])

    def _complete(self, msg: Message, now: float) -> None:
        self._forget(msg["Uniqueid"], msg["Uniqueid"] not in self.callers and msg)

    def _hangup(self, msg: Message, now: float) -> None:
        if msg["Uniqueid"] in self.callers:
            self._forget(msg["Uniqueid"], None)
        else:   # most hangups are of channels that never queued: not worth a log line each
            self.unknown += 1

    def _forget(self, uid: str, unknown_msg) -> None:
        self.callers.pop(uid, None)
        if uid:
            self.gone[uid] = self.clock()
            while len(self.gone) > MAX_GONE:
                self.gone.popitem(last=False)
        if unknown_msg:
            self._unknown(unknown_msg, "caller not known")

    def _unknown(self, msg: Message, why: str) -> None:
        self.unknown += 1
        log.debug("AMI event %s for %s ignored: %s", msg.event, msg["Uniqueid"] or msg["Interface"] or "?", why)

    # -- reading
    def members_of(self, interfaces: set[str]) -> list[Member]:
        """The queue memberships of these interfaces (case-insensitive: PJSIP/201 and pjsip/201 are one)."""
        wanted = {i.lower() for i in interfaces}
        with self.lock:
            return sorted((m for m in self.members.values() if m.interface.lower() in wanted),
                          key=lambda m: m.queue)

    def calls_for(self, interfaces: set[str]) -> list[Caller]:
        """Callers ringing or talking to these interfaces, oldest first."""
        wanted = {i.lower() for i in interfaces}
        with self.lock:
            return [replace(c, ringing=set(c.ringing)) for c in self.callers.values()
                    if c.agent.lower() in wanted or wanted & {r.lower() for r in c.ringing}]

    def waiting(self, queues: set[str]) -> list[Caller]:
        """Callers waiting unanswered in these queues."""
        with self.lock:
            return [replace(c, ringing=set(c.ringing)) for c in self.callers.values()
                    if c.queue in queues and not c.agent]
