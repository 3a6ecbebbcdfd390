"""The PBX's channels now, from AMI channel events (Newchannel, Newstate, DialBegin, Hangup; CoreShowChannel after a
(re)connect): which device has a call, dialling or answered, to what number, since when. The callshop's cashier page
reads it (a booth goes busy when its channel appears, not when the call's record arrives).

Like the queue state (live.py), events are applied one by one: a Newstate or Hangup of a channel never seen is
counted and ignored, a late event of a channel already hung up does not bring it back."""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Callable

from appliance.ami.protocol import Message

log = logging.getLogger(__name__)
MAX_CHANNELS = 5000     # a flood of Newchannel without Hangup (a lost link's backlog) must not grow memory forever
MAX_GONE = 5000
UP = "6"                # ChannelState 6 = Up (answered); 4 Ring, 5 Ringing, 0 Down


@dataclass(frozen=True)
class Channel:
    """One channel: its device (`interface`, PJSIP/201 for PJSIP/201-0000002a), the number dialled, `answered`
    (epoch seconds, 0 while dialling or ringing) and when it appeared."""
    uniqueid: str
    name: str
    interface: str
    number: str = ""
    created: float = 0.0
    answered: float = 0.0

    @property
    def state(self) -> str:
        return "talking" if self.answered else "dialling"


def interface_of(channel: str) -> str:
    """PJSIP/201-0000002a -> PJSIP/201 (the device; Asterisk adds -SEQUENCE to each of its channels)."""
    head, sep, tail = channel.rpartition("-")
    return head if sep and head and tail.isalnum() else channel


def _digits(text: str) -> str:
    """The dialled number of an Exten or a DialString (PJSIP/0049301234567@trunk, trunk/0049...): its digits."""
    text = text.split("@")[0].rpartition("/")[2]
    return text if text and (text.isdigit() or (text[0] == "+" and text[1:].isdigit())) else ""


def _duration(text: str) -> int:
    """CoreShowChannel Duration HH:MM:SS -> seconds (0 when unreadable)."""
    try:
        h, m, s = (int(p) for p in text.split(":"))
    except ValueError:
        return 0
    return h * 3600 + m * 60 + s


class Channels:
    """Apply AMI events (`apply`), read a copy (`of`). Thread-safe: the AMI reader writes, web requests read."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.lock = threading.Lock()
        self.channels: OrderedDict[str, Channel] = OrderedDict()
        self.gone: OrderedDict[str, None] = OrderedDict()
        self.unknown = 0
        self.handlers = {"newchannel": self._new, "coreshowchannel": self._new, "newstate": self._state,
                         "dialbegin": self._dial, "hangup": self._hangup}

    def reset(self) -> None:
        """Forget every channel (after a reconnect: CoreShowChannels then tells the present)."""
        with self.lock:
            self.channels.clear()

    def apply(self, msg: Message) -> None:
        handler = self.handlers.get(msg.event.lower())
        if handler is None:
            return
        with self.lock:
            handler(msg, self.clock())

    def _new(self, msg: Message, now: float) -> None:
        uid, name = msg["Uniqueid"], msg["Channel"]
        if not uid or not name or uid in self.gone:
            self.unknown += 1
            return
        created = now
        if msg.event.lower() == "coreshowchannel":   # after a (re)connect: how long it has been up
            created = now - _duration(msg["Duration"])
        up = msg["ChannelState"] == UP
        old = self.channels.get(uid)
        number = _digits(msg["Exten"]) or (old.number if old else "")
        self.channels[uid] = Channel(uid, name, interface_of(name), number, old.created if old else created,
                                     (old.answered if old and old.answered else created if up else 0.0))
        while len(self.channels) > MAX_CHANNELS:
            self.channels.popitem(last=False)

    def _state(self, msg: Message, now: float) -> None:
        old = self.channels.get(msg["Uniqueid"])
        if old is None:
            self.unknown += 1
            return
        if msg["ChannelState"] == UP and not old.answered:
            self.channels[old.uniqueid] = replace(old, answered=now)
        elif msg["ChannelState"] != UP and old.answered:    # back to ringing (a redirect): not talking any more
            self.channels[old.uniqueid] = replace(old, answered=0.0)

    def _dial(self, msg: Message, now: float) -> None:
        old = self.channels.get(msg["Uniqueid"])      # the calling channel's snapshot comes first
        if old is None:
            self.unknown += 1
            return
        number = _digits(msg["DialString"]) or _digits(msg["DestExten"])
        if number and not old.number:
            self.channels[old.uniqueid] = replace(old, number=number)

    def _hangup(self, msg: Message, now: float) -> None:
        uid = msg["Uniqueid"]
        if self.channels.pop(uid, None) is None:
            self.unknown += 1
        if uid:
            self.gone[uid] = None
            while len(self.gone) > MAX_GONE:
                self.gone.popitem(last=False)

    def of(self, interfaces: set[str]) -> dict[str, Channel]:
        """The newest channel of each of these interfaces that has one (keys as given; case-insensitive match)."""
        wanted = {i.lower(): i for i in interfaces}
        out: dict[str, Channel] = {}
        with self.lock:
            for ch in self.channels.values():
                key = wanted.get(ch.interface.lower())
                if key is not None and (key not in out or ch.created >= out[key].created):
                    out[key] = ch
        return out
