"""The bill page (/bill) and its PDF in-process (webtest), on calls imported and priced by the real pipeline:
totals equal appliance.billing's, the PDF carries the person's name, each role sees only the bills of its scope."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import webtest

from appliance import config, store
from appliance.billing import bills as billing
from appliance.billing import usage
from web_helpers import logged_in
from test_pipeline import run_cli
from test_pricing import priced_site
from appliance import localtime
from webui.app import make_app
from webui.reports import bill as bill_page

PEOPLE = ("person_id;first_name;last_name;branch;department;extensions\n"
          "P1;Ayşe;Yılmaz;İzmir;Satış;201\n"
          "P2;Олег;Петров;İzmir;Depo;202\n")


@pytest.fixture
def site(tmp_path, capsys):
    """A data directory with April 2024 calls of extension 201 priced in TRY (0.95 + 0.70 + 0.65), two people."""
    data, ini = priced_site(tmp_path, capsys)
    csv = tmp_path / "people.csv"
    csv.write_text(PEOPLE, encoding="utf-8")
    rc, out, err = run_cli(capsys, "directory", "import", "--data", str(data), "--config", str(ini), str(csv))
    assert rc == 0, err
    return data, config.load(ini)


@pytest.fixture
def app(site):
    data, cfg = site
    application = make_app(data, cfg)
    yield application
    store.close_db()


def expected(site, person: str, period: str) -> billing.Bill:
    data, cfg = site
    tz = localtime.zone(cfg.section("pbx").timezone)
    store.open_db(data / "callbox.db", readonly=True)
    try:
        return billing.bill(usage.site_from_config(cfg, tz), usage.parse_period(period, tz), person=person)
    finally:
        store.close_db()


def test_staff_sees_their_bill_with_totals_equal_to_billing(app, site):
    client = logged_in(app, "ayse", "staff", "own", person="P1")[0]
    html = client.get("/bill", {"period": "2024-04"}).text
    b = expected(site, "P1", "2024-04")
    assert str(b.total) == "2.30" and len(b.lines) == 3
    assert "Ayşe Yılmaz" in html and "2024-04" in html
    total = re.search(r'class="bill-total">[^<]*<strong>([^<]*)</strong>', html).group(1)
    assert "2.30" in total, total
    assert html.count("<tr") - html.count("<thead><tr") >= 3
    for amount in ("0.95", "0.70", "0.65"):                       # every call's price
        assert amount in html
    assert "6 s @ 0.09" in html and "connection fee" in html      # unit prices of the Turkcell call
    assert "Олег" not in html                                     # no other person in a staff's picker
    assert 'href="/bill.pdf?' in html


def test_the_pdf_download_is_a_pdf_with_the_persons_name(app, site):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) missing")
    client = logged_in(app, "ayse", "staff", "own", person="P1")[0]
    link = re.search(r'href="(/bill\.pdf\?[^"]+)"', client.get("/bill", {"period": "2024-04"}).text).group(1)
    resp = client.get(link.replace("&amp;", "&"))
    assert resp.content_type == "application/pdf" and resp.body.startswith(b"%PDF")
    assert "attachment" in resp.headers["Content-Disposition"] and "bill-P1-2024-04.pdf" in \
        resp.headers["Content-Disposition"]
    text = subprocess.run(["pdftotext", "-", "-"], input=resp.body, capture_output=True, check=True).stdout.decode()
    assert "Ayşe Yılmaz" in text and "2.30" in text
    turkish = client.get(link.replace("&amp;", "&") + "&lang=tr")
    text = subprocess.run(["pdftotext", "-", "-"], input=turkish.body, capture_output=True, check=True).stdout
    assert "Ödenecek toplam" in text.decode() and "2,30" in text.decode()


def test_staff_cannot_see_another_persons_bill(app):
    client = logged_in(app, "ayse", "staff", "own", person="P1")[0]
    client.get("/bill", {"person": "P2", "period": "2024-04"}, status=404)
    client.get("/bill.pdf", {"person": "P2", "period": "2024-04"}, status=404)
    client.get("/bill", {"person": "nobody", "period": "2024-04"}, status=404)


def test_staff_with_a_wider_scope_still_sees_only_their_own_bill(app):
    client = logged_in(app, "ayse2", "staff", "department", person="P1")[0]
    client.get("/bill", {"person": "P2", "period": "2024-04"}, status=404)


def test_a_supervisor_picks_people_of_their_scope(app, site):
    tenant_wide = logged_in(app, "sup", "supervisor", "tenant")[0]
    html = tenant_wide.get("/bill", {"period": "2024-04"}).text
    assert "Ayşe Yılmaz (P1)" in html and "Олег Петров (P2)" in html and "Choose a person" in html
    p2 = tenant_wide.get("/bill", {"person": "P2", "period": "2024-04"}).text
    assert "No calls in this period." in p2
    department = logged_in(app, "dep", "operator", "department", person="P1")[0]       # Satış: Ayşe only
    html = department.get("/bill", {"period": "2024-04"}).text
    assert "Ayşe Yılmaz" in html and "Олег" not in html
    department.get("/bill", {"person": "P2", "period": "2024-04"}, status=404)


def test_an_administrator_sees_anyone_of_the_tenant_and_bad_periods_are_named(app):
    client = logged_in(app, "root", "administrator", "tenant")[0]
    assert "2.30" in client.get("/bill", {"person": "P1", "period": "2024-04"}).text
    bad = client.get("/bill", {"person": "P1", "period": "April"}, status=400).text
    assert "expected YYYY-MM" in bad
    client.get("/bill", {"tenant": "elsewhere"}, status=404)


def test_the_default_period_is_last_month():
    from datetime import date
    from zoneinfo import ZoneInfo
    text = bill_page.last_month(ZoneInfo("Europe/Istanbul"))
    today = date.today()
    assert text == (f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}")


def test_the_bill_page_needs_a_login(app):
    assert webtest.TestApp(app).get("/bill").status_int == 303
    assert webtest.TestApp(app).get("/bill.pdf").status_int == 303


THREADPOOL_SCRIPT = """
from gevent import monkey; monkey.patch_all()
import sys, gevent
from pathlib import Path
from appliance import config, store
from appliance.tools import gen_calls
from webui.reports import bill
data = Path(sys.argv[1])
gen_calls.generate(data / "callbox.db", 3000, build_rollup=False)
store.close_db()
store.open_db(data / "callbox.db", readonly=True)
store.db.close()
cfg = config.Config(text="[pbx]\\ntenant = default\\ntimezone = Europe/Istanbul\\n")
def one(i):
    for k in range(4):
        # the first bill of each with its PDF, made in a child process (appliance.pdf.child): 8 of them at once
        lang = ("en", "tr")[i % 2] if k == 0 else None
        b, pdf = bill.build(data, cfg, "default", f"p{(i * 37 + k) % 1000 + 1:05d}", "2024-11", lang)
        assert pdf.startswith(b"%PDF") if k == 0 else pdf is None
