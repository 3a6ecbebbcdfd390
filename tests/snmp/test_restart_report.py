"""Under systemd (no supervisor), a process that starts after an unclean end queues service_restarted."""
import os
import signal
import subprocess
import sys
import time

import pytest

from appliance import procs, store
from appliance.delivery import outbox
from appliance.paths import Paths

pytestmark = pytest.mark.slow   # worker processes killed and restarted


def start_worker(data):
    env = {k: v for k, v in os.environ.items() if k != procs.SUPERVISED}
    return subprocess.Popen([sys.executable, "-m", "appliance.procs", "worker", "--data", str(data),
                             "--set", "pbx.driver=avaya_ipoffice"], env=env)


def wait_for(path, proc, seconds=30):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)


def traps(data):
    store.open_db(Paths(data).db)
    try:
        return [i.summary for i in outbox.items() if i.kind == "trap"]
    finally:
        store.close_db()


def test_a_killed_worker_reports_its_restart_and_a_clean_stop_does_not(tmp_path):
    data = tmp_path / "var"
    marker = data / "run" / "worker.running"
    w = start_worker(data)
    wait_for(marker, w)
    w.terminate()                                  # clean stop: no report at the next start
    assert w.wait(30) == 0 and not marker.exists()
    w = start_worker(data)
    wait_for(marker, w)
    time.sleep(0.5)
    os.kill(w.pid, signal.SIGKILL)                 # unclean: the next start reports it
    w.wait(30)
    assert traps(data) == []
    w = start_worker(data)
    wait_for(data / "callbox.db", w)
    deadline = time.monotonic() + 30
    while not (found := traps(data)) and time.monotonic() < deadline:
        time.sleep(0.1)
    w.terminate()
    w.wait(30)
    assert len(found) == 1 and "worker started after an unclean exit" in found[0]
