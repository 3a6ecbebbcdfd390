"""A damaged callbox.db (issue 13, finding 8): the alert pass finds it, `callbox alert status` and the health
snapshot say so, `callbox db check` exits 1 and `callbox db rebuild` brings every call back from the journal,
keeping what the old file still holds of the directory and settings."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from appliance import health, store
from appliance.alerts import check
from appliance.cli import main as cli
from appliance.config import Config

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "appliance" / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
SETS = ["--set", "pbx.driver=avaya_ipoffice", "--set", "pbx.timezone=Europe/Warsaw"]
PEOPLE = ("tenant;branch;department;cost_centre;person_id;first_name;last_name;extensions;email;valid_from\n"
          "default;İzmir;Satış;;P1;Ayşe;Yılmaz;201;ayse@example.com;\n")


def imported(data: Path) -> Path:
    data.mkdir()
    assert cli.main(["import", "--data", str(data), "--driver", "avaya_ipoffice", *SETS[2:], str(SAMPLE)]) == 0
    store.close_db()
    return data


def damage_table(db_path: Path, table: str) -> None:
    """Overwrite the root page of `table` with garbage: what a torn write or a bad flash block leaves. The
    call and quarantine tables (the health snapshot's COUNT(*) probes) stay readable."""
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(db_path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xde\xad" * (size // 2))


def calls(data: Path, capsys) -> list[dict]:
    capsys.readouterr()
    assert cli.main(["calls", "--data", str(data), *SETS, "--json"]) == 0
    store.close_db()
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.fixture
def damaged(tmp_path):
    data = imported(tmp_path / "box")
    damage_table(data / "callbox.db", "leg")
    return data


@pytest.mark.usefixtures("roomy_data_partition")   # a whole alert pass, not about the disk
def test_a_damaged_leg_table_passes_the_old_probes_but_not_the_alert_pass(damaged, capsys):
    # what made it silent: the snapshot's COUNT(*) of call and quarantine still work
    assert health.snapshot(damaged, Config(text=""), 0).db_ok
    sent: list = []
    store.open_db(damaged / "callbox.db")
    try:
        check.evaluate(Config(text="[alerts]\nemail = noc@example.com\n"), damaged, 1_000_000, sent.append)
    finally:
        store.close_db()
    assert [a.trap for a in sent if a.kind == "trap"] == ["db_error"]
    assert [a.to for a in sent if a.kind == "email"] == [("noc@example.com",)]
    assert "is damaged: " in next(a for a in sent if a.kind == "trap").values["text"]
    h = health.snapshot(damaged, Config(text=""), 1_000_010)   # the web's and SNMP's view, from the pass
    assert not h.db_ok and "is damaged: " in h.db_error
    capsys.readouterr()
    assert cli.main(["alert", "status", "--data", str(damaged), "--json"]) == 0
    store.close_db()
    raised = json.loads(capsys.readouterr().out)["raised"]
    assert [r["key"] for r in raised] == ["db"] and "is damaged: " in raised[0]["detail"]


def test_db_check_exits_1_on_a_damaged_file_and_0_on_a_sound_one(damaged, tmp_path, capsys):
    capsys.readouterr()
    assert cli.main(["db", "check", "--data", str(damaged), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["check"] == "quick_check" and doc["problems"]
    sound = imported(tmp_path / "sound")
    capsys.readouterr()
    assert cli.main(["db", "check", "--data", str(sound), "--full", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == {**doc, "ok": True, "check": "integrity_check", "problems": []}


def test_db_rebuild_gives_the_calls_of_a_fresh_import_and_keeps_directory_and_settings(tmp_path, capsys):
    data = imported(tmp_path / "box")
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert cli.main(["directory", "import", "--data", str(data), *SETS, str(people)]) == 0
    assert cli.main(["timerange", "set", "--data", str(data), "lunch", "--days", "1-5", "--start", "12:00",
                     "--end", "13:00"]) == 0
    store.close_db()
    (data / "users.db").write_bytes(b"users: not touched")
    fresh = calls(imported(tmp_path / "fresh"), capsys)
    assert len(fresh) > 1000
    damage_table(data / "callbox.db", "leg")
    damage_table(data / "callbox.db", "call")
    assert cli.main(["db", "check", "--data", str(data)]) == 1
    capsys.readouterr()
    assert cli.main(["db", "rebuild", "--data", str(data), *SETS, "--json"]) == 0
    store.close_db()
    doc = json.loads(capsys.readouterr().out)
    assert doc["calls"] == len(fresh) and "call" in doc["rebuilt"] and doc["kept"]["person"]["copied"] == 1
    assert Path(doc["moved_to"]).exists() and Path(doc["moved_to"]).name.startswith("callbox.db.damaged-")
    assert calls(data, capsys) == fresh
    assert cli.main(["db", "check", "--data", str(data)]) == 0
    con = sqlite3.connect(data / "callbox.db")
    assert con.execute("SELECT first_name FROM person").fetchall() == [("Ayşe",)]
    assert con.execute("SELECT COUNT(*) FROM time_range WHERE name = 'lunch'").fetchone() == (1,)
    con.close()
    assert (data / "users.db").read_bytes() == b"users: not touched"


def test_when_the_outbox_cannot_take_the_alert_it_is_sent_directly_once(tmp_path):
    cfg = Config(text="[alerts]\nemail = noc@example.com\n").section("alerts")
    bad = health.Health(link_up=None, links=[], last_record_utc=None, last_record_age_s=None, records_today=0,
                        quarantine_total=0, quarantine_today=0, journal_bytes=0, journal_pct=0, disk_free_pct=50,
                        db_ok=False, db_error="database disk image is malformed")

    def outbox_broken(action):
        raise sqlite3.DatabaseError("database disk image is malformed")
    direct: list = []
    failing_once = iter([OSError("SMTP server down")])

    def flaky(action):            # the e-mail fails the first time, the trap goes
        if action.kind == "email" and (e := next(failing_once, None)):
            raise e
        direct.append(action)
    assert check._db_condition(cfg, tmp_path, bad, 100, outbox_broken, flaky) is False
    assert [a.kind for a in direct] == ["trap"]
    check._db_condition(cfg, tmp_path, bad, 160, outbox_broken, flaky)      # the e-mail again, not the trap
    check._db_condition(cfg, tmp_path, bad, 220, outbox_broken, flaky)      # nothing more
    assert [a.kind for a in direct] == ["trap", "email"] and direct[0].trap == "db_error"
    assert direct[1].to == ("noc@example.com",) and "malformed" in direct[1].body


@pytest.mark.usefixtures("roomy_data_partition")   # a whole alert pass, not about the disk
def test_the_whole_file_is_read_once_per_db_check_min_and_every_pass_once_damaged(tmp_path):
    """quick_check reads every page: at 10,000,000 calls on flash it was the alert pass's largest cost, every
    minute. Now once an hour by default; damage found is checked again at every pass until it is gone."""
    data = imported(tmp_path / "box")
    cfg = Config(text="[alerts]\nemail = noc@example.com\n")
    checked = lambda: json.loads((data / "run" / health.INTEGRITY_FILE).read_text())   # noqa: E731

    def one_pass(t: int) -> list:
        sent: list = []
        store.open_db(data / "callbox.db")
        try:
            check.evaluate(cfg, data, t, sent.append)
        finally:
            store.close_db()
        return [a.trap for a in sent if a.kind == "trap"]

    t0 = 1_000_000
    assert one_pass(t0) == [] and checked() == {"error": "", "checked_utc": t0}
    assert one_pass(t0 + 600) == [] and checked()["checked_utc"] == t0   # not read again within the hour
    damage_table(data / "callbox.db", "leg")
    assert one_pass(t0 + 1200) == [] and checked()["checked_utc"] == t0   # not due: not seen yet
    assert one_pass(t0 + 3600) == ["db_error"]
    assert checked()["checked_utc"] == t0 + 3600 and checked()["error"]
    one_pass(t0 + 3660)
    assert checked()["checked_utc"] == t0 + 3660   # damage: read again at every pass
    assert one_pass(t0 - 60) == [] and checked()["checked_utc"] == t0 - 60   # a clock set back: checked again
