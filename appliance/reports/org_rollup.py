"""Building the organisation month cube (rollup_org_month, appliance/store/rollups_org.py): per local month, the
calls by the department and branch of their extension's person at each call's time and by trunk and trunk group
then, so that a department × month report over years, or trunk traffic for a department supervisor, reads a few
thousand rows instead of attributing tens of thousands (issue 14).

It is kept with the other month cubes (appliance/reports/rollup.py): a month is summed again from the calls when it
is re-summed there (a rebuilt day made it stale), attributed as the report engine attributes (appliance/reports/
attribution.py: a group of calls a directory change falls inside is attributed call by call). Its rows also
depend on the directory and on the [pbx] tenant (the directory of calls stored without a tenant): the cube is
valid for the `stamp()` stored under rollup_state key `org_directory`. A refresh that finds another stamp marks
every month stale (so they are summed again, newest first, a few per idle step) and stores the new one; a reader
uses a month only while the stamps agree and the month is not stale, else it reads what the engine reads
without this cube (org_reports.py).
"""
from __future__ import annotations

import hashlib
import time
from datetime import date
from typing import Callable

from appliance import store
from appliance.reports.attribution import Attributor
from appliance.reports.dims import BASE_SQL, EPOCH_ORDINAL, SUMS_RAW
from appliance.store import directory as sd
from appliance.store import versioned

STATE_ORG = "org_directory"   # rollup_state key: the stamp() the organisation month cube was built for
# the cubes' layout, in the stamp: a database built with another one is summed again (2: direction voicemail and
# to_name, dims.DIRECTION_SQL)
ORG_VERSION = "2"
SLACK = 18 * 3600   # local offsets lie within +-18 h
TABLE = "rollup_org_month"
UNIT_TABLE = "rollup_unit_month"   # the same summed over trunks
DIRTY_TABLE = "rollup_org_dirty"   # months whose rows are out of date
AGAIN_S = 300.0   # a month summed again no sooner than this after the last time (idle steps; ~1 s at 170,000 calls)
_summed: dict[int, float] = {}   # month -> when this process last summed it (monotonic)
_KEYS = ("ym", "tenant", "department_id", "branch_id", "trunk", "trunk_group", "direction", "currency")
_VALUES = ("calls", "answered", "ring_s", "talk_s", "cost_micro", "priced", "short", "min_start", "max_start")


def stamp(pbx_tenant: str) -> str:
    """A fingerprint of what attribution reads: the tenants, people, extension assignments, placements and trunks
    (not the names: shown as they are now), the [pbx] tenant and the cubes' layout."""
    h = hashlib.sha1(f"{ORG_VERSION} {pbx_tenant}".encode("utf-8"))
    for sql in ("SELECT id, code FROM tenant ORDER BY id",
                "SELECT id, tenant_id FROM person ORDER BY id",
                "SELECT id, tenant_id, extension, person_id, valid_from, valid_to FROM extension_assignment "
                "ORDER BY id",
                "SELECT id, tenant_id, person_id, branch_id, department_id, valid_from, valid_to FROM placement "
                "ORDER BY id",
                "SELECT id, tenant_id, trunk, provider, valid_from, valid_to FROM trunk ORDER BY id"):
        h.update(repr(store.db.execute_sql(sql).fetchall()).encode("utf-8"))
    return h.hexdigest()


def stored_stamp() -> str:
    row = store.db.execute_sql("SELECT value FROM rollup_state WHERE key = ?", (STATE_ORG,)).fetchone()
    return row[0] if row else ""


def _set_stamp(value: str) -> None:
    store.db.execute_sql("INSERT OR REPLACE INTO rollup_state (key, value) VALUES (?, ?)", (STATE_ORG, value))


def current(pbx_tenant: str | None) -> bool:
    """Whether the cube's stamp is that of the directory now (once per change of the database: the idle worker
    asks often); without a [pbx] tenant, whether it is flagged invalid already."""
    if pbx_tenant is None:
        return stored_stamp() == ""
    return versioned.cached("org_rollup.stamp", pbx_tenant, lambda: stamp(pbx_tenant)) == stored_stamp()


def check_directory(pbx_tenant: str | None, months: Callable[[], list[int]]) -> list[int]:
    """Inside a refresh's transaction: when the directory (or the [pbx] tenant) is not the one the cube was built
    for, the months to mark stale (`months()`: every month of the day cubes) and the new stamp stored; else []. No
    [pbx] tenant known (a refresh that was not told it): the cube is flagged invalid."""
    if pbx_tenant is None:
        if stored_stamp():
            _set_stamp("")
        return []
    now = stamp(pbx_tenant)
    if now == stored_stamp():
        return []
    _set_stamp(now)
    _summed.clear()   # every month is summed again as soon as it can be
    return months()


def mark_stale(months) -> None:
    """Mark months' organisation rows out of date (in the transaction that changed their calls' day cubes, or
    that found the directory changed)."""
    store.db.connection().executemany(f"INSERT OR IGNORE INTO {DIRTY_TABLE} (ym) VALUES (?)", [(m,) for m in months])


def stale() -> set[int]:
    return {r[0] for r in store.db.execute_sql(f"SELECT ym FROM {DIRTY_TABLE}")}


