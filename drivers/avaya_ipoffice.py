"""Avaya IP Office SMDR: comma-separated call segments (30, 34 or 35 fields, no quoting), FORMATS.md §1."""
from __future__ import annotations

from appliance.records import CallRecord, NotACallRecord
from drivers._common import (LazyFields, check_length, hms_seconds, iso_datetime, line_only, option_values,
                             parsed_share, seconds)

NAME = "Avaya IP Office"
MODELS = ("IP500 V2", "IP500", "IP Office Server Edition", "IP Office 500")
TRANSPORTS = {
    "tcp-listen": "tcp-listen://0.0.0.0:1150",   # the IPO is the TCP client, pushing to our port [AV2]
    "socket": "socket://ipoffice:8808",          # emceha's logger connects to the IPO instead
}
ENCODING = "utf-8"           # names are UTF-8 (Polish in emceha-ipo500-2017-07.raw)
TERMINATOR = b"\r\n"
OPTIONS: dict[str, tuple[str, str]] = {}
# Every record of one Call ID prints the call's own start, and their Connected Times follow each other
# (emceha-ipo500-2017-07.raw lines 1364 and 1366: both 13:00:24, 10 s then 17 s): a call's talk time is
# their sum. Drivers whose legs have their own start times leave this out (the union is taken).
LEGS_ARE_SEGMENTS = True
# A record's identity: Call ID (reset by a PBX restart) + Call Start + Continuation, and the segment's own fields
# (devices, times), as several segments of one call share the first three: that is the whole line, from any link.
identity = line_only

FIELD_COUNTS = (30, 34, 35)
MAX_CHARS = 2000   # real records are 150-250 characters; anything far longer is noise, not a call
# Fields 18-27 (charging / AoC) are empty in every capture we have; kept in extra only when set.
_CHARGE_NAMES = ("auth_valid", "auth_code", "user_charged", "call_charge", "currency",
                 "amount_at_last_user_change", "call_units", "units_at_last_user_change",
                 "cost_per_unit", "mark_up")
_LATE_NAMES = ("caller_server_ip", "caller_unique_id", "called_server_ip", "called_unique_id",
               "record_time")


def _extra(f: list[str]) -> dict[str, str]:
    """The fields of a record that have no CallRecord column of their own."""
    extra = {
        "caller": f[3], "called": f[5], "dialled": f[6], "is_internal": f[8], "continuation": f[10],
        "party1_device": f[11], "party1_name": f[12], "party2_device": f[13], "party2_name": f[14],
        "hold_s": f[15], "park_s": f[16], "targeting_cause": f[27], "targeter_id": f[28], "targeted_number": f[29],
    }
    for name, value in zip(_CHARGE_NAMES, f[17:27]):
        if value:
            extra[name] = value
    if len(f) > 30:
        extra.update(zip(_LATE_NAMES, f[30:]))
    return extra


def _devices(dev1: str, dev2: str) -> tuple[str, str]:
    """(extension, trunk) from Party1Device / Party2Device."""
    # Our side is the E device, whichever party it is: inbound trunk calls print the answering
    # extension as Party1 and the trunk as Party2 (emceha line 72). No E device: a voicemail
    # channel (V95xx, line 736) or nothing (trunk-to-trunk transfer leg, line 1366).
    if dev1[:1] == "E":
        extension = dev1[1:]
    elif dev2[:1] == "E":
        extension = dev2[1:]
    elif dev1[:1] == "V":
        extension = dev1
    elif dev2[:1] == "V":
        extension = dev2
    else:
        extension = ""
    # trunk = the T device number ('9005' = Line 5); the channel name 'Line 5.0' goes to extra.
    trunk = dev2[1:] if dev2[:1] == "T" else dev1[1:] if dev1[:1] == "T" else ""
    return extension, trunk


CACHE_MAX = 20000   # values kept per cache below; a full cache starts again


class Parser:
    """Stateless: every IPO line is a complete call segment. (It remembers what it read of fields whose values recur
    on nearly every line: durations, ring times, the device pairs. The same text, the same value.)"""

    def __init__(self) -> None:
        self._talk: dict[str, int] = {}
        self._ring: dict[str, int] = {}
        self._devices: dict[tuple[str, str], tuple[str, str]] = {}

    def parse(self, line: str) -> CallRecord | None:
        """Return the call segment on this line, None for blank and logger-header lines."""
        check_length(line, MAX_CHARS, "an SMDR record")
        f = line.split(",")
        n = len(f)
        if f[0] == "DATETIME":   # header written by emceha's logger (line 1), not by the PBX
            return None
        if n not in FIELD_COUNTS:
            if not line.strip():
                return None
            raise NotACallRecord(f"{n} fields, expected 30, 34 or 35")
        start = iso_datetime(f[0], "Call Start", "/")
        talk = self._talk.get(f[1])
        if talk is None:
            talk = _remember(self._talk, f[1], hms_seconds(f[1], "Connected Time"))
        ring = self._ring.get(f[2])
        if ring is None:
            ring = _remember(self._ring, f[2], seconds(f[2], "Ring Time"))
        hold, park = f[15], f[16]   # validated only: talk_s excludes hold and park [AV1]
        if not (hold == "0" == park or (0 < len(hold) < 10 and 0 < len(park) < 10 and (hold + park).isascii()
                                        and (hold + park).isdigit())):
            seconds(hold, "Hold Time")   # one check for both on the hot path; this names the wrong one
            seconds(park, "Park Time")
        caller, dir_flag, called, internal, call_id, cont = f[3], f[4], f[5], f[8], f[9], f[10]
        if internal not in ("0", "1") or cont not in ("0", "1"):
            raise NotACallRecord(f"Is Internal {internal[:10]!r} / Continuation {cont[:10]!r} not 0 or 1")
        if not (call_id.isascii() and call_id.isdigit()):
            raise NotACallRecord(f"Call ID {call_id[:40]!r} is not a number")
        if dir_flag == "I":
            direction = "in"
            party = caller.partition("@")[0]   # SIP trunks give 'number@IP' (emceha line 736)
        elif dir_flag == "O":
            # Is Internal=0 also covers calls that never reached a trunk (V8000 'U1 0.0' attempts,
            # voicemail V95xx, lines 3 and 5): they stay "out" with trunk "", as the PBX says.
            direction = "internal" if internal == "1" else "out"
            party = called
        else:
            raise NotACallRecord(f"Direction {dir_flag[:10]!r} is not I or O")
        devices = f[11], f[13]
        ours = self._devices.get(devices)
        if ours is None:
            ours = _remember(self._devices, devices, _devices(*devices))
        cause = f[27]
        # Answered = connected: Connected Time is 00:00:00 for lost/failed calls and rounded up to the
        # next second otherwise [AV1]. A call taken by voicemail counts as answered (the trunk did).
        return CallRecord(start, direction, ours[0], party, ours[1], ring, talk, talk > 0,
                          cont == "1" or "Xf" in cause, f[7], call_id, LazyFields(_extra, f))  # type: ignore[arg-type]


def _remember(cache: dict, key, value):
    """`value`, kept in `cache` under `key`."""
    if len(cache) >= CACHE_MAX:
        cache.clear()
    cache[key] = value
    return value


def make_parser(**options: str) -> Parser:
    """A parser; the IP Office driver has no options."""
    option_values("avaya_ipoffice", options, OPTIONS)
    return Parser()


parse = Parser().parse


def looks_like(lines: list[str]) -> float:
    """Share of the non-blank, non-header lines that parse as IPO SMDR records."""
    return parsed_share(parse, lines)
