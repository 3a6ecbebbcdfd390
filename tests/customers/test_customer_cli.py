"""`callbox customer ...` and `callbox invoice ...`: the commands end to end on a data directory, the refusals with
their reasons, and that no command changes an issued invoice."""
from __future__ import annotations

import json
import re
import subprocess

from customers_helpers import NUMBERS, add_call, store_prices

from appliance import store
from appliance.cli.main import build_parser, main

INI = "[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Istanbul\n[numbers]\ncountry = TR\n"
MAY_LOCAL = 1_777_582_800          # 2026-05-01T00:00+03:00


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_customers_topups_statement_invoice_pdf_and_credit(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    d = ["--data", str(data)]
    store.open_db(data / "callbox.db")
    try:
        store_prices()
        a = add_call("301", NUMBERS["Germany"], MAY_LOCAL + 60, 61)                 # 0.44
        b = add_call("302", NUMBERS["Germany mobile"], MAY_LOCAL + 3600, 130)       # 2.55
        add_call("301", NUMBERS["Germany"], MAY_LOCAL - 60, 61)                     # 30 April, local
    finally:
        store.close_db()
    assert run(capsys, "customer", "add", "acme", *d, "--name", "Acme Ltd", "--extension", "301", "--extension",
               "302", "--tax-rate", "20", "--lang", "tr")[0] == 0
    code, _, err = run(capsys, "customer", "add", "other", *d, "--name", "Other", "--extension", "301")
    assert code == 2 and err == "callbox: extension 301 is already customer acme's\n"
    code, out, _ = run(capsys, "invoice", "issue", "acme", *d, "--month", "2026-05", "--item", "Monthly fee=25.00",
                       "--json")
    inv = json.loads(out)
    assert (code, inv["invoice"], inv["lines"], inv["net"], inv["tax"], inv["total"], inv["currency"]) == (
        0, "INV-000001", 3, "27.99", "5.60", "33.59", "TRY")
    code, _, err = run(capsys, "invoice", "issue", "acme", *d, "--month", "2026-05")
    assert code == 2 and "nothing to invoice" in err
    shown = json.loads(run(capsys, "invoice", "show", "inv-1", *d)[1])
    assert [(i["call"], i["amount"]) for i in shown["items"]] == [(a, "0.44"), (b, "2.55"), (None, "25.00")]
    pdf = tmp_path / "inv.pdf"
    assert run(capsys, "invoice", "pdf", "INV-000001", *d, "-o", str(pdf))[0] == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert "Fatura INV-000001" in text and "Toplam: ₺33,59" in text
    code, out, _ = run(capsys, "invoice", "credit", "INV-000001", *d, "--reason", "fee twice", "--json")
    assert (json.loads(out)["invoice"], json.loads(out)["total"]) == ("CN-000001", "-33.59")
    listed = json.loads(run(capsys, "invoice", "list", *d, "--json")[1])
    assert [(r["invoice"], r["credits"]) for r in listed] == [("CN-000001", "INV-000001"), ("INV-000001", None)]
    # prepaid
    assert run(capsys, "customer", "edit", "acme", *d, "--account", "prepaid", "--low-balance", "5")[0] == 0
    assert run(capsys, "customer", "topup", "acme", "4.00", *d, "--at", "2026-05-01T00:00")[0] == 0
    code, out, err = run(capsys, "customer", "statement", "acme", *d, "--until", "2026-06-01", "--json")
    st = json.loads(out)
    assert (st["balance"], st["low"], st["exhausted"]) == ("1.01", True, False)
    assert "balance 1.01 TRY is below 5: top it up" in err


def test_no_command_changes_or_deletes_an_invoice():
    parser = build_parser()
    commands = next(a for a in parser._subparsers._group_actions).choices["invoice"]
    names = set(next(a for a in commands._subparsers._group_actions).choices)
    # mail queues a copy (its own record), run issues new invoices: neither changes one
    assert names == {"issue", "list", "show", "pdf", "credit", "mail", "run"}


def test_the_margin_of_a_fixed_price_contract(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    d = ["--data", str(data)]
    store.open_db(data / "callbox.db")
    try:
        store_prices()
        add_call("340", NUMBERS["Türkiye İstanbul"], MAY_LOCAL + 60, 600)      # 10 min x 0.01 TRY = 0.10 buy
    finally:
        store.close_db()
    assert run(capsys, "customer", "add", "flat", *d, "--name", "Flat", "--extension", "340",
               "--monthly-fee", "0.05")[0] == 0
    code, out, err = run(capsys, "customer", "margin", *d, "--month", "2026-05", "--json")
    assert [(r["customer"], r["fee"], r["buy"], r["sell"], r["margin"], r["negative"]) for r in json.loads(out)] == [
        ("flat", "0.05", "0.10", "1.20", "-0.05", True)]
    assert "customer flat's calls cost 0.10 TRY, more than its fee 0.05" in err


def test_a_customers_call_list_with_totals_and_its_pdf(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    d = ["--data", str(data)]
    store.open_db(data / "callbox.db")
    try:
        store_prices()
        ids = [add_call("301", NUMBERS["Germany"], MAY_LOCAL + 60, 61),
               add_call("302", NUMBERS["Germany mobile"], MAY_LOCAL + 3600, 130)]
        add_call("301", NUMBERS["Germany"], MAY_LOCAL - 60, 61)                     # 30 April
    finally:
        store.close_db()
    run(capsys, "customer", "add", "acme", *d, "--name", "Acme Ltd", "--extension", "301", "--extension", "302",
        "--lang", "cs")
    pdf = tmp_path / "calls.pdf"
    code, out, _ = run(capsys, "customer", "calls", "acme", *d, "--month", "2026-05", "--json", "--pdf", str(pdf))
    got = json.loads(out)
    assert (code, [c["id"] for c in got["calls"]], got["count"], got["talk_s"], got["total"]) == (
        0, ids, 2, 191, "2.99")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert "Seznam hovorů 2026-05" in text and "Acme Ltd" in text and "+4915112345678" in text
    assert re.search(r"Celkem\s+2\s+3:11\s+2,99", text)
