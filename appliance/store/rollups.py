"""Roll-up tables (per local day sums of `call`, "cubes") and the marking of their days dirty by the call writers.

Marking belongs to the write path: the transaction that stores, re-derives or re-prices calls marks their local
days dirty (rollup_dirty) itself, so a crash can never leave a changed call's day unmarked. Building and
refreshing the cubes, and reading them, is appliance/reports/rollup.py's.
"""
from __future__ import annotations

from peewee import IntegerField, TextField

from appliance.store.base import Base, db

# cube name -> its base keys (besides day, which every cube has). Direction and currency are in all of them:
# measures split by direction, and costs of different currencies are never summed together.
CUBES: dict[str, tuple[str, ...]] = {
    "day": ("tenant", "direction", "currency"),
    "hour": ("tenant", "hour", "direction", "currency"),
    "band": ("tenant", "direction", "currency", "duration_band", "answer_band"),
    "class": ("tenant", "direction", "currency", "kind", "destination", "tariff"),
    "trunk": ("tenant", "direction", "currency", "trunk"),
    "ext": ("tenant", "direction", "currency", "extension"),
}
# month cube -> the day cube it sums per local month (same keys, `ym` instead of `day`)
MONTH_CUBES: dict[str, str] = {"ext_month": "ext"}
# short: answered calls with less than SHORT_S seconds of talk (the problem-trunk rule's, appliance/reports/trunks.py)
VALUE_COLUMNS = ("calls", "answered", "ring_s", "talk_s", "cost_micro", "priced", "short", "min_start", "max_start")
SHORT_S = 10
# the cubes' layout: a database whose cubes were built with another one rebuilds them (appliance/reports/rollup.py)
CUBE_VERSION = "3"   # 2: the `short` column; 3: direction voicemail/to_name (reports.dims.DIRECTION_SQL)


class RollupState(Base):
    """Key/value facts about the roll-ups (built = "1" once every stored day has been rolled up)."""
    key = TextField(primary_key=True)
    value = TextField()


class RollupDirty(Base):
    """Local days (days since 1970-01-01 in the call's local time) whose roll-up rows are out of date."""
    day = IntegerField(primary_key=True)


def _model(name: str, keys: tuple[str, ...], grain: str = "day"):
    fields: dict[str, IntegerField | TextField] = {"day": IntegerField(index=True), "ym": IntegerField()} \
        if grain == "day" else {"ym": IntegerField(index=True)}   # ym: the day's (the month's) YYYYMM
    for k in keys:
        fields[k] = IntegerField() if k == "hour" else TextField()
    for v in VALUE_COLUMNS:
        fields[v] = IntegerField(default=0) if v == "short" else IntegerField()   # a default: added to old tables
    # extension and trunk cubes are also read one extension/trunk at a time (a group a directory change splits)
    indexes = tuple(((k, grain if grain == "day" else "ym"), False) for k in ("extension", "trunk") if k in keys)
    meta = type("Meta", (), {"table_name": f"rollup_{name}", "indexes": indexes})
    cls = "".join(w.title() for w in name.split("_"))
    return type(f"Rollup{cls}", (Base,), {**fields, "Meta": meta, "__module__": __name__})


class RollupMonthDirty(Base):
    """Local months (YYYYMM) whose month cube rows are older than their day cube rows."""
    ym = IntegerField(primary_key=True)

    class Meta:
        table_name = "rollup_month_dirty"


CUBE_MODELS = {name: _model(name, keys) for name, keys in CUBES.items()}
MONTH_MODELS = {name: _model(name, CUBES[day], "month") for name, day in MONTH_CUBES.items()}
# in this order in store.all_models(): the schema stamp is computed over the tables in that order
MODELS_ROLLUP = ((RollupState, RollupDirty) + tuple(CUBE_MODELS.values()) + tuple(MONTH_MODELS.values())
                 + (RollupMonthDirty,))


def _mark_sql(select_days: str, args: tuple) -> int:
    cur = db.execute_sql(f"INSERT OR IGNORE INTO rollup_dirty (day) {select_days}", args)
    return cur.rowcount


def mark_days(conn, days: set[int]) -> None:
    """Mark local days dirty on `conn`, inside the transaction that stores their calls (appliance/ingest/parse.py)."""
    if days:
        conn.executemany("INSERT OR IGNORE INTO rollup_dirty (day) VALUES (?)", [(d,) for d in days])


def mark_calls(conn, call_ids) -> None:
    """Mark dirty the local days the stored calls `call_ids` start on (before a new leg can move a call)."""
    ids = list(call_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        conn.execute("INSERT OR IGNORE INTO rollup_dirty (day) SELECT DISTINCT (start_utc + utc_offset) / 86400 "
                     f"FROM call WHERE id IN ({', '.join('?' * len(chunk))})", chunk)


def mark_refs(first_id: int, last_id: int | None = None) -> int:
    """Mark dirty the local days of the legs with id in [first_id, last_id] and of every leg of their calls
    (a leg that joins an older call can move the call's start to another day)."""
    where, args = ("id >= ?", (first_id,)) if last_id is None else ("id BETWEEN ? AND ?", (first_id, last_id))
    return _mark_sql(f"SELECT DISTINCT (start_utc + utc_offset) / 86400 FROM leg WHERE {where} UNION "
                     f"SELECT DISTINCT (start_utc + utc_offset) / 86400 FROM leg WHERE call_id IN "
                     f"(SELECT call_id FROM leg WHERE {where})", args + args)


def mark_range(since: int | None = None, until: int | None = None) -> int:
    """Mark dirty the local days of the calls with start in [since, until) (re-rating)."""
    cond, args = [], []
    if since is not None:
        cond.append("start_utc >= ?")
        args.append(since)
    if until is not None:
        cond.append("start_utc < ?")
        args.append(until)
    where = f"WHERE {' AND '.join(cond)}" if cond else ""
    return _mark_sql(f"SELECT DISTINCT (start_utc + utc_offset) / 86400 FROM call {where}", tuple(args))


def after_rerate(since: int | None, until: int | None) -> int:
    """The re-rating hook, inside its transaction: the re-priced calls' days become dirty (the worker
    rebuilds them when idle; reports read dirty days from the call table meanwhile)."""
    return mark_range(since, until)


def after_reprocess(first_id: int, last_id: int) -> int:
    """The re-processing hook, inside its transaction, after the entries' rows were parsed again: their days
    (marked before the old rows were deleted, and now the new ones) become dirty."""
    return mark_refs(first_id, last_id)
