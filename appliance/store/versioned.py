"""Results kept while a database has not changed: the web's per-page work done once per change, not per request.

The version of a database file is SQLite's own `PRAGMA data_version` on a connection of this module's that only
ever reads it: the value changes whenever another connection, of this process or of another one (the worker
storing calls, the jobs process syncing the directory, the web writing a setting), commits a change, and costs a
few microseconds. (File sizes and times are not enough: after a checkpoint, a WAL database can look the same on
disk before and after a commit within the file system's clock tick.) The file's inode is part of the version: a
database made again in its place gets a new watching connection.

A value is also dropped after MAX_AGE_S even when nothing changed, and whenever a value is built while the version
moved, it is not kept. Databases without a file (":memory:") keep nothing, nor does a caller inside a
transaction (its own uncommitted changes are not in the version).

Inside a `kept_only()` block, a value not kept raises NotKept instead of being built, and so does any query of the
store's database (appliance.store.base): the web runs a page's read-only work so on the gevent hub first, and only
when something is missing in its threadpool (webui.offload.reading), where a thread waits for the GIL at every
SQLite call while the hub serves the other requests (up to sys.getswitchinterval(), 5 ms, each time).
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator, TypeVar

from appliance.store.base import NotKept, db, only_kept

T = TypeVar("T")
MAX_AGE_S = 300.0      # a safety net only: the version is exact, and clock-dependent keys say their time
MAX_ENTRIES = 512        # per database file: a few hundred pages' data (calls pages, report results), LRU
_kept: dict[str, tuple[tuple, OrderedDict]] = {}      # path -> (version, key -> (at, value))


def db_path(database: Any = None) -> str:
    """The file of `database` (default: the store's), "" when it has none."""
    name = str(db.database if database is None else database.database or "")
    name = name.removeprefix("file:").split("?", 1)[0]
    return "" if name in ("", ":memory:") or name.startswith(":") else name


_watchers: OrderedDict[str, tuple[int, sqlite3.Connection]] = OrderedDict()   # path -> (inode, connection)
_LOCK = threading.Lock()     # made native in the web (webui.offload.native_locks): its report threads ask too
MAX_WATCHED = 8              # databases watched at once (a process has one or two; tests make many)


def file_version(path: str) -> tuple | None:
    """What any commit to the SQLite database at `path` by another connection changes; None when it cannot be
    read (no file yet)."""
    try:
        inode = os.stat(path).st_ino
    except OSError:
        return None
    with _LOCK:
        have = _watchers.get(path)
        try:
            if have is None or have[0] != inode:
                if have is not None:
                    have[1].close()
                have = (inode, sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))
                _watchers[path] = have
                while len(_watchers) > MAX_WATCHED:
                    _watchers.popitem(last=False)[1][1].close()
            _watchers.move_to_end(path)
            return inode, have[1].execute("PRAGMA data_version").fetchall()[0][0]   # run to its end: no read lock kept
        except sqlite3.Error:
            _watchers.pop(path, None)
            return None


_writing = [0]     # write transactions open in this process on connections of their own (webui.db.write_access)


@contextmanager
def writing() -> Iterator[None]:
    """While a block writes on a connection of its own, nothing is kept or given from what is kept: reads inside
    its transaction see its changes, which are in no version yet."""
    _writing[0] += 1
    try:
        yield
    finally:
        _writing[0] -= 1


def _bypass(database: Any) -> bool:
    return bool(_writing[0]) or (db if database is None else database).in_transaction()


@contextmanager
def kept_only() -> Iterator[None]:
    """A block that only takes what is kept: a value not kept, or any query of the store's database, raises NotKept
    (greenlet-local in the web; blocks may nest)."""
    was = getattr(only_kept, "on", False)
    only_kept.on = True
    try:
        yield
    finally:
        only_kept.on = was


def cached(area: str, key: Hashable, build: Callable[[], T], database: Any = None) -> T:
    """build(), or what it gave for (area, key) under the database's present version and within MAX_AGE_S.
    The value is shared by every later caller: build must return something its callers do not change."""
    path = db_path(database)
    if not path or _bypass(database):
        return _build(build)      # inside a transaction this connection may see what the others do not yet
    version = file_version(path)
    if version is None:
        return _build(build)
    now = time.monotonic()
    have = _kept.get(path)
    if have is None or have[0] != version:
        have = (version, OrderedDict())
        _kept[path] = have
    entries = have[1]
    full = (area, key)
    hit = entries.get(full)
    if hit is not None and now - hit[0] < MAX_AGE_S:
        entries.move_to_end(full)
        return hit[1]
    if getattr(only_kept, "on", False):
        raise NotKept(area)
    value = build()
    if file_version(path) == version:       # nothing changed while it was built: it is the version's value
        entries[full] = (now, value)
        while len(entries) > MAX_ENTRIES:
            entries.popitem(last=False)
    return value


def _build(build: Callable[[], T]) -> T:
    if getattr(only_kept, "on", False):
        raise NotKept("nothing kept")
    return build()


def lookup(area: str, key: Hashable, database: Any = None) -> tuple[Any, tuple | None]:
    """(the value kept for (area, key) or None, the version to `keep` a value built now under), for a value
    made in pieces (a streamed reply); version None: nothing can be kept now."""
    path = db_path(database)
    if not path or _bypass(database):
        return None, None
    version = file_version(path)
    have = _kept.get(path)
    hit = have[1].get((area, key)) if have is not None and have[0] == version else None
    if hit is not None and time.monotonic() - hit[0] < MAX_AGE_S:
        return hit[1], version
    return None, version


def keep(area: str, key: Hashable, value: Any, version: tuple | None, database: Any = None) -> None:
    """Keep `value` for (area, key) if the database is still at `version` (from `lookup`, before it was built)."""
    path = db_path(database)
    if version is None or not path or file_version(path) != version:
        return
    have = _kept.get(path)
    if have is None or have[0] != version:
        have = _kept[path] = (version, OrderedDict())
    have[1][(area, key)] = (time.monotonic(), value)
    while len(have[1]) > MAX_ENTRIES:
        have[1].popitem(last=False)


def forget(database: Any = None) -> None:
    """Drop every value kept for the database (after this process changed it: the next read builds again)."""
    _kept.pop(db_path(database), None)
