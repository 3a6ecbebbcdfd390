"""The consolidated concurrency of a central's branch boxes from its quarter-hour roll-up (issue 18;
store/central_occupancy.py): `swept` answers the concurrency report's and busy hour's received part from a row per
quarter, `refresh` (the receiver, soon after batches) recomputes the quarters of the days batches changed.

A report is read from the roll-up when it can be exactly: every branch box's calls (a user who sees them all, no box
chosen), a direction or all but system (not a number class, trunk or trunk group), intervals of whole quarter hours
(local hours in any zone of a whole quarter hour), no call longer than the look-back within reach. An interval has
the most of its quarters' peaks and the sum of their line-seconds (summed in SQL per slot dividing every bound: an
hour for local hours in a zone of whole hours); the slots of days still dirty are computed from the calls
(received_traffic.swept over those slots). Otherwise the caller computes it from the calls.
SQLite or PostgreSQL ([central] database).
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Callable

from appliance.reports import concurrency as rc
from appliance.reports.concurrency import Traffic
from appliance.store.central_db import central_db as central_db_proxy
from appliance.store.central_db import connection, execute, transaction
from appliance.store.central_occupancy import COLUMNS, EVERY_DAY, LOOKBACK_S, QUARTER, CentralOccupancy, \
    CentralOccupancyDirty, rebuild_long_calls

CHUNK_CALLS = 10_000   # calls starting in the quarters one transaction recomputes, at most (or one quarter's): the
#                        receiver's batches wait for it on SQLite, so a bound by work, whatever the calls a day
#                        (10M calls in two years: 0.17 s of CPU a part, against 3.5 s for the 31 days it was)
Sweep = Callable[[tuple[list[str], list], list[int], Traffic], list[tuple[int, int]]]


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Sorted days as runs of consecutive days (first, last)."""
    out: list[tuple[int, int]] = []
    for d in days:
        if out and d == out[-1][1] + 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def _recompute(a: int, b: int) -> None:
    """The quarters [a, b) (whole quarters) from every received call up in them (long calls aside)."""
    spans: dict[str, list[tuple[int, int]]] = {col: [] for col in COLUMNS}
    for start, end, direction in execute(
            "SELECT start_utc, start_utc + ring_s + talk_s, direction FROM central_call WHERE start_utc >= ? AND "
            "start_utc < ? AND start_utc + ring_s + talk_s > ? AND ring_s + talk_s > 0 AND ring_s + talk_s <= ?",
            [a - LOOKBACK_S, b, a, LOOKBACK_S]):
        if direction in spans:
            spans[direction].append((start, end))
        if direction != "system":
            spans["any"].append((start, end))
    bounds = list(range(a, b + 1, QUARTER))
    swept = [rc.sweep(spans[col], bounds) for col in COLUMNS]
    rows = [(q, *(v for figures in swept for v in figures[i])) for i, q in enumerate(bounds[:-1])
            if any(figures[i][1] for figures in swept)]
    CentralOccupancy.delete().where(CentralOccupancy.start >= a, CentralOccupancy.start < b).execute()
    fields = [CentralOccupancy.start] + [getattr(CentralOccupancy, f"{k}_{col}") for col in COLUMNS
                                         for k in ("peak", "busy")]
    for lo in range(0, len(rows), 500):
        CentralOccupancy.insert_many(rows[lo:lo + 500], fields=fields).execute()


