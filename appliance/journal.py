"""Append-only raw journal on flash: every received line, exact bytes, checksummed, before anything else.

Layout: `<dir>/NNNNNNNNNN.seg` segment files. Each entry is a fixed header followed by the source name
and the data bytes:

    magic "CJ" | flags u16 | source length u16 | data length u32 | received ns i64 | crc32 u32

The CRC covers the header (crc field excluded), the source and the data. A reference to an entry is
(segment number, byte offset); the parse stage's cursor is the reference of the next entry to read.

Every writer start opens a fresh segment, so an entry reference is never reused: after a power loss that
cut the tail of a segment, a cursor that pointed past the cut simply moves on to the next segment.
"""
from __future__ import annotations

import fcntl
import logging
import os
import struct
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from appliance import files
from appliance.records import Entry

log = logging.getLogger(__name__)

HEADER = struct.Struct("<2sHHIqI")
MAGIC = b"CJ"
SUFFIX = ".seg"
MAX_DATA = 16 << 20   # a bigger length field can only be corruption
WINDOW = 1 << 20      # bytes read_from reads at a time


class JournalBusy(RuntimeError):
    """Another process holds the journal open for writing."""


def segment_path(directory: Path, segno: int) -> Path:
    return directory / f"{segno:010d}{SUFFIX}"


