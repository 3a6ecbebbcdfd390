"""The central's month roll-up of its branches' calls (central_month): per branch box, tenant, local month,
direction (as the reports count it: a call to voicemail by name is not outgoing, store/directions.py), department
(as the branch attributed the call) and currency, the sums the report engine needs. A report that needs nothing finer
(department × month over years of calls) reads it instead of every call, once it is `current()`.

Kept exact in the batch's own transaction (central/apply.py): the calls a batch replaces or deletes are subtracted
as they were stored, the new ones added, groups left empty removed. `rebuild()` makes it again from central_call
(a database from before it, a bulk load, another MONTH_VERSION: the receiver does it once at its start, `ensure()`).
SQLite or PostgreSQL, as central_call.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from decimal import Decimal

from peewee import EXCLUDED, BigIntegerField, IntegerField, Model, TextField

from appliance.store.central_db import central_db, execute, is_postgres, sql, transaction
from appliance.store.directions import DIRECTION_SQL, reported

log = logging.getLogger(__name__)

# the roll-up's layout and meaning: one built with another is built again (`ensure`), and not read until then
MONTH_VERSION = "2"   # 2: direction voicemail/to_name, as the branch's reports count it (store/directions.py)
KEYS = ("branch", "tenant", "ym", "direction", "department", "currency")
SUMS = ("calls", "answered", "ring_s", "talk_s", "cost_micro", "priced")
# what a stored call contributes: its columns, in this order, read by `old_rows`
CALL_COLUMNS = ("branch", "tenant", "start_utc", "utc_offset", "direction", "department", "currency", "answered",
                "ring_s", "talk_s", "cost", "party", "trunk", "driver")


class CentralMonth(Model):
    branch = TextField()
    tenant = TextField()
    ym = IntegerField()                     # local month YYYYMM (the call's own UTC offset)
    direction = TextField()
    department = TextField()
    currency = TextField()
    calls = BigIntegerField(default=0)
    answered = BigIntegerField(default=0)
    ring_s = BigIntegerField(default=0)
    talk_s = BigIntegerField(default=0)
    cost_micro = BigIntegerField(default=0)   # exact: millionths of the currency unit
    priced = BigIntegerField(default=0)

    class Meta:
        database = central_db
        table_name = "central_month"
        legacy_table_names = False
        indexes = ((KEYS, True),)


class CentralMonthState(Model):
    """The MONTH_VERSION the roll-up was last built with (one row; none: never built by this release or a later)."""
    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        database = central_db
        table_name = "central_month_state"
        legacy_table_names = False


def _ym(local_s: int) -> int:
    d = datetime.fromtimestamp(local_s // 86400 * 86400, timezone.utc)
    return d.year * 100 + d.month


def _micro(cost) -> int:
    return 0 if cost is None or cost == "" else int((Decimal(str(cost)) * 1_000_000).to_integral_value())


def add(acc: dict, row: tuple, sign: int) -> None:
    """Add (sign 1) or take away (-1) the contribution of a call, given as CALL_COLUMNS, to `acc` {key: sums}."""
    branch, tenant, start, offset, direction, department, currency, answered, ring, talk, cost, party, trunk, \
        driver = row
    key = (branch, tenant or "", _ym(start + offset), reported(direction, party, trunk, driver), department or "",
           currency or "")
    s = acc.setdefault(key, [0] * len(SUMS))
    priced = cost is not None and cost != ""
    for i, v in enumerate((1, int(answered), ring, talk, _micro(cost), int(priced))):
        s[i] += sign * v


def old_rows(branch: str, rids: list[int]) -> list[tuple]:
    """The stored calls of `branch` with these ids, as CALL_COLUMNS (inside the batch's transaction)."""
    out: list[tuple] = []
    for lo in range(0, len(rids), 500):
        part = rids[lo:lo + 500]
        out += execute(f"SELECT {', '.join(CALL_COLUMNS)} FROM central_call WHERE branch = ? AND rid IN "
                       f"({', '.join('?' * len(part))})", [branch, *part])
    return out


def apply_deltas(acc: dict) -> None:
    """Add the sums in `acc` to the roll-up; groups left without calls are removed."""
    rows = [dict(zip(KEYS + SUMS, k + tuple(v))) for k, v in acc.items() if any(v)]
    for lo in range(0, len(rows), 500):
        (CentralMonth.insert_many(rows[lo:lo + 500])
         .on_conflict(conflict_target=[getattr(CentralMonth, k) for k in KEYS],
                      update={getattr(CentralMonth, s): getattr(CentralMonth, s) + getattr(EXCLUDED, s)
                              for s in SUMS}).execute())
    if any(v[0] <= 0 for v in acc.values()):
        branches = sorted({k[0] for k in acc})
        CentralMonth.delete().where(CentralMonth.calls <= 0, CentralMonth.branch.in_(branches)).execute()


_YM_SQL = "CAST(strftime('%Y%m', ((start_utc + utc_offset) / 86400) * 86400, 'unixepoch') AS INTEGER)"
_COST = ("CASE WHEN cost IS NULL OR cost = '' THEN 0 "
         "ELSE CAST(ROUND(CAST(cost AS REAL) * 1000000) AS INTEGER) END")


_GROUP_KEYS = ("branch", "COALESCE(tenant, '')", _YM_SQL, DIRECTION_SQL, "COALESCE(department, '')",
               "COALESCE(currency, '')")
_GROUP_SUMS = ("COUNT(*)", "SUM(answered)", "SUM(ring_s)", "SUM(talk_s)", f"SUM({_COST})",
               "SUM(CASE WHEN cost IS NULL OR cost = '' THEN 0 ELSE 1 END)")
_GROUPED = (f"SELECT {', '.join(_GROUP_KEYS + _GROUP_SUMS)} FROM central_call GROUP BY {', '.join(_GROUP_KEYS)}")


def _applied() -> tuple:
    """What changes with every batch applied (each bumps its branch's last_seq)."""
    return execute("SELECT COALESCE(SUM(last_seq), 0), COUNT(*) FROM central_branch")[0]


def rebuild() -> None:
    """Make the roll-up again from every received call and mark it current. On PostgreSQL in one transaction, the
    roll-up locked against batches meanwhile (one that waits adds its change after, on the rebuilt sums). On SQLite
    the calls are summed (seconds at a million) before the write lock is taken, which this box's worker needs too,
    then written in a short transaction; summed again inside it if a batch was applied meanwhile."""
    if is_postgres():
        with transaction():
            central_db.execute_sql("LOCK TABLE central_month IN EXCLUSIVE MODE")
            CentralMonth.delete().execute()
            central_db.execute_sql(sql(f"INSERT INTO central_month ({', '.join(KEYS + SUMS)}) {_GROUPED}"))
            _stamp()
        return
    before = _applied()
    rows = execute(_GROUPED)
    with transaction():
        if _applied() != before:
            rows = execute(_GROUPED)
        CentralMonth.delete().execute()
        for lo in range(0, len(rows), 500):
            CentralMonth.insert_many([dict(zip(KEYS + SUMS, r)) for r in rows[lo:lo + 500]]).execute()
        _stamp()


def _stamp() -> None:
    (CentralMonthState.insert(key="version", value=MONTH_VERSION)
     .on_conflict(conflict_target=[CentralMonthState.key], update={CentralMonthState.value: MONTH_VERSION}).execute())


def current() -> bool:
    """Whether the roll-up was built with this release's MONTH_VERSION (reports read it only then; until the
    receiver has built it again, every call)."""
    return execute("SELECT value FROM central_month_state WHERE key = 'version'") == [(MONTH_VERSION,)]


def ensure(rebuild_now: bool = False) -> bool:
    """After the central's tables were created (every process): a roll-up not current while no call was received is
    marked current (a new central, a branch box). With `rebuild_now` (the receiver, at its start, before it takes
    batches), one that is not current is built again from the received calls: once, after an upgrade to another
    MONTH_VERSION (or from a release before the roll-up). True when it was."""
    if current():
        return False
    if not execute("SELECT 1 FROM central_call LIMIT 1"):   # reads only, for a central not current yet
        with transaction():
            if not execute("SELECT 1 FROM central_call LIMIT 1"):
                _stamp()
        return False
    if rebuild_now:
        t0 = time.monotonic()
        log.info("the month roll-up of the received calls is built again (version %s)", MONTH_VERSION)
        rebuild()
        log.info("the month roll-up was built again in %.1f s", time.monotonic() - t0)
    return rebuild_now
