"""Report pages in-process (webtest) on the real IP Office sample imported through the pipeline: breakdowns with
chart and totals, CSV equal to the engine's, PDF, scope in every report and export, saved reports, templates,
time ranges (administrators), traffic pages, CSRF."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import webtest

from appliance import store
from appliance.access import users
from appliance.cli.main import main
from appliance.reports import engine as reports
from appliance.reports import missed as report_missed
from appliance.reports import trunks as report_trunks
from appliance.store.users import users_db
from web_helpers import add_user, logged_in, login
from webui import auth
from webui.app import make_app

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "appliance" / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
TZ = ZoneInfo("Europe/Warsaw")
JULY = {"range": "custom", "since": "2017-07-01", "until": "2017-08-01"}
PEOPLE = ("person_id;first_name;last_name;branch;department;extensions\n"
          "P1;Ayşe;Yılmaz;İzmir;Satış;222\nP2;Игорь;Ёлкин;Kraków;Destek;212\n")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The sample imported with `callbox import`, two people, and prices on some outgoing calls (as the worker
    stores them when a plan prices them)."""
    data = tmp_path_factory.mktemp("reports")
    (data / "callbox.ini").write_text("[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    (data / "people.csv").write_text(PEOPLE, encoding="utf-8")
    try:
        assert main(["import", "--driver", "avaya_ipoffice", str(SAMPLE), "--data", str(data)]) == 0
        assert main(["directory", "import", str(data / "people.csv"), "--data", str(data)]) == 0
    finally:
        store.close_db()
    con = sqlite3.connect(data / "callbox.db")
    with con:
        con.execute("UPDATE call SET cost = '1.50', currency = 'TRY' WHERE direction = 'out' AND extension = '222'")
        con.execute("UPDATE call SET cost = '0.25', currency = 'TRY' WHERE direction = 'out' AND extension = '211'")
    con.close()                       # the last connection checkpoints the WAL: the copies below see the prices
    return data


@pytest.fixture
def app(seeded, tmp_path):
    for name in ("callbox.db", "callbox.ini"):
        shutil.copy(seeded / name, tmp_path / name)
    application = make_app(tmp_path)
    application.config["test.data_dir"] = tmp_path
    add_user("admin")
    add_user("sup", "supervisor", "tenant")
    add_user("op", "operator", "tenant")
    add_user("ayse", "staff", "own", person="P1")
    yield application
    store.close_db()


def account(name: str) -> users.Account:
    with users_db.connection_context():
        return users.get(name)


def engine(data: Path, fn):
    """Run fn() on the test's callbox.db, as the engine would (read-only, like the web process)."""
    store.open_db(data / "callbox.db", readonly=True)
    try:
        return fn()
    finally:
        store.close_db()


def data_dir(app) -> Path:
    return app.config["test.data_dir"]


def q(**kw) -> dict:
    return {**JULY, "run": "1", **kw}


def test_a_breakdown_shows_a_table_with_totals_and_a_bar_or_line_chart(app):
    client, _csrf = logged_in(app, "admin")
    assert "Reports" in client.get("/").text and 'href="/reports"' in client.get("/").text
    html = client.get("/reports", q(dim1="extension", m=["calls", "talk", "cost"])).text
    chart = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html).group(1)
    assert '"kind": "bar"' in chart and '"222"' in chart and '<canvas id="chart"' in html
    assert "<tfoot>" in html and ">Total<" in html and "₺" not in html
    assert "TRY106.50" in html.replace("\xa0", "")                                  # 71 calls at 1.50
    line = client.get("/reports", q(dim1="day", dim2="direction")).text
    assert '"kind": "line"' in line and "2017-07-03" in line
    turkish = client.get("/reports", q(dim1="extension", m=["calls", "cost"], lang="tr")).text
    assert "Raporlar" in turkish and "₺" in turkish and "Toplam" in turkish
    bad = client.get("/reports", {"run": "1", "range": "custom", "since": "2017-07-09", "until": "2017-07-01"},
                     status=400).text
    assert "ends" in bad and "banner warn" in bad


