"""An AMI client: connect, log in, read events, send actions and wait for their responses; reconnect with backoff.

Blocking sockets and `threading`: under the web process's gevent monkey-patching these are greenlets and
cooperative sockets (an action waits without blocking the hub); in the worker or a test they are plain threads.
Every failure (refused connection, wrong credentials, a server that drops mid-action, garbage or an oversized frame)
is logged once, kept in `status`/`last_error`, and ends in a reconnect, never in an exception out of the reader.
"""
from __future__ import annotations

import itertools
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable

from appliance.ami.protocol import FrameError, Framer, Message, encode_action

log = logging.getLogger(__name__)

# connection states, shown on the panel ("live data unavailable" unless READY)
OFF, CONNECTING, READY, LOGIN_FAILED, DOWN = "off", "connecting", "ready", "login_failed", "down"


class AmiError(Exception):
    """An action could not be done: not connected, no response in time, the server dropped, or it said Error."""


@dataclass(frozen=True)
class AmiSettings:
    host: str
    port: int = 5038
    username: str = ""
    secret: str = ""
    connect_timeout_s: float = 5.0
    action_timeout_s: float = 5.0
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 60.0
    ping_s: float = 30.0
    max_frame_bytes: int = 65536


class _Pending:
    """An action waiting for its response (and, for an event-generating action, the event that ends it)."""

    def __init__(self, until_event: str | None):
        self.until_event = until_event.lower() if until_event else None
        self.done = threading.Event()
        self.response: Message | None = None
        self.events: list[Message] = []
        self.error: str | None = None

    def take(self, msg: Message) -> None:
        if msg.response and not msg.event:     # OriginateResponse has a Response field too: it is an event
            self.response = msg
            if self.until_event is None or msg.response.lower() == "error":
                self.done.set()
        else:
            self.events.append(msg)
            if self.until_event and msg.event.lower() == self.until_event:
                self.done.set()


