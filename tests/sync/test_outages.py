"""Branches and a central on loopback through a relay the test controls: whatever the link, the central or the
branch's sender does, the central ends up with each branch's calls exactly: the same ids, totals and costs."""
import json
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from appliance import __version__
from pg_server import engine, postgres  # noqa: F401  (fixtures)
from sync_helpers import (Central, Relay, branch_totals, central_seq, central_totals, cli, cli_json, generate,
                          make_branch, rerate, sender, wait_port)

pytestmark = pytest.mark.slow   # central and sender processes, killed and restarted


@pytest.fixture
def central(tmp_path, engine):  # noqa: F811 (the fixture)
    """On each engine: SQLite (the central's own database) and PostgreSQL ([central] database)."""
    c = Central(tmp_path / "central", engine)
    c.data.mkdir(exist_ok=True)
    c.add("warmup")
    c.start()
    yield c
    c.stop()


@pytest.fixture
def relay(central):
    r = Relay(central.port)
    yield r
    r.close()


def backlog(data) -> int:
    con = sqlite3.connect(data / "callbox.db", timeout=30)
    try:
        return con.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0]
    finally:
        con.close()


def wait_drained(data, seconds=60):
    deadline = time.monotonic() + seconds
    while backlog(data):
        assert time.monotonic() < deadline, f"{data}: {backlog(data)} outbox rows left"
        time.sleep(0.1)


def priced(data) -> set[int]:
    con = sqlite3.connect(data / "callbox.db", timeout=30)
    try:
        return {r[0] for r in con.execute("SELECT id FROM call WHERE cost IS NOT NULL")}
    finally:
        con.close()


def assert_same(central, data, name):
    mine, theirs = branch_totals(data), central_totals(central, name)
    assert theirs[1] == len(theirs[0])         # no call twice
    assert mine == theirs


def test_link_cut_mid_batch_a_week_offline_and_rerates_while_offline(central, relay, tmp_path):
    b = tmp_path / "branch"
    make_branch(b, central, "izmir", relay.url)
    generate(b, 1500, 1, seed=1)
    relay.cut_after = 3000                      # the first connection dies inside the first batch
    rc, out, err = cli("sync", "now", "--data", str(b), "--json")
    assert rc == 1 and json.loads(out)["sent"] == 0 and "sync failed" in err
    assert central_seq(central, "izmir") == 0
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 1500, "pending": 0}
    assert_same(central, b, "izmir")

    relay.down()                                # a week offline: the branch goes on storing calls
    generate(b, 10_000, 10_000, seed=2, start=1_781_000_000, days=7)
    assert rerate(b, 7, "0.125") > 0            # and re-rates some, old and new
    rerated_old = sum(1 for i in range(7, 1501, 7) if i in priced(b))
    rc, out, _ = cli("sync", "now", "--data", str(b), "--json")
    assert rc == 1 and json.loads(out) == {"sent": 0, "pending": 10_000 + rerated_old}
    status = cli_json("sync", "status", "--data", str(b), "--json")
    assert status["backlog"] == 10_000 + rerated_old and status["last_error"] and status["last_success"]
    relay.up = True
    result = cli_json("sync", "now", "--data", str(b), "--json")
    assert result == {"sent": 10_000 + rerated_old, "pending": 0}
    assert_same(central, b, "izmir")
    assert cli_json("sync", "status", "--data", str(b), "--json")["last_error"] is None
    log = (central.data / "log" / "central.log").read_text()
    assert "truncated" in log or "TLS" in log or "handshake" in log or "batch 1 applied" in log


def test_central_killed_and_restarted_while_a_branch_sends(central, relay, tmp_path):
    b = tmp_path / "branch"
    make_branch(b, central, "izmir", relay.url)
    proc = sender(b)
    try:
        for round_ in range(4):
            generate(b, 2500, 1 + round_ * 2500, seed=10 + round_, start=1_780_000_000 + round_ * 86400)
            time.sleep(0.3 + 0.2 * round_)
            central.kill()                      # SIGKILL, whatever it was doing
            time.sleep(0.3)
            central.start()
        wait_drained(b)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    assert_same(central, b, "izmir")
    assert branch_totals(b)[1] == 10_000


def test_the_branch_killed_mid_send_resends_and_the_central_applies_once(central, relay, tmp_path):
    b = tmp_path / "branch"
    make_branch(b, central, "izmir", relay.url)
    generate(b, 800, 1, seed=20)
    relay.hold.set()                            # the central applies, its answer does not come back
    proc = sender(b)
    try:
        deadline = time.monotonic() + 30
        while central_seq(central, "izmir") < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)        # the branch dies before it hears the answer
        proc.wait(10)
    relay.hold.clear()
    assert backlog(b) > 0                       # so it still has the batch, and sends it again
    assert cli_json("sync", "now", "--data", str(b), "--json")["pending"] == 0
    assert central_seq(central, "izmir") == 1
    assert_same(central, b, "izmir")
    con = sqlite3.connect(b / "callbox.db")           # the branch's database restored: its sequence goes back
    with con:
        con.execute("DELETE FROM sync_state")
        con.execute("UPDATE call SET talk_s = talk_s + 1 WHERE id <= 10")
    con.close()
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 10, "pending": 0}
    assert central_seq(central, "izmir") == 2
    assert_same(central, b, "izmir")