def segments(directory: Path) -> list[int]:
    """Segment numbers present, oldest first."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    return sorted(int(n[:-len(SUFFIX)]) for n in names if n.endswith(SUFFIX) and n[:-len(SUFFIX)].isdigit())


def _decode_at(buf: bytes, pos: int) -> tuple[int, int, int, int, int] | None:
    """(flags, source_len, data_len, received_ns, end) of a valid entry at pos, or None."""
    if pos + HEADER.size > len(buf):
        return None
    magic, flags, slen, dlen, rns, crc = HEADER.unpack_from(buf, pos)
    end = pos + HEADER.size + slen + dlen
    if magic != MAGIC or dlen > MAX_DATA or end > len(buf):
        return None
    mv = memoryview(buf)
    c = zlib.crc32(mv[pos + HEADER.size:end], zlib.crc32(mv[pos:pos + HEADER.size - 4]))
    if c != crc:
        return None
    return flags, slen, dlen, rns, end


def _valid_end(buf: bytes) -> int:
    """Offset just past the last entry of the unbroken run of valid entries from offset 0."""
    pos = 0
    while (d := _decode_at(buf, pos)) is not None:
        pos = d[4]
    return pos


def _resync(buf: bytes, pos: int) -> int:
    """Offset of the next valid entry after a damaged one, or len(buf)."""
    pos = buf.find(MAGIC, pos + 1)
    while pos >= 0:
        if _decode_at(buf, pos) is not None:
            return pos
        pos = buf.find(MAGIC, pos + 1)
    return len(buf)


def read_at(directory: Path, ref: tuple[int, int]) -> Entry | None:
    """The entry at `ref`, or None if it is gone (pruned) or damaged."""
    try:
        with open(segment_path(Path(directory), ref[0]), "rb") as f:
            f.seek(ref[1])
            head = f.read(HEADER.size)
            if len(head) < HEADER.size:
                return None
            _, _, slen, dlen, _, _ = HEADER.unpack(head)
            buf = head + f.read(slen + min(dlen, MAX_DATA))
    except FileNotFoundError:
        return None
    d = _decode_at(buf, 0)
    if d is None:
        return None
    flags, slen, dlen, rns, end = d
    return Entry(ref, rns, buf[HEADER.size:HEADER.size + slen].decode("utf-8", "replace"),
                 buf[HEADER.size + slen:end], flags, end)


def read_from(directory: Path, cursor: tuple[int, int], limit: int | None = None) -> Iterator[Entry]:
    """Yield entries from `cursor` (a (segment, offset) reference) to the current end of the journal.

    An incomplete entry at the end of the newest segment is being written: reading stops before it.
    Damage elsewhere (bit rot, a torn tail left by a power cut) is skipped with a log line.
    """
    directory = Path(directory)
    segs = [s for s in segments(directory) if s >= cursor[0]]
    count = 0
    limit = -1 if limit is None else limit
    # The hot loop of every import and of the worker: kept flat, one generator, no slice per entry but its data
    unpack, hsize, crc32 = HEADER.unpack_from, HEADER.size, zlib.crc32
    src_bytes, source = b"", ""   # the last source (a journal holds few): compared in place, decoded once
    for i, segno in enumerate(segs):
        last = i == len(segs) - 1
        try:
            f = open(segment_path(directory, segno), "rb")
        except FileNotFoundError:   # pruned meanwhile
            continue
        with f:
            base, window = (cursor[1] if segno == cursor[0] else 0), WINDOW
            while True:    # a window at a time: a batch of a few thousand lines reads ~1 MiB, not the segment
                f.seek(base)
                buf = f.read(window)
                n, final, mv = len(buf), len(buf) < window, memoryview(buf)
                pos, more = 0, None
                while pos < n:
                    if pos + hsize <= n:
                        magic, flags, slen, dlen, rns, crc = unpack(buf, pos)
                        s0 = pos + hsize
                        d0 = s0 + slen
                        end = d0 + dlen
                        if (magic == MAGIC and dlen <= MAX_DATA and end <= n
                                and crc32(mv[s0:end], crc32(mv[pos:s0 - 4])) == crc):
                            if slen != len(src_bytes) or not buf.startswith(src_bytes, s0):
                                src_bytes = buf[s0:d0]
                                source = src_bytes.decode("utf-8", "replace")
                            yield Entry((segno, base + pos), rns, source, buf[d0:end], flags, end - pos)
                            count += 1
                            if count == limit:
                                return
                            pos = end
                            continue
                    if not final:   # the window ends inside an entry (or damage): read on from there
                        more = pos
                        break
                    if last:   # damage in the newest segment: an entry being written, or a torn tail
                        return
                    nxt = _resync(buf, pos)
                    log.warning("journal segment %d: skipped %d damaged bytes at offset %d", segno, nxt - pos,
                                base + pos)
                    pos = nxt
                if more is None:
                    if final:
                        break
                    more = n
                if more == 0:   # an entry (or damage) longer than the window: read more at once
                    window *= 2
                base += more


def tail(directory: Path, count: int, skip_flags: int = 0) -> list[Entry]:
    """The last `count` entries (without those having any of `skip_flags`), oldest first; reads only the
    newest segments it needs."""
    directory = Path(directory)
    out: list[Entry] = []
    for segno in reversed(segments(directory)):
        found = [e for e in read_from(directory, (segno, 0)) if e.ref[0] == segno and not e.flags & skip_flags]
        out = found[-(count - len(out)):] + out if found else out
        if len(out) >= count:
            break
    return out[-count:] if count else []


def end_cursor(directory: Path) -> tuple[int, int]:
    """The reference just past the last byte of the newest segment (where a new reader would start)."""
    segs = segments(Path(directory))
    if not segs:
        return (0, 0)
    return (segs[-1], segment_path(Path(directory), segs[-1]).stat().st_size)


def usage(directory: Path) -> tuple[int, int]:
    """(number of segments, total bytes)."""
    count = size = 0
    for segno in segments(Path(directory)):
        try:
            size += segment_path(Path(directory), segno).stat().st_size
            count += 1
        except FileNotFoundError:   # pruned meanwhile
            pass
    return count, size


ARCHIVED = "archived"     # <dir>/archived: the newest segment the central confirmed it holds ([sync] archive_journal)


def archived_through(directory: Path) -> int:
    """The newest segment number a branch's central confirmed it archived (every sealed one before it too); 0."""
    try:
        text = (Path(directory) / ARCHIVED).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return 0
    return int(text) if text.isdigit() else 0


def set_archived(directory: Path, segno: int) -> None:
    """Note that the central confirmed segment `segno` (atomically: a crash leaves the old mark or the new)."""
    files.replace(Path(directory) / ARCHIVED, f"{segno}\n")


def prune(directory: Path, processed: tuple[int, int], max_age_s: float, max_bytes: int,
          now: float | None = None, hold_from: int | None = None) -> list[int]:
    """Delete the oldest segments that are too old or over the size budget, never one the parse stage
    has not finished (at or after the `processed` cursor's segment), nor one at or after `hold_from` (a branch
    archiving its journal on its central: the segments the central has not confirmed). Returns the deleted
    numbers."""
    directory = Path(directory)
    now = time.time() if now is None else now
    segs = segments(directory)
    sizes = {s: segment_path(directory, s).stat().st_size for s in segs}
    total = sum(sizes.values())
    deleted = []
    for segno in segs[:-1]:
        if segno >= processed[0] or (hold_from is not None and segno >= hold_from):
            break
        path = segment_path(directory, segno)
        too_old = now - path.stat().st_mtime > max_age_s
        if not (too_old or total > max_bytes):
            break
        path.unlink()
        total -= sizes[segno]
        deleted.append(segno)
    if deleted:
        log.info("journal: pruned segments %d..%d (%d left, %d bytes)", deleted[0], deleted[-1],
                 len(segs) - len(deleted), total)
    return deleted


