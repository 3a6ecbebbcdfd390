"""appliance.health: the snapshot read from a real journal, capture status file and database."""
from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from appliance import health, store
from appliance.capture.sink import Sink, Status
from appliance.config import Config
from appliance.journal import JournalWriter
from appliance.records import EVENT

IST = ZoneInfo("Europe/Istanbul")
NOW = datetime(2024, 3, 15, 10, 30, tzinfo=IST).timestamp()
MIDNIGHT = datetime(2024, 3, 15, 0, 0, tzinfo=IST).timestamp()
CFG = Config(text="[pbx]\ntimezone = Europe/Istanbul\n[journal]\nretain_mb = 1\n")


def add_call(start: float, key: str) -> None:
    store.Call.create(driver="x", call_key=key, start_utc=int(start), utc_offset=10800, direction="out",
                      extension="201", party="02125550101", trunk="1", ring_s=0, talk_s=30, answered=True,
                      transferred=False, account_code="", legs=1)


def add_quarantine(n: int, received: float) -> None:
    store.Quarantine.create(id=n, jseg=1, joff=n, received_ns=int(received * 10**9), source="serial:/dev/x",
                            driver="x", reason="no match", line="Çağrı ??")


def write_status(path, links: dict[str, str], age_s: float = 0.0) -> None:
    """capture_sink.Status writes the file exactly as the capture process does."""
    status = Status("socket://127.0.0.1:2300", path, Sink(None))
    for source, state in links.items():
        status.set_link(source, state, "test", int((NOW - 60) * 10**9))
    status.write()
    os.utime(path, (NOW - age_s, NOW - age_s))


def test_an_empty_data_directory_reports_nothing_known(tmp_path):
    h = health.snapshot(tmp_path / "var", CFG, now=NOW)
    assert h.link_up is None and h.links == [] and h.capture_state == "missing"
    assert h.last_record_utc is None and h.last_record_age_s is None
    assert (h.records_today, h.quarantine_total, h.quarantine_today, h.journal_bytes, h.journal_pct) == (0, 0, 0, 0, 0)
    assert not h.db_ok and "does not exist" in h.db_error
    assert 0 <= h.disk_free_pct <= 100 and h.now_utc == int(NOW)


def test_a_running_box_reports_links_data_counts_and_usage(db, tmp_path):
    data = tmp_path            # the db fixture put callbox.db here
    (data / "run").mkdir()
    write_status(data / "run" / "capture.json", {"tcp:127.0.0.1:2300": "up"})
    with JournalWriter(data / "journal") as j:
        j.append(b"line one\r\n", "tcp:127.0.0.1:2300", received_ns=int((NOW - 100) * 10**9))
        j.append(b"line two\r\n", "tcp:127.0.0.1:2300", received_ns=int((NOW - 42) * 10**9))
        j.append(b'{"event": "link_up"}', "tcp:127.0.0.1:2300", EVENT, received_ns=int((NOW - 5) * 10**9))
    add_call(MIDNIGHT - 1, "yesterday")
    add_call(MIDNIGHT, "a")
    add_call(NOW - 60, "b")
    add_quarantine(1, MIDNIGHT - 10)
    add_quarantine(2, MIDNIGHT + 10)
    h = health.snapshot(data, CFG, now=NOW)
    assert h.capture_state == "running" and h.link_up is True
    assert h.links == [("tcp:127.0.0.1:2300", True, int(NOW - 60))]
    assert h.last_record_utc == int(NOW - 42) and h.last_record_age_s == 42   # the link event does not count
    assert (h.records_today, h.calls_total) == (2, 3)
    assert (h.quarantine_total, h.quarantine_today) == (2, 1)
    jbytes = sum(p.stat().st_size for p in (data / "journal").iterdir())
    assert h.journal_bytes == jbytes and h.journal_pct == jbytes * 100 // (1 << 20)
    assert h.db_ok and h.db_error == ""


