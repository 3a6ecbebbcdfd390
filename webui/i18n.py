"""Translation and locale formatting of the web UI: `_` and the fmt_* helpers, for Python and templates.

The language of a request is, in order: the logged-in user's preference (users.db), the `callbox_lang`
cookie (set by the language switch, also before login), the browser's Accept-Language, English. Catalogs
are the gettext .po files under webui/locale/ (`make messages` extracts and merges them); they are read
with Babel at first use in each process, so there is no compiled .mo file to keep in step.
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

import bottle
from babel import Locale, UnknownLocaleError, dates, numbers

from appliance.access import users
from appliance.reports import labels as report_labels
from appliance.reports.labels import read_catalog
from webui import templating
from webui.templating import escape      # the one HTML escape of the web (its {{...}} and these helpers)

log = logging.getLogger(__name__)
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
# Each shown in its own language in the switch. Azerbaijani is the Latin script (az = az_Latn in CLDR), as
# Azerbaijan writes it since 1991; Norwegian is Bokmål, the written standard of nearly all of Norway's business.
LANGUAGES = {"en": "English", "tr": "Türkçe", "bg": "Български", "az": "Azərbaycanca", "cs": "Čeština",
             "nb": "Norsk bokmål"}
# Accept-Language tags that mean one of LANGUAGES under another code: "no" is Norwegian without saying which
# written standard (browsers on Norwegian systems send it, and Bokmål is what it means in practice); "nn"
# (Nynorsk) readers all read Bokmål, which is closer to them than English. Both only where the browser does
# not list a language we have before them (q-values and order still rule).
ALIASES = {"no": "nb", "nn": "nb"}
DEFAULT = "en"
COOKIE = "callbox_lang"
ENV_KEY = "callbox.lang"


# A language's catalog, read once: its messages, its plural messages and its Plural-Forms rule (one reader for the
# web and the report files made outside it: appliance.reports.labels)
_read = read_catalog


def catalog(lang: str) -> dict[str, str]:
    """msgid -> msgstr of a language's catalog (untranslated and fuzzy entries left out)."""
    return _read(lang)[0]


def plurals(lang: str) -> tuple[dict[str, tuple[str, ...]], Callable[[int], int]]:
    """The plural messages of a language's catalog (singular msgid -> every form) and its Plural-Forms rule
    (n -> form index), as the catalog's header states them for its language (Czech three forms, Turkish one)."""
    return _read(lang)[1:]


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for the count `n` in the current request's language."""
    lang = language()
    forms, rule = plurals(lang) if lang != DEFAULT else ({}, None)
    found = forms.get(singular)
    if found is None or rule is None:
        return singular if n == 1 else plural
    return found[min(rule(n), len(found) - 1)]


def from_accept_language(header: str) -> str | None:
    """The best of LANGUAGES for an Accept-Language header (q-values honoured), or None."""
    prefs = []
    for i, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            prefs.append((-q, i, tag.strip().lower()))
    for _q, _i, tag in sorted(prefs):
        base = tag.split("-")[0].split("_")[0]
        base = ALIASES.get(base, base)
        if base in LANGUAGES:
            return base
    return None


def _switch(user) -> str:
    """The header's language switch: `?lang=tr` on any page (login included) sets the cookie and, for a
    logged-in user, their stored preference. A plain link, so no route and no form are added to any page; it
    grants nothing, and the session cookie is SameSite=Strict, so another site cannot change a preference."""
    lang = bottle.request.query.get("lang", "")
    if lang not in LANGUAGES or bottle.request.method not in ("GET", "HEAD"):
        return ""
    bottle.response.set_cookie(COOKIE, lang, path="/", max_age=365 * 86400, httponly=True, samesite="lax")
    if user is not None and getattr(user, "language", "") != lang:
        users.set_language(user.username, lang)
    return lang


def switch_url(lang: str) -> str:
    """This page's address with ?lang= set (the home page after a form was posted)."""
    req = bottle.request
    if req.method != "GET":
        return "/?" + urlencode({"lang": lang})
    query = [(k, v) for k, v in req.query.allitems() if k != "lang"] + [("lang", lang)]
    return req.fullpath + "?" + urlencode(query)


