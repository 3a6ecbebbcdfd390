"""Backup and restore from the web in a real browser (issue 19): an administrator downloads an encrypted backup of one
box from its Backup page, sends one to a file server (a real FTP server on loopback) and writes one to a USB stick (a
temporary folder named by [box] usb_path stands in for the stick's mount point: a test cannot plug one in); a new box,
run as on the appliance (`callbox run`: capture, worker, jobs and web supervised), refuses a foreign file and a wrong
passphrase, then is restored from the stick in the first-boot wizard ("restore from a backup" instead of a new setup);
its processes start again by themselves on the restored data, the backup's administrator logs in, and the new box's
report output is identical to the old one's."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from test_upload import FTP
from test_upload import PASSWORD as FTP_PASSWORD
from browser_helpers import (CHROMIUM, CHROMIUM_ARGS, PASSWORD, REPO, Recorder, artifacts_dir, callbox, free_port,
                             log_in, nav_to, seed, web_process)

pytestmark = pytest.mark.slow
PASSPHRASE = "yedek parolası: çok gizli"


def report(data: Path) -> list[dict]:
    """The report's JSON, without "source": the new box's worker, running, has built the roll-ups that answer it
    (the old box's answer came from the calls: no worker ran there), the same rows either way."""
    out = callbox(data, "report", "--range", "all", "--dims", "person,department,extension",
                  "--measures", "calls,duration,talk,cost", "--json")
    return [{k: v for k, v in json.loads(line).items() if k != "source"} for line in out.splitlines() if line]


def _wait(check, what: str, limit_s: float = 120.0):
    deadline = time.monotonic() + limit_s        # catches a hang only
    while True:
        try:
            if result := check():
                return result
        except OSError:
            pass
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _child(supervisor: int, name: str) -> int | None:
    """The pid of the supervisor's child running `name` (capture, worker, jobs: appliance.procs NAME; web: webui)."""
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) != supervisor:
                continue
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if (name == "web" and b"webui" in argv) or (b"appliance.procs" in argv and name.encode() in argv):
            return int(proc.name)
    return None


def test_a_backup_restored_on_a_new_box_through_the_web(tmp_path):
    box_a, box_b, stick, server = tmp_path / "box-a", tmp_path / "box-b", tmp_path / "USB STİCK", tmp_path / "ftp"
    seed(box_a)
    before = report(box_a)
    assert before and before[0]["rows"]
    for d in (box_b, stick, server):
        d.mkdir()
    (box_a / "ftp.pw").write_text(FTP_PASSWORD + "\n", encoding="utf-8")
    (box_a / "ftp.pw").chmod(0o600)
    port, capture_port = free_port(), free_port()
    sets = (f"capture.url=tcp-listen://127.0.0.1:{capture_port}", "web.host=127.0.0.1", f"web.port={port}",
            "web.http_port=0", f"box.usb_path={stick}")
    ftp = FTP(server).__enter__()      # stopped at the end, with the new box
    run = subprocess.Popen([sys.executable, "-m", "appliance.cli", "run", "--data", str(box_b),
                            *[a for s in sets for a in ("--set", s)]],
                           cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    site_b = f"https://127.0.0.1:{port}"
    try:
        with open(box_a / "callbox.ini", "a", encoding="utf-8") as ini:
            ini.write(f"[upload]\ntargets = ofis = ftp://rapor@127.0.0.1:{ftp.port}/yedek?password_file=ftp.pw\n")
        with web_process(box_a, f"box.usb_path={stick}") as site_a, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(locale="en-GB", ignore_https_errors=True, accept_downloads=True)
            page = context.new_page()
            rec = Recorder(page)
            log_in(page, site_a, "admin")
            nav_to(page, "/setup")
            page.click("#backup-link")

            def make(destination: str) -> None:
                page.fill("#passphrase", PASSPHRASE)
                page.fill("#passphrase2", PASSPHRASE)
                page.check("#calls")
                page.check("#journal")
                page.check(f"#to-{destination}")
            make("download")
            with page.expect_download() as download:
                page.click("#make-backup")
            backup = tmp_path / download.value.suggested_filename
            download.value.save_as(backup)
            assert backup.name.endswith(".cbx") and backup.stat().st_size > 1000
            page.goto(f"{site_a}/backup")
            make("target")
            page.select_option("#target", "ofis")
            page.click("#make-backup")
            assert "Backup sent to the file server ofis: callbox-backup-" in page.locator("#backup-done").inner_text()
            make("usb")
            page.select_option("#usb", str(stick))
            page.screenshot(path=str(artifacts_dir() / "backup-to-usb.png"), full_page=True)
            page.click("#make-backup")
            assert "Backup written to the USB stick USB STİCK" in page.locator("#backup-done").inner_text()
            (sent,) = (server / "yedek").iterdir()
            (on_stick,) = stick.iterdir()
            for made in (sent, on_stick):
                assert made.name.startswith("callbox-backup-") and made.stat().st_size > 1000

            code = _wait(lambda: (box_b / "run" / "setup-code").read_text(encoding="ascii").strip(),
                         "the new box shows no setup code")
            _wait(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True,
                  "the new box's web does not listen")
            pids = {n: _wait(lambda n=n: _child(run.pid, n), f"no {n} process") for n in ("worker", "jobs", "web")}
            page = context.new_page()
            page.goto(f"{site_b}/first-boot")
            page.fill("#code", code)
            page.click("#code-next")
            page.click("#restore-choice summary")
            foreign = tmp_path / "photo.cbx"
            foreign.write_bytes(os.urandom(4096))
            page.set_input_files("#restore-file", str(foreign))
            page.fill("#restore-passphrase", PASSPHRASE)
            page.click("#restore")
            assert "not a Callbox backup file" in page.locator("#first-boot-error").inner_text()
            page.set_input_files("#restore-file", str(backup))
            page.fill("#restore-passphrase", "not the passphrase")
            page.click("#restore")
            assert "Wrong passphrase" in page.locator("#first-boot-error").inner_text()
            page.check(f"#usb-restore-form input[value='{stick}/{on_stick.name}']")     # the stick's backup
            page.fill("#usb-restore-passphrase", PASSPHRASE)
            page.screenshot(path=str(artifacts_dir() / "first-boot-restore.png"), full_page=True)
            page.click("#restore-usb")
            page.wait_for_selector("#first-boot-restored")
            # the worker (it waited for a driver) starts again on the restored callbox.ini, the web on its users
            for name, pid in pids.items():    # each started again by itself (the worker: on the restored driver)
                _wait(lambda: _child(run.pid, name) not in (None, pid), f"{name} did not start again")
            _wait(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True,
                  "the web did not come back")
            log_in(page, site_b, "admin", PASSWORD)
            assert page.locator("header").inner_text().count("admin") >= 1
            page.goto(f"{site_b}/first-boot")
            assert page.url.endswith("/login") or page.url == f"{site_b}/"
            assert [e for e in rec.errors if "HTTP 4" not in e] == []
            browser.close()
        assert report(box_b) == before
        assert not (box_b / "run" / "setup-code").exists()
    finally:
        ftp.__exit__(None, None, None)
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
