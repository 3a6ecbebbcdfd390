"""The call-centre pages in a real browser (issue 15): a supervisor opens the queue summary, the list of reports and
every report (chart drawn, sorted by a column, compared, CSV and PDF downloaded); an agent opens their own page and
is refused the supervisors' pages. Headless Debian chromium (Playwright) against the real web process, on queue_log
lines imported through the real pipeline; any JavaScript or HTTP error fails; every page is saved as a screenshot."""
from __future__ import annotations

import re

import pytest

from appliance.callcentre import reports
from browser_helpers import PASSWORD, Recorder, artifacts_dir, callbox, log_in, nav_to, web_process
from conftest import FIXTURES
from test_journeys import DOCUMENTED
from test_queue_reports import SESSIONS

pytestmark = pytest.mark.slow
FREEPBX = FIXTURES / "asterisk_queue_log" / "axelliek-freepbx-queue9000-2010.raw"
USERS = {"supervisor": ("--role", "supervisor", "--scope", "tenant"),
         "agent": ("--role", "staff", "--scope", "own", "--person", "P1"), "admin": ("--admin",)}
ALL = "range=all"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("ccbrowser")
    (data / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\ntimezone = Europe/Istanbul\n"
                                      "[callcentre]\nopening_hours = support = mon-fri 08:00-18:00\n"
                                      "evaluation_form =\n  Karşılama = 5\n  Çözüm = 10\n",
                                      encoding="utf-8")
    log = data / "queue_log"
    log.write_text("\n".join(FREEPBX.read_text().splitlines() + DOCUMENTED + SESSIONS) + "\n", encoding="utf-8")
    callbox(data, "import", "--driver", "asterisk_queue_log", str(log))
    people = data / "people.csv"
    people.write_text("person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;201\n",
                      encoding="utf-8")
    callbox(data, "directory", "import", str(people))
    for name, flags in USERS.items():
        callbox(data, "user", "add", name, *flags, "--password-stdin", stdin=PASSWORD + "\n")
    with web_process(data) as url:
        yield url


def _login(site, browser, user: str):
    context = browser.new_context(locale="en-GB", accept_downloads=True, ignore_https_errors=True)
    page = context.new_page()
    seen = Recorder(page)
    log_in(page, site, user)
    return context, page, seen


def _shot(page, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / f"callcentre-{re.sub(r'[^a-z0-9]+', '-', name)}.png"), full_page=True)


def _download(page, text: str) -> bytes:
    with page.expect_download() as info:
        page.click(f"a:has-text('{text}')")
    return open(info.value.path(), "rb").read()


