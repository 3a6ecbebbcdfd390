"""Issue 20 'top-N and sorting by any column on every table': the home page's tables, the bill's and /charges' sort
by a click on a heading, numbers and durations by value (not as text: '100' after '20', '1:05:00' before '9:00'),
again the other way, aria-sort on the sorted heading, and show their top N. Real web process, headless Debian
chromium, in Turkish and Norwegian; screenshots kept."""
from __future__ import annotations

import re

import pytest

from browser_helpers import Recorder, artifacts_dir, log_in, nav_to

pytestmark = pytest.mark.slow
ALLOWANCES = ("subscriber,name,unit,amount,match,period\nP1,Küçük,minutes,5,*,month\n"
              "P1,Büyük,minutes,100,*,month\nP1,Orta,minutes,20,*,month\n")
WIDEST = "() => document.documentElement.scrollWidth"


def seconds(text: str) -> int:
    """h:mm:ss or m:ss as the page writes a duration."""
    total = 0
    for part in text.strip().split(":"):
        total = total * 60 + int(part)
    return total


def column(page, table: str, n: int) -> list[str]:
    return page.locator(f"table#{table} tbody tr td:nth-child({n})").all_inner_texts()


def heading(page, table: str, n: int):
    return page.locator(f"table#{table} thead th:nth-child({n})")


def sort_by(page, table: str, n: int, site: str) -> None:
    heading(page, table, n).locator("a").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ("tr", "nb"))
def test_the_home_and_bill_tables_sort_by_a_click_on_a_heading(site, browser, lang):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, ignore_https_errors=True)
    page = context.new_page()
    seen = Recorder(page)
    log_in(page, site, "staff", lang=lang)
    page.goto(f"{site}/?lang={lang}")
    talk = [seconds(t) for t in column(page, "last", 7)]
    assert len(talk) > 2 and heading(page, "last", 7).get_attribute("aria-sort") is None
    sort_by(page, "last", 7, site)                      # Talk: the longest first, by value
    assert re.search(r"last_sort=6&last_desc=1#last$", page.url)
    assert [seconds(t) for t in column(page, "last", 7)] == sorted(talk, reverse=True)
    assert heading(page, "last", 7).get_attribute("aria-sort") == "descending"
    sort_by(page, "last", 7, site)                      # again: the shortest first
    assert [seconds(t) for t in column(page, "last", 7)] == sorted(talk)
    assert heading(page, "last", 7).get_attribute("aria-sort") == "ascending"
    assert page.locator("th[aria-sort]").count() == 1
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate(WIDEST) <= 390, f"{lang}: the sorted home page overflows at 390 px"
    page.screenshot(path=str(artifacts_dir() / f"sort-home-{lang}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    nav_to(page, "/bill")
    page.wait_for_url(re.compile(r"/bill$"))
    page.fill("input[name=period]", "2017-07")         # the sample's month
    page.click("#bill-form button[type=submit]")
    page.wait_for_url(re.compile(r"period=2017-07"))
    talk = [seconds(t) for t in column(page, "calls", 5)]
    assert len(talk) > 1
    sort_by(page, "calls", 5, site)
    assert [seconds(t) for t in column(page, "calls", 5)] == sorted(talk, reverse=True)
    assert heading(page, "calls", 5).get_attribute("aria-sort") == "descending" and "period=2017-07" in page.url
    page.locator(".top-n a", has_text=re.compile(r"^5$")).first.click()          # the top 5 of them
    page.wait_for_load_state()
    if len(talk) > 5:
        assert [seconds(t) for t in column(page, "calls", 5)] == sorted(talk, reverse=True)[:5]
    page.screenshot(path=str(artifacts_dir() / f"sort-bill-{lang}.png"), full_page=True)
    context.close()
    assert not seen.errors, seen.errors


def test_the_charges_tables_sort_numbers_by_value(site, browser, tmp_path):
    """Allowances of 5, 100 and 20 minutes: by amount the largest first is 100, 20, 5 (as text it would be 5, 20,
    100); billed periods by month."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, ignore_https_errors=True)
    page = context.new_page()
    seen = Recorder(page)
    log_in(page, site, "admin", lang="nb")
    page.goto(f"{site}/charges?lang=nb&period=2017-07")
    csv = tmp_path / "allowances.csv"
    csv.write_text(ALLOWANCES, encoding="utf-8")
    page.set_input_files("form[action='/charges/allowances'] input[type=file]", str(csv))
    page.click("form[action='/charges/allowances'] button[type=submit]")
    page.wait_for_load_state()
    for month in ("2017-06", "2017-07"):
        page.fill("form[action='/charges/close'] input[name=period]", month)
        page.click("form[action='/charges/close'] button[type=submit]")
        page.wait_for_load_state()
    assert column(page, "allowances-table", 2) == ["Küçük", "Büyük", "Orta"]     # as uploaded
    sort_by(page, "allowances-table", 3, site)
    assert column(page, "allowances-table", 2) == ["Büyük", "Orta", "Küçük"]     # 100, 20, 5 by value
    assert heading(page, "allowances-table", 3).get_attribute("aria-sort") == "descending"
    assert "period=2017-07" in page.url and page.url.endswith("#allowances")
    sort_by(page, "allowances-table", 2, site)                                   # by name, A to Z (Norwegian)
    assert column(page, "allowances-table", 2) == sorted(["Küçük", "Büyük", "Orta"], key=str.casefold)
    sort_by(page, "periods", 1, site)                                            # a text column: A to Z first
    assert column(page, "periods", 1) == ["2017-06", "2017-07"]
    sort_by(page, "periods", 1, site)
    assert column(page, "periods", 1) == ["2017-07", "2017-06"]
    assert heading(page, "periods", 1).get_attribute("aria-sort") == "descending"
    assert column(page, "allowances-table", 2)[0] == "Büyük"                    # the other table keeps its order
    page.screenshot(path=str(artifacts_dir() / "sort-charges-nb.png"), full_page=True)
    context.close()
    assert not seen.errors, seen.errors
