"""Roll-ups: per local day sums of the call table in a few small tables ("cubes"), kept current by day.

Each cube groups the calls of a local day by a few base keys (report_dims.BASE_SQL) and stores the sums
(calls, answered, ring, talk, cost in millionths, priced) with the first and last call start of the group
(so directory attribution can tell whether a change falls inside it). Reports use the smallest cube that
has every key they need (appliance/reports.py), else the call table.

Keeping them current, without any per-row trigger on `call` and off the import's path:
- the transaction that stores a batch of calls also marks their local days dirty (`mark_days`, and
  `mark_calls` for older calls a new leg joins), so a crash can never leave a stored call's day unmarked;
- re-rating and re-processing mark the days they touch in their own transactions (the cube tables and this
  marking are the store's write path: appliance/store/rollups.py);
- the worker rebuilds dirty days when the journal is drained (`refresh_some`, a few days at a time);
- a report treats a dirty day as not rolled up (it reads that day from `call`), so results never depend on
  whether the refresh has run yet. A database whose cubes were never built (`built` state) is built from
  scratch by the idle refreshes, a few days at a time; until then every report reads `call`.

Month cubes (MONTH_CUBES: the extension cube summed per local month) let long attributed reports read one row
per month and extension instead of one per day. A month cube is summed from its day cube, never from `call`:
rebuilding a day marks its month stale (`rollup_month_dirty`, same transaction), and a refresh re-sums stale
months whose days are all clean, newest first. A report reads a month from it only when the month lies wholly
in its range, is not stale and has no dirty day (`months` state: the stale list is complete).
"""
from __future__ import annotations

import logging
import time
from datetime import date

from peewee import OperationalError

from appliance import store
from appliance.reports import org_rollup, traffic_rollup
from appliance.reports.dims import BASE_SQL, EPOCH_ORDINAL, SUMS_CUBE, SUMS_RAW, key_sql
from appliance.store.rollups import (CUBE_VERSION, CUBES, MONTH_CUBES, VALUE_COLUMNS, RollupDirty, RollupMonthDirty,
                                     RollupState, mark_range)

log = logging.getLogger(__name__)
STATE_BUILT = "built"
STATE_MONTHS = "months"   # "1" once rollup_month_dirty lists every month cube month that is out of date
STATE_VERSION = "version"   # the CUBE_VERSION the cubes were built with (another one: built again)
PREPARED_DIRTY_DAYS = 7   # dirty days a report reads from the calls without a second look
PREPARED_RAW_CALLS = 100_000   # more calls than this to read from the call table: "being prepared" (web reports)
IDLE_DAYS = 7   # days one idle refresh rebuilds at most
IDLE_MONTHS = 2   # stale months one idle refresh re-sums at most (about 0.1 s each at 10M calls)
SIZE_ORDER = ("day", "hour", "band", "class", "trunk", "ext")   # roughly smallest first


def table(cube: str) -> str:
    return f"rollup_{cube}"


def is_built() -> bool:
    """Whether every stored day was rolled up once, with this release's cube layout (CUBE_VERSION)."""
    state = dict(store.db.execute_sql("SELECT key, value FROM rollup_state WHERE key IN (?, ?)",
                                      (STATE_BUILT, STATE_VERSION)).fetchall())
    return state.get(STATE_BUILT) == "1" and state.get(STATE_VERSION) == CUBE_VERSION


class Preparing(Exception):
    """The roll-ups a report needs are still being built; `percent` of the stored days are done."""

    def __init__(self, percent: int):
        super().__init__(f"the roll-ups are being prepared: {percent} % done")
        self.percent = percent


