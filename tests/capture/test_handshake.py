"""Driver-declared logins and framing, carried out by capture over real loopback sockets: a Panasonic-like
LAN SMDR port (command, password prompt, then lines) and a Mitel 5000-like SMDR port (binary login, then
4-byte little-endian length-prefixed records)."""
from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from appliance import config, procs, registry
from appliance.capture.framing import split_lines
from appliance.journal import read_from
from test_capture import captures, events, jdir, lines, wait_for   # noqa: F401  (fixtures)
from test_framing import framed, real_sample

pytestmark = pytest.mark.slow   # a capture process and PBX logins over loopback

REPO = Path(__file__).resolve().parents[2]
PANA_RECORDS = REPO / "tests" / "fixtures" / "pbx" / "panasonic_kx" / "constructed-tda-pattern-a.raw"
MITEL_LOGIN = b"\x0a\x00\x00\x00\x8412345678\x00"   # FORMATS.md §5: length 10 = 0x84 + 8 characters + NUL


class LoopbackPbx:
    """A PBX port on 127.0.0.1: accepts one connection at a time and runs `session(conn)` on it."""

    def __init__(self, session):
        self.srv = socket.create_server(("127.0.0.1", 0))
        self.srv.settimeout(0.05)
        self.port = self.srv.getsockname()[1]
        self.session, self.stop, self.hangup = session, threading.Event(), threading.Event()
        self.attempts: list[tuple[float, bytes]] = []   # (when, what the client sent to log in)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    @property
    def source(self) -> str:
        return f"socket:127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.srv.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(5)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # pieces stay pieces
                try:
                    self.session(self, conn)
                except OSError:
                    pass
        self.srv.close()

    def hold(self, conn: socket.socket) -> None:
        """Keep the connection open until the test says hang up (or ends)."""
        while not (self.stop.is_set() or self.hangup.is_set()):
            time.sleep(0.02)
        self.hangup.clear()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)


def send_in_pieces(conn: socket.socket, data: bytes, cuts: set[int] = frozenset(), seed: int = 0) -> None:
    """Send `data` in random pieces of 1..25 bytes, also cut at every position in `cuts`."""
    rnd, points = random.Random(seed), set(cuts)
    i = 0
    while i < len(data):
        i += rnd.randint(1, 25)
        points.add(i)
    start = 0
    for end in sorted(p for p in points if 0 < p < len(data)) + [len(data)]:
        conn.sendall(data[start:end])
        start = end
        time.sleep(0.001)


# ---- Panasonic LAN SMDR (FORMATS.md §2, emulator [PA6]) ---------------------------------------------

def panasonic_session(pbx: LoopbackPbx, conn: socket.socket) -> None:
    """As the emulator behaves: prompt "> ", command smdr, "Enter password: ", CR LF, then SMDR lines.
    A wrong password is answered by hanging up (what a real TDA/NS does is unverified)."""
    f = conn.makefile("rb")
    conn.sendall(b"> ")
    if f.readline().strip() != b"smdr":
        conn.sendall(b"no such command.\r\n")
        return
    conn.sendall(b"Enter password: ")
    password = f.readline().rstrip(b"\r\n")
    pbx.attempts.append((time.monotonic(), password))
    if password.lower() != pbx.password.lower():
        return
    conn.sendall(b"\r\n")   # the emulator ends the password input with CR LF: a blank line for the driver
    send_in_pieces(conn, PANA_RECORDS.read_bytes(), seed=len(pbx.attempts))
    pbx.hold(conn)


def panasonic_steps(password: str) -> list[tuple[str, bytes]]:
    driver = registry.load("panasonic_kx")
    return driver.handshake({**{k: d for k, (d, _) in driver.OPTIONS.items()}, "lan_password": password})


