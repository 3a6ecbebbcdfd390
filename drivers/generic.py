"""Generic SMDR/CDR: a CSV or fixed-width layout described by the installer in [pbx] options."""
import re
from datetime import datetime, timedelta

from appliance.records import CallRecord, NotACallRecord
from drivers._common import (DURATIONS, check_length, configured_datetime, configured_duration, delimited,
                             fixed_columns, format_regex, regex)

NAME = "Generic (layout described in the config)"   # for the PBXs of FORMATS.md §11, which have no driver
MODELS = ("Siemens HiPath / OpenScape", "Alcatel-Lucent OmniPCX", "Samsung OfficeServ", "LG-Ericsson iPECS",
          "Grandstream UCM", "Avaya Communication Manager", "any CSV or fixed-width call record")
TRANSPORTS = {"serial": "serial:///dev/ttyUSB0?baud=9600&bytesize=8&parity=N&stopbits=1", "file": "file:///pbx.csv",
              "socket": "socket://pbx:2000", "tcp-listen": "tcp-listen://0.0.0.0:2000"}
ENCODING = "latin-1"   # one byte per column keeps fixed widths, and it never fails to decode
TERMINATOR = b"\r\n"

FIELDS = ("start_date", "start_time", "start", "end_date", "end_time", "end", "duration", "ring", "talk",
          "extension", "party", "caller", "called", "trunk", "direction", "account_code", "call_key")
# Every default is a str: Config types an option by its default. The defaults describe a neutral CSV.
OPTIONS = {
    "layout": ("csv", "csv (delimited fields) or fixed (fields at fixed character positions)"),
    "columns": ("start,direction,extension,party,trunk,ring,talk,account_code,call_key",
                "csv: each column's field, '-' to ignore it; fixed: field:first-last (1-based, inclusive)"),
    "delimiter": (",", "csv: the one-character field separator, 'tab' for a tab"),
    "quotechar": ('"', "csv: the quote character, empty for none"),
    "skip_lines_matching": ("", "regex matched at the start of a line: such lines (headers) are skipped"),
    "date_format": ("%d/%m/%Y", "start_date/end_date: %d %m %y (= 20yy) %Y, other characters literal"),
    "time_format": ("%H:%M:%S", "start_time/end_time: %H %M, optional %S"),
    "datetime_format": ("%Y-%m-%d %H:%M:%S", "start/end (date and time in one field)"),
    "duration_format": ("seconds", "ring, talk, duration (= ring + talk): " + ", ".join(DURATIONS) + "; blank = 0"),
    "time_is": ("start", "start, or end: the start_* columns print the end of the call (start = it - duration)"),
    "direction_in": ("in", "comma-separated values of the direction column meaning an incoming call"),
    "direction_out": ("out", "values of the direction column meaning an outgoing call"),
    "direction_internal": ("internal", "values of the direction column meaning an internal call"),
    "extension_pattern": (r"\d{2,6}", "no direction column: internal numbers regex; both = internal, called = in"),
}
_CHOICES = {"layout": ("csv", "fixed"), "time_is": ("start", "end"), "duration_format": tuple(DURATIONS)}


def _layout(fixed: bool, spec: str, time_is_end: bool) -> tuple[list, int, set[str]]:
    """The named columns, (name, index) or (name, first, end); the width in fields or characters; the names.
    The layout must give a time, a call length, a direction and both parties."""
    cols: list[tuple] = [(name.strip(), i) for i, name in enumerate(spec.split(","))]
    width = len(cols)
    if fixed:
        cols, width = fixed_columns("columns", spec)
    cols = [c for c in cols if c[0] != "-"]
    names = [c[0] for c in cols]
    bad, have = [n for n in names if n not in FIELDS or names.count(n) > 1], set(names)
    start, end = bool(have & {"start", "start_date"}), bool(have & {"end", "end_date"})
    for failed, why in (
            (bool(bad), f"{bad[:1]} is unknown or repeated; fields are {', '.join(FIELDS)}"),
            *(((w in have and f"{w}_date" in have) or (f"{w}_date" in have) != (f"{w}_time" in have),
               f"give {w}, or {w}_date with {w}_time") for w in ("start", "end")),
            (not (start or end), "no start or end date/time column"),
            (time_is_end and (end or not start), "time_is = end wants start columns and no end columns"),
            (not have & {"talk", "duration"} and not (start and end), "no talk or duration, nor start and end"),
            (not ({"caller", "called"} <= have or {"direction", "extension", "party"} <= have),
             "needs caller and called (direction then from extension_pattern), or direction, extension and party")):
        if failed:
            raise ValueError(f"columns: {why}")
    return cols, width, have


