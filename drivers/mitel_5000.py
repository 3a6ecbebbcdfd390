"""Mitel 5000 CP (Inter-Tel) SMDR: 80-column records, each behind a 4-byte little-endian length, FORMATS.md §5."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from appliance.records import CallRecord, NotACallRecord
from drivers._common import option_values, parsed_share

NAME = "Mitel 5000 CP"
MODELS = ("5000 CP", "Inter-Tel CS-5200", "Inter-Tel CS-5400")
TRANSPORTS = {"socket": "socket://mitel5000:4000"}   # port 4000 as in smdr-logger-5000 [MI3]
ENCODING = "latin-1"   # every byte one character, so the 4 prefix bytes survive decoding
TERMINATOR = b"\r\n"
FRAMING = "le32"       # capture splits frames on the length prefix and journals prefix + record
OPTIONS = {
    "password": ("", "SMDR password configured in the 5000 CP (max 15 ASCII characters)"),
    "date": ("", "date of the first record, YYYY-MM-DD (records print no date); empty = the day each was received"),
}
WIDTH = 79   # account code ends at 79; column 80 is '*' (far end hung up first) or blank [MI3 figure]
# 0-based slices, from the real record (obs:mitel_5000_smdr.txt: dialled digits start at column 17)
_TYPE, _EXT, _TRUNK, _DIGITS = slice(0, 3), slice(4, 9), slice(10, 15), slice(16, 44)
_START, _ELAPSED, _COST, _ACCOUNT = slice(45, 50), slice(51, 59), slice(60, 66), slice(67, 79)
# Call types (5000 Administrator Guide, SMDR Report Format): OP/INT replace O/I when that flag is off.
# NET (IP networking between nodes) counts as internal; CNF (conference) as outgoing (unverified).
_TYPES = {"000": "out", "LOC": "out", "TLC": "out", "TLD": "out", "O/I": "out", "OP": "out", "INT": "out",
          "CNF": "out", "DSA": "in", "DID": "in", "IN": "in", "NET": "internal"}


def _password(value: str) -> str:
    if len(value) > 15 or not value.isascii() or not value.isprintable():
        raise ValueError(f"password {value!r}: at most 15 printable ASCII characters")
    return value


def handshake(options: dict) -> list[tuple[str, bytes]]:
    """Login steps for capture: <payload length, 4 bytes LE><0x84><password>0x00 [MI3].

    The count covers the payload only (0x0A for password 12345678), as the record frames do."""
    body = b"\x84" + _password(str(options.get("password", ""))).encode("ascii") + b"\x00"
    return [("send", len(body).to_bytes(4, "little") + body)]


def _seconds(text: str) -> int:
    """ELAPSED 'HH:MM:SS', 'S=nnnnnn' (seconds option) or 'HH:MM' (over 999999 s)."""
    try:
        if text.startswith("S=") and text[2:].isdigit() and text.isascii():
            return int(text[2:])
        parts = [int(p) for p in text.split(":") if len(p) == 2 and p.isdigit() and p.isascii()]
    except ValueError:
        parts = []
    if len(parts) == 3 and text.count(":") == 2 and parts[1] < 60 and parts[2] < 60:
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    if len(parts) == 2 and text.count(":") == 1 and parts[1] < 60:
        return parts[0] * 3600 + parts[1] * 60
    raise NotACallRecord(f"ELAPSED {text!r} is not HH:MM:SS or S=seconds")


class Parser:
    """Stateful only for the date: the day a record was received (clock()), else, from the `date` option or the day
    the parser was made, the next day when START goes back more than 12 hours."""

    def __init__(self, password: str, date: str) -> None:
        _password(password)
        self.received: datetime | None = None
        self.dated = bool(date)   # the option names the file's first day: it wins over the receive time
        self.day = datetime.now().date()
        if date:
            try:
                self.day = datetime.strptime(date, "%Y-%m-%d").date()
            except ValueError:
                raise ValueError(f"date {date!r}: expected YYYY-MM-DD") from None
        self.last_minute = -1

    def clock(self, received: datetime) -> None:
        """When the next record was received (registry.Driver): its day, unless the `date` option is set."""
        self.received = received

    def parse(self, line: str) -> CallRecord | None:
        """The call in this frame or line; None for blank and column-title lines."""
        if line[2:4] == "\x00\x00":   # the frame's length prefix, journalled with the record
            size = int.from_bytes(line[:4].encode("latin-1"), "little")
            line = line[4:]
            if not 0 <= size - len(line) <= 2:   # the count covers the record and its CR LF (82 = 80 + 2)
                raise NotACallRecord(f"length prefix says {size} bytes, the record has {len(line)} + CR LF")
        if not line.strip() or line.startswith("TYP EXT"):
            return None
        if len(line) < WIDTH or len(line) > WIDTH + 1:
            raise NotACallRecord(f"{len(line)} characters, a 5000 SMDR record is 80: cut short or not SMDR")
        kind = line[_TYPE].strip()
        direction = _TYPES.get(kind)
        if direction is None:
            raise NotACallRecord(f"call type {kind!r} is not a 5000 SMDR type")
        hm = line[_START]
        digits = hm[:2] + hm[3:]
        if (len(hm) != 5 or hm[2] != ":" or not (digits.isascii() and digits.isdigit())
                or hm[:2] > "23" or hm[3:] > "59"):
            raise NotACallRecord(f"START {hm!r} is not HH:MM")
        elapsed = _seconds(line[_ELAPSED].strip())
        ext, trunk, digits = line[_EXT].strip(), line[_TRUNK].strip(), line[_DIGITS].strip()
        minute = int(hm[:2]) * 60 + int(hm[3:])
        if self.received is not None and not self.dated:   # sent at call end: a START after then was yesterday
            late = minute > self.received.hour * 60 + self.received.minute + 5
            self.day = self.received.date() - timedelta(days=late)
        elif minute < self.last_minute - 720:   # records come in time order: midnight passed
            self.day += timedelta(days=1)
        self.last_minute = minute
        extra = {"call_type": kind, "dialled": digits, "cost": line[_COST].strip()}
        if line[WIDTH:] == "*":
            extra["far_end_disconnect"] = "1"
        if digits.endswith(">"):   # more than 28 digits dialled
            extra["digits_cut"] = "1"
        party = digits.rstrip(">").replace("-", "") if direction == "out" else digits
        ring_in = ext == "*****"   # unanswered ring-in: ELAPSED is how long it rang
        d: date = self.day
        return CallRecord(datetime(d.year, d.month, d.day, minute // 60, minute % 60), direction,
                          "" if ring_in else ext, party, trunk, elapsed if ring_in else 0,
                          0 if ring_in else elapsed, not ring_in and elapsed > 0, False,
                          line[_ACCOUNT].strip(), "", extra)


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    return Parser(**option_values("mitel_5000", options, OPTIONS))


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Share of the non-blank lines that a fresh parser reads as records (framed or plain)."""
    return parsed_share(make_parser().parse, lines)
