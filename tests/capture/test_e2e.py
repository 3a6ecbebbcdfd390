"""The whole appliance as a user runs it: real processes, a pty for the PBX's serial port, the status page."""
import http.cookiejar
import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from appliance import config, store
from appliance.access import users
from appliance.ingest.worker import Worker
from appliance.paths import Paths
from appliance.store.users import FILE_NAME, close_users_db, open_users_db
from appliance.tools import virtual_pbx
from conftest import FIXTURES
from test_pipeline import dump, import_

pytestmark = pytest.mark.slow
IPO = FIXTURES / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=60, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {predicate}")


def count(data, sql):
    if not Paths(data).db.exists():
        return 0
    store.open_db(Paths(data).db, readonly=True)
    try:
        return store.db.execute_sql(sql).fetchone()[0]
    except Exception:
        return 0
    finally:
        store.close_db()


def test_callbox_capture_over_a_pty_stores_what_an_import_stores(tmp_path, capsys):
    """The virtual PBX replays the real IP Office month into a pty; capture and worker are real processes."""
    tty = tmp_path / "ttyPBX"
    stop = threading.Event()
    port = virtual_pbx.PtyPort(tty)
    replay = threading.Thread(target=virtual_pbx.replay, args=(IPO, port),
                              kwargs={"rate": 0, "skip": 1, "stop": stop, "linger": True})
    replay.start()
    data = tmp_path / "live"
    proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "capture", "--data", str(data),
                             "--url", f"serial://{tty}?baud=9600", "--driver", "avaya_ipoffice",
                             "--set", "worker.poll_ms=50"])
    try:
        # the capture's last record has no terminator: it stays incomplete until the link goes down
        wait_for(lambda: count(data, "SELECT COUNT(*) FROM leg") >= 1441)
        assert count(data, "SELECT COUNT(*) FROM link_event WHERE event = 'link_up'") >= 1
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
        stop.set()
        replay.join()
        port.close()
    worker = Worker(Paths(data), config.Config(text="[pbx]\ndriver = avaya_ipoffice\n"))   # the next start
    while worker.step():
        pass
    store.close_db()
    reference = tmp_path / "reference.log"   # the same bytes without the logger's header line
    reference.write_bytes(IPO.read_bytes().split(b"\n", 1)[1])
    import_(capsys, tmp_path / "imported", reference)
    assert dump(data) == dump(tmp_path / "imported")


def logged_in_opener(data, port) -> urllib.request.OpenerDirector:
    """An administrator (added before the start, as `callbox user add --admin` does) logged in over HTTPS, trusting
    only the certificate the web process made on its first start."""
    cert = data / "tls" / "web.crt"
    jar = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    opener = None

    def attempt():
        nonlocal opener
        try:
            tls = urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(cert)))
            opener = urllib.request.build_opener(jar, tls)
            body = urllib.parse.urlencode({"username": "admin", "password": "e2e password 123"}).encode()
            with opener.open(f"https://127.0.0.1:{port}/login", data=body, timeout=2) as r:
                return r.status == 200
        except (OSError, ssl.SSLError):
            return False
    wait_for(attempt)
    assert opener is not None
    return opener


def test_make_run_defaults_replay_the_virtual_pbx_and_serve_the_status_page(tmp_path):
    port, http_port = free_port(), free_port()
    data = tmp_path / "var"
    open_users_db(data / FILE_NAME)
    users.add_user("admin", "e2e password 123", "administrator")
    close_users_db()
    proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "run", "--data", str(data),
                             "--set", f"web.port={port}", "--set", f"web.http_port={http_port}"],
                            start_new_session=True)
    try:
        wait_for(lambda: pgrep(f"appliance.procs jobs --data {data}"), timeout=20)   # the jobs child started
        opener = logged_in_opener(data, port)

        def status():
            try:
                with opener.open(f"https://127.0.0.1:{port}/api/status", timeout=2) as r:
                    body = json.load(r)
                return body if body["counts"]["calls"] >= 3 and body["capture"]["state"] == "running" else None
            except OSError:
                return None
        body = wait_for(status)
        assert body["capture"]["state"] == "running"
        assert [link["state"] for link in body["capture"]["links"]] == ["up"]
        # the demo's month of calls ends today or in the week before (--recent), none after now: 0 to 6 weeks old
        newest = datetime.fromisoformat(body["calls"][0]["start"])
        assert timedelta(0) < datetime.now(timezone.utc) - newest < timedelta(days=45)
        with opener.open(f"http://127.0.0.1:{http_port}/", timeout=2) as r:     # plain HTTP: to HTTPS
            assert r.url == f"https://127.0.0.1:{port}/" and "Callbox" in r.read().decode("utf-8")
        # a box on SQLite never loads the PostgreSQL driver (appliance/__init__.py; issue 14: ~3 MB a process)
        for pid in pgrep(str(data)):
            maps = open(f"/proc/{pid}/maps", encoding="utf-8").read()
            assert "psycopg" not in maps and "libpq" not in maps, open(f"/proc/{pid}/cmdline").read()
    finally:
        proc.send_signal(signal.SIGINT)   # Ctrl-C
        assert proc.wait(20) == 0
    leftovers = subprocess.run(["pgrep", "-f", str(data)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], "child processes outlived callbox run"
    # the jobs child stopped itself (graceful SIGTERM from the supervisor), it was not killed
    assert "Consumer exiting." in (data / "log" / "jobs.log").read_text(encoding="utf-8")


def pgrep(pattern: str) -> list[str]:
    return subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()


def test_the_supervisor_restarts_a_process_that_dies(tmp_path):
    port = free_port()
    data = tmp_path / "var"
    proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "run", "--data", str(data),
                             "--set", f"web.port={port}", "--set", "web.http_port=0"], start_new_session=True)
    try:
        def worker_pid():
            out = subprocess.run(["pgrep", "-f", f"appliance.procs worker --data {data}"],
                                 capture_output=True, text=True).stdout.split()
            return out[0] if out else None
        first = wait_for(worker_pid)
        wait_for(lambda: count(data, "SELECT COUNT(*) FROM call") >= 2)
        subprocess.run(["kill", "-9", first])
        wait_for(lambda: (worker_pid() or first) != first, timeout=20)
        before = count(data, "SELECT COUNT(*) FROM call")
        wait_for(lambda: count(data, "SELECT COUNT(*) FROM call") > before)   # and it goes on storing
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