class JournalWriter:
    """The one writer of a journal directory (an exclusive lock file enforces it).

    `append` writes through to the OS at once, so the parse stage sees the line immediately; a
    background thread fsyncs at most `fsync_interval` seconds after a write (group commit), which
    bounds what a power cut can take to that window.
    """

    def __init__(self, directory: Path, fsync_interval: float = 0.1, segment_bytes: int = 16 << 20):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.fsync_interval = fsync_interval
        self.segment_bytes = segment_bytes
        self._lockf = open(self.directory / ".lock", "a+")
        try:
            fcntl.flock(self._lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lockf.close()
            raise JournalBusy(f"journal {self.directory} is in use by another capture or import process") from None
        self._lock = threading.Lock()
        self._dirty = False
        self._closed = threading.Event()
        segs = segments(self.directory)
        if segs:
            self._repair(segs[-1])
        self._open_segment((segs[-1] + 1) if segs else 1)
        self._syncer = threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True)
        self._syncer.start()

    def _repair(self, segno: int) -> None:
        path = segment_path(self.directory, segno)
        buf = path.read_bytes()
        end = _valid_end(buf)
        if end < len(buf):
            with open(path, "r+b") as f:
                f.truncate(end)
                os.fsync(f.fileno())
            log.warning("journal: torn tail in segment %d: cut %d bytes after the last valid entry at offset %d",
                        segno, len(buf) - end, end)

    def _open_segment(self, segno: int) -> None:
        self.segno = segno
        self._fd = os.open(segment_path(self.directory, segno), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._size = os.fstat(self._fd).st_size
        dfd = os.open(self.directory, os.O_RDONLY)   # make the new file's name durable too
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def append(self, data: bytes, source: str, flags: int = 0, received_ns: int | None = None) -> tuple[int, int]:
        """Journal one line (terminator included) and return its reference."""
        return self.append_many([(data, flags)], source, received_ns)[0]

    def append_many(self, items: Iterable[tuple[bytes, int]], source: str,
                    received_ns: int | None = None) -> list[tuple[int, int]]:
        """Journal several lines from one source in one write; return their references."""
        rns = time.time_ns() if received_ns is None else received_ns
        src = source.encode("utf-8")
        with self._lock:
            if self._size >= self.segment_bytes:
                self._rotate()
            refs: list[tuple[int, int]] = []
            chunks: list[bytes] = []
            pos, segno = self._size, self.segno
            pack, crc32, slen = HEADER.pack, zlib.crc32, len(src)
            # Within one call only flags and length vary: lines of the same length share a header and the
            # CRC of header + source, which is then carried on over the data.
            heads: dict[tuple[int, int], tuple[bytes, int]] = {}
            for data, flags in items:
                dlen = len(data)
                cached = heads.get((flags, dlen))
                if cached is None:
                    head = pack(MAGIC, flags, slen, dlen, rns, 0)[:-4]
                    cached = heads[flags, dlen] = head, crc32(src, crc32(head))
                head, crc = cached
                refs.append((segno, pos))
                chunks += (head, crc32(data, crc).to_bytes(4, "little"), src, data)
                pos += HEADER.size + slen + dlen
            buf = b"".join(chunks)
            written = 0
            try:
                while written < len(buf):   # os.write may be partial on a nearly full disk
                    written += os.write(self._fd, buf[written:])
            except OSError:   # disk full: leave no half entry behind; the caller keeps the lines and retries
                os.ftruncate(self._fd, self._size)
                raise
            self._size = pos
            self._dirty = True
        return refs

    def _rotate(self) -> None:
        os.fsync(self._fd)
        os.close(self._fd)
        self._dirty = False
        self._open_segment(self.segno + 1)

    def sync(self) -> None:
        """fsync now if anything was written since the last fsync."""
        with self._lock:
            if self._dirty and self._fd >= 0:
                os.fsync(self._fd)
                self._dirty = False

    def _sync_loop(self) -> None:
        while not self._closed.wait(self.fsync_interval):
            try:
                self.sync()
            except OSError:
                log.exception("journal: fsync failed")

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._syncer.join()
        self.sync()
        with self._lock:
            os.close(self._fd)
            self._fd = -1
        self._lockf.close()

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
