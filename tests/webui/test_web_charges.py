"""Issue 20 'Everything from the web': /charges, the provider comparison (RAT-1), allowances (RAT-7) and line charges
(RAT-6) uploaded and shared out, billed periods closed and reopened, as the CLI's compare, allowance import,
linecharge import|show and period close|reopen|list do."""
from __future__ import annotations

import re

import pytest
import webtest

from appliance import config, store
from appliance.billing import billed
from appliance.store import billing as store_billing
from appliance.store import directory as sd
from test_billing import TARIFF, Site_, april
from test_web_directory import as_user
from web_helpers import add_user, login
from webui.app import make_app

CFG = "[pbx]\ntimezone = Europe/Istanbul\ntenant = acme\n"
ALLOWANCES = "subscriber,name,unit,amount,match,period\nayse,Mobil paket,minutes,100,class:mobile,month\n"
CHARGES = "trunk,amount,currency,basis,valid_from,description\nLine 1,120.00,TRY,cost,2024-01,PRI hattı\n"


@pytest.fixture
def client(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    site = Site_()
    april(site)
    site.import_plan(TARIFF.replace("provider,Türk Telekom", "provider,Ucuz Hat").replace("60:0.35", "60:0.20"))
    sd.tenant_id("other", create=True, name="Other Co")
    store.close_db()
    yield webtest.TestApp(make_app(tmp_path, config.Config(text=CFG)))
    store.close_db()


def upload(client, csrf, what: str, text: str, status: int = 201, tenant: str = "acme"):
    return client.post(f"/charges/{what}", {"csrf_token": csrf, "tenant": tenant, "period": "2024-04"},
                       upload_files=[("file", f"{what}.csv", text.encode("utf-8"))], status=status)


def test_the_comparison_prices_a_month_under_every_plan(client):
    as_user(client, "admin", tenant="acme")
    html = client.get("/charges?tenant=acme&period=2024-04").text
    assert "Ucuz Hat / Örnek İşyeri Tarifesi" in html and "Türk Telekom / Örnek İşyeri Tarifesi" in html
    assert "3.05" in html          # Türk Telekom's April total, as `callbox compare` says
    assert 'href="/charges"' in html                    # in the nav
    turkish = client.get("/charges?tenant=acme&period=2024-04&lang=tr").text
    assert "<h2>Sağlayıcı karşılaştırması</h2>" in turkish and "3,05" in turkish
    assert client.get("/charges?tenant=acme&period=2024-13", status=400)


def test_allowances_and_line_charges_are_uploaded_and_shared_out(client):
    csrf = as_user(client, "admin", tenant="acme")
    html = upload(client, csrf, "linecharges", CHARGES).text
    assert "1 line charge stored from linecharges.csv." in html
    assert "PRI hattı" in html and "90.49" in html      # Ayşe's share of April by cost, as linecharge show
    html = upload(client, csrf, "allowances", ALLOWANCES).text
    assert "Mobil paket" in html
    bad = upload(client, csrf, "allowances", ALLOWANCES.replace("minutes", "hours"), status=400).text
    assert "allowances.csv line 2: unit &#039;hours&#039; is not one of" in bad or "line 2: unit" in bad
    with store.db.connection_context():
        assert [a.name for a in store_billing.allowances(sd.tenant_id("acme"))] == ["Mobil paket"]   # kept whole


def test_a_period_is_closed_and_reopened(client):
    csrf = as_user(client, "admin", tenant="acme")
    html = client.post("/charges/close", {"csrf_token": csrf, "tenant": "acme", "period": "2024-04"}, status=201).text
    assert "2024-04" in html
    with store.db.connection_context():
        assert [(p.tenant, p.label) for p in billed.periods()] == [("acme", "2024-04")]
    again = client.post("/charges/close", {"csrf_token": csrf, "tenant": "acme", "period": "2024-04"}, status=400)
    assert "overlaps billed period 2024-04" in again.text
    client.post("/charges/reopen", {"csrf_token": csrf, "tenant": "acme", "label": "2024-04"})
    with store.db.connection_context():
        assert billed.periods() == []


def test_a_tenant_administrator_sees_only_their_tenant_and_staff_nothing(client):
    csrf = as_user(client, "tadmin", scope="tenant", tenant="acme")
    html = client.get("/charges").text
    assert "Other Co" not in html
    client.get("/charges?tenant=other", status=404)
    client.post("/charges/close", {"csrf_token": csrf, "tenant": "other", "period": "2024-04"}, status=404)
    client.reset()
    add_user("worker", "staff", "own", "acme", "ayse")
    login(client, "worker")
    client.get("/charges", status=403)


def test_the_charges_tables_sort_by_any_column_and_show_the_top_rows(client):
    """Issue 20: the comparison (the cheapest first) sorts by its total as money, not as text, by any column and
    again the other way, with aria-sort; a line charge's shares too; a POST's page keeps the month in its links."""
    import re
    csrf = as_user(client, "admin", tenant="acme")

    def plans(html: str) -> list[str]:
        table = html.split('id="compare-table"', 1)[1].split("</table>", 1)[0]
        return re.findall(r"<tr><td>([^<]+)</td>", table)
    base = "/charges?tenant=acme&period=2024-04"
    cheap_first = plans(client.get(base).text)
    assert cheap_first[0].startswith("Ucuz Hat") and len(cheap_first) == 2
    html = client.get(base + "&compare_sort=1&compare_desc=1").text
    assert plans(html) == cheap_first[::-1]
    head = html.split('id="compare-table"', 1)[1].split("</thead>", 1)[0]
    assert 'aria-sort="descending"' in head and "compare_sort=1&amp;compare_desc=0#compare" in head
    assert plans(client.get(base + "&compare_sort=0&compare_desc=0").text) == sorted(cheap_first, key=str.casefold)
    top = client.get(base + "&compare_sort=1&compare_desc=1&compare_top=1").text
    assert plans(top) == cheap_first[:0:-1] and "The first 1 of 2 rows." in top
    html = upload(client, csrf, "linecharges", CHARGES).text
    assert "tenant=acme&amp;period=2024-04&amp;share0_sort=1" in html          # links after the POST keep the month
    shares = client.get(base + "&share0_sort=1&share0_desc=0").text.split('id="share0"', 1)[1].split("</table>")[0]
    amounts = [float(a.replace(",", "")) for a in re.findall(r'<td class="num">[^0-9]*([0-9.,]+)', shares)]
    assert amounts == sorted(amounts) and len(amounts) > 1


def test_the_page_names_every_column_the_uploads_read(client):
    """The layouts on the page itself (issue 20: no README to open from the web), in the importers' column order."""
    from appliance.billing import allowances, linecharges
    as_user(client, "admin", tenant="acme")
    page = client.get("/charges").text
    found = re.findall(r'<p class="muted small">(Columns [^<]*)</p>', page)
    layouts = {text.split()[1].rstrip(","): text for text in found}
    for columns in (allowances.CSV_COLUMNS, linecharges.CSV_COLUMNS):
        text = layouts[columns[0]]
        at = [text.find(f" {c}") for c in columns]
        assert -1 not in at and at == sorted(at), (columns, text)
    assert "provisioning/billing" not in page
