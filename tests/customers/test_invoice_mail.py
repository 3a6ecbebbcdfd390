"""Invoices by e-mail (appliance/delivery/invoice_mail.py): the monthly run on [customers] invoice_day invoices every
postpaid customer for the month before and mails the PDF through the outbox to a real SMTP server (the loopback one of
test_mail), subject, text and PDF in the customer's language; a month runs once (the jobs process's every-minute
check, a second worker, a restart); who is skipped and why; `callbox invoice mail` and `run`."""
from __future__ import annotations

import email
import json
import subprocess
from email.policy import default as default_policy

import pytest
from customers_helpers import MAY_2026, NUMBERS, add_call, kurus, store_prices
from test_mail import PASSWORD as SMTP_PASSWORD, SENDER, Server

from appliance import config, localtime
from appliance.cli.main import main
from appliance.customers import customers, invoices
from appliance.delivery import invoice_mail, outbox
from appliance.delivery.invoice_mail import InvoiceMailError
from appliance.store.customers import InvoiceMail, InvoiceRun

JUNE_3_0600 = MAY_2026[1] + 2 * 86400 + 3 * 3600     # 2026-06-03T06:00+03:00 (Europe/Istanbul)


def cfg_text(extra: str = "") -> str:
    return ("[pbx]\ntimezone = Europe/Istanbul\n[box]\ncompany = Kabin Ltd\n"
            "[customers]\ninvoice_day = 3\ninvoice_time = 06:00\ntax_rates =\n  TR = 20\n  * = 0\n" + extra)


def mail_section(tmp_path, server, cert) -> str:
    (tmp_path / "smtp.pass").write_text(SMTP_PASSWORD + "\n", encoding="utf-8")
    return (f"[mail]\nhost = 127.0.0.1\nport = {server.port}\nsecurity = starttls\nusername = callbox\n"
            f"password_file = {tmp_path / 'smtp.pass'}\nfrom_address = {SENDER}\nca_file = {cert[0]}\n")


@pytest.fixture
def book(db):
    store_prices()
    gunes = customers.add("gunes", "Güneş Ltd", extensions=["301"], country="TR", lang="tr",
                          email="muhasebe@gunes.example")
    customers.add("nomail", "No Mail", extensions=["302"])
    customers.add("pre", "Prepaid", extensions=["303"], account="prepaid")
    customers.add("flat", "Flat", extensions=["304"], monthly_fee="100")
    customers.add("idle", "Idle", extensions=["305"], email="idle@example.com")
    for ext in ("301", "302", "303", "304"):
        add_call(ext, NUMBERS["Germany"], MAY_2026[0] + 7200, 61)
    add_call("301", NUMBERS["Germany mobile"], MAY_2026[0] + 9000, 130)
    return gunes


def test_the_run_is_due_on_the_day_from_the_time(db):
    cfg = config.Config(text=cfg_text())
    assert not invoice_mail.due(cfg, JUNE_3_0600 - 60)
    assert invoice_mail.due(cfg, JUNE_3_0600) and invoice_mail.due(cfg, JUNE_3_0600 + 20 * 86400)
    assert invoice_mail.month_before(JUNE_3_0600, localtime.zone("Europe/Istanbul")) == (
        "2026-05", MAY_2026[0] - 3 * 3600, MAY_2026[1] - 3 * 3600)          # local midnights
    assert not invoice_mail.due(config.Config(text=cfg_text().replace("invoice_day = 3", "invoice_day = 0")),
                                JUNE_3_0600)
    with pytest.raises(InvoiceMailError, match="invoice_time"):
        invoice_mail.due(config.Config(text=cfg_text().replace("06:00", "6h")), JUNE_3_0600)


