"""The SQL of a report: grouped sums over the call table (through the user's scope) or over a roll-up cube.

Both sources return the same rows: the base keys asked for, the sums vector SUMS (split by direction), and
the first and last call start of the group. appliance/reports.py turns them into the shown breakdown.
A range of whole days is split (`split_months`) into the whole clean months a month cube serves and the
other days, which the day cube serves; over `call`, every query is bounded by one start_utc range (its index).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from peewee import SQL, fn

from appliance import store
from appliance.reports import rollup
from appliance.reports.dims import BASE_SQL, COST_MICRO_SQL, DAY_SQL, LOCAL, OUT_SQL, PRICED_SQL, SHORT_SQL, key_sql
from appliance.reports.ranges import TimeOfWeek, Window

log = logging.getLogger(__name__)
SLACK = 18 * 3600   # local offsets lie within +-18 h: a local day's calls start within this of its UTC bounds
# the sums vector of every group
SUMS = ("calls", "calls_in", "calls_out", "calls_internal", "answered", "ring", "ring_in", "ring_out", "talk",
        "talk_in", "talk_out", "cost_micro", "priced", "short")
_RAW_VALUE = {"calls": "1", "answered": "answered", "ring": "ring_s", "talk": "talk_s", "cost_micro": COST_MICRO_SQL,
              "priced": PRICED_SQL, "short": SHORT_SQL}
_CUBE_VALUE = {"calls": "calls", "answered": "answered", "ring": "ring_s", "talk": "talk_s",
               "cost_micro": "cost_micro", "priced": "priced", "short": "short"}


def sums_sql(cube: bool, short: bool = True) -> list[str]:
    """The SQL of the sums vector SUMS; short=False: 0 for `short` (a table without it: the central's)."""
    value = _CUBE_VALUE if cube else _RAW_VALUE
    out = []
    for s in SUMS:
        base, _, direction = s.partition("_")
        if s == "short" and not short:
            out.append("0")
            continue
        if s in ("cost_micro",):
            base, direction = s, ""
        expr = value[base]
        # over calls, "out" is the reports' (dims.DIRECTION_SQL: not a call to voicemail); a cube stores it so
        test = OUT_SQL if direction == "out" and not cube else f"direction = '{direction}'"
        out.append(f"SUM(CASE WHEN {test} THEN {expr} ELSE 0 END)" if direction else f"SUM({expr})")
    return out


@dataclass
class Query:
    """What to fetch: group keys, SQL filters {base key: values}, the window, a time range, extra conditions."""
    keys: tuple[str, ...]
    window: Window
    equal: dict[str, tuple] = field(default_factory=dict)
    time_range: TimeOfWeek | None = None
    tenant_in: tuple[str, ...] | None = None    # call.tenant codes allowed (the scope's tenant), None = any
    days: tuple[int, ...] | None = None         # only these local days (the dirty days of a roll-up query)
    not_days: tuple[int, ...] = ()              # not these local days (the cube part of a roll-up query)
    per_call: bool = False                      # also group by start_utc (splitting a group a change falls in)
    between: tuple[int, int] | None = None      # only calls with start_utc in [lo, hi] (a group being split)
    months: tuple[int, ...] | None = None       # only these local months (YYYYMM; the month cube part)
    ext_in: tuple[str, ...] | None = None       # only these extensions (a scope's first cut), None = any


def _month_conditions(months: tuple[int, ...], cube: bool, monthly: bool, day: str, bounds: list) -> list[str]:
    """Only these months: as a day range where they are consecutive (an index on day, or on start_utc, serves
    it), else also by month."""
    listed = [f"{key_sql('month', cube)} IN ({', '.join(str(int(m)) for m in months) or 'NULL'})"]
    if monthly or not months:
        return listed
    a, b = rollup.month_days(min(months))[0], rollup.month_days(max(months))[1]
    bounds.append((a * 86400 - SLACK, b * 86400 + SLACK))
    return [f"{day} >= {a} AND {day} < {b}"] + ([] if rollup.months_between(a, b) == sorted(months) else listed)


def _day_conditions(days: tuple[int, ...], day: str, cube: bool, bounds: list) -> list[str]:
    """Only these days; over `call` also as start_utc ranges (one per run of consecutive days), for the index."""
    cond = [f"{day} IN ({', '.join(str(int(d)) for d in days) or 'NULL'})"]
    if cube or not days:
        return cond
    runs = rollup.day_runs(list(days))
    bounds.append((runs[0][0] * 86400 - SLACK, (runs[-1][1] + 1) * 86400 + SLACK))
    if len(runs) > 1:
        cond.append(" OR ".join(f"(start_utc >= {a * 86400 - SLACK} AND start_utc < {(b + 1) * 86400 + SLACK})"
                                for a, b in runs))
    return cond


def _conditions(q: Query, cube: bool, monthly: bool = False) -> tuple[list[str], list]:
    col = (lambda k: key_sql(k, cube))
    day = "day" if cube else BASE_SQL["day"]
    cond: list[str] = []
    args: list = []
    bounds: list[tuple[int | None, int | None]] = []   # [lo, hi) ranges of start_utc (over `call`)
    w = q.window
    if q.months is not None:
        cond += _month_conditions(q.months, cube, monthly, day, bounds)
    if monthly:   # a month cube: its months (q.months) lie wholly in the window, and hold no dirty day
        assert q.months is not None and q.days is None and q.time_range is None, "a month cube holds whole months"
    elif w.first_day is not None and w.end_day is not None:
        bounds.append((w.first_day * 86400 - SLACK, w.end_day * 86400 + SLACK))
        cond.append(f"{day} >= ? AND {day} < ?")
        args += [w.first_day, w.end_day]
    elif w.since is not None or w.until is not None:
        assert not cube, "a cube holds whole days only"
        bounds.append((w.since, w.until))
    if q.days is not None:
        cond += _day_conditions(q.days, day, cube, bounds)
    if q.not_days:
        cond.append(f"{day} NOT IN ({', '.join(str(int(d)) for d in q.not_days)})")
    if q.between is not None and not cube:   # a cube row's calls are all of the group's anyway
        bounds.append((q.between[0], q.between[1] + 1))
    if "direction" not in q.equal:   # legs to IVR menus, voicemail, feature codes: no calls unless asked for
        cond.append("direction != 'system'")
    for key, values in sorted(q.equal.items()):
        cond.append(f"{col(key)} IN ({', '.join('?' * len(values)) or 'NULL'})")
        args += list(values)
    if q.tenant_in is not None:
        cond.append(f"tenant IN ({', '.join('?' * len(q.tenant_in)) or 'NULL'})")
        args += list(q.tenant_in)
    if q.ext_in is not None and (not cube or "extension" in q.keys):
        cond.append(f"{col('extension')} IN ({', '.join('?' * len(q.ext_in)) or 'NULL'})")
        args += list(q.ext_in)
    if q.time_range is not None:
        if cube:
            cond.append(q.time_range.sql("day", "hour", 3600))
        else:
            cond.append(q.time_range.sql(BASE_SQL["day"], f"({LOCAL} % 86400)", 1))
    if not cube:   # one range of start_utc, the tightest, so SQLite's index on it serves the query
        lo = [a for a, _ in bounds if a is not None]
        hi = [b for _, b in bounds if b is not None]
        cond = ([f"start_utc >= {max(lo)}"] if lo else []) + ([f"start_utc < {min(hi)}"] if hi else []) + cond
    return cond, args


def fetch_raw(q: Query, visible) -> list[tuple]:
    """Grouped sums over `call`, restricted by the peewee condition `visible` (appliance.scope.visible)."""
    C = store.Call
    keys = [SQL(key_sql(k, False)) for k in q.keys] + ([C.start_utc] if q.per_call else [])
    cond, args = _conditions(q, cube=False)
    sel = keys + [SQL(s) for s in sums_sql(cube=False)] + [fn.MIN(C.start_utc), fn.MAX(C.start_utc)]
    query = C.select(*sel).where(visible)
    if cond:
        query = query.where(SQL(" AND ".join(f"({c})" for c in cond), args))
    if keys:
        query = query.group_by(*keys)
    rows: list[tuple] = list(query.tuples())   # type: ignore[arg-type]
    if q.per_call:   # drop the start_utc key column: it is in min/max
        n = len(q.keys)
        rows = [r[:n] + r[n + 1:] for r in rows]
    return [r for r in rows if r[len(q.keys)]]   # no group (an empty table without GROUP BY) -> no row


def fetch_calls(q: Query, ids: list[int]) -> dict[int, tuple]:
    """One row per call of `ids` (as fetch_raw shapes them: keys, sums, start twice), by call id; the query's
    filters and window apply, not a scope (the caller checks each row's attribution)."""
    C = store.Call
    keys = [SQL(key_sql(k, False)) for k in q.keys]
    cond, args = _conditions(q, cube=False)
    sel = [C.id] + keys + [SQL(s) for s in sums_sql(cube=False)] + [fn.MIN(C.start_utc), fn.MAX(C.start_utc)]
    out: dict[int, tuple] = {}
    for i in range(0, len(ids), 500):
        query = C.select(*sel).where(C.id.in_(ids[i:i + 500]))
        if cond:
            query = query.where(SQL(" AND ".join(f"({c})" for c in cond), args))
        rows: list[tuple] = list(query.group_by(C.id).tuples())   # type: ignore[arg-type]
        for row in rows:
            out[row[0]] = tuple(row[1:])
    return out


def cube_conditions(q: Query, cube: str) -> tuple[list[str], list]:
    """The WHERE conditions (and their arguments) of `q` over cube `cube`, as fetch_cube uses them."""
    return _conditions(q, cube=True, monthly=cube in rollup.MONTH_CUBES)


def fetch_cube(q: Query, cube: str) -> list[tuple]:
    """Grouped sums over a roll-up cube (the caller leaves out dirty days and reads them with fetch_raw), or
    over a month cube (q.months: whole months of the window, without a dirty day)."""
    cond, args = cube_conditions(q, cube)
    sel = [key_sql(k, True) for k in q.keys] + sums_sql(cube=True) + ["MIN(min_start)", "MAX(max_start)"]
    sql = f"SELECT {', '.join(sel)} FROM {rollup.table(cube)}"
    if cond:
        sql += " WHERE " + " AND ".join(f"({c})" for c in cond)
    if q.keys:
        sql += f" GROUP BY {', '.join(sel[:len(q.keys)])}"
    rows = store.db.execute_sql(sql, args).fetchall()
    return [r for r in rows if r[len(q.keys)]]


def pick_cube(keys: set[str], q: Query) -> str | None:
    """The smallest cube that has every key (and the hour, for a time range), or None."""
    if not q.window.whole_days:
        return None
    if q.time_range is not None:
        if not q.time_range.whole_hours():
            return None
        keys = keys | {"hour"}
    for name in rollup.SIZE_ORDER:
        if keys <= set(rollup.CUBES[name]) | set(DAY_SQL):
            return name
    return None


def pick_month_cube(cube: str, q: Query) -> str | None:
    """The month cube that sums day cube `cube`, when the query needs no finer time key and it is readable."""
    if q.time_range is not None or {"dayno", "date", "weekday", "hour"} & set(q.keys) or not q.window.whole_days:
        return None
    name = next((m for m, d in rollup.MONTH_CUBES.items() if d == cube), None)
    return name if name is not None and rollup.months_ready() else None


def split_months(w: Window, dirty: set[int], day_cube: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(the months a month cube serves: wholly in the window, not stale, no dirty day; the window's other
    clean days, for the day cube). A window without bounds spans the day cube's months."""
    if w.first_day is not None and w.end_day is not None:
        first, end = w.first_day, w.end_day
    else:
        # two queries: SQLite reads MIN or MAX alone from the index, both together by a scan
        lo, hi = (store.db.execute_sql(f"SELECT {f}(day) FROM {rollup.table(day_cube)}").fetchone()[0]
                  for f in ("MIN", "MAX"))
        if lo is None:
            return (), ()
        first, end = rollup.month_days(rollup.month_of(lo))[0], rollup.month_days(rollup.month_of(hi))[1]
    unusable = rollup.stale_months() | {rollup.month_of(d) for d in dirty}
    months: list[int] = []
    days: list[int] = []
    for ym in rollup.months_between(first, end):
        a, b = rollup.month_days(ym)
        if a >= first and b <= end and ym not in unusable:
            months.append(ym)
        else:
            days += [d for d in range(max(a, first), min(b, end)) if d not in dirty]
    return tuple(months), tuple(days)
