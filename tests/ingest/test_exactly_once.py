"""Exactly-once from the record's side (issue 13, finding 7): a record already stored is not stored again, whether it
comes again through `callbox import`, a PBX re-sending its buffer after a reconnect, or a re-read after a torn
journal tail (tests/capture/test_torn_tail.py). The journal keeps every copy; a `duplicate` row says why one made
no leg."""
from __future__ import annotations

import pytest

from appliance import config, journal, registry, store
from appliance.ingest.worker import build_processor, process_all
from appliance.journal import JournalWriter
from appliance.paths import Paths
from conftest import FIXTURES
from test_pipeline import IPO, dump, import_, ipo, run_cli

ASTERISK = sorted((FIXTURES / "asterisk_csv").glob("*.raw"))


def totals(data):
    """What every report adds up: calls, legs, talk and ring time, answered calls; and the duplicates noted."""
    store.open_db(Paths(data).db)
    try:
        q = store.db.execute_sql
        return (q("SELECT COUNT(*), SUM(talk_s), SUM(ring_s), SUM(legs), SUM(answered) FROM call").fetchone(),
                q("SELECT COUNT(*), SUM(talk_s) FROM leg").fetchone())
    finally:
        store.close_db()


def duplicates(data) -> int:
    store.open_db(Paths(data).db)
    try:
        return store.db.execute_sql("SELECT COUNT(*) FROM duplicate").fetchone()[0]
    finally:
        store.close_db()


def journaled(data) -> int:
    return sum(1 for e in journal.read_from(Paths(data).journal, (0, 0)) if not e.flags & 2)


def test_importing_the_real_ip_office_sample_twice_leaves_every_total_as_one_import(tmp_path, capsys):
    data = tmp_path / "d"
    first = import_(capsys, data, IPO)
    assert first["duplicates"] == 0 and first["legs"] == 1442
    once, calls_once = totals(data), dump(data)
    again = import_(capsys, data, IPO)
    # every record of the file is already stored: no leg, no call, each line counted as a duplicate
    assert again == {"lines": 1443, "calls": 0, "legs": 0, "quarantined": 0, "queue_events": 0, "duplicates": 1442}
    assert totals(data) == once and dump(data) == calls_once
    assert journaled(data) == 2 * 1443   # the journal keeps both copies, exactly as received
    rc, out, _ = run_cli(capsys, "import", "--data", str(data), "--driver", "avaya_ipoffice", str(IPO))
    assert rc == 0 and out.strip() == "1443 lines: 0 calls (0 legs), 0 quarantined, 1442 already stored " \
                                      "(not stored again)"
    assert totals(data) == once


@pytest.mark.parametrize("raw", ASTERISK, ids=[p.stem for p in ASTERISK])
def test_importing_an_asterisk_master_csv_twice_leaves_every_total_as_one_import(tmp_path, capsys, raw):
    data = tmp_path / "d"
    first = import_(capsys, data, raw, driver="asterisk_csv")
    assert first["legs"] > 0 and first["duplicates"] == 0
    once, calls_once = totals(data), dump(data)
    again = import_(capsys, data, raw, driver="asterisk_csv")
    assert (again["legs"], again["calls"], again["duplicates"]) == (0, 0, first["legs"])
    assert totals(data) == once and dump(data)[0] == calls_once[0]
    # a line that is no record (quarantined) is no record stored twice: each journal entry keeps its reason
    assert again["quarantined"] == first["quarantined"] and len(dump(data)[1]) == 2 * len(calls_once[1])


def test_the_same_asterisk_cdr_from_another_file_is_the_same_record(tmp_path, capsys):
    """uniqueid + sequence name a CDR wherever it comes from: a copy of Master.csv under another name (an export,
    a rotated file) adds nothing; with neither, the line and its source are the identity."""
    raw = FIXTURES / "asterisk_csv" / "constructed-21col-linkedid-badutf8.raw"
    copy = tmp_path / "Master-copy.csv"
    copy.write_bytes(raw.read_bytes().replace(b"\n", b"\r\n"))   # and re-saved with CR LF
    data = tmp_path / "d"
    first = import_(capsys, data, raw, driver="asterisk_csv")
    again = import_(capsys, data, copy, driver="asterisk_csv")
    assert again["legs"] == 0 and again["duplicates"] == first["legs"] > 0


