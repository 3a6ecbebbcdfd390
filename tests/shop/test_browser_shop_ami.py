"""The cashier page with the PBX reporting live (Asterisk over AMI: the loopback AMI server), in a real browser
(Debian chromium, Playwright, the real web process): the cashier gives booth 202 to a customer (the booth unlocked
with DBPut over AMI, "in use by" on its card), the booth goes "dialling" within a second of its channel appearing
and "in a call" when it is answered, with the running time and the sell price of the seconds since the answer (the
price list applied by hand); after the hangup the record arrives and the booth is "to pay"; freeing it locks it
again (DBDel). Screenshots in tests/artifacts/."""
from __future__ import annotations

import os
import time

import pytest
from ami_server import AmiServer
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, Recorder, artifacts_dir, callbox, log_in, web_process
from playwright.sync_api import sync_playwright
from shop_helpers import INI, BoothPolls, cashier_box, independent_sell
from test_shop_e2e import ipo_line

pytestmark = pytest.mark.slow
BOOTH = "document.querySelector(\"[data-booth='202']\")"


def shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"shop-ami-{name}.png"), full_page=True)


def until(page, js: str, timeout_s: float = 60.0) -> None:
    """Until `js` holds in the page (polled every 50 ms by the test, not by the page; the deadline bounds a hang)."""
    page.wait_for_function(js, timeout=timeout_s * 1000, polling=50)


def test_booths_live_from_ami_with_the_lock(tmp_path):
    with AmiServer() as ami:
        data = cashier_box(tmp_path, INI + "lock_family = callshop\n[ami]\nhost = 127.0.0.1\n"
                           f"port = {ami.port}\nusername = callbox\nsecret_file = ami.secret\nreconnect_min_s = 0.1\n"
                           "action_timeout_s = 3\n")
        (data / "ami.secret").write_text("s3cret\n")
        os.chmod(data / "ami.secret", 0o600)
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
            for _ in range(100):      # the web's AMI link logs in in the background
                if page.locator("#booth-source").inner_text() == "Live from the PBX.":
                    break
                time.sleep(0.1)
                page.goto(site + "/shop")
            assert page.locator("#booth-source").inner_text() == "Live from the PBX."
            card = page.locator("[data-booth='202']")
            card.locator("input[name=who]").fill("Mehmet Bey")
            card.locator("button[value=give]").click()
            page.wait_for_url(site + "/shop")
            assert ami.astdb == {("callshop", "202"): "open"}
            assert card.locator("dd.use").inner_text() == "in use by Mehmet Bey"
            shot(page, "given")

            assert page.locator("#booths").get_attribute("data-live") == "1"   # the page polls every 0.5 s
            started = time.time()
            ami.channel_event("Newchannel", "PJSIP/202-0000002a", "1700000100.57", "0049301234567")
            took = polls.until(page, f"() => {BOOTH}.classList.contains('dialling')")
            assert took <= 3, f"the booth showed its call {took} polls after the PBX reported it"
            assert card.locator("dd.state").inner_text() == "dialling"
            shot(page, "dialling")
            ami.channel_event("Newstate", "PJSIP/202-0000002a", "1700000100.57", "0049301234567", "6")
            answered = time.time()
            took = polls.until(page, f"() => {BOOTH}.classList.contains('talking')")
            assert took <= 3, f"the booth showed the answer {took} polls after the PBX reported it"
            until(page, f"() => Number({BOOTH}.dataset.running) >= 3")
            running = int(card.get_attribute("data-running"))
            assert card.get_attribute("data-sell") == f"{independent_sell('+49301234567', running):.2f}"
            assert card.locator("dd.state").inner_text() == "in a call"
            shot(page, "talking")

            ami.channel_event("Hangup", "PJSIP/202-0000002a", "1700000100.57", "0049301234567", "6")
            until(page, f"() => {BOOTH}.classList.contains('free')")    # no record yet: nothing to pay
            talk = int(time.time() - answered)
            (tmp_path / "ended.log").write_bytes(ipo_line(int(started), talk, "202", "0049301234567", 8200))
            callbox(data, "import", "--driver", "avaya_ipoffice", str(tmp_path / "ended.log"))
            until(page, f"() => {BOOTH}.classList.contains('to_pay')")
            shot(page, "to-pay")
            page.goto(site + "/shop")
            card.locator("button[value=free]").click()
            page.wait_for_url(site + "/shop")
            assert ami.astdb == {} and card.locator("dd.use").inner_text() == ""
            context.close()
            chromium.close()
            assert not seen.errors, seen.errors
