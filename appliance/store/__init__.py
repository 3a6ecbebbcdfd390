"""SQLite (WAL) through peewee: the tables of every area, one module each, and the call tables' queries.

`from appliance import store` gives the handle, the call tables and their queries, and the schema functions; an
area's tables are in their own module (store.directory, store.tariffs, ...). Writers of call rows: appliance/ingest/.
"""
from __future__ import annotations

from appliance.store.base import BUSY_TIMEOUT_MS, IMMEDIATE, SMALL_CACHE_KB, Base, db
from appliance.store.calls import (CALL_COLUMNS, EXPRESSION_INDEXES, LEG_COLUMNS, MODELS, QUEUE_EVENT_COLUMNS, Call,
                                   CallTenant, Cursor, Leg, LinkEvent, Quarantine, QueueEvent, calls, counts,
                                   last_events, legs, legs_of, local_iso, quarantined, released_s)
from appliance.store.schema import all_models, attach_readonly, close_db, open_central_of, open_db, schema_stamp

__all__ = ["BUSY_TIMEOUT_MS", "IMMEDIATE", "SMALL_CACHE_KB", "Base", "db",
           "CALL_COLUMNS", "EXPRESSION_INDEXES", "LEG_COLUMNS", "MODELS",
           "QUEUE_EVENT_COLUMNS", "Call", "CallTenant", "Cursor", "Leg", "LinkEvent", "Quarantine", "QueueEvent",
           "calls", "counts", "last_events", "legs", "legs_of", "local_iso", "quarantined", "released_s", "all_models",
           "attach_readonly", "close_db", "open_central_of", "open_db", "schema_stamp"]
