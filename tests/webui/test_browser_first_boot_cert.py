"""The first-boot wizard's certificate step in a real browser (issue 19: "the box's TLS certificate (generated, or
uploaded)"), on a new box run as on the appliance (`callbox run`: the web supervised): the installer uploads the
certificate of their own CA and its key (after a key that does not belong to it was refused), the web restarts by
itself and then serves exactly the uploaded certificate, whose fingerprint the done page showed."""
from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time

import pytest
from playwright.sync_api import sync_playwright

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, REPO, Recorder, artifacts_dir, free_port
from webui import tls

pytestmark = pytest.mark.slow
PASSWORD = "first boot with our own certificate"


def served(port: int) -> bytes | None:
    """The certificate (DER) the web serves now, or None while it does not answer."""
    try:
        pem = ssl.get_server_certificate(("127.0.0.1", port), timeout=2)
    except OSError:
        return None
    return ssl.PEM_cert_to_DER_cert(pem)


def until(check, what: str, limit_s: float = 120.0):
    deadline = time.monotonic() + limit_s          # catches a hang only
    while not (found := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return found


def test_an_uploaded_certificate_is_served_after_the_first_boot(tmp_path):
    data, ca = tmp_path / "box", tmp_path / "ca"
    data.mkdir()
    ca.mkdir()
    tls.make_certificate(ca / "box.crt", ca / "box.key", "callbox.example.com.tr")
    tls.make_certificate(ca / "other.crt", ca / "other.key", "other.example")
    uploaded = ssl.PEM_cert_to_DER_cert((ca / "box.crt").read_text(encoding="ascii"))
    port = free_port()
    sets = (f"capture.url=tcp-listen://127.0.0.1:{free_port()}", "web.host=127.0.0.1", f"web.port={port}",
            "web.http_port=0")
    run = subprocess.Popen([sys.executable, "-m", "appliance.cli", "run", "--data", str(data),
                            *[a for s in sets for a in ("--set", s)]],
                           cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        code = until(lambda: (data / "run" / "setup-code").exists()
                     and (data / "run" / "setup-code").read_text(encoding="ascii").strip(), "no setup code")
        made = until(lambda: served(port), "the web does not answer")
        assert made != uploaded
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(locale="en-GB", ignore_https_errors=True).new_page()
            rec = Recorder(page)
            page.goto(f"https://127.0.0.1:{port}/first-boot")
            page.fill("#code", code)
            page.click("#code-next")

            def details(key: str) -> None:
                page.fill("#username", "kurulum")
                page.fill("#password", PASSWORD)
                page.fill("#password2", PASSWORD)
                page.fill("#timezone", "Europe/Istanbul")
                page.fill("#company", "Örnek Ticaret A.Ş.")
                page.fill("#branch", "İzmir")
                page.check("#tls-upload")
                page.set_input_files("#cert", str(ca / "box.crt"))
                page.set_input_files("#key", str(ca / key))
                page.click("#finish")
            details("other.key")
            assert "do not load together" in page.locator("#first-boot-error").inner_text()
            assert served(port) == made                      # refused: nothing changed, no restart
            details("box.key")
            page.wait_for_selector("#first-boot-done")
            shown = page.locator("#fingerprint").inner_text()
            page.screenshot(path=str(artifacts_dir() / "first-boot-cert-done.png"), full_page=True)
            # the web restarts by itself (exit 75, started again by callbox run) and serves the uploaded one
            assert until(lambda: served(port) == uploaded, "the uploaded certificate is not served")
            assert shown == tls.fingerprint(ca / "box.crt")
            page.goto(f"https://127.0.0.1:{port}/login")
            assert page.locator("#first-boot-link").count() == 0
            assert [e for e in rec.errors if "400" not in e] == []    # the refused key
            browser.close()
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert "company = Örnek Ticaret A.Ş." in (data / "callbox.ini").read_text(encoding="utf-8")
