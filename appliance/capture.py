"""Capture: PBX link (transports.open_link) -> bytes -> lines -> journal, before anything else touches them.

Runs as its own process and depends on nothing but the journal: no DB, no web, no huey. Link up/down
events are journal entries too (flags=EVENT, JSON data), so the journal alone tells what happened when.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from appliance import journal as journal_mod
from appliance import transports
from appliance.framing import split_lines
from appliance.records import EVENT, PARTIAL
from appliance.transports import Link, LinkDown

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 0.1     # how often a link loop looks at `stop`
RETRY_S = 1.0            # retry a refused journal write this often
STATUS_EVERY_S = 1.0
MAX_CONNECTIONS = 32     # tcp-listen: more than any PBX opens; bounds threads if something loops
MAX_STATUS_LINKS = 32


class Journal(Protocol):
    """What capture needs of the journal: a JournalWriter (or, in a test, a wrapper around one)."""

    directory: Path

    def append_many(self, items: Iterable[tuple[bytes, int]], source: str,
                    received_ns: int | None = None) -> list[tuple[int, int]]: ...


def _iso(ns: int | None) -> str | None:
    return None if ns is None else datetime.fromtimestamp(ns / 1e9, timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


class _Sink:
    """Thread-safe front of the journal. Batches are written in arrival order; while the disk refuses
    them (OSError, e.g. ENOSPC) they wait in memory and are retried every RETRY_S, never dropped."""

    def __init__(self, journal: Journal):
        self._journal = journal
        self._lock = threading.Lock()
        self._backlog: deque = deque()   # (source, [(data, flags)], received_ns, is_event)
        self._retry_at = 0.0
        self._failing = False
        self._reported_at = 0.0
        self.lines = self.bytes = self.waiting = 0
        self.last_line_ns: int | None = None

    def put(self, source: str, items: list, received_ns: int, event: bool = False) -> None:
        with self._lock:
            self._backlog.append((source, items, received_ns, event))
            if not event:
                self.waiting += len(items)
            if time.monotonic() >= self._retry_at:
                self._drain()

    def retry(self, force: bool = False) -> None:
        with self._lock:
            if self._backlog and (force or time.monotonic() >= self._retry_at):
                self._drain()

    def _drain(self) -> None:
        while self._backlog:
            source, items, rns, event = self._backlog[0]
            try:
                self._journal.append_many(items, source, rns)
            except OSError as e:
                self._refused(e)
                return
            self._backlog.popleft()
            if not event:
                self.waiting -= len(items)
                self.lines += len(items)
                self.bytes += sum(len(d) for d, _ in items)
                self.last_line_ns = rns
        if self._failing:
            self._failing = False
            log.warning("journal accepts writes again; backlog written")

    def _refused(self, e: OSError) -> None:
        now = time.monotonic()
        self._retry_at = now + RETRY_S
        if not self._failing:
            self._failing = True
            self._reported_at = now
            log.error("journal write failed (%s): keeping lines in memory, retrying every %.0f s", e, RETRY_S)
        elif now - self._reported_at >= 60:
            self._reported_at = now
            log.warning("journal still refusing writes: %d lines waiting in memory", self.waiting)


class _Status:
    """The small JSON file the web status page reads; rewritten atomically, at most once a second."""

    def __init__(self, url: str, path: Path | None, sink: _Sink):
        self.url, self.path, self.sink = url, path, sink
        self.links: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._written: dict | str | None = None

    def set_link(self, source: str, state: str, detail: str, ns: int) -> None:
        with self._lock:
            self.links.pop(source, None)
            self.links[source] = {"state": state, "since": _iso(ns), "detail": detail}
            down = [s for s, v in self.links.items() if v["state"] == "down"]
            for s in down[:max(0, len(self.links) - MAX_STATUS_LINKS)]:   # forget the oldest closed ones
                del self.links[s]

    def write(self) -> None:
        if self.path is None:
            return
        s = self.sink
        with self._lock:
            doc = {"pid": os.getpid(), "url": self.url, "links": {k: dict(v) for k, v in self.links.items()},
                   "lines": s.lines, "bytes": s.bytes, "last_line_at": _iso(s.last_line_ns), "backlog": s.waiting}
        if doc == self._written:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1))
            os.replace(tmp, self.path)
            self._written = doc
        except OSError as e:   # a full disk must not stop capture; say so once
            if self._written != "failed":
                log.warning("cannot write status file %s: %s", self.path, e)
            self._written = "failed"


@dataclass
class _Ctx:
    """What every link loop needs: where lines go, the status, the stop flag and the timings."""

    sink: _Sink
    status: _Status
    stop: threading.Event
    min_s: float
    max_s: float
    idle_s: float

    def event(self, source: str, kind: str, detail: str) -> None:
        """Journal a link_up / link_down event (flags=EVENT, JSON data) and show it in the status."""
        ns = time.time_ns()
        data = json.dumps({"event": kind, "source": source, "detail": detail}, ensure_ascii=False).encode()
        self.sink.put(source, [(data, EVENT)], ns, event=True)
        self.status.set_link(source, "up" if kind == "link_up" else "down", detail, ns)
        (log.info if kind == "link_up" else log.warning)("%s %s: %s", source, kind.replace("_", " "), detail)


class _Backoff:
    """Exponential delay between reconnect attempts, from min_s up to max_s."""

    def __init__(self, ctx: _Ctx):
        self.ctx, self.delay = ctx, ctx.min_s

    def wait(self) -> bool:
        """Sleep the current delay and double it; True if capture is stopping."""
        stopped, self.delay = self.ctx.stop.wait(self.delay), min(self.delay * 2, self.ctx.max_s)
        return stopped


class _Framer:
    """One link's unterminated rest. For a file link (at != None) each line's source also says where it
    ends in the file, "file:/path#INODE:ENDOFFSET", which is where a restarted capture resumes."""

    def __init__(self, link: Link, sink: _Sink):
        self.source, self.sink = link.source, sink
        self.rest = b""
        self.at = link.at   # (inode, file offset just past self.rest), or None for a stream

    def feed(self, chunk: bytes, at: tuple[int, int] | None, ns: int) -> None:
        """Journal the lines `chunk` completes; `at` is the link's position after it (files only)."""
        if at is not None and self.at is not None and (at[0], at[1] - len(chunk)) != self.at:
            self.flush(ns)   # rotated or truncated: the old file's tail is complete as it is
            self.at = (at[0], at[1] - len(chunk))
        if not chunk:
            return
        buf = self.rest + chunk
        lines, self.rest = split_lines(buf)
        self.at = at
        self._emit(lines, len(buf), ns)

    def flush(self, ns: int, idle: bool = False) -> None:
        """Journal the rest: all of it when the link ends, after silence (`idle`) only a trailing CR
        (a CR-only PBX: no LF is coming). A tail without CR is a line the PBX is still printing."""
        if self.rest and (not idle or self.rest.endswith(b"\r")):
            n = len(self.rest)
            lines, self.rest = split_lines(self.rest, final=True)
            self._emit(lines, n, ns)

    def _emit(self, lines: list, buflen: int, ns: int) -> None:
        if not lines:
            return
        if self.at is None:
            self.sink.put(self.source, [(d, 0 if ok else PARTIAL) for d, ok in lines], ns)
            return
        ino, off = self.at[0], self.at[1] - buflen
        for d, ok in lines:
            off += len(d)
            self.sink.put(f"{self.source}#{ino}:{off}", [(d, 0 if ok else PARTIAL)], ns)


