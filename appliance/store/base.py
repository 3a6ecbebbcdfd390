"""The database handle and the base of every table (peewee, SQLite in WAL mode, opened by store.open_db)."""
from __future__ import annotations

import threading

from peewee import Model, SqliteDatabase


class NotKept(BaseException):
    """Raised inside a block of appliance.store.versioned.kept_only() by the first query of the store's database and
    by a value not kept: the block needs the database and must run where it may wait (the web's threadpool). A
    BaseException, so that no `except Exception` (or DatabaseError) of the code that runs in the block takes it
    for an error of its own."""


only_kept = threading.local()      # .on: in a kept_only() block (greenlet-local in the gevent-patched web)


class _Database(SqliteDatabase):
    """peewee's SqliteDatabase that neither connects nor queries inside a kept_only() block (raises NotKept)."""

    def _connect(self):
        if getattr(only_kept, "on", False):
            raise NotKept("connect")
        return super()._connect()

    def execute_sql(self, sql, params=None):
        if getattr(only_kept, "on", False):
            raise NotKept(sql)
        return super().execute_sql(sql, params)


db = _Database(None)
BUSY_TIMEOUT_MS = 5000
# SQLite's page cache of each connection, in KiB (open_db): the worker's, to insert into the call table's b-trees;
# a process that reads now and then (jobs: one connection per huey thread, each holding its cache as long as the
# thread lives) takes SQLite's default, the pages coming from the kernel's cache (issue 14: 16 MB a thread)
CACHE_KB = 16000
SMALL_CACHE_KB = 2000
# A transaction that reads and then writes takes the write lock at its start (BEGIN IMMEDIATE, peewee's
# atomic(IMMEDIATE)): begun deferred, its first write fails at once with "database is locked" when another
# connection wrote since its first read (WAL: SQLite cannot wait for the lock, the snapshot is stale), instead of
# waiting up to BUSY_TIMEOUT_MS. The jobs process's threads, the worker and the web write the same file.
IMMEDIATE = "IMMEDIATE"


class Base(Model):
    class Meta:
        database = db
        legacy_table_names = False
