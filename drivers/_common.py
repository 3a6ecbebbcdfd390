"""Helpers several drivers share (not a driver: the registry skips modules whose name starts with _)."""
from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import date, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from appliance.records import NotACallRecord


# ---------------------------------------------------------------- driver metadata and records

class Causes(NamedTuple):
    """A driver's CAUSES: where the cause-code alerts (REP-8) find a leg's cause in its extra fields."""
    fields: tuple[str, ...]    # the extra fields that may hold a cause; the first abnormal one wins
    code_type: str             # how the codes are reported; "q850" values are described by their Q.850 meaning
    normal: frozenset[str]     # values that are no cause for alarm (a normal clearing)


def line_identity(record: Any, line: str, source: str) -> str:
    """The default record identity (registry.Driver.identity): the line, stripped of its terminator and
    surrounding blanks, and the link it came from, without what varies between two deliveries of the same
    record: a followed file's position ("file:/x#INODE:OFFSET") and a TCP peer's port ("tcp:10.0.0.5:51234").
    Two records printed identically by one PBX count once: a driver whose format has a record id says so."""
    source = source.partition("#")[0]
    if source.startswith("tcp:"):
        source = source.rpartition(":")[0]
    return f"{source}\n{line.strip()}"


def line_only(record: Any, line: str, source: str) -> str:
    """The identity of a format whose line carries the PBX's own call id and start: the line itself, from
    whichever link or file it came (a live capture and an import of the PBX's file are the same records)."""
    return line.strip()


def fields_identity(*names: str) -> Callable[[Any, str, str], str]:
    """The identity of a format with a record id: these extra fields of the record, joined; the default
    (line_identity) when one of them is missing (an older release or a template without them)."""
    def identity(record: Any, line: str, source: str) -> str:
        extra = record.extra
        values = [extra.get(name, "") for name in names]
        return "|".join(values) if all(values) else line_identity(record, line, source)
    return identity


class LazyFields(Mapping[str, str]):
    """A CallRecord's `extra`, built only when someone reads it: the parse stage stores none of it, so a
    driver whose extra is large (IP Office: 18 fields) would otherwise build it for nothing on every line."""

    __slots__ = ("_build", "_fields", "_dict")

    def __init__(self, build: Callable[[list[str]], dict[str, str]], fields: list[str]):
        self._build, self._fields = build, fields
        self._dict: dict[str, str] | None = None

    def _get(self) -> dict[str, str]:
        if self._dict is None:
            self._dict = self._build(self._fields)
        return self._dict

    def __getitem__(self, key: str) -> str:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get())

    def __eq__(self, other: object) -> bool:
        return self._get() == other


# ---------------------------------------------------------------- options (make_parser)

