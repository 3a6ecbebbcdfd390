"""The web UI in a real browser: headless Debian chromium (Playwright) against the real web process, on data
imported through the real pipeline. Each role logs in, opens every page of its nav and a call's path, switches
to Turkish and back; any JavaScript error or HTTP error fails; every page is saved as a full-page screenshot."""
from __future__ import annotations

import re

import pytest

from browser_helpers import PASSWORD, ROLES, Recorder, artifacts_dir, log_in, nav_to

pytestmark = pytest.mark.slow
NAV = {"admin": {"/", "/calls", "/directory", "/tariffs", "/setup", "/users"},
       "supervisor": {"/", "/calls", "/directory"}, "operator": {"/", "/calls"}, "staff": {"/", "/calls"}}


def _shot(page, role: str, name: str) -> None:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"
    page.screenshot(path=str(artifacts_dir() / f"{role}-{slug}.png"), full_page=True)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_each_role_in_english_and_turkish(site, browser, role):
    context = browser.new_context(locale="en-GB", ignore_https_errors=True)
    page = context.new_page()
    seen = Recorder(page)
    page.goto(site + "/")                                     # not logged in: to the login page
    assert "/login" in page.url and page.locator("html").get_attribute("lang") == "en"
    _shot(page, role, "login")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(site + "/")
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    assert NAV[role] <= set(links), links
    for href in links:
        page.goto(site + href)
        assert page.locator("h1").count() >= 1, href
        _shot(page, role, href)
    page.goto(site + "/calls")
    first = page.locator("table a[href^='/calls/']").first
    assert first.count() == 1, "the role sees no call"          # every role sees the sample's calls
    first.click()
    page.wait_for_url(re.compile(r"/calls/\d+$"))
    assert page.locator("table tbody tr").count() >= 1      # the call's legs
    _shot(page, role, "call")
    page.click("header .lang summary")                     # the switch: the current language opens the others
    page.click("header .lang a[lang=tr]")                  # Turkish, on the same page
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "tr"
    assert "Oturumu kapat" in page.inner_text("header")
    page.goto(site + "/")                                     # the preference sticks across pages
    assert page.locator("html").get_attribute("lang") == "tr"
    _shot(page, role, "home-tr")
    page.click("header .lang summary")
    page.click("header .lang a[lang=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en" and "Log out" in page.inner_text("header")
    context.close()
    assert not seen.errors, seen.errors


JULY_2017 = "range=custom&since=2017-07-01&until=2017-08-01"


def _login(site, browser, role: str):
    context = browser.new_context(locale="en-GB", accept_downloads=True, ignore_https_errors=True)
    page = context.new_page()
    seen = Recorder(page)
    log_in(page, site, role)
    return context, page, seen


def _chart_drawn(page) -> bool:
    """charts.js made a Chart.js chart of the canvas, and the canvas has pixels."""
    page.wait_for_function("() => Array.isArray(window.callboxCharts)")
    return page.evaluate("""() => {
        const c = document.querySelector('canvas#chart');
        return !!c && c.width > 0 && c.height > 0 && Array.isArray(window.callboxCharts)
            && window.callboxCharts.length === 1 && window.callboxCharts[0] !== null; }""")


def _download(page, link_text: str, suffix: str) -> bytes:
    with page.expect_download() as info:
        page.click(f"a:has-text('{link_text}')")
    download = info.value
    assert download.suggested_filename.endswith(suffix) and download.suggested_filename.isascii()
    return open(download.path(), "rb").read()


@pytest.mark.parametrize("role", list(ROLES))
def test_reports_of_each_role_with_chart_and_downloads(site, browser, role):
    context, page, seen = _login(site, browser, role)
    nav_to(page, "/reports")
    page.wait_for_url(site + "/reports")
    page.select_option("select[name=dim1]", "extension")
    page.select_option("select[name=range]", "custom")
    page.fill("input[name=since]", "2017-07-01")
    page.fill("input[name=until]", "2017-08-01")
    page.click("form.report-form button[type=submit]")
    page.wait_for_selector("canvas#chart")
    assert _chart_drawn(page)
    assert page.locator("table.report tbody tr").count() >= 1 and page.locator("table.report tfoot").count() == 1
    _shot(page, role, "reports")
    assert _download(page, "Download CSV", ".csv").startswith(b"extension,calls")
    assert _download(page, "Download PDF", ".pdf").startswith(b"%PDF-")
    for name in ("missed", "trunks", "concurrency"):
        page.goto(f"{site}/reports/{name}?run=1&{JULY_2017}")
        assert page.locator("h1").count() == 1 and page.locator("table").count() >= 1, name
        if name == "concurrency":
            assert _chart_drawn(page)
        _shot(page, role, f"reports-{name}")
        assert _download(page, "Download CSV", ".csv")
        assert _download(page, "Download PDF", ".pdf").startswith(b"%PDF-")
    context.close()
    assert not seen.errors, seen.errors


def test_staff_opens_their_bill_and_downloads_the_pdf(site, browser):
    import shutil
    import subprocess
    context, page, seen = _login(site, browser, "staff")
    nav_to(page, "/bill")
    page.wait_for_url(re.compile(r"/bill$"))
    page.fill("input[name=period]", "2017-07")                # the sample's month
    page.click("#bill-form button[type=submit]")
    page.wait_for_url(re.compile(r"period=2017-07"))
    assert "Ayşe Yılmaz" in page.inner_text("main") and page.locator("table.bill-calls tbody tr").count() >= 1
    _shot(page, "staff", "bill")
    with page.expect_download() as info:
        page.click("a[href^='/bill.pdf']")
    body = open(info.value.path(), "rb").read()
    assert body.startswith(b"%PDF") and info.value.suggested_filename == "bill-P1-2017-07.pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout
        assert "Ayşe Yılmaz" in text.decode()
    context.close()
    assert not seen.errors, seen.errors


@pytest.mark.parametrize("path, title, form", [("/alerts", "Alerts", "alert-add"),
                                               ("/schedules", "Schedules", "schedule-add")])
def test_admin_opens_the_admin_pages(site, browser, path, title, form):
    context, page, seen = _login(site, browser, "admin")
    nav_to(page, path)
    page.wait_for_url(re.compile(path + "$"))
    assert page.locator("h1").inner_text() == title and page.locator(f"form#{form}").count() == 1
    _shot(page, "admin", path.strip("/"))
    context.close()
    assert not seen.errors, seen.errors
