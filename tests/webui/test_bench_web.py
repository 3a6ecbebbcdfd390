"""appliance/tools/bench_web.py runs end to end on a tiny database: the real web process, logins, clients, table.
No timing is asserted (a benchmark's figures depend on the machine)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def test_the_web_benchmark_runs_and_reports_every_page(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "appliance.tools.bench_web", "--calls", "2000", "--clients", "4",
                           "--requests", "120", "--seconds", "60", "--dir", str(tmp_path), "--json"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    figures = json.loads(lines[-1])
    assert figures["users"] == 20 and figures["clients"] == 4 and figures["requests"] == 120
    assert {"home", "calls", "calls month out", "api calls day", "bill"} <= set(figures["pages"])
    assert figures["overall"]["errors"] == 0, figures
    assert all(p["n"] > 0 for p in figures["pages"].values())
    assert figures["rss_kb"]["start"] > 0 and figures["rss_kb"]["end"] > 0
    assert any(line.startswith("overall") for line in lines) and "requests/s" in proc.stdout
    assert "VmRSS" in proc.stdout
    # the web process's CPU per request, and the bottle+gevent hello server measured in the same run
    assert figures["cpu_s"] > 0 and figures["cpu_ms_per_request"] > 0 and figures["requests_per_cpu_s"] > 0
    hello = figures["hello"]
    assert hello["requests"] == 120 and hello["overall"]["errors"] == 0 and hello["cpu_ms_per_request"] > 0
    assert figures["ratio_to_hello"]["requests_per_cpu_s"] > 0 and "pages / hello" in proc.stdout
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["web"]["requests"] == 120 and saved["web"]["hello"]["requests"] == 120 and saved["web"]["at"]
