"""The concurrency report from its roll-ups (issue 14): `rollup_occupancy` holds per UTC minute the most calls up
at once and the occupied line-seconds of every tenant's calls, for each direction and for all but "system"
(appliance/reports/concurrency.py's rule); `rollup_occupancy_quarter` the same per quarter hour. An interval made
of whole minutes (quarters) has the most of its minutes' peaks and the sum of their line-seconds, so any local
step of the report is summed exactly from them.

A minute depends on the calls of the local days around it: when a day is rolled up again (dirty), every minute its
calls can reach, [day - 18 h, day + 1 + 18 h + look-back), is recomputed from the call table; a report reads the
minutes of dirty days' reach from the calls, the rest from the roll-up. Calls longer than the look-back (a day,
which the report counts only when they began less than a day before its range) are kept out of the rows and
listed in `rollup_long_call`: a range near one reads the calls. So do scopes that do not see the whole box, a
traffic type narrower than a direction (number class, trunk, trunk group) and bounds off the minute."""
from __future__ import annotations

import bisect

from appliance import store
from appliance.access import scope
from appliance.access.users import Account
from appliance.reports import concurrency as rc
from appliance.reports.dims import BASE_SQL
from appliance.store.traffic_rollups import DIRECTION_COLUMNS

MARGIN = 18 * 3600   # a local day's calls start within 18 h of its UTC day


def reach(day: int) -> tuple[int, int]:
    """The minutes [start, end) the calls of local day `day` can occupy (long calls aside)."""
    return day * 86400 - MARGIN, (day + 1) * 86400 + MARGIN + rc.LOOKBACK_S


def rebuild_days(first: int, last: int) -> None:
    """Recompute the minutes and quarters every call of local days first..last can reach, and their long calls."""
    day = BASE_SQL["day"]
    store.db.execute_sql("DELETE FROM rollup_long_call WHERE day BETWEEN ? AND ?", (first, last))
    store.db.execute_sql(
        f"INSERT INTO rollup_long_call (day, start_utc, end_utc) SELECT {day}, start_utc, start_utc + ring_s + talk_s "
        f"FROM call WHERE start_utc >= ? AND start_utc < ? AND {day} BETWEEN ? AND ? AND ring_s + talk_s > ?",
        (first * 86400 - MARGIN, (last + 1) * 86400 + MARGIN, first, last, rc.LOOKBACK_S))
    a, b = reach(first)[0], reach(last)[1]
    spans: dict[str, list[tuple[int, int]]] = {col: [] for col in DIRECTION_COLUMNS.values()}
    for start, end, direction in store.db.execute_sql(
            "SELECT start_utc, start_utc + ring_s + talk_s, direction FROM call WHERE start_utc >= ? AND start_utc < ? "
            "AND start_utc + ring_s + talk_s > ? AND ring_s + talk_s <= ?", (a - rc.LOOKBACK_S, b, a, rc.LOOKBACK_S)):
        if direction is None:
            continue
        if direction and direction in DIRECTION_COLUMNS:
            spans[DIRECTION_COLUMNS[direction]].append((start, end))
        if direction != "system":
            spans["any"].append((start, end))
    every = [f"{k}_{c}" for c in DIRECTION_COLUMNS.values() for k in ("peak", "busy")]
    cols = list(DIRECTION_COLUMNS.values())
    per: dict[int, list[int]] = {}
    for n, col in enumerate(cols):
        for minute, peak, busy in minutes(spans[col], a, b):
            row = per.get(minute)
            if row is None:
                row = per[minute] = [0] * len(every)
            row[2 * n], row[2 * n + 1] = peak, busy
    store.db.execute_sql("DELETE FROM rollup_occupancy WHERE start >= ? AND start < ?", (a, b))
    store.db.execute_sql("DELETE FROM rollup_occupancy_quarter WHERE start >= ? AND start < ?", (a, b))
    if not per:
        return
    store.db.connection().executemany(f"INSERT INTO rollup_occupancy (start, {', '.join(every)}) VALUES "
                                      f"({', '.join('?' * (len(every) + 1))})",
                                      [(m, *v) for m, v in sorted(per.items())])
    store.db.execute_sql(
        f"INSERT INTO rollup_occupancy_quarter (start, {', '.join(every)}) SELECT start / 900 * 900, "
        + ", ".join(f"{'MAX' if n.startswith('peak') else 'SUM'}({n})" for n in every)
        + " FROM rollup_occupancy WHERE start >= ? AND start < ? GROUP BY start / 900", (a, b))


