"""Monthly partitions of a PostgreSQL central's received calls (central_call), for when the table grows.

`partition()` (`callbox central partition`) turns central_call into a table partitioned by RANGE of start_utc, one
partition per UTC month (central_call_pYYYYMM), moving every row in one transaction; after it, the receiver makes
the partition of a month the first time a batch brings a call of that month (`make_months`, in a short transaction
of its own before the batch's: CREATE TABLE ... PARTITION OF locks the whole table, and two batches doing it inside
their transactions, each already reading the table, deadlock; made apart, under an advisory lock, it only waits for
the batches in flight). A month's scan (a
report of a month, /central/calls of a few days, dropping a year that is no longer needed: DROP TABLE of its
partitions) then reads that month's partition only.

PostgreSQL requires every unique key of a partitioned table to include the partition key, so the exactly-once key
becomes (branch, rid, start_utc): a batch first deletes the stored rows of its calls whose start moved (a
reprocess that changed a call's start), then upserts on the new key (central/apply.py). SQLite: never partitioned.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from appliance.store.central_db import central_db, is_postgres

log = logging.getLogger(__name__)
_known: set[str] = set()     # partitions known to exist (this process; a partition is never dropped under it)
_LOCK = 0x63616C6C62   # pg_advisory_xact_lock key: one session at a time makes partitions


class PartitionError(ValueError):
    """Partitioning asked where it cannot be done; the message says why."""


def is_partitioned() -> bool:
    """Is central_call partitioned (PostgreSQL only)?"""
    if not is_postgres():
        return False
    row = central_db.execute_sql("SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE c.relname = 'central_call' AND n.nspname = current_schema()").fetchone()
    return bool(row) and row[0] == "p"


def month_of(start_utc: int) -> tuple[str, int, int]:
    """(partition name, first second, first second of the next month) of the UTC month of `start_utc`."""
    d = datetime.fromtimestamp(start_utc, timezone.utc)
    lo = datetime(d.year, d.month, 1, tzinfo=timezone.utc)
    hi = datetime(d.year + d.month // 12, d.month % 12 + 1, 1, tzinfo=timezone.utc)
    return f"central_call_p{d.year:04d}{d.month:02d}", int(lo.timestamp()), int(hi.timestamp())


def ensure_months(starts) -> int:
    """The partitions of the months of these call starts exist (inside the batch's transaction); how many made."""
    made = 0
    for name, lo, hi in sorted({month_of(s) for s in starts}):
        if name in _known:
            continue
        exists = central_db.execute_sql("SELECT 1 FROM pg_class WHERE relname = %s", (name,)).fetchone()
        if exists:
            _known.add(name)   # only what was there before: a partition made here goes if the transaction fails
            continue
        central_db.execute_sql(f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF central_call '
                               f"FOR VALUES FROM ({lo}) TO ({hi})")
        log.info("central_call: partition %s made", name)
        made += 1
    return made


def make_months(starts) -> int:
    """The partitions of these call starts' months exist: those missing made in a transaction of their own (call
    outside any other); how many made."""
    if {month_of(s)[0] for s in starts} <= _known:
        return 0
    with central_db.atomic():
        central_db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        made = ensure_months(starts)
    _known.update(month_of(s)[0] for s in starts)   # committed: they stay
    return made


def partitions() -> list[str]:
    rows = central_db.execute_sql("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                  "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'central_call' "
                                  "ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def partition() -> dict:
    """Partition central_call by month, moving its rows (one transaction: the receiver's batches wait for it).
    {"partitioned": true, "partitions", "rows", "already"}; PartitionError on SQLite."""
    if not is_postgres():
        raise PartitionError("partitions are for a central on PostgreSQL ([central] database); SQLite keeps one table")
    with central_db.atomic():
        if is_partitioned():
            return {"partitioned": True, "partitions": len(partitions()), "rows": None, "already": True}
        central_db.execute_sql("LOCK TABLE central_call IN ACCESS EXCLUSIVE MODE")
        months = [r[0] for r in central_db.execute_sql(
            "SELECT DISTINCT (start_utc / 86400) FROM central_call").fetchall()]
        central_db.execute_sql("ALTER TABLE central_call RENAME TO central_call_unpartitioned")
        central_db.execute_sql("ALTER SEQUENCE central_call_id_seq OWNED BY NONE")
        central_db.execute_sql("CREATE TABLE central_call (LIKE central_call_unpartitioned INCLUDING DEFAULTS) "
                               "PARTITION BY RANGE (start_utc)")
        _known.clear()
        ensure_months([day * 86400 for day in months])
        rows = central_db.execute_sql("INSERT INTO central_call SELECT * FROM central_call_unpartitioned").rowcount
        central_db.execute_sql("DROP TABLE central_call_unpartitioned")
        central_db.execute_sql("ALTER SEQUENCE central_call_id_seq OWNED BY central_call.id")
        # the names peewee's CREATE INDEX IF NOT EXISTS looks for (store/sync.py), the partition key included
        central_db.execute_sql("ALTER TABLE central_call ADD PRIMARY KEY (id, start_utc)")
        central_db.execute_sql("CREATE UNIQUE INDEX central_call_branch_rid ON central_call (branch, rid, start_utc)")
        central_db.execute_sql("CREATE INDEX central_call_start_utc ON central_call (start_utc)")
        n = len(partitions())
    log.warning("central_call partitioned by month: %d partitions, %d rows moved", n, rows)
    return {"partitioned": True, "partitions": n, "rows": rows, "already": False}
