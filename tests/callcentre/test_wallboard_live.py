"""The wallboard live (issue 15, CC-1): `callbox run` follows a queue_log file; lines appended to it reach a wallboard
link open in a real browser (headless Debian chromium) within a second, and it keeps up with 50 lines a second;
revoking the link closes the board."""
from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import time

import pytest
from playwright.sync_api import sync_playwright

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, REPO, Recorder, artifacts_dir, callbox, free_port

pytestmark = pytest.mark.slow
WAITING = "() => document.querySelector(\"[data-queue='sales'] [data-f='waiting']\")?.textContent === '{n}'"
AGENT = "() => document.querySelector(\"tr[data-agent='PJSIP/201']\")?.className === 'state-{state}'"


def _append(log, *lines: str) -> float:
    with open(log, "a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    return time.monotonic()


def test_queue_log_lines_reach_an_open_wallboard_within_a_second(tmp_path):
    data, log, port = tmp_path / "box", tmp_path / "queue_log", free_port()
    now = int(time.time())
    log.write_text(f"{now - 600}|NONE|sales|PJSIP/201|ADDMEMBER|\n", encoding="utf-8")
    data.mkdir()
    (data / "callbox.ini").write_text(f"[pbx]\ndriver = asterisk_queue_log\n[capture]\nurl = file://{log}\n",
                                      encoding="utf-8")
    link = json.loads(callbox(data, "queue", "wallboard", "add", "floor", "--queue", "sales", "--json"))
    proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "run", "--data", str(data), "--set",
                             f"web.port={port}", "--set", "web.http_port=0"], cwd=REPO, start_new_session=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(ignore_https_errors=True, locale="en-GB").new_page()
            seen = Recorder(page)
            deadline = time.monotonic() + 60
            while True:                        # the web process comes up after the worker made the database
                try:
                    page.goto(f"https://127.0.0.1:{port}{link['path']}")
                    page.wait_for_function(AGENT.format(state="ready"), timeout=5000)
                    break
                except Exception:
                    assert time.monotonic() < deadline, "the wallboard did not show the agent within 60 s"
                    seen.errors.clear()
                    time.sleep(0.5)
            delays = []
            for n in range(1, 6):              # five callers enter the queue, one at a time
                at = _append(log, f"{int(time.time())}|c{n}|sales|NONE|ENTERQUEUE||05000000{n}|{n}")
                page.wait_for_function(WAITING.format(n=n), timeout=10000)
                delays.append(time.monotonic() - at)
            at = _append(log, f"{int(time.time())}|c1|sales|PJSIP/201|CONNECT|3|c1b|2")
            page.wait_for_function(AGENT.format(state="talking"), timeout=10000)
            page.wait_for_function(WAITING.format(n=4), timeout=10000)
            delays.append(time.monotonic() - at)
            page.screenshot(path=str(artifacts_dir() / "wallboard-live.png"), full_page=True)
            print(f"wallboard delays (s): {', '.join(f'{d:.2f}' for d in delays)}")
            assert statistics.median(delays) < 1.0, delays
            assert max(delays) < 2.5, delays        # a loaded CI machine: never far off
            # 50 events a second for 5 s (callers entering): the board keeps up, the last one shown within 1.5 s
            for n in range(6, 256):
                at = _append(log, f"{int(time.time())}|c{n}|sales|NONE|ENTERQUEUE||05000000{n}|{n}")
                time.sleep(max(0.0, 0.02 - (time.monotonic() - at)))
            page.wait_for_function(WAITING.format(n=254), timeout=10000)
            behind = time.monotonic() - at
            print(f"wallboard after 250 events at 50/s: {behind:.2f} s behind the last")
            assert behind < 1.5, behind
            callbox(data, "queue", "wallboard", "revoke", "floor")
            page.wait_for_selector("#wb-alert:not([hidden])", timeout=10000)
            assert "revoked" in page.inner_text("#wb-alert")
            assert page.locator("tr[data-agent]").count() == 0
            assert seen.errors == [], seen.errors
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
