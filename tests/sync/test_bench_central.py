"""appliance/tools/bench_central.py (`make bench`'s central part, issue 18) runs end to end on a small scale, on
SQLite and on a real PostgreSQL: ingest from simulated branches, the received reports (their fast and reference
figures equal), the concurrency roll-up's refresh in parts, and the department × month report over bulk-loaded calls.
No timing is asserted (a benchmark's figures depend on the machine): the figures at 1,000,000 and 10,000,000 calls
are in the README (Performance)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO
from pg_server import password_file, postgres  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


def test_the_central_benchmark_runs_on_both_engines(tmp_path, postgres):  # noqa: F811 (the fixture)
    url = postgres.url(postgres.fresh_database())
    proc = subprocess.run([sys.executable, "-m", "appliance.tools.bench_central", "--calls", "6000", "--branches",
                           "3", "--report-calls", "20000", "--engines", "sqlite,postgresql", "--runs", "1",
                           "--pg-url", url, "--pg-password-file", str(password_file(tmp_path)),
                           "--dir", str(tmp_path / "bench")],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert (got["calls"], got["branches"]) == (6000, 3)
    for engine in ("sqlite", "postgresql"):
        assert got[f"{engine}_ingest_calls_per_s"] > 0, got
        assert got[f"{engine}_concurrency_report"]["same"] is True, got
        assert got[f"{engine}_concurrency_report"]["refresh_parts"] >= 1, got
    assert got["report_calls"] == 20000 and got["dept_month_rows"] > 0 and got["dept_month_ms"] > 0, got
