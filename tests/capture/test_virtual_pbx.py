"""The virtual PBX: replay over TCP and a pty, resume from its position file, clean exit on SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import serial

from appliance.tools import virtual_pbx
from appliance.tools.virtual_pbx import TcpPort, fixture_lines, load_state, replay

pytestmark = pytest.mark.slow   # the virtual PBX as a process

ROOT = Path(__file__).resolve().parents[2]


def wait_for(cond, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := cond()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fixture_lines_keep_every_terminator():
    assert fixture_lines(b"a\nb\r\nc\rd") == [b"a\n", b"b\r\n", b"c\r", b"d"]
    assert fixture_lines(b"a\r") == [b"a\r"]
    assert fixture_lines(b"") == []


class Receiver:
    """A capture stand-in listening on loopback: collects what the virtual PBX sends."""

    def __init__(self):
        self.srv = socket.create_server(("127.0.0.1", 0))
        self.port = self.srv.getsockname()[1]
        self.data = b""
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            with conn:
                while chunk := conn.recv(65536):
                    self.data += chunk


def test_replay_skips_header_resumes_and_never_sends_twice(tmp_path):
    fixture = tmp_path / "pbx.log"
    lines = [b"HEADER,DATE,EXT\n"] + [b"2017/07/01 08:%02d:00,%d,ext\r\n" % (i, i) for i in range(30)]
    fixture.write_bytes(b"".join(lines))
    state = tmp_path / "pbx.state"
    rx = Receiver()
    stop = threading.Event()
    pbx = TcpPort("127.0.0.1", rx.port)
    first = threading.Thread(target=lambda: replay(fixture, pbx, rate=200, skip=1, state=state, stop=stop,
                                                   linger=False))
    t0 = time.monotonic()
    first.start()
    wait_for(lambda: rx.data.count(b"\n") >= 10, what="some lines")
    stop.set()   # interrupted part way, as by SIGTERM
    first.join(5)
    pbx.close()
    sent_first = load_state(state, fixture)
    assert 10 <= sent_first < len(lines) and json.loads(state.read_text())["sent"] == sent_first
    assert time.monotonic() - t0 >= 9 / 200   # the rate is honoured
    pbx = TcpPort("127.0.0.1", rx.port)
    assert replay(fixture, pbx, skip=1, state=state, linger=False) == len(lines) - sent_first
    pbx.close()
    wait_for(lambda: rx.data.count(b"\n") == len(lines) - 1, what="all lines")
    assert rx.data == b"".join(lines[1:])
    pbx = TcpPort("127.0.0.1", rx.port)
    assert replay(fixture, pbx, skip=1, state=state, linger=False) == 0
    pbx.close()
    rx.srv.close()


def test_replay_listen_waits_for_the_capture_side(tmp_path):
    fixture = tmp_path / "f.log"
    fixture.write_bytes(b"one\r\ntwo\r\n")
    port = free_port()
    pbx = TcpPort("127.0.0.1", port, listen=True)
    stop = threading.Event()
    t = threading.Thread(target=replay, args=(fixture, pbx), kwargs={"stop": stop})
    t.start()
    time.sleep(0.1)   # nobody connected yet: nothing may be lost meanwhile
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.settimeout(5)
        got = b""
        while got != b"one\r\ntwo\r\n":
            got += c.recv(100)
        time.sleep(0.1)
        assert t.is_alive()   # lingers with the connection open after the last line
        stop.set()
        t.join(5)
    pbx.close()


def test_cli_over_pty_lingers_and_exits_0_on_sigterm(tmp_path):
    fixture = tmp_path / "f.log"
    fixture.write_bytes(b"HEADER\n" + b"".join(b"line %d\r\n" % i for i in range(100)))
    link, state = tmp_path / "virtual-pbx.tty", tmp_path / "state.json"
    cmd = [sys.executable, "-m", "appliance.tools.virtual_pbx", "--pty", str(link), "--skip", "1",
           "--state", str(state), str(fixture)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(link.exists, what="pty symlink")
        time.sleep(0.2)   # the PBX "prints" only once someone reads: opening late loses nothing
        ser = serial.serial_for_url(str(link), baudrate=9600, timeout=0.2)
        got, deadline = b"", time.monotonic() + 10
        while not got.endswith(b"line 99\r\n") and time.monotonic() < deadline:
            got += ser.read(ser.in_waiting or 1)
        assert got == b"".join(b"line %d\r\n" % i for i in range(100))
        time.sleep(0.2)
        assert proc.poll() is None   # idles with the pty open: no link drop on the capture side
        assert ser.read(1) == b""
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
        ser.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert json.loads(state.read_text())["sent"] == 101
    assert not link.exists()
    assert b"Traceback" not in proc.stdout.read()


def test_cli_rejects_bad_arguments(tmp_path):
    r = subprocess.run([sys.executable, "-m", "appliance.tools.virtual_pbx", "--tcp", "nohostport", "x"],
                       cwd=ROOT, capture_output=True, env={**os.environ})
    assert r.returncode == 2 and b"HOST:PORT" in r.stderr


def test_recent_moves_the_records_to_this_week_by_whole_weeks_and_none_after_now():
    """Issue 20: `make run` showed "0 calls" for this month: the demo replays July 2017. With --recent the records'
    dates move by whole weeks (weekdays kept) so the last is on today or in the six days before, a week later when
    that leaves this month empty (on 7 December the whole month fell in November); none after now is sent."""
    import datetime as dt
    sample = Path(__file__).resolve().parents[2] / "appliance" / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
    lines = virtual_pbx.fixture_lines(sample.read_bytes())

    def moved_dates(today, now=None) -> list:
        moved = virtual_pbx.recent(lines, today, now)
        assert moved[0] == lines[0]                                       # the logger's header line is no record
        out = []
        for new in moved[1:]:
            old = next(x for x in lines if x[10:] == new[10:])
            before = dt.datetime.strptime(old[:10].decode(), "%Y/%m/%d").date()
            after = dt.datetime.strptime(new[:10].decode(), "%Y/%m/%d").date()
            assert after.weekday() == before.weekday() and (after - before).days % 7 == 0
            out.append(dt.datetime.strptime(new[:19].decode(), "%Y/%m/%d %H:%M:%S"))
        return out
    today = dt.date(2026, 12, 20)                                         # mid-month: the week before, all sent
    dates = moved_dates(today)
    assert len(dates) == len(lines) - 1 and today - dt.timedelta(days=7) < max(dates).date() <= today
    now = dt.datetime(2026, 12, 7, 10, 30)                                # Monday 7 December, 10:30
    dates = moved_dates(now.date(), now)
    assert max(dates) <= now and max(dates).date() == now.date()          # this morning's, none later
    assert sum(d.month == 12 for d in dates) > 100 and len(dates) < len(lines) - 1
    early = dt.datetime(2026, 12, 1, 12, 0)                               # Tuesday 1 December: a week later
    dates = moved_dates(early.date(), early)
    assert max(dates) <= early and any(d.date() == early.date() for d in dates)
    assert virtual_pbx.recent([b"no date here\r\n"], today, now) == [b"no date here\r\n"]


def test_recent_sends_the_months_before_at_once_and_this_months_at_the_rate(tmp_path):
    """Issue 20: at 5 lines a second the demo took four minutes to reach this month's calls, so a first look still
    showed none. The records of the months before today's go without waiting (the waits asked are recorded)."""
    import datetime as dt

    class Clock:          # a stop event that records each wait asked and never sleeps
        def __init__(self):
            self.waits: list[float] = []

        def wait(self, timeout=None):
            self.waits.append(timeout)
            return timeout is None

        def is_set(self):
            return False

    class Port:
        def __init__(self):
            self.lines: list[bytes] = []

        def wait_reader(self, stop):
            return True

        def write(self, line, stop):
            self.lines.append(line)
            return True
    lines = [f"2017/07/{d:02d} 09:00:00,00:00:20,7,214,O,215\r\n".encode() for d in (3, 4, 5, 24, 25, 26, 27)]
    fixture = tmp_path / "f.log"
    fixture.write_bytes(b"".join(lines))
    clock, port = Clock(), Port()
    now = dt.datetime(2026, 12, 3, 12, 0)          # Thursday: 27 July 2017 (Thursday) -> 3 December
    assert replay(fixture, port, rate=2, stop=clock, linger=False, today=now.date(), now=now) == 7
    assert [line[:10] for line in port.lines][-2:] == [b"2026/12/02", b"2026/12/03"]
    assert clock.waits[:4] == [0.0] * 4 and all(w > 0.3 for w in clock.waits[4:7])   # November's at once
