"""CSV cells a spreadsheet reads as data, never as a formula (OWASP "CSV Injection").

PBX fields (dialled numbers, names, account codes) and user text reach report exports. A cell that starts with
`=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Gnumeric (`=cmd|' /C calc'!A0` runs a program through
DDE), and a leading tab or CR is stripped by some of them before the check. OWASP's advice: prefix such a cell
with a single quote, which the spreadsheet shows as text. Every CSV writer of reports goes through `cell`/`row`.
"""
from __future__ import annotations

import re
from decimal import Decimal

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A plain decimal number ("-12.50", "+90212") is not a formula: a spreadsheet reads it as a number and it
# can call nothing, so it stays as is (a cost column of strings, a dialled number) and totals keep adding up.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?\Z")


def cell(value) -> str:
    """The CSV text of one value: None -> "", numbers as they are (a negative cost is data, not a formula:
    only text can carry a formula), text starting with a formula character prefixed with "'"."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(TRIGGERS) and text != "-" and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def row(values) -> list[str]:
    """`cell` of every value of a row."""
    return [cell(v) for v in values]
