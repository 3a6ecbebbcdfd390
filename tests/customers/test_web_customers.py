"""The customer and invoice pages in-process (webtest): who may see and use them (the scope matrix of these routes),
a customer created and edited, topped up with the statement, an invoice issued, shown, downloaded as PDF and credited;
bad input answered 400 with the reason; no route changes an issued invoice."""
from __future__ import annotations

import re
import subprocess

import pytest
from customers_helpers import NUMBERS, add_call, store_prices
from web_helpers import logged_in

from appliance import store
from webui import auth
from webui.app import make_app

INI = "[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Istanbul\n[numbers]\ncountry = TR\n"
MAY_LOCAL = 1_777_582_800          # 2026-05-01T00:00+03:00
GETS = ["/customers", "/customers/1", "/customers/1/calls.pdf?month=2026-05", "/invoices", "/invoices/1",
        "/invoices/1.pdf"]
POSTS = ["/customers", "/customers/1/edit", "/customers/1/topup", "/invoices/issue", "/invoices/1/credit"]
# (role, scope): the status of every GET above; every POST is 403 for all but the box's administrators
MATRIX = [("administrator", "all", 200), ("administrator", "tenant", 403), ("supervisor", "tenant", 403),
          ("operator", "tenant", 403), ("staff", "tenant", 403)]


@pytest.fixture
def app(tmp_path):
    (tmp_path / "callbox.ini").write_text(INI, encoding="utf-8")
    store.open_db(tmp_path / "callbox.db")
    store_prices()
    store.close_db()
    application = make_app(tmp_path)
    application.config["test.data"] = tmp_path
    yield application
    store.close_db()


def calls(data, *rows):
    store.open_db(data / "callbox.db")
    try:
        return [add_call(*r) for r in rows]
    finally:
        store.close_db()


def text(resp) -> str:
    return resp.text.replace("\xa0", " ")


def setup_invoice(app):
    admin, csrf = logged_in(app, "admin", "administrator", "all")
    admin.post("/customers", {"csrf_token": csrf, "code": "acme", "name": "Acme Ltd", "extensions": "301, 302",
                              "tax_rate": "20", "lang": "tr", "account": "postpaid"}, status=303)
    calls(app.config["test.data"], ("301", NUMBERS["Germany"], MAY_LOCAL + 60, 61),
          ("302", NUMBERS["Germany mobile"], MAY_LOCAL + 3600, 130))
    admin.post("/invoices/issue", {"csrf_token": csrf, "customer": "acme", "month": "2026-05",
                                   "items": "Monthly fee=25.00"}, status=303)
    return admin, csrf


def test_the_routes_are_in_the_auth_tables(app):
    rules = {r.rule for r in app.routes if r.rule.startswith(("/customers", "/invoices"))}
    assert rules == auth.CUSTOMERS <= auth.BOX_ADMIN
    writes = {(r.method, r.rule) for r in app.routes if r.rule in rules and r.method != "GET"}
    assert writes == {("POST", p.replace("/1", "/<cid>" if p.startswith("/customers") else "/<iid>"))
                      for p in POSTS} and writes <= auth.WRITE_ROUTES


@pytest.mark.parametrize("role, scope, status", MATRIX)
def test_who_may_see_and_use_the_customer_pages(app, role, scope, status):
    setup_invoice(app)
    client, csrf = logged_in(app, f"u{role}{scope}", role, scope)
    for path in GETS:
        assert client.get(path, status=status).status_code == status, path
    if status == 403:   # and they change nothing
        before = store_state(app)
        for path in POSTS:
            client.post(path, {"csrf_token": csrf, "code": "x", "name": "X", "amount": "5", "month": "2026-05",
                               "customer": "acme", "reason": "r"}, status=403)
        assert store_state(app) == before


def store_state(app) -> tuple:
    store.open_db(app.config["test.data"] / "callbox.db")
    try:
        return tuple(store.db.execute_sql(f"SELECT * FROM {t}").fetchall()
                     for t in ("customer", "customer_top_up", "invoice", "invoice_line"))
    finally:
        store.close_db()


