"""Asterisk Master.csv, one CSV row per leg: cdr_csv's 16 to 21 columns, cdr_custom's sample mapping, FORMATS.md §7."""
from __future__ import annotations

import re

from appliance.records import CallRecord, NotACallRecord
from drivers._common import (Causes, check_length, choice, csv_row, dialplan_target, iso_datetime, line_identity,
                             option_values, parsed_share, regex, seconds)

NAME = "Asterisk (cdr_csv / cdr_custom Master.csv)"
MODELS = ("Asterisk 1.8+", "FreePBX", "Issabel", "Elastix")
TRANSPORTS = {"file": "file:///var/log/asterisk/cdr-csv/Master.csv"}
# Bytes are written as received, so a clid may hold invalid UTF-8 (0xA5 0xA5, FORMATS.md §7); the
# caller decodes with errors="replace" and the parser copes with U+FFFD anywhere.
ENCODING = "utf-8"
TERMINATOR = b"\n"
OPTIONS = {
    "inbound_contexts": ("from-pstn,from-trunk,from-external,from-did",
                         "comma-separated dcontext names or prefixes that mean an inbound trunk call"),
    "extension_pattern": (r"\d{2,6}", "regular expression an internal extension number matches in full"),
    "columns": ("auto", "auto, custom (cdr_custom's sample mapping: 19 columns, clid first) or the exact column "
                        "count cdr_csv writes (16 to 21); a fixed count quarantines rows cut short"),
}
# Cause-code alerts: Master.csv has no hangup cause; its disposition (NO ANSWER, BUSY, FAILED) stands in
CAUSES = Causes(("disposition",), "disposition", frozenset({"ANSWERED"}))

MAX_CHARS = 16384   # lastdata can be long (Dial strings to many phones), but not this long
_COLUMNS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
            "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags")
_NEW = ("peeraccount", "linkedid", "sequence")   # newcdrcolumns=yes [AS2]
# cdr_custom: the Master.csv mapping of Asterisk's configs/samples/cdr_custom.conf.sample (asterisk/asterisk @20ae12f1),
# every field CSV_QUOTEd but sequence; its high-resolution variant prints duration and billsec as 12.345
_CUSTOM = ("clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata", "start", "answer", "end",
           "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid", "userfield", "sequence")
# A 17-column row has uniqueid or userfield; a uniqueid is epoch.seq, maybe with a system-name prefix
# ('mainserverdss-1270167992.0', FORMATS.md §7).
_CONTEXT = re.compile(r"[\w.+@-]+")
_UNIQUEID = re.compile(r"(?:.*-)?\d+\.\d+")


def _peer(channel: str) -> str:
    """'SIP/201-0000abcd' -> '201', 'Local/201@from-internal-00af;1' -> '201', 'DAHDI/i1/555-1' -> '555'."""
    name = channel.partition("/")[2].rpartition("/")[2] or channel
    name = name.partition("@")[0]
    return name.rpartition("-")[0] if "-" in name else name


