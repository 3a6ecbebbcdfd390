"""A record that prints no date or no year is dated by when its journal entry was received, not by when it is
processed: re-processing an old journal dates its calls right (issue 22, finding 8)."""
from datetime import datetime, timezone

from appliance import config, store
from appliance.ingest.worker import build_processor, process_all
from appliance.journal import JournalWriter
from appliance.paths import Paths
from test_pipeline import run_cli

# Format2 records (no DATE column) with no page header before them, received in Istanbul on 2021-06-01 00:03
RECEIVED = datetime(2021, 6, 1, 0, 3, tzinfo=timezone.utc).timestamp() - 3 * 3600
LINES = (b"01 POT   23:58 001        00:04:00 201        0311234567" + b" " * 24 + b"\r\n",
         b"02 PIN   00:01 002        00:00:40 202        0612345678" + b" " * 24 + b"\r\n")
CONFIG = "[pbx]\ndriver = nec_sl\nshow_date = 0\ntimezone = Europe/Istanbul\n"


def _starts(paths: Paths) -> list[str]:
    store.open_db(paths.db)
    try:
        return [store.local_iso(c.start_utc, c.utc_offset) for c in store.Call.select().order_by(store.Call.start_utc)]
    finally:
        store.close_db()


def test_an_old_journal_is_dated_by_its_receive_time_when_processed_and_reprocessed(tmp_path, capsys):
    paths = Paths(tmp_path / "data")
    paths.journal.mkdir(parents=True)
    with JournalWriter(paths.journal) as w:
        for line in LINES:
            w.append(line, "serial:/dev/ttyUSB0", received_ns=int(RECEIVED * 1e9))
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG)
    store.open_db(paths.db)
    try:
        assert process_all(paths, build_processor(config.Config(ini))) == 2
    finally:
        store.close_db()
    want = ["2021-05-31T23:58:00+03:00", "2021-06-01T00:01:00+03:00"]
    assert _starts(paths) == want
    rc, out, err = run_cli(capsys, "reprocess", "--data", str(paths.data), "--config", str(ini))
    assert rc == 0, err
    assert _starts(paths) == want
