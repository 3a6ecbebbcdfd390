"""Mitel MiVoice Business / 3300 ICP SMDR: fixed-width records of 90, 101, 112 or 120 columns, FORMATS.md §4."""
from __future__ import annotations

from datetime import date, datetime

from appliance.records import CallRecord, NotACallRecord
from drivers._common import Causes, best_share, choice, fixed_hms_seconds, nearest_date, number, option_values

NAME = "Mitel MiVoice Business"
MODELS = ("MiVoice Business", "3300 ICP")
TRANSPORTS = {"socket": "socket://mivb:1752"}   # the controller is the TCP server on 1752 [MI2]
ENCODING = "latin-1"   # one byte per column keeps the widths
TERMINATOR = b"\r\n"
_FLAGS = ("extended_digits", "ani_dnis", "meter_pulses", "time_24h", "network_format")
_BOOLS = ("1", "yes", "true", "on", "0", "no", "false", "off")   # the flags' values, true ones first
OPTIONS = {
    "extended_digits": ("0", "SMDR Options 'Extended Digit Length': 1 = 7-digit parties (101 columns)"),
    "ani_dnis": ("0", "SMDR Options 'ANI/DNIS Reporting': 1 = ANI and DNIS after the record (112/120 columns)"),
    "meter_pulses": ("0", "SMDR Options 'Report Meter Pulses': 1 = pulses in the last 5 account-code columns"),
    "time_24h": ("0", "SMDR Options '24 Hour Time': 0 = hh:mm with 'P' after PM times, 1 = 24-hour"),
    "network_format": ("0", "SMDR Options 'Network Format': 1 = call ID, sequence and associated call ID appended"),
    "year": ("", "year of the first record (records print MM/DD only); empty = the year each was received"),
}
# Cause-code alerts: the completion status (e.g. B busy [MI1]); none is taken as normal, each one is counted
CAUSES = Causes(("status",), "completion_status", frozenset())
# (name, first column, last column), 1-based as vendor tables print them. UNVERIFIED: no real MiVB line
# and no readable copy of MI1's "Summary of Fields"; positions are the classic SX-2000/3300 layout as we
# know it (FORMATS.md §4). A wrong position is a one-line fix here.
_STANDARD = (("long_call", 1, 1), ("date", 2, 6), ("time", 8, 13), ("duration", 15, 22),
             ("calling", 24, 27), ("attendant", 28, 28), ("answer_s", 30, 32), ("digits", 34, 59),
             ("status", 60, 60), ("speed_forward", 61, 61), ("called", 63, 66), ("transfer", 67, 67),
             ("third_party", 69, 72), ("account", 74, 85), ("route_opt", 86, 86), ("system_id", 87, 89))
_EXTENDED = (("long_call", 1, 1), ("date", 2, 6), ("time", 8, 13), ("duration", 15, 22),
             ("calling", 24, 30), ("attendant", 31, 31), ("answer_s", 33, 35), ("digits", 37, 62),
             ("status", 63, 63), ("speed_forward", 64, 64), ("called", 66, 72), ("transfer", 73, 73),
             ("third_party", 75, 81), ("account", 83, 94), ("route_opt", 95, 95), ("system_id", 96, 98))
_METER = {"90": (("account", 74, 79), ("meter_pulses", 81, 85)), "101": (("account", 83, 88), ("meter_pulses", 90, 94))}
_ANI_DNIS = {"90": (("ani", 92, 101), ("dnis", 103, 112)), "101": (("ani", 103, 112), ("dnis", 114, 120))}
_NETWORK = (("call_id", 2, 9), ("sequence", 11, 11), ("associated_id", 13, 20))   # after the record's end
_WIDTHS = {"90": 90, "101": 101}
_BANDS = ((300, " "), (600, "-"), (1800, "%"))   # long-call marker: < 5, < 10, < 30 min, else "+" [MI1]
_FAILED = ("B", "E")   # completion status: called party busy, caller error (unverified letters)


def layout(extended: bool, ani_dnis: bool, meter: bool, network: bool) -> tuple[tuple[str, int, int], ...]:
    """The (name, first, last) columns for these SMDR options, and the width as ("width", 0, n)."""
    base = "101" if extended else "90"
    fields = dict((name, (a, b)) for name, a, b in (_EXTENDED if extended else _STANDARD))
    width = _WIDTHS[base]
    for name, a, b in (_METER[base] if meter else ()) + (_ANI_DNIS[base] if ani_dnis else ()):
        fields[name] = (a, b)
        width = max(width, b)
    if network:
        fields.update((name, (width + a, width + b)) for name, a, b in _NETWORK)
        width += _NETWORK[-1][2]
    return tuple((name, a, b) for name, (a, b) in fields.items()) + (("width", 0, width),)


def _duration(text: str) -> int:
    """'hh:mm:ss'; 99:99:99 means 100 hours or more [MI1]."""
    return 360000 if text == "99:99:99" else fixed_hms_seconds(text, "Duration", "hh:mm:ss")


