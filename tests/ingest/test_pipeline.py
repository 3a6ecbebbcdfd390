"""Journal -> driver -> SQLite: grouping, time zones, quarantine, idempotent re-processing, a locked DB."""
import json
import sqlite3
import threading
import time
from datetime import datetime

import pytest

from appliance import config, store
from appliance.cli import main as cli
from appliance.ingest import parse
from appliance.ingest.worker import Worker, build_processor, process_all
from appliance.journal import JournalWriter
from appliance.paths import Paths
from conftest import FIXTURES
from appliance import localtime

IPO = FIXTURES / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw"


def ipo(start, talk="00:00:20", ring=7, direction="O", called="0612345678", internal=0, call_id=1000100, cont=0,
        p1="E201", p2="T9001"):
    """One 30-field IP Office SMDR record built to FORMATS.md §1."""
    return (f"{start},{talk},{ring},201,{direction},{called},{called},,{internal},{call_id},{cont},{p1},Anna,"
            f"{p2},Line 1.0,0,0,,,,,,,,,,,,,\r\n").encode()


def run_cli(capsys, *argv):
    try:
        rc = cli.main(list(argv))
    finally:
        store.close_db()
    out, err = capsys.readouterr()
    return rc, out, err


def dump(data):
    """Every stored call with its legs, without ids and journal references (they differ between runs)."""
    store.open_db(Paths(data).db)
    try:
        rows = store.db.execute_sql(
            "SELECT c.start_utc, c.utc_offset, c.direction, c.extension, c.party, c.trunk, c.ring_s, c.talk_s,"
            " c.answered, c.transferred, c.account_code, c.legs, c.call_key,"
            " (SELECT group_concat(l.start_utc || '/' || l.extension || '/' || l.talk_s, ' ') FROM leg l"
            "  WHERE l.call_id = c.id) FROM call c ORDER BY c.start_utc, c.call_key, c.extension").fetchall()
        quarantined = store.db.execute_sql("SELECT reason, line FROM quarantine ORDER BY id").fetchall()
    finally:
        store.close_db()
    return rows, quarantined


def import_(capsys, data, *files, driver="avaya_ipoffice", config_file=None):
    extra = ["--config", str(config_file)] if config_file else []
    rc, out, err = run_cli(capsys, "import", "--data", str(data), "--driver", driver, "--json", *extra,
                           *map(str, files))
    assert rc == 0, err
    return json.loads(out)


def test_import_of_the_real_ip_office_month(tmp_path, capsys):
    result = import_(capsys, tmp_path / "d", IPO)
    assert result == {"lines": 1443, "calls": result["calls"], "legs": 1442, "quarantined": 0,
                      "queue_events": 0, "duplicates": 0}   # + logger header
    assert 1400 < result["calls"] < 1442   # transfers group some legs
    rc, out, _ = run_cli(capsys, "calls", "--data", str(tmp_path / "d"), "--json")
    calls = [json.loads(line) for line in out.splitlines()]
    assert len(calls) == result["calls"]
    first = calls[0]
    assert set(first) >= {"id", "start", "direction", "extension", "party", "trunk", "ring_s", "talk_s", "answered",
                          "transferred", "legs", "account_code", "driver", "raw"}
    # re-importing the same file journals it again, but its records are stored already: none is stored twice,
    # and the count says so (issue 13, finding 7; tests/ingest/test_exactly_once.py)
    again = import_(capsys, tmp_path / "d", IPO)
    assert (again["legs"], again["duplicates"]) == (0, 1442)


def test_legs_with_one_call_id_are_one_call_and_a_reused_id_after_restart_is_not(tmp_path, capsys):
    src = tmp_path / "smdr.log"
    src.write_bytes(ipo("2017/08/02 10:15:00", call_id=1000018, cont=1, p2="E202") +
                    ipo("2017/08/02 10:15:00", talk="00:01:00", ring=3, call_id=1000018, p1="E202") +
                    ipo("2017/08/29 09:00:00", call_id=1000018))           # PBX restarted: the id comes back
    assert import_(capsys, tmp_path / "d", src) == {"lines": 3, "calls": 2, "legs": 3, "quarantined": 0,
                                                    "queue_events": 0, "duplicates": 0}
    rc, out, _ = run_cli(capsys, "calls", "--data", str(tmp_path / "d"), "--json")
    first, second = [json.loads(line) for line in out.splitlines()]
    assert (first["legs"], first["talk_s"], first["transferred"], len(first["raw"])) == (2, 80, True, 2)
    assert (second["legs"], second["talk_s"]) == (1, 20)
    rc, out, _ = run_cli(capsys, "calls", "--data", str(tmp_path / "d"), "--json", "--legs")
    legs = [json.loads(line) for line in out.splitlines()]
    assert [leg["call_id"] for leg in legs] == [first["id"], first["id"], second["id"]]


