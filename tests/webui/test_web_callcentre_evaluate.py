"""Call evaluation (issue 15, CC-5) in-process: a supervisor scores a queue call from the caller journeys report on
the configured form, the scores appear in the agent reports and the audit log; bad scores are refused with the values
kept; only who sees the call's queue may open or score it."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from appliance import store
from appliance.access import audit_text, users
from appliance.callcentre import evaluation
from appliance.cli.main import main
from appliance.config import ConfigError
from appliance.paths import Paths
from cc_helpers import feed
from test_journeys import DOCUMENTED, T
from web_helpers import logged_in
from webui.app import make_app

ALL = {"range": "all"}
FORM = "  Greeting = 5\n  Solved it = 10\n"


@pytest.fixture
def app(tmp_path):
    (tmp_path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\n[callcentre]\nqueue_units =\n"
                                          "  sales = department Satış\n  support = department Destek\n"
                                          f"evaluation_form =\n{FORM}", encoding="utf-8")
    feed(Paths(tmp_path), DOCUMENTED)
    from appliance.directory import organisation
    from appliance.store import directory as sd
    tid = sd.tenant_id("default", create=True)
    for pid, dept in (("P1", "Satış"), ("P2", "Destek")):
        person = organisation.add_person(tid, pid, pid, "Test")
        organisation.move_person(tid, person, None, department_id=sd.create_named(tid, "department", dept))
    qcid = store.db.execute_sql("SELECT id FROM queue_call WHERE call_key = ? AND queue = 'sales'",
                                (f"{T}.1",)).fetchone()[0]          # call A: PJSIP/201 answered it
    store.close_db()
    application = make_app(tmp_path)
    application.config["test.qcid"] = qcid
    application.config["test.data"] = tmp_path
    yield application
    store.close_db()


def test_a_supervisor_scores_a_call_and_the_agent_reports_show_it(app, capsys):
    client, csrf = logged_in(app, "sup", "supervisor", "department", person="P1")
    qcid = app.config["test.qcid"]
    journeys = client.get("/callcentre/reports/caller_journeys", {**ALL, "caller": "612345678"}).text
    assert f'href="/callcentre/evaluate/{qcid}"' in journeys and ">Evaluate<" in journeys
    page = client.get(f"/callcentre/evaluate/{qcid}").text
    assert "Greeting" in page and "Solved it" in page and "PJSIP/201" in page
    scores = {"csrf_token": csrf, "c0": "4", "c1": "8", "note": "Çok iyi, ama özetlemedi."}
    done = client.post(f"/callcentre/evaluate/{qcid}", scores, status=303)
    assert done.headers["Location"].endswith(f"/callcentre/evaluate/{qcid}?done=1")
    again = client.get(f"/callcentre/evaluate/{qcid}?done=1").text
    assert "Saved." in again and "Çok iyi, ama özetlemedi." in again and "Greeting 4/5" in again
    exported = client.get("/callcentre/reports/agent_performance", {**ALL, "export": "csv"}).text
    perf = list(csv.reader(io.StringIO(exported)))
    header, rows = perf[0], perf[1:]
    row = next(r for r in rows if r[0] == "PJSIP/201")
    assert row[header.index("Evaluated")] == "1" and float(row[header.index("Score (%)")]) == round(100 * 12 / 15, 2)
    try:
        assert main(["queue", "report", "call_evaluations", "--data", str(app.config["test.data"]), "--json"]) == 0
    finally:
        store.close_db()
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"] == [["PJSIP/201", 1, 12, 15, 80.0]]
    with users.users_db.connection_context():
        (entry,) = [e for e in users.audit_log() if e["action"] == "call_evaluated"]
    assert entry["actor"] == "sup" and entry["target"] == f"queue call {qcid}"
    assert audit_text.english(entry["detail"]) == "12 of 15 points, agent PJSIP/201"


def test_bad_scores_are_refused_and_the_values_kept(app):
    client, csrf = logged_in(app, "admin")
    qcid = app.config["test.qcid"]
    for bad in ({"c0": "6", "c1": "1"}, {"c0": "-1", "c1": "1"}, {"c0": "2"}, {"c0": "x", "c1": "1"}):
        page = client.post(f"/callcentre/evaluate/{qcid}", {"csrf_token": csrf, "note": "kept", **bad}, status=400)
        assert re.search(r"(Greeting|Solved it): a whole number from 0 to (5|10)", page.text)
        assert ">kept</textarea>" in page.text
    client.post(f"/callcentre/evaluate/{qcid}", {"c0": "1", "c1": "1"}, status=403)           # no CSRF token
    client.get("/callcentre/evaluate/999999999", status=404)
    client.get("/callcentre/evaluate/x", status=404)


@pytest.mark.parametrize("role, scope, person, status", [
    ("supervisor", "department", "P1", 200),       # sales is Satış's queue
    ("supervisor", "department", "P2", 404),       # Destek's supervisor: not their queue
    ("operator", "tenant", "", 403), ("staff", "own", "P1", 403)])
def test_only_who_sees_the_queue_may_open_or_score(app, role, scope, person, status):
    client, csrf = logged_in(app, f"{role}-{person}", role, scope, person=person)
    qcid = app.config["test.qcid"]
    client.get(f"/callcentre/evaluate/{qcid}", status=status)
    client.post(f"/callcentre/evaluate/{qcid}", {"csrf_token": csrf, "c0": "1", "c1": "1"},
                status=303 if status == 200 else status)


def test_the_form_setting_is_checked():
    assert evaluation.parse("Greeting = 5\nSolved = 10") == (("Greeting", 5), ("Solved", 10))
    for bad in ("Greeting", "Greeting = 0", "Greeting = 101", "Greeting = 5\nGreeting = 3", "= 4"):
        with pytest.raises(ConfigError, match="evaluation_form: line"):
            evaluation.parse(bad)
