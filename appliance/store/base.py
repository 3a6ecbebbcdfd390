"""The database handle and the base of every table (peewee, SQLite in WAL mode, opened by store.open_db)."""
from __future__ import annotations

from peewee import Model, SqliteDatabase

db = SqliteDatabase(None)
BUSY_TIMEOUT_MS = 5000
# A transaction that reads and then writes takes the write lock at its start (BEGIN IMMEDIATE, peewee's
# atomic(IMMEDIATE)): begun deferred, its first write fails at once with "database is locked" when another
# connection wrote since its first read (WAL: SQLite cannot wait for the lock, the snapshot is stale), instead of
# waiting up to BUSY_TIMEOUT_MS. The jobs process's threads, the worker and the web write the same file.
IMMEDIATE = "IMMEDIATE"


class Base(Model):
    class Meta:
        database = db
        legacy_table_names = False
