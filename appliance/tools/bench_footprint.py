"""Footprint benchmark (issue 14): the memory of the whole box as `callbox run` starts it, from each process's
proportional set size (PSS, /proc/PID/smaps_rollup: shared pages split between the processes that share them).

1. idle: `callbox run` on its embedded defaults (the virtual PBX replaying the IP Office sample), after a settle;
2. loaded: `callbox run` with a tcp-listen capture, a flood of IP Office lines (200,000 by default) sent as fast as
   the socket takes them, then a round of every page of the web UI as an administrator; PSS after both.

Each phase is sampled several times; the figures are medians. The whole measure is done --runs times (3): the
table of the median run (by the idle total) is printed, then the medians over the runs of each process's and the
total's PSS with every run's figure. All of it is merged into <dir>/results.json under "footprint" (make bench:
.bench/results.json): the median run's figures, "medians" and "runs".

    python -m appliance.tools.bench_footprint [--lines 200000] [--runs 3] [--dir .bench]
"""
from __future__ import annotations

import argparse
import http.client
import importlib
import json
import os
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from appliance.tools import results
from appliance.tools.bench import make_input

PASSWORD = "footprint bench 2026"
SAMPLES, EVERY_S = 5, 1.0
BUDGET_MB = {"idle": 150, "loaded": 200}     # issue 14


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """pid and every process below it (/proc/PID/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return found


def pss_kb(pid: int, field: str = "Pss") -> int:
    """The process's `field` of /proc/PID/smaps_rollup in KB: Pss, or Pss_Anon (its own heap and stacks: what the
    shared files' pages, split between every process on the machine that maps them, leave out)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def name_of(pid: int) -> str:
    """supervisor, capture, worker, jobs, web or virtual-pbx, from the command line."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    for key, name in (("appliance.supervisor", "supervisor"), ("virtual_pbx", "virtual-pbx"), ("webui", "web")):
        if key in argv or any(key in a for a in argv[:4]):
            return name
    if "appliance.procs" in argv:
        return argv[argv.index("appliance.procs") + 1]
    return Path(argv[0]).name


def sample(root: int, field: str = "Pss") -> dict[str, float]:
    """Median PSS (or `field`, as pss_kb) in MB per process (and "total") over SAMPLES readings EVERY_S apart."""
    readings: dict[str, list[float]] = {}
    for i in range(SAMPLES):
        total = 0.0
        for pid in descendants(root):
            mb = pss_kb(pid, field) / 1024
            readings.setdefault(name_of(pid), []).append(mb)
            total += mb
        readings.setdefault("total", []).append(total)
        if i + 1 < SAMPLES:
            time.sleep(EVERY_S)
    return {name: round(statistics.median(v), 1) for name, v in readings.items()}


class Box:
    """`callbox run` on `data`, in its own session; stopped with SIGINT as Ctrl-C does."""

    def __init__(self, data: Path, *settings: str):
        self.data, self.port = data, free_port()
        sets = [a for s in (f"web.port={self.port}", "web.http_port=0", *settings) for a in ("--set", s)]
        self.log = open(data.parent / f"{data.name}-run.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "run", "--data", str(data), *sets],
                                     stdout=self.log, stderr=self.log, start_new_session=True)

    def wait_web(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if (self.data / "tls" / "web.crt").exists():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the web UI did not start within {timeout:.0f} s (see {self.log.name})")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def add_admin(data: Path) -> None:
    subprocess.run([sys.executable, "-m", "appliance.cli", "user", "add", "--admin", "bench", "--data", str(data),
                    "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, capture_output=True)


def flood(port: int, lines_file: Path) -> float:
    """Send the file to the capture port as a PBX would, as fast as the socket takes it; seconds taken."""
    t = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s, open(lines_file, "rb") as f:
        while chunk := f.read(65536):
            s.sendall(chunk)
    return time.monotonic() - t


def stored_lines(box: Box, context: ssl.SSLContext, cookie: str) -> int:
    conn = http.client.HTTPSConnection("127.0.0.1", box.port, timeout=30, context=context)
    try:
        conn.request("GET", "/api/status", headers={"Cookie": cookie})
        resp = conn.getresponse()
        body = json.loads(resp.read() or b"{}")
        return int(body.get("counts", {}).get("lines", 0))
    finally:
        conn.close()


def login(box: Box, context: ssl.SSLContext) -> str:
    conn = http.client.HTTPSConnection("127.0.0.1", box.port, timeout=60, context=context)
    try:
        conn.request("POST", "/login", urlencode({"username": "bench", "password": PASSWORD}),
                     {"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        return (resp.getheader("Set-Cookie") or "").split(";", 1)[0]
    finally:
        conn.close()


def page_round(box: Box, context: ssl.SSLContext, cookie: str) -> dict[str, int]:
    """GET every page of the web UI without a parameter in its path: {path: status}."""
    # the routes this build has, from the web's own app (a module above this one: imported by name, at run time)
    make_app = importlib.import_module("webui.app").make_app
    paths = sorted({r.rule for r in make_app(box.data).routes if r.method == "GET" and "<" not in r.rule})
    statuses = {}
    conn = http.client.HTTPSConnection("127.0.0.1", box.port, timeout=300, context=context)
    try:
        for path in paths:
            conn.request("GET", path, headers={"Cookie": cookie})
            resp = conn.getresponse()
            statuses[path] = resp.status
            if (resp.getheader("Content-Type") or "").startswith("text/event-stream"):
                # a live stream (the wallboard's /wallboard/events) lasts an hour, with a keep-alive every 15 s
                # (it hung the round): its first answer is enough; a new connection for the next page
                conn.close()
                conn = http.client.HTTPSConnection("127.0.0.1", box.port, timeout=300, context=context)
                continue
            resp.read()
    finally:
        conn.close()
    return statuses


def run(lines: int, workdir: Path, source: Path, settle_s: float = 20) -> dict:
    """One measure in `workdir` (empty): idle, then loaded with the flood of `source` (`lines` lines)."""
    idle_box = Box(workdir / "idle")
    try:
        idle_box.wait_web()
        time.sleep(settle_s)
        idle = sample(idle_box.proc.pid)
        idle_anon = sample(idle_box.proc.pid, "Pss_Anon")
    finally:
        idle_box.stop()
    data = workdir / "loaded"
    data.mkdir()
    add_admin(data)
    capture_port = free_port()
    box = Box(data, f"capture.url=tcp-listen://127.0.0.1:{capture_port}", "pbx.driver=avaya_ipoffice",
              "pbx.timezone=Europe/Warsaw")
    try:
        box.wait_web()
        context = ssl.create_default_context(cafile=str(data / "tls" / "web.crt"))
        cookie = login(box, context)
        time.sleep(2)
        sent_s = flood(capture_port, source)
        t = time.monotonic()
        peak_worker = 0.0
        while stored_lines(box, context, cookie) < lines and time.monotonic() - t < 600:
            peak_worker = max(peak_worker, max((pss_kb(p) / 1024 for p in descendants(box.proc.pid)
                                                if name_of(p) == "worker"), default=0))
            time.sleep(0.5)
        stored_s = time.monotonic() - t
        statuses = page_round(box, context, cookie)
        loaded = sample(box.proc.pid)
    finally:
        box.stop()
    return {"idle_mb": idle, "loaded_mb": loaded, "idle_anon_mb": idle_anon,
            "worker_peak_during_flood_mb": round(peak_worker, 1),
            "flood_lines": lines, "flood_send_s": round(sent_s, 1), "flood_stored_after_s": round(stored_s, 1),
            "pages": len(statuses), "pages_not_200": {p: s for p, s in statuses.items() if s != 200},
            "budget_mb": BUDGET_MB}


PHASES = (("idle", "idle_mb"), ("loaded", "loaded_mb"))
# the idle box's anonymous PSS: what its processes allocate themselves. The PSS of the shared files' pages (the
# interpreter, the C extensions) is split between every process on the machine that maps them, so the same box
# reads about 1 MB a process more on an idle machine than beside other sessions' Python processes.
ANON = ("idle_anon", "idle_anon_mb")


def median_run(runs: list[dict]) -> dict:
    """The run of the median idle total, with "medians": per phase, per process and "total", the median MB and
    every run's figure (a process missing from a run, as the virtual PBX after the idle phase, counts 0)."""
    chosen = sorted(runs, key=lambda r: r["idle_mb"]["total"])[(len(runs) - 1) // 2]
    medians: dict = {}
    for phase, key in PHASES + ((ANON,) if all(ANON[1] in r for r in runs) else ()):
        names = sorted({n for r in runs for n in r[key]})
        medians[phase] = {n: {"median": round(statistics.median(r[key].get(n, 0.0) for r in runs), 1),
                              "runs": [r[key].get(n, 0.0) for r in runs]} for n in names}
    peaks = [r["worker_peak_during_flood_mb"] for r in runs]
    medians["worker_peak_during_flood"] = {"median": round(statistics.median(peaks), 1), "runs": peaks}
    return {**chosen, "runs": len(runs), "medians": medians}


def print_medians(r: dict) -> None:
    m = r["medians"]
    print(f"medians of {r['runs']} runs (MB; each run's figure in brackets):")
    for n in [n for n in ORDER if n in m["idle"] or n in m["loaded"]] + ["total"]:
        cells = [f"{m[p][n]['median']:7.1f} ({', '.join(f'{v:.1f}' for v in m[p][n]['runs'])})" if n in m[p]
                 else f"{'-':>7s}" for p, _key in PHASES]
        print(f"  {n:12s} idle {cells[0]:32s} loaded {cells[1]}")
    if ANON[0] in m:
        a = m[ANON[0]]
        print("  idle, anonymous only: " + ", ".join(f"{n} {a[n]['median']:.1f}" for n in ORDER + ("total",) if n in a)
              + f" (total in each run: {', '.join(f'{v:.1f}' for v in a['total']['runs'])})")
    w = m["worker_peak_during_flood"]
    print(f"  worker peak during the flood {w['median']} ({', '.join(str(v) for v in w['runs'])})")
    met = {p: "met" if m[p]["total"]["median"] <= BUDGET_MB[p] else "NOT met" for p, _key in PHASES}
    print(f"budget: idle <= {BUDGET_MB['idle']} MB: {met['idle']}; loaded <= {BUDGET_MB['loaded']} MB: "
          f"{met['loaded']} (medians); "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


ORDER = ("supervisor", "capture", "worker", "jobs", "web", "virtual-pbx")


def print_table(r: dict) -> None:
    names = [n for n in ORDER if n in r["idle_mb"] or n in r["loaded_mb"]]
    print(f"{'process':12s} {'idle MB':>8s} {'loaded MB':>10s}")
    for n in names + ["total"]:
        print(f"{n:12s} {r['idle_mb'].get(n, 0):8.1f} {r['loaded_mb'].get(n, 0):10.1f}")
    print(f"budget: idle <= {BUDGET_MB['idle']} MB, loaded <= {BUDGET_MB['loaded']} MB; worker peak during the "
          f"flood {r['worker_peak_during_flood_mb']} MB; {r['flood_lines']:,} lines sent in {r['flood_send_s']} s, "
          f"stored {r['flood_stored_after_s']} s later; {r['pages']} pages, not 200: {r['pages_not_200'] or 'none'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000, help="IP Office lines in the flood (200,000)")
    parser.add_argument("--runs", type=int, default=3,
                        help="whole measures, idle and loaded (3): the median run's table and the medians are printed")
    parser.add_argument("--dir", type=Path, default=Path(".bench"), help="where results.json goes (.bench)")
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="callbox-footprint-") as tmp:
        source = Path(tmp) / "flood.log"
        make_input(source, args.lines)
        for i in range(max(1, args.runs)):
            (Path(tmp) / f"run{i + 1}").mkdir()
            runs.append(run(args.lines, Path(tmp) / f"run{i + 1}", source))
            print(f"run {i + 1}: idle {runs[-1]['idle_mb']['total']} MB, loaded {runs[-1]['loaded_mb']['total']} MB",
                  flush=True)
    result = median_run(runs)
    print_table(result)
    print_medians(result)
    results.save(args.dir, "footprint", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
