"""The price list page in-process (webtest): lists and rows shown, a CSV imported, a bad one refused whole with its
line and column, exported back identical; a tenant's administrator sees the lists but cannot import."""
from __future__ import annotations

import pytest
from customers_helpers import PRICES, store_prices
from web_helpers import logged_in

from appliance import store
from appliance.pricing import pricelist_csv
from webui.app import make_app

INI = "[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Istanbul\n"
BAD = ("destination,prefix,buy,sell,first_s,step_s,sell_currency\n"
       "France,33,0.02,0.30,30,6,EUR\nSpain,34,0.02,0,5,60,6,EUR\n")


@pytest.fixture
def app(tmp_path):
    (tmp_path / "callbox.ini").write_text(INI, encoding="utf-8")
    store.open_db(tmp_path / "callbox.db")
    store_prices()
    store.close_db()
    yield make_app(tmp_path)
    store.close_db()


def test_view_import_refuse_and_export(app):
    admin, csrf = logged_in(app, "admin", "administrator", "all")
    page = admin.get("/pricelists").text
    assert "Türkiye İstanbul" in page and "+4915" in page and "1 EUR = 50 TRY" in page and 'id="import"' in page
    exported = admin.get("/pricelists/export.csv?list=default")
    assert exported.body.startswith("\ufeff".encode()) and "text/csv" in exported.content_type
    assert pricelist_csv.read_csv(exported.text.lstrip("\ufeff")) == pricelist_csv.read_csv(PRICES)
    refused = admin.post("/pricelists/import", {"csrf_token": csrf},
                         upload_files=[("file", "prices.csv", BAD.encode())], status=400).text
    assert "prices.csv line 3, column" in refused and "beyond the header" in refused
    good = ("list,destination,prefix,buy,sell,first_s,step_s,sell_currency\n"
            "eu,France,33,0.02,0.30,30,6,EUR\neu,España,34,0.02,0.5,60,6,EUR\n")
    admin.post("/pricelists/import", {"csrf_token": csrf}, upload_files=[("file", "eu.csv", good.encode())],
               status=303)
    page = admin.get("/pricelists?list=eu").text
    assert "España" in page and "+34" in page
    admin.get("/pricelists/export.csv?list=nope", status=404)
    admin.post("/pricelists/import", {"csrf_token": csrf}, upload_files=[("file", "x.csv", b"\xff\xfe")], status=400)


def test_a_tenant_administrator_sees_but_cannot_import_and_others_see_nothing(app):
    tadmin, csrf = logged_in(app, "tadmin", "administrator", "tenant")
    page = tadmin.get("/pricelists").text
    assert "Türkiye İstanbul" in page and 'id="import"' not in page
    tadmin.post("/pricelists/import", {"csrf_token": csrf}, upload_files=[("file", "p.csv", PRICES.encode())],
                status=403)
    for role in ("supervisor", "operator", "staff"):
        client, _ = logged_in(app, role, role, "tenant")
        client.get("/pricelists", status=403)
        client.get("/pricelists/export.csv", status=403)
