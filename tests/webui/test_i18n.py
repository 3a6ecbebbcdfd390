"""webui.i18n: complete catalogs (every string of code and templates translated), language choice, locale formats."""
from __future__ import annotations

import re
import string
from decimal import Decimal
from types import SimpleNamespace

import bottle
import pytest
import webtest

from appliance import store
from appliance.access import users
from appliance.store.users import users_db
from web_helpers import add_user, login
from webui import i18n, i18n_extract
from webui.app import make_app
from webui.reports.traffic import problem_text


@pytest.fixture(scope="module")
def extracted():
    """Every message id of the code and templates; a plural message by its singular (its plural: `plural_ids`); a
    message in a context (pgettext) by the key webui.i18n reads it by, "context\x04message"."""
    return {f"{m.context}\x04{m.id}" if m.context else m.id for m in i18n_extract.extract()
            if m.id and isinstance(m.id, str)}


@pytest.fixture(scope="module")
def plural_ids():
    return {m.id for m in i18n_extract.extract() if isinstance(m.id, tuple)}


def _fields(text: str) -> tuple:
    """{name} fields and %s-style conversions (in order): a translation must keep them all."""
    return ({f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None},
            re.findall(r"%(?:\(\w+\))?[sdr]", text))


def test_the_seed_markets_languages_are_offered():
    """Issue 20 (REP-13): English, Turkish, Bulgarian, Azerbaijani, Czech and Norwegian Bokmål, each named in its
    own language in the switch."""
    assert i18n.LANGUAGES == {"en": "English", "tr": "Türkçe", "bg": "Български", "az": "Azərbaycanca",
                              "cs": "Čeština", "nb": "Norsk bokmål"}


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_string_is_in_each_catalog_translated_with_the_same_placeholders(extracted, lang):
    assert len(extracted) > 250 and "Log out" in extracted and "Search calls" in extracted
    assert "administrator" in extracted             # N_() terms too
    translated = i18n.catalog(lang)
    missing = sorted(m for m in extracted if not translated.get(m))
    assert not missing, f"untranslated in webui/locale/{lang} (run make messages, then translate): {missing}"
    for msgid in extracted:
        assert _fields(translated[msgid]) == _fields(msgid), (lang, msgid)
        assert _tags(translated[msgid]) == _tags(msgid), (lang, msgid)


def test_english_is_its_own_catalog(extracted):
    en = i18n.catalog("en")
    assert all(en.get(m) == m.split("\x04")[-1] for m in extracted)


def _tags(text: str) -> list:
    """HTML tags and [config] section names, which a translation keeps as they are."""
    return sorted(re.findall(r"</?\w+[^>]*>|\[\w+\]", text))


@pytest.mark.parametrize("lang, header", [("tr", "nplurals=1; plural=0;"), ("en", "nplurals=2; plural=(n != 1);"),
                                          ("bg", "nplurals=2; plural=(n != 1);"),
                                          ("az", "nplurals=2; plural=(n != 1);"),
                                          ("nb", "nplurals=2; plural=(n != 1);"),
                                          ("cs", "nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);")])
