"""Two or more boxes on loopback for the sync tests: a central process, branches, a TCP relay the test controls,
generated traffic, and the totals that must agree."""
from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from appliance import procs, store
from appliance.central import apply as applier
from appliance.cli.main import main as cli_main
from appliance.store import central_db
from appliance.central import snapshots as central_snapshots
from appliance.reports import received
from appliance.reports.attribution import rollup_scope
from appliance.sync import outbox, snapshot, wire
from pg_server import password_file

CALL_INSERT = ("INSERT INTO call (id, driver, call_key, start_utc, utc_offset, direction, extension, party, trunk, "
               "ring_s, talk_s, answered, transferred, account_code, legs, kind, number, cost, currency, destination, "
               "tariff, capped, tenant) VALUES (?, 'gen', ?, ?, 10800, ?, ?, ?, 'T1', ?, ?, 1, 0, '', 1, ?, ?, ?, "
               "?, '', '', 0, 'default')")
LEG_INSERT = ("INSERT INTO leg (id, call_id, driver, call_key, start_utc, utc_offset, direction, extension, party, "
              "trunk, ring_s, talk_s, answered, transferred, account_code, jseg, joff) VALUES "
              "(?, ?, 'gen', ?, ?, 10800, ?, ?, ?, 'T1', ?, ?, 1, 0, '', ?, ?)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str) -> tuple[int, str, str]:
    """`callbox ARGS` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli_main(list(args))
    store.close_db()
    return rc, out.getvalue(), err.getvalue()


def cli_json(*args: str) -> dict:
    rc, out, err = cli(*args)
    assert rc == 0, err
    return json.loads(out)


def wait_port(port: int, proc: subprocess.Popen | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on {port}"
            assert proc is None or proc.poll() is None, "the process exited"
            time.sleep(0.05)


class Central:
    """The central's receiver as its own process (python -m appliance.procs central), on a fixed port; its received
    data in its own SQLite database, or with `pg` (tests/servers/pg_server.Postgres) in a fresh PostgreSQL database
    ([central] database and password_file in <data>/callbox.ini)."""

    def __init__(self, data: Path, pg=None):
        self.data, self.port, self.proc, self.pg = data, free_port(), None, pg
        self.dbname = ""
        if pg is not None:
            data.mkdir(parents=True, exist_ok=True)
            self.dbname = pg.fresh_database()
            pw = password_file(data)
            ini = f"[central]\ndatabase = {pg.url(self.dbname)}\npassword_file = {pw.name}\n"
            (data / "callbox.ini").write_text(ini, encoding="utf-8")

    @property
    def engine(self) -> str:
        return "postgresql" if self.pg else "sqlite"

    def query(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Rows of `sql` (? parameters) over the central's received data, on its engine."""
        if self.pg is None:
            con = sqlite3.connect(self.data / "callbox.db", timeout=30)
            try:
                return con.execute(sql, args).fetchall()
            finally:
                con.close()
        con = self.pg.connect(self.dbname)
        try:
            cur = con.cursor()
            cur.execute(sql.replace("?", "%s"), args)
            return cur.fetchall()
        finally:
            con.close()

    @property
    def url_direct(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> Central:
        env = {k: v for k, v in os.environ.items() if k != procs.SUPERVISED}
        self.proc = subprocess.Popen([sys.executable, "-m", "appliance.procs", "central", "--data", str(self.data),
                                      "--set", f"central.listen=127.0.0.1:{self.port}"], env=env)
        wait_port(self.port, self.proc)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)

    def add(self, name: str) -> str:
        return cli_json("central", "branch", "add", name, "--data", str(self.data), "--json")["token"]


HANDSHAKE_BYTES = 4096   # a TLS handshake's bytes towards the server stay below this; a batch goes above it


class Relay:
    """A TCP relay on loopback between the branches and the central that the test controls: up or down, cut a
    connection after N bytes towards the central, hold the central's answers."""

    def __init__(self, target_port: int):
        self.target = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.cut_after: int | None = None     # the next connection is cut after this many bytes upstream
        self.delay_s = 0.0                    # each piece of data is held this long (a slow, laggy link)
        self.hold = threading.Event()         # set: answers wait once a request body went up (not the handshake)
        self.cut_nth: tuple[int, int] | None = None   # (n, bytes): the n-th next connection is cut after bytes
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def down(self) -> None:
        self.up = False
        with self.lock:
            for s in self.conns:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
            self.conns.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.conns += [client, server]
            limit, self.cut_after = self.cut_after, None
            if self.cut_nth is not None:
                n, after = self.cut_nth
                self.cut_nth = (n - 1, after) if n > 1 else None
                if n == 1:
                    limit = after
            up = [0]    # bytes sent up this connection
            threading.Thread(target=self._pipe, args=(client, server, limit, up, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, None, up, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int | None, up: list, answers: bool) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                while answers and self.hold.is_set() and up[0] > HANDSHAKE_BYTES:
                    time.sleep(0.02)
                if self.delay_s:
                    time.sleep(self.delay_s)
                if limit is not None and sent + len(data) >= limit:
                    dst.sendall(data[:max(0, limit - sent)])
                    break
                dst.sendall(data)
                sent += len(data)
                if not answers:
                    up[0] = sent
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def close(self) -> None:
        self.down()
        self.listener.close()


def make_branch(data: Path, central: Central, name: str, url: str) -> None:
    """A branch box at `data` enrolled with `central` as `name` through `url`."""
    data.mkdir(parents=True, exist_ok=True)
    token = central.add(name)
    assert cli_json("sync", "enroll", url, token, "--data", str(data), "--json")["branch"] == name


def generate(data: Path, calls: int, first_id: int, seed: int, start: int = 1_780_000_000, days: float = 7,
             batch: int = 500) -> None:
    """`calls` calls (one leg each) over `days` from `start`, written as the worker writes them (the triggers note
    them); priced outgoing calls with exact decimal costs."""
    rnd = random.Random(seed)
    con = sqlite3.connect(data / "callbox.db", timeout=30)
    try:
        for lo in range(0, calls, batch):
            rows, legs = [], []
            for i in range(lo, min(calls, lo + batch)):
                cid = first_id + i
                at = start + int(i * days * 86400 / calls)
                out = rnd.random() < 0.6
                talk, ring = rnd.randint(0, 900), rnd.randint(0, 30)
                cost = f"{Decimal(rnd.randint(1, 99999)) / 1000:.3f}" if out else None
                direction, ext, party = ("out" if out else "in"), str(200 + rnd.randint(0, 40)), \
                    f"+90532{rnd.randint(1000000, 9999999)}"
                rows.append((cid, f"k{cid}", at, direction, ext, party, ring, talk, "mobile" if out else "",
                             party if out else "", cost, "TRY" if out else ""))
                legs.append((cid, cid, f"k{cid}", at, direction, ext, party, ring, talk, 1, i))
            with con:
                con.executemany(CALL_INSERT, rows)
                con.executemany(LEG_INSERT, legs)
    finally:
        con.close()


def rerate(data: Path, every: int, add: str) -> int:
    """Change the price of every `every`-th priced call (as `callbox rerate` does: an UPDATE of the row)."""
    con = sqlite3.connect(data / "callbox.db", timeout=30)
    with con:
        n = con.execute("UPDATE call SET cost = printf('%.3f', CAST(cost AS REAL) + ?) WHERE cost IS NOT NULL "
                        "AND id % ? = 0", (float(add), every)).rowcount
    con.close()
    return n


def _totals(rows: list) -> tuple[set, int, int, Decimal]:
    """(ids, calls, talk seconds, exact cost) of (id, talk_s, cost) rows."""
    return {r[0] for r in rows}, len(rows), sum(r[1] for r in rows), sum((Decimal(r[2]) for r in rows if r[2]),
                                                                         Decimal(0))


def branch_totals(data: Path) -> tuple[set, int, int, Decimal]:
    con = sqlite3.connect(data / "callbox.db", timeout=30)
    try:
        rows = con.execute("SELECT id, talk_s, cost FROM call").fetchall()
    finally:
        con.close()
    return _totals(rows)


def central_totals(central: Central, branch: str) -> tuple[set, int, int, Decimal]:
    return _totals(central.query("SELECT rid, talk_s, cost FROM central_call WHERE branch = ?", (branch,)))


def sender(data: Path, period_s: float = 0.5) -> subprocess.Popen:
    """The branch's sync process (python -m appliance.procs sync)."""
    env = {k: v for k, v in os.environ.items() if k != procs.SUPERVISED}
    return subprocess.Popen([sys.executable, "-m", "appliance.procs", "sync", "--data", str(data),
                             "--set", f"sync.period_s={period_s}", "--set", "sync.timeout_s=5"], env=env)


def central_seq(central: Central, branch: str) -> int:
    rows = central.query("SELECT last_seq FROM central_branch WHERE name = ?", (branch,))
    return rows[0][0] if rows else 0


BRANCH_PEOPLE = "person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;201\n"


def central_of_boxes(data: Path, engine, sent: dict[str, list[tuple[int, bytes]]],
                     snapshots: dict[str, list[tuple[str, str, bytes]]] | None = None) -> None:
    """A central in `data` (on PostgreSQL when `engine` is a server, else SQLite) with one branch box per name of
    `sent`, their batches (seq, body) applied as its receiver applies them, and their `snapshots` (kind, version,
    body: the directory's or tariffs') stored; the İzmir box ("izmir", labelled
    'İzmir') linked to the directory's branch İzmir, whose supervisor is P1 (Ayşe Yılmaz, extension 201). The box's
    database is left open."""
    ini, url, pw = "[pbx]\ntimezone = UTC\n[central]\nlisten = 127.0.0.1:8443\n", "", None
    if engine is not None:
        pw, url = password_file(data), engine.url(engine.fresh_database())
        ini += f"database = {url}\npassword_file = {pw.name}\n"
    (data / "callbox.ini").write_text(ini, encoding="utf-8")
    (data / "people.csv").write_text(BRANCH_PEOPLE, encoding="utf-8")
    for name in sent:
        assert cli("central", "branch", "add", name, "--data", str(data), "--json")[0] == 0
    assert cli("directory", "import", str(data / "people.csv"), "--data", str(data))[0] == 0
    assert cli("central", "branch", "set", "izmir", "--label", "İzmir", "--unit", "İzmir", "--data",
               str(data))[0] == 0
    store.open_db(data / "callbox.db")
    if pw is not None:
        central_db.open_central(url, pw.name, data)
    for name, bodies in sent.items():
        for seq, body in bodies:
            applier.apply(name, wire.decode(body, wire.headers(body, seq)))
    for name, snaps in (snapshots or {}).items():
        for kind, version, body in snaps:
            assert central_snapshots.store(name, snapshot.decode(body, snapshot.headers(body, version), kind))


def sent_batches(box: str, max_rows: int) -> list[tuple[int, bytes]]:
    """All the open box database's outbox has to send, as (seq, body) batches of at most `max_rows` rows, each
    acknowledged as the central's answer does."""
    bodies = []
    while (b := outbox.build(box, "default", max_rows=max_rows)) is not None:
        bodies.append((b.seq, b.body))
        outbox.acknowledged(b)
    return bodies


def seen(user) -> str:
    """The SQL scope of what `user` sees of the received (branch boxes') rows of tenant "default"."""
    return received.scope_sql(rollup_scope(user, "default"))


@pytest.fixture
def central(tmp_path, engine, branches):
    """A central in tmp_path (PostgreSQL or SQLite, the module's `engine`) with the batches of the module's
    `branches` fixture ({box: (its own figures, its batches)}) applied; the database is closed after the test."""
    central_of_boxes(tmp_path, engine, {name: bodies for name, (_mine, bodies) in branches.items()})
    yield tmp_path
    store.close_db()
