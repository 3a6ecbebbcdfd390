"""The dialer's pages in-process: a supervisor makes a campaign from a CSV upload (a bad file refused as a whole with
file, line and column, invalid numbers listed), an agent joins, is shown the contact with its fields, asks for the
call (which only the loop dials), sets the result; progress, export, the do-not-call list, pause; tenants apart."""
from __future__ import annotations

import csv
import io
import time

import pytest

from appliance import store
from appliance.directory import organisation as directory
from appliance.store import directory as sd
from dialer_helpers import scripted_dialer
from web_helpers import logged_in
from webui import db as webdb
from webui.app import make_app

CSV = ("number,name,company\n"
       "0532 123 45 67,Ayşe Demir,Acme\n"
       "12,Short,X\n"
       "0212 555 12 34,Kemal Öztürk,Beta\n").encode()
ALWAYS = "mon-sun 00:00-24:00"


@pytest.fixture
def app(tmp_path):
    (tmp_path / "callbox.ini").write_text("[numbers]\ncountry = TR\narea_codes = 212\n[pbx]\ntimezone = "
                                          "Europe/Istanbul\n", encoding="utf-8")
    store.open_db(tmp_path / "callbox.db")
    tid = sd.tenant_id("default", create=True)
    pid = directory.add_person(tid, "elif", "Elif", "Demir")
    directory.assign_extension(tid, pid, "201", None)
    store.close_db()
    yield make_app(tmp_path)
    store.close_db()


def new_campaign(client, csrf, data=CSV, filename="spring.csv", status=303, **kw):
    form = {"csrf_token": csrf, "code": "spring", "name": "Spring offer", "mode": "preview",
            "timezone": "Europe/Istanbul", "windows": ALWAYS, "max_attempts": "3", "retry_busy_min": "10",
            "retry_no_answer_min": "60", "retry_failed_min": "30", **kw}
    return client.post("/dialer/campaigns", form, upload_files=[("file", filename, data)], status=status)


def tick(app, outcomes):
    """One pass of the dialing loop on the app's database (the jobs process's, here in the test)."""
    d, sent = scripted_dialer(outcomes, clock=time.time)
    with webdb.write_access(DATA[0], webdb.MODELS_DIALER):
        d.tick()
    return sent


DATA: list = []


@pytest.fixture(autouse=True)
def remember(tmp_path):
    DATA[:] = [tmp_path]


def test_a_supervisor_makes_a_campaign_and_sees_the_invalid_numbers(app):
    client, csrf = logged_in(app, "sema", "supervisor", "tenant", "default")
    resp = new_campaign(client, csrf).follow()
    assert "Spring offer" in resp.text
    assert [c.text for c in resp.html.select("#campaign-invalid td")] == ["3", "12", "not a valid phone number"]
    listing = client.get("/dialer/campaigns")
    assert "0 / 2 (0.0 %)" in listing.html.select_one("#campaigns").text


@pytest.mark.parametrize("data,where", [
    (b"number,name\n0532 123 45 67,A\n0212 555 12 34,B,extra\n",
     "bad.csv, line 3, column 3: 3 cells, the header has 2"),
    (b"name,company\nA,B\n", "bad.csv, line 1: no number column"),
    (b"number,name\n0532 123 45 67,\xfe\n", "bad.csv, line 2, column 2: not UTF-8")])
def test_a_bad_csv_is_refused_as_a_whole_naming_file_line_and_column(app, data, where):
    client, csrf = logged_in(app, "sema", "supervisor", "tenant", "default")
    resp = new_campaign(client, csrf, data, "bad.csv", status=400)
    assert where in resp.html.select_one("#error").text and "nothing was stored" in resp.text
    assert "No campaigns yet" in client.get("/dialer/campaigns").text
    assert resp.html.select_one("input[name=code]")["value"] == "spring"     # the form is kept


def test_the_agent_joins_sees_the_fields_calls_and_sets_the_result(app):
    sup, scsrf = logged_in(app, "sema", "supervisor", "tenant", "default")
    new_campaign(sup, scsrf)
    client, csrf = logged_in(app, "elif", "staff", "own", "default", "elif")
    page = client.get("/dialer")
    assert "Spring offer" in page.html.select_one("#dialer-campaigns").text
    client.post("/dialer/join", {"csrf_token": csrf, "campaign": "1", "extension": "201"}, status=303)
    assert "No number for you now" in client.get("/dialer").text
    tick(app, {})
    page = client.get("/dialer")
    fields = page.html.select_one("#dialer-fields").text
    assert "Ayşe Demir" in fields and "Acme" in fields and "+905321234567" in page.text
    contact = page.html.select_one("#dialer-call-form input[name=contact]")["value"]
    client.post("/dialer/call", {"csrf_token": csrf, "contact": contact}, status=303)
    assert client.get("/dialer").html.select_one("#dialer-contact")["data-state"] == "queued"
    sent = tick(app, {"05321234567": ("Success", "4")})
    assert sent[0]["Channel"] == "Local/05321234567@from-internal" and sent[0]["Exten"] == "201"
    page = client.get("/dialer")
    assert page.html.select_one("#dialer-result-form") is not None
    r = client.post("/dialer/result", {"csrf_token": csrf, "contact": contact, "result": "Maybe"}, status=303)
    assert "error=result" in r.location
    client.post("/dialer/result", {"csrf_token": csrf, "contact": contact, "result": "Interested",
                                   "note": "Wants a demo on Friday"}, status=303)
    out = list(csv.DictReader(io.StringIO(sup.get("/dialer/campaigns/1/export.csv").text.lstrip("\ufeff"))))
    assert (out[0]["result"], out[0]["note"], out[0]["agent"], out[0]["name"]) == (
        "Interested", "Wants a demo on Friday", "elif", "Ayşe Demir")
    detail = sup.get("/dialer/campaigns/1")
    assert "Interested" in detail.html.select_one("#campaign-results").text
    assert detail.html.select_one('#campaign-outcomes tr[data-outcome="answered"] td.num').text == "1"