def test_the_monthly_run_invoices_and_mails_in_the_customers_language_once(book, tmp_path, cert):
    server = Server(cert).start()
    try:
        cfg = config.Config(text=cfg_text(mail_section(tmp_path, server, cert)))
        assert invoice_mail.check(cfg, tmp_path, JUNE_3_0600 - 60) is None          # not yet
        result = invoice_mail.check(cfg, tmp_path, JUNE_3_0600 + 30)
        status = {i["customer"]: i["status"] for i in result["customers"]}
        assert result["period"] == "2026-05"
        assert status == {"gunes": "issued", "nomail": "issued", "pre": "skipped", "flat": "skipped",
                          "idle": "skipped"}
        assert invoice_mail.check(cfg, tmp_path, JUNE_3_0600 + 90) is None           # once a month
        assert invoice_mail.run_month(cfg, JUNE_3_0600 + 120)["already"] is True     # a second worker
        assert InvoiceRun.select().count() == 1 and InvoiceMail.select().count() == 1
        assert outbox.deliver_due(cfg, tmp_path) == (1, 0)
        [msg] = server.inbox.messages
        assert msg.rcpt_tos == ["muhasebe@gunes.example"]
        m = email.message_from_bytes(msg.content, policy=default_policy)
        inv = invoices.find("INV-1")
        net = kurus(NUMBERS["Germany"], 61) + kurus(NUMBERS["Germany mobile"], 130)
        total = net + (net * 20 + 50) // 100
        assert inv.customer.code == "gunes" and inv.total == f"{total // 100}.{total % 100:02d}"
        assert m["Subject"] == f"Kabin Ltd Fatura INV-000001: {inv.total} TRY"
        body = m.get_body().get_content()
        assert "Sayın Güneş Ltd" in body and "2026-05-01 – 2026-05-31 dönemine ait fatura INV-000001" in body
        [(name, data)] = [(a.get_filename(), a.get_payload(decode=True)) for a in m.iter_attachments()]
        text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                                       check=True).stdout.decode().split())
        assert name == "INV-000001.pdf" and "Fatura INV-000001" in text and "Vergi 20 % (TR)" in text
        # mailing it again queues nothing more
        assert invoice_mail.mail_invoice(inv, cfg).outbox_id == InvoiceMail.get().outbox_id
        with pytest.raises(InvoiceMailError, match="no e-mail address"):
            invoice_mail.mail_invoice(invoices.find("INV-2"), cfg)
    finally:
        server.stop()


def test_the_jobs_process_checks_the_invoice_run_every_minute(book, tmp_path):
    from appliance import jobs
    cfg = config.Config(text=cfg_text().replace("invoice_day = 3", "invoice_day = 1"))
    jobs.configure(tmp_path, cfg, immediate=True)
    try:
        jobs.run_invoices()                      # now (Dec 2026) is past day 1: November, nothing to invoice
        assert InvoiceRun.select().count() == 1
        jobs.run_invoices()
        assert InvoiceRun.select().count() == 1
    finally:
        jobs.huey = jobs.sync_directory = None


def test_the_cli_mails_one_invoice_and_runs_a_month(book, tmp_path, capsys):
    from appliance import store
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(cfg_text(), encoding="utf-8")
    store.close_db()
    assert main(["pricelist", "import", "--data", str(data), "--currency", "TRY", str(_prices(tmp_path))]) == 0
    assert main(["customer", "add", "gunes", "--data", str(data), "--name", "Güneş", "--extension", "301",
                 "--country", "tr", "--email", "a@gunes.example", "--lang", "tr"]) == 0
    store.close_db()
    capsys.readouterr()
    assert main(["invoice", "run", "--data", str(data), "--at", "2026-06-03T07:00", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == "2026-05" and out["customers"] == [
        {"customer": "gunes", "status": "skipped", "detail": out["customers"][0]["detail"]}]
    assert main(["invoice", "issue", "gunes", "--data", str(data), "--month", "2026-05", "--item", "Fee=10.00"]) == 0
    capsys.readouterr()
    assert main(["invoice", "mail", "INV-1", "--data", str(data), "--json"]) == 0
    mailed = json.loads(capsys.readouterr().out)
    assert mailed["invoice"] == "INV-000001" and mailed["to"] == "a@gunes.example" and mailed["outbox"] > 0
    assert main(["invoice", "show", "INV-1", "--data", str(data)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["country"], shown["tax_rate"], shown["tax"]) == ("TR", "20", "2.00")
    store.close_db()


def _prices(tmp_path):
    from customers_helpers import PRICES
    p = tmp_path / "prices.csv"
    p.write_text(PRICES, encoding="utf-8")
    return p
