"""kill -9 of capture and worker at random moments: no call lost, none duplicated, exactly as an uninterrupted run.

The PBX here writes its records to a file that capture follows (as Asterisk writes Master.csv): a file keeps
what was written while capture was dead, so every loss or duplicate would be the appliance's own fault.
(A serial line or a TCP stream drops what arrives while nobody reads it; that is the link, not the journal.)
"""
import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from appliance import store
from appliance.paths import Paths
from appliance.tools.bench import make_input
from test_pipeline import dump, import_

LINES = 5200
KILLS = 24
pytestmark = pytest.mark.slow


def start(kind, data, url):
    return subprocess.Popen(
        [sys.executable, "-m", "appliance.procs", kind, "--data", str(data), "--set", f"capture.url={url}",
         "--set", "pbx.driver=avaya_ipoffice", "--set", "pbx.timezone=Europe/Warsaw",
         "--set", "capture.reconnect_min_s=0.05", "--set", "worker.poll_ms=20", "--set", "worker.batch_lines=200",
         "--set", "log.level=WARNING"],
        stderr=subprocess.DEVNULL)


def stored_legs(data):
    if not Paths(data).db.exists():
        return 0
    store.open_db(Paths(data).db, readonly=True)
    try:
        return store.db.execute_sql("SELECT COUNT(*) FROM leg").fetchone()[0]
    except Exception:
        return 0
    finally:
        store.close_db()


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path, capsys):
    source = tmp_path / "smdr-source.log"
    make_input(source, LINES)
    lines = source.read_bytes().splitlines(keepends=True)
    pbx_file = tmp_path / "pbx" / "smdr.log"
    pbx_file.parent.mkdir()
    pbx_file.write_bytes(b"")
    data = tmp_path / "crashy"
    url = f"file://{pbx_file}"

    def pbx():   # about 8 s of traffic in bursts, as a busy PBX prints
        rnd = random.Random(1)
        with open(pbx_file, "ab", buffering=0) as f:
            i = 0
            while i < len(lines):
                n = rnd.randint(1, 40)
                chunk = b"".join(lines[i:i + n])
                cut = rnd.randint(0, len(chunk))   # records arrive in pieces
                f.write(chunk[:cut])
                time.sleep(0.001)
                f.write(chunk[cut:])
                i += n
                time.sleep(rnd.uniform(0, 0.03))

    procs = {"capture": start("capture", data, url), "worker": start("worker", data, url)}
    writer = threading.Thread(target=pbx)
    writer.start()
    rnd, kills = random.Random(2), 0
    try:
        while kills < KILLS or writer.is_alive():
            time.sleep(rnd.uniform(0.05, 0.4))
            victim = rnd.choice(sorted(procs))
            if kills < KILLS:
                procs[victim].send_signal(signal.SIGKILL)
                procs[victim].wait()
                kills += 1
                procs[victim] = start(victim, data, url)
        deadline = time.monotonic() + 60
        while stored_legs(data) < LINES and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)   # anything more (a duplicate) would show up now
    finally:
        writer.join()
        for p in procs.values():
            p.send_signal(signal.SIGTERM)
        for p in procs.values():
            # 0: stopped cleanly; -SIGTERM: a process restarted just before, stopped before it set its handler
            # (nothing lost either way: what it journaled is on disk, the counts below say so)
            assert p.wait(10) in (0, -signal.SIGTERM)
    assert kills >= 20
    assert pbx_file.read_bytes() == source.read_bytes()

    import_(capsys, tmp_path / "calm", source, config_file=_warsaw(tmp_path))
    crashed, calm = dump(data), dump(tmp_path / "calm")
    assert len(crashed[0]) == len(calm[0]) > 5000
    assert crashed == calm


def _warsaw(tmp_path):
    ini = tmp_path / "warsaw.ini"
    ini.write_text("[pbx]\ntimezone = Europe/Warsaw\n")
    return ini


def test_the_journal_of_a_crashy_run_holds_every_byte_exactly_once(tmp_path):
    """The same property one level down: whatever capture restarts, the journal is the file, once."""
    from appliance.journal import read_from
    source = tmp_path / "pbx.log"
    make_input(source, 3000)
    target = tmp_path / "live.log"
    target.write_bytes(b"")
    data = tmp_path / "d"
    url = f"file://{target}"
    cap = start("capture", data, url)
    blob = source.read_bytes()
    rnd = random.Random(3)
    try:
        with open(target, "ab", buffering=0) as f:
            pos = 0
            while pos < len(blob):
                step = rnd.randint(1, 9000)
                f.write(blob[pos:pos + step])
                pos += step
                if rnd.random() < 0.3:
                    cap.send_signal(signal.SIGKILL)
                    cap.wait()
                    cap = start("capture", data, url)
                time.sleep(0.02)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            got = b"".join(e.data for e in read_from(Paths(data).journal, (0, 0)) if not e.flags & 2)
            if len(got) >= len(blob):
                break
            time.sleep(0.1)
    finally:
        cap.send_signal(signal.SIGTERM)
        cap.wait(10)
    assert got == blob
    assert os.path.getsize(target) == len(blob)
