"""A torn journal tail on a followed file (issue 13, finding 7): capture re-reads lines the worker had already stored.

A power cut takes the journal's last, not yet fsynced, entries after the worker stored their calls. On restart the
journal writer cuts the torn tail, and capture resumes the file after the last entry the journal still holds: the
lines after it come again. They are journaled again (the journal is what was received) and stored once.
"""
from __future__ import annotations

import os

import pytest

from appliance import config, journal, store
from appliance.ingest.worker import build_processor, process_all
from appliance.paths import Paths
from appliance.records import EVENT
from conftest import FIXTURES
from test_capture import captures, lines, wait_for   # noqa: F401 (captures is a fixture)

pytestmark = pytest.mark.slow   # capture threads following a real file
CONFIG = "[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n"
# 40 records of the real IP Office month: 09:00-10:20 on 2017-07-03, some calls of several segments
RECORDS = (FIXTURES / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw").read_bytes().splitlines(keepends=True)[1:41]


def stored(paths: Paths) -> tuple:
    """Process what is pending; every total, and the duplicates noted."""
    store.open_db(paths.db)
    try:
        process_all(paths, build_processor(config.Config(text=CONFIG)))
        q = store.db.execute_sql
        return (q("SELECT COUNT(*), SUM(talk_s), SUM(ring_s), SUM(legs) FROM call").fetchone(),
                q("SELECT COUNT(*), SUM(talk_s) FROM leg").fetchone()[0:2],
                q("SELECT COUNT(*) FROM duplicate").fetchone()[0])
    finally:
        store.close_db()


def tear(jdir, entries_lost: int) -> int:
    """Cut the newest segment inside its `entries_lost`-th entry from the end, as a power cut leaves it; returns
    how many PBX lines (not capture events) were lost."""
    seg = journal.segments(jdir)[-1]
    got = [e for e in journal.read_from(jdir, (seg, 0)) if e.ref[0] == seg]
    data = [e for e in got if not e.flags & EVENT]
    victim = data[-entries_lost]
    os.truncate(journal.segment_path(jdir, seg), victim.ref[1] + victim.size // 2)
    return sum(1 for e in got if not e.flags & EVENT and e.ref >= victim.ref)


def test_a_torn_tail_re_read_after_restart_stores_nothing_twice(tmp_path, captures):   # noqa: F811
    paths = Paths(tmp_path / "data")
    jdir = paths.journal
    log = tmp_path / "pbx" / "smdr.log"
    log.parent.mkdir()
    log.write_bytes(b"".join(RECORDS[:30]))
    cap = captures(f"file://{log}", jdir)
    wait_for(lambda: len(lines(jdir)) == 30, what="the first 30 records journaled")
    cap.close()
    before = stored(paths)            # the worker stored all 30 ...
    lost = tear(jdir, 5)              # ... then the power went, taking the journal's last 5 entries
    assert lost == 5 and len(lines(jdir)) == 25
    with open(log, "ab") as f:        # the PBX went on writing while the box was down
        f.write(b"".join(RECORDS[30:]))
    cap = captures(f"file://{log}", jdir)   # restart: resumes after the 25th record, so 26-30 come again
    wait_for(lambda: len(lines(jdir)) == 25 + 5 + 10, what="the re-read and the new records journaled")
    cap.close()
    after = stored(paths)
    assert [e.data for e in lines(jdir)][25:30] == RECORDS[25:30]   # the journal holds the re-read lines as read
    assert after[2] == 5              # each re-read record is noted as a duplicate, none stored again

    once = Paths(tmp_path / "once")   # the same 40 records captured without a power cut
    log2 = tmp_path / "pbx" / "calm.log"
    log2.write_bytes(b"".join(RECORDS))
    cap = captures(f"file://{log2}", once.journal)
    wait_for(lambda: len(lines(once.journal)) == 40, what="the calm capture")
    cap.close()
    calm = stored(once)
    assert after[:2] == calm[:2] and calm[2] == 0 and after[1][0] == 40
    assert before[1][0] == 30