def test_a_stale_status_file_means_capture_is_not_running_and_every_link_is_down(tmp_path):
    (tmp_path / "run").mkdir()
    write_status(tmp_path / "run" / "capture.json", {"serial:/dev/ttyUSB0": "up"}, age_s=health.STALE_S + 5)
    h = health.snapshot(tmp_path, CFG, now=NOW)
    assert h.capture_state == "stale" and h.link_up is False
    assert h.links == [("serial:/dev/ttyUSB0", False, int(NOW - 60))]


def test_link_up_when_any_link_is_up_and_down_when_none_is(tmp_path):
    (tmp_path / "run").mkdir()
    status = tmp_path / "run" / "capture.json"
    write_status(status, {"tcp-listen:0.0.0.0:1150": "up", "tcp:10.0.0.5:40000": "down"})
    assert health.snapshot(tmp_path, CFG, now=NOW).link_up is True
    write_status(status, {"tcp:10.0.0.5:2300": "down"})
    h = health.snapshot(tmp_path, CFG, now=NOW)
    assert h.link_up is False and h.links == [("tcp:10.0.0.5:2300", False, int(NOW - 60))]


def test_an_unreadable_status_file_is_a_down_link_not_a_crash(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "capture.json").write_text('{"links": {"x": ', encoding="utf-8")
    h = health.snapshot(tmp_path, CFG, now=NOW)
    assert h.capture_state == "unreadable" and h.link_up is False


def test_the_last_line_follows_appends_and_new_segments(tmp_path):
    jdir = tmp_path / "journal"
    with JournalWriter(jdir) as j:
        j.append(b"a\r\n", "s", received_ns=1_000 * 10**9)
    assert health.last_line_ns(jdir) == 1_000 * 10**9
    with JournalWriter(jdir) as j:       # a restarted capture writes a new segment: only a link event so far
        j.append(b"{}", "s", EVENT, received_ns=2_000 * 10**9)
    assert health.last_line_ns(jdir) == 1_000 * 10**9
    with JournalWriter(jdir) as j:
        j.append(b"b\r\n", "s", received_ns=3_000 * 10**9)
        j.sync()
        assert health.last_line_ns(jdir) == 3_000 * 10**9
        j.append(b"c\r\n", "s", received_ns=4_000 * 10**9)
        j.sync()
        assert health.last_line_ns(jdir) == 4_000 * 10**9   # same segment, grown: read from where it stopped


def test_a_damaged_database_is_reported_not_raised(tmp_path):
    (tmp_path / "callbox.db").write_bytes(b"this is not sqlite" * 100)
    h = health.snapshot(tmp_path, CFG, now=NOW)
    assert not h.db_ok and "callbox.db" in h.db_error


def test_the_snapshot_never_writes_the_database(db, tmp_path):
    add_call(NOW, "x")
    store.close_db()
    os.chmod(tmp_path / "callbox.db", 0o444)
    before = (tmp_path / "callbox.db").read_bytes()
    assert health.snapshot(tmp_path, CFG, now=NOW).records_today == 1
    assert (tmp_path / "callbox.db").read_bytes() == before


def test_records_today_uses_the_pbx_local_day(db, tmp_path):
    add_call(datetime(2024, 3, 15, 0, 30, tzinfo=IST).timestamp(), "local-today")   # 21:30 UTC the day before
    utc_cfg = Config(text="[pbx]\ntimezone = UTC\n")
    assert health.snapshot(tmp_path, CFG, now=NOW).records_today == 1
    assert health.snapshot(tmp_path, utc_cfg, now=NOW).records_today == 0


def test_the_pbx_section_with_driver_options_is_read_without_complaint(tmp_path):
    cfg = Config(text="[pbx]\ndriver = panasonic_kx\npassword_file = /x\ntimezone = Europe/Istanbul\n")
    assert health.snapshot(tmp_path, cfg, now=NOW).records_today == 0


@pytest.mark.parametrize("bad", ["[journal]\nretain_mb = lots\n", "[pbx]\ntimezone = Mars/Olympus\n"])
def test_a_bad_config_value_does_not_stop_the_snapshot(tmp_path, bad):
    assert health.snapshot(tmp_path, Config(text=bad), now=NOW).journal_pct == 0
