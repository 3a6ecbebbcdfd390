"""The notification rules on a real callbox.db, queued in the real outbox and sent to a real HTTP SMS gateway and an
SMTP server on loopback: a lost caller's SMS (once a number a day, not for short abandons or anonymous callers), a
customer's notes by e-mail, the accounting report per customer and month."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from appliance import config, jobs
from appliance.customers import customers
from appliance.delivery import outbox
from appliance.messages import notes, report, rules
from appliance.store import outbox as so
from appliance.store.callcentre import QueueCall
from appliance.store.messages import CallNote, Message
from http_recorder import Recorder, serve

NOW = 1_780_000_000      # 2026-05-28 20:26:40 UTC


@pytest.fixture
def gateway():
    rec = Recorder()
    server, url = serve(rec)
    yield rec, url
    server.shutdown()
    server.server_close()


def lost(caller, at, outcome="abandoned", wait=40, queue="support", qid=None):
    return QueueCall.create(id=qid, driver="asterisk_queue_log", call_key=f"k{at}{caller}", queue=queue,
                            entered_utc=at, seen_enter=1, caller=caller, outcome=outcome, wait_s=wait,
                            end_utc=at + wait)


def conf(url, extra=""):
    return config.Config(text=f"[pbx]\ntimezone = Europe/Istanbul\n[sms]\nurl = {url}/send?to=${{to}}&text=${{text}}\n"
                              f"method = GET\n[messages]\nlost_caller_sms = We missed your call at ${{time}} "
                              f"(${{queue}}), we will call you back. ${{name}}\n{extra}")


def test_lost_callers_get_one_sms_a_day_through_the_gateway(db, tmp_path, gateway):
    rec, url = gateway
    acme = customers.add("acme", "Acme Ltd")
    notes.set_contact(acme.id, ["0532 123 45 67"], "", "")
    lost("+905321234567", NOW - 600)                       # Acme's number, written differently
    lost("+905321234567", NOW - 300, outcome="timeout")     # again the same day: no second SMS
    lost("05559876543", NOW - 200, outcome="exit_empty")
    lost("05551111111", NOW - 100, wait=2)                  # a short abandon: not lost
    lost("anonymous", NOW - 100)
    lost("05552222222", NOW - 7200)                         # before the window
    QueueCall.create(driver="x", call_key="a", queue="support", entered_utc=NOW - 50, seen_enter=1,
                     caller="05553333333", outcome="answered", wait_s=5)
    cfg = conf(url)
    assert rules.run(cfg, tmp_path, NOW) == {"notes_email": 0, "lost_caller_sms": 2}
    assert rules.run(cfg, tmp_path, NOW + 60) == {"notes_email": 0, "lost_caller_sms": 0}
    msgs = {m.recipient: m for m in Message.select()}
    assert set(msgs) == {"+905321234567", "05559876543"}
    assert msgs["+905321234567"].customer_id == acme.id
    assert msgs["+905321234567"].text == "We missed your call at 23:16 (support), we will call you back. Acme Ltd"
    assert msgs["05559876543"].customer_id is None and msgs["05559876543"].units == 1
    assert outbox.deliver_due(cfg, tmp_path) == (2, 0)
    sent = {parse_qs(urlsplit(s.path).query)["to"][0]: parse_qs(urlsplit(s.path).query)["text"][0]
            for s in rec.seen}
    assert sent == {m.recipient: m.text for m in msgs.values()}


def test_only_callers_of_the_prefixes_get_the_sms(db, tmp_path, gateway):
    rec, url = gateway
    lost("+905321234567", NOW - 600)
    lost("02125550011", NOW - 500)                          # a landline: no SMS
    lost("05559876543", NOW - 400)
    assert rules.run(conf(url, "lost_caller_prefixes = 05, +905\n"), tmp_path, NOW)["lost_caller_sms"] == 2
    assert {m.recipient for m in Message.select()} == {"+905321234567", "05559876543"}


def test_no_gateway_or_no_text_sends_nothing(db, tmp_path):
    lost("05559876543", NOW - 200)
    assert rules.run(config.Config(text="[messages]\nlost_caller_sms = hi\n"), tmp_path, NOW)["lost_caller_sms"] == 0
    assert rules.run(config.Config(text="[sms]\nurl = http://127.0.0.1:9/\n"), tmp_path, NOW)["lost_caller_sms"] == 0
    assert Message.select().count() == 0


def test_customer_notes_are_mailed_once_to_their_notes_address(db, tmp_path):
    acme = customers.add("acme", "Acme Ltd")
    other = customers.add("other", "Other AS")
    notes.set_contact(acme.id, ["+4791234567"], "notes@acme.example", "")
    n1 = notes.add("anna", "Wants a callback about invoice 12", number="+47 912 34 567", now=NOW - 60)
    notes.add("anna", "Customer note without a number", customer_id=acme.id, now=NOW - 30)
    notes.add("bob", "Other's note: no address, not mailed", customer_id=other.id, now=NOW - 30)
    notes.add("bob", "A caller of no customer", number="05559876543", now=NOW - 30)
    assert n1.customer_id == acme.id
    cfg = config.Config(text="")
    assert rules.run(cfg, tmp_path, NOW)["notes_email"] == 2
    assert rules.run(cfg, tmp_path, NOW + 60)["notes_email"] == 0
    mails = list(Message.select().where(Message.channel == "email").order_by(Message.id))
    assert [m.recipient for m in mails] == ["notes@acme.example"] * 2
    assert mails[0].text == "Call note: Acme Ltd +47 912 34 567"
    assert CallNote.select().where(CallNote.mailed_utc.is_null(), CallNote.customer_id.is_null(False)).count() == 0
    off = config.Config(text="[messages]\nnotes_email = no\n")
    notes.add("anna", "later", customer_id=acme.id, now=NOW)
    assert rules.run(off, tmp_path, NOW)["notes_email"] == 0


def test_a_customers_notes_mail_is_in_the_customers_language(db, tmp_path):
    musteri = customers.add("musteri", "Müşteri AŞ", lang="tr")
    notes.set_contact(musteri.id, [], "notlar@musteri.example", "")
    notes.add("ayşe", "Fatura 12 için geri aranmak istiyor", customer_id=musteri.id, now=NOW - 30)
    assert rules.run(config.Config(text=""), tmp_path, NOW)["notes_email"] == 1
    mail = Message.get(Message.channel == "email")
    assert mail.text == "Çağrı notu: Müşteri AŞ"
    assert mail.outbox_id is not None


def test_accounting_report_counts_sent_sms_units_per_customer_and_month(db, tmp_path, gateway):
    rec, url = gateway
    cfg = conf(url)
    acme = customers.add("acme", "Acme Ltd")
    rules.queue_sms("test", "a", "+4791234567", "x" * 200, acme.id, now=NOW)      # GSM-7, 2 parts
    rules.queue_sms("test", "b", "+4791234567", "ğ" * 71, acme.id, now=NOW)       # UCS-2, 2 parts
    rules.queue_sms("test", "c", "+4791234568", "kort", None, now=NOW)
    assert rules.queue_sms("test", "c", "+4791234568", "again", None, now=NOW) is None    # same ref
    rules.queue_email("test", "d", "a@acme.example", "hello", "body", acme.id, now=NOW)
    assert outbox.deliver_due(cfg, tmp_path) == (3, 1)        # no SMTP server: the e-mail fails
    by = {t.code: t for t in report.totals(NOW - 10, NOW + 10)}
    assert (by["acme"].sms, by["acme"].sms_units, by["acme"].emails, by["acme"].failed) == (2, 4, 0, 1)
    assert (by[""].sms, by[""].sms_units, by[""].customer_id) == (1, 1, None)
    rows = report.messages(NOW - 10, NOW + 10)
    assert {r.status for r in rows} == {"sent", "failed"}
    assert [r.encoding for r in rows if r.channel == "sms"] == ["gsm7", "ucs2", "gsm7"][::-1]
    assert report.totals(NOW + 10, NOW + 20) == []
    # the outbox prunes its records after keep_days: the rules' run noted the delivery on the messages first
    assert rules.settle() == 3 and rules.settle() == 0
    so.OutboxItem.delete().where(so.OutboxItem.state == "delivered").execute()
    by = {t.code: t for t in report.totals(NOW - 10, NOW + 10)}
    assert (by["acme"].sms, by["acme"].sms_units, by[""].sms) == (2, 4, 1)


def test_the_jobs_process_runs_the_rules_every_minute(db, tmp_path, gateway):
    rec, url = gateway
    lost("05559876543", NOW - 200)
    jobs.configure(tmp_path, conf(url), immediate=True)
    try:
        assert jobs.run_message_rules.call_local() == {"notes_email": 0, "lost_caller_sms": 0}   # NOW is past
        lost("05559876544", int(time.time()) - 60)
        assert jobs.run_message_rules.call_local() == {"notes_email": 0, "lost_caller_sms": 1}
    finally:
        jobs.huey = jobs.run_message_rules = None