def test_a_row_links_to_the_matching_calls(app):
    client, _csrf = logged_in(app, "admin")
    html = client.get("/reports", q(dim1="extension", m=["calls"])).text
    row = re.search(r'<td>211</td>\s*<td class="num">([\d,]+)</td>.*?href="(/calls\?[^"]+)"', html, re.S)
    calls, link = int(row.group(1).replace(",", "")), row.group(2).replace("&amp;", "&")
    assert "extension=211" in link and "since=2017-07-01T00%3A00" in link
    listed = client.get(link).text
    assert f"{calls} calls" in listed


@pytest.mark.parametrize("user", ["admin", "ayse"])
def test_csv_is_the_engines_csv_of_the_same_spec(app, user):
    client, _csrf = logged_in(app, user)
    resp = client.get("/reports.csv", {**JULY, "dim1": "person", "dim2": "month", "m": ["calls", "talk_out", "cost"]})
    assert resp.content_type == "text/csv"
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.csv"', resp.headers["Content-Disposition"])
    spec = reports.Spec(("person", "month"), ("calls", "talk_out", "cost"), "custom", "2017-07-01", "2017-08-01")
    expected = engine(data_dir(app), lambda: reports.to_csv(reports.run(spec, account(user), "default", tz=TZ)))
    assert resp.text == expected
    assert "Ayşe Yılmaz (P1)" in resp.text and ("Ёлкин" in resp.text) == (user == "admin")


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True)
    return done.stdout.decode()


def test_pdf_export_has_the_chart_table_and_turkish_names(app):
    client, _csrf = logged_in(app, "admin")
    resp = client.get("/reports.pdf", {**JULY, "dim1": "person", "m": ["calls", "cost"], "lang": "tr"})
    assert resp.content_type == "application/pdf"
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.pdf"', resp.headers["Content-Disposition"])
    text = pdf_text(resp.body)
    assert "Ayşe Yılmaz (P1)" in text and "Игорь Ёлкин (P2)" in text and "Toplam" in text


def test_staff_see_only_their_own_calls_in_every_report_and_export(app):
    client, _csrf = logged_in(app, "ayse")
    html = client.get("/reports", q(dim1="extension")).text
    assert ">222<" in html and ">211<" not in html
    assert set(re.findall(r"^(\d+),", client.get("/reports.csv", {**JULY, "dim1": "extension"}).text, re.M)) == {"222"}
    assert "211" not in pdf_text(client.get("/reports.pdf", {**JULY, "dim1": "extension"}).body)
    missed = client.get("/reports/missed.csv", JULY).text
    assert {r["key"] for r in csv.DictReader(io.StringIO(missed)) if r["key"] != "total"} <= {"222"}
    ayse, admin = account("ayse"), account("admin")
    since, until = 1498860000, 1501538400   # July 2017 in Warsaw
    mine = engine(data_dir(app), lambda: report_trunks.trunk_traffic(ayse, "default", since, until).total.calls)
    every = engine(data_dir(app), lambda: report_trunks.trunk_traffic(admin, "default", since, until).total.calls)
    trunks = list(csv.DictReader(io.StringIO(client.get("/reports/trunks.csv", JULY).text)))
    assert int(trunks[-1]["calls"]) == mine < every
    peak = max(int(r["max_concurrent"]) for r in csv.DictReader(io.StringIO(
        client.get("/reports/concurrency.csv", JULY).text)))
    admin_client, _ = logged_in(app, "admin")
    admin_peak = max(int(r["max_concurrent"]) for r in csv.DictReader(io.StringIO(
        admin_client.get("/reports/concurrency.csv", JULY).text)))
    assert 1 <= peak <= admin_peak


def test_traffic_pages_run_and_export(app):
    client, _csrf = logged_in(app, "sup")
    for page, heading in (("missed", "Missed direct"), ("trunks", "Problem trunks"), ("concurrency", "Busy hour")):
        html = client.get(f"/reports/{page}", q()).text
        assert heading in html and '<canvas id="chart"' in html, page
        assert client.get(f"/reports/{page}.csv", JULY).text.count("\r\n") >= 2
        assert pdf_text(client.get(f"/reports/{page}.pdf", JULY).body)
    by_person = client.get("/reports/missed", q(by="person")).text
    assert "Игорь Ёлкин" in by_person and "/calls?" in by_person
    expected = engine(data_dir(app), lambda: report_missed.missed(account("sup"), "default", 1498860000, 1501538400))
    got = list(csv.DictReader(io.StringIO(client.get("/reports/missed.csv", JULY).text)))
    assert int(got[-1]["missed"]) == expected.total.missed and got[-1]["key"] == "total"
    assert "intervals" in client.get("/reports/concurrency", q(step="60", range="all"), status=400).text
    client.get("/reports/concurrency", q(direction="sideways"), status=400)


