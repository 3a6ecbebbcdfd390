"""The transport seam: a PBX URL -> a Link that yields the bytes the PBX sends.

    /dev/ttyUSB0                       serial device, 9600 8N1
    serial:///dev/ttyS0?baud=9600&bytesize=8&parity=N&stopbits=1&rtscts=0&xonxoff=0
    socket://host:port                 we connect to a PBX that listens
    tcp-listen://host:port             the PBX connects to us (a Listener: one Link per connection)
    file:///path                       follow a file the PBX appends to (rotation and truncation)

A Link has a `source` name and `read(timeout) -> bytes` (b"" when nothing came within `timeout`); it
raises LinkDown when the link is lost or cannot be opened. A file link also has `at`: (inode, offset)
just past the bytes returned so far, so capture can store where to resume; stream links have at=None.
A socket link can also `write(data, timeout)`, for the login some PBXs want before they send
(capture runs the driver's handshake steps with it).
"""
from __future__ import annotations

import os
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

import serial

READ_SIZE = 64 * 1024
CONNECT_TIMEOUT_S = 1.0   # a LAN PBX answers in milliseconds; longer would delay capture's stop
BAUDS = (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)
SERIAL_DEFAULTS = {"baud": "9600", "bytesize": "8", "parity": "N", "stopbits": "1", "rtscts": "0", "xonxoff": "0"}
# tcp-listen: connections the kernel completes before capture accepts them. With 8, a burst of connects
# (a scan, a reconnect storm) overflowed it and a PBX's SYN waited for its 1 s, 3 s, 7 s retransmits.
BACKLOG = 128
SCHEMES = "serial://, socket://, tcp-listen://, file:// or a /dev/... path"


class LinkDown(Exception):
    """The link was lost or could not be opened; the message says why (it goes into the link_down event). `text`:
    the message's key and fields (capture's TEXTS), which the web says in the reader's language; None for words
    that are not capture's own."""

    def __init__(self, message: str, text: tuple[str, dict] | None = None):
        super().__init__(message)
        self.text = text


# the words of the transports' LinkDown messages, by key (issue 20: journaled with the event, the web says them in
# each language); {error} is the OS's own words and stays as it is
TRANSPORT_TEXTS = {"connect_failed": "connect to {host}:{port} failed: {error}",
                   "device_missing": "device {path} is not present", "open_failed": "cannot open {path}: {error}",
                   "read_failed": "read failed: {error}", "device_vanished": "device {path} vanished",
                   "receive_failed": "receive failed: {error}", "closed_by_peer": "connection closed by peer",
                   "send_timeout": "send timed out after {seconds} s", "send_failed": "send failed: {error}",
                   "listen_failed": "cannot listen on {host}:{port}: {error}",
                   "accept_failed": "accept failed: {error}"}


def down(key: str, **fields: str | int | float) -> LinkDown:
    """A LinkDown saying TRANSPORT_TEXTS[key] with `fields`, which it keeps for the web."""
    return LinkDown(TRANSPORT_TEXTS[key].format(**fields), (key, fields))


class Link(Protocol):
    """One PBX byte stream. `read` returns what arrived within `timeout` seconds (b"" if nothing) and
    raises LinkDown once the link is lost; `close` may be called at any time, also after LinkDown.
    `at` is (inode, offset just past the bytes returned) for a file, None for a stream."""

    source: str

    @property
    def at(self) -> tuple[int, int] | None: ...

    def read(self, timeout: float) -> bytes: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Target:
    """A parsed, validated URL."""

    kind: str                      # "serial", "socket", "tcp-listen" or "file"
    path: str = ""                 # serial device or followed file
    host: str = ""
    port: int = 0
    options: dict = field(default_factory=dict)   # serial settings, already converted

    @property
    def source(self) -> str:
        """The journal source name of this target (tcp-listen connections get their own, per peer)."""
        if self.kind in ("serial", "file"):
            return f"{self.kind}:{self.path}"
        return f"{self.kind}:{self.host or '0.0.0.0'}:{self.port}"


