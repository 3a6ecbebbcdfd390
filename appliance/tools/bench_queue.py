"""Call-centre benchmark: one year of a 50-agent centre (about 3,000,000 queue calls, seeded), its KPIs and its board.

    python -m appliance.tools.bench_queue [--calls 3000000] [--dir .bench] [--runs 5]

Generates the queue_call rows directly (what the KPIs read; the journeys themselves are tested in
tests/callcentre), sums the hour roll-ups as the idle worker does, then times, as medians of --runs: the queue KPIs
of the whole year, of one month and of today, read from the queue calls alone and from the roll-ups, and one
wallboard board (appliance/callcentre/live.py). Target (issue 15): the year's KPIs <= 300 ms. The board is computed
once per database change for every screen: its time bounds how many changes a second a wallboard follows. Prints
one JSON object.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Callable

from appliance import store
from appliance.tools import results
from appliance.callcentre import hours, kpis, live
from appliance.store.callcentre import QUEUE_CALL_COLUMNS

YEAR_END = 1_798_761_600          # 2027-01-01T00:00Z
YEAR = 365 * 86400
QUEUES = ("sales", "support", "billing", "retention", "vip")
AGENTS = tuple(f"PJSIP/{200 + i}" for i in range(50))
BOOK = kpis.RuleBook()


def _rows(rng: random.Random, n: int, first_id: int):
    for i in range(n):
        entered = YEAR_END - YEAR + rng.randrange(YEAR)
        wait, fate = rng.randrange(0, 120), rng.random()
        outcome = "answered" if fate < 0.8 else "abandoned" if fate < 0.93 else "timeout" if fate < 0.98 else ""
        agent = rng.choice(AGENTS) if outcome == "answered" else ""
        talk = rng.randrange(5, 900) if outcome == "answered" else None
        row = {"id": first_id + i, "driver": "asterisk_queue_log", "call_key": f"{entered}.{i}",
               "queue": rng.choice(QUEUES), "entered_utc": entered, "seen_enter": 1, "caller": "0501234567",
               "url": "", "did": "", "position": 1, "outcome": outcome, "wait_s": wait if outcome else None,
               "agent": agent, "ring_s": 3 if agent else None, "bridged": "", "end_event":
               "COMPLETECALLER" if agent else "", "talk_s": talk, "transfer_to": "", "exit_key": "",
               "exit_position": None if agent else 1, "end_utc": entered + wait + (talk or 0) if outcome else None,
               "rings": "[]", "rna": 0, "problems": ""}
        yield tuple(row[c] for c in QUEUE_CALL_COLUMNS)


def generate(path: Path, calls: int, seed: int) -> float:
    """A database of `calls` queue calls (kept: generated again only when it has another count); seconds taken."""
    store.open_db(path)
    have = store.db.execute_sql("SELECT COUNT(*) FROM queue_call").fetchone()[0]
    if have == calls:
        return 0.0
    t = time.perf_counter()
    store.db.execute_sql("DELETE FROM queue_call")
    rng, sql = random.Random(seed), (f"INSERT INTO queue_call ({', '.join(QUEUE_CALL_COLUMNS)}) "
                                     f"VALUES ({', '.join('?' * len(QUEUE_CALL_COLUMNS))})")
    for start in range(0, calls, 100_000):
        with store.db.atomic():
            store.db.connection().executemany(sql, _rows(rng, min(100_000, calls - start), start + 1))
    store.db.execute_sql("INSERT OR REPLACE INTO queue_state (key, value) VALUES ('built', '1')")
    store.db.execute_sql("DELETE FROM queue_state WHERE key = 'hours_built'")
    return time.perf_counter() - t


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(max(runs, 1)):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1)


def _raw(since, until):
    with store.db.atomic() as txn:       # the roll-ups hidden: every queue call read
        store.db.execute_sql("DELETE FROM queue_state WHERE key = 'hours_built'")
        kpis.queue_kpis(BOOK, since, until)
        txn.rollback()


def run(calls: int, workdir: Path, runs: int, seed: int = 1) -> dict:
    path = workdir / f"queue-{calls}.db"
    generated = generate(path, calls, seed)
    t = time.perf_counter()
    hours.refresh_some(BOOK)
    built = time.perf_counter() - t
    today, month = YEAR_END - 86400 + 3 * 3600, YEAR_END - 31 * 86400 + 3 * 3600     # local days at UTC+3
    ranges = {"year": (YEAR_END - YEAR + 3 * 3600, YEAR_END + 3 * 3600), "month": (month, YEAR_END + 3 * 3600),
              "today": (today, YEAR_END + 3 * 3600)}
    out: dict = {"queue_calls": calls, "generated_s": round(generated, 1), "rollups_built_s": round(built, 1)}
    for name, (since, until) in ranges.items():
        out[f"kpis_{name}_raw_ms"] = _median_ms(lambda: _raw(since, until), runs)
        out[f"kpis_{name}_ms"] = _median_ms(lambda: kpis.queue_kpis(BOOK, since, until), runs)
    out["board_ms"] = _median_ms(lambda: live.board(BOOK, live.Targets(), YEAR_END - 3600, today), runs)
    out["target_year_ms"] = 300
    store.close_db()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=3_000_000)
    ap.add_argument("--dir", type=Path, default=Path(".bench"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    figures = run(args.calls, args.dir, args.runs)
    print(json.dumps(figures))
    results.save(args.dir, "queue", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