def test_reprocess_of_a_journal_holding_duplicates_gives_the_calls_of_one_import(tmp_path, capsys):
    data, once = tmp_path / "d", tmp_path / "once"
    import_(capsys, once, IPO)
    import_(capsys, data, IPO)
    import_(capsys, data, IPO)
    expected = dump(once)
    for _ in range(2):   # idempotent: re-derived legs are no duplicates of their own earlier selves
        rc, out, err = run_cli(capsys, "reprocess", "--data", str(data), "--driver", "avaya_ipoffice", "--json")
        assert rc == 0, err
        assert dump(data) == expected and totals(data) == totals(once)
        assert duplicates(data) == 1442
    # the first copy's legs stand: the same ids as before the duplicates came
    rc, out, _ = run_cli(capsys, "calls", "--data", str(data), "--json")
    rc, out_once, _ = run_cli(capsys, "calls", "--data", str(once), "--json")
    assert out == out_once


def test_reprocess_of_only_the_duplicates_stores_nothing_twice(tmp_path, capsys):
    """A range holding the repeated entries but not the originals: they are still repeats of stored legs."""
    from datetime import datetime
    import time
    data = tmp_path / "d"
    import_(capsys, data, IPO)
    time.sleep(0.01)
    middle = datetime.now().astimezone().isoformat()
    import_(capsys, data, IPO)
    before = totals(data), dump(data)
    rc, out, err = run_cli(capsys, "reprocess", "--data", str(data), "--driver", "avaya_ipoffice", "--json",
                           "--since", middle)
    assert rc == 0, err
    assert (totals(data), dump(data)) == before and duplicates(data) == 1442


def _worker_store(paths: Paths, cfg_text: str):
    store.open_db(paths.db)
    try:
        process_all(paths, build_processor(config.Config(text=cfg_text)))
        q = store.db.execute_sql
        return (q("SELECT COUNT(*), SUM(talk_s), SUM(legs) FROM call").fetchone(),
                q("SELECT COUNT(*) FROM leg").fetchone()[0], q("SELECT COUNT(*) FROM duplicate").fetchone()[0])
    finally:
        store.close_db()


def test_a_pbx_re_sending_its_buffer_after_a_reconnect_stores_nothing_twice(tmp_path):
    """IP Office pushes to our tcp-listen port; after a reconnect (a new peer port) it re-sends the last records."""
    paths = Paths(tmp_path)
    records = [ipo(f"2017/08/02 10:{m:02d}:00", call_id=1000100 + m, talk=f"00:0{m % 9}:1{m % 7}") for m in range(10)]
    records[4] = ipo("2017/08/02 10:04:00", call_id=1000104, cont=1, p2="E202")   # a call of two segments
    records[5] = ipo("2017/08/02 10:04:00", talk="00:01:00", call_id=1000104, p1="E202")
    cfg = "[pbx]\ndriver = avaya_ipoffice\n"
    with JournalWriter(paths.journal) as w:
        w.append_many([(r, 0) for r in records[:8]], "tcp:10.0.0.5:51234")
    first = _worker_store(paths, cfg)
    with JournalWriter(paths.journal) as w:   # the PBX reconnects and re-sends its buffer of the last 5
        w.append_many([(r, 0) for r in records[3:]], "tcp:10.0.0.5:51240")
    calls, legs, dups = _worker_store(paths, cfg)
    assert (legs, dups) == (10, 5) and calls[0] == 9 and first[1] == 8
    once = tmp_path / "once"
    with JournalWriter(Paths(once).journal) as w:
        w.append_many([(r, 0) for r in records], "tcp:10.0.0.5:51234")
    assert _worker_store(Paths(once), cfg) == (calls, 10, 0)


def test_a_driver_without_record_ids_counts_a_re_sent_line_once_per_source(tmp_path):
    """The default identity (a Panasonic line has no call id): the line and its source, without the peer's port.
    The same line from another PBX (another source) is another record."""
    assert registry.load("panasonic_kx").identity is registry.OPTIONAL["identity"]
    paths = Paths(tmp_path)
    lines = (FIXTURES / "panasonic_kx" / "constructed-tda-pattern-a.raw").read_bytes().splitlines(keepends=True)
    cfg = "[pbx]\ndriver = panasonic_kx\n"
    with JournalWriter(paths.journal) as w:
        w.append_many([(line, 0) for line in lines], "tcp:10.0.0.7:40001")
    _, legs, _ = _worker_store(paths, cfg)
    assert legs > 0
    with JournalWriter(paths.journal) as w:
        w.append_many([(line, 0) for line in lines], "tcp:10.0.0.7:40002")   # re-sent after a reconnect
    assert _worker_store(paths, cfg)[1:] == (legs, legs)
    with JournalWriter(paths.journal) as w:
        w.append_many([(line, 0) for line in lines], "tcp:10.0.0.8:40001")   # another PBX: its own records
    assert _worker_store(paths, cfg)[1:] == (2 * legs, legs)


