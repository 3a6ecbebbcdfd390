"""Panasonic KX-TD/TDA/TDE/NS/NCP/TA/TEA SMDR: fixed-width lines (patterns A, B, C), FORMATS.md §2."""
from __future__ import annotations

from datetime import datetime, timedelta

from appliance.records import CallRecord, NotACallRecord
from drivers._common import best_share, choice, clock_12h, hmmss_seconds, month_day, mss_seconds, option_values

NAME = "Panasonic KX"
MODELS = ("KX-TD", "KX-TDA", "KX-TDE", "KX-NS", "KX-NCP", "KX-TA", "KX-TEA")
# 9600 8N1 or 7E2 [PA7]. The LAN port (2300) wants an "smdr" command and a password first [PA6]:
# set lan_password and capture runs handshake() on every connect.
TRANSPORTS = {"serial": "serial:///dev/ttyUSB0?baud=9600&bytesize=8&parity=N&stopbits=1",
              "socket": "socket://pbx:2300"}
ENCODING = "latin-1"   # "IBM ASCII or ISO-8859-1" [PA3]; one byte per column keeps the widths
TERMINATOR = b"\r\n"   # "New Line Code" CR or CR LF [PA3]; framing accepts both
END_TIME_MODELS = ("kx-td", "kx-tda", "kx-tde", "kx-ns", "kx-ncp")   # print the END time [PA2, PA5]
START_TIME_MODELS = ("kx-ta", "kx-tea")                              # print the START time [PA4]
OPTIONS = {
    "model": ("kx-tda", "PBX model: " + ", ".join(END_TIME_MODELS) + " print the call's end time; "
                        + ", ".join(START_TIME_MODELS) + " print its start time"),
    "date_order": ("mdy", "mdy (MM/DD/YY) or dmy (DD/MM/YY, e.g. KX-TD816AL, KX-TEA308)"),
    "pattern": ("a", "SMDR pattern: a (80 columns, no charge), b (80, with charge), c (120 columns)"),
    "lan_password": ("", "SMDR password of the LAN port 2300 (factory default PCCSMDR); empty: serial, no login"),
}

# 0-based slices. Pattern A is checked against the real record in panasonic_kx_tda_smdr.txt; B and C
# follow the field widths in [PA1] with the same single-space separators (unverified on a PBX).
# name: (co, dial, ring, duration, cost, acc, cd, minimum length, full width)
_LAYOUTS = {
    "a": (slice(23, 25), slice(26, 51), slice(52, 56), slice(57, 65), None, slice(66, 76),
          slice(77, 79), 79, 80),
    "b": (slice(23, 25), slice(26, 46), None, slice(47, 55), slice(56, 66), slice(67, 77),
          None, 77, 80),
    "c": (slice(23, 27), slice(28, 78), slice(79, 83), slice(84, 92), slice(93, 104),
          slice(105, 115), slice(116, 118), 118, 120),
}
# Printed in the Dial Number column for non-call events [PA1].
_NOTICES = ("LOG IN", "LOG OUT", "IN THE OFFICE", "CHECK IN", "CHECK OUT", "TIMED REMINDER")
_INCOMING_TA = ("<incoming>", "<DISA incoming>", "<DIL incoming>")   # KX-TA/TEA [PA4]


def _when(date: str, time: str, dmy: bool) -> datetime:
    """'MM/DD/YY' (or DD/MM/YY) + 'hh:mmAM' -> datetime; 2-digit years are 20yy."""
    month, day, yy = month_day(date, "MM/DD/YY", dmy)
    hour, minute = clock_12h(time)
    try:
        return datetime(2000 + yy, month, day, hour, minute)
    except ValueError:
        raise NotACallRecord(f"Date/Time {date} {time} is not a date") from None


def _classify(dial: str) -> tuple[str, str, dict[str, str]]:
    """(direction, party, extra) from the Dial Number column [PA1, PA2, PA4]."""
    if "<I>" in dial:   # '<D>CDE9876<I>Q COMPANY': DDI before <I>, caller after
        ddi, _, caller = dial.partition("<I>")
        return "in", caller.strip(), {"ddi": ddi[3:].strip()} if ddi.startswith("<D>") else {}
    if dial.startswith("<D>"):
        return "in", "", {"ddi": dial[3:].strip()}
    if dial in _INCOMING_TA:
        return "in", "", {}
    if dial.startswith("EXT"):   # intercom: 'EXT1235'
        return "internal", dial[3:].strip(), {}
    # '-' marks a transferred call; the digits after it were dialled by the transfer target [PA2].
    return "out", dial.partition("-")[0], {}


