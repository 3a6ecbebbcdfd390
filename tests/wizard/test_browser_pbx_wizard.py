"""The PBX wizard in a real browser on a box that runs as the appliance does: the supervisor with the real capture and
worker processes, the real web process, a new box (no link, no driver). For each link kind (a serial port over a
pty with the baud-rate scan, the PBX connecting to the box, the box connecting to the PBX) the installer chooses the
link, sees the lines arrive, the ranking propose the right driver and its reading of the last records, confirms; the
processes restart by themselves and the calls appear, exactly those a `callbox import` of the same lines gives."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from appliance.capture import serialports
from browser_helpers import (CHROMIUM, CHROMIUM_ARGS, PASSWORD, REPO, SAMPLE, Recorder, artifacts_dir, callbox,
                             free_port, web_process)

pytestmark = pytest.mark.slow
LINES = SAMPLE.read_bytes().split(b"\n")[1:41]        # 40 real IP Office records (line 1 is a logger's header)
DEADLINE_S = 60


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def new_box(data: Path):
    """An administrator, no link, no driver; the supervisor running capture and the worker; the web process."""
    data.mkdir(parents=True, exist_ok=True)
    callbox(data, "user", "add", "admin", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    proc = [sys.executable, "-m", "appliance.procs"]
    children = [[name, [*proc, name, "--data", str(data)]] for name in ("capture", "worker")]
    sup = subprocess.Popen([sys.executable, "-m", "appliance.supervisor", "--data", str(data), json.dumps(children)],
                           cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with web_process(data, "web.tls=no") as url:
            yield url
        sup.terminate()
        assert sup.wait(timeout=20) == 0
    finally:
        if sup.poll() is None:
            sup.kill()
        sup.communicate()
    run_log = (data / "log" / "run.log").read_text(encoding="utf-8")
    assert "exited with code" not in run_log, run_log       # restarts for the new configuration only, no failure


def until(check, what: str, timeout: float = DEADLINE_S):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.3)
    return found


def stored_calls(data: Path) -> list[dict]:
    out = callbox(data, "calls", "--json") if (data / "callbox.db").exists() else ""
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def imported_calls(tmp: Path) -> list[dict]:
    """The same lines through `callbox import`: what the box must show."""
    tmp.mkdir()
    (tmp / "callbox.ini").write_text("[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    (tmp / "pbx.log").write_bytes(b"\n".join(LINES) + b"\n")
    callbox(tmp, "import", "--driver", "avaya_ipoffice", str(tmp / "pbx.log"))
    return stored_calls(tmp)


def _key(call: dict) -> tuple:
    return call["start"], call["extension"], call["party"], call["talk_s"], call["direction"]


def wizard(browser, url: str, shot: str, choose_link, feed) -> None:
    """Log in, choose the link (choose_link(page)), feed the PBX (feed()), check the ranking and the preview,
    confirm."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    rec = Recorder(page)
    page.goto(f"{url}/login?next=/setup/pbx")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/setup/pbx")
    assert page.locator(".banner.warn").first.inner_text().startswith("No link chosen yet")
    choose_link(page)
    page.click("#use-link")
    page.wait_for_url("**/setup/pbx#lines")
    feed()
    page.wait_for_function("() => (document.querySelector('#ranking code') || {}).textContent === 'avaya_ipoffice'",
                           timeout=DEADLINE_S * 1000)
    page.wait_for_function("() => document.querySelectorAll('#preview tr').length >= 20", timeout=DEADLINE_S * 1000)
    first = page.locator("#preview tr").first.locator("td")
    assert first.nth(2).inner_text() in ("incoming", "outgoing", "internal")
    assert first.nth(3).inner_text() and first.nth(6).inner_text() == ""
    assert page.locator("#driver").input_value() == "avaya_ipoffice"
    page.screenshot(path=str(artifacts_dir() / f"pbx-wizard-{shot}-lines.png"), full_page=True)
    page.fill("#timezone", "Europe/Warsaw")
    page.click("#use-driver")
    page.wait_for_url("**/setup/pbx?chosen=avaya_ipoffice#done")
    assert "Driver avaya_ipoffice chosen" in page.locator("#done").inner_text()
    page.screenshot(path=str(artifacts_dir() / f"pbx-wizard-{shot}-done.png"), full_page=True)
    assert rec.errors == []
    context.close()


