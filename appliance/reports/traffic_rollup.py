"""The roll-ups of the missed-calls and concurrency reports (appliance/reports/offers.py, occupancy.py): rebuilt
with the cubes for every dirty local day (rollup._rebuild_days calls `rebuild_days`, same transaction), and built
once over the stored days of a database whose cubes existed before them (`build_some`, from the worker's idle
refresh, oldest day first; state `traffic_upto`: the first local day not built yet, "done" when all are)."""
from __future__ import annotations

import logging

from appliance import store
from appliance.store.traffic_rollups import TABLES

log = logging.getLogger(__name__)
STATE = "traffic_upto"
DONE = "done"
BUILD_DAYS = 14   # days one idle build step does at most
CHUNK_DAYS = 31   # local days one rebuild reads at once


def rebuild_days(first: int, last: int) -> None:
    """Replace both roll-ups' rows of local days first..last (inside the caller's transaction)."""
    from appliance.reports import occupancy, offers   # noqa: PLC0415 (they read rollup, which calls this)
    for i in range(first, last + 1, CHUNK_DAYS):
        lo, hi = i, min(last, i + CHUNK_DAYS - 1)
        offers.rebuild_days(lo, hi)
        occupancy.rebuild_days(lo, hi)


def _state() -> str | None:
    row = store.db.execute_sql("SELECT value FROM rollup_state WHERE key = ?", (STATE,)).fetchone()
    return row[0] if row else None


def _set(value: str) -> None:
    store.db.execute_sql("INSERT OR REPLACE INTO rollup_state (key, value) VALUES (?, ?)", (STATE, value))


def built() -> bool:
    return _state() == DONE


def mark_built() -> None:
    """Every day is rebuilt from here on anyway (the cubes' build from scratch marks them all dirty)."""
    from appliance.reports import offers   # noqa: PLC0415 (it reads rollup, which imports this)
    _set(DONE)
    offers.mark_scoped()


def clear() -> None:
    """Empty both roll-ups (a rebuild of the cubes builds them again)."""
    from appliance.reports import offers   # noqa: PLC0415 (it reads rollup, which imports this)
    for t in TABLES:
        store.db.execute_sql(f"DELETE FROM {t}")
    offers.mark_scoped()   # every offer from here on is stored with its call's extension


def progress() -> int:
    """Percent of the stored days built (100 once built)."""
    state = _state()
    if state == DONE:
        return 100
    lo, hi = store.db.execute_sql("SELECT MIN(start_utc), MAX(start_utc) FROM call").fetchone()
    if lo is None or state is None:
        return 0
    first, last = lo // 86400 - 1, hi // 86400 + 1
    return max(0, min(99, 100 * (int(state) - first) // (last - first + 1)))


def build_some(limit_days: int | None = BUILD_DAYS) -> int:
    """Build the next `limit_days` local days (None: all that are left) on a database built before these
    roll-ups; returns how many were built (0: done). One transaction a step."""
    from appliance.reports import offers   # noqa: PLC0415 (it reads rollup, which imports this)
    summed = 0
    if not offers.months_summed():   # a database rolled up before the month sums of the offers: once
        with store.db.atomic(store.IMMEDIATE):   # reads, then writes (store/base.py)
            offers.sum_every_month()
        summed = 1
    if not offers.scoped():   # offers stored before they carried their call's extension: built again, oldest first
        with store.db.atomic(store.IMMEDIATE):
            if store.db.execute_sql("SELECT 1 FROM rollup_offer LIMIT 1").fetchone() is not None:
                store.db.execute_sql("DELETE FROM rollup_state WHERE key = ?", (STATE,))
                log.info("roll-ups: the missed-calls and concurrency roll-ups are built again (their call's extension)")
            offers.mark_scoped()
    state = _state()
    if state == DONE:
        return summed
    with store.db.atomic(store.IMMEDIATE):   # reads, then writes (store/base.py)
        lo, hi = store.db.execute_sql("SELECT MIN(start_utc), MAX(start_utc) FROM call").fetchone()
        if lo is None:
            _set(DONE)
            return 0
        first = lo // 86400 - 1 if state is None else int(state)   # a local day lies within a day of the UTC one
        if state is None:
            clear()
        end = hi // 86400 + 2
        stop = end if limit_days is None else min(end, first + limit_days)
        if stop > first:
            rebuild_days(first, stop - 1)
        _set(DONE if stop >= end else str(stop))
    return max(1, stop - first)
