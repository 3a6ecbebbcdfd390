"""What bench_web reads of a process (resident memory, CPU time) and how it sums several runs (medians)."""
from __future__ import annotations

import os
import statistics
from pathlib import Path


def rss_kb(pid: int) -> int:
    """VmRSS of a process in KiB (0 when unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in seconds (/proc/PID/stat; 0.0 when unknown)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")     # utime, stime (fields 14, 15)


MEDIAN_FIGURES = (("CPU ms a request", ("cpu_ms_per_request",)), ("requests per CPU s", ("requests_per_cpu_s",)),
                  ("requests/s", ("requests_per_s",)), ("p50 ms", ("overall", "p50")), ("p95 ms", ("overall", "p95")),
                  ("hello CPU ms a request", ("hello", "cpu_ms_per_request")),
                  ("hello requests per CPU s", ("hello", "requests_per_cpu_s")),
                  ("hello p95 ms", ("hello", "overall", "p95")),
                  ("pages / hello by CPU", ("ratio_to_hello", "requests_per_cpu_s")))


def median_run(runs: list[dict]) -> dict:
    """The run of the median CPU per request, with the medians of each figure over all runs ("medians")."""
    chosen = sorted(runs, key=lambda r: r["cpu_ms_per_request"])[(len(runs) - 1) // 2]
    medians: dict = {"runs": len(runs)}
    for label, path in MEDIAN_FIGURES:
        values = []
        for r in runs:
            v: object = r
            for k in path:
                v = v.get(k) if isinstance(v, dict) else None
            if isinstance(v, (int, float)):
                values.append(v)
        if values:
            medians[label] = {"median": round(statistics.median(values), 3), "runs": values}
    return {**chosen, "medians": medians}


def print_medians(m: dict) -> None:
    print(f"medians of {m['runs']} runs:")
    for label, _path in MEDIAN_FIGURES:
        if label in m:
            print(f"  {label:<26} {m[label]['median']:>10}   (runs: {', '.join(str(v) for v in m[label]['runs'])})")
