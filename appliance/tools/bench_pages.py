"""Report pages through HTTP: every report page's time as a browser gets it, on 10,000,000 generated calls.

    python -m appliance.tools.bench_pages [--calls 10000000] [--dir .bench | --data DATA_DIR] [--db FILE]
                                          [--runs 5] [--cap SECONDS] [--page NAME] [--json]

Uses a data directory (its database copied from --db, which stays unchanged, or generated with
appliance/tools/gen_calls.py: 5 years, 1,000 extensions, when it has none), upgrades its database and brings
its roll-ups up to date as the worker would (`rollup.refresh()`), adds two users (an administrator of the whole
box and a department supervisor), starts the real web process (`python -m webui`,
gevent, HTTPS) on a free loopback port, logs both in and requests each report page (login, scope,
attribution, template, as the browser gets it) --runs times. Before every request it commits a change the
pages do not read (a row of rollup_state), so the web's kept results (appliance/store/versioned.py) are
dropped and each request computes its page anew, as the first view after calls arrived would. Prints each
page's median time by the clock and the web process's median CPU time for it (/proc/PID/stat), against the
target of 300 ms; merges them into DIR/results.json under "pages". A benchmark, not a test: exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from appliance import store
from appliance.access import users
from appliance.reports import rollup
from appliance.store.users import close_users_db, open_users_db
from appliance.tools import gen_calls, results
from appliance.tools.bench_process import cpu_s
from appliance.tools.bench_web import PASSWORD, User, connect, free_port, login, start_web, stop

TARGET_MS = 300
YEAR = ("2024-01-01", "2025-01-01")     # the generated data's last year (it ends 2024-12-30)
MONTH = ("2024-11-01", "2024-12-01")


def _q(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params)}"


def _year(**params: str) -> dict:
    return {"run": "1", "range": "custom", "since": YEAR[0], "until": YEAR[1], **params}


# (name, path, user): "admin" sees every call, "dsup" one department (the scope path of every query)
PAGES = (
    ("breakdown dept x month, all time", _q("/reports", run="1", dim1="department", dim2="month", range="all"),
     "admin"),
    ("breakdown by year, all time", _q("/reports", run="1", dim1="year", range="all"), "admin"),
    ("breakdown extension, a year", _q("/reports", **_year(dim1="extension")), "admin"),
    ("breakdown trunk group x month, a year", _q("/reports", **_year(dim1="trunk_group", dim2="month")), "admin"),
    ("breakdown person, a year, dept scope", _q("/reports", **_year(dim1="person")), "dsup"),
    ("trunk traffic, a year", _q("/reports/trunks", **_year()), "admin"),
    ("trunk traffic, a month", _q("/reports/trunks", run="1", range="custom", since=MONTH[0], until=MONTH[1]),
     "admin"),
    ("trunk traffic, a year, dept scope", _q("/reports/trunks", **_year()), "dsup"),
    ("missed calls, a year", _q("/reports/missed", **_year()), "admin"),
    ("missed calls, a month", _q("/reports/missed", run="1", range="custom", since=MONTH[0], until=MONTH[1]),
     "admin"),
    ("missed calls by person, a year", _q("/reports/missed", **_year(by="person")), "admin"),
    ("missed calls, a year, dept scope", _q("/reports/missed", **_year()), "dsup"),
    ("concurrency 1 h, a month", _q("/reports/concurrency", run="1", range="custom", since=MONTH[0],
                                    until=MONTH[1], step="3600"), "admin"),
    ("bill, a month", _q("/bill", person="p00001", period="2024-11"), "admin"),
    ("call search, a year (count)", _q("/calls", since=YEAR[0], until=YEAR[1]), "admin"),
    ("call search, all (count)", "/calls", "admin"),
)


def prepare(data: Path, calls: int, seed: int, reuse: Path | None = None) -> dict:
    """The data directory's database (a copy of `reuse` when that exists, else generated when missing), upgraded
    and with its roll-ups up to date. The copy leaves `reuse` as it was: the upgrade, the roll-up refresh and the
    benchmark's commits write to the data directory only, so other runs can copy the same file."""
    db = data / "callbox.db"
    made: dict = {"reused": str(data)}
    if not db.exists() and reuse is not None and reuse.exists():
        data.mkdir(parents=True, exist_ok=True)
        copy_db(reuse, db)
        made = {"reused": str(reuse), "copied": True}
    if not db.exists():
        data.mkdir(parents=True, exist_ok=True)
        made = gen_calls.generate(db, calls, seed)
        store.close_db()
    if not (data / "callbox.ini").exists():
        (data / "callbox.ini").write_text("[pbx]\ntenant = default\ntimezone = Europe/Istanbul\n", encoding="utf-8")
    store.open_db(db)   # the worker's upgrade of an older schema
    try:
        t0 = time.perf_counter()
        days = rollup.refresh(pbx_tenant="default")   # the tenant of its callbox.ini
        made["rollup_refresh_s"] = round(time.perf_counter() - t0, 1)
        made["rollup_days_refreshed"] = days
    finally:
        store.close_db()
    return made


