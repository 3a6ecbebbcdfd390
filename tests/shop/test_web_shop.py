"""The cashier pages in-process (webtest): who may open them, a session opened, calls paid with the total and change
shown, one unserved, closed with its report; CSRF on every form; Turkish."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from shop_helpers import INI, NUMBERS, add_call, independent_sell, store_prices
from web_helpers import logged_in

from appliance import store
from appliance.store.shop import ShopSession
from webui.app import make_app


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


def text(resp) -> str:
    return resp.text.replace("\xa0", "")    # the locale may put a no-break space between currency and amount


def add_calls(data, *calls):
    store.open_db(data / "callbox.db")
    try:
        return [add_call(*c) for c in calls]
    finally:
        store.close_db()


def test_only_cashiers_and_administrators_reach_the_shop(app):
    staff, _ = logged_in(app, "selin", role="staff", scope="tenant")
    assert staff.get("/shop", status=403).status_code == 403
    boss, _ = logged_in(app, "umut", role="supervisor", scope="tenant")
    assert boss.get("/shop/sessions", status=403).status_code == 403
    cashier, _ = logged_in(app, "ayse", role="operator", scope="tenant")
    assert "Open a session" in cashier.get("/shop").text
    assert cashier.post("/shop/open", status=403).status_code == 403   # no CSRF token


def test_a_cashiers_session_in_the_web(app):
    data = app.config["test.data"]
    cashier, csrf = logged_in(app, "ayse", role="operator", scope="tenant")
    cashier.post("/shop/open", {"csrf_token": csrf}, status=303)
    now = int(time.time())
    ids = add_calls(data, ("201", NUMBERS["Germany"], now, 61), ("202", NUMBERS["Germany mobile"], now, 130),
                    ("203", NUMBERS["Türkiye İstanbul"], now, 95), ("201", NUMBERS["Germany"], now, 7))
    page = cashier.get("/shop").text
    assert "Kabin 1" in page and "Kabin 2" in page and page.count('name="call"') == 4 and "in a call" in page
    preview = text(cashier.post("/shop/checkout", {"csrf_token": csrf, "call": [str(ids[0]), str(ids[1])]}))
    total = independent_sell(NUMBERS["Germany"], 61) + independent_sell(NUMBERS["Germany mobile"], 130)   # 2.99
    assert total == Decimal("2.99")
    assert '<dd id="total">TRY2.99</dd>' in preview and '<dd id="to-take">TRY3.00</dd>' in preview  # round_to 0.25
    short = cashier.post("/shop/pay", {"csrf_token": csrf, "call": [str(ids[0]), str(ids[1])], "given": "2.99"},
                         status=400)
    assert "less than the amount to take" in short.text
    paid = text(cashier.post("/shop/pay", {"csrf_token": csrf, "call": [str(ids[0]), str(ids[1])], "given": "5"}))
    assert '<dd id="change">TRY2.00</dd>' in paid
    again = cashier.post("/shop/pay", {"csrf_token": csrf, "call": [str(ids[0])], "given": "5"}, status=409)
    assert f"call {ids[0]} is already paid" in again.text
    cashier.post("/shop/status", {"csrf_token": csrf, "call": str(ids[2]), "status": "unserved"}, status=303)
    other, other_csrf = logged_in(app, "mehmet", role="operator", scope="tenant")
    assert other.post("/shop/close", {"csrf_token": other_csrf, "session": "1"}, status=403).status_code == 403
    closed = text(cashier.post("/shop/close", {"csrf_token": csrf, "session": "1"}, status=303).follow())
    assert '<dd id="cash">TRY2.99</dd>' in closed and '<dd id="unpaid">1</dd>' in closed
    assert '<dd id="unserved">1</dd>' in closed and '<dd id="calls">4</dd>' in closed
    assert cashier.post("/shop/close", {"csrf_token": csrf, "session": "1"}, status=409).status_code == 409
    listed = cashier.get("/shop/sessions?state=closed").text
    assert 'href="/shop/sessions/1"' in listed and "ayse" in listed
    today = time.strftime("%Y-%m-%d", time.gmtime())   # [pbx] timezone = UTC
    assert 'href="/shop/sessions/1"' in cashier.get(f"/shop/sessions?since={today}&until={today}").text
    assert 'href="/shop/sessions/1"' not in cashier.get("/shop/sessions?until=2020-01-01").text
    assert cashier.get("/shop/sessions?since=yesterday", status=400).status_code == 400
    turkish = cashier.get("/shop/sessions/1?lang=tr").text
    assert "Oturum 1" in turkish and "Ödenmemiş" in turkish


def test_the_booths_json_for_the_cashier_pages_script(app):
    staff, _ = logged_in(app, "selin", role="staff", scope="tenant")
    staff.get("/shop/booths", status=403)
    tenant_admin, _ = logged_in(app, "tadmin", role="administrator", scope="tenant")
    assert tenant_admin.get("/shop/booths").json["booths"][0]["state"] == "free"
    cashier, csrf = logged_in(app, "ayse", role="operator", scope="tenant")
    cashier.post("/shop/open", {"csrf_token": csrf}, status=303)
    now = int(time.time())
    add_calls(app.config["test.data"], ("202", NUMBERS["Germany"], now, 600))
    got = {b["booth"]: b for b in cashier.get("/shop/booths").json["booths"]}
    assert [got[e]["state"] for e in ("201", "202", "203")] == ["free", "talking", "free"]
    assert got["202"]["label"] == "in a call" and got["202"]["running_s"] >= 0
    assert Decimal(got["202"]["running_sell"]) == independent_sell(NUMBERS["Germany"], got["202"]["running_s"])


def test_items_with_the_calls_and_the_receipt_pdf(tmp_path):
    (tmp_path / "callbox.ini").write_text(INI + "items =\n  Internet 30 min = 10.00\n  Çay = 4.50\n", encoding="utf-8")
    store.open_db(tmp_path / "callbox.db")
    store_prices()
    store.close_db()
    application = make_app(tmp_path)
    cashier, csrf = logged_in(application, "ayse", role="operator", scope="tenant")
    cashier.post("/shop/open", {"csrf_token": csrf}, status=303)
    [call] = add_calls(tmp_path, ("201", NUMBERS["Germany"], int(time.time()), 61))          # 0.44
    preview = text(cashier.post("/shop/checkout", {"csrf_token": csrf, "call": str(call)}))
    assert 'name="qty_0"' in preview and "Çay (TRY4.50)" in preview
    bad = cashier.post("/shop/pay", {"csrf_token": csrf, "call": str(call), "qty_1": "x", "given": "50"}, status=400)
    assert "whole number" in bad.text
    paid = text(cashier.post("/shop/pay", {"csrf_token": csrf, "call": str(call), "qty_0": "1", "qty_1": "2",
                                           "given": "50"}))
    # 0.44 + 10.00 + 9.00 = 19.44 -> 19.50 (round_to 0.25); change 30.50
    assert '<dd id="items-total">TRY19.00</dd>' in paid and '<dd id="to-take">TRY19.50</dd>' in paid
    assert '<dd id="change">TRY30.50</dd>' in paid and 'href="/shop/receipt/1.pdf"' in paid
    pdf = cashier.get("/shop/receipt/1.pdf")
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF")
    assert cashier.get("/shop/receipt/2.pdf", status=404).status_code == 404
    items_only = text(cashier.post("/shop/pay", {"csrf_token": csrf, "qty_1": "1", "given": "5"}))
    assert '<dd id="change">TRY0.50</dd>' in items_only
    closed = text(cashier.post("/shop/close", {"csrf_token": csrf, "session": "1"}, status=303).follow())
    assert '<dd id="cash">TRY23.94</dd>' in closed                                           # 0.44 + 19.00 + 4.50
    store.close_db()


def test_a_deposit_on_the_booth_card_and_at_the_checkout(app):
    data = app.config["test.data"]
    cashier, csrf = logged_in(app, "ayse", role="operator", scope="tenant")
    assert cashier.post("/shop/deposit", {"csrf_token": csrf, "booth": "201", "amount": "5"}, status=409)
    cashier.post("/shop/open", {"csrf_token": csrf}, status=303)
    assert "more than 0" in cashier.post("/shop/deposit", {"csrf_token": csrf, "booth": "201", "amount": "-1"},
                                         status=409).text
    cashier.post("/shop/deposit", {"csrf_token": csrf, "booth": "201", "amount": "5,00"}, status=303)
    store.open_db(data / "callbox.db")
    try:   # the session opened 1000 s ago: the call below has ended by now
        ShopSession.update(opened_utc=ShopSession.opened_utc - 1000).execute()
    finally:
        store.close_db()
    [call] = add_calls(data, ("201", NUMBERS["Germany mobile"], int(time.time()) - 500, 130))      # 2.55
    booth = {b["booth"]: b for b in cashier.get("/shop/booths").json["booths"]}["201"]
    assert (booth["deposit"], booth["balance"], booth["warning"]) == ("5.00", "2.45", "")
    assert booth["left"].replace("\xa0", "") == "deposit TRY5.00, left TRY2.45"
    preview = text(cashier.post("/shop/checkout", {"csrf_token": csrf, "call": str(call)}))
    assert '<dd id="deposit">TRY5.00</dd>' in preview and 'value="0"' in preview
    paid = text(cashier.post("/shop/pay", {"csrf_token": csrf, "call": str(call), "given": "0"}))
    assert '<dd id="change">TRY2.25</dd>' in paid                                           # 5.00 - 2.75
    assert cashier.post("/shop/deposit", {"csrf_token": csrf, "booth": "201", "amount": "5"}).status_code == 303
    other, other_csrf = logged_in(app, "mehmet", role="operator", scope="tenant")
    assert other.post("/shop/deposit", {"csrf_token": other_csrf, "booth": "201", "amount": "5"},
                      status=403).status_code == 403                                        # another cashier's session


def test_the_provider_account_over_time_for_administrators(app):
    data = app.config["test.data"]
    store.open_db(data / "callbox.db")
    try:
        from datetime import date
        from appliance.pricing import lists
        from appliance.shop import account
        lists.add_rate("USD", "TRY", date(2020, 1, 1), Decimal("32.50"))
        t = int(time.time()) - 5000
        account.top_up(Decimal("60"), "TRY", t)
        add_call("202", NUMBERS["Germany mobile"], t + 100, 1800)            # 30 min x 0.05 USD x 32.50 = 48.75
    finally:
        store.close_db()
    (data / "callbox.ini").write_text(INI + "low_balance = 50\n", encoding="utf-8")
    admin, _csrf = logged_in(make_app(data), "boss", role="administrator", scope="all")
    assert 'href="/shop/account"' in admin.get("/shop").text
    page = text(admin.get("/shop/account"))
    assert '<dd id="balance">TRY11.25</dd>' in page and '<dd id="spent">TRY48.75</dd>' in page
    days = {time.strftime("%Y-%m-%d", time.gmtime(x)) for x in (t, t + 100)}     # [pbx] timezone = UTC
    assert 'id="low"' in page and page.count("<tr>") == 1 + len(days)          # the header and a row a day
    cashier, _ = logged_in(app, "ayse", role="operator", scope="tenant")
    assert cashier.get("/shop/account", status=403).status_code == 403
    assert 'href="/shop/account"' not in cashier.get("/shop").text


def test_why_booth_calls_cannot_be_priced_is_said_in_the_users_language(tmp_path):
    """Issue 20 audit: with no price list stored the till said 'no price list stored (callbox pricelist import)' in
    English on a Turkish or Norwegian page, and sent the user to a shell; now in their language, to the web page."""
    (tmp_path / "callbox.ini").write_text(INI, encoding="utf-8")
    store.open_db(tmp_path / "callbox.db")
    store.close_db()
    app = make_app(tmp_path)
    try:
        cashier, _ = logged_in(app, "ayse", role="operator", scope="tenant")
        tr = cashier.get("/shop", {"lang": "tr"}).text
        assert "kayıtlı fiyat listesi yok: Fiyat listeleri sayfasından" in tr and "callbox pricelist" not in tr
        nb = cashier.get("/shop", {"lang": "nb"}).text
        assert "ingen prisliste er lagret: importer en på siden Prislister" in nb
    finally:
        store.close_db()
