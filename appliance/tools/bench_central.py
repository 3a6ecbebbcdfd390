"""Central benchmark (APP-1): ingest of branch batches on SQLite and PostgreSQL, and a consolidated report.

    python -m appliance.tools.bench_central [--calls 1000000] [--branches 10] [--report-calls 10000000]
        [--engines sqlite,postgresql,partitioned] [--pg-url postgresql://USER@HOST:PORT/DB --pg-password-file F]
        [--runs 3] [--rebuild-only] [--reports missed,concurrency]

Ingest: `--calls` calls from `--branches` simulated branches (incoming ones ring one to three extensions), as the
receiver gets them: compressed batches of 2,000 calls (wire.encode, made beforehand), each decoded and applied
(central/apply.py: one transaction, the branch's row locked, multi-row upserts) by one thread per branch; calls/s
over the wall time. TLS and the network are not in it (the receiver's threads do that in parallel). After each
engine's ingest, the missed-calls report's received part over all those calls: summed in SQL (its facts made as the
batches were applied), and read call by call as before (reports/received_missed.py); and the concurrency report's
(by hour): from the quarter-hour roll-up (made whole first, as the receiver does after batches: its transactions
counted and the longest timed, what a batch can wait behind), summed in SQL,
and every call swept in Python. Engine `partitioned`: the same
on PostgreSQL with central_call partitioned by month first (`callbox central partition`; the calls span 25 months,
the receiver makes each month's partition as a batch first brings one). Report: `--report-calls` received calls
bulk-loaded into PostgreSQL (COPY) and the month roll-up rebuilt (apply keeps it as batches come; COPY bypasses it),
then department × month over all of them through the report engine as an administrator, the median of --runs; target
<= 1 s. After each engine's ingest, the month roll-up built again from every call (what the receiver does once after
an upgrade to another central_month.MONTH_VERSION), median seconds of --runs; `--rebuild-only`: the calls
bulk-loaded instead (SQLite executemany, PostgreSQL COPY) and only that measured. One outgoing call in 50 is an IP
Office call to voicemail by name (counted apart, store/directions.py). Without --pg-url it starts a throw-away
PostgreSQL 15 cluster (Debian's postgresql-15, as the postgres user, on a free loopback port; needs root). Prints one
JSON object.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from appliance import store
from appliance.access import users
from appliance.central import apply as applier
from appliance.reports import concurrency as report_concurrency
from appliance.reports import engine as reports
from appliance.reports import missed as report_missed
from appliance.reports import received_occupancy, received_traffic
from appliance.reports.concurrency import Traffic
from appliance.store import central_db, central_month, central_occupancy, central_parts
from appliance.store.sync import CENTRAL_CALL_COLUMNS, CentralBranch
from appliance.sync import wire

ADMIN = users.Account(0, "bench", "administrator", "all", "", "")
TZ = ZoneInfo("Europe/Istanbul")
BATCH = 2000
START = 1_700_000_000          # 2023-11-14: the calls spread over the next two years
SPAN_S = 2 * 365 * 86400
PG_BIN = Path("/usr/lib/postgresql/15/bin")
DEPARTMENTS = ("Satış", "Destek", "Muhasebe", "Yönetim", "Depo", "Lojistik", "İK", "Hukuk")


def _call(rnd: random.Random, i: int) -> dict:
    out = rnd.random() < 0.6
    if out and i % 50 == 7:   # an IP Office call to a voicemail mailbox by name: over no trunk, unpriced
        return _call_fields(rnd, i, out) | {"driver": "avaya_ipoffice", "party": f"?VM{i % 97}", "trunk": "",
                                            "cost": None, "currency": ""}
    return _call_fields(rnd, i, out)


def _call_fields(rnd: random.Random, i: int, out: bool) -> dict:
    return {"driver": "bench", "call_key": f"k{i}", "start_utc": START + rnd.randrange(SPAN_S), "utc_offset": 10800,
            "direction": "out" if out else "in", "extension": str(200 + rnd.randrange(300)),
            "party": f"+90532{rnd.randrange(10**7):07d}", "trunk": "T1", "ring_s": rnd.randrange(30),
            "talk_s": rnd.randrange(900), "answered": 1, "transferred": 0, "account_code": "", "kind": "mobile",
            "number": "", "cost": f"{rnd.randrange(1, 10**5) / 1000:.3f}" if out else None,
            "currency": "TRY" if out else "", "destination": "", "tariff": "", "capped": 0, "tenant": "default",
            "person": f"P{rnd.randrange(2000)}", "department": rnd.choice(DEPARTMENTS), "org_branch": "",
            "legs": "[]"}


def _with_legs(call: dict, rnd: random.Random, i: int) -> dict:
    """An incoming call rings one to three extensions in turn (the missed-calls report reads its legs)."""
    if call["direction"] != "in":
        return call
    legs, at = [], call["start_utc"]
    for j in range(1 + rnd.randrange(3)):
        ring, answered = rnd.randrange(1, 30), rnd.random() < 0.45
        legs.append({"id": i * 4 + j, "start_utc": at, "ring_s": ring, "talk_s": rnd.randrange(600) if answered else 0,
                     "answered": int(answered), "extension": str(200 + rnd.randrange(300)), "transferred": int(j > 0)})
        at += ring + legs[-1]["talk_s"] + 1
        if answered:
            break
    return call | {"legs": json.dumps(legs, separators=(",", ":")),
                   "answered": int(any(leg["answered"] for leg in legs))}


def _batches(branch: str, calls: int, seed: int) -> list[tuple[bytes, dict]]:
    rnd = random.Random(seed)
    out = []
    for seq, lo in enumerate(range(0, calls, BATCH), 1):
        rows = [{"op": "upsert", "rid": i + 1, "call": _with_legs(_call(rnd, i), rnd, i)}
                for i in range(lo, min(calls, lo + BATCH))]
        body = wire.encode(branch, seq, "bench", int(time.time()), rows)
        out.append((body, wire.headers(body, seq)))
    return out


def _enrol(names: list[str]) -> None:
    with central_db.transaction():
        for n in names:
            CentralBranch.insert(name=n, cert_serial="01", created_utc=int(time.time()),
                                 missed_built=1).on_conflict_ignore().execute()   # as `central branch add` makes it


def ingest(calls: int, branches: int) -> float:
    """Calls per second applied by one thread per branch (the central database bound already, empty)."""
    names = [f"branch{i:02d}" for i in range(branches)]
    _enrol(names)
    work = {n: _batches(n, calls // branches, seed=i) for i, n in enumerate(names)}
    errors: list[BaseException] = []

    def send(name: str) -> None:
        try:
            with central_db.central_db.connection_context():
                for body, head in work[name]:
                    applier.apply(name, wire.decode(body, head))
        except BaseException as e:   # noqa: BLE001 (reported after the join)
            errors.append(e)
    threads = [threading.Thread(target=send, args=(n,)) for n in names]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.perf_counter() - t
    if errors:
        raise errors[0]
    stored = central_db.execute("SELECT COUNT(*) FROM central_call")[0][0]
    assert stored == calls // branches * branches, stored
    return round(stored / took)


def _copy_rows(n: int, branches: int, seed: int) -> Iterator[str]:
    rnd = random.Random(seed)
    cols = [c for c in CENTRAL_CALL_COLUMNS if c not in ("branch", "rid")]
    for i in range(n):
        c = _call(rnd, i)
        values = [f"branch{i % branches:02d}", str(i + 1)] + ["\\N" if c[k] is None else str(c[k]) for k in cols]
        yield "\t".join(values) + "\n"


def load_pg(n: int, branches: int) -> float:
    """Bulk-load `n` received calls into the PostgreSQL central (COPY); seconds."""
    conn = central_db.central_db.connection()
    t = time.perf_counter()
    cols = ["branch", "rid"] + [c for c in CENTRAL_CALL_COLUMNS if c not in ("branch", "rid")]
    rows = _copy_rows(n, branches, 99)
    with conn.cursor() as cur:
        while True:
            chunk = "".join(r for _, r in zip(range(100_000), rows))
            if not chunk:
                break
            cur.copy_expert(f"COPY central_call ({', '.join(cols)}) FROM STDIN", io.StringIO(chunk))
        cur.execute("ANALYZE central_call")
    conn.commit()
    return time.perf_counter() - t


def load_sqlite(n: int, branches: int) -> float:
    """Bulk-load `n` received calls into the SQLite central (executemany, one transaction); seconds."""
    cols = ["branch", "rid"] + [c for c in CENTRAL_CALL_COLUMNS if c not in ("branch", "rid")]
    rnd = random.Random(99)
    t = time.perf_counter()
    with central_db.transaction():
        for lo in range(0, n, 100_000):
            rows = []
            for i in range(lo, min(n, lo + 100_000)):
                c = _call(rnd, i)
                rows.append([f"branch{i % branches:02d}", i + 1] + [c[k] for k in cols[2:]])
            central_db.central_db.cursor().executemany(
                f"INSERT INTO central_call ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    return time.perf_counter() - t


def rebuild_s(runs: int) -> float:
    """The month roll-up built again from every received call (central_month.rebuild): median seconds of `runs`."""
    times = []
    with central_db.connection():
        for _ in range(max(1, runs)):
            t = time.perf_counter()
            central_month.rebuild()
            times.append(time.perf_counter() - t)
    return round(statistics.median(times), 1)


def report_ms(runs: int) -> tuple[float, int]:
    spec = reports.Spec(("department", "month"), ("calls", "duration", "cost"), "all")
    last = START + SPAN_S
    times, rows = [], 0
    for _ in range(max(1, runs)):
        t = time.perf_counter()
        rows = len(reports.run(spec, ADMIN, "default", last, tz=TZ).rows)
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1), rows


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL 15 cluster in a temp dir as the postgres user; yields its URL (trust login on loopback)."""
    top = Path(tempfile.mkdtemp(prefix="callbox-bench-pg-"))
    top.chmod(0o755)
    shutil.chown(top, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = top / "data"
    subprocess.run(as_pg + [str(PG_BIN / "initdb"), "-D", str(data), "-U", "callbox", "--auth", "trust", "-E",
                            "UTF8", "--locale", "C.UTF-8", "--no-sync"], check=True, capture_output=True)
    ctl = as_pg + [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "60"]
    subprocess.run(ctl + ["-l", str(top / "log"), "-o", f"-p {port} -k {top} -c listen_addresses=127.0.0.1 "
                          "-c shared_buffers=256MB -c work_mem=64MB -c synchronous_commit=off", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql://callbox@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(ctl + ["-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


def _reset_pg() -> None:
    central_db.central_db.execute_sql("DROP TABLE IF EXISTS central_call, central_branch, central_month, "
                                      "central_queue_call, central_snapshot, central_agent_event, central_missed, "
                                      "central_month_state, central_call_evaluation, central_occupancy, "
                                      "central_occupancy_dirty, central_long_call")


def missed_ms(runs: int) -> dict:
    """The missed-calls report's received part over every received call (two years), by extension: summed in SQL
    (received_missed.py) and, once, read call by call (the reference, as before it): median ms of `runs`."""
    span = (START, START + SPAN_S + 86400)

    def once(raw: bool) -> float:
        tally = report_missed.Tally("extension", "default", lambda a: True)
        t = time.perf_counter()
        (received_traffic.raw_missed_tally if raw else received_traffic.missed_tally)(tally, ([], []), *span)
        took = (time.perf_counter() - t) * 1000
        assert tally.total.offered > 0
        return took
    with central_db.central_db.connection_context():
        sql_ms = statistics.median(once(False) for _ in range(max(1, runs)))
        raw_ms = once(True)
    return {"sql_ms": round(sql_ms, 1), "call_by_call_ms": round(raw_ms, 1)}


def concurrency_ms(runs: int) -> dict:
    """The concurrency report's received part over every received call (two years, by hour, UTC): from the quarter-hour
    roll-up (reports/received_occupancy.py; first made whole as the receiver does after the batches: `refresh_ms`),
    summed in SQL (received_traffic.swept) and, once, every call read and swept in Python (the reference): medians
    of `runs`, and whether all three agree."""
    bounds = report_concurrency.local_bounds(START, START + SPAN_S + 86400, 3600, ZoneInfo("UTC"))
    with central_db.central_db.connection_context():
        t, parts = time.perf_counter(), []
        while True:      # one transaction a part: the longest is what a batch can wait behind on SQLite
            p = time.perf_counter()
            if not received_occupancy.refresh():
                break
            parts.append((time.perf_counter() - p) * 1000)
        refresh_ms = (time.perf_counter() - t) * 1000

        def timed(work) -> tuple[float, list]:
            times, got = [], []
            for _ in range(max(1, runs)):
                t = time.perf_counter()
                got = work()
                times.append((time.perf_counter() - t) * 1000)
            return round(statistics.median(times), 1), got
        rollup_ms, quick = timed(lambda: received_occupancy.swept(([], []), bounds, Traffic(), received_traffic.swept))
        sql_ms, got = timed(lambda: received_traffic.swept(([], []), bounds, Traffic()))
        t = time.perf_counter()
        spans, args = received_traffic._spans(([], []), bounds[0], bounds[-1], Traffic())
        want = report_concurrency.sweep(central_db.execute(spans, args), bounds)
        raw_ms = (time.perf_counter() - t) * 1000
    return {"rollup_ms": rollup_ms, "refresh_ms": round(refresh_ms, 1), "refresh_parts": len(parts),
            "refresh_part_max_ms": round(max(parts, default=0), 1), "sql_ms": sql_ms,
            "call_by_call_ms": round(raw_ms, 1), "same": quick == got == want}


def run(calls: int, branches: int, report_calls: int, engines: list[str], workdir: Path, runs: int,
        pg_url: str = "", pg_password_file: str = "", rebuild_only: bool = False,
        which: tuple[str, ...] = ("missed", "concurrency")) -> dict:
    out: dict = {"calls": calls, "branches": branches, "batch": BATCH, "cpus": os.cpu_count()}
    if "sqlite" in engines:
        path = workdir / "central.db"
        path.unlink(missing_ok=True)
        store.open_db(path)
        if rebuild_only:
            out["sqlite_load_s"] = round(load_sqlite(calls, branches), 1)
        else:
            out["sqlite_ingest_calls_per_s"] = ingest(calls, branches)
            if "missed" in which:
                out["sqlite_missed_report"] = missed_ms(runs)
            if "concurrency" in which:
                out["sqlite_concurrency_report"] = concurrency_ms(runs)
        out["sqlite_rollup_rebuild_s"] = rebuild_s(runs)
        print(json.dumps(out), file=sys.stderr, flush=True)     # so far: a long run stopped later keeps these
        store.close_db()
    if {"postgresql", "partitioned"} & set(engines):
        with (throwaway_postgres() if not pg_url else _given(pg_url)) as url:
            store.open_db(workdir / "own.db")
            central_db.open_central(url, pg_password_file, Path.cwd())
            _reset_pg()
            central_db.open_central("", "", Path.cwd())
            central_db.open_central(url, pg_password_file, Path.cwd())
            if "postgresql" in engines and rebuild_only:
                out["postgresql_load_s"] = round(load_pg(calls, branches), 1)
                out["postgresql_rollup_rebuild_s"] = rebuild_s(runs)
            elif "postgresql" in engines:
                out["postgresql_ingest_calls_per_s"] = ingest(calls, branches)
                if "missed" in which:
                    out["postgresql_missed_report"] = missed_ms(runs)
                if "concurrency" in which:
                    out["postgresql_concurrency_report"] = concurrency_ms(runs)
                out["postgresql_rollup_rebuild_s"] = rebuild_s(runs)
                print(json.dumps(out), file=sys.stderr, flush=True)
            if "partitioned" in engines and not rebuild_only:
                _reset_pg()
                central_db.open_central("", "", Path.cwd())
                central_db.open_central(url, pg_password_file, Path.cwd())
                with central_db.central_db.connection_context():
                    central_parts.partition()
                out["partitioned_ingest_calls_per_s"] = ingest(calls, branches)
                with central_db.central_db.connection_context():
                    out["partitions"] = len(central_parts.partitions())
            if report_calls and "postgresql" in engines and not rebuild_only:
                _reset_pg()
                central_db.open_central("", "", Path.cwd())
                central_db.open_central(url, pg_password_file, Path.cwd())
                out["report_calls"] = report_calls
                out["report_load_s"] = round(load_pg(report_calls, branches), 1)
                t = time.perf_counter()
                central_month.rebuild()   # COPY bypassed apply, which keeps the roll-up
                central_occupancy.ensure()   # and the concurrency roll-up's notes: every day to make again
                out["rollup_rebuild_s"] = round(time.perf_counter() - t, 1)
                out["dept_month_ms"], out["dept_month_rows"] = report_ms(runs)
            store.close_db()
    return out


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=1_000_000)
    p.add_argument("--branches", type=int, default=10)
    p.add_argument("--report-calls", type=int, default=10_000_000)
    p.add_argument("--engines", default="sqlite,postgresql,partitioned")
    p.add_argument("--pg-url", default="", help="an existing server's database (its tables are dropped!)")
    p.add_argument("--pg-password-file", default="")
    p.add_argument("--dir", type=Path)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--rebuild-only", action="store_true",
                   help="bulk-load --calls and measure only the month roll-up's rebuild")
    p.add_argument("--reports", default="missed,concurrency", help="the received reports timed after ingest")
    a = p.parse_args(argv)
    workdir = a.dir or Path(tempfile.mkdtemp(prefix="callbox-bench-central-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(a.calls, a.branches, a.report_calls, a.engines.split(","), workdir, a.runs, a.pg_url,
                         a.pg_password_file, a.rebuild_only, tuple(a.reports.split(",")))))


if __name__ == "__main__":
    main()
