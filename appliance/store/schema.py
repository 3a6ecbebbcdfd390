"""The schema: every area's tables, creating and upgrading them additively, and the stamp the web waits for."""
from __future__ import annotations

import logging
import zlib
from pathlib import Path

from peewee import SqliteDatabase

from appliance.store.alerts import MODELS_ALERTS
from appliance.store.base import BUSY_TIMEOUT_MS, CACHE_KB, db
from appliance.store.billing import MODELS_BILLED, MODELS_BILLING
from appliance.store.callcentre import MODELS_CALLCENTRE
from appliance.store import central_month, central_occupancy
from appliance.store.central_db import bind_default, open_central, use_sqlite
from appliance.store.customers import MODELS_CUSTOMERS
from appliance.store.dialer import MODELS_DIALER
from appliance.store.customers import ensure_triggers as ensure_invoice_triggers
from appliance.store.calls import EXPRESSION_INDEXES, MODELS, WORKER_COLUMNS, WORKER_DDL
from appliance.store.directory import MODELS_DIRECTORY
from appliance.store.messages import MODELS_MESSAGES, MODELS_NOTES
from appliance.store.outbox import MODELS_OUTBOX
from appliance.store.pricing import MODELS_PRICING
from appliance.store.reports import MODELS_REPORTS
from appliance.store.rollups import MODELS_ROLLUP
from appliance.store.rollups_org import MODELS_ROLLUP_ORG
from appliance.store.schedules import MODELS_SCHEDULES
from appliance.store.shop import MODELS_SHOP
from appliance.store.sync import MODELS_SYNC, ensure_triggers
from appliance.store.tariffs import MODELS_TARIFFS
from appliance.store.traffic_rollups import MODELS_TRAFFIC_ROLLUP, OFFER_DDL

log = logging.getLogger(__name__)


def all_models() -> tuple:
    """Every table of the appliance, in a fixed order: the schema stamp is computed over them in this order."""
    return (MODELS + MODELS_DIRECTORY + MODELS_TARIFFS + MODELS_BILLING + MODELS_OUTBOX + MODELS_REPORTS + MODELS_ROLLUP
            + MODELS_ALERTS + MODELS_BILLED + MODELS_SCHEDULES + MODELS_CALLCENTRE + MODELS_PRICING + MODELS_SHOP
            + MODELS_SYNC + MODELS_CUSTOMERS + MODELS_NOTES + MODELS_MESSAGES + MODELS_DIALER
            + MODELS_ROLLUP_ORG + MODELS_TRAFFIC_ROLLUP)


def schema_stamp() -> int:
    """A fingerprint of the schema this release declares (tables, their columns, the expression indexes).

    open_db() stores it as SQLite's user_version once the database has that schema; a read-only process
    (the web) waits for it, so that after an upgrade it never queries a table or column the worker has not
    added yet."""
    text = ";".join(f"{m._meta.table_name}({','.join(f.column_name for f in m._meta.sorted_fields)})"
                    for m in all_models()) + ";" + ";".join(EXPRESSION_INDEXES)
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


def open_db(path: Path, readonly: bool = False, cache_kb: int = CACHE_KB) -> SqliteDatabase:
    """Initialise the module's database at `path` (WAL) and create the tables if needed. `cache_kb`: each
    connection's page cache (store/base.py).

    Read-only opens an existing database without writing anything to it (the web process)."""
    path = Path(path)
    bind_default()   # the central's tables here too, unless open_central_of() put them on PostgreSQL
    if readonly:
        db.init(f"file:{path}?mode=ro", uri=True, pragmas={"busy_timeout": BUSY_TIMEOUT_MS})
        db.connect(reuse_if_open=True)
        return db
    path.parent.mkdir(parents=True, exist_ok=True)
    db.init(str(path), pragmas={"journal_mode": "wal", "synchronous": "normal", "foreign_keys": 1,
                                "busy_timeout": BUSY_TIMEOUT_MS, "cache_size": -cache_kb})
    db.connect(reuse_if_open=True)
    db.create_tables(all_models(), safe=True)
    for model in all_models():
        _add_missing_columns(model)
    for sql in EXPRESSION_INDEXES + OFFER_DDL:
        db.execute_sql(sql)
    _add_worker_bookkeeping()
    ensure_invoice_triggers()   # an issued invoice never changes (store/customers.py)
    if db.execute_sql("SELECT 1 FROM call_tenant LIMIT 1").fetchone() is None:   # a database from before it
        db.execute_sql("INSERT OR IGNORE INTO call_tenant (code) SELECT DISTINCT tenant FROM call")
    central_month.ensure()   # a central's month roll-up, made once for calls received before it existed
    central_occupancy.ensure()   # and its concurrency roll-up (made whole by the receiver)
    ensure_triggers(path.parent)   # an enrolled branch's (appliance/sync/): the database is in its data directory
    stamp = schema_stamp()
    if db.execute_sql("PRAGMA user_version").fetchone()[0] != stamp:   # a write: only when it changes
        db.execute_sql(f"PRAGMA user_version = {stamp}")
    return db


def attach_readonly(path: Path) -> bool:
    """Point the module's database read-only at `path` once it exists with this release's schema (the
    worker creates and upgrades it); False until then. Connections are then opened per use (peewee's state
    is greenlet-local under gevent)."""
    uri = f"file:{path}?mode=ro"
    if db.database == uri:
        return True
    if not Path(path).exists():
        return False
    open_db(path, readonly=True)
    try:
        stamp = db.execute_sql("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()
    if stamp != schema_stamp():
        db.init(None)   # not this release's schema yet: look again next time
        return False
    return True


def _add_missing_columns(model) -> None:
    """Additive schema changes: a column a newer release declares is added to an older database's table."""
    table = model._meta.table_name
    have = {row[1] for row in db.execute_sql(f'PRAGMA table_info("{table}")')}
    for field in model._meta.sorted_fields:
        if field.column_name not in have:
            ctx = db.get_sql_context()
            definition = ctx.sql(field.ddl(ctx)).query()[0]
            if not field.null:   # existing rows need a value: the field's default, as SQL
                if not isinstance(field.default, (str, int)):
                    raise RuntimeError(f"{table}.{field.column_name}: a new NOT NULL column needs a simple default")
                definition += " DEFAULT " + ("'" + field.default.replace("'", "''") + "'"
                                             if isinstance(field.default, str) else str(int(field.default)))
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN {definition}')
            log.info("database: added column %s.%s", table, field.column_name)


def _add_worker_bookkeeping() -> None:
    """The worker's own columns, indexes and tables (store/calls.py WORKER_DDL), added to an older database; outside
    the models, so outside the stamp."""
    for table, column, kind in WORKER_COLUMNS:
        if column not in {row[1] for row in db.execute_sql(f'PRAGMA table_info("{table}")')}:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
            log.info("database: added column %s.%s", table, column)
    for sql in WORKER_DDL:
        db.execute_sql(sql)


def close_db() -> None:
    if not db.is_closed():
        db.close()
    use_sqlite()   # closes a PostgreSQL central's connection; the next open_central_of opens it again


def open_central_of(cfg, data_dir: Path) -> None:
    """After open_db: the central's received data on PostgreSQL when `cfg`'s [central] database says so (a relative
    password_file is from the INI file's folder, else `data_dir`); CentralDbError or SecretFileError when it cannot."""
    c = cfg.section("central")
    open_central(c.database, c.password_file, Path(cfg.path).parent if cfg.path else Path(data_dir))