def pending(pbx_tenant: str | None, waiting: set[int], throttle: bool = True) -> list[int]:
    """The stale months that can be summed now, newest first: not `waiting` (a stale or dirty day cube month) and,
    with `throttle`, not summed by this process in the last AGAIN_S (the current month, while calls arrive, is
    summed every few minutes, not after every batch; reports read it from the other sources meanwhile)."""
    if pbx_tenant is None:
        return []
    now = time.monotonic()
    return [m for m in sorted(stale() - waiting, reverse=True)
            if not throttle or now - _summed.get(m, -AGAIN_S) >= AGAIN_S]


def refresh_months(pbx_tenant: str | None, waiting: set[int], limit: int | None, throttle: bool) -> int:
    """Inside a refresh's transaction: sum up to `limit` pending months again; how many."""
    months = pending(pbx_tenant, waiting, throttle)[:limit]
    for ym in months:
        y, m = divmod(ym, 100)
        first = date(y, m, 1).toordinal() - EPOCH_ORDINAL
        end = date(y + m // 12, m % 12 + 1, 1).toordinal() - EPOCH_ORDINAL
        rebuild_month(ym, first, end, pbx_tenant)
        _summed[ym] = time.monotonic()
    if months:
        store.db.execute_sql(f"DELETE FROM {DIRTY_TABLE} WHERE ym IN ({', '.join(str(int(m)) for m in months)})")
    return len(months)


def clear() -> None:
    for t in (TABLE, UNIT_TABLE, DIRTY_TABLE):
        store.db.execute_sql(f"DELETE FROM {t}")


def rebuild_month(ym: int, first_day: int, end_day: int, pbx_tenant: str | None) -> None:
    """Replace the rows of month `ym` (local days [first_day, end_day)) with sums of its calls, attributed at each
    call's time. Without a [pbx] tenant the month is only emptied (the cube is flagged invalid anyway)."""
    for t in (TABLE, UNIT_TABLE):
        store.db.execute_sql(f"DELETE FROM {t} WHERE ym = ?", (ym,))
    if pbx_tenant is None:
        return
    att = Attributor(pbx_tenant)
    day, ext, direction_sql = BASE_SQL["day"], BASE_SQL["extension"], BASE_SQL["direction"]
    where = f"start_utc >= ? AND start_utc < ? AND {day} >= ? AND {day} < ?"
    bounds = (first_day * 86400 - SLACK, end_day * 86400 + SLACK, first_day, end_day)
    acc: dict[tuple, list[int]] = {}

    def add(tenant: str, extension: str, trunk: str, direction: str, currency: str, at: int, values) -> None:
        a = att.person(tenant, extension, at)
        key = (ym, tenant, a.department_id if a else None, a.branch_id if a else None, trunk,
               att.trunk_group(tenant, trunk, at), direction, currency)
        have = acc.get(key)
        if have is None:
            acc[key] = list(values)
        else:
            for i in range(len(SUMS_RAW)):
                have[i] += values[i]
            have[-2], have[-1] = min(have[-2], values[-2]), max(have[-1], values[-1])

    groups = store.db.execute_sql(
        f"SELECT tenant, {ext}, trunk, {direction_sql}, currency, {', '.join(SUMS_RAW)}, MIN(start_utc), "
        f"MAX(start_utc) FROM call WHERE {where} GROUP BY 1, 2, 3, 4, 5", bounds).fetchall()
    for tenant, extension, trunk, direction, currency, *values in groups:
        lo, hi = values[-2], values[-1]
        if not (att.splits("person", tenant, extension, lo, hi) or att.splits("trunk", tenant, trunk, lo, hi)):
            add(tenant, extension, trunk, direction, currency, lo, values)
            continue
        for call in store.db.execute_sql(   # a directory change falls inside: call by call
                f"SELECT {', '.join(SUMS_RAW)}, start_utc, start_utc FROM call WHERE {where} AND tenant = ? "
                f"AND {ext} = ? AND trunk = ? AND {direction_sql} = ? AND currency = ? GROUP BY id",
                bounds + (tenant, extension, trunk, direction, currency)).fetchall():
            add(tenant, extension, trunk, direction, currency, call[-2], call)
    if acc:
        columns = _KEYS + _VALUES
        store.db.connection().executemany(
            f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [k + tuple(v) for k, v in acc.items()])
        unit_keys = ("ym", "tenant", "department_id", "branch_id", "direction", "currency")
        store.db.execute_sql(
            f"INSERT INTO {UNIT_TABLE} ({', '.join(unit_keys + _VALUES)}) SELECT {', '.join(unit_keys)}, "
            f"{', '.join(f'SUM({v})' for v in _VALUES[:-2])}, MIN(min_start), MAX(max_start) FROM {TABLE} "
            f"WHERE ym = ? GROUP BY {', '.join(unit_keys)}", (ym,))


def department_names() -> dict[int, str]:
    """Every tenant's departments by id (ids are unique over tenants), as attribution names them now."""
    return _names("department")


def branch_names() -> dict[int, str]:
    return _names("branch")


def _names(kind: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for t in sd.Tenant.select(sd.Tenant.id):
        out.update((i, name) for i, name in sd.names(t.id, kind).items() if i is not None)
    return out
