"""Campaign dialer benchmark: the CPU time of an import and of the dialing loop's passes (appliance/dialer/engine.py).

    python -m appliance.tools.bench_dialer [--contacts 10000] [--agents 20] [--runs 7]

Imports a progressive campaign of --contacts numbers from CSV text (normalised, checked against the do-not-call
list), then times, as medians of --runs passes in CPU time (time.process_time, the machine being shared): a pass with
no agent, and a pass giving --agents ready agents their call (the Originate answered at once with busy, so every pass
dials each agent again). Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from appliance import store
from appliance.dialer import campaigns, engine, sources
from appliance.rating import numbering


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench_dialer")
    ap.add_argument("--contacts", type=int, default=10000)
    ap.add_argument("--agents", type=int, default=20)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    plan = numbering.plan_from_options({"country": "TR", "area_codes": "212"})
    settings = campaigns.Settings(results=("Sale",))
    with tempfile.TemporaryDirectory(prefix="bench-dialer-") as tmp:
        store.open_db(Path(tmp) / "callbox.db")
        try:
            return _run(args, plan, settings)
        finally:
            store.close_db()


def _run(args: argparse.Namespace, plan: numbering.NumberingPlan, settings: campaigns.Settings) -> int:
    text = "number,name\n" + "".join(f"0532{i:07d},N{i}\n" for i in range(args.contacts))
    t0 = time.process_time()
    got = campaigns.create("bench", "Bench", sources.read_csv(text, "bench.csv"), plan, mode="progressive",
                           windows="mon-sun 00:00-24:00", timezone="Europe/Istanbul")
    imported = time.process_time() - t0
    dialer = engine.Dialer(settings, plan, lambda fields, timeout: ("Failure", "5", ""), spawn=lambda fn: fn())

    def passes() -> float:
        times = []
        for _ in range(args.runs):
            t = time.process_time()
            dialer.tick()
            times.append(time.process_time() - t)
        return statistics.median(times)
    idle = passes()
    for i in range(args.agents):
        campaigns.join(f"agent{i}", str(200 + i), got.campaign)
        campaigns.set_ready(f"agent{i}", True)
    busy = passes()
    print(json.dumps({"contacts": args.contacts, "import_cpu_s": round(imported, 2),
                      "idle_pass_cpu_ms": round(idle * 1000, 2), "agents": args.agents,
                      "pass_with_agents_cpu_ms": round(busy * 1000, 1),
                      "per_call_cpu_ms": round(busy * 1000 / max(args.agents, 1), 1),
                      "load_average": round(os.getloadavg()[0], 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
