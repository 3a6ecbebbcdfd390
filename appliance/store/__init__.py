"""SQLite (WAL) through peewee: the call tables, the parse cursor, and read-only query helpers.

The one writer of call rows is `appliance.parse` in the worker process; everything else only reads.
Bulk rows go through the connection's executemany (peewee's insert_many is 15-19x slower, STACK.md §5).
"""
from __future__ import annotations

import logging
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from peewee import BooleanField, IntegerField, Model, SqliteDatabase, TextField

log = logging.getLogger(__name__)
db = SqliteDatabase(None)
BUSY_TIMEOUT_MS = 5000


class Base(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Call(Base):
    """One logical call: its legs summed up (first leg's parties, total talk time)."""
    id = IntegerField(primary_key=True)   # = the id of the leg that opened it
    driver = TextField()
    call_key = TextField()
    start_utc = IntegerField()         # seconds since the epoch, UTC
    utc_offset = IntegerField()        # seconds east of UTC at the PBX at that moment
    direction = TextField()
    extension = TextField()
    party = TextField()
    trunk = TextField()
    ring_s = IntegerField()
    talk_s = IntegerField()
    answered = BooleanField()
    transferred = BooleanField()
    account_code = TextField()
    legs = IntegerField()
    # the price (appliance/pricing.py): NULL/"" when not charged (incoming, internal) or not priceable
    kind = TextField(default="")           # number class: local, mobile, international_fixed, ...
    number = TextField(default="")         # the number as called (E.164, or a short number)
    cost = TextField(null=True)            # exact decimal text in `currency`, never a float
    currency = TextField(default="")
    destination = TextField(default="")
    tariff = TextField(default="")         # "provider / plan @ version date"
    capped = BooleanField(default=False)   # talk time over [rating] max_call_min: priced at the cap (RAT-5)
    # the tenant code of the call's first leg's source ([pbx] tenant_by_source); "" = stored before calls had
    # one: the [pbx] tenant's (appliance.scope)
    tenant = TextField(default="")

    class Meta:
        indexes = ((("start_utc",), False), (("driver", "call_key"), False))


class CallTenant(Base):
    """Every tenant code a stored call carries (written with the calls): "does this box hold another tenant's
    calls?" without a scan of the call table. A code stays listed when its calls are deleted (conservative)."""
    code = TextField(primary_key=True)

    class Meta:
        table_name = "call_tenant"


# Indexes on expressions (peewee's Meta.indexes takes columns): the calls of an extension over a time range,
# as a user's scope (appliance/scope.py) and the call search ask for them.
EXPRESSION_INDEXES = ("CREATE INDEX IF NOT EXISTS call_extension_start ON call (TRIM(extension), start_utc)",)


class Leg(Base):
    """One call record as the PBX printed it, with the journal entry it came from."""
    id = IntegerField(primary_key=True)   # = parse.ref_id(journal reference): stable across re-processing
    call_id = IntegerField(index=True)
    driver = TextField()
    call_key = TextField()
    start_utc = IntegerField()
    utc_offset = IntegerField()
    direction = TextField()
    extension = TextField()
    party = TextField()
    trunk = TextField()
    ring_s = IntegerField()
    talk_s = IntegerField()
    answered = BooleanField()
    transferred = BooleanField()
    account_code = TextField()
    jseg = IntegerField()              # journal reference: segment ...
    joff = IntegerField()              # ... and byte offset
    # Driver-specific fields (names, devices, IPs) are not stored: they are re-derived from the journal
    # entry when shown (`callbox calls --legs`), which keeps rows small on flash and import fast.


class QueueEvent(Base):
    """A call-centre queue event (Asterisk queue_log), linked to calls by call_key."""
    id = IntegerField(primary_key=True)   # = parse.ref_id(journal reference)
    driver = TextField()
    at_utc = IntegerField(index=True)
    call_key = TextField(index=True)
    queue = TextField()
    agent = TextField()
    event = TextField()
    params = TextField()               # JSON list of the event's parameters as printed
    jseg = IntegerField()
    joff = IntegerField()


class Quarantine(Base):
    """A line that is not a call record and not a known header: kept with the reason."""
    id = IntegerField(primary_key=True)   # = parse.ref_id(journal reference), like leg ids
    jseg = IntegerField()
    joff = IntegerField()
    received_ns = IntegerField()
    source = TextField()
    driver = TextField()
    reason = TextField()
    line = TextField()                 # decoded for display (invalid bytes replaced); the journal has the bytes


class LinkEvent(Base):
    """A capture link going up or down."""
    id = IntegerField(primary_key=True)   # = parse.ref_id(journal reference)
    at_ns = IntegerField()
    source = TextField()
    event = TextField()
    detail = TextField()
    jseg = IntegerField()
    joff = IntegerField()


class Cursor(Base):
    """Where the parse stage stands in the journal; advanced in the same transaction as its rows."""
    name = TextField(primary_key=True)
    seg = IntegerField()
    off = IntegerField()
    lines = IntegerField(default=0)    # journal lines processed (events excluded)
    ignored = IntegerField(default=0)  # headers, blank lines and other known non-calls


MODELS = (Call, Leg, QueueEvent, Quarantine, LinkEvent, Cursor, CallTenant)
LEG_COLUMNS = ("id", "call_id", "driver", "call_key", "start_utc", "utc_offset", "direction", "extension", "party",
               "trunk", "ring_s", "talk_s", "answered", "transferred", "account_code", "jseg", "joff")
QUEUE_EVENT_COLUMNS = ("id", "driver", "at_utc", "call_key", "queue", "agent", "event", "params", "jseg", "joff")
CALL_COLUMNS = ("id", "driver", "call_key", "start_utc", "utc_offset", "direction", "extension", "party",
                "trunk", "ring_s", "talk_s", "answered", "transferred", "account_code", "legs",
                "kind", "number", "cost", "currency", "destination", "tariff", "capped", "tenant")


def all_models() -> tuple:
    """Every table of the appliance: the call tables here and those of other areas (imported late: they
    build on Base and db from this module)."""
    from appliance.store.directory import MODELS_DIRECTORY
    from appliance.store.billing import MODELS_BILLED, MODELS_BILLING
    from appliance.store.tariffs import MODELS_TARIFFS
    from appliance.store.outbox import MODELS_OUTBOX
    from appliance.store.rollups import MODELS_ROLLUP
    from appliance.store.reports import MODELS_REPORTS
    from appliance.store.alerts import MODELS_ALERTS
    from appliance.store.schedules import MODELS_SCHEDULES
    return (MODELS + MODELS_DIRECTORY + MODELS_TARIFFS + MODELS_BILLING + MODELS_OUTBOX + MODELS_REPORTS + MODELS_ROLLUP
            + MODELS_ALERTS + MODELS_BILLED + MODELS_SCHEDULES)


def schema_stamp() -> int:
    """A fingerprint of the schema this release declares (tables, their columns, the expression indexes).

    open_db() stores it as SQLite's user_version once the database has that schema; a read-only process
    (the web) waits for it, so that after an upgrade it never queries a table or column the worker has not
    added yet."""
    text = ";".join(f"{m._meta.table_name}({','.join(f.column_name for f in m._meta.sorted_fields)})"
                    for m in all_models()) + ";" + ";".join(EXPRESSION_INDEXES)
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


def open_db(path: Path, readonly: bool = False) -> SqliteDatabase:
    """Initialise the module's database at `path` (WAL) and create the tables if needed.

    Read-only opens an existing database without writing anything to it (the web process)."""
    path = Path(path)
    if readonly:
        db.init(f"file:{path}?mode=ro", uri=True, pragmas={"busy_timeout": BUSY_TIMEOUT_MS})
        db.connect(reuse_if_open=True)
        return db
    path.parent.mkdir(parents=True, exist_ok=True)
    db.init(str(path), pragmas={"journal_mode": "wal", "synchronous": "normal", "foreign_keys": 1,
                                "busy_timeout": BUSY_TIMEOUT_MS, "cache_size": -16000})
    db.connect(reuse_if_open=True)
    db.create_tables(all_models(), safe=True)
    for model in all_models():
        _add_missing_columns(model)
    for sql in EXPRESSION_INDEXES:
        db.execute_sql(sql)
    if db.execute_sql("SELECT 1 FROM call_tenant LIMIT 1").fetchone() is None:   # a database from before it
        db.execute_sql("INSERT OR IGNORE INTO call_tenant (code) SELECT DISTINCT tenant FROM call")
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


def close_db() -> None:
    if not db.is_closed():
        db.close()


def local_iso(start_utc: int, utc_offset: int) -> str:
    """ISO 8601 local time with its UTC offset, e.g. 2017-07-01T08:13:24+02:00."""
    tz = timezone(timedelta(seconds=utc_offset))
    return datetime.fromtimestamp(start_utc, tz).isoformat()


def counts() -> dict[str, int]:
    """Totals for the status page."""
    cur = Cursor.get_or_none(Cursor.name == "parse")
    return {"calls": Call.select().count(), "legs": Leg.select().count(),
            "quarantined": Quarantine.select().count(),
            "lines": cur.lines if cur else 0, "ignored": cur.ignored if cur else 0}


def _range(query, field, since: int | None, until: int | None):
    if since is not None:
        query = query.where(field >= since)
    if until is not None:
        query = query.where(field < until)
    return query


def calls(since: int | None = None, until: int | None = None, limit: int | None = None, newest_first: bool = False):
    """Logical calls with start in [since, until) (epoch seconds), oldest first unless newest_first."""
    q = _range(Call.select(), Call.start_utc, since, until)
    q = q.order_by(Call.start_utc.desc(), Call.id.desc()) if newest_first else q.order_by(Call.start_utc, Call.id)
    return q.limit(limit) if limit else q


def legs(since: int | None = None, until: int | None = None):
    """Call legs with start in [since, until), oldest first."""
    return _range(Leg.select(), Leg.start_utc, since, until).order_by(Leg.start_utc, Leg.id)


def legs_of(call_ids: list[int]) -> dict[int, list[Leg]]:
    """The legs of each call, in PBX order."""
    out: dict[int, list[Leg]] = {}
    for i in range(0, len(call_ids), 500):
        for leg in Leg.select().where(Leg.call_id.in_(call_ids[i:i + 500])).order_by(Leg.id):
            out.setdefault(leg.call_id, []).append(leg)
    return out


def quarantined(limit: int | None = None, newest_first: bool = False):
    """Quarantined lines in journal order (or newest first)."""
    q = Quarantine.select().order_by(Quarantine.id.desc() if newest_first else Quarantine.id)
    return q.limit(limit) if limit else q


def last_events(limit: int = 20):
    return LinkEvent.select().order_by(LinkEvent.at_ns.desc(), LinkEvent.id.desc()).limit(limit)
