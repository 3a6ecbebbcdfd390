"""Cisco Unified CM CDR/CMR flat files: CSV, a header names the columns, epoch UTC times, FORMATS.md §6."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from appliance.records import CallRecord, NotACallRecord
from drivers._common import (Causes, check_not_scientific, column_getter, csv_record, fields_identity, name_list,
                             option_values, parsed_share, regex, seconds, signed_ipv4)

NAME = "Cisco Unified CM (CDR flat files)"
MODELS = ("CUCM 11.5", "CUCM 12.5", "CUCM 14", "CUCM 15")
# CUCM pushes a file per interval (cdr_<cluster>_<node>_<UTC time>_<seq>, each with a header) by SFTP [CI2]
TRANSPORTS = {"file": "file:///var/cdr/cucm-cdr.csv"}
ENCODING = "utf-8"
TERMINATOR = b"\n"
OPTIONS = {
    "gateway_pattern": (r"(?i)^(sip|gw|trunk|cube|h323)|(gw|trunk)$|@", "regular expression found in the "
                        "device name of a gateway or trunk (never in a phone's: SEP..., CSF...)"),
    "pstn_partitions": ("", "comma-separated finalCalledPartyNumberPartition names of PSTN route patterns: "
                            "a call routed there is outbound whatever the device is called"),
}
# Cause-code alerts: the Q.850 cause values of the two ends [CI1]; 16 is normal call clearing, 0 no error
CAUSES = Causes(("dest_cause", "orig_cause"), "q850", frozenset({"0", "16"}))
identity = fields_identity("pkid")   # a CDR's identity: pkid, the id CUCM's database gives each record [CI1]

MAX_CHARS = 16384
# CUCM 11.5 CDR columns (129), one a line in cisco_cucm.columns, as in the CDR field descriptions [CI1] and
# Go-CDR's reader (ZionDials/Go-CDR parser/cucmcdr.go). UNVERIFIED on a real type-1 row; a header line replaces it.
CDR_FIELDS = tuple(Path(__file__).with_name("cisco_cucm.columns").read_text(encoding="ascii").split())
CDR_FIELDS_12_5 = CDR_FIELDS + ("origDeviceType", "destDeviceType", "origDeviceSessionID", "destDeviceSessionID")
# Columns read, by lower-cased header name, in _cdr()'s order: the first 11 must be in a header, the rest read "" if not
_REQUIRED = ("cdrrecordtype", "globalcallid_callmanagerid", "globalcallid_callid", "datetimeorigination",
             "datetimeconnect", "datetimedisconnect", "duration", "callingpartynumber",
             "finalcalledpartynumber", "origdevicename", "destdevicename")
_OPTIONAL = ("clientmattercode", "originalcalledpartynumber", "lastredirectdn", "finalcalledpartynumberpartition")
_EXTRA = {"calling_partition": "callingpartynumberpartition", "orig_cause": "origcause_value", "pkid": "pkid",
          "dest_cause": "destcause_value", "hunt_pilot": "huntpilotdn", "comment": "comment",
          "auth_code_description": "authcodedescription"}
_IPS = {"orig_ip": "origipaddr", "dest_ip": "destipaddr",   # signed 32-bit integers [CI1]
        "orig_media_ip": "origmediatransportaddress_ip", "dest_media_ip": "destmediatransportaddress_ip"}
_TRANSFER = ("origcallterminationonbehalfof", "destcallterminationonbehalfof",
             "lastredirectredirectonbehalfof", "joinonbehalfof")
_READ = _REQUIRED + _OPTIONAL + tuple(_EXTRA.values()) + tuple(_IPS.values()) + _TRANSFER
_TYPE = re.compile(r"[A-Z]+(\(\d+\))?")   # line 2: INTEGER, VARCHAR(50), UNIQUEIDENTIFIER [CI2]
# CUCM names an H.323 gateway by its IP address (a phone never: SEP..., CSF...): a gateway whatever gateway_pattern says
_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_DN = re.compile(r"[0-9]{1,6}")   # a directory number, not a PSTN one: which end of a gateway-to-gateway call is ours


def _column_map(names: list[str] | tuple[str, ...]):
    """A getter of _READ over rows with these columns, whose names are matched in any case."""
    return column_getter((name.strip().lower() for name in names), _READ)


def _int(text: str, what: str) -> int:
    return seconds(text, what, 10, "a whole number")   # epoch times and durations


class Parser:
    """Learns the column order from each header line (per column count); CUCM 11.5/12.5 order before that."""

    def __init__(self, gateway_pattern: str, pstn_partitions: str) -> None:
        self.gateway = regex("gateway_pattern", gateway_pattern).search
        self.pstn = set(name_list("pstn_partitions", pstn_partitions, r"[\w .-]+", "partition names"))
        self.maps = {len(CDR_FIELDS): _column_map(CDR_FIELDS), len(CDR_FIELDS_12_5): _column_map(CDR_FIELDS_12_5)}

    def parse(self, line: str) -> CallRecord | None:
        """Return the CDR leg on this line; None for blank, header, field-type and CMR lines."""
        f = csv_record(line, MAX_CHARS, "a CDR row")
        if f is None:
            return None
        kind = f[0].strip().lower()
        if kind == "cdrrecordtype":
            self._header(f)
            return None
        if kind == "integer" and all(_TYPE.fullmatch(t) for t in f):
            return None
        if kind in ("0", "2"):   # 0 start record (not used), 2 CMR: media statistics, not a call [CI1, CI2]
            if len(f) < 15 or not (f[1].isascii() and f[1].isdigit() and f[2].isdigit()):
                raise NotACallRecord(f"record type {kind} with {len(f)} fields is not a CUCM CMR")
            return None
        if kind != "1":
            raise NotACallRecord(f"cdrRecordType {f[0][:20]!r} is not 0, 1 or 2")
        get = self.maps.get(len(f))
        if get is None:
            raise NotACallRecord(f"{len(f)} fields: not 129 or 133 (CUCM 11.5, 12.5+) nor the last header's count")
        f.append("")
        return self._cdr(get(f))

    def _header(self, names: list[str]) -> None:
        lower = {n.strip().lower() for n in names}
        if "datetimeorigination" not in lower and "numberpacketssent" in lower:
            return None   # a CMR file's header: CMR rows are skipped by record type anyway
        missing = [n for n in _REQUIRED if n not in lower]
        if missing or len(lower) != len(names):
            raise NotACallRecord(f"CDR header without {missing[:3]} or with a repeated column")
        self.maps[len(names)] = _column_map(names)

    def _cdr(self, v: tuple[str, ...]) -> CallRecord:
        key = f'{_int(v[1], "globalCallID_callManagerId")}-{_int(v[2], "globalCallID_callId")}'
        origin, connect = _int(v[3], "dateTimeOrigination"), _int(v[4], "dateTimeConnect")
        disconnect, talk = _int(v[5], "dateTimeDisconnect"), _int(v[6], "duration")
        # dateTimeConnect is 0 for a call that never connected, and duration is then 0 too [CI1].
        ring = (connect or disconnect) - origin
        if origin == 0 or ring < 0 or disconnect < (connect or origin) or (talk and not connect):
            raise NotACallRecord(f"times out of order: origination {origin}, connect {connect}, "
                                 f"disconnect {disconnect}, duration {talk}")
        extra = dict(zip(_EXTRA, v[15:22]), orig_device=v[9], dest_device=v[10], original_called=v[12],
                     last_redirect_dn=v[13], final_partition=v[14])
        for name, text in zip(_IPS, v[22:26]):
            extra[name] = signed_ipv4(text) if text else ""
        for i, what in ((7, "callingPartyNumber"), (8, "finalCalledPartyNumber"), (12, "originalCalledPartyNumber")):
            check_not_scientific(v[i], what)
        direction, extension, party, trunk = self._sides(v)
        # transferred: an OnBehalfOf code 10 = Transfer (CallManager 4.2 CDR definition, "OnBehalfOf Codes")
        return CallRecord(datetime.fromtimestamp(origin, timezone.utc), direction, extension, party, trunk,
                          ring, talk, connect != 0, "10" in v[26:30], v[11], key,
                          {k: value for k, value in extra.items() if value})

    def _sides(self, v: tuple[str, ...]) -> tuple[str, str, str, str]:
        """Direction is not a field: gateway/trunk device names and PSTN partitions decide (unverified)."""
        calling, final, orig_dev, dest_dev = v[7], v[8], v[9], v[10]
        from_gw = bool(orig_dev) and (self.gateway(orig_dev) is not None or _IPV4.fullmatch(orig_dev) is not None)
        to_pstn = v[14] in self.pstn
        to_gw = bool(dest_dev) and (self.gateway(dest_dev) is not None or _IPV4.fullmatch(dest_dev) is not None)
        ours = (bool(_DN.fullmatch(calling)), bool(_DN.fullmatch(final)))   # DNs, not PSTN numbers (FXS ports)
        if from_gw and (not (to_gw or to_pstn) or (not to_pstn and ours == (False, True))):
            return "in", final, calling, orig_dev   # to a phone, or to a DN behind another gateway
        if (to_gw or to_pstn) and not from_gw:
            return "out", calling, final, dest_dev
        if from_gw and (to_pstn or ours != (True, True)):   # trunk to trunk: forwarded out, or a DN calling out
            return "out", v[13] or (calling if ours[0] else v[12] or calling), final, dest_dev
        return "internal", calling, final, ""


def make_parser(**options: str) -> Parser:
    """A parser for these OPTIONS; an unknown option or a bad value raises ValueError naming it."""
    return Parser(**option_values("cisco_cucm", options, OPTIONS))


parse = make_parser().parse


def looks_like(lines: list[str]) -> float:
    """Share of the non-blank lines a fresh parser reads (CDR rows, headers, type lines and CMRs)."""
    return parsed_share(make_parser().parse, lines, skipped_fit=True)
