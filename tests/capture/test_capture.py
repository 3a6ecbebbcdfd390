"""capture.run end to end: a pty for serial, loopback TCP for the LAN, real files, a real journal."""
from __future__ import annotations

import errno
import json
import os
import random
import socket
import threading
import time
from pathlib import Path

import pytest

from appliance.capture import links as capture
from appliance.capture import sink as capture_sink
from appliance.capture.framing import MAX_LINE
from appliance.journal import JournalWriter, read_from
from appliance.records import EVENT, PARTIAL
from appliance.tools.virtual_pbx import PtyPort, fixture_lines, replay

# 1,441 real IP Office SMDR records (plus the logger's header line), recorded output: see PROVENANCE.md there
pytestmark = pytest.mark.slow   # threads, pseudo-terminals and sockets for every transport

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "pbx" / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw"
FAST = dict(reconnect_min_s=0.05, reconnect_max_s=0.4, idle_flush_s=0.2)


def wait_for(cond, timeout: float = 10.0, what: str = "condition"):
    """Poll `cond` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def entries(jdir: Path) -> list:
    return list(read_from(jdir, (0, 0)))


def lines(jdir: Path, source_prefix: str = "") -> list:
    return [e for e in entries(jdir) if not e.flags & EVENT and e.source.startswith(source_prefix)]


def joined(jdir: Path, source_prefix: str = "") -> bytes:
    return b"".join(e.data for e in lines(jdir, source_prefix))


def events(jdir: Path, kind: str | None = None, source: str | None = None) -> list[dict]:
    out = [json.loads(e.data) for e in entries(jdir) if e.flags & EVENT]
    return [ev for ev in out if (kind is None or ev["event"] == kind) and (source is None or ev["source"] == source)]


class Capture:
    """capture.run in a thread, as the capture process runs it."""

    def __init__(self, url: str, jdir: Path, journal=None, **kw):
        self.journal = journal if journal is not None else JournalWriter(jdir)
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(url, {**FAST, **kw}), daemon=True)
        self.thread.start()

    def _run(self, url, kw):
        try:
            capture.run(url, self.journal, self.stop, **kw)
        except BaseException as e:   # reported by close()
            self.error = e

    def close(self) -> float:
        t0 = time.monotonic()
        self.stop.set()
        self.thread.join(5)
        took = time.monotonic() - t0
        assert not self.thread.is_alive(), "capture.run did not return after stop"
        getattr(self.journal, "inner", self.journal).close()
        if self.error:
            raise self.error
        return took


@pytest.fixture
def jdir(tmp_path):
    return tmp_path / "journal"


@pytest.fixture
def captures():
    started: list[Capture] = []

    def start(url, jdir, **kw):
        started.append(Capture(url, jdir, **kw))
        return started[-1]
    yield start
    for c in started:
        if c.thread.is_alive():
            c.close()


# ---- serial over a pty ----------------------------------------------------------------------------

def mixed_endings(data: bytes) -> bytes:
    """The sample with CR LF on every third line and a lone CR on every seventh (mixed-ending PBXs)."""
    out = []
    for i, line in enumerate(fixture_lines(data)):
        if line.endswith(b"\n"):
            line = line[:-1] + (b"\r\n" if i % 3 == 0 else b"\r" if i % 7 == 0 else b"\n")
        out.append(line)
    return b"".join(out)


@pytest.mark.parametrize("variant", ["as recorded", "mixed endings"])
def test_serial_end_to_end_over_pty(tmp_path, jdir, captures, variant):
    fixture = SAMPLE
    if variant != "as recorded":
        fixture = tmp_path / "mixed.log"
        fixture.write_bytes(mixed_endings(SAMPLE.read_bytes()))
    data = fixture.read_bytes()
    link = tmp_path / "virtual-pbx.tty"
    port, stop_pbx = PtyPort(link), threading.Event()
    pbx = threading.Thread(target=replay, args=(fixture, port), kwargs={"stop": stop_pbx}, daemon=True)
    pbx.start()
    try:
        cap = captures(f"serial://{link}?baud=9600", jdir)
        want = fixture_lines(data)
        # the recorded file's last line has no terminator: it stays pending until the link ends
        wait_for(lambda: len(lines(jdir)) >= len(want) - 1, what="all terminated lines")
        assert cap.close() < 0.6
    finally:
        stop_pbx.set()
        pbx.join(5)
        port.close()
    got = lines(jdir)
    assert b"".join(e.data for e in got) == data
    assert [e.data for e in got] == want
    assert {e.source for e in got} == {f"serial:{link}"}
    assert [e.flags for e in got[:-1]] == [0] * (len(got) - 1)
    assert got[-1].flags == (0 if data.endswith((b"\n", b"\r")) else PARTIAL)
    assert [ev["event"] for ev in events(jdir)] == ["link_up", "link_down"]


def test_serial_unplug_and_replug(tmp_path, jdir, captures):
    link = tmp_path / "ttyUSB0"
    stop = threading.Event()
    port = PtyPort(link)
    captures(f"serial://{link}", jdir)
    source = f"serial:{link}"
    assert port.wait_reader(stop)
    first = [b"before unplug %d\r\n" % i for i in range(3)]
    assert port.write(b"".join(first), stop)
    wait_for(lambda: len(lines(jdir)) == 3, what="lines before unplug")
    port.close()   # USB adapter pulled: the master goes away and so does the device path
    wait_for(lambda: events(jdir, "link_down", source), what="link_down")
    assert not link.exists()
    port = PtyPort(link)   # plugged in again: a new tty behind the same path
    try:
        assert port.wait_reader(stop)
        second = [b"after replug %d\r\n" % i for i in range(3)]
        for line in second:
            assert port.write(line, stop)
        wait_for(lambda: len(lines(jdir)) == 6, what="lines after replug")
    finally:
        port.close()
    assert [e.data for e in lines(jdir)] == first + second
    kinds = [ev["event"] for ev in events(jdir, source=source)]
    assert kinds[:3] == ["link_up", "link_down", "link_up"]
    assert "read failed" in events(jdir, "link_down", source)[0]["detail"]


def test_garbage_and_nul_bytes_preserved(tmp_path, jdir, captures):
    link = tmp_path / "tty"
    stop = threading.Event()
    port = PtyPort(link)
    try:
        cap = captures(f"{link}", jdir)   # a bare device path is a serial URL
        assert port.wait_reader(stop)
        blob = bytes(range(256)) * 4 + b"\x00\x00\xff\xfe\xc3\x28 invalid utf-8\x00\r\n" + b"tail\x00\x03"
        assert port.write(blob, stop)
        wait_for(lambda: joined(jdir).endswith(b"utf-8\x00\r\n"), what="garbage lines")
        cap.close()
    finally:
        port.close()
    assert joined(jdir) == blob
    assert lines(jdir)[-1].flags == PARTIAL and lines(jdir)[-1].data == b"tail\x00\x03"


# ---- LAN ------------------------------------------------------------------------------------------

def send_in_pieces(port: int, data: bytes, seed: int) -> None:
    rnd = random.Random(seed)
    with socket.create_connection(("127.0.0.1", port)) as s:
        i = 0
        while i < len(data):
            n = rnd.randint(1, 40)
            s.sendall(data[i:i + n])
            i += n
            if rnd.random() < 0.2:
                time.sleep(0.002)


def test_tcp_listen_three_pbx_at_once(jdir, captures):
    port = free_port()
    cap = captures(f"tcp-listen://127.0.0.1:{port}", jdir)
    wait_for(lambda: events(jdir, "link_up", f"tcp-listen:127.0.0.1:{port}"), what="listening")
    sent = {k: b"".join(b"pbx%d line %03d \xc7a\xc4\x9fr\xc4\xb1\r\n" % (k, i) for i in range(200)) for k in range(3)}
    sent[2] += b"unterminated tail"
    clients = [threading.Thread(target=send_in_pieces, args=(port, sent[k], k)) for k in range(3)]
    for t in clients:
        t.start()
    for t in clients:
        t.join(10)
    wait_for(lambda: len(events(jdir, "link_down")) == 3, what="3 connections closed")
    cap.close()
    by_source: dict[str, list] = {}
    for e in lines(jdir, "tcp:"):
        by_source.setdefault(e.source, []).append(e)
    assert len(by_source) == 3
    assert sorted(b"".join(e.data for e in es) for es in by_source.values()) == sorted(sent.values())
    for es in by_source.values():
        assert all(e.data.endswith(b"\r\n") and e.flags == 0 for e in es if e.data != b"unterminated tail")
    assert [e.flags for es in by_source.values() for e in es if e.data == b"unterminated tail"] == [PARTIAL]


class FlakyServer:
    """A PBX LAN port on loopback that sends some lines, goes away, and comes back on the same port."""

    def __init__(self):
        self.port = free_port()
        self.conn: socket.socket | None = None
        self.srv: socket.socket | None = None

    def serve(self, data: bytes) -> None:
        self.srv = socket.create_server(("127.0.0.1", self.port))
        self.srv.settimeout(10)
        self.conn, _ = self.srv.accept()
        self.conn.sendall(data)

    def down(self) -> None:
        self.conn.close()
        self.srv.close()


def test_socket_reconnects_without_loss_or_duplicates(jdir, captures):
    pbx = FlakyServer()
    url = f"socket://127.0.0.1:{pbx.port}"
    source = f"socket:127.0.0.1:{pbx.port}"
    cap = captures(url, jdir)   # nobody listens yet: link_down once, then retries with backoff
    wait_for(lambda: events(jdir, "link_down", source), what="first link_down")
    time.sleep(0.3)   # several attempts fail meanwhile
    first = b"".join(b"first %d\n" % i for i in range(50))
    pbx.serve(first)
    wait_for(lambda: joined(jdir) == first, what="first batch")
    pbx.down()
    wait_for(lambda: len(events(jdir, "link_down", source)) == 2, what="link_down after close")
    time.sleep(0.3)   # let a few reconnect attempts fail
    second = b"".join(b"second %d\r\n" % i for i in range(50))
    pbx.serve(second)
    wait_for(lambda: joined(jdir) == first + second, what="second batch")
    cap.close()
    pbx.down()
    assert joined(jdir) == first + second
    # one link_down per outage, not one per failed attempt
    assert [ev["event"] for ev in events(jdir, source=source)] == [
        "link_down", "link_up", "link_down", "link_up", "link_down"]


# ---- framing at the capture level -----------------------------------------------------------------

def test_cr_only_stream_flushed_after_idle(jdir, captures):
    pbx = FlakyServer()
    captures(f"socket://127.0.0.1:{pbx.port}", jdir, idle_flush_s=0.15)
    pbx.serve(b"A 1\rB 2\rC 3\r")
    try:
        # C's CR might be the first half of CR LF; after 0.15 s of silence it is a line end
        wait_for(lambda: [e.data for e in lines(jdir)] == [b"A 1\r", b"B 2\r", b"C 3\r"], what="CR lines")
        assert [e.flags for e in lines(jdir)] == [0, 0, 0]
        pbx.conn.sendall(b"D 4")
        time.sleep(0.4)   # a tail without CR is a line still being printed: it must wait
        assert len(lines(jdir)) == 3
        pbx.conn.sendall(b"\n")
        wait_for(lambda: len(lines(jdir)) == 4)
        assert lines(jdir)[-1].data == b"D 4\n"
    finally:
        pbx.down()


def test_one_mib_line_without_newline(jdir, captures):
    port = free_port()
    cap = captures(f"tcp-listen://127.0.0.1:{port}", jdir)
    wait_for(lambda: events(jdir, "link_up"), what="listening")
    rnd = random.Random(7)
    blob = bytes(rnd.choice(b"ABCDEFGHIJ\x00\xff") for _ in range(1 << 20))
    send_in_pieces_fast(port, blob)
    wait_for(lambda: events(jdir, "link_down", None), what="connection closed")
    cap.close()
    got = lines(jdir, "tcp:")
    assert b"".join(e.data for e in got) == blob
    assert all(e.flags == PARTIAL for e in got)
    assert max(len(e.data) for e in got) == MAX_LINE


def send_in_pieces_fast(port: int, data: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port)) as s:
        for i in range(0, len(data), 5000):
            s.sendall(data[i:i + 5000])


# ---- file follow ----------------------------------------------------------------------------------

def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as f:
        f.write(data)


def test_file_follow_rotation_truncation_and_restart(tmp_path, jdir, captures):
    log = tmp_path / "smdr.csv"
    L = [b"call %02d,0:00:%02d,ext 2%02d\r\n" % (i, i, i) for i in range(14)]
    src = f"file:{log}"
    count = lambda: len(lines(jdir))   # noqa: E731

    log.write_bytes(b"".join(L[0:3]))
    cap = captures(f"file://{log}", jdir)
    wait_for(lambda: count() == 3, what="initial lines")
    append(log, L[3] + L[4][:10])          # half a line: must wait for the rest
    wait_for(lambda: count() == 4)
    append(log, L[4][10:])
    wait_for(lambda: count() == 5, what="appended lines")

    os.rename(log, tmp_path / "smdr.csv.1")   # rotation: the PBX still writes to the old file for a moment
    append(tmp_path / "smdr.csv.1", L[5])
    time.sleep(0.3)
    log.write_bytes(L[6])
    append(log, L[7])
    wait_for(lambda: count() == 8, what="lines around the rotation")

    (tmp_path / "smdr.csv.2").write_bytes(log.read_bytes())   # copytruncate
    os.truncate(log, 0)
    append(log, L[8])
    wait_for(lambda: count() == 9, what="line after truncation")

    cap.close()                             # capture restart in the middle
    append(log, L[9] + L[10])
    cap = captures(f"file://{log}", jdir)
    wait_for(lambda: count() == 11, what="lines written while capture was down")
    append(log, L[11])
    wait_for(lambda: count() == 12)
    cap.close()
    cap = captures(f"file://{log}", jdir)   # a restart with nothing new re-journals nothing
    append(log, L[12] + L[13])
    wait_for(lambda: count() == 14)
    cap.close()

    got = lines(jdir)
    assert [e.data for e in got] == L
    assert all(e.source.startswith(src + "#") and e.flags == 0 for e in got)
    assert len(events(jdir, "link_up", src)) == 3


def test_file_rotated_with_an_unterminated_tail(tmp_path, jdir, captures):
    log = tmp_path / "smdr.csv"
    log.write_bytes(b"a\nno newline at the end")
    cap = captures(f"file://{log}", jdir)
    wait_for(lambda: len(lines(jdir)) == 1)
    os.rename(log, tmp_path / "smdr.csv.1")
    log.write_bytes(b"b\n")
    wait_for(lambda: len(lines(jdir)) == 3, what="old tail and the new file's line")
    cap.close()
    got = lines(jdir)
    assert [(e.data, e.flags) for e in got] == [(b"a\n", 0), (b"no newline at the end", PARTIAL), (b"b\n", 0)]
    old_ino, new_ino = (tmp_path / "smdr.csv.1").stat().st_ino, log.stat().st_ino
    assert [e.source.rpartition("#")[2] for e in got] == [f"{old_ino}:2", f"{old_ino}:23", f"{new_ino}:2"]


def test_file_resume_position_is_stored_in_the_journal(tmp_path, jdir, captures):
    log = tmp_path / "x.log"
    log.write_bytes(b"one\ntwo\n")
    cap = captures(f"file://{log}", jdir)
    wait_for(lambda: len(lines(jdir)) == 2)
    cap.close()
    ino = log.stat().st_ino
    assert [e.source for e in lines(jdir)] == [f"file:{log}#{ino}:4", f"file:{log}#{ino}:8"]
    assert capture.resume_position(jdir, f"file:{log}") == (ino, 8)
    assert capture.resume_position(jdir, f"file:{log}.other") is None


def test_file_missing_at_start_then_appears(tmp_path, jdir, captures):
    log = tmp_path / "later.log"
    cap = captures(f"file://{log}", jdir)
    wait_for(lambda: events(jdir, "link_down"), what="link_down for the missing file")
    log.write_bytes(b"hello\n")
    wait_for(lambda: joined(jdir) == b"hello\n")
    cap.close()


# ---- disk full and status -------------------------------------------------------------------------

class FullDisk:
    """The one fake in the capture tests: a real JournalWriter whose appends fail with ENOSPC while
    `full` is set (filling a real file system in a test is slow and needs root)."""

    def __init__(self, inner: JournalWriter):
        self.inner, self.directory = inner, inner.directory
        self.full = threading.Event()
        self.refused = 0

    def append_many(self, items, source, received_ns=None):
        if self.full.is_set():
            self.refused += 1
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.inner.append_many(items, source, received_ns)


def test_disk_full_keeps_lines_and_writes_them_later(tmp_path, jdir, captures):
    status_path = tmp_path / "capture-status.json"
    journal = FullDisk(JournalWriter(jdir))
    pbx = FlakyServer()
    url = f"socket://127.0.0.1:{pbx.port}"
    journal.full.set()
    cap = captures(url, jdir, journal=journal, status_path=status_path)
    data = b"".join(b"while full %d\r\n" % i for i in range(100))
    pbx.serve(data)
    try:
        st = wait_for(lambda: status_path.exists() and json.loads(status_path.read_text())["backlog"] == 100 and
                      json.loads(status_path.read_text()), what="backlog in status")
        assert lines(jdir) == [] and journal.refused >= 1
        assert st["lines"] == 0
        journal.full.clear()
        wait_for(lambda: joined(jdir) == data, timeout=5, what="backlog written after recovery")
        assert events(jdir)[-1]["event"] == "link_up"   # the events waited for the disk too, in order
        st = wait_for(lambda: json.loads(status_path.read_text())["backlog"] == 0 and
                      json.loads(status_path.read_text()), what="status after recovery")
        assert st["lines"] == 100 and st["bytes"] == len(data) and st["last_line_at"].endswith("Z")
        assert st["pid"] == os.getpid() and st["url"] == url
        link = st["links"][f"socket:127.0.0.1:{pbx.port}"]
        assert link["state"] == "up" and link["since"].endswith("Z")
    finally:
        cap.close()
        pbx.down()
    st = json.loads(status_path.read_text())
    assert st["links"][f"socket:127.0.0.1:{pbx.port}"]["state"] == "down"
    assert not list(tmp_path.glob("*.tmp"))


def test_bad_url_raises_before_anything_runs(jdir):
    with JournalWriter(jdir) as j:
        with pytest.raises(ValueError, match="unknown scheme"):
            capture.run("ftp://pbx/x", j, threading.Event())
        with pytest.raises(ValueError, match="baud"):
            capture.run("serial:///dev/ttyS0?baud=9601", j, threading.Event())
    assert entries(jdir) == []


# ---- framing and handshake arguments --------------------------------------------------------------

def test_le32_frames_from_a_followed_file_resume_where_they_ended(tmp_path, jdir, captures):
    log = tmp_path / "smdr.bin"
    frames = [len(p).to_bytes(4, "little") + p for p in (b"first\r\n", b"second\r\n", b"\n\r\x00", b"fourth\r\n")]
    log.write_bytes(frames[0] + frames[1][:2])   # the second frame is cut inside its prefix
    cap = captures(f"file://{log}", jdir, framing="le32")
    wait_for(lambda: len(lines(jdir)) == 1)
    time.sleep(0.3)   # idle never cuts an le32 frame that is still arriving
    assert len(lines(jdir)) == 1
    append(log, frames[1][2:] + frames[2])
    wait_for(lambda: len(lines(jdir)) == 3)
    cap.close()
    append(log, frames[3])
    cap = captures(f"file://{log}", jdir, framing="le32")
    wait_for(lambda: len(lines(jdir)) == 4)
    cap.close()
    ino = log.stat().st_ino
    assert [(e.data, e.flags) for e in lines(jdir)] == [(f, 0) for f in frames]
    ends = [sum(map(len, frames[:i + 1])) for i in range(4)]
    assert [e.source for e in lines(jdir)] == [f"file:{log}#{ino}:{end}" for end in ends]


def test_bad_framing_or_handshake_raises_before_anything_runs(jdir):
    with JournalWriter(jdir) as j:
        with pytest.raises(ValueError, match="framing 'le16'"):
            capture.run("socket://127.0.0.1:9", j, threading.Event(), framing="le16")
        for bad in ([("recv", b"x")], [("expect", b"")], [("send", "text")], [("send",)]):
            with pytest.raises(ValueError, match="handshake step"):
                capture.run("socket://127.0.0.1:9", j, threading.Event(), handshake=bad)
    assert entries(jdir) == []


def test_a_handshake_is_only_for_socket_links(tmp_path, jdir, captures, caplog):
    log = tmp_path / "x.log"
    log.write_bytes(b"one\r\n")
    cap = captures(f"file://{log}", jdir, handshake=[("expect", b"never")])
    wait_for(lambda: len(lines(jdir)) == 1)
    cap.close()
    assert "handshake is ignored" in caplog.text and not events(jdir, "handshake_failed")


def test_status_file_is_rewritten_while_the_pbx_is_quiet(tmp_path, jdir, captures, monkeypatch):
    """The web page takes a status file older than 10 s for a dead capture: a quiet night must not look so."""
    monkeypatch.setattr(capture_sink, "HEARTBEAT_S", 0.3)
    source = tmp_path / "quiet.log"
    source.write_bytes(b"")
    status = tmp_path / "capture.json"
    captures(f"file://{source}", jdir, status_path=status)
    wait_for(status.exists, what="status file")
    first = status.stat().st_mtime_ns
    wait_for(lambda: status.stat().st_mtime_ns > first, what="a heartbeat rewrite")
    assert json.loads(status.read_text())["lines"] == 0
