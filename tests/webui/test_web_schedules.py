"""The schedules page in-process (webtest): list, add with the checks of `callbox schedule add`, remove, roles (box
administrators only), CSRF; a schedule added on the page is run by appliance.schedules like any other."""
from __future__ import annotations

import json
import re

import pytest

from appliance import config, store
from appliance.delivery import outbox, schedules
from appliance.reports import engine as reports
from appliance.store import reports as store_reports
from appliance.store import schedules as ss
from web_helpers import add_user, logged_in
from webui.app import make_app

CFG = ("[pbx]\ntimezone = Europe/Istanbul\ntenant = default\n"
       "[upload]\ntargets = arsiv = sftp://rapor@files.example.com/raporlar?password_file=sftp.pw\n")


@pytest.fixture
def report_id(tmp_path) -> int:
    """A saved report of the administrator "admin", in the database the worker created."""
    store.open_db(tmp_path / "callbox.db")
    spec = reports.Spec(("extension",), ("calls", "talk", "cost"), "this_month").as_dict()
    rid = store_reports.save_report("admin", "Çağrılar <by> extension", spec)
    store.close_db()
    yield rid
    store.close_db()


@pytest.fixture
def app(tmp_path, report_id):
    return make_app(tmp_path, config.Config(text=CFG))


def form(report_id: int, **fields) -> dict:
    base = {"name": "Haftalık özet", "when": "weekly mon 07:00", "report": str(report_id), "range": "last_week",
            "formats": ["pdf", "csv"], "recipients": "user:admin=boss@example.com\nperson:P12", "upload": "",
            "upload_name": "", "upload_as": "", "branch": ""}
    return {**base, **fields}


def stored() -> list[ss.Schedule]:
    with store.db.connection_context():
        return list(ss.Schedule.select().order_by(ss.Schedule.id))


def test_an_administrator_adds_lists_and_removes_a_schedule(app, report_id):
    client, csrf = logged_in(app, "admin")
    page = client.get("/schedules")
    assert "No schedule yet." in page.text and "Çağrılar &lt;by&gt; extension" in page.text
    assert re.search(r'<option value="arsiv"', page.text)                  # the [upload] targets
    resp = client.post("/schedules/add", {**form(report_id), "csrf_token": csrf}, status=303)
    assert resp.headers["Location"].endswith("/schedules?msg=added")
    [s] = stored()
    assert (s.name, s.rule, s.report_id, s.range, s.formats) == ("Haftalık özet", "weekly mon 07:00", report_id,
                                                                 "last_week", "pdf,csv")
    assert json.loads(s.recipients) == ["user:admin=boss@example.com", "person:P12"]
    assert s.created_by == "web:admin" and s.next_run_utc is not None
    page = client.get("/schedules?msg=added")
    assert "The schedule was added" in page.text and "Haftalık özet" in page.text
    assert "weekly mon 07:00" in page.text and "boss@example.com" in page.text
    client.post("/schedules/remove", {"id": str(s.id), "csrf_token": csrf}, status=303)
    assert stored() == [] and "No schedule yet." in client.get("/schedules").text


@pytest.mark.parametrize("fields, message", [
    ({"when": "fortnightly 07:00"}, "expected daily HH:MM"),
    ({"name": ""}, "a schedule needs a name"),
    ({"report": ""}, "Choose a saved report or template."),
    ({"report": "999"}, "999"),
    ({"formats": []}, "formats: one or more of pdf, csv"),
    ({"recipients": "", "upload": ""}, "a schedule needs recipients"),
    ({"recipients": "bob"}, "bob"),
    ({"upload": "nowhere"}, "no upload target 'nowhere'"),
    ({"upload_as": "ghost", "upload": "arsiv"}, "no web user 'ghost' to upload as"),
])
def test_a_bad_schedule_is_refused_with_the_reason_and_nothing_is_stored(app, report_id, fields, message):
    client, csrf = logged_in(app, "admin")
    page = client.post("/schedules/add", {**form(report_id, **fields), "csrf_token": csrf}, status=400)
    assert message in page.text.replace("&#039;", "'") and stored() == []
    if fields.get("name", "x"):
        assert 'value="' + fields.get("name", "Haftalık özet") + '"' in page.text   # the form keeps its values