def copy_db(source: Path, db: Path) -> None:
    """Copy a database that no process writes (and its WAL, if one was left) to db, atomically."""
    part = db.with_name(db.name + ".part")
    shutil.copyfile(source, part)
    wal = source.with_name(source.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        shutil.copyfile(wal, db.with_name(db.name + "-wal"))
    part.rename(db)


def make_users(data: Path) -> dict[str, User]:
    """An administrator of the whole box and a supervisor of one department (person p00038's)."""
    if (data / "users.db").exists():
        (data / "users.db").unlink()
    open_users_db(data / "users.db")
    try:
        users.add_user("admin", PASSWORD, "administrator", "all", "", "", actor="bench")
        users.add_user("dsup", PASSWORD, "supervisor", "department", "default", "p00038", actor="bench")
    finally:
        close_users_db()
    return {"admin": User("admin", "administrator", "all", ""),
            "dsup": User("dsup", "supervisor", "department", "p00038")}


def _touch(db: Path, n: int) -> None:
    """A commit no page reads: every process's PRAGMA data_version changes, so the web computes pages anew."""
    conn = sqlite3.connect(db, timeout=60)
    try:
        conn.execute("INSERT OR REPLACE INTO rollup_state (key, value) VALUES ('bench_pages', ?)", (str(n),))
        conn.commit()
    finally:
        conn.close()


def measure(port: int, pid: int, db: Path, path: str, cookie: str, runs: int, cap_s: float) -> dict:
    """--runs cold requests of one page: status, clock and web CPU ms of each, their medians. After a request
    slower than cap_s, no more runs (a page of minutes is reported as it is, once)."""
    ms: list[float] = []
    cpu: list[float] = []
    status = 0
    conn = connect(port, 1800)
    try:
        for i in range(runs):
            _touch(db, time.time_ns() + i)
            c0, t0 = cpu_s(pid), time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            resp = conn.getresponse()
            body = resp.read()
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((cpu_s(pid) - c0) * 1000)
            status = resp.status
            if status != 200 or ms[-1] > cap_s * 1000:
                break
    finally:
        conn.close()
    preparing = b'class="banner preparing"' in body
    return {"status": status, "runs": len(ms), "median_ms": round(statistics.median(ms), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1), "ms": [round(v, 1) for v in ms],
            "cpu_ms": [round(v, 1) for v in cpu], "preparing": preparing}


def run(data: Path, calls: int, runs: int, seed: int = 1, only: tuple[str, ...] = (), cap_s: float = 20.0,
        reuse: Path | None = None) -> dict:
    made = prepare(data, calls, seed, reuse)
    accounts = make_users(data)
    port = free_port()
    proc = start_web(data, port)
    pages: dict[str, dict] = {}
    try:
        for user in accounts.values():
            login(port, user)
        for name, path, who in PAGES:
            if only and not name.startswith(only):
                continue
            pages[name] = {"path": path, "user": who,
                           **measure(port, proc.pid, data / "callbox.db", path, accounts[who].cookie, runs, cap_s)}
            p = pages[name]
            print(f"  {name:<40} {p['median_ms']:>9.1f} ms  CPU {p['cpu_median_ms']:>9.1f} ms  "
                  f"({p['runs']} run{'s' if p['runs'] > 1 else ''}, HTTP {p['status']}"
                  f"{', being prepared' if p['preparing'] else ''})", file=sys.stderr, flush=True)
    finally:
        stop(proc)
    slow = [n for n, p in pages.items() if p["median_ms"] > TARGET_MS or p["status"] != 200]
    return {"calls": calls, "data": str(data), "prepared": made, "runs": runs, "pages": pages,
            "target_ms": TARGET_MS, "over_target": slow, "load_average": os.getloadavg()[0]}


def print_table(r: dict) -> None:
    print(f"report pages through HTTP, {r['calls']:,} calls, median of up to {r['runs']} cold requests each "
          f"(load average {r['load_average']:.2f}):")
    print(f"{'page':<42} {'median ms':>10} {'CPU ms':>9} {'runs':>5} {'HTTP':>5}")
    for name, p in r["pages"].items():
        flag = " being prepared" if p["preparing"] else ""
        print(f"{name:<42} {p['median_ms']:>10} {p['cpu_median_ms']:>9} {p['runs']:>5} {p['status']:>5}{flag}")
    print(f"target <= {r['target_ms']} ms a page: " + ("met by every page" if not r["over_target"] else
                                                       f"NOT met by {', '.join(r['over_target'])}"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=10_000_000, help="calls to generate when the data is missing")
    p.add_argument("--dir", type=Path, default=results.DEFAULT_DIR,
                   help="results.json goes here; the data too (DIR/pages-CALLS-SEED) unless --data")
    p.add_argument("--data", type=Path, help="a data directory to use (its callbox.db generated when missing)")
    p.add_argument("--db", type=Path, help="a generated database to copy when the data directory has none (make bench "
                                           "reuses bench_reports' DIR/bench-CALLS-SEED.db; left unchanged)")
    p.add_argument("--runs", type=int, default=5, help="cold requests of each page (default 5)")
    p.add_argument("--cap", type=float, default=20.0, metavar="SECONDS",
                   help="after a request slower than this, no more runs of that page (default 20 s)")
    p.add_argument("--page", action="append", default=[], help="only the pages whose name starts with this")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="also print the figures as one JSON object (last line)")
    a = p.parse_args(argv)
    data = a.data or a.dir / f"pages-{a.calls}-{a.seed}"
    r = run(data, a.calls, max(1, a.runs), a.seed, tuple(a.page), a.cap, a.db)
    print_table(r)
    results.save(a.dir, "pages", r)
    if a.json:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