def test_pbx_local_times_are_stored_with_their_offset_across_dst(tmp_path, capsys):
    ini = tmp_path / "callbox.ini"
    ini.write_text("[pbx]\ntimezone = Europe/Warsaw\n")
    src = tmp_path / "smdr.log"
    src.write_bytes(ipo("2017/03/26 01:59:59", call_id=1) + ipo("2017/03/26 03:00:00", call_id=2) +
                    ipo("2017/03/26 02:30:00", call_id=3) +   # inside the spring gap: no clock showed it
                    ipo("2017/10/29 02:30:00", call_id=4) +   # the autumn overlap: first occurrence
                    ipo("2017/12/31 23:59:50", talk="00:10:00", call_id=5))   # over midnight and the year
    import_(capsys, tmp_path / "d", src, config_file=ini)
    rc, out, _ = run_cli(capsys, "calls", "--data", str(tmp_path / "d"), "--config", str(ini), "--json")
    starts = {c["call_key"]: c["start"] for c in map(json.loads, out.splitlines())}
    assert starts == {"1": "2017-03-26T01:59:59+01:00", "2": "2017-03-26T03:00:00+02:00",
                      "3": "2017-03-26T03:30:00+02:00", "4": "2017-10-29T02:30:00+02:00",
                      "5": "2017-12-31T23:59:50+01:00"}
    # --since/--until in PBX local time select by the true instant
    rc, out, _ = run_cli(capsys, "calls", "--data", str(tmp_path / "d"), "--config", str(ini), "--json",
                         "--since", "2017-03-26T03:00", "--until", "2017-10-29T02:30+01:00")
    assert [c["call_key"] for c in map(json.loads, out.splitlines())] == ["2", "3", "4"]


BAD = [b"\x00\x00\x00\x00\r\n", bytes(range(128, 256)) + b"\r\n", b"\xfe\xfe\x7f\x03garbage at the wrong baud\r\n",
       ipo("2017/08/02 10:15:00")[:40] + b"\r\n", b"A" * (1 << 20), ipo("2017/02/30 10:15:00")]


