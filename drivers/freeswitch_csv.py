"""FreeSWITCH mod_cdr_csv: one CSV row per leg, `example` or `asterisk` template, FORMATS.md §9."""
from __future__ import annotations

import re
from datetime import datetime

from appliance.records import CallRecord, NotACallRecord
from drivers._common import (Causes, check_not_scientific, choice, csv_record, dialplan_target, fields_identity,
                             name_list, option_values, parsed_share, regex, seconds)

NAME = "FreeSWITCH (mod_cdr_csv)"
MODELS = ("FreeSWITCH 1.6+", "FusionPBX")
TRANSPORTS = {"file": "file:///var/log/freeswitch/cdr-csv/Master.csv"}
ENCODING = "utf-8"
TERMINATOR = b"\n"
OPTIONS = {
    "template": ("auto", "cdr_csv template: example (15 columns), asterisk (18 columns) or auto (by count)"),
    "inbound_contexts": ("public", "comma-separated dialplan contexts of calls arriving from gateways"),
    "extension_pattern": (r"\d{2,6}", "regular expression an internal extension number matches in full"),
}
# Cause-code alerts: the leg's Q.850 cause name; SUCCESS and NORMAL_CLEARING are a call that went well
CAUSES = Causes(("hangup_cause",), "q850_name", frozenset({"NORMAL_CLEARING", "SUCCESS"}))
identity = fields_identity("uuid")   # each leg's row has its own channel uuid [FS1]; a template without it: the line

MAX_CHARS = 16384
# Shipped templates, from the vanilla cdr_csv.conf.xml [FS1]. `asterisk` has no bleg_uuid and no codecs.
TEMPLATES = {
    "example": ("caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp",
                "answer_stamp", "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid",
                "accountcode", "read_codec", "write_codec"),
    "asterisk": ("accountcode", "caller_id_number", "destination_number", "context", "caller_id",
                 "channel_name", "bridge_channel", "last_app", "last_arg", "start_stamp", "answer_stamp",
                 "end_stamp", "duration", "billsec", "hangup_cause", "amaflags", "uuid", "userfield"),
}
_READ = ("caller_id_number", "destination_number", "context", "start_stamp", "answer_stamp", "end_stamp",
         "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid", "accountcode")
