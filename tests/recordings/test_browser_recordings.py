"""A call's recording in a real browser (headless Debian chromium, Playwright) against the real web process: the
<audio> element of a listener reaches `canplay` on a WAV made here, served with Range requests; a supervisor who may
see the call but not listen gets no player and 403 on the audio. Screenshots in tests/artifacts/."""
from __future__ import annotations

import json

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, PASSWORD, Recorder, artifacts_dir, callbox, log_in, web_process
from playwright.sync_api import sync_playwright
from rec_helpers import seed

pytestmark = pytest.mark.slow
CANPLAY = """() => new Promise((resolve) => {
  const a = document.querySelector('#recording');
  if (a.readyState >= 3) { resolve(a.duration); return; }
  a.addEventListener('canplay', () => resolve(a.duration), {once: true});
  a.addEventListener('error', () => resolve(-1), {once: true});
})"""


def test_a_recording_plays_for_a_listener_and_is_403_for_who_may_not_listen(tmp_path):
    data = tmp_path / "data"
    seed(data)
    callbox(data, "user", "add", "ayse", "--role", "staff", "--scope", "own", "--person", "P1", "--password-stdin",
            stdin=PASSWORD + "\n")
    assert "rights listen" in callbox(data, "user", "right", "ayse", "--grant", "listen")
    callbox(data, "user", "add", "sef", "--role", "supervisor", "--scope", "tenant", "--password-stdin",
            stdin=PASSWORD + "\n")
    calls = map(json.loads, callbox(data, "calls", "--json").splitlines())
    cid = next(c["id"] for c in calls if c["party"] == "0612345678")
    with web_process(data) as site, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(locale="en-GB", ignore_https_errors=True)
        page = context.new_page()
        seen = Recorder(page)
        log_in(page, site, "ayse")
        page.goto(f"{site}/calls/{cid}")
        duration = page.evaluate(CANPLAY)
        assert abs(duration - 1.0) < 0.05          # the 1 s tone, as the browser decoded it
        page.screenshot(path=str(artifacts_dir() / "recording-listener.png"), full_page=True)
        assert page.locator("#recording-download").get_attribute("href") == f"/calls/{cid}/recording/download"
        assert seen.errors == []
        context.close()

        context = chromium.new_context(locale="en-GB", ignore_https_errors=True)
        page = context.new_page()
        seen = Recorder(page)
        log_in(page, site, "sef")
        page.goto(f"{site}/calls/{cid}")
        assert page.locator("#recording").count() == 0
        page.screenshot(path=str(artifacts_dir() / "recording-supervisor-no-right.png"), full_page=True)
        assert seen.errors == []
        assert page.request.get(f"{site}/calls/{cid}/recording").status == 403
        assert page.request.get(f"{site}/calls/{cid}/recording/download").status == 403
        chromium.close()