def test_a_customer_an_invoice_its_pdf_and_its_credit_note(app, tmp_path):
    admin, csrf = setup_invoice(app)
    page = text(admin.get("/customers"))
    assert "Acme Ltd" in page and "301 302" in page
    listing = text(admin.get("/invoices"))
    assert "INV-000001" in listing and "TRY 33.59" in listing
    inv = text(admin.get("/invoices/1"))
    assert re.search(r'id="total">TRY 33.59<', inv) and "Monthly fee" in inv and 'action="/invoices/1/credit"' in inv
    pdf = admin.get("/invoices/1.pdf")
    assert pdf.content_type == "application/pdf" and 'filename="INV-000001.pdf"' in pdf.headers["Content-Disposition"]
    got = subprocess.run(["pdftotext", "-", "-"], input=pdf.body, capture_output=True, check=True).stdout.decode()
    assert "Fatura INV-000001" in got and "Toplam: ₺33,59" in got           # the customer's language
    got = subprocess.run(["pdftotext", "-", "-"], input=admin.get("/invoices/1.pdf?lang=bg").body,
                         capture_output=True, check=True).stdout.decode()
    assert "Фактура INV-000001" in got
    listed = admin.get("/customers/1/calls.pdf?month=2026-05").body
    got = subprocess.run(["pdftotext", "-layout", "-", "-"], input=listed, capture_output=True,
                         check=True).stdout.decode()
    assert "Arama listesi 2026-05" in got and re.search(r"Toplam\s+2\s+3:11\s+2,99", got)
    admin.get("/customers/1/calls.pdf?month=2026-13", status=400)
    # nothing more to invoice; a credit note needs its reason; then it cancels the invoice
    refused = text(admin.post("/invoices/issue", {"csrf_token": csrf, "customer": "acme", "month": "2026-05"},
                              status=400))
    assert "nothing to invoice" in refused
    assert "states its reason" in admin.post("/invoices/1/credit", {"csrf_token": csrf, "reason": " "},
                                             status=400).text
    admin.post("/invoices/1/credit", {"csrf_token": csrf, "reason": "fee charged twice"}, status=303)
    cn = text(admin.get("/invoices/2"))
    assert "CN-000001" in cn and "INV-000001" in cn and "-TRY 33.59" in cn and "/credit" not in cn
    assert "Credited by" in text(admin.get("/invoices/1"))
    admin.post("/invoices/issue", {"csrf_token": csrf, "customer": "acme", "month": "2026-13"}, status=400)
    admin.post("/invoices/issue", {"csrf_token": csrf, "customer": "nobody", "month": "2026-05"}, status=400)
    # no route changes an invoice
    for method in ("put", "delete", "patch"):
        getattr(admin, method)("/invoices/1", status=405)
    admin.post("/invoices/1", {"csrf_token": csrf}, status=405)


def test_a_prepaid_customer_topped_up_with_its_statement(app):
    admin, csrf = logged_in(app, "admin", "administrator", "all")
    admin.post("/customers", {"csrf_token": csrf, "code": "kiosk", "name": "Kiosk Ø", "extensions": "320",
                              "account": "prepaid", "low_balance": "2", "lang": "nb"}, status=303)
    page = text(admin.post("/customers", {"csrf_token": csrf, "code": "again", "name": "Again",
                                          "extensions": "320", "lang": "en"}, status=400))
    assert "extension 320 is already customer kiosk" in page and 'value="again"' in page
    assert "more than 0" in admin.post("/customers/1/topup", {"csrf_token": csrf, "amount": "-1"}, status=400).text
    admin.post("/customers/1/topup", {"csrf_token": csrf, "amount": "3,00", "note": "kontant"}, status=303)
    store.open_db(app.config["test.data"] / "callbox.db")
    try:
        now = store.db.execute_sql("SELECT at_utc FROM customer_top_up").fetchone()[0]
    finally:
        store.close_db()
    calls(app.config["test.data"], ("320", NUMBERS["Germany mobile"], now, 130))      # 2.55
    page = text(admin.get("/customers/1"))
    assert re.search(r'id="balance">TRY 0.45<', page) and 'id="balance-warning"' in page and "kontant" in page
    admin.post("/customers/1/edit", {"csrf_token": csrf, "name": "Kiosk Ø", "extensions": "320 321",
                                     "account": "prepaid", "lang": "cs", "low_balance": "0.10", "tax_rate": "0",
                                     "currency": "", "price_list": "", "account_codes": "", "address": "Oslo"},
               status=303)
    page = text(admin.get("/customers/1"))
    assert 'id="balance-warning"' not in page and 'value="320 321"' in page and "Oslo" in page
    assert "language" in admin.post("/customers/1/edit", {"csrf_token": csrf, "lang": "xx"}, status=400).text
    admin.get("/customers/999", status=404)
    admin.get("/invoices/abc", status=404)


def test_a_fixed_price_contract_shows_this_months_margin(app):
    import time
    admin, csrf = logged_in(app, "admin", "administrator", "all")
    admin.post("/customers", {"csrf_token": csrf, "code": "flat", "name": "Flat", "extensions": "340",
                              "monthly_fee": "0.05", "lang": "en"}, status=303)
    calls(app.config["test.data"], ("340", NUMBERS["Türkiye İstanbul"], int(time.time()) - 700, 600))   # 0.10 buy
    page = text(admin.get("/customers/1"))
    assert re.search(r'id="margin">-TRY 0.05<', page) and 'id="margin-warning"' in page
    admin.post("/customers/1/edit", {"csrf_token": csrf, "monthly_fee": "1"}, status=303)
    page = text(admin.get("/customers/1"))
    assert re.search(r'id="margin">TRY 0.90<', page) and 'id="margin-warning"' not in page
    admin.post("/customers/1/edit", {"csrf_token": csrf, "monthly_fee": ""}, status=303)
    assert 'id="margin"' not in admin.get("/customers/1").text


PERIODS = [("en", "1 May 2026", "31 May 2026"), ("tr", "1 May 2026", "31 May 2026"),
           ("bg", "1.05.2026\u202fг.", "31.05.2026\u202fг."), ("az", "1 may 2026", "31 may 2026"),
           ("cs", "1. 5. 2026", "31. 5. 2026"), ("nb", "1. mai 2026", "31. mai 2026")]


@pytest.mark.parametrize("lang, first, last", PERIODS)
def test_an_invoices_period_is_written_as_the_language_writes_dates(app, lang, first, last):
    admin, _csrf = setup_invoice(app)
    for page in (text(admin.get("/invoices", {"lang": lang})), text(admin.get("/invoices/1", {"lang": lang}))):
        assert f"{first} – {last}" in page and "2026-05-01" not in page and "2026-05-31" not in page