# Q.850 cause -> Asterisk-style disposition (extra only); anything else not answered is FAILED.
_NO_ANSWER = ("NO_ANSWER", "NO_USER_RESPONSE", "ORIGINATOR_CANCEL", "ALLOTTED_TIMEOUT", "RECOVERY_ON_TIMER_EXPIRE")
_BUSY = ("USER_BUSY", "CALL_REJECTED", "NORMAL_CIRCUIT_CONGESTION")
# A spreadsheet rewrites '2020-02-10 22:41:07' as '2020/2/10 22:41' (obs: freeswitch_cdr_csv.txt, FORMATS.md §9).
_LOOSE_TIME = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2}) ([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_CAUSE = re.compile(r"[A-Z0-9_]{3,40}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _time(text: str, what: str) -> tuple[datetime, bool]:
    """(time, seconds_missing): 'YYYY-MM-DD HH:MM:SS' local [FS1 sample], or a spreadsheet's rewrite of it."""
    try:
        if (len(text) == 19 and text[4] == "-" and text[7] == "-" and text[10] == " " and text[13] == ":"
                and text[16] == ":" and text.isascii()):   # the hot path
            return datetime.fromisoformat(text), False
        m = _LOOSE_TIME.fullmatch(text)   # year first only: '10/2/2020' (D/M or M/D?) is quarantined
        if m:
            y, mo, d, h, mi, s = m.groups()
            return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0)), s is None
    except ValueError:
        pass
    raise NotACallRecord(f"{what} {text[:40]!r} is not a date and time, year first (YYYY-MM-DD HH:MM:SS)")


class Parser:
    """Stateless; direction is derived from context and number shapes, as the row has no direction."""

    def __init__(self, template: str, inbound_contexts: str, extension_pattern: str) -> None:
        choice("template", template, ("auto", *TEMPLATES), "auto, example or asterisk")
        chosen = TEMPLATES.values() if template == "auto" else (TEMPLATES[template],)
        # column count -> (names, indices of _READ with -1 for a column the template lacks)
        self.layouts = {len(t): (t, [t.index(n) if n in t else -1 for n in _READ]) for t in chosen}
        self.inbound = set(name_list("inbound_contexts", inbound_contexts, r"[\w.+@-]+", "dialplan context names"))
        self.is_extension = regex("extension_pattern", extension_pattern).fullmatch

    def parse(self, line: str) -> CallRecord | None:
        """Return the call leg on this row; None for blank lines and a column-name header."""
        row = csv_record(line, MAX_CHARS, "a cdr_csv row")   # may start with a BOM from a spreadsheet (FORMATS.md §9)
        if row is None:
            return None
        layout = self.layouts.get(len(row))
        if layout is None:
            raise NotACallRecord(f"{len(row)} columns, expected {' or '.join(map(str, self.layouts))}")
        names, index = layout
        if row[0] == names[0] and row[1] == names[1]:   # header added by an export, not by mod_cdr_csv
            return None
        row.append("")
        return self._leg(*[row[i] for i in index], extra=dict(zip(names, row)))

    def _leg(self, caller, dest, context, start_s, answer_s, end_s, duration_s, billsec_s, cause, uuid,
             bleg, account, *, extra) -> CallRecord:
        start, rough = _time(start_s, "start_stamp")
        if answer_s:   # unanswered: empty answer_stamp (obs: freeswitch_cdr_csv_unattributed.txt)
            rough |= _time(answer_s, "answer_stamp")[1]
        end, rough_end = _time(end_s, "end_stamp")
        duration, billsec = seconds(duration_s, "duration"), seconds(billsec_s, "billsec")
        if end < start:
            raise NotACallRecord(f"end_stamp {end_s!r} is before start_stamp {start_s!r}")
        if billsec and not answer_s:
            raise NotACallRecord(f"billsec {billsec} on a leg without answer_stamp")
        if not _CAUSE.fullmatch(cause):
            raise NotACallRecord(f"hangup_cause {cause[:40]!r} is not a Q.850 cause name")
        if not _UUID.fullmatch(uuid) or (bleg and not _UUID.fullmatch(bleg)):
            raise NotACallRecord(f"uuid {uuid[:40]!r} / bleg_uuid {bleg[:40]!r} is not a UUID")
        for number, what in ((caller, "caller_id_number"), (dest, "destination_number")):
            check_not_scientific(number, what)   # a spreadsheet re-save (FORMATS.md §9, issue 22)
        direction, extension, party = self._sides(caller, dest, context)
        answered = bool(answer_s)
        extra = {k: v for k, v in extra.items() if v}
        extra["disposition"] = ("ANSWERED" if answered else "NO ANSWER" if cause in _NO_ANSWER
                                else "BUSY" if cause in _BUSY else "FAILED")
        if rough or rough_end:   # a spreadsheet dropped the seconds: the times are good to the minute only
            extra["seconds_missing"] = "1"
        trunk = ""
        if "channel_name" in extra and direction != "internal":   # asterisk template: the trunk channel
            trunk = extra.get("channel_name" if direction == "in" else "bridge_channel", "").rpartition("/")[0]
        # The A leg's bleg_uuid is the B leg's uuid, and a B leg has no bleg_uuid (obs: second row of
        # freeswitch_cdr_csv_unattributed.txt names the first): keying on bleg_uuid-or-uuid joins them.
        # ring = duration - billsec, clamped as they are truncated separately.
        return CallRecord(start, direction, extension, party, trunk, max(0, duration - billsec), billsec,
                          answered, False, account, bleg or uuid, extra)

    def _sides(self, caller: str, dest: str, context: str) -> tuple[str, str, str]:
        """(direction, extension, party): in by context, else by which numbers look like extensions."""
        if context in self.inbound:   # destination_number is the DID here; the B leg has the extension
            return "in", dest if self.is_extension(dest) else "", caller
        ext_caller, ext_dest = self.is_extension(caller), self.is_extension(dest)
        if ext_caller and ext_dest:
            return "internal", caller, dest
        if ext_dest and not ext_caller:
            return "in", dest, caller
        # `voicemail`, `*`, `*201725`, an originate's `&`: a dialplan target or feature code (issue 22)
        return ("system" if dialplan_target(dest) else "out"), caller, dest


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    return Parser(**option_values("freeswitch_csv", options, OPTIONS))


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Share of the non-blank lines that parse as cdr_csv rows."""
    return parsed_share(parse, lines)
