"""Call notes and messages on the web in-process: a note on a call (only who sees the call), on a customer (with
their numbers and notes address), found by the notes search and the call search; the messages page with states and
the month's units per customer."""
from __future__ import annotations

import pytest

from appliance import store
from appliance.customers import customers
from appliance.messages import rules
from appliance.store.messages import CallNote
from rec_helpers import seed
from web_helpers import logged_in
from webui.app import make_app


@pytest.fixture
def app(tmp_path):
    seed(tmp_path)
    store.open_db(tmp_path / "callbox.db")
    acme = customers.add("acme", "Acme Ltd")
    rules.queue_sms("test", "t1", "0612345678", "Geri arayacağız", acme.id)
    store.close_db()
    application = make_app(tmp_path)
    yield application
    store.close_db()


def inbound_id(client) -> int:
    return next(c["id"] for c in client.get("/api/calls").json if c["party"] == "0612345678")


def test_a_note_on_a_call_is_shown_with_it_and_found_by_both_searches(app):
    client, csrf = logged_in(app, "ayse", "staff", "own", person="P1")
    cid = inbound_id(client)
    page = client.get(f"/calls/{cid}")
    assert 'id="call-note-form"' in page.text and "No notes yet." in page.text
    client.post(f"/calls/{cid}/notes", {"text": "Müşteri fatura 12 için geri arama istiyor", "csrf_token": csrf},
                status=303)
    assert "Müşteri fatura 12 için geri arama istiyor" in client.get(f"/calls/{cid}").text
    found = client.get("/calls", {"note": "fatura"}).text
    assert f'href="/calls/{cid}"' in found
    assert f'href="/calls/{cid}"' not in client.get("/calls", {"note": "nothing-like-it"}).text
    assert client.post(f"/calls/{cid}/notes", {"text": "  ", "csrf_token": csrf}, status=400)
    # staff do not search notes; a supervisor does
    assert client.get("/notes", status=403)
    sup, _ = logged_in(app, "sup", "supervisor", "tenant")
    assert "Müşteri fatura 12" in sup.get("/notes", {"text": "fatura", "number": "+31 6 1234 5678"}).text
    assert "No notes found." in sup.get("/notes", {"text": "fatura", "number": "0699999999"}).text


def test_who_does_not_see_the_call_cannot_write_on_it(app):
    admin, _ = logged_in(app, "admin", "administrator", "all")
    cid = inbound_id(admin)
    jan, csrf = logged_in(app, "jan", "staff", "own", person="P2")
    assert jan.post(f"/calls/{cid}/notes", {"text": "x", "csrf_token": csrf}, status=404)
    assert jan.post(f"/calls/{cid}/notes", {"text": "x"}, status=403)          # no CSRF token


def test_customer_numbers_notes_and_messages(app):
    admin, csrf = logged_in(app, "admin", "administrator", "all")
    page = admin.get("/customers/1")
    assert 'id="customer-contact"' in page.text
    admin.post("/customer-notes/1/contact", {"numbers": "0612345678, +90 212 555 00 11",
                                             "notes_email": "notes@acme.example", "sms_number": "",
                                             "csrf_token": csrf}, status=303)
    bad = admin.post("/customer-notes/1/contact", {"numbers": "12", "notes_email": "", "sms_number": "",
                                                   "csrf_token": csrf}, status=400)
    assert "too few digits" in bad.text
    admin.post("/customer-notes/1", {"text": "Sözleşme yenilenecek", "number": "", "csrf_token": csrf}, status=303)
    page = admin.get("/customers/1").text
    assert "Sözleşme yenilenecek" in page and "notes@acme.example" in page and "+90 212 555 00 11" in page
    # a note on the customer's caller's call belongs to the customer too
    cid = inbound_id(admin)
    admin.post(f"/calls/{cid}/notes", {"text": "Arayan Acme", "csrf_token": csrf}, status=303)
    assert "Arayan Acme" in admin.get("/customers/1").text
    msgs = admin.get("/messages")
    assert "Geri arayacağız" in msgs.text and 'class="num sms-units">1<' not in msgs.text   # queued, not sent yet
    assert "queued" in msgs.text and "Acme Ltd" in msgs.text
    assert admin.get("/messages", {"month": "13-2026"}, status=400)


def test_notes_are_written_to_the_note_tables(app, tmp_path):
    client, csrf = logged_in(app, "ayse", "staff", "own", person="P1")
    cid = inbound_id(client)
    client.post(f"/calls/{cid}/notes", {"text": "bir not", "csrf_token": csrf}, status=303)
    store.open_db(tmp_path / "callbox.db")
    (n,) = CallNote.select()
    assert (n.call_id, n.author, n.number, n.text) == (cid, "ayse", "0612345678", "bir not")