def language() -> str:
    """The current request's language code (DEFAULT outside a request)."""
    try:
        env = bottle.request.environ
    except RuntimeError:
        return DEFAULT
    cached = env.get(ENV_KEY)
    if cached:
        return cached
    user = env.get("callbox.user")           # set by webui.auth's guard
    chosen = _switch(user)
    if chosen:
        env[ENV_KEY] = chosen
        return chosen
    lang = getattr(user, "language", "") if user is not None else ""
    if lang not in LANGUAGES:
        lang = bottle.request.get_cookie(COOKIE) or ""
    if lang not in LANGUAGES:
        lang = from_accept_language(bottle.request.headers.get("Accept-Language", "")) or DEFAULT
    if user is not None:
        env[ENV_KEY] = lang     # cached only once the guard has run: before that, no preference is known
    return lang


def _(message: str) -> str:
    """`message` in the current request's language (the English text itself when not translated)."""
    lang = language()
    if lang == DEFAULT:
        return message
    return catalog(lang).get(message, message)


def pgettext(context: str, message: str) -> str:
    """`message` as said in `context`: a short heading other pages use for another thing ("Type", "Kind")."""
    lang = language()
    return message if lang == DEFAULT else catalog(lang).get(f"{context}\x04{message}", message)


# The CLDR locale of each language's dates, times and numbers: English as written in Europe, where the box's
# markets are (24-hour clock, day before month), not the US default Babel gives bare "en"
# The others are CLDR's own for the language (bg_BG, az_Latn_AZ, cs_CZ, nb_NO by likely subtags).
FORMATS = report_labels.FORMATS    # {"en": "en_GB", "bg": "bg_BG", ...}: the report files made outside the web too


@lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(FORMATS.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT)


def locale() -> Locale:
    """The current request's Babel locale."""
    return _locale(language())


def to_decimal(value) -> Decimal | None:
    """Exact Decimal of a stored money/number text (None for empty or not a number); never via float."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("money is never a float")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def fmt_number(value, digits: int | None = None) -> str:
    """A number with the locale's grouping and decimal sign (digits: fixed decimal places)."""
    d = to_decimal(repr(value) if isinstance(value, float) else value)   # a measure, not money
    if d is None:
        return "–"
    if digits is not None:
        return numbers.format_decimal(d, format=f"#,##0.{'0' * digits}" if digits else "#,##0",
                                      locale=locale(), decimal_quantization=True)
    return numbers.format_decimal(d, locale=locale(), decimal_quantization=False)


def fmt_money(amount, currency: str) -> str:
    """Money in its currency for the locale (exact: Decimal, never float); '–' when there is none."""
    d = to_decimal(amount)
    if d is None:
        return "–"
    if not currency:
        return fmt_number(d)
    return _currency(str(d), currency, locale())


# A page of calls formats a few hundred amounts and moments, the same ones again on the next request: babel takes
# ~0.3 ms for an amount (it looks the currency's name and symbol up each time) and ~0.2 ms for a moment. The texts
# are kept per locale (a few thousand, least recently used out): an amount by its exact text ("1.0" and "1.00"
# are the same Decimal, shown differently).
@lru_cache(maxsize=8192)
def _currency(amount: str, currency: str, loc) -> str:
    text = numbers.format_currency(Decimal(amount), currency, locale=loc, decimal_quantization=False)
    # CLDR's currency spacing, which Babel leaves out: a code (letters) beside a digit gets a no-break space,
    # "PLN 0.60" not "PLN0.60"; a sign such as ₺ or € stays against the digits. As the PDFs write it.
    return re.sub(r"(?<=\d)([A-Z]{3})\b|\b([A-Z]{3})(?=\d)",
                  lambda m: f"\u00a0{m.group(1)}" if m.group(1) else f"{m.group(2)}\u00a0", text)


@lru_cache(maxsize=8192)
def _moment(start_utc: int, utc_offset: int, fmt: str, loc) -> str:
    return dates.format_datetime(local_dt(start_utc, utc_offset), fmt, locale=loc)


