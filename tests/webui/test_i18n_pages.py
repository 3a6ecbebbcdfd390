"""Issue 20 (REP-13): pages in Bulgarian, Azerbaijani, Czech and Norwegian Bokmål, rendered by the real app
(WebTest): their own date, number and money formats (CLDR) and no English text left on the page."""
from __future__ import annotations

import re
import pytest

from appliance import config, store
from appliance.directory import organisation as directory
from appliance.store import directory as sd
from i18n_helpers import english_left
from web_helpers import logged_in
from webui import i18n
from webui.app import make_app

CFG = "[pbx]\ntenant = default\ntimezone = Europe/Prague\n"
NBSP = "\u00a0"
START = 1498889604            # 2017-07-01 06:13:24 UTC: 08:13:24 at the PBX (UTC+2, summer time)
# (the call's start as the call search shows it, its cost of 1234.5 EUR, its month, its day in full as the call's
# page shows it) in each language, as CLDR writes them:
# Czech and Norwegian group with a (no-break) space and a decimal comma, Bulgarian too, Azerbaijani with dots
NNBSP = "\u202f"                # CLDR's narrow no-break space: Bulgarian "2017 г."
EXPECTED = {
    "bg": (f"1.07.2017{NNBSP}г., 8:13:24", f"1{NBSP}234,50{NBSP}€", f"юли 2017{NNBSP}г.", "събота, 1 юли 2017"),
    "az": ("1 iyl 2017 08:13:24", f"1.234,50{NBSP}€", "iyul 2017", "1 iyul 2017, şənbə"),
    "cs": ("1. 7. 2017 8:13:24", f"1{NBSP}234,50{NBSP}€", "červenec 2017", "sobota 1. července 2017"),
    "nb": ("1. juli 2017, 08:13:24", f"1{NBSP}234,50{NBSP}€", "juli 2017", "lørdag 1. juli 2017"),
}
NEW = tuple(EXPECTED)


@pytest.fixture
def app(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    tid = sd.tenant_id("default", create=True)
    person = directory.add_person(tid, "P1", "Ələkbər", "Петров")
    directory.assign_extension(tid, person, "201", None)
    for i, (party, cost) in enumerate([("0035924443322", "1234.50"), ("0037312345", "0.60")]):
        store.Call.create(id=i + 1, driver="test", call_key=str(i), start_utc=START + 60 * i, utc_offset=7200,
                          direction="out", extension="201", party=party, trunk="T1", ring_s=3, talk_s=65 + i,
                          answered=True, transferred=False, account_code="", legs=1, cost=cost, currency="EUR")
        store.Leg.create(id=i + 1, call_id=i + 1, driver="test", call_key=str(i), start_utc=START + 60 * i,
                         utc_offset=7200, direction="out", extension="201", party=party, trunk="T1", ring_s=3,
                         talk_s=65 + i, answered=True, transferred=False, account_code="", jseg=1, joff=i)
    store.close_db()
    yield make_app(tmp_path, config.Config(text=CFG))
    store.close_db()


def test_the_check_finds_english_left_on_a_page(app):
    """The check itself: an English page, or a Czech page with one English text, is caught."""
    client = logged_in(app, "root", "administrator", "all")[0]
    english = client.get("/calls?lang=en").text
    assert {"Calls", "Log out", "Search"} <= set(english_left(english, "cs"))
    czech = client.get("/calls?lang=cs").text
    assert english_left(czech, "cs") == []
    assert english_left(czech.replace("</h1>", "</h1><p>No call matches.</p>"), "cs") == ["No call matches."]


@pytest.mark.parametrize("lang", NEW)
def test_pages_in_each_new_language_use_its_formats_and_no_english(app, lang):
    client = logged_in(app, "root", "administrator", "all")[0]
    when, money, _month, day = EXPECTED[lang]
    calls = client.get(f"/calls?lang={lang}&since=2017-07-01&until=2017-07-31")
    assert f'<html lang="{lang}">' in calls.text
    assert when in calls.text and money in calls.text, (lang, re.findall(r"2017[^<]{0,30}|[\d\s.,]+€", calls.text))
    assert "Ələkbər Петров" in calls.text                              # names in any script, untouched
    assert english_left(calls.text, lang) == [], lang
    call = client.get("/calls/1").text                                 # the cookie keeps the language
    assert f'<html lang="{lang}">' in call and day in call
    assert english_left(call, lang) == [], lang
    bill = client.get("/bill", {"person": "P1", "period": "2017-07"}).text
    assert money in bill and english_left(bill, lang) == [], lang
    home = client.get("/").text
    assert english_left(home, lang) == [], lang


@pytest.mark.parametrize("lang", NEW)
def test_month_names_and_plurals_of_each_new_language(lang):
    import bottle
    bottle.request.bind({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "", "HTTP_COOKIE":
                         f"{i18n.COOKIE}={lang}"})
    bottle.response.bind()
    assert i18n.language() == lang and i18n.fmt_month(2017, 7) == EXPECTED[lang][2]
    one, two, five = (i18n.ngettext("Path: {n} leg", "Path: {n} legs", n).format(n=n) for n in (1, 2, 5))
    assert len({one, two}) == 2 and "1" in one and "5" in five      # every new language has a plural form
    if lang == "cs":                                                 # 1 úsek, 2–4 úseky, 5+ úseků
        assert (one, two, five) == ("Cesta: 1 úsek", "Cesta: 2 úseky", "Cesta: 5 úseků")
    bottle.request.bind({})


def test_short_headings_that_mean_other_things_have_their_context():
    """Issue 20 (tidy): "Type" (an SSH key's) and "Kind" (a unit's on /directory, an outbox item's, a directory
    change's) were one message each, so Norwegian had to write the key's type as "Type" too. Each is said in its
    context (pgettext), and a language word that is another message's English is not "English left"."""
    from i18n_helpers import english_left
    from webui import i18n
    assert i18n.catalog("nb")["ssh key\x04Type"] == "Nøkkeltype"
    assert i18n.catalog("nb")["organisation unit\x04Kind"] == "Type"
    assert english_left("<table><tr><th>Type</th></tr></table>", "nb") == []
    assert english_left("<p>Outgoing calls</p>", "nb") == ["Outgoing calls"]