jobs = [gevent.spawn(one, i) for i in range(8)]
gevent.joinall(jobs, timeout=100)
print(sum(1 for j in jobs if j.successful()), "of", len(jobs))
from appliance.rating import phonedata
from webui.offload import _NATIVE_LOCK
print("native", all(isinstance(getattr(phonedata, n), _NATIVE_LOCK) for n in ("_loading", "_query_lock")))
"""


@pytest.mark.slow
def test_bills_built_concurrently_in_the_gevent_threadpool_all_finish(tmp_path):
    """The real server builds bills in gevent's threadpool (their PDFs in child processes, from the hub): gevent
    locks shared by native threads used to lose wake-ups and hang a request for good (webui.offload.native_locks)."""
    import sys
    from conftest import REPO
    proc = subprocess.run([sys.executable, "-c", THREADPOOL_SCRIPT, str(tmp_path)], cwd=REPO, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[:3] == ["8", "of", "8"], proc.stdout + proc.stderr
    assert "native True" in proc.stdout           # the number names' locks too (a bill names numbers)


def test_the_bills_tables_sort_by_any_column_and_show_the_top_rows(app, site):
    """Issue 20: the bill's calls (in time order unless asked) sort by what they cost as money and by talk time as
    seconds, again the other way, with aria-sort; top N keeps the bill's total; the class table sorts on its own."""
    client = logged_in(app, "ayse", "staff", "own", person="P1")[0]
    b = expected(site, "P1", "2024-04")

    def calls(html: str) -> list[str]:
        table = html.split('id="calls"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
        return [re.findall(r'<td class="num">([^<]*)</td>', tr)[0] for tr in table.split("<tr")[1:]]
    in_time = calls(client.get("/bill", {"period": "2024-04"}).text)
    by_cost = sorted(b.lines, key=lambda x: x.cost, reverse=True)
    html = client.get("/bill", {"period": "2024-04", "calls_sort": "6", "calls_desc": "1"}).text
    start = {line.call_id: i for i, line in enumerate(b.lines)}
    assert calls(html) == [in_time[start[x.call_id]] for x in by_cost]        # 0.95, 0.70, 0.65
    head = html.split('id="calls"', 1)[1].split("</thead>", 1)[0]
    assert head.count('aria-sort="descending"') == 1 and "calls_sort=6&amp;calls_desc=0#calls" in head
    by_talk = sorted(b.lines, key=lambda x: x.talk_s)
    html = client.get("/bill", {"period": "2024-04", "calls_sort": "4", "calls_desc": "0"}).text
    assert calls(html) == [in_time[start[x.call_id]] for x in by_talk]
    top = client.get("/bill", {"period": "2024-04", "calls_sort": "6", "calls_desc": "1", "calls_top": "1"}).text
    assert len(calls(top)) == 1 and "The first 1 of 3 rows." in top and "2.30" in top.split("bill-total")[1]


def test_a_hunt_groups_extension_or_number_on_a_bill_is_shown_as_the_group(app):
    """Issue 20: a bill's call lines name a hunt group's number ([directory] hunt_groups) as the calls page does."""
    client = logged_in(app, "ayse", "staff", "own", person="P1")[0]
    html = client.get("/bill", {"period": "2024-04", "lang": "tr"}).text
    first = r'<table class="bill-calls".*?<tbody>\s*<tr[^>]*><td[^>]*>.*?</td>\s*<td>([^<]+)</td><td>([^<]+)</td>'
    row = re.search(first, html, re.S)
    extension, number = row.groups()
    setting = app.config["callbox.hunt_groups"]
    app.config["callbox.hunt_groups"] = lambda: {number: "Satış", extension: "Destek"}
    try:
        named = client.get("/bill", {"period": "2024-04", "lang": "tr"}).text
    finally:
        app.config["callbox.hunt_groups"] = setting
    assert f"Satış (arama grubu {number})" in named
    assert f"Destek (arama grubu {extension})" in named


def test_a_hunt_groups_number_in_the_bill_pdf_is_named_as_on_the_page(app):
    """Issue 20: the bill's PDF names a hunt group's number ([directory] hunt_groups) as its page does, in the
    PDF's language, not as the raw number."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) missing")
    client = logged_in(app, "ayse", "staff", "own", person="P1")[0]
    html = client.get("/bill", {"period": "2024-04", "lang": "tr"}).text
    first = r'<table class="bill-calls".*?<tbody>\s*<tr[^>]*><td[^>]*>.*?</td>\s*<td>([^<]+)</td><td>([^<]+)</td>'
    number = re.search(first, html, re.S).group(2)
    link = re.search(r'href="(/bill\.pdf\?[^"]+)"', html).group(1).replace("&amp;", "&") + "&lang=tr"
    setting = app.config["callbox.hunt_groups"]
    app.config["callbox.hunt_groups"] = lambda: {number: "Satış"}
    try:
        body = client.get(link).body
    finally:
        app.config["callbox.hunt_groups"] = setting
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=body, capture_output=True, check=True).stdout
    flat = " ".join(text.decode().split())
    assert "Satış" in flat and "arama grubu" in flat, flat