def test_panasonic_wrong_password_then_right_one(tmp_path, jdir, captures):   # noqa: F811
    pbx = LoopbackPbx(panasonic_session)
    pbx.password = b"CHANGED"   # the PBX's password is not the one configured: refused
    status = tmp_path / "capture.json"
    try:
        cap = captures(pbx.url, jdir, handshake=panasonic_steps("PCCSMDR"), status_path=status)
        wait_for(lambda: len(pbx.attempts) >= 4, what="4 refused logins")
        gaps = [b[0] - a[0] for a, b in zip(pbx.attempts, pbx.attempts[1:])]
        assert gaps[2] > 1.5 * gaps[0], f"no backoff between attempts: {gaps}"
        assert {a[1] for a in pbx.attempts} == {b"PCCSMDR"}
        assert lines(jdir) == []   # the prompts are not call data
        downs = events(jdir, "link_down", pbx.source)
        assert downs and all("nothing received since the handshake" in d["detail"] for d in downs)
        pbx.password = b"pccsmdr"   # the emulator compares case-insensitively
        want = b"\r\n" + PANA_RECORDS.read_bytes()
        wait_for(lambda: b"".join(e.data for e in lines(jdir)) == want, what="the SMDR lines")
        cap.close()
    finally:
        pbx.close()
    got = lines(jdir)
    assert [e.data for e in got] == [line for line, _ in split_lines(want, final=True)[0]]
    assert all(e.flags == 0 and e.source == pbx.source for e in got)
    everything = b"".join(e.data for e in read_from(jdir, (0, 0)))
    assert b"PCCSMDR" not in everything and b"assword" not in everything and b"> " not in everything
    kinds = [ev["event"] for ev in events(jdir, source=pbx.source)]
    cycle = ["handshake_ok", "link_up", "link_down"]
    assert kinds[:3] == cycle and kinds[-3:] == cycle
    assert kinds.count("handshake_ok") == len(pbx.attempts) and "handshake_failed" not in kinds
    assert registry.load("panasonic_kx").parse("") is None   # the blank line after the login is ignored


def silent_session(pbx: LoopbackPbx, conn: socket.socket) -> None:
    """A port that never asks for a password: busy, or not the SMDR port at all."""
    pbx.attempts.append((time.monotonic(), conn.recv(100)))
    conn.sendall(b"Too many sessions\r\n")
    while conn.recv(100):   # until the client gives up and closes
        pass


def test_a_handshake_that_times_out_is_a_link_down_retried_with_backoff(tmp_path, jdir, captures):  # noqa: F811
    pbx = LoopbackPbx(silent_session)
    status = tmp_path / "capture.json"
    try:
        cap = captures(pbx.url, jdir, handshake=panasonic_steps("PCCSMDR"), handshake_timeout_s=0.3,
                       status_path=status)
        wait_for(lambda: len(pbx.attempts) >= 3, what="3 attempts")
        st = wait_for(lambda: status.exists() and json.loads(status.read_text()), what="status file")
        cap.close()   # stops mid-handshake or mid-backoff: close() fails if capture.run has not returned within 5 s
    finally:
        pbx.close()
    assert all(a[1] == b"smdr\r\n" for a in pbx.attempts)
    failed = events(jdir, "handshake_failed", pbx.source)
    assert len(failed) == 1   # the same reason again in one outage is journaled once
    assert "step 2 of 3: no b'assword:' within 0.3 s" in failed[0]["detail"]
    assert "Too many sessions" in failed[0]["detail"] and "PCCSMDR" not in failed[0]["detail"]
    assert events(jdir, "link_up") == [] and lines(jdir) == []
    assert st["links"][pbx.source]["state"] == "down"


def closing_session(pbx: LoopbackPbx, conn: socket.socket) -> None:
    pbx.attempts.append((time.monotonic(), b""))


def test_a_peer_that_hangs_up_during_the_handshake(jdir, captures):   # noqa: F811
    pbx = LoopbackPbx(closing_session)
    try:
        cap = captures(pbx.url, jdir, handshake=panasonic_steps("PCCSMDR"))
        wait_for(lambda: events(jdir, "handshake_failed"), what="handshake_failed")
        cap.close()
    finally:
        pbx.close()
    detail = events(jdir, "handshake_failed")[0]["detail"]
    # closed (FIN) or reset (RST: our "smdr" was still unread), mostly while waiting for the prompt
    assert ("step 2 of 3:" in detail and "while waiting for b'assword:'" in detail) or \
        detail.startswith("step 1 of 3: send failed"), detail
    assert events(jdir, "link_up") == [] and lines(jdir) == []


# ---- Mitel 5000 (FORMATS.md §5) ---------------------------------------------------------------------

def mitel_records(n: int, seed: int) -> list[bytes]:
    rnd = random.Random(seed)
    return [framed(b"TLC %05d 94003 961-9000%s 08:36 00:00:03 $00.00%s\r\n"
                   % (i, b" " * rnd.randint(1, 30), b" " * rnd.randint(0, 14))) for i in range(n)]


def mitel_session(pbx: LoopbackPbx, conn: socket.socket) -> None:
    """Check the exact login bytes, then send length-prefixed records in random pieces, cut inside prefixes."""
    got = b""
    while len(got) < len(MITEL_LOGIN):
        got += conn.recv(len(MITEL_LOGIN) - len(got)) or b"!closed"
    pbx.attempts.append((time.monotonic(), got))
    if got != MITEL_LOGIN:
        return
    frames = pbx.batches.pop(0)
    data, cuts, at = b"".join(frames), set(), 0
    for k, f in enumerate(frames):
        cuts.add(at + 1 + k % 3)   # inside every prefix, at 1, 2 or 3 bytes
        at += len(f)
    send_in_pieces(conn, data, cuts, seed=len(pbx.attempts))
    if pbx.batches:   # more to send: drop the link, as a restarting PBX does
        return
    pbx.hold(conn)


