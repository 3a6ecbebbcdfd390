"""A change of PBX driver in a real browser, on a box that runs as the appliance does (the supervisor with the real
capture and worker processes, the real web process; issue 19). The PBX sends real Panasonic and Avaya IP Office
records over TCP while the box reads them with the Panasonic driver (one call, the Avaya lines quarantined); the
installer picks the Avaya driver in the PBX wizard, reads the confirmation, keeps "parse them all again" and confirms:
capture and the worker restart by themselves, the worker parses the journal again, the page says how it went, and the
calls are exactly those a `callbox import` of the Avaya lines gives (the Panasonic call is gone, nothing doubled)."""
from __future__ import annotations

import socket
import time

import pytest

from browser_helpers import PASSWORD, Recorder, artifacts_dir, free_port
from conftest import FIXTURES
from test_browser_pbx_wizard import LINES, _key, _try, browser, imported_calls, new_box, stored_calls, until

pytestmark = pytest.mark.slow
PANASONIC = (FIXTURES / "panasonic_kx" / "pasted-kx-tda-2011.raw").read_bytes().splitlines()   # the real sample
__all__ = ["browser"]      # the module's Chromium (a fixture of test_browser_pbx_wizard)


def test_a_new_driver_in_the_wizard_parses_the_journal_again(browser, tmp_path):
    data, port = tmp_path / "box", free_port()
    data.mkdir()
    (data / "callbox.ini").write_text(f"[capture]\nurl = tcp-listen://127.0.0.1:{port}\n\n"
                                      "[pbx]\ndriver = panasonic_kx\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    with new_box(data) as url:
        def pbx_sends():
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"\r\n".join(PANASONIC + LINES) + b"\r\n")
                time.sleep(1)
        until(lambda: _try(pbx_sends), "capture listening")
        assert [c["driver"] for c in until(lambda: stored_calls(data), "the Panasonic call")] == ["panasonic_kx"]
        expected = sorted(map(_key, imported_calls(tmp_path / "import")))

        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        rec = Recorder(page)
        page.goto(f"{url}/login?next=/setup/pbx")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/setup/pbx")
        page.select_option("#driver", "avaya_ipoffice")
        page.click("#use-driver")
        asked = page.locator("#driver-change").inner_text()
        assert "Change the driver from panasonic_kx to avaya_ipoffice?" in asked
        read = len(PANASONIC) + len(LINES)
        assert f"This box has read {read:,} lines from the PBX with panasonic_kx (calls stored: 1" in asked
        assert page.locator("#reprocess-all").is_checked()
        page.screenshot(path=str(artifacts_dir() / "pbx-wizard-driver-change.png"), full_page=True)
        page.click("#change-driver")
        page.wait_for_url("**/setup/pbx?chosen=avaya_ipoffice#done")
        assert until(lambda: sorted(map(_key, stored_calls(data))) == expected, "the calls parsed again")

        def result() -> str:
            page.reload()
            return page.locator("#reprocess-result").inner_text() if page.locator("#reprocess-result").count() else ""
        done = until(result, "the page saying how the reprocess went")
        assert "lines parsed again with avaya_ipoffice, replacing what panasonic_kx had made of them" in done
        assert f"{len(expected):,} now" in done
        page.screenshot(path=str(artifacts_dir() / "pbx-wizard-driver-changed.png"), full_page=True)
        assert rec.errors == []
        context.close()
    assert {c["driver"] for c in stored_calls(data)} == {"avaya_ipoffice"}
