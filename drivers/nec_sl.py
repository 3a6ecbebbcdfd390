"""NEC UNIVERGE SL1100/SL2100 (SV8100/SV9100) SMDR: fixed-width 79-column records, FORMATS.md §3."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from appliance.records import CallRecord, NotACallRecord
from drivers._common import choice, fixed_hms_seconds, month_day, nearest_date, number, option_values, parsed_share

NAME = "NEC SL / SV"
MODELS = ("SL1100", "SL2100", "SV8100", "SV9100")
TRANSPORTS = {"serial": "serial:///dev/ttyUSB0?baud=9600&bytesize=8&parity=N&stopbits=1"}
ENCODING = "latin-1"   # one byte per column keeps the widths
TERMINATOR = b"\r\n"   # CR LF after every header and record line [NE1]
OPTIONS = {
    "format": ("0", "PRG 35-01-08: 0 North America (MM/DD dates), 1 overseas (DD/MM; its Format2 records, after a "
                    "sequence counter and with RD/COST, are read either way)"),
    "show_date": ("1", "PRG 35-02-14: 1 records carry a DATE column (MM/DD), 0 they do not "
                       "(date from the page header)"),
}
WIDTH = 79   # the account column ends at 79 [NE1]
# 0-based slices of the record [NE1 tables 1-67/1-68]: (time, date, line, duration, station, dialled, account)
_LAYOUTS = {
    "1": (slice(5, 10), slice(11, 16), slice(17, 21), slice(22, 30), slice(31, 41), slice(42, 62), slice(63, 79)),
    "0": (slice(5, 10), None, slice(11, 21), slice(22, 30), slice(31, 41), slice(42, 62), slice(63, 79)),
}
# Format2 (PRG 35-01-08 = 1) [SL2100 Programming Manual 35-01, Table 2-12]: a 2-digit counter, class, time, line (10),
# duration, station (10), dialled (16), RD/COST `$hh,hhh` (60:67), account (8): slices after the counter's "aa ", the
# class 5 wide as the field's `01 PIN   09:19 003` shows (issue 22).
_FORMAT2 = (slice(6, 11), None, slice(12, 22), slice(23, 31), slice(32, 42), slice(43, 59), slice(68, 76))
# Class column -> direction [NE1]; "transfer" (PTRS/ITRS): the last call's on that line. SAD/WAD (sensor / remote
# inspection dial-outs) and BRD (blocked by toll restriction) seized or tried a trunk: calls; BRD is never answered.
_CLASSES = {"POT": "out", "POTA": "out", "POTP": "out", "POTW": "out", "IVOT": "out", "IVOTP": "out", "IDOT": "out",
            "SAD": "out", "WAD": "out", "BRD": "out", "PIN": "in", "IVIN": "in", "IDIN": "in", "ICM": "internal",
            "SDTA": "internal", "PTRS": "transfer", "ITRS": "transfer"}


class Parser:
    """Stateful: the page header gives the year (and, without a DATE column, the day); NEXT lines name
    the previous record's caller; PTRS/ITRS take the direction of the last call on their line."""

    def __init__(self, format: str, show_date: str) -> None:
        choice("format", format, ("0", "1"), "0 (North America) or 1 (overseas)")
        choice("show_date", show_date, ("0", "1"), "0 or 1 (PRG 35-02-14)")
        self.dmy = format == "1"   # overseas: DD/MM (the Format2 title line says so too)
        self.layout = _LAYOUTS[show_date]
        # Before the first page header the day comes from clock(), else (detection, tests) from the clock now
        self.ref = datetime.now().date()
        self.received: datetime | None = None
        self.header: tuple[int, ...] | None = None   # the last page header's numbers, as printed
        self.last_minute = -1
        self.previous: CallRecord | None = None
        self.line_direction: dict[str, str] = {}

    def clock(self, received: datetime) -> None:
        """When the next line was received (registry.Driver): the day before a page header, a DATE column's year."""
        self.received = received

    def _header(self, text: str) -> None:
        """Header line 1: 60 spaces, MM/DD/YYYY (DD/MM/YYYY overseas), PAGE, page number [NE1]."""
        parts = text.split()
        if len(parts) != 3 or parts[1] != "PAGE" or len(parts[0]) != 10 or not parts[2].isdigit():
            raise NotACallRecord(f"page header {text[:80]!r} is not 'MM/DD/YYYY PAGE nnn'")
        self.header = tuple(number(part, "Header date") for part in (parts[0][:2], parts[0][3:5], parts[0][6:]))
        self._date_header()

    def _date_header(self) -> None:
        a, b, year = self.header or (0, 0, 0)
        try:   # a first number over 12 is a day whatever `format` says
            self.ref, self.last_minute = (date(year, b, a) if self.dmy or a > 12 else date(year, a, b)), -1
        except ValueError:
            raise NotACallRecord(f"page header date '{a:02d}/{b:02d}/{year:04d}' is not a date") from None

    def _day(self, text: str, minute: int) -> date:
        """The call's date: DATE column MM/DD (or DD/MM) near the last one, else the running day."""
        if text:
            month, day = month_day(text, "MM/DD", self.dmy)
            return nearest_date(month, day, self.received.date() if self.received and not self.header else self.ref)
        if self.header is None and self.received is not None:   # no page header yet: the day it was received
            late = minute > self.received.hour * 60 + self.received.minute + 5   # printed after midnight
            return self.received.date() - timedelta(days=late)
        # No date printed (PRG 35-02-14=0, or an ICM call): the clock going back 12 h means midnight passed.
        return self.ref + timedelta(days=minute < self.last_minute - 720)

    def parse(self, line: str) -> CallRecord | None:
        """The call on this line; None for blank, header, NEXT and ALB lines."""
        text = line.strip()
        if not text or (text.startswith(("CLASS", "CLSS")) and "TIME" in line):
            if "COST" in line and not self.dmy and self.header:   # Format2's title: an overseas printout
                self.dmy = True
                self._date_header()
            return None
        if line[:60].isspace() and "PAGE" in line:
            self._header(text)
            return None
        layout, width, counter = self.layout, WIDTH, ""
        if line[:2].isdigit() and line[2:3] == " " and line[3:4].isalpha():   # Format2: `01 PIN   09:19 003 ...`
            layout, width, counter, line = _FORMAT2, WIDTH - 3, line[:2], line[3:]
        cls = line[:5].rstrip()
        if cls in ("NEXT", "ALB"):   # NEXT: the previous record's caller name [NE1]; ALB: all lines busy; no call
            if cls == "NEXT" and self.previous is not None:
                self.previous.extra["name"] = line[5:].strip()
            return None
        if cls == "BFL":   # quarantined on purpose, so the installer sees that the PBX dropped records
            raise NotACallRecord("BFL: the PBX reports its SMDR buffer full, calls were lost inside the PBX")
        kind = _CLASSES.get(cls)
        if kind is None:
            raise NotACallRecord(f"class {cls[:8]!r} is not an NEC SMDR call class")
        if not width <= len(line) <= width + 20 or line[width:].strip():   # a few pad spaces are harmless
            raise NotACallRecord(f"{len(line) + WIDTH - width} characters, an NEC SMDR record is {WIDTH}: cut short")
        extra = {k: v for k, v in (("class", cls), ("seq", counter), ("cost", counter and line[60:67].strip())) if v}
        return self._record(line, cls, kind, layout, extra)

    def _record(self, line: str, cls: str, kind: str, layout: tuple, extra: dict[str, str]) -> CallRecord:
        time_s, date_s, line_s, dur_s, stn_s, dial_s, acc_s = layout
        hhmm = line[time_s]
        if len(hhmm) != 5 or hhmm[2] != ":":
            raise NotACallRecord(f"Time {hhmm!r} is not HH:MM")
        hour, minute = number(hhmm[:2], "Time"), number(hhmm[3:], "Time")
        if hour > 23 or minute > 59:
            raise NotACallRecord(f"Time {hhmm!r} is not a 24-hour time")
        day = self._day(line[date_s].strip() if date_s else "", hour * 60 + minute)
        duration = line[dur_s].strip()   # blank for unanswered incoming and blocked calls: 0
        talk = fixed_hms_seconds(duration, "Duration") if duration else 0
        trunk, account = line[line_s].strip(), line[acc_s].strip()
        no_answer = account == "NO ANSWER"
        direction = self.line_direction.get(trunk, "in") if kind == "transfer" else kind   # the class does not say
        if kind not in ("transfer", "internal") and trunk:
            if len(self.line_direction) > 4096:
                self.line_direction.clear()
            self.line_direction[trunk] = direction
        self.ref, self.last_minute = day, hour * 60 + minute
        rec = CallRecord(datetime(day.year, day.month, day.day, hour, minute), direction, line[stn_s].strip(),
                         line[dial_s].strip(), trunk, 0, talk, talk > 0 and not no_answer and cls != "BRD",
                         kind == "transfer", "" if no_answer else account, "", extra)
        self.previous = rec
        return rec


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    return Parser(**{key: value.strip() for key, value in option_values("nec_sl", options, OPTIONS).items()})


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Best share, over the four option sets, of non-blank lines read as records, headers or NEXT lines."""
    return max(parsed_share(make_parser(format=f, show_date=d).parse, lines, skipped_fit=True)
               for f in "01" for d in "01")