def test_a_supervisor_opens_every_report(site, browser):
    context, page, seen = _login(site, browser, "supervisor")
    nav_to(page, "/callcentre")
    page.fill("input[name=since]", "")
    page.goto(f"{site}/callcentre?{ALL}")
    assert page.locator("table.report tbody tr").count() >= 3          # 9000, sales, support
    _shot(page, "supervisor-summary")
    page.click("a[href='/callcentre/reports']")
    page.wait_for_url(site + "/callcentre/reports")
    assert page.locator("ul.report-list a").count() == len(reports.REPORTS)
    _shot(page, "supervisor-reports")
    for name in reports.REPORTS:
        page.goto(f"{site}/callcentre/reports/{name}?{ALL}" + ("&caller=0612" if name == "caller_journeys" else ""))
        assert page.locator("h1").count() == 1, name
        if page.locator("canvas#chart").count():
            page.wait_for_function("() => Array.isArray(window.callboxCharts) && window.callboxCharts.length === 1")
        _shot(page, f"supervisor-{name}")
    # a report with a chart, sorted by a column, its downloads
    page.goto(f"{site}/callcentre/reports/agent_performance?{ALL}")
    page.click("table.report thead a:has-text('Rung, not answered')")
    page.wait_for_selector("th[aria-sort='descending']")
    counts = [int(t.replace(",", "")) for t in page.locator("table.report tbody tr td:nth-child(4)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and len(counts) >= 3
    assert "Ayşe Yılmaz (" in page.inner_text("table.report")          # the agent named from the directory
    assert _download(page, "CSV").startswith("Agent,".encode())
    assert _download(page, "PDF").startswith(b"%PDF-")
    # the documented day against the FreePBX log's month, by the form
    page.goto(f"{site}/callcentre/reports/queue_summary")
    page.select_option("select[name=range]", "custom")
    page.fill("input[name=since]", "2023-11-14")
    page.fill("input[name=until]", "2023-11-16")
    page.select_option("select[name=compare]", "custom")
    page.fill("input[name=before_since]", "2010-02-01")
    page.fill("input[name=before_until]", "2010-03-01")
    page.click("form.report-form button[type=submit]")
    page.wait_for_selector("th:has-text('Offered, period before')")
    _shot(page, "supervisor-compare")
    context.close()
    assert not seen.errors, seen.errors


def test_an_agent_sees_their_own_page_only(site, browser):
    context, page, seen = _login(site, browser, "agent")
    nav_to(page, "/callcentre/agent")      # in the nav of a box with queues
    page.wait_for_url(site + "/callcentre/agent")
    page.goto(f"{site}/callcentre/agent?{ALL}")
    assert page.locator("table.report tbody tr").count() >= 1        # PJSIP/201's figures and calls
    assert "PJSIP/201" in page.inner_text("main")
    _shot(page, "agent-own")
    seen.errors.clear()
    for path in ("/callcentre", "/callcentre/reports", "/callcentre/reports/queue_summary", "/wallboard"):
        response = page.goto(site + path)
        assert response is not None and response.status == 403, path
    assert [e for e in seen.errors if "403" not in e] == [], seen.errors
    context.close()


def test_an_administrator_makes_a_wallboard_link_that_opens_the_board_until_revoked(site, browser):
    context, page, seen = _login(site, browser, "admin")
    nav_to(page, "/callcentre")
    page.click("a[href='/wallboard/links']")
    page.fill("input[name=name]", "Satış katı")
    page.fill("input[name=queues]", "sales")
    page.click("form[action='/wallboard/links'] button[type=submit]")
    link = page.inner_text("#made-link").strip()
    assert "/wallboard/" in link
    _shot(page, "admin-wallboard-links")
    screen = browser.new_context(ignore_https_errors=True).new_page()      # the big screen: no login
    board = Recorder(screen)
    screen.goto(site + link[link.index("/wallboard/"):])
    screen.wait_for_selector("[data-queue='sales']")
    assert screen.locator("[data-queue='support']").count() == 0           # only the link's queue
    _shot(screen, "wallboard-link")
    page.click("form[action='/wallboard/links/revoke'] button[type=submit]")
    screen.wait_for_selector("#wb-alert:not([hidden])", timeout=15000)     # the open board closes
    assert "revoked" in screen.inner_text("#wb-alert")
    screen.context.close()
    context.close()
    assert not seen.errors and not board.errors, (seen.errors, board.errors)


def test_a_supervisor_evaluates_a_call_from_the_journeys(site, browser):
    context, page, seen = _login(site, browser, "supervisor")
    page.goto(f"{site}/callcentre/reports/caller_journeys?{ALL}&caller=612345678")
    page.click("table.report tbody a:has-text('Evaluate')")
    page.wait_for_selector("form[action^='/callcentre/evaluate/']")
    page.fill("input[name=c0]", "4")
    page.fill("input[name=c1]", "9")
    page.fill("textarea[name=note]", "Nazik, çözüm hızlı.")
    _shot(page, "supervisor-evaluate")
    page.click("form[action^='/callcentre/evaluate/'] button[type=submit]")
    page.wait_for_selector(".banner.ok")
    assert "Karşılama 4/5" in page.inner_text("main") and "Nazik, çözüm hızlı." in page.inner_text("main")
    page.goto(f"{site}/callcentre/reports/call_evaluations?{ALL}")
    cells = page.locator("table.report tbody tr td").all_inner_texts()
    assert "Ayşe Yılmaz (PJSIP/201)" in cells[0] and cells[1:] == ["1", "13", "15", "86.7 %"]
    _shot(page, "supervisor-call-evaluations")
    context.close()
    assert not seen.errors, seen.errors
