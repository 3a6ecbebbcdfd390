"""A PBX that re-sends its buffer after a reconnect (issue 13, finding 7), over real sockets on loopback.

IP Office is the TCP client pushing to our tcp-listen port; after the connection drops it connects again (another
peer port, so another journal source) and sends records it had sent already. Capture journals what it receives, all
of it; the worker stores each record once.
"""
from __future__ import annotations

import socket

import pytest

from appliance import config, store
from appliance.ingest.worker import build_processor, process_all
from appliance.paths import Paths
from conftest import FIXTURES
from test_capture import captures, events, free_port, lines, wait_for   # noqa: F401 (captures is a fixture)

pytestmark = pytest.mark.slow   # a capture thread and sockets
CONFIG = "[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n"
RECORDS = (FIXTURES / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw").read_bytes().splitlines(keepends=True)[1:31]


def store_pending(paths: Paths) -> tuple:
    store.open_db(paths.db)
    try:
        process_all(paths, build_processor(config.Config(text=CONFIG)))
        q = store.db.execute_sql
        return (q("SELECT COUNT(*), SUM(talk_s), SUM(legs) FROM call").fetchone(),
                q("SELECT COUNT(*) FROM leg").fetchone()[0], q("SELECT COUNT(*) FROM duplicate").fetchone()[0])
    finally:
        store.close_db()


def push(port: int, records: list[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"".join(records))


def test_records_re_sent_after_a_reconnect_are_stored_once(tmp_path, captures):   # noqa: F811
    paths = Paths(tmp_path / "data")
    port = free_port()
    cap = captures(f"tcp-listen://127.0.0.1:{port}", paths.journal)
    wait_for(lambda: events(paths.journal, "link_up", f"tcp-listen:127.0.0.1:{port}"), what="listening")
    push(port, RECORDS[:20])
    wait_for(lambda: len(lines(paths.journal, "tcp:")) == 20, what="the first 20 records")
    first = store_pending(paths)
    push(port, RECORDS[12:])            # reconnected: its buffer's last 8 records again, then 10 new ones
    wait_for(lambda: len(lines(paths.journal, "tcp:")) == 38, what="the re-sent and the new records")
    cap.close()
    assert len({e.source for e in lines(paths.journal, "tcp:")}) == 2   # two connections, two peer ports
    calls, legs, dups = store_pending(paths)
    assert (first[1], legs, dups) == (20, 30, 8)

    once = Paths(tmp_path / "once")     # the same 30 records sent once
    port = free_port()
    cap = captures(f"tcp-listen://127.0.0.1:{port}", once.journal)
    wait_for(lambda: events(once.journal, "link_up", f"tcp-listen:127.0.0.1:{port}"), what="listening")
    push(port, RECORDS)
    wait_for(lambda: len(lines(once.journal, "tcp:")) == 30, what="the 30 records")
    cap.close()
    assert store_pending(once) == (calls, 30, 0)
