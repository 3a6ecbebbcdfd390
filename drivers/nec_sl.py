"""NEC UNIVERGE SL1100/SL2100 (SV8100/SV9100) SMDR: fixed-width 79-column records, FORMATS.md §3."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from appliance.records import CallRecord, NotACallRecord
from drivers._common import choice, fixed_hms_seconds, month_day, nearest_date, number, option_values

NAME = "NEC SL / SV"
MODELS = ("SL1100", "SL2100", "SV8100", "SV9100")
TRANSPORTS = {"serial": "serial:///dev/ttyUSB0?baud=9600&bytesize=8&parity=N&stopbits=1"}
ENCODING = "latin-1"   # one byte per column keeps the widths
TERMINATOR = b"\r\n"   # CR LF after every header and record line [NE1]
OPTIONS = {
    "format": ("0", "PRG 35-01 SMDR format: 0 North America (MM/DD dates), 1 overseas (DD/MM dates)"),
    "show_date": ("1", "PRG 35-02-14: 1 records carry a DATE column (MM/DD), 0 they do not "
                       "(date from the page header)"),
}
WIDTH = 79   # the account column ends at 79 [NE1]
# 0-based slices of the record [NE1 tables 1-67/1-68]: (time, date, line, duration, station, dialled, account)
_LAYOUTS = {
    "1": (slice(5, 10), slice(11, 16), slice(17, 21), slice(22, 30), slice(31, 41), slice(42, 62), slice(63, 79)),
    "0": (slice(5, 10), None, slice(11, 21), slice(22, 30), slice(31, 41), slice(42, 62), slice(63, 79)),
}
# Class column -> direction [NE1]. "transfer" (PTRS/ITRS) takes the direction of the last call on that line.
# SAD/WAD (sensor / remote inspection dial-outs) and BRD (blocked by toll restriction) are outgoing call
# attempts that seized or tried to seize a trunk, so they are kept as calls; BRD is never answered.
_CLASSES = {"POT": "out", "POTA": "out", "POTP": "out", "POTW": "out", "IVOT": "out", "IVOTP": "out",
            "IDOT": "out", "SAD": "out", "WAD": "out", "BRD": "out",
            "PIN": "in", "IVIN": "in", "IDIN": "in", "ICM": "internal", "SDTA": "internal",
            "PTRS": "transfer", "ITRS": "transfer"}


class Parser:
    """Stateful: the page header gives the year (and, without a DATE column, the day); NEXT lines name
    the previous record's caller; PTRS/ITRS take the direction of the last call on their line."""

    def __init__(self, format: str, show_date: str) -> None:
        choice("format", format, ("0", "1"), "0 (North America) or 1 (overseas)")
        choice("show_date", show_date, ("0", "1"), "0 or 1 (PRG 35-02-14)")
        self.dmy = format == "1"   # our reading of "overseas": DD/MM order (unverified)
        self.layout = _LAYOUTS[show_date]
        # Before the first page header the year (or day) comes from the clock when the parser was made.
        self.ref = datetime.now().date()
        self.last_minute = -1
        self.previous: CallRecord | None = None
        self.line_direction: dict[str, str] = {}

    def _header(self, text: str) -> None:
        """Header line 1: 60 spaces, MM/DD/YYYY, PAGE, page number [NE1]."""
        parts = text.split()
        if len(parts) != 3 or parts[1] != "PAGE" or len(parts[0]) != 10 or not parts[2].isdigit():
            raise NotACallRecord(f"page header {text[:80]!r} is not 'MM/DD/YYYY PAGE nnn'")
        d = parts[0]
        a, b, year = number(d[:2], "Header date"), number(d[3:5], "Header date"), number(d[6:], "Header date")
        try:
            self.ref = date(year, a, b) if not self.dmy else date(year, b, a)
        except ValueError:
            raise NotACallRecord(f"page header date {d!r} is not a date") from None
        self.last_minute = -1

    def _day(self, text: str, minute: int) -> date:
        """The call's date: DATE column MM/DD (or DD/MM) near the last one, else the running day."""
        if text:
            month, day = month_day(text, "MM/DD", self.dmy)
            return nearest_date(month, day, self.ref)
        # No date printed (PRG 35-02-14=0, or an ICM call): the clock going back 12 h means midnight passed.
        if minute < self.last_minute - 720:
            return self.ref + timedelta(days=1)
        return self.ref

    def parse(self, line: str) -> CallRecord | None:
        """The call on this line; None for blank, header, NEXT and ALB lines."""
        text = line.strip()
        if not text or (line.startswith("CLASS") and "TIME" in line):
            return None
        if line[:60].isspace() and "PAGE" in line:
            self._header(text)
            return None
        cls = line[:5].rstrip()
        if cls == "NEXT":   # calling-party name for the previous record [NE1]: noted on it, no call
            if self.previous is not None:
                self.previous.extra["name"] = line[5:].strip()
            return None
        if cls == "ALB":   # all lines in a group busy: an event, no call
            return None
        if cls == "BFL":   # quarantined on purpose, so the installer sees that the PBX dropped records
            raise NotACallRecord("BFL: the PBX reports its SMDR buffer full, calls were lost inside the PBX")
        kind = _CLASSES.get(cls)
        if kind is None:
            raise NotACallRecord(f"class {cls[:8]!r} is not an NEC SMDR call class")
        if not WIDTH <= len(line) <= WIDTH + 20 or line[WIDTH:].strip():   # a few pad spaces are harmless
            raise NotACallRecord(f"{len(line)} characters, an NEC SMDR record is {WIDTH}: cut short or not SMDR")
        return self._record(line, cls, kind)

    def _record(self, line: str, cls: str, kind: str) -> CallRecord:
        time_s, date_s, line_s, dur_s, stn_s, dial_s, acc_s = self.layout
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
        if kind == "transfer":   # "Transferred call (Incoming/Outgoing)": the class alone does not say which
            direction = self.line_direction.get(trunk, "in")
        else:
            direction = kind
            if trunk and direction != "internal":
                if len(self.line_direction) > 4096:
                    self.line_direction.clear()
                self.line_direction[trunk] = direction
        self.ref, self.last_minute = day, hour * 60 + minute
        rec = CallRecord(datetime(day.year, day.month, day.day, hour, minute), direction, line[stn_s].strip(),
                         line[dial_s].strip(), trunk, 0, talk, talk > 0 and not no_answer and cls != "BRD",
                         kind == "transfer", "" if no_answer else account, "", {"class": cls})
        self.previous = rec
        return rec


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    return Parser(**{key: value.strip() for key, value in option_values("nec_sl", options, OPTIONS).items()})


parse = make_parser().parse


def _score(parser: Parser, lines: list[str]) -> float:
    good = bad = header = 0
    for line in lines:
        try:
            rec = parser.parse(line)
        except NotACallRecord:
            bad += 1
            continue
        good += rec is not None
        header += rec is None and (line.startswith("CLASS") or "PAGE" in line)
    if good:
        return good / (good + bad)
    return 0.5 if header and not bad else 0.0


def looks_like(lines: list[str]) -> float:
    """Best share, over the four option sets, of non-blank lines read as records or headers."""
    return max(_score(make_parser(format=f, show_date=d), lines) for f in "01" for d in "01")
