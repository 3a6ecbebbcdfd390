"""Data-flow alerts (CAP-7): business hours (DST), no data, link down, parse failures, journal, database,
directory sync."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from appliance import health, store
from appliance.alerts import check
from appliance.alerts import conditions as alert_health
from appliance.alerts import state as alerts
from appliance.config import Config, ConfigError
from appliance.ingest.parse import ref_id
from appliance.journal import JournalWriter
from appliance.store import alerts as sa
from appliance.store import outbox as store_outbox

# whole alert passes (evaluate, the jobs process, the CLI): the machine's disk is not what these tests are about
# (tests/conftest.py); the tests of the disk alert give their Health themselves
pytestmark = pytest.mark.usefixtures("roomy_data_partition")
WARSAW = ZoneInfo("Europe/Warsaw")
WEEKDAYS = alert_health.parse_schedule("mon-fri 08:00-18:00")
HEALTHY = health.Health(link_up=True, links=[("tcp:10.0.0.5:1150", True, 0)], last_record_utc=None,
                        last_record_age_s=None, records_today=0, quarantine_total=0, quarantine_today=0,
                        journal_bytes=0, journal_pct=10, disk_free_pct=60, db_ok=True, db_error="",
                        capture_state="running")


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=WARSAW).timestamp())


def settings(text: str = ""):
    return Config(text="[pbx]\ntimezone = Europe/Warsaw\n[alerts]\nemail = noc@example.com\n" + text)


class Sent(list):
    def traps(self) -> list[tuple[str, str]]:
        return [(a.trap, a.values["source"]) for a in self if a.kind == "trap"]


def test_schedules_are_read_per_weekday():
    s = alert_health.parse_schedule("mon-fri 08:00-12:30 13:30-18:00, sat 09:00-13:00, fri-mon 20:00-24:00")
    assert s[0] == ((480, 750), (810, 1080), (1200, 1440)) and s[6] == ((1200, 1440),)
    assert s[5] == ((540, 780), (1200, 1440))
    assert s[2] == ((480, 750), (810, 1080))
    assert alert_health.parse_schedule("always") == alert_health.parse_schedule("daily 00:00-24:00")
    hours = alert_health.parse_hours("* = always\ntcp:10.0.0.5: = mon-fri 08:00-18:00\ntcp:10.0.0. = sat 10:00-11:00")
    assert [p for p, _ in hours] == ["tcp:10.0.0.5:", "tcp:10.0.0.", "*"]
    assert alert_health.key_of("tcp:10.0.0.5:40123", ("tcp:10.0.0.5:", "*")) == "tcp:10.0.0.5:"
    assert alert_health.key_of("serial:/dev/ttyUSB0", ("tcp:10.0.0.5:",)) is None


@pytest.mark.parametrize("text, message", [
    ("mon-fri 18:00-08:00", "split one across midnight"),
    ("weekdays 08:00-18:00", "'weekdays' is not a day"),
    ("mon-fri", "expected DAYS HH:MM-HH:MM"),
    ("mon 08:00-24:30", "not a time range"),
])
def test_a_bad_schedule_names_the_problem(text, message):
    with pytest.raises(ConfigError, match=message):
        alert_health.parse_schedule(text)
    with pytest.raises(ConfigError, match="line 2"):
        alert_health.parse_hours(f"* = always\ntcp: = {text}")


def test_business_seconds_count_only_the_hours_and_follow_dst():
    bs = alert_health.business_seconds
    assert bs(WEEKDAYS, WARSAW, at("2026-03-06T17:55"), at("2026-03-09T08:30")) == 35 * 60   # Fri -> Mon
    assert bs(WEEKDAYS, WARSAW, at("2026-03-07T10:00"), at("2026-03-08T23:00")) == 0         # a weekend
    daily = alert_health.parse_schedule("daily 00:00-24:00")
    assert bs(daily, WARSAW, at("2026-03-29T00:00"), at("2026-03-30T00:00")) == 23 * 3600    # spring forward
    assert bs(daily, WARSAW, at("2026-10-25T00:00"), at("2026-10-26T00:00")) == 25 * 3600    # fall back
    night = alert_health.parse_schedule("sun 01:00-04:00")
    assert bs(night, WARSAW, at("2026-03-28T12:00"), at("2026-03-30T00:00")) == 2 * 3600     # 02:00-03:00 skipped
    assert bs(WEEKDAYS, WARSAW, at("2026-03-09T09:00"), at("2026-03-09T09:00")) == 0


@pytest.fixture
def box(db, tmp_path):
    """A data directory whose journal the tests write, and a pass function returning what it queued."""
    jdir = tmp_path / "journal"
    writer = JournalWriter(jdir)

    def line(source: str, when: int, text: bytes = b"a call record\r\n") -> tuple[int, int]:
        return writer.append(text, source, received_ns=when * 10**9)

    def run(cfg: Config, now: int, h: health.Health = HEALTHY) -> Sent:
        writer.sync()
        sent = Sent()
        alert_health.check(cfg, cfg.section("alerts"), tmp_path, h, now, sent.append)
        return sent
    yield line, run
    writer.close()


def test_no_data_in_business_hours_raises_once_and_clears_when_a_line_arrives(box):
    line, run = box
    cfg = settings("no_data_min = 60\n")
    line("tcp:10.0.0.5:40000", at("2026-03-06T17:55"))                 # Friday evening
    assert run(cfg, at("2026-03-06T18:30")) == []
    assert run(cfg, at("2026-03-08T12:00")) == []                      # Sunday: no business hours
    assert run(cfg, at("2026-03-09T08:54")) == []                      # 5 + 54 minutes: not yet 60
    sent = run(cfg, at("2026-03-09T08:55"))
    assert sent.traps() == [("no_data", "*")]
    assert sent[0].values["value"] == 60 and "last line 2026-03-06 17:55 CET" in sent[0].values["text"]
    assert [a.to for a in sent if a.kind == "email"] == [("noc@example.com",)]
    for minute in range(1, 30):                                        # raised once, not every pass
        assert run(cfg, at("2026-03-09T09:00") + minute * 60) == []
    line("tcp:10.0.0.5:40001", at("2026-03-09T09:31"))
    assert run(cfg, at("2026-03-09T09:32")).traps() == [("data_resumed", "*")]
    assert run(cfg, at("2026-03-09T09:33")) == []


def test_each_source_has_its_own_hours(box):
    line, run = box
    cfg = settings("no_data_min = 30\nbusiness_hours = tcp:10.0.0.5: = daily 00:00-24:00\n"
                   "  tcp:10.0.0.6: = mon-fri 08:00-18:00\n")
    t0 = at("2026-03-07T10:00")                                        # a Saturday
    line("tcp:10.0.0.5:1", t0)
    line("tcp:10.0.0.6:1", t0)
    assert run(cfg, t0 + 60) == []
    line("tcp:10.0.0.6:2", t0 + 1800)                                  # .6 still talks, .5 went quiet
    line("serial:/dev/ttyUSB0", t0 + 1800)                             # not watched: no entry matches it
    assert run(cfg, t0 + 1860).traps() == [("no_data", "tcp:10.0.0.5:")]
    assert run(cfg, at("2026-03-08T23:00")) == []                      # .6 silent only outside its hours
    assert run(cfg, at("2026-03-09T08:30")).traps() == [("no_data", "tcp:10.0.0.6:")]
    cfg = settings("no_data_min = 30\nbusiness_hours = tcp:10.0.0.6: = mon-fri 08:00-18:00\n")
    assert run(cfg, at("2026-03-09T08:31")).traps() == [("data_resumed", "tcp:10.0.0.5:")]   # no longer watched


def test_a_box_that_never_got_data_alerts_after_the_business_minutes_since_watching(box):
    _, run = box
    cfg = settings("no_data_min = 60\n")
    assert run(cfg, at("2026-03-09T07:00")) == []
    assert run(cfg, at("2026-03-09T08:59")) == []
    assert run(cfg, at("2026-03-09T09:00")).traps() == [("no_data", "*")]
    assert run(settings("no_data_min = 0\n"), at("2026-03-09T09:01")).traps() == [("data_resumed", "*")]


def test_a_link_down_is_raised_after_the_hold_time_and_cleared_once(box):
    _, run = box
    cfg = settings("link_down_s = 120\nno_data_min = 0\n")
    down = replace(HEALTHY, link_up=False, links=[("tcp:10.0.0.5:1150", False, 0)])
    t = at("2026-03-09T10:00")
    assert run(cfg, t, down) == []
    assert run(cfg, t + 60, down) == []
    assert run(cfg, t + 60, HEALTHY) == []                             # a blip shorter than the hold: nothing
    assert run(cfg, t + 120, down) == []
    sent = run(cfg, t + 240, down)
    assert sent.traps() == [("link_down", "tcp:10.0.0.5:1150")] and "PBX link down" in sent[0].values["text"]
    assert run(cfg, t + 300, replace(down, capture_state="stale")) == []
    assert run(cfg, t + 360, HEALTHY).traps() == [("link_up", "tcp:10.0.0.5:1150")]
    assert run(cfg, t + 420, replace(HEALTHY, link_up=None, links=[])) == []   # no capture status: not down


def test_parse_failures_over_the_share_in_the_window_raise_and_clear(box):
    line, run = box
    cfg = settings("no_data_min = 0\nparse_failure_pct = 10\nparse_failure_window_min = 60\nparse_failure_min = 5\n")
    t = at("2026-03-09T10:00")
    assert run(cfg, t) == []
    refs = [line("tcp:1", t + i) for i in range(40)]
    for i, ref in enumerate(refs):
        if i % 10 == 0:   # 4 of 40 quarantined: under the minimum count
            store.Quarantine.create(id=ref_id(ref), jseg=ref[0], joff=ref[1], received_ns=0, source="tcp:1",
                                    driver="x", reason="bad", line="?")
        else:
            store.Leg.create(id=ref_id(ref), call_id=ref_id(ref), driver="x", call_key="", start_utc=t, utc_offset=0,
                             direction="in", extension="1", party="2", trunk="", ring_s=0, talk_s=0,
                             answered=True, transferred=False, account_code="", jseg=ref[0], joff=ref[1])
    assert run(cfg, t + 60) == []
    ref = line("tcp:1", t + 61)
    store.Quarantine.create(id=ref_id(ref), jseg=ref[0], joff=ref[1], received_ns=0, source="tcp:1", driver="x",
                            reason="bad", line="?")
    sent = run(cfg, t + 120)                                           # 5 of 41 = 12%
    assert sent.traps() == [("parse_failures", "pbx")] and sent[0].values["value"] == 5
    assert "5 of 41 lines" in sent[0].values["text"]
    assert run(cfg, t + 180) == []
    assert run(cfg, t + 3700).traps() == [("parse_failures_cleared", "pbx")]   # the window moved past them


def test_journal_and_flash_usage_raise_with_hysteresis(box):
    _, run = box
    cfg = settings("no_data_min = 0\njournal_high_pct = 90\ndisk_low_pct = 10\n")
    t = at("2026-03-09T10:00")
    assert run(cfg, t, replace(HEALTHY, journal_pct=89)) == []
    assert run(cfg, t + 60, replace(HEALTHY, journal_pct=95)).traps() == [("journal_high", "journal")]
    assert run(cfg, t + 120, replace(HEALTHY, journal_pct=86)) == []   # still within 5 points
    assert run(cfg, t + 180, replace(HEALTHY, journal_pct=84)).traps() == [("journal_ok", "journal")]
    assert run(cfg, t + 240, replace(HEALTHY, disk_free_pct=9)).traps() == [("journal_high", "journal")]


def test_a_directory_sync_that_keeps_failing_raises_sync_failing_and_clears_when_it_works(box, tmp_path):
    """The real sync (appliance.directory_sync) against a CSV source that goes missing: one failed run is not
    yet "keeps failing", two are; the next run that applies clears it. A one-off import does not count."""
    from appliance.directory import sync as directory_sync
    _, run = box
    source, extra = tmp_path / "people.csv", tmp_path / "extra.csv"
    text = ("tenant;branch;department;cost_centre;person_id;first_name;last_name;extensions;email;valid_from\n"
            "default;İzmir;Satış;;P1;Ayşe;Yılmaz;201;ayse@example.com;\n")
    source.write_text(text, encoding="utf-8")
    extra.write_text(text, encoding="utf-8")
    cfg = settings(f"no_data_min = 0\n[directory]\ncsv = {source}\n")
    t = at("2026-03-09T10:00")
    assert directory_sync.sync_once(cfg, t).applied and run(cfg, t) == []
    source.unlink()                                        # the file server holding the export is gone
    assert not directory_sync.sync_once(cfg, t + 600).applied
    assert run(cfg, t + 660) == []                          # one failure is not "keeps failing"
    assert directory_sync.import_file(extra, cfg, t + 700).applied   # an import between them does not count
    assert not directory_sync.sync_once(cfg, t + 1200).applied
    sent = run(cfg, t + 1260)
    assert sent.traps() == [("sync_failing", "directory")]
    assert "failed twice in a row" in sent[0].values["text"] and "people.csv" in sent[0].values["text"]
    assert [a.to for a in sent if a.kind == "email"] == [("noc@example.com",)]
    assert run(cfg, t + 1320) == []                         # raised once
    source.write_text(text, encoding="utf-8")
    assert directory_sync.sync_once(cfg, t + 1800).applied
    assert run(cfg, t + 1860).traps() == [("sync_ok", "directory")]


def test_a_database_error_is_raised_and_cleared_once(db, tmp_path):
    cfg = settings().section("alerts")
    sent = Sent()
    bad = replace(HEALTHY, db_ok=False, db_error="database disk image is malformed")
    assert check._db_condition(cfg, tmp_path, bad, 100, sent.append) is False
    assert check._db_condition(cfg, tmp_path, bad, 160, sent.append) is False
    assert check._db_condition(cfg, tmp_path, HEALTHY, 220, sent.append) is True
    assert check._db_condition(cfg, tmp_path, HEALTHY, 280, sent.append) is True
    assert sent.traps() == [("db_error", "database"), ("db_ok", "database")]
    assert "malformed" in sent[0].values["text"]


def test_a_database_alert_that_cannot_be_queued_is_retried(db, tmp_path):
    cfg = settings().section("alerts")
    bad = replace(HEALTHY, db_ok=False, db_error="locked")

    def broken(action):
        raise OSError("disk I/O error")
    check._db_condition(cfg, tmp_path, bad, 100, broken)
    sent = Sent()
    check._db_condition(cfg, tmp_path, bad, 160, sent.append)
    assert sent.traps() == [("db_error", "database")]


def test_a_whole_pass_queues_traps_and_mail_in_the_outbox_and_repeats_nothing(db, tmp_path):
    cfg = settings("no_data_min = 60\n")
    t = at("2026-03-09T08:00")
    assert check.evaluate(cfg, tmp_path, t) == 0
    assert check.evaluate(cfg, tmp_path, t + 3600) == 2               # no data since watching began
    assert check.evaluate(cfg, tmp_path, t + 3660) == 0
    Item = store_outbox.OutboxItem
    items = [(i.kind, json.loads(i.payload)) for i in Item.select().order_by(Item.id)]
    assert [k for k, _ in items] == ["trap", "email"]
    assert items[0][1]["name"] == "no_data" and items[0][1]["source"] == "*" and items[0][1]["value"] == 60
    assert items[1][1]["to"] == ["noc@example.com"] and items[1][1]["subject"].startswith("Callbox ALERT: no call")
    assert [r["key"] for r in alerts.raised()] == ["no_data:*"]
    assert sa.AlertCondition.get_by_id("no_data:*").raised


def test_the_jobs_process_runs_the_pass_every_minute(db, tmp_path):
    from appliance import jobs
    try:
        h = jobs.configure(tmp_path, settings("no_data_min = 0\n"), immediate=True)
        assert "evaluate_alerts" in {t.__name__ for t in h._registry._periodic_tasks}
        assert jobs.every_minutes(1)(datetime(2026, 3, 9, 10, 7))
        jobs.evaluate_alerts()
        assert sa.AlertCursor.get_by_id("journal") is not None        # the pass ran against this box
    finally:
        jobs.huey = jobs.sync_directory = None


def test_the_cli_runs_a_pass_and_shows_what_is_raised(db, tmp_path, capsys):
    from appliance.cli import main as cli
    store.close_db()
    base = ["--data", str(tmp_path), "--set", "alerts.business_hours=* = always", "--set", "alerts.no_data_min=1"]
    assert cli.main(["alert", "check", *base]) == 0
    assert capsys.readouterr().out == "0 e-mails/traps queued\n"
    store.open_db(tmp_path / "callbox.db")
    sa.AlertSource.update(watched_utc=sa.AlertSource.watched_utc - 120).execute()   # watched for 2 minutes
    store.close_db()
    assert cli.main(["alert", "check", *base]) == 0
    assert capsys.readouterr().out == "1 e-mails/traps queued\n"                     # a trap; no e-mail address
    assert cli.main(["alert", "status", *base, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in doc["raised"]] == ["no_data:*"] and doc["notices"] == []
    assert cli.main(["alert", "check", "--data", str(tmp_path), "--set", "alerts.business_hours=* = mon 9-17"]) == 2
    assert "not a time range" in capsys.readouterr().err
