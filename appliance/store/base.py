"""The database handle and the base of every table (peewee, SQLite in WAL mode, opened by store.open_db)."""
from __future__ import annotations

from peewee import Model, SqliteDatabase

db = SqliteDatabase(None)
BUSY_TIMEOUT_MS = 5000


class Base(Model):
    class Meta:
        database = db
        legacy_table_names = False