def test_saved_report_round_trip(app):
    client, csrf = logged_in(app, "ayse")
    form = {"csrf_token": csrf, "name": "Günlük çağrılarım", "dim1": "day", "m": ["calls", "talk"], **JULY}
    resp = client.post("/reports/saved", form, status=303)
    rid = re.search(r"saved=(\d+)", resp.location).group(1)
    page = resp.follow().text
    assert "Günlük çağrılarım" in page and '"kind": "line"' in page and "2017-07-03" in page
    assert f'href="/reports?saved={rid}"' in client.get("/reports").text
    other, other_csrf = logged_in(app, "op")
    assert "Günlük" not in other.get("/reports").text
    other.get(f"/reports?saved={rid}", status=404)
    other.post("/reports/saved/delete", {"csrf_token": other_csrf, "id": rid}, status=404)
    assert "a saved report needs a name" in client.post("/reports/saved", {**form, "name": " "}, status=400).text
    assert "unknown dimension" in client.post("/reports/saved", {**form, "dim1": "colour"}, status=400).text
    client.post("/reports/saved/delete", {"csrf_token": csrf, "id": rid}, status=303)
    assert f"saved={rid}" not in client.get("/reports").text


def test_templates_are_published_by_admins_to_roles_only(app):
    admin, csrf = logged_in(app, "admin")
    form = {"csrf_token": csrf, "name": "Aylık hat raporu", "as_template": "1", "role": "operator", "dim1": "trunk",
            **JULY}
    rid = re.search(r"saved=(\d+)", admin.post("/reports/saved", form, status=303).location).group(1)
    assert "Published templates" in admin.get("/reports").text
    op, _ = logged_in(app, "op")
    assert "Aylık hat raporu" in op.get("/reports").text
    assert ">9005<" in op.get(f"/reports?saved={rid}").text
    staff, staff_csrf = logged_in(app, "ayse")
    assert "Aylık hat raporu" not in staff.get("/reports").text
    staff.get(f"/reports?saved={rid}", status=404)
    staff.post("/reports/saved", {**form, "csrf_token": staff_csrf}, status=403)
    sup, sup_csrf = logged_in(app, "sup")
    sup.post("/reports/saved", {**form, "csrf_token": sup_csrf}, status=403)
    sup.post("/reports/saved/delete", {"csrf_token": sup_csrf, "id": rid}, status=404)
    admin.post("/reports/saved/delete", {"csrf_token": csrf, "id": rid}, status=303)
    assert "Aylık hat raporu" not in op.get("/reports").text


def test_time_ranges_are_for_administrators(app):
    for name in ("sup", "op", "ayse"):
        client, csrf = logged_in(app, name)
        client.get("/reports/timeranges", status=403)
        client.post("/reports/timeranges", {"csrf_token": csrf, "name": "x", "days": "1", "start": "08:00",
                                            "end": "09:00"}, status=403)
        assert "/reports/timeranges" not in client.get("/reports").text
    admin, csrf = logged_in(app, "admin")
    page = admin.get("/reports/timeranges").text
    assert all(n in page for n in ("lunch_break", "business_hours", "after_hours", "weekend"))
    admin.post("/reports/timeranges", {"csrf_token": csrf, "name": "night_shift", "label": "Gece vardiyası",
                                       "days": "1-7", "start": "22:00", "end": "06:00"}, status=303)
    admin.post("/reports/timeranges", {"csrf_token": csrf, "name": "lunch_break", "label": "Öğle",
                                       "days": "1-5", "start": "12:30", "end": "13:30"}, status=303)
    page = admin.get("/reports/timeranges").text
    assert "Gece vardiyası" in page and 'value="12:30"' in page
    assert "Gece vardiyası" in admin.get("/reports").text                        # offered as a filter
    night = admin.get("/reports", q(dim1="hour", time_range="night_shift")).text
    assert all(int(h) >= 22 or int(h) < 6 for h in re.findall(r"<td>(\d\d)</td>", night))
    bad = admin.post("/reports/timeranges", {"csrf_token": csrf, "name": "x", "days": "8", "start": "08:00",
                                             "end": "09:00"}, status=400).text
    assert "ISO weekdays" in bad
    admin.post("/reports/timeranges/delete", {"csrf_token": csrf, "name": "lunch_break"}, status=303)
    assert 'value="12:00"' in admin.get("/reports/timeranges").text            # back to the built-in one


