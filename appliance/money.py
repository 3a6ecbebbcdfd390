"""Amounts as written in the tariff and price-list files, the CLI and the forms: shared by the buy side (rating) and
the sell side (pricing), which stay independent of each other."""
from __future__ import annotations

import re
from decimal import Decimal

_MONEY = re.compile(r"\d+(\.\d+)?")


def parse_money(text: str) -> Decimal:
    """"0.25" -> Decimal("0.25"): digits with a dot, no sign, exponent or NaN; ValueError naming the text."""
    t = text.strip()
    if not _MONEY.fullmatch(t):
        hint = "; use a dot as the decimal separator" if re.fullmatch(r"\d+,\d+", t) else ""
        raise ValueError(f"{text!r} is not an amount like 0.25{hint}")
    return Decimal(t)