def local_dt(start_utc: int, utc_offset: int) -> datetime:
    """The moment as the PBX's local time (its UTC offset then)."""
    return datetime.fromtimestamp(start_utc, timezone(timedelta(seconds=utc_offset)))


def fmt_datetime(start_utc: int | None, utc_offset: int = 0, fmt: str = "medium") -> str:
    """A moment in the locale's date-and-time format, at the given UTC offset (a call's own)."""
    if start_utc is None:
        return "–"
    return _moment(int(start_utc), int(utc_offset), fmt, locale())


def fmt_at(epoch: int | None, tz=timezone.utc, fmt: str = "short", empty: str = "–") -> str:
    """A moment (UTC epoch seconds) in the locale's date-and-time format in the zone `tz` (default UTC)."""
    if epoch is None:
        return empty
    offset = datetime.fromtimestamp(epoch, tz).utcoffset()
    return _moment(int(epoch), int(offset.total_seconds()) if offset else 0, fmt, locale())


def fmt_iso(text: str | None, fmt: str = "medium") -> str:
    """An ISO 8601 moment with its offset (a call's `start` in the API's rows) in the locale's format, at that
    offset; the text itself when it is not one."""
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return text or "–"
    return dates.format_datetime(moment, fmt, locale=locale())


@lru_cache(maxsize=None)
def date_pattern(lang: str) -> str:
    """The language's numeric date pattern, 4-digit years (dd.MM.yyyy, dd/MM/yyyy): the date fields' (dates.js)."""
    short = dates.get_date_format("short", locale=_locale(lang)).pattern
    bare = re.sub(r"'[^']*'", "", short).strip(" .\u00a0\u202f")        # bg "d.MM.yy 'г'." -> d.MM.yy
    return re.sub(r"y+", "yyyy", re.sub(r"M+", "MM", re.sub(r"d+", "dd", bare)))


def date_example() -> str:
    """A date in date_pattern(): the date fields' hint."""
    return date_pattern(language()).replace("dd", "31").replace("MM", "12").replace("yyyy", "2025")


@lru_cache(maxsize=None)
def month_pattern(lang: str) -> str:
    """The language's month pattern: its date pattern without the day (MM.yyyy, MM/yyyy): dates.js' month fields."""
    return re.sub(r"dd[^dMy]*(?=[My])|[^dMy]*dd$", "", date_pattern(lang))


def month_example() -> str:
    """A month in month_pattern(): the month fields' hint."""
    return month_pattern(language()).replace("MM", "12").replace("yyyy", "2025")


def fmt_day(day) -> str:
    """A calendar day (a date or its ISO text: a tariff's valid_from, a form's date) as the locale writes it:
    1 Jan 2024, 1 Oca 2024 (a form's date and time with its time); anything else as it is."""
    try:
        value = day if isinstance(day, date) else date.fromisoformat(str(day))
    except ValueError:
        try:      # a form's date and time (2024-03-01T09:30): both, as the locale writes them
            moment = datetime.fromisoformat(str(day))
        except ValueError:
            return str(day)
        return dates.format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale=locale())
    return dates.format_date(value, "medium", locale=locale())


def fmt_date(start_utc: int | None, utc_offset: int = 0, fmt: str = "medium") -> str:
    if start_utc is None:
        return "–"
    return dates.format_date(local_dt(start_utc, utc_offset).date(), fmt, locale=locale())


