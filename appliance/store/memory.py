"""A process's memory given back after a burst of work (issue 14): the page cache of this thread's SQLite connection,
then the C allocator's free pages.

The worker's page cache (store/base.py CACHE_KB) fills while it stores a backlog (a flood of lines, a journal read
again at start) and SQLite keeps it for the life of the connection: ~8 MB after 20,000 lines, then as much of the 16
MB as the trickle of an idle box's calls touches over the day. glibc keeps what SQLite frees in the middle of its
heap unless asked for it back (malloc_trim), so both are done."""
from __future__ import annotations

import ctypes
from typing import Any

from appliance.store.base import db

_TRIM: Any
try:
    _TRIM = ctypes.CDLL(None).malloc_trim   # glibc's (Debian); another C library may not have it
except (AttributeError, OSError):
    _TRIM = None


def release() -> None:
    """Free this connection's page cache (PRAGMA shrink_memory) and hand the allocator's free pages back to the
    kernel. The next query reads its pages again, from the kernel's file cache."""
    db.execute_sql("PRAGMA shrink_memory")
    if _TRIM is not None:
        _TRIM(0)