def test_writes_need_the_csrf_token(app, report_id):
    client, csrf = logged_in(app, "admin")
    client.post("/schedules/add", form(report_id), status=403)
    client.post("/schedules/add", {**form(report_id), "csrf_token": csrf}, status=303)
    [s] = stored()
    client.post("/schedules/remove", {"id": str(s.id)}, status=403)
    assert len(stored()) == 1


@pytest.mark.parametrize("role, scope", [("administrator", "tenant"), ("supervisor", "tenant"), ("staff", "own")])
def test_only_administrators_of_the_whole_box(app, report_id, role, scope):
    add_user("someone", role, scope, person="P1" if scope == "own" else "")
    client, csrf = logged_in(app, "someone")
    assert 'href="/schedules"' not in client.get("/").text
    client.get("/schedules", status=403)
    client.post("/schedules/add", {**form(report_id), "csrf_token": csrf}, status=403)
    client.post("/schedules/run", {"id": "1", "csrf_token": csrf}, status=403)
    admin, _ = logged_in(app, "admin")
    assert 'href="/schedules"' in admin.get("/").text


def test_a_schedule_added_on_the_page_runs_and_queues_its_mail(app, report_id, tmp_path):
    client, csrf = logged_in(app, "admin")
    client.post("/schedules/add", {**form(report_id, recipients="user:admin=boss@example.com"),
                                   "csrf_token": csrf}, status=303)
    [s] = stored()
    store.open_db(tmp_path / "callbox.db")                 # the jobs process
    result = schedules.run_now(config.Config(text=CFG), tmp_path, s.id)
    assert result.outcome == "ok" and [i["status"] for i in result.items] == ["queued"]
    [item] = outbox.items()
    assert item.kind == "email" and "boss@example.com" in item.summary


def test_before_the_worker_created_the_database_the_page_says_so_and_writes_answer_503(tmp_path):
    app = make_app(tmp_path / "new", config.Config(text=CFG))
    client, csrf = logged_in(app, "admin")
    assert "No database yet" in client.get("/schedules").text
    client.post("/schedules/add", {**form(1), "csrf_token": csrf}, status=503)
    client.post("/schedules/remove", {"id": "1", "csrf_token": csrf}, status=503)
    assert not (tmp_path / "new" / "callbox.db").exists()


def test_send_now_asks_the_jobs_process_which_runs_it_once(app, report_id, tmp_path):
    client, csrf = logged_in(app, "admin")
    client.post("/schedules/add", {**form(report_id, recipients="user:admin=boss@example.com"),
                                   "csrf_token": csrf}, status=303)
    [s] = stored()
    client.post("/schedules/run", {"id": str(s.id)}, status=403)                      # no CSRF token
    resp = client.post("/schedules/run", {"id": str(s.id), "csrf_token": csrf}, status=303)
    assert resp.headers["Location"].endswith("/schedules?msg=requested")
    assert "sending…" in client.get("/schedules?msg=requested").text
    assert stored()[0].run_requested_by == "admin" and stored()[0].next_run_utc == s.next_run_utc
    store.open_db(tmp_path / "callbox.db")                 # the jobs process, at its next check
    [run] = schedules.check_due(config.Config(text=CFG), tmp_path)
    assert run.outcome == "ok" and [i["status"] for i in run.items] == ["note", "queued"]
    assert "sent now, as admin asked" in run.items[0]["detail"]
    assert schedules.check_due(config.Config(text=CFG), tmp_path) == []               # once
    [item] = outbox.items()
    assert item.kind == "email" and "boss@example.com" in item.summary
    [row] = ss.runs(s.id)
    assert row.manual and ss.Schedule.get_by_id(s.id).run_requested_by == ""
    store.close_db()
    assert "sending…" not in client.get("/schedules").text
    client.post("/schedules/run", {"id": "999", "csrf_token": csrf}, status=303)      # gone: nothing to run


def test_date_ranges_are_named_in_the_users_language(app, report_id):
    """Issue 20: the range keys (this_week, last_month...) were shown as stored on /schedules."""
    client, csrf = logged_in(app, "admin")
    client.post("/schedules/add", {**form(report_id, range="last_month"), "csrf_token": csrf}, status=303)
    page = client.get("/schedules", {"lang": "tr"}).text
    assert '<option value="last_month">Geçen ay</option>' in page and "<td>Geçen ay</td>" in page
    assert ">last_month<" not in page and ">this_week<" not in page
