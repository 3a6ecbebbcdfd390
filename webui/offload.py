"""Blocking work (SQLite reports, bills, PDFs) off the gevent hub: in its threadpool in the web process.

Under gevent's patch_all, module-level `threading` locks become gevent locks; contended by the threadpool's
native threads they lose wake-ups and a request hangs for good (gevent 26.9: 9 of 20 greenlets stuck on
threadpool.apply of a peewee connection_context; a bill PDF stuck in babel.localedata.load; logging's module
lock taken on a logger's level-cache miss). The locks the pool's work shares are therefore made native: each
is held only for a connect/close, a locale file load or a logger lookup, during which no greenlet switch
happens, so the hub never waits on one for longer than that instant. The same for appliance.rating.phonedata's
(a place or operator name read from its file).

Read-only work whose results are kept per database version (appliance/store/versioned.py) goes through
`reading`: it runs on the hub first, taking only what is kept (a lookup, no query), and goes to the threadpool
only when something is not kept. A page served so costs no thread hand-over: a pool thread needs the GIL back
after every SQLite call, which the busy hub gives up only every sys.getswitchinterval() (5 ms), so even a kept
report waited 100 ms and more for the pool under 20 clients (issue 14).
"""
from __future__ import annotations

import logging
from typing import Callable, TypeVar

import babel.localedata
import gevent
from gevent import monkey

from appliance.rating import phonedata
from webui import db

log = logging.getLogger(__name__)
T = TypeVar("T")
_NATIVE_LOCK = type(monkey.get_original("_thread", "allocate_lock")())   # what patch_all leaves alone
_NATIVE_RLOCK = monkey.get_original("_thread", "RLock")


def native_locks() -> None:
    """Make the shared module-level locks native (idempotent; nothing to do without patch_all)."""
    if not monkey.is_module_patched("threading"):
        return
    if not isinstance(db.callbox_db._lock, _NATIVE_LOCK):
        db.callbox_db._lock = monkey.get_original("_thread", "allocate_lock")()
    if not isinstance(babel.localedata._cache_lock, _NATIVE_RLOCK):
        babel.localedata._cache_lock = _NATIVE_RLOCK()
    if not isinstance(logging._lock, _NATIVE_RLOCK):   # type: ignore[attr-defined]
        logging._lock = _NATIVE_RLOCK()                # type: ignore[attr-defined]
    if not isinstance(db.versioned._LOCK, _NATIVE_LOCK):    # the kept pages' version watcher (issue 14)
        db.versioned._LOCK = monkey.get_original("_thread", "allocate_lock")()
    for name in ("_loading", "_query_lock"):           # place and operator names, read by reports and bills
        if not isinstance(getattr(phonedata, name), _NATIVE_LOCK):
            setattr(phonedata, name, monkey.get_original("_thread", "allocate_lock")())


def blocking(fn: Callable[[], T]) -> T:
    """fn() in gevent's threadpool when this process is gevent-patched (python -m webui), else directly
    (in-process WebTest tests). fn may run in another thread: it opens its own database connection and
    must not touch the request (bottle's request and `_` are greenlet-local)."""
    if monkey.is_module_patched("socket"):
        native_locks()
        return gevent.get_hub().threadpool.apply(fn)
    return fn()


def reading(fn: Callable[[], T]) -> T:
    """fn(), which only reads the database: from what is kept, on the hub (versioned.kept_only), or else as
    `blocking` does. fn may thus run twice, its first run stopped by NotKept at a query or a value not kept: it
    must have no effect besides its result (tests run it both ways too: without gevent, the second run is direct)."""
    try:
        with db.versioned.kept_only():
            return fn()
    except db.versioned.NotKept:
        pass
    return blocking(fn)
