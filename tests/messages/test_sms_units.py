"""SMS units: GSM-7 (160 single, 153 a part, the extension table counted twice and never split) and UCS-2 (70, 67,
surrogate pairs counted twice and never split)."""
from __future__ import annotations

import pytest

from appliance.messages.units import count


@pytest.mark.parametrize("text, encoding, chars, parts", [
    ("", "gsm7", 0, 1),
    ("a" * 160, "gsm7", 160, 1),
    ("a" * 161, "gsm7", 161, 2),
    ("a" * 306, "gsm7", 306, 2),
    ("a" * 307, "gsm7", 307, 3),
    ("€" * 80, "gsm7", 160, 1),                 # extension: two septets each
    ("€" * 81, "gsm7", 162, 2),
    ("a" * 152 + "€" + "a" * 10, "gsm7", 164, 2),   # the € would straddle 153: moved whole to part 2
    ("a" * 152 + "[" + "a" * 152, "gsm7", 306, 3),  # 306 septets but the pair cannot split: 152 | 2+151 | 1
    ("Ça va? Øre £5 @home", "gsm7", 19, 1),
    ("ş" * 70, "ucs2", 70, 1),                  # Turkish ş is not GSM-7
    ("ş" * 71, "ucs2", 71, 2),
    ("Здравствуйте" * 12, "ucs2", 144, 3),
    ("a" * 66 + "😀", "ucs2", 68, 1),              # an emoji: two code units; 68 fit a single UCS-2 SMS
    ("😀" * 35, "ucs2", 70, 1),
    ("a" * 66 + "😀" + "a" * 10, "ucs2", 78, 2),  # the pair would straddle 67: moved to part 2
])
def test_count(text, encoding, chars, parts):
    c = count(text)
    assert (c.encoding, c.chars) == (encoding, chars)
    assert c.parts == parts


def test_one_non_gsm_character_makes_the_whole_text_ucs2():
    assert count("a" * 100).parts == 1
    assert count("a" * 99 + "ğ").encoding == "ucs2" and count("a" * 99 + "ğ").parts == 2
