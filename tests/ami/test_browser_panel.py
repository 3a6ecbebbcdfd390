"""The operator panel in a real browser (headless Debian chromium) against the real web process (bottle on gevent)
and the loopback AMI server: an agent pauses with a reason, sees the caller before answering and unpauses; while
the AMI server sits on an action, the web process keeps answering other requests (the action waits in its greenlet);
a supervisor logs in to a queue. Screenshots in tests/artifacts/."""
from __future__ import annotations

import http.cookiejar
import os
import re
import threading
import time
import urllib.parse
import urllib.request

import pytest
from ami_server import AmiServer
from browser_helpers import (CHROMIUM, CHROMIUM_ARGS, PASSWORD, Recorder, artifacts_dir, callbox, log_in, nav_to,
                             trusting, web_process)
from playwright.sync_api import sync_playwright
from rec_helpers import seed

pytestmark = pytest.mark.slow


def shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"panel-{name}.png"), full_page=True)


def until_live(page, site):
    for _ in range(100):
        page.goto(site + "/panel")
        if "Live from the PBX" in page.locator("#panel-status").inner_text():
            return
        time.sleep(0.1)
    raise AssertionError(page.locator("#panel-status").inner_text())


def opener_for(context, data):
    """A urllib opener with the browser's session cookie (a second client beside the page)."""
    jar = http.cookiejar.CookieJar()
    for c in context.cookies():
        jar.set_cookie(http.cookiejar.Cookie(0, c["name"], c["value"], None, False, c["domain"], False, False,
                                             c["path"], True, c["secure"], None, False, None, None, {}))
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=trusting(data)),
                                       urllib.request.HTTPCookieProcessor(jar))


def test_the_operator_panel_as_agent_and_supervisor(tmp_path):
    data = tmp_path / "data"
    with AmiServer() as ami:
        ami.add_member("support", "PJSIP/201", "Ayşe Yılmaz")
        data.mkdir()
        (data / "ami.secret").write_text("s3cret\n")
        os.chmod(data / "ami.secret", 0o600)
        seed(data, f"[ami]\nhost = 127.0.0.1\nport = {ami.port}\nusername = callbox\nsecret_file = ami.secret\n"
                   "reconnect_min_s = 0.1\naction_timeout_s = 8\nqueues = support, sales\n"
                   "pause_reasons = Lunch, Training\n")
        callbox(data, "user", "add", "ayse", "--role", "staff", "--scope", "own", "--person", "P1",
                "--password-stdin", stdin=PASSWORD + "\n")
        callbox(data, "user", "add", "sef", "--role", "supervisor", "--scope", "department", "--person", "P2",
                "--password-stdin", stdin=PASSWORD + "\n")
        with web_process(data) as site, sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = chromium.new_context(locale="en-GB", ignore_https_errors=True)
            page = context.new_page()
            seen = Recorder(page)
            log_in(page, site, "ayse")
            nav_to(page, "/panel")
            until_live(page, site)
            members = page.locator("#panel-members")
            assert "support" in members.inner_text() and "Ready" in members.inner_text()
            page.select_option("#panel-pause select[name=reason]", "Lunch")
            page.click("#panel-pause button[value=pause]")
            page.wait_for_url(re.compile(r".*/panel\?done=pause$"))
            assert ami.members[("support", "PJSIP/201")].reason == "Lunch"
            page.wait_for_function("() => document.querySelector('#panel-members').innerText.includes('Lunch')")
            assert "Paused" in page.locator("#panel-members").inner_text()
            shot(page, "agent-paused")

            page.click("#panel-pause button[value=unpause]")
            page.wait_for_url(re.compile(r".*/panel\?done=unpause$"))
            assert not ami.members[("support", "PJSIP/201")].paused
            ami.play("queue_call_answered")          # rung, then answered: the caller is shown from the ring on
            page.wait_for_function("() => document.querySelector('#panel-status') && "
                                   "document.body.innerText.includes('+905321234567')", timeout=15000)
            callers = page.locator("#panel-callers").inner_text()
            assert "+905321234567" in callers and "Ayşe Yılmaz" in callers
            shot(page, "agent-caller")
            assert seen.errors == []

            # the AMI server sits on the next action: the POST waits for [ami] action_timeout_s in its greenlet,
            # and the web process answers other requests meanwhile
            csrf = page.locator("#panel-pause input[name=csrf_token]").get_attribute("value")
            opener = opener_for(context, data)
            ami.hold_actions.set()
            result = {}

            def pause():
                body = urllib.parse.urlencode({"csrf_token": csrf, "do": "pause", "reason": "Training"}).encode()
                t0 = time.monotonic()
                with opener.open(site + "/panel/pause", body, timeout=30) as r:
                    result["url"], result["took"] = r.geturl(), time.monotonic() - t0
            held = len(ami.actions)
            worker = threading.Thread(target=pause)
            worker.start()
            for _ in range(600):                 # the POST's action has reached the AMI server, which sits on it
                if any(a.get("action", "").lower() == "queuepause" for a in ami.actions[held:]):
                    break
                time.sleep(0.05)
            with opener.open(site + "/panel", timeout=30) as r:
                assert r.status == 200
            assert worker.is_alive()             # answered while the POST still waits (action_timeout_s = 8)
            worker.join(60)
            assert result["url"].endswith("/panel?error=refused") and result["took"] >= 7.5
            ami.hold_actions.clear()
            context.close()

            context = chromium.new_context(locale="en-GB", ignore_https_errors=True)
            page = context.new_page()
            seen = Recorder(page)
            log_in(page, site, "sef")
            until_live(page, site)
            page.click("#panel-members form:has(input[value=sales]) button[value=login]")
            page.wait_for_url(re.compile(r".*/panel\?done=login$"))
            assert ("sales", "PJSIP/299") in ami.members
            page.wait_for_function("() => document.querySelector('#panel-members').innerText.includes('Log out')")
            shot(page, "supervisor-logged-in")
            assert seen.errors == []
            chromium.close()
