"""A branch's sync never holds up its own capture and worker (issue 18: "without stalling its own capture"): capture
writes only the journal (it never imports the store: the layer contract in setup.cfg/.importlinter, test_layers.py)
and runs as a process of its own (test_run.py); the worker writes the database, and while the sender waits for a
central that does not answer (its batch applied there, the answer held by the relay) the branch's database takes a
writer: the sender holds no transaction across the network. The calls stored meanwhile then arrive exactly
once, on SQLite and PostgreSQL centrals."""
import signal
import sqlite3
import time

import pytest

from pg_server import engine, postgres  # noqa: F401  (fixtures)
from sync_helpers import central_seq, cli_json, generate, make_branch, sender
from test_outages import assert_same, central, relay  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow   # a central process, a sender process


def test_the_branch_database_takes_writes_while_a_send_waits_on_the_central(central, relay, tmp_path):  # noqa: F811
    b = tmp_path / "branch"
    make_branch(b, central, "izmir", relay.url)
    generate(b, 800, 1, seed=40)
    relay.hold.set()                            # the central applies the batch; its answer does not come back
    proc = sender(b, period_s=0.2)
    try:
        deadline = time.monotonic() + 60
        while central_seq(central, "izmir") < 1:
            assert time.monotonic() < deadline, "the batch did not reach the central"
            time.sleep(0.05)
        # the sender now waits on the network (up to its 5 s timeout, then again): a writer gets the database
        # (a busy timeout of 2 s only rides over a short write of the sender's, e.g. noting a timeout)
        con = sqlite3.connect(b / "callbox.db", timeout=2)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.rollback()
        finally:
            con.close()
        generate(b, 300, 10_000, seed=41, start=1_781_000_000, days=1)    # the worker's calls meanwhile
        relay.hold.clear()
        deadline = time.monotonic() + 120
        while cli_json("sync", "status", "--data", str(b), "--json")["backlog"]:
            assert time.monotonic() < deadline, "the sender did not catch up"
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    assert_same(central, b, "izmir")