def test_a_stale_page_changes_nothing(app):
    sup, scsrf = logged_in(app, "sema", "supervisor", "tenant", "default")
    new_campaign(sup, scsrf)
    client, csrf = logged_in(app, "elif", "staff", "own", "default", "elif")
    r = client.post("/dialer/call", {"csrf_token": csrf, "contact": "1"}, status=303)
    assert "error=stale" in r.location
    r = client.post("/dialer/join", {"csrf_token": csrf, "campaign": "1", "extension": "999"}, status=303)
    assert "error=extension" in r.location


def test_the_do_not_call_list_from_the_web_wins(app):
    sup, scsrf = logged_in(app, "sema", "supervisor", "tenant", "default")
    sup.post("/dialer/dnc", {"csrf_token": scsrf, "number": "0532 123 45 67", "note": "asked"}, status=303)
    assert "+905321234567" in sup.get("/dialer/campaigns").html.select_one("#dnc-list").text
    new_campaign(sup, scsrf)
    assert "+905321234567" in sup.get("/dialer/campaigns/1").html.select_one("#campaign-dnc").text
    client, csrf = logged_in(app, "elif", "staff", "own", "default", "elif")
    client.post("/dialer/join", {"csrf_token": csrf, "campaign": "1", "extension": "201"}, status=303)
    tick(app, {})
    assert "+902125551234" in client.get("/dialer").html.select_one("#dialer-contact h2").text


def test_pause_and_tenants(app):
    sup, scsrf = logged_in(app, "sema", "supervisor", "tenant", "default")
    new_campaign(sup, scsrf)
    sup.post("/dialer/campaigns/1/state", {"csrf_token": scsrf, "state": "paused"}, status=303)
    assert sup.get("/dialer/campaigns/1").html.select_one("#campaign-state").text == "Paused"
    other, _ = logged_in(app, "boris", "supervisor", "tenant", "beta")
    other.get("/dialer/campaigns/1", status=404)
    assert "No campaigns yet" in other.get("/dialer/campaigns").text
    agent, _ = logged_in(app, "elif", "staff", "own", "default", "elif")
    assert "No campaign is running now" in agent.get("/dialer").text      # paused: not offered
    agent.get("/dialer/campaigns", status=403)


def test_progressive_ready_the_loop_dials_the_agent_sets_the_result(app):
    sup, scsrf = logged_in(app, "sema", "supervisor", "tenant", "default")
    new_campaign(sup, scsrf, mode="progressive")
    client, csrf = logged_in(app, "elif", "staff", "own", "default", "elif")
    client.post("/dialer/join", {"csrf_token": csrf, "campaign": "1", "extension": "201"}, status=303)
    assert client.get("/dialer").html.select_one("#dialer-ready") is not None
    assert tick(app, {}) == []                          # joined, not ready: nothing dialled
    client.post("/dialer/ready", {"csrf_token": csrf, "ready": "1"}, status=303)
    page = client.get("/dialer")
    assert page.html.select_one("#dialer-ready-state").text == "Ready"
    assert page.html.select_one('meta[http-equiv="refresh"]')["content"] == "3; url=/dialer"
    sent = tick(app, {"05321234567": ("Success", "4")})
    assert [f["Channel"] for f in sent] == ["Local/05321234567@from-internal"]
    page = client.get("/dialer")
    assert page.html.select_one("#dialer-contact")["data-state"] == "connected"
    assert page.html.select_one('meta[http-equiv="refresh"]') is None    # the note being written is not lost
    contact = page.html.select_one("#dialer-result-form input[name=contact]")["value"]
    client.post("/dialer/result", {"csrf_token": csrf, "contact": contact, "result": "Not interested"}, status=303)
    assert tick(app, {"02125551234": ("Failure", "5")})[0]["Channel"] == "Local/02125551234@from-internal"
    assert "Busy" in client.get("/dialer").html.select_one("#dialer-last").text
    client.post("/dialer/ready", {"csrf_token": csrf, "ready": "0"}, status=303)
    assert tick(app, {}) == []
