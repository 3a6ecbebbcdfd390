"""Delivery status is true (issue 13, finding 9): a schedule's last run shows what the outbox made of its copies,
queued, sent or failed (why), on /schedules and in `callbox schedule list --json`; the schedules and alerts
pages warn when e-mail or an upload target is not configured."""
from __future__ import annotations

import json

import pytest

from appliance import config, store
from appliance.cli.main import main
from appliance.delivery import outbox, schedules
from appliance.reports import engine as reports
from appliance.store import outbox as store_outbox
from appliance.store import reports as store_reports
from web_helpers import logged_in
from webui.app import make_app

NO_MAIL = "[pbx]\ntimezone = Europe/Istanbul\ntenant = default\n"
UPLOAD = "[upload]\ntargets = arsiv = sftp://rapor@files.example.com/raporlar?password_file=sftp.pw\n"
MAIL = "[mail]\nhost = 127.0.0.1\nport = 1\nfrom_address = callbox@example.com\n"


@pytest.fixture
def box(tmp_path):
    """A saved report and a schedule mailing it to boss@example.com, with no [mail] section: run once."""
    store.open_db(tmp_path / "callbox.db")
    spec = reports.Spec(("extension",), ("calls", "cost"), "this_month").as_dict()
    rid = store_reports.save_report("admin", "Calls by extension", spec)
    store.close_db()
    cfg = config.Config(text=NO_MAIL)
    logged_in(make_app(tmp_path, cfg), "admin")                      # the web account "admin" exists
    store.open_db(tmp_path / "callbox.db")                           # the jobs process
    s = schedules.add(cfg, tmp_path, "daily", "daily 07:00", rid, recipients=("user:admin=boss@example.com",))
    assert schedules.run_now(cfg, tmp_path, s.id).outcome == "ok"    # the copy is queued: that is all "ok" says
    yield tmp_path, s.id
    store.close_db()


def listed(data, capsys, cfg_text: str = NO_MAIL) -> dict:
    (data / "callbox.ini").write_text(cfg_text, encoding="utf-8")
    capsys.readouterr()
    assert main(["schedule", "list", "--data", str(data), "--json"]) == 0
    store.open_db(data / "callbox.db")
    return json.loads(capsys.readouterr().out)


def last_run_cell(app) -> str:
    html = logged_in(app, "admin")[0].get("/schedules").text
    return html.split('<td class="last-run">')[1].split("</td>")[0]


def test_a_run_whose_mail_cannot_be_sent_is_failed_with_the_reason(box, capsys):
    data, sid = box
    d = listed(data, capsys)
    assert (d["last_outcome"], d["last_delivery"], d["last_delivery_error"]) == ("ok", "queued", "")
    assert outbox.deliver_due(config.Config(text=NO_MAIL), data) == (0, 1)    # the jobs process tries it
    d = listed(data, capsys)
    assert d["last_outcome"] == "ok" and d["last_detail"][0]["status"] == "queued"   # kept as they were
    assert d["last_delivery"] == "failed" and "e-mail is not configured" in d["last_delivery_error"]
    store.close_db()
    app = make_app(data, config.Config(text=NO_MAIL))
    cell = last_run_cell(app)
    assert "failed (" in cell and "e-mail is not configured" in cell and "sent" not in cell
    for page in ("/schedules", "/alerts"):
        assert "E-mail is not set up" in logged_in(app, "admin")[0].get(page).text, page


def test_a_delivered_copy_is_sent_and_configured_mail_is_not_warned_about(box, capsys):
    data, sid = box
    claim = store_outbox.claim_next(2**40, 60)                               # as the mail deliverer does
    assert claim is not None and store_outbox.mark_delivered(claim, 2**31)
    assert listed(data, capsys, NO_MAIL + MAIL)["last_delivery"] == "sent"
    store.close_db()
    app = make_app(data, config.Config(text=NO_MAIL + MAIL))
    assert "sent" in last_run_cell(app)
    for page in ("/schedules", "/alerts"):
        assert "not-configured" not in logged_in(app, "admin")[0].get(page).text, page


def test_an_upload_target_that_is_gone_from_the_settings_is_warned_about(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    rid = store_reports.save_report("admin", "r", reports.Spec(("extension",), ("calls",), "this_month").as_dict())
    schedules.add(config.Config(text=NO_MAIL + UPLOAD), tmp_path, "up", "daily 07:00", rid, upload_target="arsiv")
    store.close_db()
    html = logged_in(make_app(tmp_path, config.Config(text=NO_MAIL + MAIL)), "admin")[0].get("/schedules").text
    assert "Upload target arsiv is not in [upload] targets" in html
    html = logged_in(make_app(tmp_path, config.Config(text=NO_MAIL + MAIL + UPLOAD)), "admin")[0].get("/schedules").text
    assert "not-configured" not in html
    store.close_db()