def test_mitel_login_framing_and_reconnect(jdir, captures):   # noqa: F811
    pbx = LoopbackPbx(mitel_session)
    first = [real_sample()] + mitel_records(30, 1) + [real_sample()]
    second = mitel_records(30, 2)
    pbx.batches = [first, second]
    steps = [("send", MITEL_LOGIN)]   # what drivers/mitel_5000.py handshake({"password": "12345678"}) returns
    try:
        cap = captures(pbx.url, jdir, framing="le32", handshake=steps)
        wait_for(lambda: [e.data for e in lines(jdir)] == first + second, what="both batches, frame by frame")
        cap.close()
    finally:
        pbx.close()
    got = lines(jdir)
    assert all(e.flags == 0 and e.source == pbx.source for e in got)
    assert got[0].data == real_sample() and got[0].data[:4] == b"\x52\x00\x00\x00"
    assert [a[1] for a in pbx.attempts] == [MITEL_LOGIN, MITEL_LOGIN]
    assert [ev["event"] for ev in events(jdir, source=pbx.source)] == [
        "handshake_ok", "link_up", "link_down", "handshake_ok", "link_up", "link_down"]
    assert "connection closed by peer" in events(jdir, "link_down")[0]["detail"]


def test_mitel_stream_out_of_sync_is_noise_then_resyncs(jdir, captures):   # noqa: F811
    good = mitel_records(10, 3)
    garbage = b"\xff\xff\xff\x7f wrong port or lost bytes \r\n"

    def session(pbx, conn):
        conn.recv(len(MITEL_LOGIN))
        send_in_pieces(conn, b"".join(good[:5]) + garbage + b"".join(good[5:]), seed=4)
        pbx.hold(conn)
    pbx = LoopbackPbx(session)
    try:
        cap = captures(pbx.url, jdir, framing="le32", handshake=[("send", MITEL_LOGIN)])
        wait_for(lambda: len([e for e in lines(jdir) if e.flags == 0]) == 10, what="all good frames")
        cap.close()
    finally:
        pbx.close()
    got = lines(jdir)
    assert b"".join(e.data for e in got) == b"".join(good[:5]) + garbage + b"".join(good[5:])
    assert [e.data for e in got if e.flags == 0] == good
    assert all(e.data in garbage for e in got if e.flags != 0)


# ---- the process: procs.capture_main takes framing and handshake from the configured driver --------

def test_capture_family_comes_from_the_configured_driver():
    cfg = config.Config(text="[pbx]\ndriver = panasonic_kx\nlan_password = PCCSMDR\n")
    assert procs.capture_family(cfg) == {"framing": "lines", "handshake": [
        ("send", b"smdr\r\n"), ("expect", b"assword:"), ("send", b"PCCSMDR\r\n")]}
    assert procs.capture_family(config.Config(text="[pbx]\ndriver = panasonic_kx\n")) == {
        "framing": "lines", "handshake": []}   # no password: a serial link, no login
    assert procs.capture_family(config.Config(text="")) == {}   # no driver yet: lines, no login
    with pytest.raises(config.ConfigError, match="lan_password"):
        procs.capture_family(config.Config(text="[pbx]\ndriver = panasonic_kx\nlan_password = a b\n"))
    if "mitel_5000" in registry.names():
        family = procs.capture_family(config.Config(text="[pbx]\ndriver = mitel_5000\npassword = 12345678\n"))
        assert family == {"framing": "le32", "handshake": [("send", MITEL_LOGIN)]}


def test_the_capture_process_logs_in_with_the_configured_password(tmp_path):
    pbx = LoopbackPbx(panasonic_session)
    pbx.password = b"PCCSMDR"
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "appliance.procs", "capture", "--data", str(data), "--set", f"capture.url={pbx.url}",
         "--set", "pbx.driver=panasonic_kx", "--set", "pbx.lan_password=PCCSMDR",
         "--set", "capture.reconnect_min_s=0.05", "--set", "log.level=WARNING"],
        cwd=REPO, stderr=subprocess.PIPE)
    want = b"\r\n" + PANA_RECORDS.read_bytes()
    try:
        def journaled():
            jd = data / "journal"
            return jd.exists() and b"".join(e.data for e in read_from(jd, (0, 0)) if not e.flags) == want
        wait_for(journaled, timeout=20, what="the SMDR lines in the process's journal")
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(10)
        pbx.close()
    assert rc == 0, proc.stderr.read().decode()
    assert [a[1] for a in pbx.attempts] == [b"PCCSMDR"]
