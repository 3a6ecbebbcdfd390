"""Issue 13 #2, with real sockets on loopback against the real web process (`python -m webui`): idle and
slowloris connections cannot keep other clients from the web UI, and every connection is bounded in time.

Attackers connect from other loopback addresses (127.0.0.2...; Linux routes all of 127/8 to lo), so the
per-address limit sees them as other clients than the real one at 127.0.0.1. Each test runs on HTTPS (the
default: the handshake is bounded too) and on plain HTTP ([web] tls = no)."""
from __future__ import annotations

import http.client
import socket
import ssl
import time
from contextlib import contextmanager
from typing import NamedTuple

import pytest

from browser_helpers import trusting, web_process

pytestmark = pytest.mark.slow


class Site(NamedTuple):
    url: str
    tls: ssl.SSLContext | None      # trusting the site's own certificate; None on plain HTTP

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@contextmanager
def _site(data, mode: str, *settings: str):
    with web_process(data, *settings, *(("web.tls=no",) if mode == "plain" else ())) as url:
        yield Site(url, trusting(data) if mode == "tls" else None)


def _connect(port: int, source: str, tls: ssl.SSLContext | None = None) -> socket.socket:
    """A TCP connection from `source`; with `tls`, after a completed handshake."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return tls.wrap_socket(s, server_hostname="127.0.0.1") if tls else s


def _page(site: Site) -> None:
    """GET /login from 127.0.0.1 (a new connection); the client's 60 s timeout only bounds a hang."""
    conn = _client(site, 60)
    conn.request("GET", "/login")
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.status == 200 and b"<form" in body, resp.status


def _held(sockets: list[socket.socket]) -> int:
    """How many of these plain TCP connections the server still holds open, having said nothing on them (peeked:
    nothing is read). A refused one has its 503 waiting (plain) or is closed (TLS)."""
    held = 0
    for s in sockets:
        timeout = s.gettimeout()
        s.setblocking(False)
        try:
            s.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            held += 1
        except OSError:
            pass
        finally:
            s.settimeout(timeout)
    return held


def _client_hello(tls: ssl.SSLContext) -> bytes:
    """The bytes a TLS client sends first (its ClientHello), to send them slowly."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    try:
        tls.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1").do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def _client(site: Site, seconds: float) -> http.client.HTTPConnection:
    if site.tls:
        return http.client.HTTPSConnection("127.0.0.1", site.port, timeout=seconds,
                                           source_address=("127.0.0.1", 0), context=site.tls)
    return http.client.HTTPConnection("127.0.0.1", site.port, timeout=seconds, source_address=("127.0.0.1", 0))


def _closed_within(s: socket.socket, seconds: float, trickle: bytes = b"") -> float:
    """Seconds until the server closes `s` (reads EOF or a reset), sending a byte of `trickle` every 0.2 s."""
    t = time.monotonic()
    s.settimeout(0.2)
    i = 0
    while time.monotonic() - t < seconds:
        if i < len(trickle):
            try:
                s.sendall(trickle[i:i + 1])
            except OSError:
                return time.monotonic() - t
            i += 1
        try:
            if s.recv(4096) == b"":
                return time.monotonic() - t
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - t
    raise AssertionError(f"the server kept the connection open for {seconds} s")


@pytest.fixture(scope="module", params=["tls", "plain"])
def site(tmp_path_factory, request):
    """The real web process with the shipped defaults ([web] is not in its INI), or with tls = no."""
    with _site(tmp_path_factory.mktemp("slowloris"), request.param) as s:
        yield s


def test_200_idle_and_60_slowloris_connections_do_not_keep_a_real_client_out(site):
    port = site.port
    idle = [_connect(port, "127.0.0.2") for _ in range(200)]              # one address: the per-client limit
    slow = [_connect(port, f"127.0.1.{i + 1}", site.tls) for i in range(60)]   # 60 addresses: header deadline
    try:
        for s in slow:
            s.sendall(b"GET / HTTP/1.1\r\n")
        for round_ in range(3):
            for s in slow:                                                 # a header byte now and then
                try:
                    s.sendall(b"X")
                except OSError:
                    pass
            _page(site)
            if round_ == 0:   # served while the server still held all it had let in: it did not wait for a place
                assert _held(idle) == 32                                   # to free up at their header deadline
            time.sleep(0.5)
        refused = 0
        for s in idle:              # those over the limit were answered 503 (plain) or closed (TLS), not kept
            s.settimeout(0.05)
            try:
                said = s.recv(100)
                refused += said.startswith(b"HTTP/1.1 503") if site.tls is None else said == b""
            except socket.timeout:
                pass
            except OSError:
                refused += site.tls is not None
        assert refused >= 200 - 32, refused                                # [web] max_per_client = 32
    finally:
        for s in idle + slow:
            s.close()
    _page(site)


@pytest.mark.parametrize("mode", ["tls", "plain"])
def test_a_slowloris_connection_is_closed_at_the_header_deadline(tmp_path, mode):
    (tmp_path / "callbox.ini").write_text("[web]\nheader_timeout_s = 1.5\nkeepalive_timeout_s = 1\n"
                                          "keepalive_requests = 3\n", encoding="utf-8")
    with _site(tmp_path, mode) as site:
        port = site.port
        idle = _connect(port, "127.0.0.3")
        assert 1.2 < _closed_within(idle, 5) < 3                          # sends nothing (no TLS handshake)
        if site.tls:                                                      # a handshake a byte at a time
            hello = _client_hello(site.tls)
            assert 1.2 < _closed_within(_connect(port, "127.0.0.3"), 5, hello) < 3
        slow = _connect(port, "127.0.0.3", site.tls)
        trickle = b"GET /login HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 100
        assert 1.2 < _closed_within(slow, 5, trickle) < 3                 # a byte every 0.2 s: still 1.5 s
        conn = _client(site, 5)                                           # keep-alive: 3 requests at most
        headers = []
        for _ in range(3):
            conn.request("GET", "/login")
            resp = conn.getresponse()
            resp.read()
            headers.append(resp.getheader("Connection"))
        assert headers[-1] == "close" and "close" not in headers[:-1]
        conn.close()
        kept = _connect(port, "127.0.0.4", site.tls)                      # a kept-alive connection left idle
        kept.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        assert b"200 OK" in kept.recv(65536)
        assert _closed_within(kept, 4) < 2
