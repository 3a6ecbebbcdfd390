"""Background jobs: the periodic directory sync in huey's immediate mode, and the real consumer process."""
import logging
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime

import pytest

from appliance import jobs
from appliance.config import Config, ConfigError
from appliance.directory.organisation import attribute
from appliance.directory.sync import last_report
from appliance.store import directory as sd
from conftest import REPO

EXAMPLE = REPO / "provisioning" / "directory" / "example.csv"


def cfg_text(csv=EXAMPLE, extra=""):
    return f"[directory]\ntenant = acme\ncsv = {csv}\n{extra}"


@pytest.fixture
def immediate(db, tmp_path):
    """jobs configured in immediate mode on a fresh store; the argument is the INI text."""
    def configure(text):
        return jobs.configure(tmp_path, Config(text=text), immediate=True)
    yield configure
    jobs.huey = jobs.sync_directory = None


def huey_errors(caplog):
    return [r for r in caplog.records if r.name.startswith("huey") and r.levelno >= logging.ERROR]


def test_the_periodic_task_syncs_the_directory_and_stores_the_report(immediate, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    immediate(cfg_text())
    assert not (tmp_path / jobs.FILE_NAME).exists(), "immediate mode must not create huey.db"
    jobs.sync_directory()
    report = last_report()
    assert report["kind"] == "sync" and report["applied"] and report["sources"] == {"csv": 5}
    assert [p["kind"] for p in report["problems"]] == ["unknown_tenant"]   # the example's 'beta' row
    acme = sd.tenant_id("acme")
    assert attribute(acme, "214", int(time.time())).name == "Ayşe Demir"
    assert attribute(acme, "215", int(time.time())).department == "Кабини"
    lines = [r.getMessage() for r in caplog.records if r.name == "appliance.jobs"]
    assert lines == ["directory sync: csv 5 people; changes 13 (new_branch 3, new_cost_centre 3, "
                     "new_department 3, new_person 4); problems 1 (unknown_tenant 1)"]
    jobs.sync_directory()   # the next period: nothing changed
    assert last_report()["changes"] == [] and sd.SyncRun.select().count() == 2


def test_a_missing_source_is_logged_as_an_error_and_retried_next_period(immediate, tmp_path, caplog):
    missing = tmp_path / "gone.csv"
    immediate(cfg_text(missing))
    jobs.sync_directory()   # does not raise
    errors = [r for r in caplog.records if r.name == "appliance.jobs" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and "nothing changed" in errors[0].getMessage()
    assert "gone.csv" in errors[0].getMessage() and "No such file" in errors[0].getMessage()
    assert not huey_errors(caplog), "the task must handle a failing source itself"
    report = last_report()
    assert not report["applied"] and report["problems"][0]["kind"] == "source_error"
    missing.write_bytes(EXAMPLE.read_bytes())   # fixed before the next period
    jobs.sync_directory()
    assert last_report()["applied"] and sd.tenant_id("acme") is not None


def test_a_misconfigured_directory_is_logged_and_does_not_raise(immediate, caplog):
    immediate(cfg_text(extra="precedence = csv, ad\n"))
    jobs.sync_directory()
    errors = [r.getMessage() for r in caplog.records if r.name == "appliance.jobs"]
    assert errors == ["directory sync not run: [directory] precedence: 'csv, ad': sources are csv and ldap"]
    assert not huey_errors(caplog) and last_report() is None


def test_without_a_source_the_task_does_nothing(immediate, caplog):
    immediate("")
    jobs.sync_directory()
    assert last_report() is None and not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_schedule_comes_from_sync_every_min_and_0_turns_it_off(immediate):
    at = datetime(2026, 3, 29, 1, 0)   # naive UTC, as huey passes it

    def syncs(h, when):   # other periodic tasks (outbox, alerts) run every minute
        return [t.name for t in h.read_periodic(when) if t.name == "sync_directory"]
    h = immediate(cfg_text())           # default 60: on every hour
    assert syncs(h, at) == ["sync_directory"]
    assert syncs(h, datetime(2026, 3, 29, 1, 1)) == []
    h = immediate(cfg_text(extra="sync_every_min = 1\n"))
    assert syncs(h, datetime(2026, 3, 29, 1, 1)) == ["sync_directory"]
    h = immediate(cfg_text(extra="sync_every_min = 0\n"))
    assert jobs.sync_directory is None and syncs(h, at) == []
    with pytest.raises(ConfigError, match=r"\[directory\] sync_every_min: -5 is below the minimum"):
        immediate(cfg_text(extra="sync_every_min = -5\n"))


@pytest.mark.parametrize("every, hh_mm, due", [
    (60, (0, 0), True), (60, (13, 0), True), (60, (13, 30), False),
    (15, (13, 45), True), (15, (13, 50), False), (1440, (0, 0), True), (1440, (12, 0), False),
    (90, (1, 30), True), (90, (3, 0), True), (90, (2, 0), False),
])
def test_every_minutes_falls_on_multiples_of_n_utc_minutes(every, hh_mm, due):
    assert jobs.every_minutes(every)(datetime(2026, 10, 25, *hh_mm)) is due


def sync_runs(data):
    db = data / "callbox.db"
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT COUNT(*) FROM sync_run").fetchone()[0]
    except sqlite3.OperationalError:   # the table is not there yet
        return 0
    finally:
        con.close()


@pytest.mark.slow
def test_the_consumer_process_syncs_at_start_and_stops_on_sigterm(tmp_path):
    data = tmp_path / "var"
    data.mkdir()
    (data / "callbox.ini").write_text(cfg_text(extra="sync_every_min = 1\n"), encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "appliance.procs", "jobs", "--data", str(data)], cwd=REPO,
                            stderr=subprocess.PIPE, text=True)
    try:
        while sync_runs(data) == 0:   # huey checks periodic tasks when the consumer starts
            assert time.monotonic() - started < 45, "no directory sync within 45 s of the consumer's start"
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.1)
        assert (data / jobs.FILE_NAME).exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        rc = proc.wait(10)
        stopped_in = time.monotonic() - stopping
        err = proc.stderr.read()
    assert rc == 0 and stopped_in < 5, err
    assert "Shutting down gracefully" in err and "Consumer exiting" in err
    log = (data / "log" / "jobs.log").read_text(encoding="utf-8")
    assert "directory sync: csv 5 people; changes 13" in log


def test_the_consumer_process_refuses_a_bad_setting_with_one_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "appliance.procs", "jobs", "--data", str(tmp_path),
                          "--set", "directory.sync_every_min=hourly"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1] == \
        "callbox-jobs: <defaults>: [directory] sync_every_min: 'hourly' is not a valid int (minutes)"