def test_the_pbx_connects_to_the_box(browser, tmp_path):
    data, port = tmp_path / "box", free_port()
    with new_box(data) as url:
        def choose(page):
            page.check("#kind-tcp-listen")
            page.fill("#listen-port", str(port))
            page.fill("input[name=address]", "127.0.0.1")

        def feed():
            def pbx_sends():
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    s.sendall(b"\r\n".join(LINES) + b"\r\n")
                    time.sleep(1)
            until(lambda: _try(pbx_sends), "capture listening on the chosen port")
        wizard(browser, url, "tcp-listen", choose, feed)
        expected = sorted(map(_key, imported_calls(tmp_path / "import")))
        assert until(lambda: sorted(map(_key, stored_calls(data))) == expected, "the calls stored")
        ini = (data / "callbox.ini").read_text(encoding="utf-8")
        assert f"url = tcp-listen://127.0.0.1:{port}" in ini and "driver = avaya_ipoffice" in ini


def test_the_box_connects_to_the_pbx(browser, tmp_path):
    data = tmp_path / "box"
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def pbx():   # a PBX that sends its records to whoever connects (Mitel MiVB, IP Office's own port)
        server.settimeout(DEADLINE_S)
        with server, server.accept()[0] as conn:
            conn.sendall(b"\r\n".join(LINES) + b"\r\n")
            time.sleep(DEADLINE_S)
    with new_box(data) as url:
        def choose(page):
            page.check("#kind-socket")
            page.fill("#host", "127.0.0.1")
            page.fill("#connect-port", str(port))
        threading.Thread(target=pbx, daemon=True).start()
        wizard(browser, url, "socket", choose, lambda: None)
        expected = sorted(map(_key, imported_calls(tmp_path / "import")))
        assert until(lambda: sorted(map(_key, stored_calls(data))) == expected, "the calls stored")


def test_a_serial_pbx_with_the_baud_rate_scan(browser, tmp_path):
    data = tmp_path / "box"
    master, slave = os.openpty()
    tty_name = os.ttyname(slave)
    os.close(slave)
    os.set_blocking(master, False)
    stop = threading.Event()

    def pbx():   # a PBX printing a record every 50 ms, whether anyone listens or not (as a real RS-232 port does)
        i = 0
        while not stop.wait(0.05):
            try:
                os.write(master, LINES[i % len(LINES)] + b"\r\n")
                i += 1
            except OSError:      # nobody has the port open
                pass
    writer = threading.Thread(target=pbx, daemon=True)
    writer.start()
    try:
        with new_box(data) as url:
            def choose(page):
                page.check("#kind-serial")
                # an adapter plugged in while the page is open: capture's list (run/serial-ports.json) reaches the
                # page's device list within its 2 s refresh
                serialports.write(data / "run", [{"device": "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_X-if00-port0",
                                                  "path": tty_name, "description": "FTDI FT232R USB UART X"}])
                page.wait_for_function("() => Array.from(document.querySelectorAll('#devices option')).some("
                                       "o => o.label === 'FTDI FT232R USB UART X (" + tty_name + ")')",
                                       timeout=DEADLINE_S * 1000)
                assert "1" in page.locator("#device-count").inner_text()
                page.fill("#device", tty_name)
                page.eval_on_selector("#scan", "b => b.setAttribute('data-window', '0.3')")
                page.click("#scan")
                page.wait_for_function("() => document.getElementById('scan-result').hasAttribute('data-best')",
                                       timeout=DEADLINE_S * 1000)
                assert page.locator("#scan-result").get_attribute("data-best") == "9600"   # a pty reads at any rate
                assert page.locator("#baud").input_value() == "9600"
                page.screenshot(path=str(artifacts_dir() / "pbx-wizard-serial-scan.png"), full_page=True)
            wizard(browser, url, "serial", choose, lambda: None)
            assert until(lambda: len(stored_calls(data)) >= 10, "calls from the serial port")
            ini = (data / "callbox.ini").read_text(encoding="utf-8")
            assert f"url = serial://{tty_name}?baud=9600" in ini
    finally:
        stop.set()
        writer.join()
        os.close(master)


def _try(send) -> bool:
    try:
        send()
        return True
    except OSError:
        return False
