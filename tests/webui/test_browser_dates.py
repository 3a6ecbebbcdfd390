"""Issue 20: date fields followed the browser's locale, not the user's language (a Turkish page in an English
browser asked for mm/dd/yyyy). They are written in the page language's pattern (dd.MM.yyyy in Turkish, dd/MM/yyyy
in English: en-GB's) and the form still sends the ISO date the server checks. Real web process, headless Debian
chromium with an en-US locale; screenshots kept."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from browser_helpers import Recorder, artifacts_dir, chromium, log_in, seed, web_process

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-dates")
    seed(data)
    with web_process(data) as url, chromium() as browser:
        yield url, browser


@contextmanager
def en_us_page(site, lang: str, width: int, path: str):
    """The administrator's page `path` in `lang`, in a browser whose own locale is en-US; (page, its Recorder)."""
    url, browser = site
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US", ignore_https_errors=True)
    try:
        page = context.new_page()
        seen = Recorder(page)
        log_in(page, url, "admin", lang=lang)
        page.goto(f"{url}{path}?lang={lang}")
        yield page, seen
    finally:
        context.close()


@pytest.mark.parametrize("lang, typed, shown, hint, wrong", [
    ("tr", "05.07.2017", "05.07.2017", "örn. 31.12.2025", "Tarih değil: 31.12.2025 gibi yazın."),
    ("en", "05/07/2017", "05/07/2017", "e.g. 31/12/2025", "Not a date: write it like 31/12/2025."),
])
def test_date_fields_are_in_the_users_language_not_the_browsers(site, lang, typed, shown, hint, wrong):
    with en_us_page(site, lang, 1366, "/calls") as (page, seen):
        since = page.locator("form.search input[name=since]")
        assert since.get_attribute("type") == "text" and since.get_attribute("placeholder") == hint
        since.fill("31.02.2017" if lang == "tr" else "31/02/2017")            # no such day: the page's own message
        assert since.evaluate("f => f.validationMessage") == wrong
        page.click("form.search button[type=submit]")
        assert "since=" not in page.url                                        # not sent
        since.fill(typed)                                                      # 5 July, day first (not US 7 May)
        page.fill("form.search input[name=until]", "2017-07-31")               # an ISO date is taken too
        page.click("form.search button[type=submit]")
        page.wait_for_url(re.compile(r"since=2017-07-05&until=2017-07-31"))
        assert page.locator("form.search input[name=since]").input_value() == shown   # shown again as typed
        until = "31.07.2017" if lang == "tr" else "31/07/2017"
        assert page.locator("form.search input[name=until]").input_value() == until
        page.screenshot(path=str(artifacts_dir() / f"dates-calls-{lang}.png"))
        page.goto(f"{site[0]}/tariffs?lang={lang}")                               # a POST form's date field too
        assert page.locator("input[name=since]").get_attribute("placeholder") == hint
        assert seen.errors == []


@pytest.mark.parametrize("lang, typed, shown, hint, wrong", [
    ("tr", "07.2017", "07.2017", "örn. 12.2025", "Ay değil: 12.2025 gibi yazın."),
    ("en", "07/2017", "07/2017", "e.g. 12/2025", "Not a month: write it like 12/2025."),
])
def test_month_fields_are_in_the_users_language_not_the_browsers(site, lang, typed, shown, hint, wrong):
    """Issue 20: <input type="month"> showed the browser's "July 2017" on a Turkish page (and a bare field wanting
    2017-07 where the browser has no month picker): now a field in the language's month pattern that sends the ISO
    month, as the date fields."""
    with en_us_page(site, lang, 390, "/bill") as (page, seen):
        period = page.locator("input[name=period]")
        assert period.get_attribute("type") == "text" and period.get_attribute("placeholder") == hint
        assert re.fullmatch(r"\d\d[./]\d{4}", period.input_value()), period.input_value()  # this month
        period.fill("13" + typed[2:])                                          # no such month: the page's own message
        assert period.evaluate("f => f.validationMessage") == wrong
        period.fill(typed)
        period.evaluate("f => f.form.requestSubmit()")
        page.wait_for_url(re.compile(r"period=2017-07"))
        assert page.locator("input[name=period]").input_value() == shown
        period = page.locator("input[name=period]")
        period.fill("2017-06")                                                 # the ISO month is taken too
        period.evaluate("f => f.form.requestSubmit()")
        page.wait_for_url(re.compile(r"period=2017-06"))
        page.screenshot(path=str(artifacts_dir() / f"months-bill-{lang}.png"))
        assert seen.errors == []