def _pump(link: Link, framer: _Framer, stop: threading.Event, idle_s: float) -> str:
    """Journal what `link` sends until it drops or `stop` is set; return why it ended."""
    last = time.monotonic()
    try:
        while not stop.is_set():
            chunk = link.read(READ_TIMEOUT_S)
            ns = time.time_ns()
            framer.feed(chunk, link.at, ns)
            now = time.monotonic()
            if chunk:
                last = now
            elif now - last >= idle_s:
                framer.flush(ns, idle=True)
        return "capture stopped"
    except LinkDown as e:
        return str(e)
    finally:
        framer.flush(time.time_ns())
        link.close()


def _run_link(link: Link, ctx: _Ctx) -> tuple[int, int] | None:
    """link_up, journal until the link ends, link_down; return the file position reached (or None)."""
    ctx.event(link.source, "link_up", "connected")
    framer = _Framer(link, ctx.sink)
    ctx.event(link.source, "link_down", _pump(link, framer, ctx.stop, ctx.idle_s))
    return framer.at


def _open(opener, source: str, told: bool, backoff: _Backoff, ctx: _Ctx):
    """Call `opener` until it succeeds (the link) or capture stops (None), waiting `backoff` between
    attempts. One link_down event per outage (unless `told` already), not one per attempt."""
    while not ctx.stop.is_set():
        try:
            return opener()
        except LinkDown as e:
            if not told:
                ctx.event(source, "link_down", str(e))
                told = True
            log.debug("%s: %s; next attempt in %.2f s", source, e, backoff.delay)
        if backoff.wait():
            return None
    return None


