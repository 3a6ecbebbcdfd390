"""A report's words (issue 20): the headings of its dimensions and measures and the words of its values, in each
language of the web UI, for the web's pages and for what is made outside the web (the scheduled reports' PDF and
CSV, which showed "talk_s" and 22,770 seconds).

The words are defined here once, marked with N_ (`make messages` extracts this module with the web's), and
translated by the web's catalogues (webui/locale/LANG/LC_MESSAGES/messages.po): the files are the web's, read here
(read_catalog) so that the jobs process says what the page says without importing the web. Dates, numbers and
money follow the language's CLDR locale (FORMATS: English as written in Europe).
"""
from __future__ import annotations

import gettext
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

from babel import Locale, UnknownLocaleError, dates, numbers

from appliance.reports.dims import BAND_ORDER, SECOND_MEASURES

# the web's catalogues: webui/locale beside this package (both are installed from one source tree)
LOCALE_DIR = Path(__file__).resolve().parents[2] / "webui" / "locale"
LANGS = ("en", "tr", "bg", "az", "cs", "nb")
FORMATS = {"en": "en_GB", "bg": "bg_BG", "az": "az_Latn_AZ", "cs": "cs_CZ", "nb": "nb_NO"}


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; translated later (Words.text, the web's _())."""
    return message


DIM_LABELS = {"extension": N_("Extension"), "person": N_("Person"), "department": N_("Department"),
              "branch": N_("Branch"), "tenant": N_("Tenant"), "number": N_("Number"), "hour": N_("Hour"),
              "day": N_("Day"), "weekday": N_("Weekday"), "month": N_("Month"), "year": N_("Year"),
              "tariff": N_("Tariff"), "trunk": N_("Trunk"), "trunk_group": N_("Trunk group"),
              "duration_band": N_("Duration band"), "answer_band": N_("Answer time"), "direction": N_("Direction"),
              "kind": N_("Number class"), "destination": N_("Destination"), "operator": N_("Mobile operator"),
              "region": N_("City / province"), "currency": N_("Currency"), "hunt_group": N_("Hunt group")}
MEASURE_LABELS = {"calls": N_("Calls"), "calls_in": N_("Incoming calls"), "calls_out": N_("Outgoing calls"),
                  "calls_internal": N_("Internal calls"), "answered": N_("Answered"), "unanswered": N_("Not answered"),
                  "duration": N_("Duration"), "talk": N_("Talk"), "ring": N_("Ring"), "talk_in": N_("Talk, incoming"),
                  "talk_out": N_("Talk, outgoing"), "ring_in": N_("Ring, incoming"), "ring_out": N_("Ring, outgoing"),
                  "cost": N_("Cost"), "priced": N_("Priced calls")}
# A row whose dimension has no value (a call of nobody's extension, over no trunk) is named, not left blank
NONE_LABELS = {"person": N_("(no person)"), "department": N_("(no department)"), "branch": N_("(no branch)"),
               "trunk": N_("(no trunk)"), "trunk_group": N_("(no provider)"), "destination": N_("(no destination)"),
               "tariff": N_("(no tariff)"), "extension": N_("(no extension)"), "number": N_("(no number)"),
               "operator": N_("(no operator)"), "region": N_("(no city or province)"),
               "answer_band": N_("(not incoming)"), "hunt_group": N_("(no hunt group)")}
KIND_LABELS = {"internal": N_("internal"), "local": N_("local"), "long_distance": N_("long distance"),
               "mobile": N_("mobile"), "international_fixed": N_("international fixed"),
               "international_mobile": N_("international mobile"), "toll_free": N_("toll free"),
               "premium": N_("premium"), "emergency": N_("emergency"), "short_code": N_("short code"),
               "unknown": N_("unknown")}
# the direction dimension's values (the web's term() says the same of a call's direction)
DIRECTION_LABELS = {"in": N_("incoming"), "out": N_("outgoing"), "internal": N_("internal"), "system": N_("system"),
                    "voicemail": N_("voicemail"), "to_name": N_("to a name")}    # dims.DIRECTION_SQL
BAND_WORDS = {("range", "s"): N_("{low}–{high} s"), ("range", "min"): N_("{low}–{high} min"), ("one", "s"): N_("{n} s"),
              ("over", "s"): N_("over {n} s"), ("over", "min"): N_("over {n} min")}
BAND = re.compile(r"(\d+)(?:-(\d+))?(s|min)(\+?)")
WORDS = {"total": N_("Total"), "other": N_("Other ({n})"), "not_answered": N_("Not answered"),
         "seconds": N_("{label} (s)"), "currency": N_("{label} ({currency})"),
         "hunt_group": N_("{name} (hunt group {number})")}
# dimensions whose value may be a hunt group's number ([directory] hunt_groups): shown as the group (reports.hunt)
HUNT_DIMS = frozenset(("extension", "number", "hunt_group"))


@lru_cache(maxsize=None)
def read_catalog(lang: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]], Callable[[int], int]]:
    """A language's catalogue, read once per process: its messages (pgettext's as "context\\x04id"), its plural
    messages (singular msgid -> every form) and its Plural-Forms rule; untranslated and fuzzy entries left out."""
    from babel.messages.pofile import read_po   # only where a catalogue is read (not every importer of the labels)
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}, {}, lambda n: 0 if n == 1 else 1
    with path.open("rb") as f:
        po = read_po(f, locale=lang)
    messages = {f"{m.context}\x04{m.id}" if m.context else m.id: m.string for m in po
                if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}
    forms = {m.id[0]: tuple(m.string) for m in po
             if isinstance(m.id, tuple) and isinstance(m.string, tuple) and all(m.string) and not m.fuzzy}
    return messages, forms, gettext.c2py(po.plural_expr)   # the stdlib's reader of a C plural expression