def minutes(intervals: list[tuple[int, int]], a: int, b: int):
    """(minute, max concurrent, busy seconds) of each minute in [a, b) (a multiple of 60) with a call up, as
    concurrency.sweep gives them per minute, without visiting the empty minutes."""
    events = sorted(e for start, end in intervals if end > start for e in ((start, 1), (end, -1)))
    n, i, up, m = len(events), 0, 0, a
    while m < b:
        while i < n and events[i][0] <= m:   # what is up at the minute's start
            up += events[i][1]
            i += 1
        if i < n and events[i][0] < m + 60:
            peak, busy, at = up, 0, m
            while i < n and events[i][0] < m + 60:
                t, step = events[i]
                busy += up * (t - at)
                at, up = t, up + step
                peak = max(peak, up)
                i += 1
            busy += up * (m + 60 - at)
            if peak:
                yield m, peak, busy
            m += 60
        else:
            nxt = min(b, a + (events[i][0] - a) // 60 * 60) if i < n else b
            if up:
                for mm in range(m, nxt, 60):
                    yield mm, up, up * 60
            m = nxt


def _stale(days: list[int]) -> list[tuple[int, int]]:
    """The union of the dirty days' reach, as sorted disjoint [start, end)."""
    out: list[list[int]] = []
    for lo, hi in sorted(reach(d) for d in days):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def _long_call_near(b0: int, bend: int, dirty: list[int]) -> bool:
    """Whether a call longer than the look-back is up in [b0, bend) (the report then reads the calls)."""
    if store.db.execute_sql("SELECT 1 FROM rollup_long_call WHERE start_utc < ? AND end_utc > ? LIMIT 1",
                            (bend, b0)).fetchone():
        return True
    if not dirty:
        return False
    return store.db.execute_sql(
        f"SELECT 1 FROM call WHERE {BASE_SQL['day']} IN ({', '.join('?' * len(dirty))}) AND start_utc >= ? AND "
        f"start_utc < ? AND ring_s + talk_s > ? AND start_utc + ring_s + talk_s > ? LIMIT 1",
        (*dirty, dirty[0] * 86400 - MARGIN, (dirty[-1] + 1) * 86400 + MARGIN, rc.LOOKBACK_S, b0)).fetchone() is not None


def swept(user: Account, pbx_tenant: str, bounds: list[int], traffic: rc.Traffic,
          wait: bool) -> list[tuple[int, int]] | None:
    """(max concurrent, busy seconds) per interval of `bounds` from the roll-ups, as concurrency.sweep gives them
    from the calls; None when the report must read the calls (see the module's docstring)."""
    from appliance.reports import offers   # noqa: PLC0415 (the readiness rule is the offers')
    if traffic.kind is not None or traffic.trunk is not None or traffic.group is not None or \
            not scope.sees_whole_box(user, pbx_tenant):
        return None
    grain = 900 if all(b % 900 == 0 for b in bounds) else 60 if all(b % 60 == 0 for b in bounds) else None
    if grain is None:
        return None
    b0, bend = bounds[0], bounds[-1]
    dirty = offers.ready(b0 - rc.LOOKBACK_S, bend, wait)
    if dirty is None:
        return None
    if _long_call_near(b0, bend, sorted(dirty)):
        return None
    col = DIRECTION_COLUMNS[traffic.direction or ""]
    stale = [(max(lo, b0), min(hi, bend)) for lo, hi in _stale(dirty) if hi > b0 and lo < bend]
    starts = [lo for lo, _ in stale]

    def is_stale(t: int) -> bool:
        i = bisect.bisect_right(starts, t) - 1
        return i >= 0 and t < stale[i][1]

    table = "rollup_occupancy_quarter" if grain == 900 else "rollup_occupancy"
    cells = {start: (peak, busy) for start, peak, busy in store.db.execute_sql(
        f"SELECT start, peak_{col}, busy_{col} FROM {table} WHERE start >= ? AND start < ? AND peak_{col} > 0",
        (b0, bend)) if not stale or not is_stale(start)}
    for lo, hi in stale:   # the dirty days' reach, from the calls
        edges = list(range(lo, hi + grain, grain))
        for cell, (peak, busy) in zip(edges, rc.sweep(rc.intervals(user, pbx_tenant, lo, hi, traffic), edges)):
            if peak:
                cells[cell] = (peak, busy)
    return _fold(cells, bounds)


def _fold(cells: dict[int, tuple[int, int]], bounds: list[int]) -> list[tuple[int, int]]:
    keys = sorted(cells)
    out, i = [], 0
    for lo, hi in zip(bounds, bounds[1:]):
        while i < len(keys) and keys[i] < lo:
            i += 1
        peak = busy = 0
        while i < len(keys) and keys[i] < hi:
            p, b = cells[keys[i]]
            peak, busy = max(peak, p), busy + b
            i += 1
        out.append((peak, busy))
    return out
