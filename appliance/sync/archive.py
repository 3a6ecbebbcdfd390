"""The branch's raw journal archived on its central ([sync] archive_journal; APP-1: the branch's flash can die).

Every sealed segment (all but the newest: a writer never appends to an older one) newer than the last the central
confirmed is uploaded, oldest first, in chunks from the offset the central says it holds (a cut link resumes there),
each chunk with the segment's SHA-256; the central checks it on the last chunk and answers "done" only once the
segment is stored whole (appliance/central/archive.py). Then the branch notes it (journal.set_archived), and only
then may the worker prune it (journal.prune's hold_from).
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from appliance import journal
from appliance.sync import link, wire

log = logging.getLogger(__name__)
CHUNK = 1 << 20


def pending(journal_dir: Path) -> list[int]:
    """The sealed segments not yet confirmed by the central, oldest first."""
    mark = journal.archived_through(journal_dir)
    return [s for s in journal.segments(Path(journal_dir))[:-1] if s > mark]


def upload(conn: link.Link, journal_dir: Path, chunk: int = CHUNK) -> int:
    """Upload the pending segments; how many the central confirmed now. LinkError when the link fails (what was
    confirmed stays noted; the segment under way resumes at the next cycle)."""
    journal_dir = Path(journal_dir)
    confirmed = 0
    for segno in pending(journal_dir):
        try:
            data = journal.segment_path(journal_dir, segno).read_bytes()
        except FileNotFoundError:       # pruned meanwhile (archive_journal switched on after it went)
            continue
        digest = hashlib.sha256(data).hexdigest()
        at = conn.request("GET", f"/sync/archive/{segno}")
        refused = 0
        while not at.get("done"):
            have = int(at.get("have", 0))
            if have > len(data):
                raise link.LinkError(f"the central holds {have} bytes of journal segment {segno}, which has "
                                     f"{len(data)}")
            piece = data[have:have + chunk]
            try:
                at = conn.request("POST", f"/sync/archive/{segno}", piece,
                                  {wire.H_OFFSET: str(have), wire.H_TOTAL: str(len(data)), wire.H_SEGMENT_SHA: digest,
                                   "Content-Type": "application/octet-stream", "Content-Length": str(len(piece))})
            except link.LinkError as e:
                # another offset than the central's (an answer lost after it stored a chunk): go on from its own;
                # anything else (a digest mismatch: the central discarded the segment) waits for the next cycle
                refused += 1
                if e.status != 409 or not isinstance(e.doc.get("have"), int) or refused > 3:
                    raise
                log.warning("sync: journal segment %d: %s; going on from there", segno, e)
                at = {"done": False, "have": e.doc["have"]}
        if at.get("sha256") != digest:
            raise link.LinkError(f"the central archived journal segment {segno} with another digest")
        journal.set_archived(journal_dir, segno)
        confirmed += 1
        log.info("sync: journal segment %d archived on the central (%d bytes)", segno, len(data))
    return confirmed