def test_each_catalog_states_its_languages_plural_forms(lang, header):
    text = (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert f'"Plural-Forms: {header}\\n"' in text and f'"Language: {lang}\\n"' in text
    assert "#, fuzzy\nmsgid \"\"" not in text               # a fuzzy header: gettext tools would skip the catalog
    rule = i18n.plurals(lang)[1]
    assert [rule(n) for n in (1, 2, 5)] == {"tr": [0, 0, 0], "cs": [0, 1, 2]}.get(lang, [0, 1, 1])


def test_plural_messages_take_the_languages_own_forms(plural_ids):
    """Issue 20: "Path: 1 legs". A plural message has every form of each language, with the same fields, and the
    form for a count is the catalog's Plural-Forms rule's."""
    assert ("Path: {n} leg", "Path: {n} legs") in plural_ids
    for lang in i18n.LANGUAGES:
        forms, rule = i18n.plurals(lang)
        for singular, plural in plural_ids:
            assert forms.get(singular), (lang, singular)
            assert all(_fields(f) == _fields(plural) for f in forms[singular]), (lang, singular)
    _in_request(cookie="en")
    assert i18n.ngettext("Path: {n} leg", "Path: {n} legs", 1) == "Path: {n} leg"
    assert i18n.ngettext("Path: {n} leg", "Path: {n} legs", 3) == "Path: {n} legs"
    _in_request(accept="tr")
    one, three = (i18n.ngettext("Path: {n} leg", "Path: {n} legs", n) for n in (1, 3))
    assert one == three == "Yol: {n} bacak"                  # Turkish: one form (nplurals=1)
    assert i18n.plurals("tr")[1](5) == 0 and i18n.plurals("en")[1](1) == 0 and i18n.plurals("en")[1](2) == 1


def test_the_template_extractor_reads_both_quotes_and_escapes(tmp_path):
    tpl = (b"""<p>{{_('One')}} {{_("Two's")}} {{ _( 'Th\\'ree' ) }} {{x_('no')}} {{_(name)}}</p>\n% t = N_('Four')\n"""
           b"""{{ngettext('{n} leg', "{n} legs", n).format(n=n)}}\n""")
    path = tmp_path / "t.tpl"
    path.write_bytes(tpl)
    with path.open("rb") as f:
        found = [(line, msg) for line, _f, msg, _c in i18n_extract.extract_bottle(f, None, None, {})]
    assert found == [(1, "One"), (1, "Two's"), (1, "Th'ree"), (2, "Four"), (3, ("{n} leg", "{n} legs"))]


@pytest.mark.parametrize("header,lang", [("tr-TR,tr;q=0.9,en;q=0.8", "tr"), ("de-DE, en;q=0.5", "en"),
                                         ("de, fr", None), ("en;q=0.2, tr;q=0.9", "tr"), ("", None),
                                         ("tr;q=0", None), ("*", None), ("bg-BG,bg;q=0.9", "bg"),
                                         ("az-Latn-AZ,az;q=0.9,ru;q=0.8", "az"), ("cs-CZ,cs;q=0.9,en;q=0.5", "cs"),
                                         ("nb-NO,nb;q=0.9", "nb"), ("no", "nb"), ("nn-NO,nn;q=0.9,en;q=0.5", "nb"),
                                         ("en-GB,en;q=0.9,nb;q=0.8", "en"), ("nn;q=0.5, cs", "cs")])
def test_accept_language(header, lang):
    assert i18n.from_accept_language(header) == lang


def _in_request(lang: str = "", accept: str = "", cookie: str = ""):
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": f"lang={lang}" if lang else "",
           "HTTP_ACCEPT_LANGUAGE": accept}
    if cookie:
        env["HTTP_COOKIE"] = f"{i18n.COOKIE}={cookie}"
    bottle.request.bind(env)
    bottle.response.bind()


def test_formats_follow_the_locale_and_money_stays_exact():
    _in_request(accept="tr")
    assert i18n.language() == "tr" and i18n._("Log out") == "Oturumu kapat"
    assert i18n.fmt_number(1234567) == "1.234.567"
    assert i18n.fmt_money("12345.675", "TRY") == "₺12.345,675"
    assert i18n.fmt_money(Decimal("0.10"), "EUR") == "€0,10"
    assert i18n.fmt_month(2017, 7) == "Temmuz 2017"
    # 2017-07-01 08:13:24 at the PBX (UTC+2, summer time): shown in the call's own offset, not the server's
    assert i18n.fmt_datetime(1498889604, 7200) == "1 Tem 2017 08:13:24"
    _in_request(cookie="en")
    # issue 20: a currency code is spaced from the digits as CLDR says (Babel glues them: "PLN0.60"), as in PDFs
    assert i18n.fmt_money("12345.675", "TRY") == "TRY\u00a012,345.675"
    assert i18n.fmt_money("-0.60", "PLN") == "-PLN\u00a00.60"
    _in_request(accept="tr")
    assert i18n.fmt_money("0.60", "PLN") == "PLN\u00a00,60" and i18n.fmt_money("0.60", "TRY") == "₺0,60"
    _in_request(cookie="cs")
    assert i18n.fmt_money("0.60", "PLN") == "0,60\u00a0PLN"
    _in_request(cookie="en")
    # issue 20: English as written in Europe (en_GB: 24-hour, day first), the same on every page
    assert i18n.fmt_datetime(1498889604, 7200) == "1 Jul 2017, 08:13:24"
    assert i18n.fmt_iso("2017-07-01T08:13:24+02:00") == "1 Jul 2017, 08:13:24" and i18n.fmt_iso("x") == "x"
    assert i18n.fmt_money(None, "TRY") == "–" and i18n.fmt_duration(3725) == "1:02:05"
    with pytest.raises(TypeError):
        i18n.fmt_money(0.1, "EUR")                  # money is never a float
    bottle.request.bind({})
    assert i18n._("Log out") == "Log out"           # no request: English