def _follow(url: str, source: str, resume, ctx: _Ctx) -> None:
    """One link (serial, socket, file): open, journal, and reopen with backoff whenever it is lost."""
    backoff, told = _Backoff(ctx), False
    while (link := _open(lambda: transports.open_link(url, resume), source, told, backoff, ctx)) is not None:
        up_at, told = time.monotonic(), True
        resume = _run_link(link, ctx) or resume
        if time.monotonic() - up_at >= ctx.max_s:   # it was stable: reconnect quickly
            backoff.delay = ctx.min_s
        if backoff.wait():
            return


def _serve(url: str, source: str, ctx: _Ctx) -> None:
    """tcp-listen: accept PBX connections, one thread each; reopen the listener with backoff if it fails."""
    backoff, told = _Backoff(ctx), False
    threads: list[threading.Thread] = []
    try:
        while (listener := _open(lambda: transports.open_link(url), source, told, backoff, ctx)) is not None:
            backoff.delay, told = ctx.min_s, True
            ctx.event(source, "link_up", "listening")
            ctx.event(source, "link_down", _accept(listener, threads, ctx))
            if backoff.wait():
                return
    finally:
        for t in threads:
            t.join(timeout=2)


def _accept(listener, threads: list, ctx: _Ctx) -> str:
    try:
        while not ctx.stop.is_set():
            conn = listener.accept(READ_TIMEOUT_S)
            if conn is None:
                continue
            threads[:] = [t for t in threads if t.is_alive()]
            if len(threads) >= MAX_CONNECTIONS:
                log.warning("%s: refused, already %d connections", conn.source, len(threads))
                conn.close()
                continue
            t = threading.Thread(target=_run_link, args=(conn, ctx), name=f"capture {conn.source}", daemon=True)
            t.start()
            threads.append(t)
        return "capture stopped"
    except LinkDown as e:
        return str(e)
    finally:
        listener.close()


def resume_position(directory: Path, source: str) -> tuple[int, int] | None:
    """(inode, offset) of the newest journal entry of file link `source` ("file:/path"), newest segment
    first; None if the journal has none."""
    prefix = source + "#"
    for segno in reversed(journal_mod.segments(Path(directory))):
        last = None
        for e in journal_mod.read_from(Path(directory), (segno, 0)):
            if e.ref[0] != segno:
                break
            if e.source.startswith(prefix):
                last = e.source
        if last is not None:
            ino, _, off = last[len(prefix):].partition(":")
            if ino.isdigit() and off.isdigit():
                return int(ino), int(off)
    return None


def _keep(sink: _Sink, status: _Status, done: threading.Event) -> None:
    while not done.wait(STATUS_EVERY_S):
        sink.retry()
        status.write()


def run(url: str, journal: Journal, stop: threading.Event, *, reconnect_min_s: float = 1.0,
        reconnect_max_s: float = 30.0, idle_flush_s: float = 0.5, status_path: Path | None = None) -> None:
    """Capture `url` into `journal` (a JournalWriter) until `stop` is set; ValueError for a bad URL."""
    target = transports.parse_url(url)
    sink = _Sink(journal)
    status = _Status(url, Path(status_path) if status_path else None, sink)
    ctx = _Ctx(sink, status, stop, reconnect_min_s, max(reconnect_min_s, reconnect_max_s), idle_flush_s)
    resume = None
    if target.kind == "file" and getattr(journal, "directory", None) is not None:
        resume = resume_position(journal.directory, target.source)
    log.info("capture %s starting%s", target.source, f", resuming at {resume}" if resume else "")
    done = threading.Event()
    keeper = threading.Thread(target=_keep, args=(sink, status, done), name="capture-status", daemon=True)
    keeper.start()
    try:
        if target.kind == "tcp-listen":
            _serve(url, target.source, ctx)
        else:
            _follow(url, target.source, resume, ctx)
    finally:
        done.set()
        keeper.join()
        sink.retry(force=True)
        if sink.waiting:
            log.error("capture stopping with the journal still refusing writes: %d lines not saved", sink.waiting)
        status.write()
        log.info("capture %s stopped: %d lines, %d bytes journaled", target.source, sink.lines, sink.bytes)
