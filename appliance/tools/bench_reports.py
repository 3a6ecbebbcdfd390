"""Report benchmark: generation, roll-up build, department x month and 5-year by-year reports, refresh after a batch.

    python -m appliance.tools.bench_reports --calls 10000000 [--dir /tmp/bench] [--runs 5]

Targets: department x month (one month, all departments) < 300 ms; 5-year breakdown by year < 2 s; both
medians of --runs runs, through reports.run as an administrator. The refresh figure is rollup.refresh_some
after storing one worker batch (5,000 calls with their legs) on the newest day. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable, TypeVar
from zoneinfo import ZoneInfo

from appliance import store
from appliance.access import users
from appliance.reports import engine as reports
from appliance.reports import rollup
from appliance.store import rollups
from appliance.tools import gen_calls, results

T = TypeVar("T")

ADMIN = users.Account(0, "bench", "administrator", "all", "", "")
TZ = ZoneInfo("Europe/Istanbul")


def _median_ms(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    times = []
    for _ in range(max(runs, 1)):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1), out


def _batch(n: int = 5000) -> float:
    """Store one worker-sized batch of calls (and legs) on the newest day; the seconds its refresh took."""
    top = store.db.execute_sql("SELECT MAX(id), MAX(start_utc + utc_offset) / 86400 FROM call").fetchone()
    most = max(top[0], store.db.execute_sql("SELECT IFNULL(MAX(id), 0) FROM leg").fetchone()[0])
    first = (most >> 32) + 1 << 32   # above every call and leg id (the generator's extra legs are above 2**32)
    legs: list[tuple] = []
    rows = list(gen_calls.call_rows(random.Random(7), n, first, 1000, gen_calls._Offsets(TZ), 1, top[1], legs))
    legs += [(r[0], r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], 0, 0)
             for r in rows if r[5] != "in"]   # the others' one leg each
    with store.db.atomic():
        gen_calls._insert("call", store.CALL_COLUMNS, rows)
        gen_calls._insert("leg", store.LEG_COLUMNS, legs)
        rollups.mark_refs(first)
    t = time.perf_counter()
    while rollup.refresh_some():   # as the idle worker does, a few days at a time
        pass
    return time.perf_counter() - t


def run(calls: int, workdir: Path, runs: int = 5, seed: int = 1) -> dict:
    path = workdir / f"bench-{calls}-{seed}.db"
    made = gen_calls.generate(path, calls, seed) if not path.exists() else {"reused": str(path)}
    store.open_db(path)
    last = store.db.execute_sql("SELECT MAX(start_utc) FROM call").fetchone()[0]
    month = reports.Spec(("department", "month"), ("calls", "duration", "cost"), "last_month")
    years = reports.Spec(("year",), ("calls", "duration", "talk_in", "talk_out", "cost"), "all")
    dept_ms, dept = _median_ms(lambda: reports.run(month, ADMIN, "default", last, tz=TZ), runs)
    year_ms, year = _median_ms(lambda: reports.run(years, ADMIN, "default", last, tz=TZ), runs)
    raw_ms, raw = _median_ms(lambda: reports.run(years, ADMIN, "default", last, tz=TZ, use_rollup=False), 1)
    refresh_s = _batch()
    return {**made, "calls": calls, "dept_month_ms": dept_ms, "dept_month_rows": len(dept.rows),
            "dept_month_source": dept.source, "by_year_ms": year_ms, "by_year_rows": len(year.rows),
            "by_year_source": year.source, "by_year_raw_ms": raw_ms, "raw_equals_rollup": raw.rows == year.rows,
            "refresh_after_batch_s": round(refresh_s, 3)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=10_000_000)
    p.add_argument("--dir", type=Path, help="where the database is generated (kept, and reused when it exists)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    workdir = a.dir or Path(tempfile.mkdtemp(prefix="callbox-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    figures = run(a.calls, workdir, a.runs, a.seed)
    print(json.dumps(figures))
    if a.dir is not None:
        results.save(a.dir, "reports", figures)


if __name__ == "__main__":
    main()
