"""The types passed between pipeline stages: a driver's CallRecord, the journal's Entry and a call's CallPrice."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

# "system": a leg to a dialplan target or feature code (IVR menu, voicemail, `*97`): part of a call's path, never an
# outgoing call, never priced, not counted as a call in reports (drivers._common.dialplan_target)
DIRECTIONS = ("in", "out", "internal", "system")


class NotACallRecord(ValueError):
    """Raised by a driver's parse() for a line it cannot read as a call record.

    The message is the reason shown to the installer in the quarantine list, so it names what is wrong
    ("Call Start '2017/13/01 08:13:24' is not a date", "30 fields, expected 30, 34 or 35").
    """


@dataclass(slots=True)
class CallRecord:
    """One leg of a call, as a driver read it from one line (or one multi-line record).

    `start` is naive when the PBX prints its own local wall-clock time (the parse stage attaches the
    configured time zone, DST included), and aware when the format is absolute (epoch seconds, UTC).
    """

    start: datetime
    direction: str                # one of DIRECTIONS
    extension: str                # our side: the extension (or device) that made or took the call
    party: str                    # the other side: number dialled, caller ID, or the other extension
    trunk: str = ""               # trunk / line / CO the call used, "" for internal calls
    ring_s: int = 0               # seconds ringing before answer (or before giving up)
    talk_s: int = 0               # seconds connected
    answered: bool = False
    transferred: bool = False
    account_code: str = ""
    # Legs whose driver gives the same call_key are one logical call (IP Office Call ID, Asterisk
    # linkedid). "" means the leg is a call of its own.
    call_key: str = ""
    # Driver-specific fields worth keeping beside the leg (names, devices, causes); plain strings.
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class QueueEvent:
    """One call-centre queue event (Asterisk queue_log): stored beside the calls, linked by call_key."""

    time: datetime                # aware (queue_log writes epoch seconds)
    call_key: str                 # the caller channel's uniqueid; "" for system events (NONE, REALTIME, CLI)
    queue: str                    # queue name, "" or "NONE" for system events
    agent: str                    # member channel / agent, "" or "NONE" when none
    event: str                    # ENTERQUEUE, CONNECT, COMPLETECALLER, ABANDON, ...
    params: tuple[str, ...] = ()  # the event's parameters as printed, in order


@dataclass(slots=True)   # not frozen: the parse stage makes one per line, and frozen init is 3x slower
class Entry:
    """One journal entry: exactly the bytes received, when, and from where."""

    ref: tuple[int, int]          # (segment number, byte offset of the entry in that segment)
    received_ns: int              # UTC, nanoseconds since the epoch
    source: str                   # e.g. "serial:/dev/ttyUSB0", "tcp:10.0.0.5:51234", "file:/var/log/x.csv"
    data: bytes                   # the line as received, terminator included
    flags: int = 0
    size: int = 0                 # bytes the entry takes in its segment

    @property
    def next_ref(self) -> tuple[int, int]:
        """The cursor just past this entry."""
        return (self.ref[0], self.ref[1] + self.size)

    @property
    def ref_text(self) -> str:
        """The reference users see and quote: "SEGMENT:OFFSET"."""
        return f"{self.ref[0]}:{self.ref[1]}"


# Entry.flags
PARTIAL = 1   # no terminator: cut at the maximum line length, or flushed when the link went idle or down
EVENT = 2     # not PBX data: a capture event (link up/down) encoded as JSON


# A NamedTuple, not a frozen dataclass: it is as immutable, and the writers spread it straight into a call row
# (`(*price, call_id)`) in column order. Made and spread once per priced call, it costs 0.38 us against 0.98 us
# for a frozen slots dataclass plus a tuple of its fields (0.16 us for a bare tuple; Python 3.11, this machine).
class CallPrice(NamedTuple):
    """The rating stage's result for one call (Pricer.price): the price columns of its `call` row, in order.

    `cost` is exact decimal text, or None (stored as NULL) when the call is not charged or cannot be priced."""

    kind: str = ""                # number class: local, mobile, international_fixed, ... ("" = not classified)
    number: str = ""              # the number as called (E.164, or a short number)
    cost: str | None = None
    currency: str = ""
    destination: str = ""
    tariff: str = ""              # "provider / plan @ version date"
    # 0 or 1, an int: the sqlite3 module binds an exact int directly, a bool through its adapter registry
    # first (0.45 us a value, STACK.md §10)
    capped: int = 0
    # 1 when the numbering library does not know the number (a range newer than its data): priced by prefix by the
    # dialling plan's reading, and counted on the status page (issue 21); an int for the reason above
    unknown_number: int = 0


PRICE_COLUMNS: tuple[str, ...] = CallPrice._fields   # the `call` columns a CallPrice fills, in order
UNPRICED = CallPrice()   # what a call is stored with when no numbering plan is configured
