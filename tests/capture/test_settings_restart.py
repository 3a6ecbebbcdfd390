"""`callbox run` restarts only the processes whose settings changed (appliance.reload): a new [mail] host restarts the
background jobs, not capture or the worker; a new [numbers] area code restarts the worker and the jobs, not capture
(which would drop the PBX link for nothing)."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from appliance import config
from test_e2e import count, free_port, pgrep, wait_for

pytestmark = pytest.mark.slow


def pids(data) -> dict[str, str]:
    out = {}
    for name in ("capture", "worker", "jobs"):
        found = pgrep(f"appliance.procs {name} --data {data}")
        out[name] = found[0] if len(found) == 1 else ""
    return out


def logged(data, process: str, text: str) -> int:
    path = data / "log" / f"{process}.log"
    return path.read_text(encoding="utf-8", errors="replace").count(text) if path.exists() else 0


def test_a_settings_change_restarts_only_the_processes_that_read_it(tmp_path):
    data = tmp_path / "var"
    data.mkdir()
    ini = data / "callbox.ini"
    ini.write_text("# this box\n[numbers]\ncountry = PL\naccess_codes = 0\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "run", "--data", str(data),
                             "--set", f"web.port={free_port()}", "--set", "web.http_port=0"], start_new_session=True)
    try:
        watching = "watching " + str(ini)
        wait_for(lambda: all(logged(data, p, watching) for p in ("capture", "worker", "jobs")))
        wait_for(lambda: count(data, "SELECT COUNT(*) FROM call") >= 2)
        first = pids(data)
        assert all(first.values())
        carried_on = "changed, not in what capture reads: carrying on"
        config.update(ini, {"mail": {"host": "smtp.example.com", "from_address": "callbox@example.com"}})
        wait_for(lambda: pids(data)["jobs"] not in ("", first["jobs"]))
        wait_for(lambda: logged(data, "capture", carried_on) == 1 and logged(data, "worker", "carrying on") == 1)
        second = pids(data)
        assert second["capture"] == first["capture"] and second["worker"] == first["worker"]
        wait_for(lambda: logged(data, "jobs", watching) == 2)     # the new jobs process watches the file

        config.update(ini, {"numbers": {"access_codes": "9"}})
        wait_for(lambda: pids(data)["worker"] not in ("", first["worker"])
                 and pids(data)["jobs"] not in ("", second["jobs"]))
        wait_for(lambda: logged(data, "capture", carried_on) == 2)
        assert pids(data)["capture"] == first["capture"]
        run_log = (data / "log" / "run.log").read_text(encoding="utf-8")
        assert "jobs exited to read its changed configuration" in run_log
        assert "capture exited" not in run_log
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
