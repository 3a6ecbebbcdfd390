"""Asterisk queue_log: one call-centre event per line, epoch|callid|queue|agent|EVENT|params, FORMATS.md §8."""
from __future__ import annotations

from datetime import datetime, timezone

from appliance.records import NotACallRecord, QueueEvent
from drivers._common import check_length, option_values, parsed_share

NAME = "Asterisk (queue_log)"
MODELS = ("Asterisk 1.4+", "FreePBX", "Issabel", "Elastix")
TRANSPORTS = {"file": "file:///var/log/asterisk/queue_log"}
ENCODING = "utf-8"     # caller ID names in ENTERQUEUE are written as the channel gave them
TERMINATOR = b"\n"
OPTIONS: dict[str, tuple[str, str]] = {}

# Asterisk formats a queue_log line into an 8192-byte buffer (main/logger.c ast_queue_log); longer is noise.
MAX_CHARS = 8192
# callids that mean "no caller channel": system events [QL2], and CLI for a member added from the
# console (asterisk_queue_log.txt line 6).
_SYSTEM_IDS = ("NONE", "REALTIME", "CLI")
_INT_DIGITS = 10   # seconds, positions, milliseconds: never longer; int() in consumers stays cheap

# EVENT: (fewest params, most params, indexes of the params that must be whole numbers) [QL1, QL2].
# Events with no parameters are printed "EVENT|" (logger.c always writes the fifth '|'): params ().
_EVENTS: dict[str, tuple[int, int, tuple[int, ...]]] = {
    "ABANDON": (3, 3, (0, 1, 2)),              # position|origposition|waittime
    "ADDMEMBER": (0, 0, ()),
    "AGENTCALLBACKLOGIN": (1, 1, ()),          # exten@context
    "AGENTCALLBACKLOGOFF": (2, 3, (1,)),       # exten@context|logintime|reason
    "AGENTDUMP": (0, 0, ()),
    "AGENTLOGIN": (1, 1, ()),                  # channel
    "AGENTLOGOFF": (2, 2, (1,)),               # channel|logintime
    # method|method-data|holdtime|calltime|origposition (Asterisk 12+). The LINK method's data is two
    # channel names, so 6 params (app_queue.c from memory: unverified).
    "ATTENDEDTRANSFER": (5, 6, (-3, -2, -1)),
    "BLINDTRANSFER": (5, 5, (2, 3, 4)),        # extension|context|holdtime|calltime|origposition
    "COMPLETEAGENT": (3, 3, (0, 1, 2)),        # holdtime|calltime|origposition
    "COMPLETECALLER": (3, 3, (0, 1, 2)),
    "CONFIGRELOAD": (0, 0, ()),
    # The DID the caller dialled, written by FreePBX's queue dialplan before ENTERQUEUE (FreePBX 2.8+;
    # not in our samples: seen in FreePBX's ext-queues dialplan, unverified against a capture).
    "DID": (1, 1, ()),
    # holdtime|bridgedchanneluniqueid|ringtime; older versions print no ringtime
    # (asterisk_queue_log_freepbx_2010.txt line 8: 'CONNECT|1|1266833911.7').
    "CONNECT": (2, 3, (0, 2)),
    # url|callerid, plus the caller's position on newer versions (asterisk_queue_log.txt: '||7000|1').
    "ENTERQUEUE": (2, 3, (2,)),
    "EXITEMPTY": (3, 3, (0, 1, 2)),            # position|origposition|waittime
    "EXITWITHKEY": (4, 4, (1, 2, 3)),          # key|position|origposition|waittime
    "EXITWITHTIMEOUT": (3, 3, (0, 1, 2)),      # position|origposition|waittime
    "QUEUESTART": (0, 0, ()),
    "REMOVEMEMBER": (0, 0, ()),
    "RINGCANCELED": (0, 1, (0,)),              # listed without params [QL2]; newer ones print ringtime ms
    "RINGNOANSWER": (1, 1, (0,)),              # ringtime in ms
    "SYSCOMPAT": (0, 0, ()),
    "TRANSFER": (5, 5, (2, 3, 4)),             # extension|context|holdtime|calltime|origposition
    # Unverified: in current Asterisk (PAUSE/UNPAUSE with an optional reason), but not read in a
    # primary source here (FORMATS.md §8).
    "PAUSE": (0, 1, ()),
    "UNPAUSE": (0, 1, ()),
    "PAUSEALL": (0, 1, ()),
    "UNPAUSEALL": (0, 1, ()),
    "PAUSEREASON": (0, 1, ()),
}
EVENTS = tuple(sorted(_EVENTS))


def _time(text: str) -> datetime:
    """Epoch seconds -> aware UTC datetime."""
    if not (text.isascii() and text.isdigit()) or not 9 <= len(text) <= 10:   # 2001-09-09 .. 2286
        raise NotACallRecord(f"time {text[:40]!r} is not epoch seconds")
    return datetime.fromtimestamp(int(text), timezone.utc)


class Parser:
    """Stateless: every queue_log line is a complete event."""

    def parse(self, line: str) -> QueueEvent | None:
        """Return the queue event on this line, None for a blank line."""
        check_length(line, MAX_CHARS, "a queue_log line")
        f = line.split("|")
        n = len(f)
        if n < 6:
            if not line.strip():
                return None
            raise NotACallRecord(f"{n} fields, expected epoch|callid|queue|agent|EVENT|params")
        when = _time(f[0])
        event = f[4]
        shape = _EVENTS.get(event)
        if shape is None:
            raise NotACallRecord(f"event {event[:40]!r} is not a queue_log event")
        params = tuple(f[5:]) if n > 6 or f[5] else ()
        low, high, numbers = shape
        count = len(params)
        if not low <= count <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise NotACallRecord(f"{event} with {count} parameters, expected {want}")
        for i in numbers:
            if -count <= i < count:
                value = params[i]
                if not (value.isascii() and value.isdigit()) or len(value) > _INT_DIGITS:
                    raise NotACallRecord(f"{event} parameter {i % count + 1} {value[:40]!r} is not a number")
        callid = f[1]
        if not callid:
            raise NotACallRecord("empty callid (a caller uniqueid, NONE or REALTIME)")
        queue = "" if f[2] == "NONE" else f[2]
        agent = "" if f[3] == "NONE" else f[3]
        return QueueEvent(when, "" if callid in _SYSTEM_IDS else callid, queue, agent, event, params)


def make_parser(**options: str) -> Parser:
    """A parser; the queue_log driver has no options."""
    option_values("asterisk_queue_log", options, OPTIONS)
    return Parser()


parse = Parser().parse


def looks_like(lines: list[str]) -> float:
    """Share of the non-blank lines that parse as queue_log events."""
    return parsed_share(parse, lines)
