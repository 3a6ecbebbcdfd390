"""The cashier page in a real browser (headless Debian chromium, Playwright) against the real web process: a cashier
opens a session, booth calls arrive through the real pipeline (`callbox import` of IP Office records), the booths go
busy, two calls are paid with the total and the change shown, one is marked unserved, the session is closed and its
report read; Turkish too. Any JavaScript or HTTP error fails; each step is saved as a screenshot."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, Recorder, artifacts_dir, callbox, log_in, nav_to, web_process
from playwright.sync_api import sync_playwright
from shop_helpers import cashier_box, independent_sell
from test_shop_e2e import ipo_line

pytestmark = pytest.mark.slow


def shot(page, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / f"shop-{name}.png"), full_page=True)


def test_a_cashier_session_in_the_browser(tmp_path):
    data = cashier_box(tmp_path)
    with web_process(data) as site, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(locale="en-GB", ignore_https_errors=True)
        page = context.new_page()
        seen = Recorder(page)
        log_in(page, site, "kasiyer")
        nav_to(page, "/shop")
        page.click("#open-session")
        page.wait_for_url(site + "/shop")
        assert page.locator("[data-booth='201'] dd.state").inner_text() == "free"
        t0 = int(datetime.fromisoformat(json.loads(callbox(data, "shop", "session", "list", "--json"))[0]["opened"])
                 .timestamp())
        records = tmp_path / "booths.log"
        calls = [("201", "0049301234567", "+49301234567", 61), ("202", "004915112345678", "+4915112345678", 130),
                 ("201", "02125550101", "+902125550101", 95)]
        records.write_bytes(b"".join(ipo_line(t0, talk, ext, dialled, 8000 + i)
                                     for i, (ext, dialled, _e, talk) in enumerate(calls)))
        callbox(data, "import", "--driver", "avaya_ipoffice", str(records))
        page.goto(site + "/shop")
        assert page.locator("[data-booth='201'] dd.state").inner_text() == "in a call"   # its record has arrived
        assert page.locator("[data-booth='203'] dd.state").inner_text() == "free"
        assert page.locator("input[name=call]").count() == 3
        shot(page, "cashier")
        boxes = page.locator("input[name=call]")
        ids = [boxes.nth(i).get_attribute("value") for i in range(3)]   # by booth: 201's two calls, then 202's
        page.check(f"input[name=call][value='{ids[0]}']")
        page.check(f"input[name=call][value='{ids[2]}']")
        page.click("#checkout")
        expected = independent_sell("+49301234567", 61) + independent_sell("+4915112345678", 130)    # 2.99
        assert page.locator("#total").inner_text().replace("\xa0", "") == f"TRY{expected}"
        assert page.locator("#to-take").inner_text().replace("\xa0", "") == "TRY3.00"      # round_to 0.25
        shot(page, "checkout")
        page.fill("#given", "10")
        page.click("#confirm")
        assert page.locator("#change").inner_text().replace("\xa0", "") == "TRY7.00"
        shot(page, "paid")
        page.goto(site + "/shop")
        page.check(f"input[name=call][value='{ids[1]}']")
        page.click("#unserved")
        page.wait_for_url(site + "/shop")
        assert page.locator("input[name=call]").count() == 1      # the unserved call may still be paid
        page.click("#close-session")
        page.wait_for_url(site + "/shop/sessions/1")
        assert page.locator("#cash").inner_text().replace("\xa0", "") == f"TRY{expected}"
        assert (page.locator("#calls").inner_text(), page.locator("#unpaid").inner_text(),
                page.locator("#unserved").inner_text()) == ("3", "0", "1")
        assert page.locator("#minutes").inner_text() == f"{Decimal(61 + 130 + 95) / 60:.2f}"
        shot(page, "session-report")
        page.goto(site + "/shop/sessions")
        assert page.locator("table tbody tr").count() == 1
        shot(page, "sessions")
        page.click("header .lang summary")                   # the language switch opens the others
        page.click("header .lang a[lang=tr]")
        page.wait_for_load_state()
        assert "Oturumlar" in page.inner_text("main")
        shot(page, "sessions-tr")
        context.close()
        chromium.close()
        assert not seen.errors, seen.errors
