"""Rating throughput: rate() calls per second on one core under a synthetic plan with many prefixes."""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance import store
from appliance.tools import results
from appliance.ingest.rerate import rerate
from appliance.rating import numbering, pricing, tariff_csv
from appliance.rating import plans as stored_plans
from appliance.rating.rate import rate
from appliance.rating.tariffs import Band, Destination, Holiday, PlanVersion, Rate, Step, compile_plan

PREFIXES_PER_DESTINATION = 10


def synthetic_plan(n_prefixes: int, seed: int = 1) -> PlanVersion:
    """A plan like a wholesale deck: n_prefixes E.164 prefixes of 2-8 digits in destinations of ten, three bands
    (peak, offpeak, weekend with holidays), multi-step rates and split band boundaries."""
    rnd = random.Random(seed)
    prefixes: set[str] = set()
    while len(prefixes) < n_prefixes:
        prefixes.add("+" + str(rnd.randint(1, 9)) + "".join(rnd.choice("0123456789")
                                                            for _ in range(rnd.randint(1, 7))))
    ordered = sorted(prefixes)
    dests, rates = [], []
    for i in range(0, len(ordered), PREFIXES_PER_DESTINATION):
        name = f"D{i // PREFIXES_PER_DESTINATION:05d}"
        dests.append(Destination(name, tuple(ordered[i:i + PREFIXES_PER_DESTINATION])))
        cents = Decimal(rnd.randint(5, 900)).scaleb(-2)
        rates.append(Rate(name, "peak", (Step(60, cents, 1), Step(1, cents / 60 + Decimal("0.0001"))),
                          Decimal("0.05")))
        rates.append(Rate(name, "*", (Step(60, cents / 2, 1), Step(1, cents / 120 + Decimal("0.0001"))),
                          Decimal("0.05")))
    dests.append(Destination("Local", (), ("local",)))
    rates.append(Rate("Local", "*", (Step(1, Decimal("0.30"), per_minute=True),)))
    bands = (Band("offpeak", ("mon", "tue", "wed", "thu", "fri"), 0, 480),
             Band("peak", ("mon", "tue", "wed", "thu", "fri"), 480, 1080),
             Band("offpeak", ("mon", "tue", "wed", "thu", "fri"), 1080, 1440),
             Band("weekend", ("sat", "sun", "hol"), 0, 1440))
    holidays = tuple(Holiday(date(2025, m, d), "holiday") for m, d in ((1, 1), (5, 1), (12, 25), (12, 26)))
    return PlanVersion("Bench", "Synthetic", date(2024, 1, 1), "EUR", tuple(dests), tuple(rates), bands,
                       holidays, decimals=4)


def synthetic_calls(version: PlanVersion, n_calls: int, seed: int = 2) -> list[tuple[str, str, int, int]]:
    """(number, kind, start_utc, talk_s): numbers under the plan's prefixes, starts spread over 2025, talk
    times of a few minutes (exponential, like real traffic), one in ten a local call."""
    rnd = random.Random(seed)
    prefixes = [p for d in version.destinations for p in d.prefixes]
    t0 = 1735689600   # 2025-01-01T00:00Z
    calls = []
    for _ in range(n_calls):
        if rnd.random() < 0.1:
            number, kind = "+42022" + str(rnd.randint(1000000, 9999999)), "local"
        else:
            p = rnd.choice(prefixes)
            number = p + "".join(rnd.choice("0123456789") for _ in range(max(0, 12 - len(p))))
            kind = "international_fixed"
        calls.append((number, kind, t0 + rnd.randint(0, 365 * 86400), int(rnd.expovariate(1 / 150))))
    return calls


def bench_rating(n_calls: int = 200_000, n_prefixes: int = 50_000, tz_name: str = "Europe/Prague") -> dict:
    """Build the synthetic plan, rate n_calls calls and report the rates per second (one core, best of 3)."""
    t = time.perf_counter()
    version = synthetic_plan(n_prefixes)
    text = tariff_csv.write_csv([version])
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    parsed = tariff_csv.read_csv(text, "synthetic.csv")
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    plan = compile_plan(parsed)
    t_compile = time.perf_counter() - t
    calls, tz = synthetic_calls(version, n_calls), ZoneInfo(tz_name)
    best, total = float("inf"), Decimal(0)
    for _ in range(3):
        t = time.perf_counter()
        total = Decimal(0)
        for number, kind, start, talk in calls:
            total += rate(number, kind, start, talk, tz, plan).cost
        best = min(best, time.perf_counter() - t)
    return {"calls": n_calls, "prefixes": n_prefixes, "destinations": len(version.destinations),
            "calls_per_s": round(n_calls / best), "us_per_call": round(best / n_calls * 1e6, 2),
            "csv_bytes": len(text.encode()), "csv_write_s": round(t_build, 3), "csv_read_s": round(t_read, 3),
            "compile_s": round(t_compile, 3), "total_cost": str(total)}


def bench_rerate(n_calls: int = 1_000_000, n_prefixes: int = 50_000, tz_name: str = "Europe/Prague") -> dict:
    """`callbox rerate` over n_calls stored calls (their classification stored, as the worker leaves it)."""
    version = synthetic_plan(n_prefixes)
    with tempfile.TemporaryDirectory() as d:
        store.open_db(Path(d) / "callbox.db")
        stored_plans.save_version(version)
        plan = stored_plans.compiled_plans()[0]
        calls = synthetic_calls(version, n_calls)
        rows = [(i, "bench", "", start, 3600, "out", "100", number, "", 0, talk, 1, 0, "", 1, kind, number,
                 None, "", "", "", 0, 0, "") for i, (number, kind, start, talk) in enumerate(calls)]
        with store.db.atomic():
            store.db.connection().executemany(
                f"INSERT INTO call ({', '.join(store.CALL_COLUMNS)}) VALUES ({', '.join('?' * len(rows[0]))})", rows)
        del rows
        pricer = pricing.Pricer(numbering.plan_from_options({"country": "CZ"}), plan, ZoneInfo(tz_name))
        t = time.perf_counter()
        done = rerate(pricer)
        elapsed = time.perf_counter() - t
        priced = store.db.execute_sql("SELECT COUNT(*) FROM call WHERE cost IS NOT NULL").fetchone()[0]
        store.close_db()
    return {"calls": done, "priced": priced, "seconds": round(elapsed, 1), "calls_per_s": round(done / elapsed)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--calls", type=int, default=200_000)
    p.add_argument("--prefixes", type=int, default=50_000)
    p.add_argument("--rerate-calls", type=int, default=1_000_000)
    p.add_argument("--dir", type=Path, default=Path(".bench"), help="where results.json goes (.bench)")
    args = p.parse_args(argv)
    rating = bench_rating(args.calls, args.prefixes)
    print("rating:", json.dumps(rating))
    rerate = bench_rerate(args.rerate_calls, args.prefixes)
    print("re-rating stored calls:", json.dumps(rerate))
    results.save(args.dir, "rating", {"rating": rating, "rerate": rerate})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
