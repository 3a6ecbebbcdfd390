"""Issue 20: the report pages read a call to a hunt group right, in English and Turkish: /reports by number or
extension names the group's number ("Satış (hunt group 8007)"), groups by the hunt_group dimension and filters on it
(a choice of the configured groups), and its PDF says the same; the missed-calls report names a hunt group's row.
IP Office records imported through the pipeline ([directory] hunt_groups 8007 = Satış); in-process (webtest)."""
from __future__ import annotations

import re
from html import unescape

import pytest

from appliance import store
from appliance.cli.main import main
from conftest import FIXTURES
from web_helpers import logged_in
from webui.app import make_app

RAW = FIXTURES / "avaya_ipoffice" / "constructed-30-35-fields-sip.raw"
JUNE = {"run": "1", "range": "custom", "since": "2014-06-01", "until": "2014-07-01", "m": "calls"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("reporthunt")
    (data / "callbox.ini").write_text("[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n[directory]\n"
                                      "hunt_groups =\n    8007 = Satış\n    200 = Main\n    8100 = Destek\n",
                                      encoding="utf-8")
    try:
        main(["import", "--driver", "avaya_ipoffice", str(RAW), "--data", str(data)])
    finally:
        store.close_db()
    yield make_app(data)
    store.close_db()


def _cells(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _rows(page: str) -> list[list[str]]:
    """A report table's rows: its dimension and its count (not the link to the calls)."""
    return [r[:2] for r in _cells(page)]


@pytest.mark.parametrize("lang, group, main, none", (
    ("en", "Satış (hunt group 8007)", "Main (hunt group 200)", "(no hunt group)"),
    ("tr", "Satış (arama grubu 8007)", "Main (arama grubu 200)", "(arama grubu yok)")))
def test_reports_name_group_and_filter_hunt_groups(app, lang, group, main, none):
    client, _csrf = logged_in(app, "admin")
    by_number = _rows(client.get("/reports", {**JUNE, "dim1": "number", "lang": lang}).text)
    assert by_number == [[group, "1"]]
    by_extension = _rows(client.get("/reports", {**JUNE, "dim1": "extension", "lang": lang}).text)
    assert by_extension == [["8004", "1"]]                   # 8004 is no group: its number
    page = client.get("/reports", {**JUNE, "dim1": "hunt_group", "dim2": "direction", "lang": lang}).text
    assert _cells(page)[0][0] == group
    # the filter: a choice of the configured groups, by their names
    assert '<option value="8100">Destek (' in page and f'<option value="8007">{group}</option>' in unescape(page)
    everything = {**JUNE, "since": "2014-01-01", "until": "2019-01-01"}
    by_group = _rows(client.get("/reports", {**everything, "dim1": "hunt_group", "lang": lang}).text)
    assert [r[0] for r in by_group] == [none, main, group]   # 200: the call IP Office hunted through "Main"
    chosen = _rows(client.get("/reports", {**everything, "dim1": "month", "hunt_group": "8007", "lang": lang}).text)
    assert chosen == [["2014-06", "1"]]
    pdf = client.get("/reports.pdf", {**JUNE, "dim1": "number", "lang": lang})
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF")


def test_the_missed_calls_report_names_a_hunt_groups_row(app):
    client, _csrf = logged_in(app, "admin")
    page = client.get("/reports/missed", {"run": "1", "range": "custom", "since": "2014-01-01", "until": "2019-01-01",
                                          "by": "extension", "lang": "tr"}).text
    names = {row[0]: row[1] for row in _cells(page)}        # extension -> its row's name
    assert names == {"200": "Main (arama grubu 200)", "301": "", "305": ""}


def test_no_hunt_group_choice_on_the_report_form_without_groups(app):
    """Issue 20: with [directory] hunt_groups empty the form offers neither "Break down by: Hunt group" nor the
    hunt group filter; a report by hunt group asked for all the same (a saved one) keeps its choice."""
    client, _csrf = logged_in(app, "admin")
    offered = client.get("/reports", {"lang": "en"}).text
    assert '<option value="hunt_group"' in offered and '<select name="hunt_group">' in offered
    setting = app.config["callbox.hunt_groups"]
    app.config["callbox.hunt_groups"] = lambda: {}
    try:
        page = client.get("/reports", {"lang": "en"}).text
        asked = client.get("/reports", {**JUNE, "dim1": "hunt_group", "lang": "en"}).text
    finally:
        app.config["callbox.hunt_groups"] = setting
    assert 'value="hunt_group"' not in page and 'name="hunt_group"' not in page
    assert '<option value="hunt_group" selected>' in asked