def test_every_report_post_needs_the_csrf_token(app):
    client, _csrf = logged_in(app, "admin")
    posts = {rule for method, rule in auth.WRITE_ROUTES if method == "POST" and rule.startswith("/reports")}
    assert posts == {r.rule for r in app.routes if r.method == "POST" and r.rule.startswith("/reports")}
    for rule in posts:
        resp = client.post(rule, {"name": "x", "id": "1", "days": "1", "start": "08:00", "end": "09:00"},
                           status=403)
        assert "CSRF" in resp.text
    assert "<code>x</code>" not in client.get("/reports/timeranges").text


def test_pages_without_a_database_yet(tmp_path):
    application = make_app(tmp_path)
    add_user("admin")
    client = webtest.TestApp(application)
    login(client, "admin")
    assert "Reports" in client.get("/reports", q(dim1="day")).text
    assert client.get("/reports/missed", q()).status_int == 200
    client.get("/reports.csv", JULY, status=503)
    store.close_db()


def test_pdf_durations_read_as_on_the_page(app):
    """Issue 20: the PDF showed talk time in raw seconds ("22,770") while the page shows 6:19:30."""
    client, _csrf = logged_in(app, "admin")
    page = client.get("/reports", {**JULY, "run": "1", "dim1": "extension", "m": ["calls", "talk"]}).text
    shown = set(re.findall(r">(\d+:\d\d:\d\d)<", page))
    text = pdf_text(client.get("/reports.pdf", {**JULY, "dim1": "extension", "m": ["calls", "talk"]}).body)
    in_pdf = set(re.findall(r"\b(\d+:\d\d:\d\d)\b", text))
    assert shown and shown <= in_pdf


def test_a_chart_sums_what_it_cannot_show_as_other_and_never_drops_data():
    """Issue 20: a chart silently showed the 30 largest bars and 8 largest series, so it no longer added up."""
    from webui.reports import common as rp
    rows = [[f"2{i:02d}", i + 1] for i in range(40)]                                   # 40 extensions
    chart = rp.result_chart(reports.Result(["extension", "calls"], rows, ["", 820], ndims=1))
    assert len(chart.labels) == rp.MAX_BARS and chart.labels[-1] == "Other (11)"
    [values] = chart.series.values()
    assert sum(values) == 820 and values[-1] == sum(range(1, 12))                     # the 11 smallest
    rows = [[f"2{i:02d}", f"T{j}", 10 * j + 1] for i in range(3) for j in range(12)]   # 12 trunks as series
    chart = rp.result_chart(reports.Result(["extension", "trunk", "calls"], rows, ["", "", 0], ndims=2))
    assert len(chart.series) == rp.MAX_SERIES and "Other (5)" in chart.series
    assert sum(sum(v) for v in chart.series.values()) == sum(r[2] for r in rows)
    assert chart.series["Other (5)"] == [sum(10 * j + 1 for j in range(5))] * 3


def test_traffic_charts_sum_what_they_cannot_show_as_other():
    """Issue 20: the missed-call and trunk charts kept their first 30 bars and dropped the rest."""
    from types import SimpleNamespace as Row

    from webui.reports import traffic
    rows = [Row(calls=i + 1) for i in range(35)]
    top, rest = traffic._top(rows, lambda r: r.calls)
    assert len(top) == 29 and len(rest) == 6 and {r.calls for r in rest} == set(range(1, 7))
    assert top == [r for r in rows if r.calls > 6]                    # in the table's order
    assert traffic._other_label(rest) == ["Other (6)"] and traffic._other_sum(rest, lambda r: r.calls) == [21]
    assert traffic._top(rows[:30], lambda r: r.calls) == (rows[:30], [])


