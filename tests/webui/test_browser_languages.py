"""Issue 20 (REP-13): the web UI in Bulgarian, Azerbaijani, Czech and Norwegian Bokmål in a real browser (headless
Debian chromium, Playwright) against the real web process on the imported sample: the browser's own language
chooses the page's, every page of the administrator's nav fits 1,366 px (and the widest of them 390 px), shows no
English text of the catalog, writes dates the language's way, and the switch goes back to English. Screenshots
are kept."""
from __future__ import annotations

import re

import pytest

from browser_helpers import PASSWORD, ROLES, Recorder, artifacts_dir
from i18n_helpers import english_left

pytestmark = pytest.mark.slow
# (the browser's locale, which sends its Accept-Language; the language chosen; a call's start in July 2017 as the
# call search writes it). Nynorsk's browser gets Bokmål (webui.i18n.ALIASES).
LANGS = [("bg-BG", "bg", r"\d{1,2}\.07\.2017\u202fг\., \d{1,2}:\d\d:\d\d"),
         ("az-AZ", "az", r"\d{1,2} iyl 2017 \d\d:\d\d:\d\d"),
         ("cs-CZ", "cs", r"\d{1,2}\. 7\. 2017 \d{1,2}:\d\d:\d\d"),
         ("nn-NO", "nb", r"\d{1,2}\. juli 2017, \d\d:\d\d:\d\d")]


@pytest.mark.parametrize("locale, lang, when", LANGS)
def test_every_admin_page_in_each_new_language(site, browser, locale, lang, when):
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 800}, ignore_https_errors=True)
    page = context.new_page()
    seen = Recorder(page)
    page.goto(site + "/login")                              # no cookie, no account yet: the browser's language
    assert page.locator("html").get_attribute("lang") == lang
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(site + "/")
    page.goto(site + "/?lang=" + lang)           # the account's stored choice (an earlier test's) yields to the switch
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    problems = []
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 800})
        if width == 390:      # the header is every page's; of the pages, those with the widest forms and tables
            links = [href for href in links if href in ("/", "/reports", "/users")]
        for href in links + ["/calls?since=2017-07-01&until=2017-07-31"]:
            page.goto(site + href)
            assert page.locator("html").get_attribute("lang") == lang and page.locator("h1").count() >= 1, href
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                problems.append(f"{width} px: {href} is {wide} px wide")
            left = english_left(page.content(), lang, frozenset(ROLES))     # the accounts are named after roles
            if left:
                problems.append(f"{href}: English left {left}")
        assert re.search(when, page.inner_text("main")), page.inner_text("main")[:500]
        page.screenshot(path=str(artifacts_dir() / f"admin-{lang}-{width}-calls.png"), full_page=True)
        page.goto(site + "/")
        page.screenshot(path=str(artifacts_dir() / f"admin-{lang}-{width}-home.png"), full_page=True)
    page.click("header .lang summary")                     # the switch: this language's name opens the others
    page.click("header .lang a[lang=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en" and "Log out" in page.inner_text("header")
    context.close()
    assert not seen.errors, seen.errors
    assert not problems, problems
