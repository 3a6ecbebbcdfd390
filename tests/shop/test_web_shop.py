"""The cashier pages in-process (webtest): who may open them, a session opened, calls paid with the total and change
shown, one unserved, closed with its report; CSRF on every form; Turkish."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from shop_helpers import INI, NUMBERS, add_call, independent_sell, store_prices
from web_helpers import logged_in

from appliance import store
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
    return resp.text.replace("\xa0", " ")   # Babel puts a no-break space between currency and amount


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
    assert '<dd id="total">TRY 2.99</dd>' in preview and '<dd id="to-take">TRY 3.00</dd>' in preview  # round_to 0.25
    short = cashier.post("/shop/pay", {"csrf_token": csrf, "call": [str(ids[0]), str(ids[1])], "given": "2.99"},
                         status=400)
    assert "less than the amount to take" in short.text
    paid = text(cashier.post("/shop/pay", {"csrf_token": csrf, "call": [str(ids[0]), str(ids[1])], "given": "5"}))
    assert '<dd id="change">TRY 2.00</dd>' in paid
    again = cashier.post("/shop/pay", {"csrf_token": csrf, "call": [str(ids[0])], "given": "5"}, status=409)
    assert f"call {ids[0]} is already paid" in again.text
    cashier.post("/shop/status", {"csrf_token": csrf, "call": str(ids[2]), "status": "unserved"}, status=303)
    other, other_csrf = logged_in(app, "mehmet", role="operator", scope="tenant")
    assert other.post("/shop/close", {"csrf_token": other_csrf, "session": "1"}, status=403).status_code == 403
    closed = text(cashier.post("/shop/close", {"csrf_token": csrf, "session": "1"}, status=303).follow())
    assert '<dd id="cash">TRY 2.99</dd>' in closed and '<dd id="unpaid">1</dd>' in closed
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