def test_the_pdf_charts_every_chosen_measure(app):
    """Issue 20: the report's PDF charted its first measure only; now each chosen one, titled, before the table
    (in Norwegian: Samtaler, Samtaletid/Tale..., the labels as the page writes them)."""
    from webui.i18n import catalog
    client, _csrf = logged_in(app, "admin")
    text = pdf_text(client.get("/reports.pdf", {**JULY, "dim1": "extension", "m": ["calls", "talk", "cost"],
                                                "lang": "nb"}).body).replace("\u00a0", " ")
    words = catalog("nb")
    head = re.search(rf"^\s*{re.escape(words['Extension'])}\s+{re.escape(words['Calls'])}", text, re.M)
    charts = text[text.index("\n"):head.start()]              # between the title and the table's heading
    for label in ("Calls", "Talk", "Cost"):
        assert re.search(rf"^\s*{re.escape(words[label])}\s*$", charts, re.M), (label, charts[:800])
    assert re.search(r"\b\d+:\d\d:\d\d\b", charts)                    # the talk axis as durations


def test_bands_are_named_in_the_users_language_and_sort_by_size(app):
    """Issue 20 audit (make run, nb and tr): the talk-time and answer-time bands were shown as their keys ('1-3min',
    '0-5s', 'unanswered' in English); and a click on the band column sorted them as text ('1-3min' before
    '1-59s')."""
    client, _csrf = logged_in(app, "admin")

    def first_column(html: str) -> list[str]:
        body = html[html.index('<table class="report">'):]
        body = body[body.index("<tbody>"):body.index("</tbody>")]
        return [re.findall(r"<td>([^<]*)</td>", tr)[0] for tr in body.split("<tr>")[1:]]
    answer = client.get("/reports", q(dim1="answer_band", lang="nb")).text
    shown = first_column(answer)
    assert "Ikke besvart" in shown and "unanswered" not in answer.split('<table class="report">')[1]
    assert all(not re.search(r"\d(s|min)\b", t) for t in shown), shown
    natural = first_column(client.get("/reports", q(dim1="duration_band", lang="tr")).text)
    assert natural[:3] == ["0 sn", "1–59 sn", "1–3 dk"], natural
    by_column = first_column(client.get("/reports", q(dim1="duration_band", lang="tr", sort="duration_band",
                                                      desc="0")).text)
    assert by_column == natural
    assert first_column(client.get("/reports", q(dim1="duration_band", lang="tr", sort="duration_band",
                                                 desc="1")).text) == natural[::-1]


def test_the_page_charts_any_chosen_measure(app):
    """Issue 20: the page charted its first measure only (a `chart` parameter no form offered); now, with several
    measures, links name each and chart it, the one shown marked; one measure: no links."""
    client, _csrf = logged_in(app, "admin")
    html = client.get("/reports", {**JULY, "run": "1", "dim1": "extension", "m": ["calls", "talk", "cost"],
                                   "lang": "tr"}).text
    nav = re.search(r'<nav class="tabs chart-measures"[^>]*>(.*?)</nav>', html, re.S).group(1)
    links = dict((label, href) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav))
    assert len(links) == 3 and list(links)[0] == "Çağrılar", links
    assert 'aria-current="true">' + list(links)[0] in nav                # the first measure is charted
    talk = client.get(list(links.values())[1].replace("&amp;", "&") + "&lang=tr").text
    data = re.search(r'id="chart-data">(.*?)</script>', talk).group(1)
    assert list(json.loads(data)["series"]) == [list(links)[1]], data[:300]   # the talk time charted
    assert 'aria-current="true">' + list(links)[1] in talk
    one = client.get("/reports", {**JULY, "run": "1", "dim1": "extension", "m": ["calls"]}).text
    assert "chart-measures" not in one and '<canvas id="chart"' in one
