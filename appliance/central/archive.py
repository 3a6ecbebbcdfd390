"""The central's archive of its branches' raw journals ([sync] archive_journal on a branch; APP-1: the branch's
flash can die). Each sealed journal segment of a branch is stored as it was on the branch, byte for byte, under
<data>/central/archive/<branch>/NNNNNNNNNN.seg.

Uploaded in chunks, in order, each at the offset the central says it has (`state`), so a cut link resumes where
the last whole chunk ended; the segment's SHA-256 (sent with every chunk) is checked when the last chunk arrives,
and only then is the segment renamed into place and confirmed: the branch prunes a segment only after that
answer. A chunk at another offset, past the segment's size, or a segment whose digest does not match is refused
with the reason (a mismatch also discards what was received of it, so it is sent again whole).
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from appliance.central.branches import NAME

CHUNK_MAX = 4 << 20          # a chunk larger than this is refused before it is read
_lock = threading.Lock()     # the receiver's threads: one chunk written at a time


class ArchiveRefused(ValueError):
    """A chunk not stored: `status` the HTTP status, the message the reason, `have` the bytes held."""

    def __init__(self, status: int, reason: str, have: int = 0):
        super().__init__(reason)
        self.status, self.have = status, have


def folder(data_dir: Path, branch: str) -> Path:
    if not NAME.match(branch):
        raise ArchiveRefused(400, f"branch name {branch!r}")
    return Path(data_dir) / "central" / "archive" / branch


def _paths(data_dir: Path, branch: str, segno: int) -> tuple[Path, Path]:
    if not 0 <= segno < 10 ** 10:
        raise ArchiveRefused(400, f"segment number {segno}")
    final = folder(data_dir, branch) / f"{segno:010d}.seg"
    return final, final.with_name(final.name + ".part")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def state(data_dir: Path, branch: str, segno: int) -> dict:
    """{"segno", "have": bytes held, "done": the whole segment is archived, "sha256": its digest when done}."""
    final, part = _paths(data_dir, branch, segno)
    if final.exists():
        return {"segno": segno, "have": final.stat().st_size, "done": True, "sha256": _sha256(final)}
    return {"segno": segno, "have": part.stat().st_size if part.exists() else 0, "done": False, "sha256": ""}


def receive(data_dir: Path, branch: str, segno: int, offset: int, total: int, digest: str, chunk: bytes) -> dict:
    """Store `chunk` of segment `segno` at `offset` (of `total` bytes, SHA-256 `digest`); the state after it."""
    final, part = _paths(data_dir, branch, segno)
    with _lock:
        if final.exists():
            if final.stat().st_size == total and _sha256(final) == digest:
                return state(data_dir, branch, segno)      # a resend of the last chunk: already confirmed
            raise ArchiveRefused(409, f"segment {segno} is archived already with other content",
                                 final.stat().st_size)
        have = part.stat().st_size if part.exists() else 0
        if offset != have:
            raise ArchiveRefused(409, f"segment {segno}: chunk at {offset}, the central has {have} bytes", have)
        if offset + len(chunk) > total:
            raise ArchiveRefused(400, f"segment {segno}: chunk past its size {total}", have)
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "ab") as f:
            f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        if offset + len(chunk) < total:
            return {"segno": segno, "have": offset + len(chunk), "done": False, "sha256": ""}
        if _sha256(part) != digest:
            part.unlink()
            raise ArchiveRefused(400, f"segment {segno}: its SHA-256 does not match: discarded, send it again")
        os.replace(part, final)
        fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(fd)        # the rename is durable before the branch hears "done" and may prune
        finally:
            os.close(fd)
    return {"segno": segno, "have": total, "done": True, "sha256": digest}


def archived(data_dir: Path, branch: str) -> tuple[int, int]:
    """(segments, bytes) archived for `branch`."""
    try:
        files = [p for p in folder(data_dir, branch).iterdir() if p.name.endswith(".seg")]
    except FileNotFoundError:
        return 0, 0
    return len(files), sum(p.stat().st_size for p in files)
