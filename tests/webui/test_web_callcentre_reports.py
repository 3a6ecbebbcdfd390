"""The call-centre reports on the web (issue 15, CC-3) in-process: every report as `callbox queue report` gives it,
sorted, compared, exported as CSV and PDF; who may open them and which queues they see; Turkish."""
from __future__ import annotations

import csv
import io
import json

import pytest

from appliance import store
from appliance.callcentre import reports
from appliance.cli.main import main
from appliance.paths import Paths
from cc_helpers import feed
from conftest import FIXTURES
from test_journeys import DOCUMENTED
from web_helpers import logged_in
from webui.app import make_app
from webui.callcentre_reports import heading

ALL = {"range": "all"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = tmp_path_factory.mktemp("ccreports")
    (path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\n[callcentre]\nqueue_units =\n"
                                      "  sales = department Satış\n  support = department Destek\n",
                                      encoding="utf-8")
    freepbx = (FIXTURES / "asterisk_queue_log" / "axelliek-freepbx-queue9000-2010.raw").read_text().splitlines()
    feed(Paths(path), freepbx + DOCUMENTED)
    from appliance.directory import organisation
    from appliance.store import directory as sd
    tid = sd.tenant_id("default", create=True)
    for pid, dept in (("P1", "Satış"), ("P2", "Destek")):
        person = organisation.add_person(tid, pid, f"Ayşe {pid}", "Yılmaz")
        organisation.move_person(tid, person, None, department_id=sd.create_named(tid, "department", dept))
        if pid == "P1":
            organisation.assign_extension(tid, person, "201", None)      # P1 answers as PJSIP/201
    store.close_db()
    return path


@pytest.fixture
def app(data):
    application = make_app(data)
    yield application
    store.close_db()


def cli_report(data, name, capsys) -> dict:
    try:
        assert main(["queue", "report", name, "--data", str(data), "--json"]) == 0
    finally:
        store.close_db()
    return json.loads(capsys.readouterr().out)


def body_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[c.split(">", 1)[1].split("</td>", 1)[0] for c in tr.split("<td")[1:]] for tr in body.split("<tr>")[1:]]


def test_the_list_names_every_report(app):
    client, _ = logged_in(app, "admin")
    html = client.get("/callcentre/reports").text
    for name in reports.REPORTS:
        assert f'href="/callcentre/reports/{name}"' in html
    assert 'href="/callcentre/reports" ' not in html or "Call-centre reports" in html


@pytest.mark.parametrize("name", list(reports.REPORTS))
def test_every_report_page_csv_and_pdf(app, name, data, capsys):
    client, _ = logged_in(app, "admin")
    html = client.get(f"/callcentre/reports/{name}", ALL).text
    doc = cli_report(data, name, capsys)
    for column in doc["columns"]:            # every heading is a word, not a column name
        assert heading(column) != column or column.startswith("h")
        if doc["rows"] and column != "queue_call":      # the journeys' call id is their link, not a column
            assert f"<th>{heading(column)}</th>" in html or f">{heading(column)}</a>" in html
    if doc["rows"]:
        assert len(body_rows(html)) == len(doc["rows"])
    else:
        assert "No calls in this report." in html
    got = client.get(f"/callcentre/reports/{name}", {**ALL, "export": "csv"})
    assert got.content_type == "text/csv" and "attachment" in got.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(got.text)))
    assert len(table) == len(doc["rows"]) + 1 and len(table[0]) == len(doc["columns"])
    pdf = client.get(f"/callcentre/reports/{name}", {**ALL, "export": "pdf"})
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF")


def test_the_answered_by_wait_figures_and_sorting(app, data, capsys):
    client, _ = logged_in(app, "admin")
    doc = cli_report(data, "answered_by_wait", capsys)
    html = client.get("/callcentre/reports/answered_by_wait", ALL).text
    assert [r[0] for r in body_rows(html)] == [r[0] for r in doc["rows"]]            # bands in their natural order
    assert [r[1] for r in body_rows(html)] == [str(r[1]) for r in doc["rows"]]
    assert "chart-data" in html
    by_count = client.get("/callcentre/reports/answered_by_wait", {**ALL, "sort": "answered", "desc": "1"}).text
    counts = [int(r[1]) for r in body_rows(by_count)]
    assert counts == sorted(counts, reverse=True) and 'aria-sort="descending"' in by_count


def test_csv_headings_carry_their_unit(app):
    client, _ = logged_in(app, "admin")
    header = client.get("/callcentre/reports/queue_summary", {**ALL, "export": "csv"}).text.splitlines()[0]
    assert "ASA (s)" in header and "Service level (%)" in header


def test_compare_with_earlier_dates(app):
    client, _ = logged_in(app, "admin")
    html = client.get("/callcentre/reports/queue_summary", {"range": "custom", "since": "2023-11-14",
                                                            "until": "2023-11-16", "compare": "custom",
                                                            "before_since": "2010-02-01",
                                                            "before_until": "2010-03-01"}).text
    assert "Offered, period before" in html and "Change" in html
    assert client.get("/callcentre/reports/queue_summary", {**ALL, "compare": "previous"}, status=400)


def test_bad_input(app):
    client, _ = logged_in(app, "admin")
    client.get("/callcentre/reports/nonsense", status=404)
    assert "range" in client.get("/callcentre/reports/queue_summary", {"range": "custom", "since": "x"},
                                 status=400).text.lower()


@pytest.mark.parametrize("person, queues", [("P1", ["sales"]), ("P2", ["support"])])
def test_a_department_supervisor_sees_only_their_queues(app, person, queues):
    client, _ = logged_in(app, f"sup_{person}", "supervisor", "department", person=person)
    html = client.get("/callcentre/reports/queue_summary", ALL).text
    assert [r[0] for r in body_rows(html)] == queues
    other = "support" if queues == ["sales"] else "sales"
    html = client.get("/callcentre/reports/queue_summary", {**ALL, "queue": other}).text   # not theirs: nothing
    assert other not in [r[0] for r in body_rows(html)] if "<tbody>" in html else True
    csv_text = client.get("/callcentre/reports/transfers", {**ALL, "export": "csv"}).text
    assert other not in csv_text and "9000" not in csv_text


@pytest.mark.parametrize("role, scope", [("operator", "tenant"), ("staff", "own")])
def test_operators_and_staff_may_not(app, role, scope):
    client, _ = logged_in(app, f"{role}_{scope}", role, scope, person="P1" if scope == "own" else "")
    client.get("/callcentre/reports", status=403)
    client.get("/callcentre/reports/queue_summary", ALL, status=403)


def test_agents_are_named_from_the_directory_and_the_page_reads_turkish(app):
    client, _ = logged_in(app, "admin")
    html = client.get("/callcentre/reports/agent_performance", {**ALL, "lang": "tr"}).text
    assert "Ayşe P1 Yılmaz (PJSIP/201)" in html
    assert '<html lang="tr">' in html and "Temsilci" in html