class Client:
    """One AMI connection, kept up by `run()` (start() runs it in a thread or greenlet).

    on_event(msg) is called for every event in the reader; on_ready() after each successful login (resync there:
    the state seen before a drop is stale). Callbacks that raise are logged, never fatal."""

    def __init__(self, settings: AmiSettings, on_event: Callable[[Message], None] | None = None,
                 on_ready: Callable[[], None] | None = None, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.on_event = on_event
        self.on_ready = on_ready
        self.sleep = sleep
        self.status = OFF
        self.last_error = ""
        self.banner = ""
        self.connects = 0
        self.login_failures = 0
        self.garbage = 0
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._login_result: BaseException | bool | None = None     # this session's login: True, or why not
        self._login_done = threading.Event()

    # -- life cycle
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="ami-client", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._close()
        if self._thread is not None:
            self._thread.join(5)

    def drop(self) -> None:
        """Close the present connection: a link whose state cannot be trusted. run() reconnects after a wait that
        doubles as after a failure (a server that logs us in but answers nothing must not be hammered)."""
        self._login_result = None
        self._close()

    @property
    def ready(self) -> bool:
        return self.status == READY

    def run(self) -> None:
        """Connect, log in and read until stopped; after a failure wait reconnect_min_s, doubling up to
        reconnect_max_s (the wait starts again at the minimum after a login that worked)."""
        delay = self.settings.reconnect_min_s
        while not self._stop.is_set():
            self._login_result = None
            try:
                self._session()
            except _LoginFailed as e:
                self.status, self.last_error = LOGIN_FAILED, str(e)
                self.login_failures += 1
                log.error("AMI %s:%s: login failed: %s", self.settings.host, self.settings.port, e)
                delay = self.settings.reconnect_max_s   # wrong credentials do not fix themselves: no hammering
            except (OSError, FrameError, AmiError) as e:
                if self._stop.is_set():
                    break
                self.status, self.last_error = DOWN, f"{type(e).__name__}: {e}"
                log.warning("AMI %s:%s: %s", self.settings.host, self.settings.port, self.last_error)
            finally:
                self._close()
                self._fail_pending("the connection to the AMI server was lost")
            if self._stop.is_set():
                break
            if self._login_result is True:      # it was up: a drop now is news, retry soon
                delay = self.settings.reconnect_min_s
            if self.status not in (LOGIN_FAILED,):
                self.status = DOWN
            self._stop.wait(delay)
            delay = min(max(delay * 2, self.settings.reconnect_min_s), self.settings.reconnect_max_s)
        self.status = OFF

    # -- actions
    def action(self, name: str, fields: dict[str, str] | None = None, *, until_event: str | None = None,
               timeout: float | None = None) -> tuple[Message, list[Message]]:
        """Send an action and wait for its response (and, with until_event, the events with its ActionID up to
        that one: OriginateResponse). AmiError when not connected, on timeout, on a drop, or on `Response: Error`."""
        if self.status != READY:
            why = f"{self.status}: {self.last_error}" if self.last_error else self.status
            raise AmiError(f"not connected to the AMI server ({why})")
        return self._request(name, fields or {}, until_event, timeout)

    def _request(self, name, fields, until_event, timeout):
        action_id = f"callbox-{next(self._ids)}"
        pending = _Pending(until_event)
        self._pending[action_id] = pending
        try:
            self._send(encode_action(name, action_id, fields))
            if not pending.done.wait(timeout or self.settings.action_timeout_s):
                raise AmiError(f"{name}: no answer from the AMI server within "
                               f"{timeout or self.settings.action_timeout_s:g} s")
        finally:
            self._pending.pop(action_id, None)
        if pending.error:
            raise AmiError(f"{name}: {pending.error}")
        assert pending.response is not None
        if pending.response.response.lower() == "error":
            raise AmiError(f"{name}: {pending.response.get('Message') or 'refused'}")
        return pending.response, pending.events

    def _send(self, data: bytes) -> None:
        sock = self._sock
        if sock is None:
            raise AmiError("not connected to the AMI server")
        with self._send_lock:
            try:
                sock.sendall(data)
            except OSError as e:
                self._close()
                raise AmiError(f"sending to the AMI server failed: {e}") from None

    # -- one connection
    def _session(self) -> None:
        s = self.settings
        self.status = CONNECTING
        sock = socket.create_connection((s.host, s.port), timeout=s.connect_timeout_s)
        self._sock = sock
        framer = Framer(s.max_frame_bytes)
        self.connects += 1
        while framer.banner is None:
            data = sock.recv(4096)
            if not data:
                raise AmiError("the server closed the connection before its banner")
            pending_msgs = framer.feed(data)
        self.banner = framer.banner
        reader = threading.Thread(target=self._login_then_ready, args=(sock,), daemon=True)
        self._login_done = threading.Event()
        reader.start()
        for msg in pending_msgs:
            self._dispatch(msg)
        self._read(sock, framer)

    def _login_then_ready(self, sock) -> None:
        """Log in (in its own greenlet or thread: the reader delivers the response), then resync."""
        try:
            self._request("Login", {"Username": self.settings.username, "Secret": self.settings.secret,
                                    "Events": "on"}, None, self.settings.connect_timeout_s)
        except AmiError as e:
            self._login_result = _LoginFailed(str(e).removeprefix("Login: "))
            self._login_done.set()
            self._close()
            return
        self._login_result = True
        self._login_done.set()
        self.status, self.last_error = READY, ""
        log.info("AMI %s:%s: logged in (Asterisk Call Manager/%s)", self.settings.host, self.settings.port,
                 self.banner)
        if self.on_ready is not None:
            try:
                self.on_ready()
            except Exception:   # a resync that fails must not take the connection down
                log.exception("AMI: resync after login failed")

    def _read(self, sock, framer: Framer) -> None:
        idle_since, ping_out = time.monotonic(), False
        sock.settimeout(min(self.settings.ping_s, 1.0))
        while not self._stop.is_set():
            try:
                data = sock.recv(65536)
            except socket.timeout:
                if self.status != READY:
                    if self._login_done.is_set() and isinstance(self._login_result, _LoginFailed):
                        raise self._login_result
                    continue
                idle = time.monotonic() - idle_since
                if idle >= self.settings.ping_s + self.settings.action_timeout_s and ping_out:
                    raise AmiError(f"no answer to a ping within {self.settings.action_timeout_s:g} s")
                if idle >= self.settings.ping_s and not ping_out:
                    ping_out = True
                    self._send(encode_action("Ping", "callbox-ping", {}))
                continue
            except OSError:
                if isinstance(self._login_result, _LoginFailed):
                    raise self._login_result from None
                raise
            if not data:
                self._login_done.wait(1.0)
                if isinstance(self._login_result, _LoginFailed):
                    raise self._login_result
                raise AmiError("the server closed the connection")
            idle_since, ping_out = time.monotonic(), False
            for msg in framer.feed(data):
                self._dispatch(msg)
            if framer.garbage:
                self.garbage += framer.garbage
                log.warning("AMI: %d line(s) that are not `Key: Value` ignored", framer.garbage)
                framer.garbage = 0

    def _dispatch(self, msg: Message) -> None:
        pending = self._pending.get(msg.action_id) if msg.action_id else None
        if pending is not None:
            pending.take(msg)
            if not msg.event:
                return
        if msg.event and self.on_event is not None:
            try:
                self.on_event(msg)
            except Exception:
                log.exception("AMI: handling event %s failed", msg.event)

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)     # wakes a reader blocked in recv (close alone does not)
            except OSError:
                pass
            try:
                sock.close()
            except OSError:
                pass

    def _fail_pending(self, why: str) -> None:
        for pending in list(self._pending.values()):
            pending.error = why
            pending.done.set()


class _LoginFailed(AmiError):
    """The server refused the username or secret."""
