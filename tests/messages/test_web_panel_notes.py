"""The operator panel's caller history (issue 16): the caller's customer (their numbers), the CRM's name from a lookup
against a real HTTP server on loopback (found, slow, down, bad JSON: the panel answers at once and says so), the
caller's earlier notes and a note written there."""
from __future__ import annotations

import time

import pytest

from appliance import store
from appliance.customers import customers
from appliance.messages import notes
from http_recorder import Recorder, serve
from rec_helpers import seed
from web_helpers import logged_in
from webui.app import make_app
from webui.panel import stop_feeds

NUMBER = "0612345678"


@pytest.fixture
def crm():
    rec = Recorder(body="{\"name\": \"Ayşe Hanım\"}".encode())
    server, url = serve(rec)
    yield rec, url
    server.shutdown()
    server.server_close()


def make(tmp_path, crm_url):
    seed(tmp_path, f"[crm]\nlookup_url = {crm_url}\nlookup_timeout_s = 0.5\n")
    store.open_db(tmp_path / "callbox.db")
    acme = customers.add("acme", "Acme Ltd")
    notes.set_contact(acme.id, ["+31 6 1234 5678"], "", "")
    notes.add("olga", "Asked for the March invoice again", number=NUMBER, tenant="default", now=int(time.time()) - 99)
    store.close_db()
    return make_app(tmp_path)


def panel(client, limit_s=10.0):
    """The panel for NUMBER once the CRM lookup is no longer pending (a generous limit that only catches a hang)."""
    end = time.monotonic() + limit_s
    while "looking up…" in (text := client.get("/panel", {"note": "1", "number": NUMBER}).text):
        assert time.monotonic() < end, "lookup hung"
        time.sleep(0.05)
    return text


def test_the_panel_shows_customer_crm_name_and_notes_and_takes_a_note(tmp_path, crm):
    rec, url = crm
    app = make(tmp_path, url + "/find?phone={number}")
    try:
        client, csrf = logged_in(app, "ayse", "staff", "own", person="P1")
        first = client.get("/panel", {"note": "1", "number": NUMBER}).text
        assert 'id="panel-customer">Acme Ltd<' in first and "Asked for the March invoice again" in first
        assert '<meta http-equiv="refresh"' not in first            # no refresh while writing
        text = panel(client)
        assert "Ayşe Hanım" in text and rec.seen[0].path == f"/find?phone={NUMBER}"
        client.post("/panel/notes", {"number": NUMBER, "text": "Called about the invoice", "csrf_token": csrf},
                    status=303)
        after = client.get("/panel?done=note")
        assert "The note is saved." in after.text and '<meta http-equiv="refresh"' in after.text
        assert "Called about the invoice" in client.get("/panel", {"note": "1", "number": NUMBER}).text
        assert len(rec.seen) == 1                                   # cached
    finally:
        stop_feeds()


@pytest.mark.parametrize("trouble, says", [("slow", "no answer within 0.5 s"), ("bad", "the answer is not JSON"),
                                           ("down", "refused")])
def test_a_slow_dead_or_garbled_crm_leaves_the_panel_usable_and_says_so(tmp_path, crm, trouble, says):
    rec, url = crm
    if trouble == "slow":
        rec.delay_s = 3
    elif trouble == "bad":
        rec.body = b"<html>Service Unavailable</html>"
    app = make(tmp_path, (url if trouble != "down" else "http://127.0.0.1:9") + "/find?phone={number}")
    try:
        client, _ = logged_in(app, "ayse", "staff", "own", person="P1")
        first = client.get("/panel", {"note": "1", "number": NUMBER}).text
        # the page came back while the lookup runs: the caller's notes and customer are there already
        assert "looking up…" in first and "Acme Ltd" in first and 'id="panel-note-form"' in first
        assert says in panel(client)
    finally:
        stop_feeds()