class Parser:
    """Stateless; the model decides whether the printed time is the call's start or end."""

    def __init__(self, model: str, date_order: str, pattern: str) -> None:
        choice("model", model, END_TIME_MODELS + START_TIME_MODELS)
        choice("date_order", date_order, ("mdy", "dmy"), "mdy or dmy")
        choice("pattern", pattern, _LAYOUTS, "a, b or c")
        self.end_time = model in END_TIME_MODELS
        self.dmy = date_order == "dmy"
        self.layout = _LAYOUTS[pattern]

    def parse(self, line: str) -> CallRecord | None:
        """Return the call on this line; None for blank, header, ruler and LOG IN/Check in lines."""
        text = line.strip()
        if not text or text.strip("-") == "" or (text.startswith("Date") and "Dial Number" in text):
            return None
        co_s, dial_s, ring_s, dur_s, cost_s, acc_s, cd_s, minimum, width = self.layout
        dial = line[dial_s].strip()
        if dial.upper().startswith(_NOTICES):
            return None
        if "*" in line[:8]:   # '**/**/** **:****' [PA3]
            raise NotACallRecord("clock changed during the call: date and time printed as '*'")
        if len(line) < minimum or line[width:].strip():
            raise NotACallRecord(f"{len(line)} characters, a pattern record is {width}: cut short or not SMDR")
        time = line[8:16].strip()
        marked = time.startswith("*")   # KX-TA/TEA: '*' before the time = transferred [PA4]
        when = _when(line[:8], time.lstrip("*"), self.dmy)
        ext, co = line[17:22].strip(), line[co_s].strip()
        if not ext or (co and not (co.isascii() and co.isdigit())):
            raise NotACallRecord(f"Ext {ext!r} / CO {co!r} not an extension and a trunk number")
        ring_text = line[ring_s].strip() if ring_s else ""
        ring = mss_seconds(ring_text, "Ring") if ring_text else 0   # "m'ss" ('0'05'); blank counts as 0
        talk = hmmss_seconds(line[dur_s].strip(), "Duration")   # "hh:mm'ss" ('00:01'05')
        direction, party, extra = _classify(dial)
        cd = line[cd_s].strip() if cd_s else ""
        extra.update(dial=dial, printed_time="end" if self.end_time else "start")
        if cd:
            extra["cd"] = cd   # TR transfer, FW forward to CO, RM remote [PA5]
        if cost_s and line[cost_s].strip():
            extra["cost"] = line[cost_s].strip()
        # END-time models: the call began ring + duration before the printed minute.
        start = when - timedelta(seconds=ring + talk) if self.end_time else when
        return CallRecord(start, direction, ext, party, co, ring, talk, talk > 0,
                          marked or cd == "TR" or (direction == "out" and "-" in dial),
                          line[acc_s].strip(), "", extra)


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    values = option_values("panasonic_kx", options, OPTIONS)
    _password(values)
    return Parser(values["model"].lower(), values["date_order"].lower(), values["pattern"].lower())


def _password(options: dict) -> bytes:
    password = str(options.get("lan_password", ""))
    if not all(" " < c < "\x7f" for c in password):
        raise ValueError("lan_password: expected printable ASCII without spaces")
    return password.encode("ascii")


def handshake(options: dict) -> list[tuple[str, bytes]]:
    """Capture's login steps for the LAN port (2300); none when lan_password is empty (serial link)."""
    password = _password(options)
    if not password:
        return []
    # The emulator [PA6] prompts "> ", takes the command "smdr", asks "Enter password: ", then sends
    # SMDR. Public clients of real PBXs send the command without waiting for a first prompt (whose
    # text we do not know), and so do we. "assword:" also matches "Password:". Unverified against a
    # real KX-TDA/TDE/NS, as is the case of "smdr" (those clients send "SMDR").
    return [("send", b"smdr\r\n"), ("expect", b"assword:"), ("send", password + b"\r\n")]


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Best share, over the print patterns and date orders, of non-blank lines that parse as records;
    a bare page header scores 0.5. The model only moves times, so it does not change the shape."""
    header = any(line.strip().startswith("Date") and "Dial Number" in line for line in lines)
    shapes = ({"pattern": pattern, "date_order": order} for pattern in "abc" for order in ("mdy", "dmy"))
    return best_share(make_parser, shapes, lines) or (0.5 if header else 0.0)
