"""Re-derive calls from the journal: delete what a range of entries produced and parse them again.

Everything happens in one transaction, so a crash leaves the old rows, and running it twice changes
nothing. Only entries the worker has already processed are touched; the rest it will do itself.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from appliance import journal, store
from appliance.callcentre import journeys
from appliance.ingest import parse, summary
from appliance.store import rollups
from appliance.store.billing import PeriodError, frozen

log = logging.getLogger(__name__)
# Deleted before the entries are parsed again: a leg re-derived is then no duplicate of itself (parse.py), and an
# entry that repeated a leg outside the range still does
TABLES = ("leg", "queue_event", "quarantine", "link_event", "duplicate")


def _entries(journal_dir: Path, since_ns: int | None, until_ns: int | None, stop_at: tuple[int, int]):
    """The processed entries from the first to the last one received in [since_ns, until_ns)."""
    start = (0, 0)
    if since_ns is not None:   # a segment last written before `since` cannot hold a later entry
        for segno in journal.segments(journal_dir):
            if os.stat(journal.segment_path(journal_dir, segno)).st_mtime_ns >= since_ns:
                start = (segno, 0)
                break
        else:
            return []
    run: list = []
    found = 0
    for e in journal.read_from(journal_dir, start):
        if e.ref >= stop_at:
            break
        inside = (since_ns is None or e.received_ns >= since_ns) and (until_ns is None or e.received_ns < until_ns)
        if inside or run:
            run.append(e)
        if inside:
            found = len(run)
    return run[:found]


def _delete_range(first: tuple[int, int], last: tuple[int, int]) -> set[int]:
    """Delete the rows the entries first..last produced; return the calls that lost legs."""
    where = "id BETWEEN ? AND ?"
    args = (parse.ref_id(first), parse.ref_id(last))
    calls = {r[0] for r in store.db.execute_sql(f"SELECT DISTINCT call_id FROM leg WHERE {where}", args)}
    for table in TABLES:
        store.db.execute_sql(f"DELETE FROM {table} WHERE {where}", args)
    return calls


def _refuse_billed(first: tuple[int, int], last: tuple[int, int], pbx_tenant: str) -> None:
    """Re-deriving calls prices them again: refuse when some lie in billed periods (appliance/billing/billed.py)."""
    legs = store.Leg.select(store.Leg.call_id).where(store.Leg.id.between(parse.ref_id(first), parse.ref_id(last)))
    hit = frozen(store.Call.select().where(store.Call.id.in_(legs)), pbx_tenant)
    if hit.calls:
        raise PeriodError(f"{hit.calls} calls of this range lie in billed periods ({', '.join(hit.periods)}); "
                          "reopen the periods or force it")


def reprocess(journal_dir: Path, processor: parse.Processor, since_ns: int | None = None,
              until_ns: int | None = None, batch: int = 5000, force: bool = False) -> dict[str, int]:
    """Replace the rows of the entries received in [since_ns, until_ns) with freshly parsed ones; refused
    (PeriodError) when they produced calls in billed periods, unless `force`."""
    counts = {"lines": 0, "calls_before": 0, "calls_after": 0}
    with store.db.atomic():
        entries = _entries(journal_dir, since_ns, until_ns, parse.cursor())
        if not entries:
            return counts
        first, last = entries[0].ref, entries[-1].ref
        if not force:
            _refuse_billed(first, last, processor.tenant)
        counts["calls_before"] = store.Call.select().count()
        rollups.mark_refs(parse.ref_id(first), parse.ref_id(last))   # the old rows' days, before they go
        callers = store.db.execute_sql("SELECT DISTINCT driver, call_key FROM queue_event WHERE id BETWEEN ? AND ? "
                                       "AND call_key != ''", (parse.ref_id(first), parse.ref_id(last))).fetchall()
        for call_id in _delete_range(first, last):
            summary.recompute(call_id, processor.segments, processor.pricer)
        processor.reload()
        for i in range(0, len(entries), batch):
            lines, _ = processor.process(entries[i:i + batch], advance=False)
            counts["lines"] += lines
        counts["calls_after"] = store.Call.select().count()
        for driver in {d for d, _ in callers}:   # queue calls whose events went: rebuilt from what is left
            journeys.refresh(driver, [k for d, k in callers if d == driver])
        rollups.after_reprocess(parse.ref_id(first), parse.ref_id(last))
    log.info("reprocessed journal %s..%s: %d lines", f"{first[0]}:{first[1]}", f"{last[0]}:{last[1]}",
             counts["lines"])
    return counts