class Parser:
    """Stateful for the year: a MM/DD is placed nearest the day received (clock()), else the previous record's."""

    def __init__(self, year: str, **flags: str) -> None:
        on = {key: choice(key, flags[key].strip().lower(), _BOOLS, "0 or 1") in _BOOLS[:4] for key in _FLAGS}
        if year and not (year.isascii() and year.isdigit() and 1970 <= int(year) <= 2199):
            raise ValueError(f"year {year!r}: expected a 4-digit year or nothing")
        self.h24 = on["time_24h"]
        cols = layout(on["extended_digits"], on["ani_dnis"], on["meter_pulses"], on["network_format"])
        self.slices = {name: slice(a - 1, b) for name, a, b in cols[:-1]}
        self.width = cols[-1][2]
        self.first_year, self.dated = (int(year) if year else None), bool(year)   # `year` wins over clock()
        self.ref: date = datetime.now().date()
        self.received: date | None = None

    def clock(self, received: datetime) -> None:
        """When the next line was received (registry.Driver): its year, unless the `year` option is set."""
        self.received = None if self.dated else received.date()

    def _start(self, md: str, hm: str) -> datetime:
        if len(md) != 5 or md[2] != "/" or len(hm) != 6 or hm[2] != ":":
            raise NotACallRecord(f"Date/Time {md!r} {hm!r} is not mm/dd hh:mm")
        # hour may be space-padded (' 8:36P'), unverified
        month, day = number(md[:2], "Date"), number(md[3:], "Date")
        hour, minute = number(hm[:2].lstrip(), "Time"), number(hm[3:5], "Time")
        if not 1 <= month <= 12 or minute > 59:
            raise NotACallRecord(f"Date/Time {md} {hm} is not a date")
        if self.h24:
            if hm[5] != " " or hour > 23:
                raise NotACallRecord(f"Time {hm!r} is not 24-hour hh:mm")
        elif hm[5] not in " Pp" or not 1 <= hour <= 12:
            raise NotACallRecord(f"Time {hm!r} is not 12-hour hh:mm with 'P' for PM")
        else:
            hour = hour % 12 + (12 if hm[5] in "Pp" else 0)
        if self.first_year is not None:   # option year: the first record's year, then follow the dates
            try:
                self.ref = date(self.first_year, month, day)
            except ValueError:
                raise NotACallRecord(f"Date {md!r} is not a date in {self.first_year}") from None
            self.first_year = None
        d = nearest_date(month, day, self.received or self.ref)
        return datetime(d.year, d.month, d.day, hour, minute)

    def parse(self, line: str) -> CallRecord | None:
        """The call on this line; None for blank lines."""
        if not line.strip():
            return None
        if not self.width <= len(line) <= self.width + 20 or line[self.width:].strip():
            raise NotACallRecord(f"{len(line)} characters, this SMDR layout has {self.width}: "
                                 "cut short, another layout (check the SMDR options) or not SMDR")
        f = {name: line[s].strip() for name, s in self.slices.items()}
        talk = _duration(f["duration"])
        marker = next((m for limit, m in _BANDS if talk < limit), "+")
        if line[0] != marker:
            raise NotACallRecord(f"long-call marker {line[0]!r} does not match duration {f['duration']}")
        calling, called, digits = f["calling"], f["called"], f["digits"]
        if not calling:
            raise NotACallRecord("Calling Party is blank")
        start = self._start(line[self.slices["date"]], line[self.slices["time"]])
        answer = f["answer_s"]
        ring = int(answer) if answer.isascii() and answer.isdigit() else 0
        extra = {k: v for k, v in f.items() if v and k not in ("duration", "date", "time", "account")}
        if calling[0] == "T" and calling[1:].isdigit():   # incoming trunk as calling party: 'Tnnn'
            direction, ext, party, trunk = "in", called, f.get("ani", ""), calling[1:]
        elif called[:1] == "T" and called[1:].isdigit():   # outgoing trunk as called party
            direction, ext, party, trunk = "out", calling, digits, called[1:]
        else:
            direction, ext, party, trunk = "internal", calling, called or digits, ""
        answered = talk > 0 and f["status"] not in _FAILED and answer != "***"
        key = f.get("associated_id") or f.get("call_id", "")
        self.ref = start.date()
        return CallRecord(start, direction, ext, party, trunk, ring, talk, answered,
                          f["transfer"] in ("T", "X"), f["account"], key, extra)


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    return Parser(**{key: value.strip() for key, value in option_values("mitel_mivb", options, OPTIONS).items()})


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Best share, over every combination of the SMDR option flags, of non-blank lines read as records."""
    flag_sets = ({key: str(n >> i & 1) for i, key in enumerate(_FLAGS)} for n in range(1 << len(_FLAGS)))
    return best_share(make_parser, flag_sets, lines[:200])
