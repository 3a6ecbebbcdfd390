"""Call notes, CRM lookups and customer messages in a real browser (headless Debian chromium, Playwright) against the
real web process: an agent writes a note on the operator panel about a caller the CRM (a real HTTP server on loopback)
names, and one on the call's page; a supervisor finds both on the notes search and the call search; an administrator
gives the customer their numbers and notes address and reads the messages page with an SMS's units and state.
Screenshots in tests/artifacts/notes-*.png."""
from __future__ import annotations

import json
import time

import pytest
from browser_helpers import (CHROMIUM, CHROMIUM_ARGS, PASSWORD, Recorder, artifacts_dir, callbox, log_in, nav_to,
                             web_process)
from http_recorder import Recorder as HttpRecorder
from http_recorder import serve
from playwright.sync_api import sync_playwright
from rec_helpers import seed

from appliance import store
from appliance.customers import customers
from appliance.messages import rules

pytestmark = pytest.mark.slow
NUMBER = "0612345678"


def shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"notes-{name}.png"), full_page=True)


@pytest.fixture
def crm():
    rec = HttpRecorder(body='{"contact": {"name": "Ayşe Hanım (CRM)"}}'.encode())
    server, url = serve(rec)
    yield rec, url
    server.shutdown()
    server.server_close()


def test_agent_supervisor_and_administrator_with_notes_crm_and_messages(tmp_path, crm):
    rec, crm_url = crm
    data = tmp_path / "data"
    seed(data, f"[crm]\nlookup_url = {crm_url}/find?phone={{number}}\nlookup_name = contact.name\n")
    for name, flags in (("ayse", ("--role", "staff", "--scope", "own", "--person", "P1")),
                        ("sef", ("--role", "supervisor", "--scope", "tenant")), ("boss", ("--admin",))):
        callbox(data, "user", "add", name, *flags, "--password-stdin", stdin=PASSWORD + "\n")
    cid = next(c["id"] for c in map(json.loads, callbox(data, "calls", "--json").splitlines())
               if c["party"] == NUMBER)
    store.open_db(data / "callbox.db")
    acme = customers.add("acme", "Acme Ltd")
    rules.queue_sms("lost_caller_sms", "lost:1", NUMBER, "Aramanızı kaçırdık, sizi geri arayacağız.", acme.id)
    store.close_db()
    with web_process(data) as site, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # the agent: the caller on the panel, named by the CRM; a note there and one on the call
        context = browser.new_context(locale="en-GB", ignore_https_errors=True)
        page = context.new_page()
        seen = Recorder(page)
        log_in(page, site, "ayse")
        page.goto(f"{site}/panel?note=1&number={NUMBER}")
        end = time.monotonic() + 20
        while page.locator("#panel-crm.crm-found").count() == 0:      # the lookup runs behind the page
            assert time.monotonic() < end, page.locator("#panel-who").inner_text()
            page.reload()
        assert "Ayşe Hanım (CRM)" in page.locator("#panel-crm").inner_text()
        page.fill("#panel-note-form textarea[name=text]", "Fatura 12 için geri arama istiyor")
        shot(page, "agent-panel-writing")
        page.click("#panel-note-form button[type=submit]")
        page.wait_for_url(f"{site}/panel?done=note")
        page.goto(f"{site}/panel?note=1&number={NUMBER}")
        assert "Fatura 12 için geri arama istiyor" in page.locator("#panel-notes").inner_text()
        shot(page, "agent-panel-history")
        page.goto(f"{site}/calls/{cid}")
        page.fill("#call-note-form textarea[name=text]", "Müşteri faturayı e-postayla istedi")
        page.click("#call-note-form button[type=submit]")
        page.wait_for_url(f"{site}/calls/{cid}#notes")
        assert "Müşteri faturayı e-postayla istedi" in page.locator("#call-notes").inner_text()
        shot(page, "agent-call")
        assert seen.errors == []
        assert len(rec.seen) == 1
        context.close()

        # the supervisor: both notes on the notes search, the call by its note on the call search
        context = browser.new_context(locale="en-GB", ignore_https_errors=True)
        page = context.new_page()
        seen = Recorder(page)
        log_in(page, site, "sef")
        nav_to(page, "/notes")
        page.fill("#notes-search input[name=number]", "+31 6 12345678")
        page.click("#notes-search button[type=submit]")
        found = page.locator("#notes-found").inner_text()
        assert "Fatura 12" in found and "faturayı e-postayla" in found and "ayse" in found
        shot(page, "supervisor-search")
        page.goto(f"{site}/calls?note=e-postayla")
        assert page.locator(f"a[href='/calls/{cid}']").count() >= 1
        assert seen.errors == []
        context.close()

        # the administrator: the customer's numbers and notes address, then the messages page
        context = browser.new_context(locale="en-GB", ignore_https_errors=True)
        page = context.new_page()
        seen = Recorder(page)
        log_in(page, site, "boss")
        nav_to(page, "/customers")
        page.click(f"a[href='/customers/{acme.id}']")
        page.fill("#customer-contact input[name=numbers]", NUMBER)
        page.fill("#customer-contact input[name=notes_email]", "notlar@acme.example")
        page.click("#customer-contact button[type=submit]")
        page.fill("#customer-note-form textarea[name=text]", "Sözleşme Ocak'ta yenilenecek")
        page.click("#customer-note-form button[type=submit]")
        assert "Sözleşme Ocak'ta yenilenecek" in page.locator("#customer-notes").inner_text()
        assert "notlar@acme.example" in page.content()
        shot(page, "admin-customer")
        nav_to(page, "/messages")
        rows = page.locator("#message-list").inner_text()
        assert "Aramanızı kaçırdık" in rows and "queued" in rows and "1 (UCS2, 41)" in rows
        assert "Acme Ltd" in page.locator("#message-totals").inner_text()
        shot(page, "admin-messages")
        assert seen.errors == []
        browser.close()