@lru_cache(maxsize=None)
def locale_of(lang: str) -> Locale:
    """The Babel locale of a language's dates, times and numbers (FORMATS)."""
    try:
        return Locale.parse(FORMATS.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


def duration(seconds: int | None) -> str:
    """A duration as h:mm:ss (the same in every language, as the web shows it); "–" for none."""
    if seconds is None:
        return "–"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Words:
    """A report's words in one language (LANGS; another is English)."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else "en"
        self.locale = locale_of(self.lang)

    def text(self, message: str) -> str:
        """`message` (an English msgid) in the language; itself when the catalogue lacks it."""
        return message if self.lang == "en" else read_catalog(self.lang)[0].get(message, message)

    def number(self, value: int | Decimal) -> str:
        """A count with the locale's grouping."""
        return numbers.format_decimal(value, locale=self.locale, decimal_quantization=False)

    def label(self, name: str) -> str:
        """A dimension's or measure's heading."""
        return self.text(DIM_LABELS.get(name) or MEASURE_LABELS.get(name) or name)

    def heading(self, name: str, currency: str = "") -> str:
        """A column's heading in a file: the cost with its currency ("Cost (EUR)") when there is one."""
        if name == "cost" and currency:
            return self.text(WORDS["currency"]).format(label=self.label(name), currency=currency)
        return self.label(name)

    def csv_heading(self, name: str, currency: str = "") -> str:
        """A column's heading in a CSV file, with its unit: "Talk (s)" (the cells are seconds), "Cost (EUR)"."""
        if name in SECOND_MEASURES:
            return self.text(WORDS["seconds"]).format(label=self.label(name))
        return self.heading(name, currency)

    def band(self, value: str) -> str:
        """A talk-time or answer-time band (0s, 1-59s, 1-3min, 30min+, 0-5s, unanswered): '1–3 dk', 'over 30 min'."""
        if value == "unanswered":
            return self.text(WORDS["not_answered"])
        m = BAND.fullmatch(value)
        if m is None:
            return value
        low, high, unit, over = m.groups()
        words = BAND_WORDS.get(("over" if over else "range" if high else "one", unit))
        if words is None:
            return value
        return self.text(words).format(low=self.number(int(low)), high=self.number(int(high or 0)),
                                       n=self.number(int(low)))

    def value(self, name: str, value, groups: Mapping[str, str] | None = None) -> str:
        """A dimension's value as the page and its chart show it: terms and number classes in the language,
        weekdays by name, bands by their words, an empty value named (NONE_LABELS), a hunt group's number as the
        group ("Sales (hunt group 200)") by `groups` ({number: name}, [directory] hunt_groups)."""
        if value in ("", None) and name in NONE_LABELS:
            return self.text(NONE_LABELS[name])
        if groups and name in HUNT_DIMS and str(value) in groups:
            return self.text(WORDS["hunt_group"]).format(name=groups[str(value)], number=value)
        if name == "direction" and value in DIRECTION_LABELS:
            return self.text(DIRECTION_LABELS[value])
        if name == "kind" and value in KIND_LABELS:
            return self.text(KIND_LABELS[value])
        if name in BAND_ORDER and value not in ("", None):
            return self.band(str(value))
        if name == "weekday" and str(value).isdigit() and 1 <= int(value) <= 7:    # ISO: 1 = Monday
            return dates.get_day_names("wide", locale=self.locale)[int(value) - 1]
        return "" if value is None else str(value)

    def other(self, n: int) -> str:
        """What a chart sums up: "Other (12)"."""
        return self.text(WORDS["other"]).format(n=self.number(n))


@lru_cache(maxsize=None)
def words(lang: str) -> Words:
    """The Words of a language (one per process)."""
    return Words(lang)