class Parser:
    """Stateless; direction is derived from the options, as Master.csv has no direction column."""

    def __init__(self, inbound_contexts: str, extension_pattern: str, columns: str) -> None:
        self.inbound = tuple(c.strip() for c in inbound_contexts.split(",") if c.strip())
        bad = [c for c in self.inbound if not _CONTEXT.fullmatch(c)]
        if bad:
            raise ValueError(f"inbound_contexts: {bad[0]!r} is not a dialplan context name")
        self.is_extension = regex("extension_pattern", extension_pattern).fullmatch
        choice("columns", columns, ("auto", "custom", "16", "17", "18", "19", "20", "21"), "auto, custom or 16 to 21")
        self.columns = range(16, 22) if columns == "auto" else (19,) if columns == "custom" else (int(columns),)
        self.custom = columns  # "auto": a 19-column row whose 9th field is a time is cdr_custom's (csv's is lastdata)

    def parse(self, line: str) -> CallRecord | None:
        """Return the call leg on this CSV row, None for blank lines and a column-name header."""
        if not line.strip():
            return None
        check_length(line, MAX_CHARS, "a Master.csv row")
        row = csv_row(line)
        if len(row) not in self.columns:
            expected = "16 to 21" if len(self.columns) > 1 else str(self.columns[0])
            raise NotACallRecord(f"{len(row)} columns, expected {expected}")
        if row[0] in ("accountcode", "clid") and row[1] == "src":   # header added by an export, not by Asterisk
            return None
        custom = self.custom == "custom" or (self.custom == "auto" and len(row) == 19 and row[8][4:5] == "-")
        if custom:
            f = dict(zip(_CUSTOM, row))
        else:
            f = dict(zip(_COLUMNS, row))
            _add_optional_columns(f, row[16:])
        start = iso_datetime(f["start"], "start")   # cdr_csv DATE_FORMAT %Y-%m-%d %T [AS2]
        for key in ("answer", "end"):
            if f[key]:   # unanswered: an unquoted empty answer (FORMATS.md §7)
                iso_datetime(f[key], key)
        if f.get("sequence"):
            seconds(f["sequence"], "sequence")
        sec = _seconds if custom else seconds   # cdr_csv prints whole seconds only [AS2]
        duration, billsec = sec(f["duration"], "duration"), sec(f["billsec"], "billsec")
        ring = max(0, duration - billsec)   # clamped: billsec and duration may be rounded differently
        direction, extension, party, trunk = self._sides(f)
        # billsec counts from the channel's answer: a BUSY or NO ANSWER row with billsec > 0 was connected (an IVR, a
        # queue, then a busy Dial) and is answered with that talk time, so reports and prices agree (issue 22); its
        # disposition stays in extra. No transfer flag: lastapp Transfer is the one sure sign.
        return CallRecord(start, direction, extension, party, trunk, ring, billsec,
                          billsec > 0 or f["disposition"] == "ANSWERED", f["lastapp"] == "Transfer",
                          f["accountcode"], f.get("linkedid") or f.get("uniqueid", ""),
                          {k: v for k, v in f.items() if v})

    def _sides(self, f: dict[str, str]) -> tuple[str, str, str, str]:
        """(direction, extension, party, trunk): in by dcontext, internal by both numbers, system to a dialplan
        target, else out."""
        src, dst = f["src"], f["dst"]
        chan, dchan = f["channel"], f["dstchannel"]
        if self.inbound and f["dcontext"].startswith(self.inbound):
            answering = _peer(dchan)
            extension = answering if self.is_extension(answering) else dst
            return "in", extension, src, chan.rpartition("-")[0] or chan
        if self.is_extension(src) and self.is_extension(dst):
            return "internal", src, dst, ""
        extension = src if self.is_extension(src) else _peer(chan)
        # dst `s`, `t`, `*97`: an IVR menu, a timeout, a feature code, no outgoing call (issue 22)
        return ("system" if dialplan_target(dst) else "out"), extension, dst, dchan.rpartition("-")[0] or dchan


def _seconds(text: str, what: str) -> int:
    """Whole seconds; cdr_custom's high-resolution `CDR(billsec,f)` prints '12.345': its whole seconds."""
    whole, dot, fraction = text.partition(".")
    if dot and not (fraction.isascii() and fraction.isdigit() and len(fraction) <= 6):
        raise NotACallRecord(f"{what} {text[:40]!r} is not a number of seconds")
    return seconds(whole, what)


def _add_optional_columns(f: dict[str, str], rest: list[str]) -> None:
    """Columns 17+: [uniqueid] [userfield] [peeraccount linkedid sequence], each group optional."""
    if len(rest) >= 3:   # newcdrcolumns=yes adds three at the end
        f.update(zip(_NEW, rest[-3:]))
        rest = rest[:-3]
    if len(rest) == 2:
        f["uniqueid"], f["userfield"] = rest
    elif len(rest) == 1:
        f["uniqueid" if _UNIQUEID.fullmatch(rest[0]) else "userfield"] = rest[0]


def identity(record: CallRecord, line: str, source: str) -> str:
    """uniqueid + sequence: one CDR, unique across restarts (sequence restarts, the uniqueid's epoch does not;
    FORMATS.md §7). Without sequence a channel may have several CDRs (ForkCDR): the uniqueid's whole line."""
    extra = record.extra
    if "uniqueid" not in extra:   # 16 columns, or a userfield only: nothing names the record
        return line_identity(record, line, source)
    return f'{extra["uniqueid"]}#{extra["sequence"]}' if "sequence" in extra else line.strip()


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    return Parser(**option_values("asterisk_csv", options, OPTIONS))


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Share of the non-blank lines that parse as Master.csv rows."""
    return parsed_share(parse, lines)