class Parser:
    """Stateless; the layout and every format are checked and compiled once, here."""

    def __init__(self, o: dict[str, str]) -> None:
        self.fixed, self.start_is_end = o["layout"] == "fixed", o["time_is"] == "end"
        self.cols, self.width, names = _layout(self.fixed, o["columns"], self.start_is_end)
        self.delim, self.quote = "\t" if o["delimiter"] == "tab" else o["delimiter"], o["quotechar"]
        if len(self.delim) != 1 or len(self.quote) > 1 or self.quote == self.delim or any(
                c.isalnum() or c == " " for c in self.delim + self.quote):
            raise ValueError(f"delimiter {o['delimiter']!r} / quotechar {self.quote!r}: one distinct symbol each")
        # ASCII: a bare \d matches any Unicode digit, and int() takes them
        skip = regex("skip_lines_matching", o["skip_lines_matching"], re.ASCII)
        self.skip = skip.match if o["skip_lines_matching"] else None
        self.is_internal = regex("extension_pattern", o["extension_pattern"], re.ASCII).fullmatch
        date = format_regex("date_format", o["date_format"], "dmyY", ("d", "m", "yY"))
        time = format_regex("time_format", o["time_format"], "HMS", ("H", "M"))
        both = format_regex("datetime_format", o["datetime_format"], "dmyYHMS", ("d", "m", "yY", "H", "M"))
        self.stamps = {w: ((w,), re.compile(both, re.ASCII)) if w in names else
                       ((f"{w}_date", f"{w}_time"), re.compile(f"{date} +{time}", re.ASCII))
                       for w in ("start", "end") if w in names or f"{w}_date" in names}
        self.duration = re.compile(DURATIONS[o["duration_format"]], re.ASCII)
        pairs = [(v.strip(), d) for d in ("in", "out", "internal") for v in o[f"direction_{d}"].upper().split(",")]
        self.directions = dict(pairs)
        if len(self.directions) < len(pairs) or "" in self.directions:
            raise ValueError("direction_in / direction_out / direction_internal: a value is empty or used twice")

    def _seconds(self, v: dict[str, str], name: str) -> int:
        return configured_duration(self.duration, v.get(name, ""), name)

    def _when(self, v: dict[str, str], which: str) -> datetime:
        keys, rx = self.stamps[which]
        return configured_datetime(rx, " ".join(v[k] for k in keys), which)

    def parse(self, line: str) -> CallRecord | None:
        """Return the call on this line; None for blank lines and lines matching skip_lines_matching."""
        check_length(line, 4096, "a call record")   # a padded or repeated record is not a record: fields are stripped
        if not line.strip() or self.skip and self.skip(line):
            return None
        if self.fixed:
            if len(line) < self.width or line[self.width:].strip():
                raise NotACallRecord(f"{len(line)} characters, this layout's lines are {self.width}")
            v = {name: line[a:b].strip() for name, a, b in self.cols}
        else:
            row = delimited(line, self.delim, self.quote)
            if len(row) != self.width:
                raise NotACallRecord(f"{len(row)} fields, this layout has {self.width}")
            v = {name: row[i].strip() for name, i in self.cols}
        ring = self._seconds(v, "ring")
        start, end = (self._when(v, w) if w in self.stamps else None for w in ("start", "end"))
        talk = (self._seconds(v, "talk") if "talk" in v else self._seconds(v, "duration") - ring if "duration" in v
                else int((end - start).total_seconds()) - ring)   # type: ignore[operator]  # both: checked
        if talk < 0:
            raise NotACallRecord(f"talk time {talk} s: ring longer than the duration, or end before start")
        if start is None or self.start_is_end:
            assert (base := start or end) is not None   # _layout makes every layout give a start or an end
            start = base - timedelta(seconds=ring + talk)
        caller, called, direction = v.get("caller", ""), v.get("called", ""), v.get("direction")
        if direction is None:
            inside = bool(self.is_internal(called))
            direction = "internal" if inside and self.is_internal(caller) else "in" if inside else "out"
        elif (direction := self.directions.get(direction.upper(), "")) == "":
            raise NotACallRecord(f"direction {v['direction'][:20]!r} is not one of {', '.join(self.directions)}")
        extra = {k: v[k] for k in ("caller", "called", "direction") if k in v} | ({"end": str(end)} if end else {})
        return CallRecord(start, direction, v.get("extension", called if direction == "in" else caller),
                          v.get("party", caller if direction == "in" else called), v.get("trunk", ""), ring, talk,
                          talk > 0, False, v.get("account_code", ""), v.get("call_key", ""), extra)


def make_parser(**options: str) -> Parser:
    """A parser for this layout; an unknown option or a bad value raises ValueError naming it."""
    for key, value in options.items():
        if key not in OPTIONS:
            raise ValueError(f"generic has no option {key!r}; options are {', '.join(OPTIONS)}")
        if not isinstance(value, str) or any(ord(c) < 32 for c in value):
            raise ValueError(f"{key} {value!r}: not printable text")
        if key in _CHOICES and value.strip() not in _CHOICES[key]:
            raise ValueError(f"{key} {value!r}: expected one of {', '.join(_CHOICES[key])}")
    return Parser({key: options.get(key, default).strip() for key, (default, _) in OPTIONS.items()})


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Always 0.0: a generic layout means nothing until the installer describes it, so it is never auto-detected."""
    return 0.0
