"""`make bench`: end-to-end import throughput (journal + parse + store) against raw sqlite3 executemany.

The input is the shipped IP Office capture replayed month after month (dates shifted, Call IDs renumbered)
until it reaches the requested number of lines, so the rows look like a real site's.
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from appliance import config, store
from appliance.ingest.importer import import_files
from appliance.ingest.worker import build_processor
from appliance.paths import Paths
from appliance.tools import results

SAMPLE = Path(__file__).parent / "samples" / "avaya_ipoffice_2017-07.log"


def make_input(path: Path, lines: int) -> int:
    """Write `lines` IP Office records to `path`; returns the count written."""
    records = [r.rstrip(b"\r\n") + b"\r\n" for r in SAMPLE.read_bytes().splitlines()[1:] if r.strip()]
    written, month, call_id = 0, 0, 1000000
    with open(path, "wb") as out:
        while written < lines:
            shift = timedelta(days=31 * month)
            for rec in records:
                if written >= lines:
                    break
                f = rec.split(b",")
                start = datetime.strptime(f[0].decode(), "%Y/%m/%d %H:%M:%S") + shift
                f[0] = start.strftime("%Y/%m/%d %H:%M:%S").encode()
                f[9] = str(call_id + int(f[9]) % 100000).encode()
                out.write(b",".join(f))
                written += 1
            month += 1
            call_id += 100000
    return written


def time_import(src: Path) -> tuple[float, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as d:
        paths, cfg = Paths(Path(d)), config.Config(text="[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n")
        store.open_db(paths.db)
        processor = build_processor(cfg)
        t0, c0 = time.perf_counter(), time.process_time()
        result = import_files(paths, cfg, processor, [src])
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        legs = store.db.execute_sql(f"SELECT {', '.join(store.LEG_COLUMNS)} FROM leg").fetchall()
        calls = store.db.execute_sql(f"SELECT {', '.join(store.CALL_COLUMNS)} FROM call").fetchall()
        store.close_db()
    return elapsed, {**result, "rows": (legs, calls), "cpu_s": cpu}


def time_raw(legs: list[tuple], calls: list[tuple], batch: int = 5000) -> float:
    """The same rows into the same schema with plain sqlite3 executemany, one transaction per batch."""
    with tempfile.TemporaryDirectory() as d:
        store.open_db(Path(d) / "raw.db")   # creates the identical schema and indexes
        store.close_db()
        conn = sqlite3.connect(Path(d) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute("PRAGMA synchronous=normal")
        leg_sql = f"INSERT INTO leg ({', '.join(store.LEG_COLUMNS)}) VALUES ({', '.join('?' * len(store.LEG_COLUMNS))})"
        call_sql = (f"INSERT INTO call ({', '.join(store.CALL_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(store.CALL_COLUMNS))})")
        t0 = time.perf_counter()
        for i in range(0, max(len(legs), len(calls)), batch):
            conn.execute("BEGIN")
            conn.executemany(call_sql, calls[i:i + batch])
            conn.executemany(leg_sql, legs[i:i + batch])
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - t0
        conn.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path(".bench"), help="where results.json goes (.bench)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "ipo.log"
        n = make_input(src, args.lines)
        imports, raws, cpus = [], [], []
        for _ in range(args.runs):
            t, result = time_import(src)
            imports.append(t)
            cpus.append(result.pop("cpu_s"))
            raws.append(time_raw(*result.pop("rows")))
    ti, tr, tc = statistics.median(imports), statistics.median(raws), statistics.median(cpus)
    print(f"input: {n} IP Office lines -> {result['calls']} calls, {result['legs']} legs, "
          f"{result['quarantined']} quarantined")
    print(f"callbox import (journal + parse + store): median {ti:.2f} s of {args.runs} = {n / ti:,.0f} lines/s")
    print(f"raw sqlite3 executemany, same rows:       median {tr:.2f} s of {args.runs} = {n / tr:,.0f} lines/s")
    print(f"ratio import / raw: {tr / ti:.2f}   (targets: >= 50,000 lines/s and >= 0.25)")
    print(f"import CPU time (the process's, the figure to compare on a shared machine): median {tc:.2f} s = "
          f"{n / tc:,.0f} lines per CPU second")
    results.save(args.dir, "import", {"lines": n, "runs": args.runs, "import_s": round(ti, 3),
                                      "lines_per_s": round(n / ti), "import_cpu_s": round(tc, 3),
                                      "lines_per_cpu_s": round(n / tc), "raw_s": round(tr, 3),
                                      "raw_lines_per_s": round(n / tr), "ratio": round(tr / ti, 3)})


if __name__ == "__main__":
    main()
