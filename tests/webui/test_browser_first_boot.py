"""The first-boot wizard in a real browser against the real web process (HTTPS with the certificate the box made):
the setup code the box writes for its console (and on the box's printable label, linked from the wizard: asked for
from the box itself here, loopback), the administrator, time and names, then the PBX wizard; the wizard is not offered
again, and the label no longer shows a code."""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, Recorder, artifacts_dir, web_process

pytestmark = pytest.mark.slow
PASSWORD = "first boot in a browser"


def test_first_boot_in_a_browser(tmp_path):
    data = tmp_path / "box"
    data.mkdir()
    with web_process(data) as url, sync_playwright() as p:
        code = (data / "run" / "setup-code").read_text(encoding="ascii").strip()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="en-GB", ignore_https_errors=True).new_page()
        rec = Recorder(page)
        page.goto(f"{url}/login")
        page.click("#first-boot-link a")
        page.click("#label-link")
        assert page.locator("#label-code").inner_text() == code
        assert page.locator("#label-url-0").inner_text().endswith(f":{url.rsplit(':', 1)[1]}/")   # the port served
        page.emulate_media(media="print")
        page.screenshot(path=str(artifacts_dir() / "label.png"), full_page=True)
        page.emulate_media(media="screen")
        page.go_back()
        page.fill("#code", code.lower())
        page.screenshot(path=str(artifacts_dir() / "first-boot-code.png"), full_page=True)
        page.click("#code-next")
        page.fill("#username", "kurulum")
        page.fill("#password", PASSWORD)
        page.fill("#password2", PASSWORD)
        assert page.locator("#current-addresses").inner_text()           # the box's addresses now
        page.check("#network-static")
        page.fill("#address", "192.0.2.10/24")
        page.fill("#gateway", "192.0.2.1")
        page.fill("#dns", "192.0.2.1")
        page.fill("#timezone", "Europe/Istanbul")
        page.fill("#ntp", "0.tr.pool.ntp.org")
        page.fill("#company", "Örnek Ticaret A.Ş.")
        page.fill("#branch", "İzmir")
        page.screenshot(path=str(artifacts_dir() / "first-boot-details.png"), full_page=True)
        page.click("#finish")
        page.wait_for_selector("#first-boot-done")
        fingerprint = page.locator("#fingerprint").inner_text()
        assert len(fingerprint) == 95 and fingerprint.count(":") == 31
        assert "Address=192.0.2.10/24" in page.locator("#network-file").inner_text()
        page.screenshot(path=str(artifacts_dir() / "first-boot-done.png"), full_page=True)
        page.click("#to-pbx-wizard")
        page.wait_for_selector("#link-form")
        assert page.locator("header").inner_text().count("kurulum") == 1
        page.goto(f"{url}/label")
        assert page.locator("#label-code").count() == 0 and code not in page.content()
        assert page.locator("#label-fingerprint").inner_text() == fingerprint
        page.goto(f"{url}/first-boot")
        assert page.url.endswith("/login")
        assert page.locator("#first-boot-link").count() == 0
        assert rec.errors == []
        browser.close()
    ini = (data / "callbox.ini").read_text(encoding="utf-8")
    assert "company = Örnek Ticaret A.Ş." in ini and "timezone = Europe/Istanbul" in ini
    assert not (data / "run" / "setup-code").exists()
    assert "Gateway=192.0.2.1\n" in (data / "network" / "10-callbox.network").read_text(encoding="utf-8")
