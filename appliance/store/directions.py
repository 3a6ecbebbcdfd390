"""A call's direction as the reports count it, in SQL over a table of calls (`call`, `central_call`) and in Python.

A call the PBX prints as outgoing that went over no trunk to a name, not a number: IP Office's call to a voicemail
mailbox ("O" to "?GRABOWA", answered by a voicemail channel; FORMATS.md §1). Reports count it under a direction of
its own, "voicemail" (IP Office) or "to_name" (another PBX), never as outgoing: it costs nothing and reaches nobody
outside (issue 20; the calls page says the same, webui/targets.py). The stored direction stays the PBX's "out".

Here, below the reports, because the central's month roll-up (store/central_month.py) stores it too: a branch box's
reports (reports/dims.py) and the central's count a call the same way (issue 18).
"""
from __future__ import annotations

IP_OFFICE = "avaya_ipoffice"
NUMBER_CHARS = "0123456789 +*#"   # a party of only these after its "?" is a number, not a name
NAMED_PARTY_SQL = ("(COALESCE(trunk, '') = '' AND substr(COALESCE(party, ''), 1, 1) = '?' "
                   f"AND length(trim(substr(party, 2), '{NUMBER_CHARS}')) > 0)")
OUT_SQL = f"(direction = 'out' AND NOT {NAMED_PARTY_SQL})"   # DIRECTION_SQL = 'out', cheaper (the sums' test)
DIRECTION_SQL = (f"CASE WHEN direction = 'out' AND {NAMED_PARTY_SQL} THEN "
                 f"CASE WHEN driver = '{IP_OFFICE}' THEN 'voicemail' ELSE 'to_name' END ELSE direction END")


def reported(direction: str, party: str | None, trunk: str | None, driver: str | None) -> str:
    """DIRECTION_SQL of one call, in Python (the central's roll-up, kept per batch: central/apply.py)."""
    party = party or ""
    if direction == "out" and not trunk and party[:1] == "?" and party[1:].strip(NUMBER_CHARS):
        return "voicemail" if driver == IP_OFFICE else "to_name"
    return direction