def parse_url(url: str) -> Target:
    """Validate `url`; raise ValueError with a one-line message naming the problem."""
    if url.startswith("/"):
        return Target("serial", url, options=_serial_options(url, {}))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "serial" or scheme == "file":
        if not parts.path.startswith("/") or parts.netloc:
            raise ValueError(f"{url!r}: expected {scheme}:///absolute/path")
        if scheme == "file":
            if parts.query:
                raise ValueError(f"{url!r}: file:// takes no options")
            return Target("file", parts.path)
        return Target("serial", parts.path, options=_serial_options(url, dict(parse_qsl(parts.query))))
    if scheme in ("socket", "tcp-listen"):
        if parts.query or parts.path not in ("", "/"):
            raise ValueError(f"{url!r}: expected {scheme}://host:port and nothing else")
        try:
            port = parts.port
        except ValueError:
            port = 0
        if port is None:
            raise ValueError(f"{url!r}: missing port (expected {scheme}://host:port)")
        if port == 0:
            raise ValueError(f"{url!r}: port is not a number in 1..65535")
        host = parts.hostname or ("" if scheme == "tcp-listen" else None)
        if host is None:
            raise ValueError(f"{url!r}: missing host (expected socket://host:port)")
        return Target(scheme, host=host, port=port)
    raise ValueError(f"{url!r}: unknown scheme {scheme or '(none)'!r}; use {SCHEMES}")


def _serial_options(url: str, query: dict) -> dict:
    unknown = sorted(set(query) - set(SERIAL_DEFAULTS))
    if unknown:
        raise ValueError(f"{url!r}: unknown serial option {unknown[0]!r} (known: {', '.join(SERIAL_DEFAULTS)})")
    q = {**SERIAL_DEFAULTS, **query}
    checks = {"baud": [str(b) for b in BAUDS], "bytesize": ["5", "6", "7", "8"], "parity": list("NEOMS"),
              "stopbits": ["1", "1.5", "2"], "rtscts": ["0", "1"], "xonxoff": ["0", "1"]}
    for key, allowed in checks.items():
        if q[key].upper() not in allowed:
            raise ValueError(f"{url!r}: bad {key} {q[key]!r} (one of {', '.join(allowed)})")
    return {"baudrate": int(q["baud"]), "bytesize": int(q["bytesize"]), "parity": q["parity"].upper(),
            "stopbits": float(q["stopbits"]) if q["stopbits"] == "1.5" else int(q["stopbits"]),
            "rtscts": q["rtscts"] == "1", "xonxoff": q["xonxoff"] == "1"}


def open_link(url: str, resume: tuple[int, int] | None = None) -> Link | Listener:
    """Open the link named by `url` (ValueError if the URL is bad, LinkDown if it cannot be opened now).

    Returns a Link, or a Listener for tcp-listen://. `resume` is the (inode, offset) a file link
    continues from; it is ignored by the other kinds.
    """
    t = parse_url(url)
    if t.kind == "serial":
        return SerialLink(t)
    if t.kind == "socket":
        try:
            sock = socket.create_connection((t.host, t.port), timeout=CONNECT_TIMEOUT_S)
        except OSError as e:
            raise down("connect_failed", host=t.host, port=t.port, error=str(e)) from None
        return SocketLink(sock, t.source)
    if t.kind == "tcp-listen":
        return Listener(t)
    return FileLink(t.path, resume)


class SerialLink:
    """A serial port through pyserial; a vanished device (USB unplugged) raises LinkDown."""

    at: tuple[int, int] | None = None

    def __init__(self, t: Target):
        self.path, self.source = t.path, t.source
        if not os.path.exists(self.path):
            raise down("device_missing", path=self.path)
        try:
            # exclusive: a second reader (a forgotten minicom) would silently take half the bytes
            self._ser = serial.serial_for_url(self.path, timeout=0.1, exclusive=True, **t.options)
        except (serial.SerialException, OSError, ValueError) as e:
            raise down("open_failed", path=self.path, error=str(e)) from None

    def read(self, timeout: float) -> bytes:
        try:
            if self._ser.timeout != timeout:   # setting it reconfigures the port: only when it changes
                self._ser.timeout = timeout
            # read(in_waiting or 1), never readline or read(N): see STACK.md §4
            data = self._ser.read(self._ser.in_waiting or 1)
        except (serial.SerialException, OSError) as e:
            raise down("read_failed", error=str(e)) from None
        if not data and not os.path.exists(self.path):
            raise down("device_vanished", path=self.path)
        return data

    def close(self) -> None:
        try:
            self._ser.close()
        except (serial.SerialException, OSError):
            pass


