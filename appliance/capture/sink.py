"""Where capture's bytes go: framing into journal entries, the journal front (Sink), the status file, and
where a followed file resumes (resume_position).

Framing is chosen per PBX family: "lines" (CR / LF, framing.split_lines) or "le32" (4-byte little-endian
length prefix, framing.split_le32). Either way each entry is exactly the bytes received.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from appliance import files
from appliance import journal as journal_mod
from appliance.capture.framing import split_le32, split_lines
from appliance.capture.transports import Link
from appliance.records import PARTIAL

log = logging.getLogger(__name__)

RETRY_S = 1.0            # retry a refused journal write this often
MAX_STATUS_LINKS = 32
HEARTBEAT_S = 5.0        # must stay well under webui.status.STALE_S (10 s)
FRAMINGS = {"lines": split_lines, "le32": split_le32}


class Journal(Protocol):
    """What capture needs of the journal: a JournalWriter (or, in a test, a wrapper around one)."""

    directory: Path

    def append_many(self, items: Iterable[tuple[bytes, int]], source: str,
                    received_ns: int | None = None) -> list[tuple[int, int]]: ...


def _iso(ns: int | None) -> str | None:
    return None if ns is None else datetime.fromtimestamp(ns / 1e9, timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


class Sink:
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


class Status:
    """The small JSON file the web status page reads; rewritten atomically, at most once a second, and at
    least every HEARTBEAT_S while capture runs, so a quiet PBX (the night) is not taken for a dead capture."""

    def __init__(self, url: str, path: Path | None, sink: Sink):
        self.url, self.path, self.sink = url, path, sink
        self.links: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._written: dict | str | None = None
        self._written_at = 0.0
        self.extra: dict = {}   # tcp-listen: the listener's connections, refused and dropped counts

    def set_link(self, source: str, state: str, detail: str, ns: int, text: tuple[str, dict] | None = None) -> None:
        """A link's state now; `text`: the detail's key and fields (links.TEXTS), for the web to say them."""
        with self._lock:
            self.links.pop(source, None)
            self.links[source] = {"state": state, "since": _iso(ns), "detail": detail,
                                  **({"text": {"key": text[0], "fields": text[1]}} if text else {})}
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
            if self.extra:
                doc["listener"] = dict(self.extra)
        if doc == self._written and time.monotonic() - self._written_at < HEARTBEAT_S:
            return
        try:
            files.replace(self.path, json.dumps(doc, ensure_ascii=False, indent=1), durable=False)
            self._written, self._written_at = doc, time.monotonic()
        except OSError as e:   # a full disk must not stop capture; say so once
            if self._written != "failed":
                log.warning("cannot write status file %s: %s", self.path, e)
            self._written = "failed"


class Framer:
    """One link's unframed rest. For a file link (at != None) each entry's source also says where it
    ends in the file, "file:/path#INODE:ENDOFFSET", which is where a restarted capture resumes."""

    def __init__(self, link: Link, sink: Sink, framing: str = "lines"):
        self.source, self.sink = link.source, sink
        self.framing, self.split = framing, FRAMINGS[framing]
        self.received = 0   # bytes fed so far
        self.rest = b""
        self.at = link.at   # (inode, file offset just past self.rest), or None for a stream

    def feed(self, chunk: bytes, at: tuple[int, int] | None, ns: int) -> None:
        """Journal the entries `chunk` completes; `at` is the link's position after it (files only)."""
        if at is not None and self.at is not None and (at[0], at[1] - len(chunk)) != self.at:
            self.flush(ns)   # rotated or truncated: the old file's tail is complete as it is
            self.at = (at[0], at[1] - len(chunk))
        if not chunk:
            return
        self.received += len(chunk)
        buf = self.rest + chunk
        lines, self.rest = self.split(buf)
        self.at = at
        self._emit(lines, len(buf), ns)

    def flush(self, ns: int, idle: bool = False) -> None:
        """Journal the rest: all of it when the link ends, after silence (`idle`) only a trailing CR
        (a CR-only PBX: no LF is coming). A tail without CR is a line the PBX is still printing; an
        le32 tail is a frame still arriving (its length said more is coming), so idle never cuts it."""
        if self.rest and (not idle or (self.framing == "lines" and self.rest.endswith(b"\r"))):
            n = len(self.rest)
            lines, self.rest = self.split(self.rest, final=True)
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