def test_bad_input_is_quarantined_with_a_reason_and_the_journal_keeps_it_exactly(tmp_path, capsys):
    src = tmp_path / "bad.log"
    good = ipo("2017/08/02 10:15:00")   # two calls around the bad lines (the same record twice would be stored once)
    src.write_bytes(good + b"".join(BAD) + ipo("2017/08/02 10:15:00", call_id=1000101))
    result = import_(capsys, tmp_path / "d", src)
    assert result["legs"] == 2 and result["quarantined"] >= len(BAD)
    rc, out, _ = run_cli(capsys, "quarantine", "--data", str(tmp_path / "d"), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert all(r["reason"] and r["ref"] and r["driver"] == "avaya_ipoffice" for r in rows)
    assert any("not a date" in r["reason"] for r in rows)
    from appliance.journal import read_from
    assert b"".join(e.data for e in read_from(Paths(tmp_path / "d").journal, (0, 0))) == src.read_bytes()


class Exploding:
    def parse(self, line):
        if "boom" in line:
            raise KeyError("a driver bug")
        return None


def test_a_driver_bug_quarantines_the_line_instead_of_stopping(db, tmp_path):
    with JournalWriter(tmp_path / "j") as w:
        w.append_many([(b"fine\n", 0), (b"boom\n", 0), (b"fine\n", 0)], "t")
    processor = parse.Processor("test", Exploding(), "utf-8", localtime.zone("UTC"), 3600)
    assert parse.parse_pending(tmp_path / "j", processor) == 3
    (q,) = store.Quarantine.select()
    assert q.reason.startswith("driver error: KeyError") and q.line == "boom"
    assert store.counts()["ignored"] == 2 and parse.cursor() != (0, 0)


def test_reprocess_is_idempotent_and_equals_a_fresh_import(tmp_path, capsys):
    data = tmp_path / "d"
    import_(capsys, data, IPO)
    before = dump(data)
    for _ in range(2):
        rc, out, err = run_cli(capsys, "reprocess", "--data", str(data), "--driver", "avaya_ipoffice", "--json")
        assert rc == 0, err
        assert json.loads(out)["lines"] == 1443
        assert dump(data) == before
    rc, out, _ = run_cli(capsys, "calls", "--data", str(data), "--json")
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    run_cli(capsys, "reprocess", "--data", str(data), "--driver", "avaya_ipoffice")
    rc, out, _ = run_cli(capsys, "calls", "--data", str(data), "--json")
    assert [json.loads(line)["id"] for line in out.splitlines()] == ids   # ids are stable too


def test_reprocess_of_a_time_range_replaces_only_that_range(tmp_path, capsys):
    data = tmp_path / "d"
    src1, src2 = tmp_path / "a.log", tmp_path / "b.log"
    src1.write_bytes(ipo("2017/08/02 10:15:00", call_id=1))
    src2.write_bytes(ipo("2017/08/02 11:15:00", call_id=2) + b"junk\r\n")
    import_(capsys, data, src1)
    time.sleep(0.01)
    middle = datetime.now().astimezone().isoformat()
    import_(capsys, data, src2)
    before = dump(data)
    rc, out, err = run_cli(capsys, "reprocess", "--data", str(data), "--driver", "avaya_ipoffice", "--json",
                           "--since", middle)
    assert rc == 0 and json.loads(out)["lines"] == 2, err
    assert dump(data) == before


def test_worker_keeps_up_while_the_database_is_locked_and_catches_up_after(tmp_path):
    paths = Paths(tmp_path)
    cfg = config.Config(text="[pbx]\ndriver = avaya_ipoffice\n[worker]\npoll_ms = 20\n")
    worker = Worker(paths, cfg)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        locker = sqlite3.connect(paths.db, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")                 # a stuck report, a backup, a broken disk...
        with JournalWriter(paths.journal) as w:
            for i in range(50):                          # capture goes on journaling meanwhile
                w.append(ipo("2017/08/02 10:15:00", call_id=2000000 + i), "serial:/dev/pty")
        time.sleep(0.5)
        locker.execute("ROLLBACK")
        locker.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            n = sqlite3.connect(paths.db).execute("SELECT COUNT(*) FROM call").fetchone()[0]
            if n == 50:
                break
            time.sleep(0.1)
        assert n == 50
    finally:
        stop.set()
        thread.join()
        store.close_db()


@pytest.mark.parametrize("argv, message", [
    (["import", "--driver", "no_such_pbx", "x.log"], "no such file"),
    (["import", "--driver", "no_such_pbx", "setup.cfg"], "unknown driver 'no_such_pbx'"),
    (["calls", "--json", "--data", "/nonexistent/dir"], "no such data directory"),
    (["calls", "--since", "yesterday-ish"], "not an ISO 8601"),
    (["frobnicate"], "invalid choice"),
    (["import", "--driver"], "expected one argument"),
    (["capture", "--url", "gopher://pbx", "--driver", "avaya_ipoffice"], "gopher"),
])
def test_bad_arguments_give_one_line_and_exit_code_2(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(FIXTURES.parent.parent.parent)
    if "--data" not in argv and argv[0] != "frobnicate" and len(argv) > 2:
        (tmp_path / "d").mkdir()
        argv = argv + ["--data", str(tmp_path / "d")]
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_process_all_catches_up_everything_pending(tmp_path):
    paths = Paths(tmp_path)
    with JournalWriter(paths.journal) as w:
        w.append_many([(ipo("2017/08/02 10:15:00", call_id=i), 0) for i in range(12000)], "t")
    store.open_db(paths.db)
    try:
        processor = build_processor(config.Config(text="[pbx]\ndriver = avaya_ipoffice\n"))
        assert process_all(paths, processor, batch=5000) == 12000
        assert store.counts()["calls"] == 12000
    finally:
        store.close_db()


def test_queue_log_events_are_stored_beside_the_calls(tmp_path, capsys):
    raw = FIXTURES / "asterisk_queue_log" / "axelliek-freepbx-queue9000-2010.raw"
    result = import_(capsys, tmp_path / "d", raw, driver="asterisk_queue_log")
    assert result["queue_events"] == 278 and result["calls"] == result["quarantined"] == 0
    store.open_db(Paths(tmp_path / "d").db)
    try:
        events = {e.event for e in store.QueueEvent.select()}
        assert {"ENTERQUEUE", "CONNECT", "COMPLETEAGENT", "ABANDON"} <= events
    finally:
        store.close_db()


def test_the_worker_gives_its_page_cache_back_once_drained_after_a_backlog(tmp_path, monkeypatch):
    """Issue 14: the page cache a backlog filled is freed when the worker drains (after a full batch at once and
    again once the roll-ups of its days are refreshed; else at most every RELEASE_EVERY_S), not kept for the life of
    the process; the calls are stored all the same."""
    from appliance.ingest import worker as worker_module
    from appliance.store import memory
    released = []
    monkeypatch.setattr(memory, "release", lambda real=memory.release: (released.append(1), real()))
    paths = Paths(tmp_path)
    worker = Worker(paths, config.Config(text="[pbx]\ndriver = avaya_ipoffice\n[worker]\nbatch_lines = 100\n"))
    try:
        with JournalWriter(paths.journal) as w:
            w.append_many([(ipo("2017/08/02 10:15:00", call_id=i), 0) for i in range(150)], "t")
        assert worker.step() == 100 and worker.step() == 50 and not released   # still busy
        assert worker.step() == 0 and released == [1]                          # drained after a backlog
        drained = 0
        while len(released) < 2 and drained < 20:   # and again once its days' roll-ups are refreshed
            assert worker.step() == 0
            drained += 1
        assert released == [1, 1] and store.db.execute_sql("SELECT COUNT(*) FROM rollup_dirty").fetchone()[0] == 0
        released.clear()
        with JournalWriter(paths.journal) as w:
            w.append(ipo("2017/08/02 11:15:00", call_id=9999), "t")
        assert worker.step() == 1
        for _ in range(3):
            assert worker.step() == 0 and released == []                       # a trickle: not every time
        monkeypatch.setattr(worker_module, "RELEASE_EVERY_S", 0)
        while not released and drained < 40:   # at most every RELEASE_EVERY_S, its day's roll-ups refreshed
            assert worker.step() == 0
            drained += 1
        assert released == [1]
        assert worker.step() == 0 and released == [1]                          # nothing stored since
        assert store.counts()["calls"] == 151
    finally:
        store.close_db()
