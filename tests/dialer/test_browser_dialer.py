"""The campaign dialer in a real browser (headless Debian chromium) against the real web process, the real jobs
process (whose thread dials) and the loopback AMI server: a supervisor's bad CSV is refused naming file, line and
column, a good one makes a campaign with its invalid number listed; an agent joins, is shown the contact with its
fields, clicks Call (the jobs process originates, the customer answers), sets the result and a note; the supervisor
sees the progress and exports the CSV. Screenshots in tests/artifacts/."""
from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys

import pytest
from ami_server import AmiServer
from browser_helpers import (CHROMIUM, CHROMIUM_ARGS, PASSWORD, REPO, Recorder, artifacts_dir, callbox, log_in, nav_to,
                             web_process)
from playwright.sync_api import sync_playwright
from rec_helpers import seed

pytestmark = pytest.mark.slow
GOOD = "number,name,company\n0532 123 45 67,Ayşe Demir,Acme\n12,Test,X\n0533 765 43 21,Ольга Петрова,Gamma\n"
BAD = "number,name,company\n0532 123 45 67,Ayşe Demir,Acme\n0533 765 43 21,Ольга,Gamma,extra\n"


def shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"dialer-{name}.png"), full_page=True)


def unexpected(seen):
    """The errors but the refused file's page: a 400 on purpose (the browser logs it as a console error too)."""
    return [e for e in seen.errors if not ("400" in e and ("Bad Request" in e or "/dialer/campaigns" in e))]


def create(page, path, code):
    page.fill("#new-campaign input[name=code]", code)
    page.fill("#new-campaign input[name=name]", "Spring offer")
    page.fill("#new-campaign input[name=windows]", "mon-sun 00:00-24:00")
    page.set_input_files("#new-campaign input[name=file]", str(path))
    page.click("#create-campaign")


def test_the_dialer_as_supervisor_and_agent(tmp_path):
    data = tmp_path / "data"
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    (tmp_path / "spring.csv").write_text(GOOD, encoding="utf-8")
    with AmiServer(originate_outcomes={"05321234567": "originate_answered"}) as ami:
        data.mkdir()
        (data / "ami.secret").write_text("s3cret\n")
        os.chmod(data / "ami.secret", 0o600)
        seed(data, f"[ami]\nhost = 127.0.0.1\nport = {ami.port}\nusername = callbox\nsecret_file = ami.secret\n"
                   "reconnect_min_s = 0.1\n[numbers]\ncountry = TR\narea_codes = 212\n[dialer]\ntick_s = 0.2\n"
                   "results = Interested, Not interested, Do not call\n")
        callbox(data, "user", "add", "ayse", "--role", "staff", "--scope", "own", "--person", "P1",
                "--password-stdin", stdin=PASSWORD + "\n")
        callbox(data, "user", "add", "sema", "--role", "supervisor", "--scope", "tenant", "--tenant", "default",
                "--password-stdin", stdin=PASSWORD + "\n")
        jobs = subprocess.Popen([sys.executable, "-m", "appliance.procs", "jobs", "--data", str(data)], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with web_process(data) as site, sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                sup = chromium.new_context(locale="en-GB", ignore_https_errors=True, accept_downloads=True)
                page = sup.new_page()
                seen = Recorder(page)
                log_in(page, site, "sema")
                nav_to(page, "/dialer")
                page.click(".subnav a[href='/dialer/campaigns']")
                create(page, tmp_path / "bad.csv", "spring")
                error = page.locator("#error").inner_text()
                assert "bad.csv, line 3, column 4: 4 cells, the header has 3" in error, error
                assert page.locator("#no-campaigns").count() == 1
                shot(page, "supervisor-bad-csv")
                create(page, tmp_path / "spring.csv", "spring")
                page.wait_for_url(re.compile(r".*/dialer/campaigns/1$"))
                invalid = page.locator("#campaign-invalid").inner_text()
                assert "12" in invalid and "not a valid phone number" in invalid
                shot(page, "supervisor-campaign-new")
                assert unexpected(seen) == []

                agent = chromium.new_context(locale="en-GB", ignore_https_errors=True)
                apage = agent.new_page()
                aseen = Recorder(apage)
                log_in(apage, site, "ayse")
                nav_to(apage, "/dialer")
                assert "Spring offer" in apage.locator("#dialer-campaigns").inner_text()
                apage.click("#dialer-campaigns button.join")
                apage.wait_for_url(re.compile(r".*/dialer\?done=joined$"))
                apage.wait_for_selector("#dialer-call", timeout=20000)     # the jobs process shows the first one
                assert apage.locator("#dialer-link").count() == 0          # the jobs process's link is up
                fields = apage.locator("#dialer-fields").inner_text()
                assert "Ayşe Demir" in fields and "Acme" in fields
                assert "+905321234567" in apage.locator("#dialer-contact h2").inner_text()
                shot(apage, "agent-preview")
                apage.click("#dialer-call")
                apage.wait_for_url(re.compile(r".*/dialer\?done=call$"))
                apage.wait_for_selector("#dialer-result-form", timeout=20000)   # originated, answered
                originate = [a for a in ami.actions if a.get("action") == "Originate"]
                assert originate[0]["channel"] == "Local/05321234567@from-internal"
                assert originate[0]["exten"] == "201"
                shot(apage, "agent-answered")
                apage.select_option("#dialer-result", "Interested")
                apage.fill("#dialer-note", "Wants a demo on Friday — call Ayşe at 10:00")
                apage.click("#dialer-save")
                apage.wait_for_url(re.compile(r".*/dialer\?done=result$"))
                apage.wait_for_function("() => document.body.innerText.includes('+905337654321')", timeout=20000)
                shot(apage, "agent-next-contact")
                assert aseen.errors == []

                page.goto(site + "/dialer/campaigns/1")
                assert "Interested" in page.locator("#campaign-results").inner_text()
                assert "1 of 2 numbers done" in page.locator("#campaign-progress").inner_text()
                shot(page, "supervisor-progress")
                with page.expect_download() as got:
                    page.click("#campaign-export")
                rows = list(csv.DictReader(io.StringIO(
                    open(got.value.path(), encoding="utf-8-sig").read())))
                done = [r for r in rows if r["number"] == "+905321234567"][0]
                assert (done["result"], done["note"], done["agent"], done["name"]) == (
                    "Interested", "Wants a demo on Friday — call Ayşe at 10:00", "ayse", "Ayşe Demir")
                assert [r for r in rows if r["as_written"] == "12"][0]["state"] == "invalid"
                assert unexpected(seen) == []
                chromium.close()
        finally:
            jobs.send_signal(signal.SIGTERM)
            assert jobs.wait(30) == 0