def option_values(driver: str, options: Mapping[str, object],
                  declared: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Every option the driver declares (OPTIONS), as text: the value given, else its default. ValueError
    naming an option the driver does not declare."""
    for key in options:
        if key not in declared:
            choices = f"; options are {', '.join(declared)}" if declared else ""
            raise ValueError(f"{driver} has no option {key!r}{choices}")
    return {key: str(options.get(key, default)) for key, (default, _) in declared.items()}


def choice(option: str, value: str, allowed: Collection[str], expected: str = "") -> str:
    """`value` when it is one of `allowed`; else ValueError naming the option (`expected` words the choices)."""
    if value not in allowed:
        raise ValueError(f"{option} {value!r}: expected {expected or 'one of ' + ', '.join(allowed)}")
    return value


def regex(option: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """An option holding a regular expression, compiled once; ValueError naming the option if it is not one."""
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"{option} {pattern!r}: {exc}") from None


def name_list(option: str, text: str, shape: str, what: str) -> list[str]:
    """A comma-separated option's names (blank ones left out); ValueError naming the option when a name is
    not of `shape` (a regular expression)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if any(not re.fullmatch(shape, name) for name in names):
        raise ValueError(f"{option} {text[:40]!r}: not {what}")
    return names


# A number someone can be called on: digits, maybe '+' first, maybe spaced or dashed as printed
_DIALLABLE = re.compile(r"\+?\(?[0-9][0-9 ()./-]*#?")   # "#": end of dialling, as some phones send it


def dialplan_target(dialled: str) -> bool:
    """A destination that is nobody's telephone number: a dialplan extension named by letters (Asterisk `s`, `t`,
    `h`, `i`; FreeSWITCH `voicemail`, an originate's `&`) or a feature code (`*`, `*97`, `*201725`, `#31#`).
    A leg to one is direction "system" (records.DIRECTIONS): shown on the call's path, never priced or counted."""
    return bool(dialled) and not _DIALLABLE.fullmatch(dialled)


def signed_ipv4(text: str) -> str:
    """An IPv4 address CUCM-style: a signed 32-bit integer, little-endian byte order: 0x0A01A8C0 / -1979602752 ->
    192.168.1.10 / .138 [CI1]. NotACallRecord for anything else (columns out of step?)."""
    body = text.removeprefix("-")
    if not (body.isascii() and body.isdigit()) or len(body) > 10 or not -2**31 <= int(text) < 2**32:
        raise NotACallRecord(f"IP address {text[:40]!r} is not a 32-bit integer: columns out of step?")
    v = int(text) & 0xFFFFFFFF
    return f"{v & 255}.{v >> 8 & 255}.{v >> 16 & 255}.{v >> 24}"


# A number a spreadsheet re-saved in scientific notation ('9.12678E+11', '6.12346e+08'): its last digits are gone
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")


def check_not_scientific(text: str, what: str) -> None:
    """NotACallRecord for a party number in scientific notation, the mark of a spreadsheet re-save: stored, it would
    be a party no one has (`9.12678E+11` for 912678012345), so the line is quarantined with the reason."""
    if ("E" in text or "e" in text) and _SCIENTIFIC.fullmatch(text):
        raise NotACallRecord(f"{what} {text[:40]!r} is in scientific notation: a spreadsheet re-saved this file and "
                             "the number's digits are lost; use the file as the PBX wrote it")


# ---------------------------------------------------------------- lines and CSV

def check_length(line: str, limit: int, what: str) -> None:
    """NotACallRecord for a line over `limit` characters (`what` names the record): noise, not a call, and
    refused before any work is spent on it."""
    if len(line) > limit:
        raise NotACallRecord(f"{len(line)} characters, {what} is at most {limit}")


def csv_row(line: str, what: str = "row", **dialect: Any) -> list[str]:
    """The fields of one CSV line; NotACallRecord for an unterminated quote, a field over csv's size limit
    or a newline outside quotes."""
    try:
        return next(csv.reader([line], strict=True, **dialect), [])
    except csv.Error as exc:
        raise NotACallRecord(f"not a CSV {what}: {exc}") from None


def csv_record(line: str, limit: int, what: str, row: str = "row") -> list[str] | None:
    """The fields of a CSV record of at most `limit` characters (`what` names it), None for a blank line.
    A UTF-8 BOM in front is dropped: spreadsheet exports start with one."""
    check_length(line, limit, what)
    line = line.lstrip("\ufeff")
    return csv_row(line, row) if line.strip() else None


def column_getter(header: Iterable[str], wanted: Iterable[str]) -> Callable[[list[str]], Any]:
    """A function giving the `wanted` columns, in that order, of a row laid out as `header`. A column the
    header lacks reads the row's last field, so callers append "" to the row first."""
    position = {name: i for i, name in enumerate(header)}
    return itemgetter(*(position.get(name, -1) for name in wanted))


# ---------------------------------------------------------------- numbers and durations

def number(text: str, what: str, part: str = "") -> int:
    """A fixed-width column of ASCII digits (its width bounds the length); `what` + `part` names it."""
    if not (text.isascii() and text.isdigit()):
        raise NotACallRecord(f"{what}{part} {text!r} is not a number")
    return int(text)


def seconds(text: str, what: str, digits: int = 9, noun: str = "a whole number of seconds") -> int:
    """A whole number of seconds (or `noun`) in a free-width field: at most `digits` digits, as int() refuses
    over 4300 and is slow long before."""
    if not (text.isascii() and text.isdigit()) or len(text) > digits:
        raise NotACallRecord(f"{what} {text[:40]!r} is not {noun}")
    return int(text)


def fixed_hms_seconds(text: str, what: str, shape: str = "HH:MM:SS") -> int:
    """A duration in a fixed 8-column 'HH:MM:SS' field (`shape` words it in the message), in seconds."""
    if len(text) != 8 or text[2] != ":" or text[5] != ":" or text[3:5] > "59" or text[6:] > "59":
        raise NotACallRecord(f"{what} {text!r} is not {shape}")
    return number(text[:2], what) * 3600 + number(text[3:5], what) * 60 + number(text[6:], what)


def hms_seconds(text: str, what: str) -> int:
    """A duration 'HH:MM:SS' in seconds; hours may pass 24 (a long call, a line that failed to release)."""
    if len(text) == 8 and text[2] == ":" == text[5] and text[3] < "6" and text[6] < "6":   # the usual shape
        digits = text[:2] + text[3:5] + text[6:]
        if digits.isascii() and digits.isdigit():
            v = int(digits)
            return v // 10000 * 3600 + v // 100 % 100 * 60 + v % 100
    h, _, rest = text.partition(":")
    m, _, s = rest.partition(":")
    digits = h + m + s
    if (len(m) != 2 or len(s) != 2 or not 0 < len(h) < 7 or not (digits.isascii() and digits.isdigit())
            or m > "59" or s > "59"):
        raise NotACallRecord(f"{what} {text[:40]!r} is not HH:MM:SS")
    return int(h) * 3600 + int(m) * 60 + int(s)


def mss_seconds(text: str, what: str) -> int:
    """A duration printed m'ss ('0'05', a Panasonic ring time): minutes of any length, two-digit seconds."""
    m, sep, s = text.partition("'")
    if not sep or len(s) != 2 or number(s, what, " seconds") > 59:
        raise NotACallRecord(f"{what} {text!r} is not m'ss")
    return number(m, what, " minutes") * 60 + int(s)


def hmmss_seconds(text: str, what: str) -> int:
    """A duration printed hh:mm'ss ('00:01'05', Panasonic SMDR)."""
    h, _, rest = text.partition(":")
    m, sep, s = rest.partition("'")
    if not sep or len(m) != 2 or len(s) != 2 or number(m, what) > 59 or number(s, what) > 59:
        raise NotACallRecord(f"{what} {text!r} is not hh:mm'ss")
    return number(h, what, " hours") * 3600 + int(m) * 60 + int(s)


# ---------------------------------------------------------------- auto-detection (looks_like)

def parsed_share(parse: Callable[[str], object], lines: list[str], skipped_fit: bool = False) -> float:
    """For looks_like(): the share of the lines `parse` reads that it reads as records; 0.0 when it reads
    none. Lines read as None (headers, blank lines) count for neither side, or with `skipped_fit` for the
    driver when not blank (a format with many header and type lines, which a wrong driver refuses)."""
    good = bad = 0
    for line in lines:
        try:
            good += parse(line) is not None or (skipped_fit and bool(line.strip("\ufeff \t")))
        except NotACallRecord:
            bad += 1
    return good / (good + bad) if good else 0.0


def best_share(make_parser: Callable[..., Any], option_sets: Iterable[dict[str, str]], lines: list[str]) -> float:
    """For looks_like() of a driver whose options change the record's shape: the best parsed_share of a
    fresh parser for each of these option sets."""
    return max((parsed_share(make_parser(**options).parse, lines) for options in option_sets), default=0.0)


# ---------------------------------------------------------------- dates and times

def nearest_date(month: int, day: int, ref: date) -> date:
    """The date with this month and day nearest to `ref`, for formats that print no year: Dec -> Jan moves
    to the next year, a late Dec record after New Year stays in the old one."""
    best = None
    for year in (ref.year, ref.year + 1, ref.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs(d - ref) < abs(best - ref):
            best = d
    if best is None:
        raise NotACallRecord(f"Date {month:02d}/{day:02d} is not a date near {ref.year}")
    return best


def month_day(text: str, shape: str, dmy: bool, what: str = "Date") -> list[int]:
    """The numbers of a date printed as `shape` ('MM/DD', 'MM/DD/YY': two digits each, '/' between), month
    first; `dmy`: the PBX prints the day first (an option on PBXs sold outside North America)."""
    if len(text) != len(shape) or any(text[i] != "/" for i in range(2, len(shape), 3)):
        raise NotACallRecord(f"{what} {text!r} is not {shape}")
    numbers = [number(text[i:i + 2], what) for i in range(0, len(shape), 3)]
    return [numbers[1], numbers[0], *numbers[2:]] if dmy else numbers


def clock_12h(text: str, what: str = "Time") -> tuple[int, int]:
    """(hour 0-23, minute) of a 12-hour time printed 'h:mmAM' or 'hh:mmPM'."""
    hh, _, rest = text.partition(":")
    if len(rest) != 4 or rest[2:] not in ("AM", "PM") or not 1 <= len(hh) <= 2:
        raise NotACallRecord(f"{what} {text!r} is not hh:mmAM/PM")
    hour, minute = number(hh, what, " hour"), number(rest[:2], what, " minute")
    if not 1 <= hour <= 12:
        raise NotACallRecord(f"{what} {text!r}: hour is not 1 to 12")
    return hour % 12 + (12 if rest[2:] == "PM" else 0), minute


def iso_datetime(text: str, what: str, sep: str = "-", ascii_only: bool = False) -> datetime:
    """'YYYY-MM-DD HH:MM:SS', with `sep` between the date's parts. The separator check pins the shape, then
    the C fromisoformat does the digits and the calendar (month 13, Feb 30): 0.3 us against 7 us for strptime
    on the hot path. ascii_only: a non-ASCII character fails the shape check, not the date."""
    if (len(text) != 19 or text[4] != sep or text[7] != sep or text[10] != " " or text[13] != ":"
            or text[16] != ":" or (ascii_only and not text.isascii())):
        raise NotACallRecord(f"{what} {text[:40]!r} is not YYYY{sep}MM{sep}DD HH:MM:SS")
    try:
        return datetime.fromisoformat(text.replace(sep, "-") if sep != "-" else text)
    except ValueError:
        raise NotACallRecord(f"{what} {text!r} is not a date") from None


# ---------------------------------------------------------------- layouts an installer describes (generic)

# Duration shapes, as regexes whose groups are hours, minutes, seconds from the left (those present).
# hh:mm'ss also reads a Panasonic-like m'ss ring (FORMATS.md §2).
DURATIONS = {"seconds": r"(\d{1,9})", "hh:mm:ss": r"(\d{1,7}):([0-5]\d):([0-5]\d)", "mm:ss": r"(\d{1,7}):([0-5]\d)",
             "hh:mm'ss": r"(?:(\d{1,7}):([0-5]\d)|(\d\d?))'([0-5]\d)"}
_DIRECTIVES = {"d": "day", "m": "month", "y": "year2", "Y": "year", "H": "hour", "M": "minute", "S": "second"}


def format_regex(option: str, fmt: str, allowed: str, need: tuple[str, ...]) -> str:
    """A strftime-style format (the `allowed` directives of %d %m %y %Y %H %M %S, other characters literal)
    -> a regex with named groups for configured_datetime(), checked once at start-up: ValueError naming the
    option for a directive not allowed or repeated, or none of each `need` alternative."""
    def directive(m: re.Match) -> str:
        d, tight, literal = m.groups()
        if literal is not None:
            return " +" if literal == " " else re.escape(literal)
        # '%H%M' has no separator: then exactly two digits each
        rx = {"Y": r"\d{4}", "y": r"\d\d", "%": "%"}.get(d, r"\d\d" if tight else r"\d\d?")
        return rx if d == "%" else f"(?P<{_DIRECTIVES[d]}>{rx})"
    used = re.findall("%(.?)", fmt.replace("%%", ""))
    bad = [d for d in used if not d or d not in allowed or used.count(d) > 1]
    missing = [alt for alt in need if not set(alt) & set(used)]
    if bad or missing:
        why = f"%{bad[0]} is not allowed or repeated" if bad else f"no %{' or %'.join(missing[0])}"
        raise ValueError(f"{option} {fmt!r}: {why} (directives: %{' %'.join(allowed)})")
    return re.sub("%(.)(?=(%?))|(.)", directive, fmt, flags=re.S)


def configured_datetime(rx: re.Pattern[str], text: str, what: str) -> datetime:
    """The date and time in `text` by a compiled format_regex(): %y is 20yy, no %S is 0 seconds."""
    g = m.groupdict() if (m := rx.fullmatch(text)) else {}
    try:
        return datetime(int(g.get("year") or 2000 + int(g["year2"])), int(g["month"]), int(g["day"]),
                        int(g["hour"]), int(g["minute"]), int(g.get("second") or 0))
    except (KeyError, ValueError):
        raise NotACallRecord(f"{what} {text[:40]!r} is not a date and time in the configured format") from None


def configured_duration(rx: re.Pattern[str], text: str, what: str) -> int:
    """The seconds in `text` by a compiled DURATIONS regex; blank is 0."""
    m = rx.fullmatch(text)
    if m is None and text:
        raise NotACallRecord(f"{what} {text[:40]!r} does not match the duration format")
    return sum(int(part) * 60 ** i for i, part in enumerate(reversed([p for p in m.groups() if p]))) if m else 0


def fixed_columns(option: str, spec: str) -> tuple[list[tuple[str, int, int]], int]:
    """Fixed-width columns described as 'name:first-last,...', 1-based and inclusive as PBX manuals number
    them: [(name, start, end)] as slice bounds in line order, and the line width. ValueError naming the
    option for an item of another shape, or two columns that overlap."""
    cols = []
    for item in spec.split(","):
        name, _, span = item.strip().partition(":")
        first, _, last = span.partition("-")
        if not (first.isdigit() and last.isdigit() and 0 < int(first) <= int(last) <= 9999):
            raise ValueError(f"{option}: {item.strip()!r} is not name:first-last (1-based, inclusive)")
        cols.append((name, int(first) - 1, int(last)))
    cols.sort(key=lambda c: c[1])
    for a, b in zip(cols, cols[1:]):
        if b[1] < a[2]:
            raise ValueError(f"{option}: {a[0]} and {b[0]} overlap")
    return cols, cols[-1][2]


def delimited(line: str, delimiter: str, quote: str) -> list[str]:
    """The fields of a delimited line: a plain split, the fast path, unless the quote character is on it."""
    if quote and quote in line:
        return csv_row(line, delimiter=delimiter, quotechar=quote)
    return line.split(delimiter)