class SocketLink:
    """One TCP connection (to a PBX, or from one).

    A plain socket rather than pyserial's socket:// handler: its in_waiting is 0 or 1, so the
    read(in_waiting or 1) loop would do a syscall per byte.
    """

    at: tuple[int, int] | None = None

    def __init__(self, sock: socket.socket, source: str, peer: str = ""):
        self._sock, self.source, self.peer = sock, source, peer   # peer: the remote address, accepted ones
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)   # notice a PBX that died silently

    def read(self, timeout: float) -> bytes:
        self._sock.settimeout(timeout)
        try:
            data = self._sock.recv(READ_SIZE)
        except socket.timeout:
            return b""
        except OSError as e:
            raise down("receive_failed", error=str(e)) from None
        if not data:
            raise down("closed_by_peer")
        return data

    def write(self, data: bytes, timeout: float) -> None:
        """Send all of `data` within `timeout` seconds (a driver's login step); LinkDown if it fails."""
        self._sock.settimeout(timeout)
        try:
            self._sock.sendall(data)
        except socket.timeout:
            raise down("send_timeout", seconds=f"{timeout:g}") from None
        except OSError as e:
            raise down("send_failed", error=str(e)) from None

    def shutdown(self) -> None:
        """End the connection from another thread: the reader's recv returns at once (close would not)."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def refuse(self) -> None:
        """Close a connection that is not served, with a reset: no TIME_WAIT left here per refusal."""
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self._sock.close()

    def close(self) -> None:
        self._sock.close()


class Listener:
    """tcp-listen://: accept(timeout) -> a SocketLink named "tcp:PEERIP:PEERPORT", or None on timeout."""

    def __init__(self, t: Target):
        self.source = t.source
        try:
            self._sock = socket.create_server((t.host, t.port), backlog=BACKLOG)
        except OSError as e:
            raise down("listen_failed", host=t.host, port=t.port, error=str(e)) from None

    def accept(self, timeout: float) -> SocketLink | None:
        self._sock.settimeout(timeout)
        try:
            conn, peer = self._sock.accept()
        except socket.timeout:
            return None
        except OSError as e:
            raise down("accept_failed", error=str(e)) from None
        return SocketLink(conn, f"tcp:{peer[0]}:{peer[1]}", peer[0])

    def close(self) -> None:
        self._sock.close()


class FileLink:
    """Follow a file: polls for growth, finishes a rotated (renamed) file before moving to the new one,
    and starts again at 0 when the file shrinks (copytruncate)."""

    POLL_S = 0.2

    def __init__(self, path: str, resume: tuple[int, int] | None = None):
        self.path, self.source = path, f"file:{path}"
        try:
            self._f = open(path, "rb", buffering=0)
        except OSError as e:
            raise down("open_failed", path=path, error=str(e)) from None
        st = os.fstat(self._f.fileno())
        pos = 0
        if resume and resume[0] == st.st_ino and st.st_size >= resume[1]:
            pos = self._f.seek(resume[1])
        self.at: tuple[int, int] = (st.st_ino, pos)

    def read(self, timeout: float) -> bytes:
        try:
            data = self._read_more()
        except OSError as e:
            raise down("read_failed", error=str(e)) from None
        if not data:
            time.sleep(min(timeout, self.POLL_S))
        return data

    def _read_more(self) -> bytes:
        data = self._f.read(READ_SIZE)
        if data:
            self.at = (self.at[0], self.at[1] + len(data))
            return data
        if os.fstat(self._f.fileno()).st_size < self.at[1]:   # truncated in place
            self.at = (self.at[0], self._f.seek(0))
            return b""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:   # renamed away, the new file is not there yet: keep reading the old one
            return b""
        if st.st_ino == self.at[0]:
            return b""
        data = self._f.read(READ_SIZE)   # rotated: what reached the old file after our last read comes first
        if data:
            self.at = (self.at[0], self.at[1] + len(data))
            return data
        try:
            new = open(self.path, "rb", buffering=0)
        except FileNotFoundError:
            return b""
        self._f.close()
        self._f = new
        self.at = (os.fstat(new.fileno()).st_ino, 0)
        return b""

    def close(self) -> None:
        self._f.close()