def test_language_switch_sets_cookie_and_the_users_preference(tmp_path):
    store.close_db()
    client = webtest.TestApp(make_app(tmp_path))
    login_page = client.get("/login", headers={"Accept-Language": "tr-TR,tr;q=0.9"})
    assert '<html lang="tr">' in login_page.text and "Oturum aç" in login_page.text
    assert 'href="/login?lang=en"' in login_page.text
    english = client.get("/login?lang=en", headers={"Accept-Language": "tr"})       # the switch beats the browser
    assert '<html lang="en">' in english.text and client.cookies[i18n.COOKIE] == "en"
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "tr"}).text   # the cookie now
    add_user("ayşe", "staff", "tenant")
    login(client, "ayşe")
    home = client.get("/?lang=tr")
    assert "Ana sayfa" in home.text and "Oturumu kapat" in home.text
    with users_db.connection_context():
        assert users.get("ayşe").language == "tr"
    other = webtest.TestApp(client.app)          # another browser: the stored preference follows the user
    login(other, "ayşe")
    assert '<html lang="tr">' in other.get("/", headers={"Accept-Language": "en"}).text
    assert re.search(r"Çağrılar|Son çağrılar", other.get("/calls").text)
    store.close_db()


def test_the_e_mail_texts_exist_in_every_language_with_the_same_fields():
    """appliance/mail_text.py, the words of scheduled-report and limit e-mails: complete in every language."""
    import string

    from appliance.delivery import mail_text
    from appliance.access import users
    from webui.i18n import LANGUAGES
    from appliance.config import SETTINGS
    assert set(mail_text.LANGS) == set(LANGUAGES)
    (mail_language,) = [s for s in SETTINGS if (s.section, s.key) == ("mail", "language")]
    assert set(mail_language.choices) == set(LANGUAGES)         # [mail] language offers each of them
    assert mail_text.language("cs", "en") == "cs" and mail_text.language("", "nb") == "nb"
    assert mail_text.language("de", "xx") == "en"
    english = mail_text.TEXT["en"]
    assert {f"scope_{s}" for s in users.SCOPES} <= set(english)
    for lang in mail_text.LANGS:
        assert set(mail_text.TEXT[lang]) == set(english), lang
        for key, text in mail_text.TEXT[lang].items():
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            assert fields <= {f for _, f, _, _ in string.Formatter().parse(english[key]) if f} | {"what_of"}, key


def test_a_trunk_below_its_band_with_one_call_says_call_by_the_plural_rules():
    """Issue 20 (plural forms): a problem trunk's "1 calls, below the normal band" (English), "1 samtaler"
    (Norwegian); now the catalogue's plural forms (Czech's three)."""
    facts = (("calls", 1), ("mean", 20.0), ("width", 5.5), ("periods", 5), ("carried", 5))
    low = SimpleNamespace(problem="low", facts=facts, detail="English detail")
    _in_request(cookie="en")
    assert problem_text(low).startswith("1 call, below the normal band (baseline 20.0 ± 5.5 calls per period")
    _in_request(cookie="nb")
    assert problem_text(low).startswith("1 samtale, under")
    _in_request(cookie="cs")
    assert problem_text(low).startswith("1 hovor, pod")
    three = SimpleNamespace(problem="high", facts=(("calls", 3),) + facts[1:], detail="")
    assert problem_text(three).startswith("3 hovory, nad")
    _in_request(cookie="en")
    assert problem_text(three).startswith("3 calls, above")
    bottle.request.bind({})