def fmt_duration(seconds: int | None) -> str:
    """A duration as h:mm:ss (the same in every language)."""
    if seconds is None:
        return "–"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def fmt_month(year: int, month: int) -> str:
    """'July 2017' / 'Temmuz 2017'."""
    return dates.format_skeleton("yMMMM", datetime(year, month, 1), locale=locale())


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; translated later with _() or term()."""
    return message


# Stored values shown to users: roles, scopes, call directions, states. term() translates them.
TERMS = {"administrator": N_("administrator"), "supervisor": N_("supervisor"), "operator": N_("operator"),
         "staff": N_("staff"), "own": N_("own calls"), "department": N_("department"), "branch": N_("branch"),
         "tenant": N_("tenant"), "all": N_("all tenants"), "in": N_("incoming"), "out": N_("outgoing"),
         "internal": N_("internal"), "system": N_("system"), "up": N_("up"), "down": N_("down"), "yes": N_("yes"),
         "no": N_("no"),
         # capture's link events and the details it gives them (appliance/capture/links.py)
         "link_up": N_("link up"), "link_down": N_("link down"), "handshake_ok": N_("handshake done"),
         "handshake_failed": N_("handshake failed"), "connection_refused": N_("connection refused"),
         "connected": N_("connected"), "listening": N_("listening"), "capture stopped": N_("capture stopped"),
         # problem trunks (appliance/reports/trunks.py)
         "high": N_("high"), "low": N_("low"), "silent": N_("silent"), "share": N_("share"),
         "short_calls": N_("short calls")}


def term(value: str) -> str:
    """A stored value (role, scope, direction...) as the user's language names it."""
    return _(TERMS.get(value, value))


# What a PBX writes in a number field is not always a number: IP Office puts a name there, after "?", when it had
# no number ("?MŁYN"), and names its voicemail channels V95xx in the extension field (appliance/reports/missed.py).
PARTY_NAME = re.compile(r"\?(.*[^\W\d_].*)")
VOICEMAIL = re.compile(r"V\d+")


def hunt_groups() -> dict[str, str]:
    """The box's hunt groups {number: name} ([directory] hunt_groups, webui.app.hunt_group_names); {} outside a
    request."""
    try:
        names = bottle.request.app.config.get("callbox.hunt_groups")
    except (RuntimeError, AttributeError, KeyError):
        return {}
    return names() if names is not None else {}


def hunt_group_html(name: str, number: str) -> str:
    """A hunt group as HTML: Sales (hunt group 200) as the reports say (reports.labels), or what is known. Escaped."""
    if name and number:
        text = _("{name} (hunt group {number})").format(name=name, number=number)
    elif name:
        text = _("hunt group '{name}'").format(name=name)
    else:
        text = _("hunt group {number}").format(number=number)
    return f'<span class="hunt-group">{escape(text)}</span>'


def party_html(value: str | None) -> str:
    """A call's party as HTML: a name the PBX sent instead of a number shown as that name (marked), a hunt group's
    number as the group, else the number; '' for none. Escaped."""
    value = value or ""
    name = PARTY_NAME.fullmatch(value)
    if name:
        title = escape(_("A name the PBX sent instead of a number"))
        return f'<span class="pbx-name" title="{title}">{escape(name.group(1))}</span>'
    group = hunt_groups().get(value) if value else None
    if group:
        return hunt_group_html(group, value)
    return escape(value)


def extension_html(value: str | None) -> str:
    """A call's extension as HTML: a voicemail channel named as voicemail, a hunt group's number as the group, else
    the extension. Escaped."""
    value = value or ""
    if VOICEMAIL.fullmatch(value):
        text = escape(_("Voicemail"))
        return f'{text} <span class="muted">{escape(value)}</span>'
    group = hunt_groups().get(value) if value else None
    if group:
        return hunt_group_html(group, value)
    return escape(value)


HELPERS = {"_": _, "ngettext": ngettext, "pgettext": pgettext, "term": term, "switch_url": switch_url,
           "language": language, "LANGUAGES": LANGUAGES, "party_html": party_html, "extension_html": extension_html,
           "hunt_group_html": hunt_group_html, "hunt_groups": hunt_groups, "fmt_number": fmt_number,
           "fmt_money": fmt_money, "fmt_datetime": fmt_datetime, "fmt_date": fmt_date, "fmt_at": fmt_at,
           "fmt_day": fmt_day, "fmt_iso": fmt_iso, "fmt_duration": fmt_duration, "fmt_month": fmt_month,
           "date_pattern": lambda: date_pattern(language()), "date_example": date_example,
           "month_pattern": lambda: month_pattern(language()), "month_example": month_example}
bottle.BaseTemplate.defaults.update(HELPERS)
# every page's template compiles with the faster escaping of {{...}}: bottle.template() takes its default adapter
# from here at each call (webui/templating.py, issue 14)
bottle.SimpleTemplate = templating.Template  # type: ignore[misc]
