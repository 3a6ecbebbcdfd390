"""Where a call went, as a reader says it (issue 20): IP Office prints a call to a voicemail mailbox as an outgoing
call ("O") to a name in the number field ("?GRABOWA") over no trunk, answered by a voicemail channel (Party2Device
V9511, "VM Channel 11": V + 9500 + n, FORMATS.md §1). The pages showed it as "outgoing"; they show "voicemail"
(or, from another PBX, "to a name"), and a call's page names the voicemail channel its PBX fields give."""
from __future__ import annotations

import re
from typing import Any, Mapping

import bottle

from webui.i18n import PARTY_NAME, _, term

IP_OFFICE = "avaya_ipoffice"
VOICEMAIL_DEVICE = re.compile(r"V95[0-4]\d")      # V9500-V9549: voicemail channels; V9550 on: conference [AV2]


def direction_text(direction: str, party: str | None = "", trunk: str | None = "", driver: str | None = "") -> str:
    """A call's or leg's direction in the user's language; a call to a name over no trunk is not "outgoing": an
    IP Office one reached voicemail, another PBX's is "to a name"."""
    if direction == "out" and not trunk and PARTY_NAME.fullmatch(party or ""):
        return _("voicemail") if driver == IP_OFFICE else _("to a name")
    return term(direction)


def voicemail_channel(legs: list[Mapping[str, Any]]) -> str:
    """The voicemail channel a call's legs say answered it (its name, else its device: 'VM Channel 11'); '' for
    none."""
    for row in legs:
        extra = row.get("extra") or {}
        for device, name in (("party2_device", "party2_name"), ("party1_device", "party1_name")):
            if VOICEMAIL_DEVICE.fullmatch(str(extra.get(device) or "")):
                return str(extra.get(name) or extra.get(device))
    return ""


bottle.BaseTemplate.defaults.update(direction_text=direction_text, voicemail_channel=voicemail_channel)
