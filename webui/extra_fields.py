"""A call leg's fields from the PBX (issue 20): each driver's extra fields (drivers/*.py: what a record holds beyond
the call's columns) named in the user's language and their values as a reader reads them, on a call's page.

FIELDS names every field the drivers emit (tests/webui/test_extra_fields.py fails when a driver emits one without
a name here): its label and how its value reads (KINDS). A field not named here (one an older release's driver
wrote, or a 3CX field the installer added to the `fields` option) is still shown, under the PBX's own name.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Mapping, NamedTuple

from babel import dates

from webui.i18n import N_, _, fmt_duration, locale, term

# how a value reads: text as the PBX printed it; seconds (a count of them) and hms (h:mm:ss) as a duration; time
# (a PBX local date and time, any of the drivers' layouts) in the page's format; flag (1/0, Y/N) as yes/no
KINDS = ("text", "seconds", "hms", "time", "flag")
FIELDS: dict[str, tuple[str, str]] = {
    # shared by several drivers
    "caller": (N_("Caller"), "text"), "called": (N_("Called party"), "text"),
    "dialled": (N_("Dialled digits"), "text"), "cost": (N_("Cost printed by the PBX"), "text"),
    "duration": (N_("Duration"), "seconds"), "sequence": (N_("Sequence"), "text"),
    "accountcode": (N_("Account code"), "text"), "userfield": (N_("User field"), "text"),
    "amaflags": (N_("AMA flags"), "text"), "disposition": (N_("Outcome"), "text"), "end": (N_("Ended"), "time"),
    "direction": (N_("Direction as printed"), "text"),
    # Asterisk Master.csv
    "src": (N_("Source number"), "text"), "dst": (N_("Destination number"), "text"),
    "dcontext": (N_("Dialplan context"), "text"), "clid": (N_("Caller ID"), "text"),
    "channel": (N_("Channel"), "text"), "dstchannel": (N_("Destination channel"), "text"),
    "lastapp": (N_("Last application"), "text"), "lastdata": (N_("Last application's data"), "text"),
    "start": (N_("Started"), "time"), "answer": (N_("Answered at"), "time"), "billsec": (N_("Billed time"), "seconds"),
    "uniqueid": (N_("Unique ID"), "text"), "peeraccount": (N_("Peer account"), "text"),
    "linkedid": (N_("Linked ID"), "text"),
    # Avaya IP Office SMDR
    "is_internal": (N_("Internal call"), "flag"), "continuation": (N_("Continued in another record"), "flag"),
    "party1_device": (N_("Party 1 device"), "text"), "party1_name": (N_("Party 1 name"), "text"),
    "party2_device": (N_("Party 2 device"), "text"), "party2_name": (N_("Party 2 name"), "text"),
    "hold_s": (N_("Hold time"), "seconds"), "park_s": (N_("Park time"), "seconds"),
    "targeting_cause": (N_("Targeting cause"), "text"), "targeter_id": (N_("Targeted by"), "text"),
    "targeted_number": (N_("Targeted number"), "text"), "auth_valid": (N_("Authorisation valid"), "flag"),
    "auth_code": (N_("Authorisation code"), "text"), "user_charged": (N_("User charged"), "text"),
    "call_charge": (N_("Call charge"), "text"), "currency": (N_("Currency"), "text"),
    "amount_at_last_user_change": (N_("Amount at the last user change"), "text"),
    "call_units": (N_("Call units"), "text"),
    "units_at_last_user_change": (N_("Units at the last user change"), "text"),
    "cost_per_unit": (N_("Cost per unit"), "text"), "mark_up": (N_("Mark-up"), "text"),
    "caller_server_ip": (N_("Caller's server IP address"), "text"),
    "caller_unique_id": (N_("Caller's unique ID"), "text"),
    "called_server_ip": (N_("Called party's server IP address"), "text"),
    "called_unique_id": (N_("Called party's unique ID"), "text"), "record_time": (N_("Record written at"), "time"),
    # Cisco Unified CM
    "calling_partition": (N_("Calling partition"), "text"), "orig_cause": (N_("Originating cause"), "text"),
    "pkid": (N_("Record ID"), "text"), "dest_cause": (N_("Destination cause"), "text"),
    "hunt_pilot": (N_("Hunt pilot"), "text"), "comment": (N_("Comment"), "text"),
    "auth_code_description": (N_("Authorisation code description"), "text"),
    "orig_device": (N_("Originating device"), "text"), "dest_device": (N_("Destination device"), "text"),
    "original_called": (N_("Originally called number"), "text"),
    "last_redirect_dn": (N_("Last redirecting number"), "text"), "final_partition": (N_("Final partition"), "text"),
    "orig_ip": (N_("Originating IP address"), "text"), "dest_ip": (N_("Destination IP address"), "text"),
    "orig_media_ip": (N_("Originating media IP address"), "text"),
    "dest_media_ip": (N_("Destination media IP address"), "text"),
    # FreeSWITCH mod_cdr_csv
    "caller_id_name": (N_("Caller ID name"), "text"), "caller_id_number": (N_("Caller ID number"), "text"),
    "destination_number": (N_("Destination number"), "text"), "context": (N_("Dialplan context"), "text"),
    "caller_id": (N_("Caller ID"), "text"), "channel_name": (N_("Channel"), "text"),
    "bridge_channel": (N_("Bridged channel"), "text"), "last_app": (N_("Last application"), "text"),
    "last_arg": (N_("Last application's data"), "text"), "start_stamp": (N_("Started"), "time"),
    "answer_stamp": (N_("Answered at"), "time"), "end_stamp": (N_("Ended"), "time"),
    "hangup_cause": (N_("Hangup cause"), "text"), "uuid": (N_("Channel ID"), "text"),
    "bleg_uuid": (N_("Other leg's channel ID"), "text"), "read_codec": (N_("Codec received"), "text"),
    "write_codec": (N_("Codec sent"), "text"), "seconds_missing": (N_("Times without seconds"), "flag"),
    # Mitel 5000
    "call_type": (N_("Call type"), "text"), "far_end_disconnect": (N_("Far end hung up"), "flag"),
    "digits_cut": (N_("Digits cut short"), "flag"),
    # Mitel MiVoice Business
    "long_call": (N_("Long-call marker"), "text"), "calling": (N_("Calling party"), "text"),
    "attendant": (N_("Attendant"), "text"), "answer_s": (N_("Time to answer"), "seconds"),
    "digits": (N_("Dialled digits"), "text"), "status": (N_("Completion status"), "text"),
    "speed_forward": (N_("Speed call or forward"), "text"), "transfer": (N_("Transfer or conference"), "text"),
    "third_party": (N_("Third party"), "text"), "route_opt": (N_("Route optimisation"), "text"),
    "system_id": (N_("System ID"), "text"), "meter_pulses": (N_("Meter pulses"), "text"),
    "ani": (N_("Caller's number (ANI)"), "text"), "dnis": (N_("Number dialled (DNIS)"), "text"),
    "call_id": (N_("Call ID"), "text"), "associated_id": (N_("Associated call ID"), "text"),
    # NEC SL
    "class": (N_("Call class"), "text"), "seq": (N_("Sequence"), "text"), "name": (N_("Caller name"), "text"),
    # Panasonic KX
    "dial": (N_("Dial number"), "text"), "printed_time": (N_("Time printed"), "text"), "ddi": (N_("DDI"), "text"),
    "cd": (N_("Call code"), "text"),
    # 3CX
    "historyid": (N_("History ID"), "text"), "callid": (N_("Call ID"), "text"),
    "time_start": (N_("Started"), "time"),
    "time_answered": (N_("Answered at"), "time"), "time_end": (N_("Ended"), "time"),
    "reason_terminated": (N_("Why it ended"), "text"), "from_no": (N_("From number"), "text"),
    "to_no": (N_("To number"), "text"), "from_dn": (N_("From extension"), "text"),
    "to_dn": (N_("To extension"), "text"),
    "dial_no": (N_("Dialled number"), "text"), "reason_changed": (N_("Why the called party changed"), "text"),
    "final_number": (N_("Final number"), "text"), "final_dn": (N_("Final extension"), "text"),
    "bill_code": (N_("Billing code"), "text"), "bill_rate": (N_("Billing rate"), "text"),
    "bill_cost": (N_("Billing cost"), "text"), "bill_name": (N_("Billing name"), "text"),
    "chain": (N_("Call chain"), "text"), "from_type": (N_("From type"), "text"), "to_type": (N_("To type"), "text"),
    "final_type": (N_("Final type"), "text"), "from_dispname": (N_("From name"), "text"),
    "to_dispname": (N_("To name"), "text"), "final_dispname": (N_("Final name"), "text"),
    "missed_queue_calls": (N_("Missed queue calls"), "text"),
}
# a driver whose field of a shared name reads otherwise: 3CX's duration is talk time as hh:mm:ss
DRIVER_KINDS = {("threecx", "duration"): "hms"}
# values a PBX writes as codes, said in words (the rest as printed)
VALUES = {
    "disposition": {"ANSWERED": N_("answered"), "NO ANSWER": N_("not answered"), "BUSY": N_("busy"),
                    "FAILED": N_("failed"), "CONGESTION": N_("congestion")},
    "printed_time": {"start": N_("the call's start"), "end": N_("the call's end")},
    "cd": {"TR": N_("transfer"), "FW": N_("forwarded to an outside line"), "RM": N_("remote access")},
    "from_type": {"Internal": N_("internal"), "External": N_("external")},
    "reason_terminated": {"TerminatedBySrc": N_("the caller hung up"),
                          "TerminatedByDst": N_("the called party hung up"), "Failed": N_("failed"),
                          "Failed_Cancelled": N_("cancelled")},
    "answer_s": {"***": N_("not answered")},
}
# IP Office's External Targeting Cause: who targeted the call, then why (FORMATS.md §1: "HG fnr", "U XfP")
TARGETERS = {"HG": N_("hunt group"), "U": N_("user"), "LINE": N_("line"), "AA": N_("auto attendant"),
             "ICR": N_("incoming call route"), "MT": N_("mobile twinning")}
TARGET_REASONS = {"fb": N_("forwarded on busy"), "fu": N_("forwarded unconditionally"),
                  "fnr": N_("forwarded on no answer"), "fdnd": N_("forwarded on do not disturb"),
                  "XfP": N_("transfer proposed"), "Xfd": N_("transferred"), "CfP": N_("conference proposed"),
                  "Cfd": N_("conferenced")}
VALUES["to_type"] = VALUES["final_type"] = VALUES["from_type"]
TRUE, FALSE = frozenset({"1", "y", "yes", "true", "t"}), frozenset({"0", "n", "no", "false", "f"})
_TIME = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")
_HMS = re.compile(r"(\d+):([0-5]\d):([0-5]\d)")


class Field(NamedTuple):
    key: str       # the driver's name of the field
    label: str     # its name in the user's language (the key itself when the field is not known)
    value: str     # its value as a reader reads it


def kind_of(driver: str, key: str) -> str | None:
    """How a field of this driver reads (KINDS); None when it is not a known field."""
    known = FIELDS.get(key)
    return DRIVER_KINDS.get((driver, key), known[1]) if known else None


def value_text(kind: str, key: str, value: str) -> str:
    """A field's value as the user reads it: a duration as h:mm:ss, a PBX time in the page's format, a flag as
    yes/no, a code in words; anything it cannot read as printed."""
    if kind == "seconds" and value.isascii() and value.isdigit():
        return fmt_duration(int(value))
    if kind == "hms" and (hms := _HMS.fullmatch(value)):
        h, m, s = map(int, hms.groups())
        return fmt_duration(h * 3600 + m * 60 + s)
    if kind == "time" and (t := _TIME.fullmatch(value.strip())):
        try:
            moment = datetime(*(int(p or 0) for p in t.groups()))
        except ValueError:
            return value
        return dates.format_datetime(moment, "medium", locale=locale())   # the PBX's local time, as printed
    if kind == "flag" and value.strip().lower() in TRUE | FALSE:
        return term("yes" if value.strip().lower() in TRUE else "no")
    if key == "targeting_cause":
        return _targeting(value)
    words = VALUES.get(key, {}).get(value)
    return _(words) if words else value


def _targeting(value: str) -> str:
    """IP Office's targeting cause in words, its code after them: "hunt group, forwarded on no answer (HG fnr)";
    as printed when a part of it is not known."""
    parts = value.split()
    if not parts or parts[0] not in TARGETERS or any(p not in TARGET_REASONS for p in parts[1:]):
        return value
    return ", ".join(_(w) for w in [TARGETERS[parts[0]]] + [TARGET_REASONS[p] for p in parts[1:]]) + f" ({value})"


def fields(driver: str, extra: Mapping[str, object]) -> list[Field]:
    """A leg's extra fields with a value, in the driver's order: each named and its value read (an unknown field
    under its own name, its value as printed)."""
    out = []
    for key, raw in extra.items():
        if raw in ("", None):
            continue
        kind = kind_of(driver, key)
        if kind is None:
            out.append(Field(key, key, str(raw)))
        else:
            out.append(Field(key, _(FIELDS[key][0]), value_text(kind, key, str(raw))))
    return out
