"""`callbox import`: append files' lines to the journal exactly as a capture would, then process them."""
from __future__ import annotations

from pathlib import Path

from appliance import store
from appliance.capture.framing import split_lines
from appliance.config import Config
from appliance.ingest.parse import Processor, paused_gc, ref_id
from appliance.ingest.worker import process_all
from appliance.journal import JournalWriter
from appliance.paths import Paths
from appliance.records import PARTIAL

CHUNK = 1 << 20


def journal_file(writer: JournalWriter, path: Path) -> tuple[tuple[int, int] | None, tuple[int, int] | None, int]:
    """Journal every line of `path`; return (first ref, last ref, lines)."""
    first = last = None
    count = 0
    source = f"import:{path.resolve()}"
    with open(path, "rb") as f:
        rest = b""
        while True:
            chunk = f.read(CHUNK)
            with paused_gc():   # a chunk's lines and their references: thousands of acyclic tuples
                lines, rest = split_lines(rest + chunk, final=not chunk)
                refs = writer.append_many([(line, 0 if complete else PARTIAL) for line, complete in lines],
                                          source) if lines else []
            if refs:
                first = first or refs[0]
                last = refs[-1]
                count += len(refs)
            if not chunk:
                return first, last, count


def import_files(paths: Paths, cfg: Config, processor: Processor, files: list[Path]) -> dict[str, int]:
    """Journal and process `files`; count what their lines produced."""
    jset = cfg.section("journal")
    first = last = None
    lines = 0
    with JournalWriter(paths.journal, fsync_interval=jset.fsync_interval_ms / 1000,
                       segment_bytes=jset.segment_mb << 20) as writer:
        for path in files:
            f0, f1, n = journal_file(writer, path)
            first, last, lines = first or f0, f1 or last, lines + n
    process_all(paths, processor, cfg.section("worker").batch_lines)
    # duplicates: lines whose record was already stored (the same file imported again, a re-sent buffer); they
    # stay in the journal and make no leg (appliance/ingest/parse.py)
    result = {"lines": lines, "calls": 0, "legs": 0, "quarantined": 0, "queue_events": 0, "duplicates": 0}
    if first is not None and last is not None:
        where = "id BETWEEN ? AND ?"
        args = (ref_id(first), ref_id(last))
        q = store.db.execute_sql
        result["legs"], result["calls"] = q(f"SELECT COUNT(*), COUNT(DISTINCT call_id) FROM leg WHERE {where}",
                                            args).fetchone()
        result["quarantined"] = q(f"SELECT COUNT(*) FROM quarantine WHERE {where}", args).fetchone()[0]
        result["queue_events"] = q(f"SELECT COUNT(*) FROM queue_event WHERE {where}", args).fetchone()[0]
        result["duplicates"] = q(f"SELECT COUNT(*) FROM duplicate WHERE {where}", args).fetchone()[0]
    return result
