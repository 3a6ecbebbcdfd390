"""Where a central keeps what its branches send (central_branch, central_call): this box's own SQLite database by
default (a small company's central is a box like the others), or a PostgreSQL server when the company outgrows one
box ([central] database = postgresql://USER@HOST:PORT/DBNAME, the password in [central] password_file).

Both tables live in the same database, whichever it is: a batch's calls and the branch's last applied sequence
number change in one transaction (exactly once). The same peewee models and SQL serve both engines; the few SQL
texts written for SQLite (the report engine's keys and sums) pass through `sql()`, which rewrites the SQLite-only
parts for PostgreSQL.
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import peewee
from peewee import DatabaseProxy, OperationalError

from appliance import paths
from appliance.store.base import IMMEDIATE, db

log = logging.getLogger(__name__)
central_db = DatabaseProxy()
_ready_url = ""     # the PostgreSQL URL whose tables were made in this process (open_central)
CONNECT_TIMEOUT_S = 10


def pg_driver() -> None:
    """Finish the part of peewee's import that appliance/__init__.py skipped: psycopg2 bound where peewee binds it
    (its module globals and its psycopg2 adapter's transaction states) and UUIDs registered, as peewee's own import
    does when the driver is there. Only a process that makes a PostgreSQL database pays for psycopg2 and libpq."""
    names = vars(peewee)   # what peewee.py's top binds (not in its type hints: set at its import)
    if names["psycopg2"] is not None:
        return
    # late: psycopg2 and libpq in the processes of a PostgreSQL central only (appliance/__init__.py says why)
    import psycopg2
    from psycopg2 import extensions, extras
    extras.register_uuid()
    names.update(psycopg2=psycopg2, pg_extensions=extensions, Json_pg2=extras.Json)
    adapter = peewee.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN


class PostgresqlDatabase(peewee.PostgresqlDatabase):
    """peewee's PostgreSQL database, its driver loaded when one is made (pg_driver)."""

    def init(self, database, *args, **kwargs):
        pg_driver()
        super().init(database, *args, **kwargs)


class CentralDbError(ValueError):
    """[central] database or password_file that cannot be used; the message says which and why."""


def use_sqlite() -> None:
    """The central's tables in this box's SQLite database."""
    if central_db.obj is not db:
        _close()
        central_db.initialize(db)


def bind_default() -> None:
    """store.open_db: the central's tables in this box's SQLite database, unless open_central put them on
    PostgreSQL in this process (the web opens callbox.db again and again: it stays on PostgreSQL)."""
    if not is_postgres():
        use_sqlite()


@contextmanager
def connection():
    """A PostgreSQL connection for a `with` block, closed after (the web's greenlets, a thread): peewee would keep
    one open per greenlet. On SQLite nothing: the caller's connection to callbox.db serves."""
    if not is_postgres() or not central_db.is_closed():
        yield
        return
    central_db.connect()
    try:
        yield
    finally:
        central_db.close()


def is_postgres() -> bool:
    return isinstance(central_db.obj, PostgresqlDatabase)


def _close() -> None:
    old = central_db.obj
    if isinstance(old, PostgresqlDatabase) and not old.is_closed():
        old.close()


def open_central(url: str, password_file: str, base: Path) -> None:
    """Put the central's tables on PostgreSQL at `url` (empty: stay on SQLite) and create them there if needed.
    `password_file` (relative to `base`, the INI file's folder) holds the password: never in the URL or the INI."""
    if not url:
        use_sqlite()
        return
    if not url.startswith(("postgresql://", "postgres://")):
        raise CentralDbError(f"[central] database {url!r}: expected postgresql://USER@HOST:PORT/DBNAME")
    if re.match(r"^postgres(ql)?://[^/@]*:[^/@]*@", url):
        raise CentralDbError("[central] database: the password goes in [central] password_file, not in the URL")
    kwargs: dict = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "callbox"}
    if password_file:
        kwargs["password"] = paths.read_secret(base / password_file, "[central] password_file")
    url = "postgresql://" + url.split("://", 1)[1]   # peewee takes the URL as a DSN in this spelling only
    global _ready_url
    if is_postgres() and central_db.obj.database == url and _ready_url == url:
        return
    _close()
    _ready_url = ""
    pg = PostgresqlDatabase(url, **kwargs)
    central_db.initialize(pg)   # bound even when unreachable: what reads it fails, never reads SQLite instead
    # late: these modules bind their models to central_db, defined here
    from appliance.store import central_month, central_occupancy
    from appliance.store.sync import MODELS_CENTRAL
    try:
        with pg.connection_context():
            # a partitioned central_call (store/central_parts.py) has its own keys: PostgreSQL refuses even
            # CREATE UNIQUE INDEX IF NOT EXISTS of a key without the partition column
            partitioned = pg.execute_sql("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                         "WHERE c.relname = 'central_call' AND c.relkind = 'p' "
                                         "AND n.nspname = current_schema()").fetchone()
            pg.create_tables([m for m in MODELS_CENTRAL
                              if not (partitioned and m._meta.table_name == "central_call")], safe=True)
            for model in MODELS_CENTRAL:
                _add_missing_columns(pg, model)
            central_month.ensure()
            central_occupancy.ensure()
    except OperationalError as e:
        raise CentralDbError(f"[central] database {url}: {str(e).strip()}") from None
    _ready_url = url


