"""The call tables (calls, legs, queue events, quarantine, link events, the parse cursor) and read-only queries.

The one writer of call rows is the worker (appliance/ingest/); everything else only reads. Bulk rows go through the
connection's executemany (peewee's insert_many is 15-19x slower, STACK.md §5).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from peewee import SQL, BooleanField, IntegerField, TextField

from appliance.store.base import Base


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
    # priced shorter than printed (RAT-5, appliance/rating/stuck.py): 0 no, 1 over its trunk's cap, 2 still up when
    # the next call on its analogue trunk began (an int: it was a boolean before 2, and 0/1 read the same)
    capped = IntegerField(default=0)
    # the numbering library does not know the number: classified by the dialling plan, priced by prefix (issue 21);
    # NULL on calls stored before the flag (a rerate --reclassify or a reprocess sets it)
    unknown_number = BooleanField(null=True)
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
# The partial index keeps the status page's count of calls to numbers the numbering library does not know (issue 21)
# a lookup rather than a scan: it holds only those calls.
# queue_call_unclassified: the queue calls not yet classified by the opening hours (callcentre/opening.py), a few
EXPRESSION_INDEXES = ("CREATE INDEX IF NOT EXISTS call_extension_start ON call (TRIM(extension), start_utc)",
                      "CREATE INDEX IF NOT EXISTS call_unknown_number ON call (start_utc) WHERE unknown_number = 1",
                      "CREATE INDEX IF NOT EXISTS queue_call_unclassified ON queue_call (id) WHERE closed IS NULL")

# The worker's own bookkeeping of record identities (exactly-once, ingest/parse.py). No reader selects it, so it is
# outside the models and the schema stamp: a web process reading a database the worker has not upgraded yet reads
# every column it knows. open_db adds it to an older database (store/schema.py).
# - leg.ident: the CRC-32 of the tenant and the record's identity (registry.Driver.identity); NULL on legs stored
#   before it (NULLs are never equal, so they never conflict)
# - leg_ident: unique (start, identity), led by the start so that new legs, mostly newer than the stored ones, go to
#   the index's end (a batch dirties a few pages of it, not all of them)
# - queue_event.ident, queue_event_ident: the same for queue events, whose identity is all their fields
# - duplicate: a journal entry whose record was already stored (same start, identity and fields), not stored again:
#   the entry stays in the journal as received; `id` is its parse.ref_id, leg_id the stored leg (or queue event, by
#   driver) it repeats
WORKER_COLUMNS = (("leg", "ident", "INTEGER"), ("queue_event", "ident", "INTEGER"))
WORKER_DDL = ("CREATE UNIQUE INDEX IF NOT EXISTS leg_ident ON leg (start_utc, ident)",
              "CREATE UNIQUE INDEX IF NOT EXISTS queue_event_ident ON queue_event (at_utc, ident)",
              "CREATE TABLE IF NOT EXISTS duplicate (id INTEGER NOT NULL PRIMARY KEY, jseg INTEGER NOT NULL, "
              "joff INTEGER NOT NULL, leg_id INTEGER NOT NULL, driver TEXT NOT NULL)")
DUPLICATE_COLUMNS = ("id", "jseg", "joff", "leg_id", "driver")


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
    # (and `ident`, the worker's identity of the record: WORKER_COLUMNS below)
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
    detail = TextField()               # in English (the log, the CLI)
    jseg = IntegerField()
    joff = IntegerField()
    text = TextField(default="")       # the detail's key and fields as JSON (capture's TEXTS), "" when it has none


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
                "kind", "number", "cost", "currency", "destination", "tariff", "capped", "unknown_number", "tenant")


def local_iso(start_utc: int, utc_offset: int) -> str:
    """ISO 8601 local time with its UTC offset, e.g. 2017-07-01T08:13:24+02:00."""
    tz = timezone(timedelta(seconds=utc_offset))
    return datetime.fromtimestamp(start_utc, tz).isoformat()


def counts() -> dict[str, int]:
    """Totals for the status page."""
    cur = Cursor.get_or_none(Cursor.name == "parse")
    return {"calls": Call.select().count(), "legs": Leg.select().count(),
            "quarantined": Quarantine.select().count(),
            # a literal 1, not a bound parameter: SQLite uses the partial index only for the term it was made with
            "unknown_numbers": Call.select().where(SQL("unknown_number = 1")).count(),
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


def released_s(call: Call) -> int | None:
    """The talk time a call can have had on its trunk: until the next call on the same trunk (and tenant) began,
    or None when none did (appliance/rating/stuck.py, the overlap rule)."""
    nxt = (Call.select(Call.start_utc).where(Call.trunk == call.trunk, Call.tenant == call.tenant,
                                             Call.start_utc > call.start_utc, Call.id != call.id)
           .order_by(Call.start_utc).limit(1).scalar())
    return None if nxt is None else max(0, nxt - call.start_utc - call.ring_s)


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