def _chunk_end(a: int, end: int, max_calls: int) -> int:
    """The end of the quarters from `a` whose calls one transaction sweeps: before the start of the call after the
    first `max_calls` starting from `a` (on the start_utc index: as cheap as those calls), at least a quarter."""
    after = execute("SELECT start_utc FROM central_call WHERE start_utc >= ? AND start_utc < ? ORDER BY start_utc "
                    "LIMIT 1 OFFSET ?", [a, end, max(1, max_calls)])
    if not after:
        return end
    return min(end, max(a + QUARTER, after[0][0] // QUARTER * QUARTER))


class _Run:
    """A run of consecutive dirty days being recomputed over several transactions: the dirty rows it clears at its
    end (read at its start: a batch's later notes stay for the next run), [cursor, end) still to do, and on which
    database (a process may open another)."""
    def __init__(self, where: str, rows: list[tuple[int, int]], cursor: int, end: int):
        self.where, self.rows, self.cursor, self.end = where, rows, cursor, end


_run: _Run | None = None


def _where() -> str:
    return str(getattr(central_db_proxy.obj, "database", "")) + str(id(central_db_proxy.obj))


def refresh(max_calls: int = CHUNK_CALLS) -> int:
    """Recompute, in one transaction, the quarters of the first run of dirty days (consecutive days) whose calls
    start in about `max_calls` (at least a quarter hour's); a run larger than that continues at the next call, from
    where this one stopped, and its dirty rows are cleared with its last part (until then the reports compute those
    days from the calls). Returns 0 when no day was dirty, else 1. Every day dirty (-1) is turned into each day of the
    received calls, and the long calls listed again. Only the dirty rows read at a run's start are cleared: a batch
    applied meanwhile leaves its own for a next run. The quarters are the same whatever the parts (each quarter from
    every call up in it)."""
    global _run
    with transaction():
        dirty = execute("SELECT id, day FROM central_occupancy_dirty ORDER BY day, id")
        if not dirty:
            _run = None
            return 0
        if dirty[0][1] == EVERY_DAY:
            _run = None
            CentralOccupancyDirty.delete().where(CentralOccupancyDirty.day == EVERY_DAY).execute()
            CentralOccupancy.delete().execute()
            rebuild_long_calls()
            lo, hi = execute("SELECT MIN(start_utc), MAX(start_utc) FROM central_call")[0]
            every = [(d,) for d in range(lo // 86400, hi // 86400 + 1)] if lo is not None else []
            for i in range(0, len(every), 500):
                CentralOccupancyDirty.insert_many(every[i:i + 500], fields=[CentralOccupancyDirty.day]).execute()
            return 1
        where, rows = _where(), [(int(i), int(d)) for i, d in dirty]
        run = _run
        if run is None or run.where != where or not set(run.rows) <= set(rows):
            first, last = _runs(sorted({d for _i, d in rows}))[0]
            run = _Run(where, [(i, d) for i, d in rows if first <= d <= last], first * 86400, (last + 2) * 86400)
        _run = None         # until this part is committed: a failed one is done again
        b = _chunk_end(run.cursor, run.end, max_calls)
        _recompute(run.cursor, b)
        if b >= run.end:
            ids = [i for i, _d in run.rows]
            for lo in range(0, len(ids), 500):
                CentralOccupancyDirty.delete().where(CentralOccupancyDirty.id.in_(ids[lo:lo + 500])).execute()
    if b < run.end:
        run.cursor, _run = b, run
    return 1


def swept(seen: tuple[list[str], list], bounds: list[int], traffic: Traffic,
          from_calls: Sweep) -> list[tuple[int, int]] | None:
    """concurrency.sweep's (most calls up at once, busy line-seconds) of the received calls in each [bounds[i],
    bounds[i + 1]) from the roll-up, the dirty days' quarters by `from_calls` (received_traffic.swept); None when the
    roll-up cannot answer exactly (the caller computes it from the calls)."""
    col = traffic.direction or "any"
    if (seen[0] or traffic.kind is not None or traffic.trunk is not None or traffic.group is not None
            or col not in COLUMNS or any(b % QUARTER for b in bounds)):
        return None
    b0, end = bounds[0], bounds[-1]
    with connection():
        dirty = sorted(d for d, in execute("SELECT DISTINCT day FROM central_occupancy_dirty WHERE day = ? OR "
                                           "(day >= ? AND day <= ?)", [EVERY_DAY, b0 // 86400 - 2, end // 86400]))
        if (dirty and dirty[0] == EVERY_DAY) or execute(
                "SELECT 1 FROM central_long_call WHERE start_utc >= ? AND start_utc < ? AND end_utc > ? LIMIT 1",
                [b0 - rc.LOOKBACK_S, end, b0]):
            return None
        # per slot dividing every bound (a multiple of the quarter, dividing a day: so are the dirty days' edges),
        # the dirty days' quarters left out: they come from the calls
        slot = math.gcd(*bounds, 86400)
        holes = [(a, b) for a, b in ((max(b0, first * 86400), min(end, (last + 2) * 86400))
                                     for first, last in _runs(dirty)) if a < b]
        skip = "".join(f" AND NOT (start >= {a} AND start < {b})" for a, b in holes)
        slots = {int(k) * slot: (int(p), int(b)) for k, p, b in execute(
            f"SELECT start / {slot}, MAX(peak_{col}), SUM(busy_{col}) FROM central_occupancy WHERE start >= ? AND "
            f"start < ?{skip} GROUP BY start / {slot}", [b0, end])}
    for a, b in holes:
        edges = list(range(a, b + 1, slot))
        slots.update(zip(edges, from_calls(seen, edges, traffic)))
    out = [(0, 0)] * (len(bounds) - 1)
    for at in sorted(slots):
        i = bisect.bisect_right(bounds, at) - 1
        peak, busy = out[i]
        out[i] = (max(peak, slots[at][0]), busy + slots[at][1])
    return out
