"""The cashier page's booths live in a real browser (Debian chromium, Playwright, the real web process): with the page
open and not reloaded, a booth goes "in a call" within about a second of its call's record arriving (`callbox import`
of an IP Office record whose call is still in progress by the box's clock), shows the running time and the running
sell price of the seconds so far (equal to the price list applied by hand), and a booth whose record arrives after
its call goes "to pay". The box has no live PBX channel state (the AMI operator panel is another issue): a PBX that
reports at the end of the call shows the booth busy only when the record arrives."""
from __future__ import annotations

import json
import re
import time
from datetime import datetime

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, Recorder, artifacts_dir, callbox, log_in, web_process
from playwright.sync_api import sync_playwright
from shop_helpers import BoothPolls, cashier_box, independent_sell
from test_shop_e2e import ipo_line

pytestmark = pytest.mark.slow


def test_booths_go_busy_with_running_time_and_price_without_a_reload(tmp_path):
    data = cashier_box(tmp_path)
    with web_process(data) as site, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(locale="en-GB", ignore_https_errors=True)
        page = context.new_page()
        seen = Recorder(page)
        polls = BoothPolls(page)
        log_in(page, site, "kasiyer")
        page.goto(site + "/shop")
        page.click("#open-session")
        page.wait_for_url(site + "/shop")
        assert page.locator("[data-booth='202'] dd.state").inner_text() == "free"
        opened = int(datetime.fromisoformat(json.loads(callbox(data, "shop", "session", "list", "--json"))[0]["opened"])
                     .timestamp())
        time.sleep(max(0, opened + 2 - time.time()))   # the call starts after the session opened, and before now
        (tmp_path / "going.log").write_bytes(ipo_line(opened + 1, 600, "202", "0049301234567", 8100))
        callbox(data, "import", "--driver", "avaya_ipoffice", str(tmp_path / "going.log"))
        took = polls.until(page, "() => document.querySelector(\"[data-booth='202']\").classList.contains('talking')")
        assert took <= 3, f"the booth showed the call {took} polls after its record was stored"   # one a second
        card = page.locator("[data-booth='202']")
        assert card.locator("dd.state").inner_text() == "in a call"
        page.wait_for_function("() => Number(document.querySelector(\"[data-booth='202']\").dataset.running) >= 8",
                               timeout=15_000)
        running = int(card.get_attribute("data-running"))
        sell = card.get_attribute("data-sell")
        assert sell == f"{independent_sell('+49301234567', running):.2f}"     # the seconds so far, by hand
        assert re.fullmatch(r"\d+:\d\d(:\d\d)?", card.locator("dd.running").inner_text())
        assert card.locator("dd.price").inner_text().replace("\xa0", "").startswith("TRY")
        page.screenshot(path=str(artifacts_dir() / "shop-live-talking.png"), full_page=True)
        (tmp_path / "ended.log").write_bytes(ipo_line(opened + 1, 5, "203", "02125550101", 8101))
        callbox(data, "import", "--driver", "avaya_ipoffice", str(tmp_path / "ended.log"))
        page.wait_for_function("() => document.querySelector(\"[data-booth='203']\").classList.contains('to_pay')",
                               timeout=10_000)
        assert page.locator("[data-booth='203'] dd.state").inner_text() == "to pay"
        assert page.locator("[data-booth='202'] dd.state").inner_text() == "in a call"
        page.screenshot(path=str(artifacts_dir() / "shop-live-to-pay.png"), full_page=True)
        context.close()
        chromium.close()
        assert not seen.errors, seen.errors