def _add_missing_columns(pg: PostgresqlDatabase, model) -> None:
    """Additive schema changes on PostgreSQL: a column this release declares is added to an older central's table
    (ADD COLUMN with the field's default: existing rows get it; no table rewrite for a constant default)."""
    table = model._meta.table_name
    have = {r[0] for r in pg.execute_sql("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_schema = current_schema() AND table_name = %s", (table,))}
    for field in model._meta.sorted_fields:
        if field.column_name in have:
            continue
        ctx = pg.get_sql_context()
        definition = ctx.sql(field.ddl(ctx)).query()[0]
        if not field.null:
            if not isinstance(field.default, (str, int)):
                raise RuntimeError(f"{table}.{field.column_name}: a new NOT NULL column needs a simple default")
            definition += " DEFAULT " + ("'" + field.default.replace("'", "''") + "'"
                                         if isinstance(field.default, str) else str(int(field.default)))
        pg.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS {definition}')
        log.info("central database: added column %s.%s", table, field.column_name)


def transaction():
    """A write transaction on the central's tables: BEGIN IMMEDIATE on SQLite (writers wait for each other); on
    PostgreSQL a plain one, the branch's row locked by lock_branch (batches of different branches go in parallel)."""
    return central_db.atomic() if is_postgres() else central_db.atomic(IMMEDIATE)


_YM = re.compile(r"CAST\(strftime\('%Y%m', (.+?) \* 86400, 'unixepoch'\) AS INTEGER\)")
_LITERAL = re.compile(r"('(?:[^']|'')*')")   # a quoted SQL literal ('' is a quote in it)


def sql(text: str) -> str:
    """SQL written for SQLite (with ? parameters), as the central's engine takes it."""
    if not is_postgres():
        return text
    # psycopg's placeholders: every % doubled; a ? outside a quoted literal is a parameter ('?' in one is text:
    # reports' DIRECTION_SQL tests for IP Office's "?NAME" parties)
    text = "".join(part.replace("%", "%%") if n % 2 else part.replace("%", "%%").replace("?", "%s")
                   for n, part in enumerate(_LITERAL.split(text)))
    text = _YM.sub(lambda m: f"CAST(to_char(to_timestamp({m.group(1)} * 86400) AT TIME ZONE 'UTC', 'YYYYMM') "
                             "AS INTEGER)", text.replace("%%Y%%m", "%Y%m"))
    # exact decimal text to micro-units: NUMERIC on PostgreSQL (its REAL is 4 bytes), BIGINT sums
    return text.replace("CAST(cost AS REAL)", "CAST(cost AS NUMERIC)").replace("AS INTEGER) END", "AS BIGINT) END")


def execute(text: str, args=()) -> list[tuple]:
    """Rows of SQL written for SQLite, on the central's engine; numbers summed by PostgreSQL come back as int."""
    rows = central_db.execute_sql(sql(text), list(args)).fetchall()
    if not is_postgres():
        return rows
    return [tuple(int(v) if isinstance(v, Decimal) and v == v.to_integral_value() else v for v in r) for r in rows]
