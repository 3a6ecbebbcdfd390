"""Helpers of the language tests: the English text of the catalog left on a page in another language."""
from __future__ import annotations

from functools import lru_cache
from html.parser import HTMLParser

from webui import i18n


class _Text(HTMLParser):
    """The text a user reads on a page: text nodes and the title/placeholder/aria-label/value of elements, not
    scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label") and value:
                self.parts.append(value.strip())
            if name == "value" and tag == "input" and dict(attrs).get("type") == "submit" and value:
                self.parts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


@lru_cache(maxsize=None)
def _english(lang: str) -> frozenset[str]:
    """The catalogue's English messages that `lang` translates otherwise (once per language: the browser matrix
    asks for every page), without their pgettext context; not a word `lang` itself writes for another message
    (Norwegian "Type" is a kind on /directory, and English "Type" a key's type on /ssh)."""
    translated = i18n.catalog(lang)
    own = set(translated.values())
    return frozenset(m.split("\x04")[-1] for m in i18n.catalog("en")
                     if translated.get(m, m) != m and "{" not in m and "%" not in m) - own


def english_left(html: str, lang: str, names: frozenset[str] = frozenset()) -> list[str]:
    """English texts of the catalog on a page in `lang`: a whole text that is an English message, or an English
    message of several words inside a text. Messages a language writes the same (PDF, OK, Minimum) are not, nor
    `names` (user names such as "operator" are data, not text of the catalog)."""
    english = _english(lang)
    parts = visible_text(html)
    whole = [p for p in parts if p in english or p.rstrip(":") in english]
    text = "\n".join(parts)
    inside = [m for m in english if len(m) >= 12 and " " in m and m in text]
    # a language name in the switch is each language's own, and the brand is a name
    return sorted({w for w in whole + inside if w not in i18n.LANGUAGES.values() and w != "Callbox" and w not in names})