def test_five_branches_at_once_through_a_slow_link_and_an_outage(central, relay, tmp_path):
    names = [f"branch{i}" for i in range(5)]
    boxes = {n: tmp_path / n for n in names}
    for n, data in boxes.items():
        make_branch(data, central, n, relay.url)
    relay.delay_s = 0.02                                  # every piece of data is late
    procs = [sender(data) for data in boxes.values()]
    try:
        for i, data in enumerate(boxes.values()):
            generate(data, 600, 1, seed=30 + i)          # the same ids on every branch: keyed by branch + id
        time.sleep(0.5)
        relay.down()
        for i, data in enumerate(boxes.values()):
            generate(data, 900, 10_000, seed=40 + i, start=1_781_000_000)
        time.sleep(1)
        relay.up = True
        for data in boxes.values():
            wait_drained(data)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(15)
    for n, data in boxes.items():
        assert_same(central, data, n)
    health = {r["branch"]: r for r in cli_json("central", "branch", "list", "--data", str(central.data), "--json")}
    for n in names:
        assert (health[n]["link"], health[n]["version"], health[n]["revoked"]) == ("up", __version__, False)
        assert health[n]["last_seq"] >= 2 and health[n]["last_record_utc"] >= 1_781_000_000
        assert (health[n]["pending"], health[n]["journal_bytes"]) == (0, 0)   # as the branch said (no journal here)
    assert health["warmup"]["link"] == "never" and not health["warmup"]["enrolled"]
    report = cli_json("report", "--data", str(central.data), "--dims", "branch", "--measures", "calls,talk,cost",
                      "--since", "2020-01-01", "--until", "2030-01-01", "--json")
    assert {r[0]: r[1] for r in report["rows"]} == {n: 1500 for n in names}
    assert {r[0]: (r[2], Decimal(r[3])) for r in report["rows"]} == {
        n: (branch_totals(d)[2], branch_totals(d)[3]) for n, d in boxes.items()}
    rc, out, _ = cli("calls", "--data", str(central.data), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 7500 and {r["branch"] for r in rows} == set(names)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_postgresql_restarted_while_branches_send(central, relay, tmp_path, postgres):  # noqa: F811
    boxes = {n: tmp_path / n for n in ("ankara", "bursa")}
    for n, data in boxes.items():
        make_branch(data, central, n, relay.url)
    procs = [sender(data, period_s=0.2) for data in boxes.values()]
    try:
        for round_ in range(3):
            for i, data in enumerate(boxes.values()):
                generate(data, 1500, 1 + round_ * 1500, seed=50 + 10 * round_ + i,
                         start=1_780_000_000 + round_ * 86400)
            time.sleep(0.4)
            postgres.restart("immediate", down_s=1.0)   # a crash of the database server, mid-batch
        for data in boxes.values():
            wait_drained(data, seconds=90)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(15)
    for n, data in boxes.items():
        assert_same(central, data, n)
        assert branch_totals(data)[1] == 4500
    log = (central.data / "log" / "central.log").read_text()
    assert "database is unavailable" in log or "the central's database" in log


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_the_receiver_started_while_postgresql_is_down_waits_for_it(tmp_path, engine, postgres):  # noqa: F811
    c = Central(tmp_path / "central", engine)
    c.data.mkdir(exist_ok=True)
    c.add("warmup")
    postgres.stop("fast")
    try:
        c.proc = subprocess.Popen([sys.executable, "-m", "appliance.procs", "central", "--data", str(c.data),
                                   "--set", f"central.listen=127.0.0.1:{c.port}"])
        log = c.data / "log" / "central.log"                # until it tried (a loaded machine starts slowly)
        deadline = time.monotonic() + 60
        while "trying again" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline and c.proc.poll() is None
            time.sleep(0.2)
        time.sleep(1)
        assert c.proc.poll() is None                        # waiting, not exited
    finally:
        postgres.start()
    try:
        wait_port(c.port, c.proc, seconds=60)               # it listens once the database is there
        b = tmp_path / "branch"
        make_branch(b, c, "izmir", c.url_direct)
        generate(b, 50, 1, seed=90)
        assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 50, "pending": 0}
        assert "trying again" in (c.data / "log" / "central.log").read_text()
    finally:
        c.stop()
