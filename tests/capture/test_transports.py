"""transports: URL validation, and each Link kind against a real pty, loopback socket or file."""
from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from appliance.capture.transports import FileLink, LinkDown, open_link, parse_url
from appliance.tools.virtual_pbx import PtyPort


@pytest.mark.parametrize("url, message", [
    ("ftp://pbx/smdr", "unknown scheme 'ftp'"),
    ("ttyUSB0", "unknown scheme '(none)'"),
    ("serial:///dev/ttyS0?baud=9601", "bad baud '9601'"),
    ("serial:///dev/ttyS0?baud=fast", "bad baud 'fast'"),
    ("serial:///dev/ttyS0?parity=X", "bad parity 'X'"),
    ("serial:///dev/ttyS0?stopbits=3", "bad stopbits"),
    ("serial:///dev/ttyS0?bytesize=9", "bad bytesize"),
    ("serial:///dev/ttyS0?rtscts=yes", "bad rtscts"),
    ("serial:///dev/ttyS0?speed=9600", "unknown serial option 'speed'"),
    ("serial://dev/ttyS0", "expected serial:///absolute/path"),
    ("socket://10.0.0.5", "missing port"),
    ("socket://10.0.0.5:", "missing port"),
    ("socket://10.0.0.5:http", "port is not a number"),
    ("socket://10.0.0.5:70000", "port is not a number"),
    ("tcp-listen://127.0.0.1:0", "port is not a number"),
    ("socket://:2300", "missing host"),
    ("tcp-listen://0.0.0.0", "missing port"),
    ("file://relative/path", "expected file:///absolute/path"),
])
def test_bad_urls_name_the_problem(url, message):
    with pytest.raises(ValueError) as exc:
        parse_url(url)
    text = str(exc.value)
    assert message in text and "\n" not in text
    with pytest.raises(ValueError):
        open_link(url)


@pytest.mark.parametrize("url, source, options", [
    ("/dev/ttyUSB0", "serial:/dev/ttyUSB0", dict(baudrate=9600, bytesize=8, parity="N", stopbits=1)),
    ("serial:///dev/ttyS0?baud=1200&bytesize=7&parity=e&stopbits=2&rtscts=1&xonxoff=1", "serial:/dev/ttyS0",
     dict(baudrate=1200, bytesize=7, parity="E", stopbits=2, rtscts=True, xonxoff=True)),
    ("serial:///dev/ttyS1?stopbits=1.5", "serial:/dev/ttyS1", dict(stopbits=1.5)),
    ("socket://10.0.0.5:2300", "socket:10.0.0.5:2300", {}),
    ("tcp-listen://0.0.0.0:1752", "tcp-listen:0.0.0.0:1752", {}),
    ("tcp-listen://:1752", "tcp-listen:0.0.0.0:1752", {}),
    ("file:///var/log/pbx/smdr.csv", "file:/var/log/pbx/smdr.csv", {}),
])
def test_good_urls(url, source, options):
    t = parse_url(url)
    assert t.source == source
    assert options.items() <= t.options.items()


def test_serial_link_over_pty_and_vanishing_device(tmp_path):
    link_path = tmp_path / "tty"
    with pytest.raises(LinkDown, match="not present"):
        open_link(str(link_path))
    port = PtyPort(link_path)
    link = open_link(f"serial://{link_path}?baud=19200")
    try:
        assert link.source == f"serial:{link_path}" and link.at is None
        assert link.read(0.05) == b""
        assert port.write(b"12:01 201 0123456\r\n", threading.Event())
        got = b""
        while not got.endswith(b"\r\n"):
            got += link.read(0.1)
        assert got == b"12:01 201 0123456\r\n"
        port.close()
        with pytest.raises(LinkDown):
            for _ in range(20):
                link.read(0.05)
    finally:
        link.close()


def test_serial_device_path_disappearing_is_a_link_down(tmp_path):
    link_path = tmp_path / "ttyUSB0"
    port = PtyPort(link_path)
    link = open_link(str(link_path))
    try:
        link_path.unlink()   # udev removed the node; the old fd may simply stay silent
        with pytest.raises(LinkDown, match="vanished"):
            link.read(0.05)
    finally:
        link.close()
        port.close()


def test_socket_link_and_listener():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    listener = open_link(f"tcp-listen://127.0.0.1:{port}")
    try:
        assert listener.accept(0.01) is None
        client = socket.create_connection(("127.0.0.1", port))
        conn = listener.accept(1)
        assert conn.source == f"tcp:127.0.0.1:{client.getsockname()[1]}"
        other = open_link(f"socket://127.0.0.1:{port}")
        assert other.source == f"socket:127.0.0.1:{port}"
        other.close()
        client.sendall(b"x\n")
        assert conn.read(1) == b"x\n"
        assert conn.read(0.01) == b""
        client.close()
        with pytest.raises(LinkDown, match="closed by peer"):
            conn.read(1)
        conn.close()
    finally:
        listener.close()
    with pytest.raises(LinkDown, match="connect to 127.0.0.1"):
        open_link(f"socket://127.0.0.1:{port}")


def read_all(link: FileLink, timeout=0.05, rounds=3) -> bytes:
    out = b""
    for _ in range(rounds):
        out += link.read(timeout)
    return out


def test_file_link_resume_rotation_truncation(tmp_path, monkeypatch):
    path = tmp_path / "f.log"
    path.write_bytes(b"aaa\nbbb\n")
    ino = path.stat().st_ino
    link = FileLink(str(path), resume=(ino, 4))
    assert link.at == (ino, 4) and read_all(link) == b"bbb\n" and link.at == (ino, 8)
    link.close()
    for resume in ((ino, 99), (ino + 1, 4)):   # file shorter than the stored position; another file
        other = FileLink(str(path), resume=resume)
        assert other.at == (ino, 0)
        other.close()
    link = FileLink(str(path))
    read_all(link)
    os.truncate(path, 0)
    with open(path, "ab") as f:
        f.write(b"c\n")
    assert read_all(link) == b"c\n" and link.at == (ino, 2)
    os.rename(path, tmp_path / "f.log.1")
    with open(tmp_path / "f.log.1", "ab") as f:
        f.write(b"old\n")
    path.write_bytes(b"new\n")
    slept = []                        # the clock injected: each read waits at most its timeout, no more
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda s: (slept.append(s), real_sleep(s)))
    assert read_all(link, rounds=4) == b"old\nnew\n"   # the rest of the old file, then the new one, in 4 reads
    assert link.at == (path.stat().st_ino, 4) and all(s <= 0.05 for s in slept)
    link.close()