def test_a_crc_collision_is_not_taken_for_a_duplicate(tmp_path, monkeypatch):
    """Legs are stored with the CRC-32 of their identity; a hit is a duplicate only if the leg is the same too."""
    from appliance.ingest import parse
    paths = Paths(tmp_path)
    with JournalWriter(paths.journal) as w:
        w.append_many([(ipo("2017/08/02 10:15:00", call_id=i), 0) for i in range(1, 4)], "t")
    store.open_db(paths.db)
    try:
        processor = build_processor(config.Config(text="[pbx]\ndriver = avaya_ipoffice\n"))
        processor.identity = lambda record, line, source: "the same for every record"
        process_all(paths, processor)
        assert store.counts()["legs"] == 3
        idents = [r[0] for r in store.db.execute_sql("SELECT ident FROM leg ORDER BY id")]
        assert len(set(idents)) == 3 and len({i & 0xFFFFFFFF for i in idents}) == 1   # made unique above the CRC
        with JournalWriter(paths.journal) as w:   # and each is still found again
            w.append_many([(ipo("2017/08/02 10:15:00", call_id=i), 0) for i in range(3, 0, -1)], "t")
        process_all(paths, processor)
        assert store.counts()["legs"] == 3
        assert store.db.execute_sql("SELECT COUNT(*) FROM duplicate").fetchone()[0] == 3
        assert parse.LEG_ROW_COLUMNS[-1] == "ident"
    finally:
        store.close_db()


def test_a_driver_whose_identity_fails_still_stores_its_records_once(tmp_path, caplog):
    paths = Paths(tmp_path)
    with JournalWriter(paths.journal) as w:
        w.append_many([(ipo("2017/08/02 10:15:00", call_id=i), 0) for i in (1, 2, 1)], "t")
    store.open_db(paths.db)
    try:
        processor = build_processor(config.Config(text="[pbx]\ndriver = avaya_ipoffice\n"))
        processor.identity = lambda record, line, source: 1 / 0
        process_all(paths, processor)
        assert store.counts()["legs"] == 2   # the default identity (line and source) took over
        assert sum("identity failed" in r.message for r in caplog.records) == 1
    finally:
        store.close_db()


QUEUE_LOGS = sorted((FIXTURES / "asterisk_queue_log").glob("*.raw"))


@pytest.mark.parametrize("raw", QUEUE_LOGS, ids=[p.stem for p in QUEUE_LOGS])
def test_importing_a_real_queue_log_twice_stores_each_queue_event_once(tmp_path, capsys, raw):
    data = tmp_path / "d"
    first = import_(capsys, data, raw, driver="asterisk_queue_log")
    assert first["queue_events"] > 0 and first["duplicates"] == 0
    once = dump_queue(data)
    again = import_(capsys, data, raw, driver="asterisk_queue_log")
    assert (again["queue_events"], again["duplicates"]) == (0, first["queue_events"])
    assert dump_queue(data) == once
    for _ in range(2):      # reprocess: the journal's two copies give the events of one import, every time
        rc, _, err = run_cli(capsys, "reprocess", "--data", str(data), "--driver", "asterisk_queue_log", "--json")
        assert rc == 0, err
        assert dump_queue(data) == once and duplicates(data) == first["queue_events"]


def test_a_queue_event_differing_in_any_field_is_another_event(tmp_path):
    paths = Paths(tmp_path)
    line = "1700000000|1700000000.1|support|SIP/201|RINGNOANSWER|15000"
    lines = [line, line, line.replace("15000", "15001"), line.replace("SIP/201", "SIP/202"), line]
    with JournalWriter(paths.journal) as w:
        w.append_many([(f"{x}\n".encode(), 0) for x in lines], "file:/var/log/asterisk/queue_log")
    store.open_db(paths.db)
    try:
        process_all(paths, build_processor(config.Config(text="[pbx]\ndriver = asterisk_queue_log\n")))
        assert store.db.execute_sql("SELECT COUNT(*) FROM queue_event").fetchone()[0] == 3
        assert store.db.execute_sql("SELECT COUNT(*) FROM duplicate").fetchone()[0] == 2
    finally:
        store.close_db()


def dump_queue(data) -> list[tuple]:
    store.open_db(Paths(data).db)
    try:
        return store.db.execute_sql("SELECT driver, at_utc, call_key, queue, agent, event, params FROM queue_event "
                                    "ORDER BY id").fetchall()
    finally:
        store.close_db()


def test_the_import_summary_counts_queue_events(tmp_path, capsys):
    raw = QUEUE_LOGS[0]
    rc, out, _ = run_cli(capsys, "import", "--data", str(tmp_path / "d"), "--driver", "asterisk_queue_log", str(raw))
    n = import_(capsys, tmp_path / "e", raw, driver="asterisk_queue_log")["queue_events"]
    assert rc == 0 and out.strip().endswith(f", {n} queue events") and n > 0