def progress() -> int:
    """How much of the stored calls' days are rolled up, in percent (0 before the first build starts; 100 when
    no day is dirty)."""
    if not is_built():
        return 0
    dirty = store.db.execute_sql("SELECT COUNT(*) FROM rollup_dirty").fetchone()[0]
    if not dirty:
        return 100
    lo, hi = (store.db.execute_sql(f"SELECT {f}(start_utc) FROM call").fetchone()[0] for f in ("MIN", "MAX"))
    span = 1 if lo is None else (hi - lo) // 86400 + 3   # a day either side: local days of UTC bounds
    return max(0, min(99, 100 * (span - dirty) // span))


def check_prepared(first_day: int | None, end_day: int | None) -> None:
    """Raise Preparing when a report over local days [first_day, end_day) (None: open) would read more than
    PREPARED_RAW_CALLS calls from the call table because the roll-ups of their days are not built yet (a fresh
    database, an upgrade that rebuilds the cubes): the web says so at once instead of a page of minutes. A few
    dirty days (the calls of the last minutes) are read from the calls as always."""
    if is_built():
        cond, args = [], []
        if first_day is not None:
            cond.append("day >= ?")
            args.append(first_day)
        if end_day is not None:
            cond.append("day < ?")
            args.append(end_day)
        days = [r[0] for r in store.db.execute_sql(
            "SELECT day FROM rollup_dirty" + (f" WHERE {' AND '.join(cond)}" if cond else ""), args)]
        if len(days) <= PREPARED_DIRTY_DAYS:
            return
        first_day, end_day = min(days), max(days) + 1
    bounds, args = [], []
    if first_day is not None:
        bounds.append("start_utc >= ?")
        args.append(first_day * 86400 - 18 * 3600)
    if end_day is not None:
        bounds.append("start_utc < ?")
        args.append(end_day * 86400 + 18 * 3600)
    n = store.db.execute_sql(   # counted on the index, and no further than needed
        "SELECT COUNT(*) FROM (SELECT 1 FROM call" + (f" WHERE {' AND '.join(bounds)}" if bounds else "")
        + f" LIMIT {PREPARED_RAW_CALLS + 1})", args).fetchone()[0]
    if n > PREPARED_RAW_CALLS:
        raise Preparing(progress())


def dirty_days() -> set[int]:
    return {r[0] for r in store.db.execute_sql("SELECT day FROM rollup_dirty")}


def months_ready() -> bool:
    """Whether the month cubes can be read (each month not stale and without a dirty day)."""
    row = RollupState.get_or_none(RollupState.key == STATE_MONTHS)
    return row is not None and row.value == "1" and is_built()


def stale_months() -> set[int]:
    return {r[0] for r in store.db.execute_sql("SELECT ym FROM rollup_month_dirty")}


def month_of(day: int) -> int:
    """The YYYYMM of a local day (days since 1970-01-01)."""
    d = date.fromordinal(day + EPOCH_ORDINAL)
    return d.year * 100 + d.month


def month_days(ym: int) -> tuple[int, int]:
    """The local days [first, end) of month YYYYMM."""
    y, m = divmod(ym, 100)
    nxt = date(y + m // 12, m % 12 + 1, 1)
    return date(y, m, 1).toordinal() - EPOCH_ORDINAL, nxt.toordinal() - EPOCH_ORDINAL


def months_between(first_day: int, end_day: int) -> list[int]:
    """Every month YYYYMM that has a day in [first_day, end_day)."""
    out, day = [], first_day
    while day < end_day:
        out.append(month_of(day))
        day = month_days(out[-1])[1]
    return out


def day_runs(days: list[int]) -> list[tuple[int, int]]:
    """Consecutive days as inclusive (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for d in sorted(days):
        if runs and d == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _rebuild_days(first: int, last: int) -> None:
    """Replace the cube rows of local days first..last with sums of the call table."""
    day = BASE_SQL["day"]
    # start_utc bounds for the index: local day d is UTC [d*86400 - offset, ...); offsets lie within +-18 h
    bounds = (first * 86400 - 18 * 3600, (last + 1) * 86400 + 18 * 3600, first, last)
    where = f"start_utc >= ? AND start_utc < ? AND {day} BETWEEN ? AND ?"
    for name, keys in CUBES.items():
        store.db.execute_sql(f"DELETE FROM {table(name)} WHERE day BETWEEN ? AND ?", (first, last))
        exprs = [day] + [BASE_SQL[k] for k in keys]
        store.db.execute_sql(
            f"INSERT INTO {table(name)} (day, ym, {', '.join(keys)}, {', '.join(VALUE_COLUMNS)}) "
            f"SELECT {exprs[0]}, {key_sql('month', False)}, {', '.join(exprs[1:])}, {', '.join(SUMS_RAW)}, "
            f"MIN(start_utc), MAX(start_utc) FROM call WHERE {where} GROUP BY {', '.join(exprs)}", bounds)
    traffic_rollup.rebuild_days(first, last)   # the missed-calls and concurrency roll-ups of the same days


def _rebuild_month(ym: int) -> None:
    """Replace the month cube rows of month `ym` with sums of their day cube's rows (and mark its organisation
    cube rows stale: org_rollup.py sums them from the calls)."""
    first, end = month_days(ym)
    org_rollup.mark_stale([ym])
    for name, day_cube in MONTH_CUBES.items():
        keys = ", ".join(CUBES[day_cube])
        store.db.execute_sql(f"DELETE FROM {table(name)} WHERE ym = ?", (ym,))
        store.db.execute_sql(
            f"INSERT INTO {table(name)} (ym, {keys}, {', '.join(VALUE_COLUMNS)}) SELECT ?, {keys}, "
            f"{', '.join(SUMS_CUBE)}, MIN(min_start), MAX(max_start) FROM {table(day_cube)} "
            f"WHERE day >= ? AND day < ? GROUP BY {keys}", (ym, first, end))


def _mark_months(months) -> None:
    store.db.connection().executemany("INSERT OR IGNORE INTO rollup_month_dirty (ym) VALUES (?)",
                                      [(m,) for m in months])


def _start_months(from_scratch: bool) -> None:
    """Make the stale-month list complete: every month (from scratch), or every month of the day cubes
    (cubes built before the month cubes existed)."""
    if from_scratch:
        for name in (*MONTH_CUBES, "month_dirty"):
            store.db.execute_sql(f"DELETE FROM {table(name)}")
        org_rollup.clear()
    else:
        _mark_months(_cube_months())
    RollupState.replace(key=STATE_MONTHS, value="1").execute()


def _cube_months() -> list[int]:
    """Every month the month cubes' day cubes have a day in."""
    out: set[int] = set()
    for day_cube in set(MONTH_CUBES.values()):
        lo, hi = (store.db.execute_sql(f"SELECT {f}(day) FROM {table(day_cube)}").fetchone()[0]
                  for f in ("MIN", "MAX"))   # apart: SQLite reads each alone from the index
        if lo is not None:
            out.update(months_between(lo, hi + 1))
    return sorted(out)


def _refresh(limit_days: int | None, limit_months: int | None, pbx_tenant: str | None = None) -> tuple[int, int]:
    """Rebuild dirty days, then re-sum stale months none of whose days is dirty (newest first). `pbx_tenant`: the
    [pbx] tenant, for the organisation month cube (None: that cube is flagged invalid, org_rollup.py). It reads, then
    writes: the write lock first (store.IMMEDIATE), or another process's commit in between fails it at once."""
    with store.db.atomic(store.IMMEDIATE):
        if not is_built():
            store.db.execute_sql("DELETE FROM rollup_dirty")
            mark_range()
            RollupState.replace(key=STATE_BUILT, value="1").execute()
            RollupState.replace(key=STATE_VERSION, value=CUBE_VERSION).execute()
            traffic_rollup.mark_built()   # every day is dirty: rebuilt with the cubes
            _start_months(True)
        elif not months_ready():
            _start_months(False)
        org_rollup.mark_stale(org_rollup.check_directory(pbx_tenant, _cube_months))
        days = sorted(dirty_days())
        if limit_days is not None:
            days = days[:limit_days]
        for first, last in day_runs(days):
            _rebuild_days(first, last)
        _mark_months({month_of(d) for d in days})
        for i in range(0, len(days), 500):
            RollupDirty.delete().where(RollupDirty.day.in_(days[i:i + 500])).execute()
        waiting = {month_of(d) for d in dirty_days()}
        months = sorted(stale_months() - waiting, reverse=True)[:limit_months]
        for ym in months:
            _rebuild_month(ym)
        if months:
            RollupMonthDirty.delete().where(RollupMonthDirty.ym.in_(months)).execute()
        org = org_rollup.refresh_months(pbx_tenant, stale_months() | {month_of(d) for d in dirty_days()},
                                        None if limit_months is None else IDLE_MONTHS, limit_months is not None)
    return len(days), len(months) + org


def refresh(limit_days: int | None = None, pbx_tenant: str | None = None) -> int:
    """Rebuild every dirty day (all days first, if the cubes were never built) and every stale month in one
    transaction; returns the number of days rebuilt. `pbx_tenant`: as in _refresh."""
    days = _refresh(limit_days, None if limit_days is None else IDLE_MONTHS, pbx_tenant)[0]
    if limit_days is None:
        traffic_rollup.build_some(None)   # a database rolled up before the missed-calls/concurrency roll-ups
    return days


def refresh_some(limit_days: int = IDLE_DAYS, pbx_tenant: str | None = None) -> int:
    """The worker's hook when the journal is drained: rebuild up to `limit_days` dirty days and IDLE_MONTHS
    stale months (one short transaction, so new lines wait little); returns how many days and months it did
    (0: nothing left to do). It never raises: on a failure the cubes are flagged unbuilt (reports read the
    call table) and rebuilt whole by the next refresh that succeeds. Not when another writer held the database past
    the busy timeout: the transaction wrote nothing, its days are still dirty, the next drain tries again."""
    t0 = time.perf_counter()
    try:
        if months_ready() and not store.db.execute_sql(
                "SELECT 1 FROM rollup_dirty UNION ALL SELECT 1 FROM rollup_month_dirty LIMIT 1").fetchone() \
                and org_rollup.current(pbx_tenant) and not org_rollup.pending(pbx_tenant, set()):
            return traffic_rollup.build_some() if is_built() else 0   # then the newer roll-ups of older days
        days, months = _refresh(limit_days, IDLE_MONTHS, pbx_tenant)
    except OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e):
            return _failed(e)
        log.warning("roll-up refresh postponed (%s): another process held the database", e)
        return 0
    except Exception as e:   # the calls are stored: a roll-up problem must not stop the worker
        return _failed(e)
    if days or months:
        log.debug("roll-ups: %d day(s), %d month(s) refreshed in %.3f s", days, months, time.perf_counter() - t0)
    return days + months


def _failed(e: Exception) -> int:
    log.error("roll-up refresh failed (%s: %s): reports read the call table until a rebuild", type(e).__name__, e)
    try:
        RollupState.replace(key=STATE_BUILT, value="0").execute()
    except Exception:
        log.exception("cannot flag the roll-ups for a rebuild")
    return 0


def rebuild(pbx_tenant: str | None = None) -> int:
    """Throw the cubes away and build them again from the call table (`callbox rollup rebuild`)."""
    with store.db.atomic():
        for name in CUBES:
            store.db.execute_sql(f"DELETE FROM {table(name)}")
        traffic_rollup.clear()
        RollupState.delete().where(RollupState.key.in_((STATE_BUILT, STATE_MONTHS, STATE_VERSION))).execute()
        return refresh(pbx_tenant=pbx_tenant)


def status() -> dict:
    """Whether the cubes are built, how many days are dirty and months stale, and each cube's row count."""
    return {"built": is_built(), "dirty_days": len(dirty_days()), "stale_months": len(stale_months()),
            "rows": {name: store.db.execute_sql(f"SELECT COUNT(*) FROM {table(name)}").fetchone()[0]
                     for name in (*CUBES, *MONTH_CUBES)}}
