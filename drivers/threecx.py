"""3CX CDR: one CSV line per call, 27 fields by default in an admin-configurable order, FORMATS.md §10."""
from __future__ import annotations

import csv
import re
from datetime import datetime

from appliance.records import CallRecord, NotACallRecord
from drivers._common import (Causes, check_not_scientific, column_getter, csv_record, hms_seconds, iso_datetime,
                             option_values)

NAME = "3CX Phone System (CDR)"
MODELS = ("3CX V16", "3CX V18")
TRANSPORTS = {
    "tcp-listen": "tcp-listen://0.0.0.0:5000",   # 3CX "active socket": the PBX connects to us [TX1]
    "file": "file:///var/lib/3cxpbx/Instance1/Data/Logs/CDRLogs/cdr.log",
}
ENCODING = "utf-8"
TERMINATOR = b"\r\n"
FIELDS = ("historyid,callid,duration,time_start,time_answered,time_end,reason_terminated,from_no,to_no,"
          "from_dn,to_dn,dial_no,reason_changed,final_number,final_dn,bill_code,bill_rate,bill_cost,"
          "bill_name,chain,from_type,to_type,final_type,from_dispname,to_dispname,final_dispname,"
          "missed_queue_calls")   # the order of [TX1], as in 3cx_cdr.txt
OPTIONS = {
    "fields": (FIELDS, "comma-separated CDR field names in the order set in the 3CX CDR settings"),
}
# Cause-code alerts: why the call ended; either side hanging up is the normal end
CAUSES = Causes(("reason_terminated",), "3cx_reason", frozenset({"TerminatedBySrc", "TerminatedByDst"}))

MAX_CHARS = 8192
# Read in this order by _call(); the first 11 must be configured, the others read "" when left out.
_REQUIRED = ("callid", "time_start", "time_answered", "time_end", "duration", "from_no", "to_no",
             "from_dn", "to_dn", "from_type", "to_type")
_OPTIONAL = ("dial_no", "reason_changed", "final_number", "final_dn", "final_type", "bill_code")
_TYPES = ("Internal", "External")   # from_type / to_type / final_type (obs: 3cx_cdr.txt)
_SIGNATURE = re.compile(r"Call [0-9]+")   # historyid, wherever the fields option put it


def _time(text: str, what: str) -> datetime:
    """'YYYY/MM/DD HH:MM:SS', PBX local time (obs: 3cx_cdr.txt)."""
    return iso_datetime(text, what, "/", ascii_only=True)


def _number(dn: str, no: str) -> str:
    """The extension number: the DN column, else 'Ext.610' -> '610' from the number column."""
    return dn or (no[4:] if no.startswith("Ext.") else no)


class Parser:
    """Stateless; the `fields` option says where each column is."""

    def __init__(self, fields: str) -> None:
        names = [n.strip() for n in fields.split(",")]
        bad = [n for n in names if not re.fullmatch(r"[a-z_]+", n)] + [n for n in _REQUIRED if n not in names]
        if bad or len(set(names)) != len(names):
            raise ValueError(f"fields: {bad[:1] or 'a repeated name'} (expected 3CX CDR field names; "
                             f"{', '.join(_REQUIRED)} are required)")
        self.names = names
        self.get = column_getter(names, _REQUIRED + _OPTIONAL)

    def parse(self, line: str) -> CallRecord | None:
        """Return the call on this line; None for blank lines and a field-name header."""
        # Exports may start with a UTF-8 BOM (samples/README.md). The chain field is quoted and holds
        # commas: "Chain: 0611360468,Ext.610,Ext.185,".
        row = csv_record(line, MAX_CHARS, "a 3CX CDR line", "line")
        if row is None:
            return None
        if len(row) != len(self.names):
            raise NotACallRecord(f"{len(row)} fields, expected {len(self.names)} (see the fields option)")
        if row == self.names:
            return None
        row.append("")
        return self._call(self.get(row), dict(zip(self.names, row)))

    def _call(self, v: tuple[str, ...], fields: dict[str, str]) -> CallRecord:
        callid, start_s, answer_s, end_s, duration_s, from_no, to_no, from_dn, to_dn, from_type, to_type, \
            dial_no, changed, final_no, final_dn, final_type, bill_code = v
        start, end = _time(start_s, "time_start"), _time(end_s, "time_end")
        answer = _time(answer_s, "time_answered") if answer_s else None   # empty: not answered (obs)
        ring = int(((answer or end) - start).total_seconds())
        if ring < 0 or end < (answer or start):
            raise NotACallRecord(f"times out of order: start {start_s}, answered {answer_s}, end {end_s}")
        if from_type not in _TYPES or to_type not in _TYPES or not callid:
            raise NotACallRecord(f"from_type {from_type[:20]!r} / to_type {to_type[:20]!r} not Internal or "
                                 f"External, or no callid")
        talk = hms_seconds(duration_s, "duration") if duration_s else 0
        for number, what in ((from_no, "from_no"), (to_no, "to_no"), (dial_no, "dial_no"), (final_no, "final_number")):
            check_not_scientific(number, what)   # an export re-saved by a spreadsheet (issue 22)
        # EndCall is a pseudo-party (obs: Call 9760, 9768), trunk DNs are '10000'/'10001'.
        if from_type == "External":   # inbound, answered by the final internal party if any
            trunk = from_dn
            extension = _number(final_dn, final_no) if final_type == "Internal" else ""
            extension = extension or (_number(to_dn, to_no) if to_type == "Internal" else "")
            direction, party = "in", from_no
        elif to_type == "External":   # to_dn is the trunk DN, or the number itself when no trunk was seized
            direction, extension, party = "out", _number(from_dn, from_no), dial_no or to_no
            trunk = to_dn if to_dn.isdigit() and to_dn not in (to_no, dial_no) else ""
        else:   # to_dn is the extension that rang: to_no may be a pseudo-number (Ext.999, Call 9750)
            direction, extension, party, trunk = "internal", _number(from_dn, from_no), _number(to_dn, to_no), ""
        transferred = bool(changed) or (bool(final_dn) and final_dn != to_dn)   # ReplacedDst (Call 9744)
        return CallRecord(start, direction, extension, party, trunk, ring, talk, answer is not None,
                          transferred, bill_code, callid, {k: x for k, x in fields.items() if x})


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    return Parser(**option_values("threecx", options, OPTIONS))


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Share of lines read with the default fields; lines of 3CX shape in another order score 0.6."""
    good = bad = shaped = 0
    for line in lines:
        try:
            good += parse(line) is not None
        except NotACallRecord:
            bad += 1
            shaped += _shaped(line)
    if good:
        return good / (good + bad)
    return 0.6 * shaped / bad if shaped else 0.0


def _shaped(line: str) -> bool:
    """A 'Call 9744' historyid, an Internal type and two 3CX times, in whatever order."""
    try:
        row = next(csv.reader([line[:MAX_CHARS]]), [])
    except csv.Error:
        return False
    return (any(_SIGNATURE.fullmatch(x) for x in row) and "Internal" in row
            and sum(len(x) == 19 and x[4:5] == "/" and x[13:14] == ":" for x in row) >= 2)
