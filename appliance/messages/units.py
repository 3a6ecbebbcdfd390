"""How many SMS a text costs: GSM 03.38 (GSM-7) when every character is in its alphabet, else UCS-2.

GSM-7: 160 septets in a single SMS, 153 per part of a concatenated one (the user data header takes 7); a character
of the extension table (^ { } \\ [ ~ ] | € and form feed) is an escape plus the character, two septets, and the two
are never split between parts. UCS-2: 70 UTF-16 code units single, 67 per part; a character outside the Basic
Multilingual Plane (an emoji) is two code units, never split. These are what gateways bill (3GPP TS 23.038/23.040).
"""
from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}


@dataclass(frozen=True)
class Count:
    """A text's SMS encoding, its length in that encoding's units and the SMS parts it takes."""
    encoding: str      # gsm7 | ucs2
    chars: int         # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int


def _costs(text: str) -> tuple[str, list[int]]:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return "gsm7", [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return "ucs2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def count(text: str) -> Count:
    """The encoding, length and number of SMS parts of `text` (an empty text is one SMS)."""
    encoding, costs = _costs(text)
    single, per_part = LIMITS[encoding]
    total = sum(costs)
    if total <= single:
        return Count(encoding, total, 1)
    parts, used = 1, 0
    for c in costs:             # a pair (escape + char, or a surrogate pair) stays in one part
        if used + c > per_part:
            parts, used = parts + 1, 0
        used += c
    return Count(encoding, total, parts)
