"""The rows one parse batch writes, and their writing in one transaction with the cursor (parse.py builds them).

A new call stored unpriced (no numbering plan) is its first leg's row with the tenant's unpriced columns: it is not
built and bound from Python, SQLite copies it from the leg row just written (one INSERT ... SELECT per tenant).
Binding a call row's 24 values took more CPU than the rest of its insert (0.95 s against 0.40 s for 200,000 calls,
measured with their indexes, issue 14); a priced call's row is built and inserted as before.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from appliance import store
from appliance.callcentre import journeys
from appliance.ingest.summary import recompute
from appliance.store import rollups
from appliance.store.calls import DUPLICATE_COLUMNS

if TYPE_CHECKING:   # for the annotations only (parse.py says why)
    from appliance.rating.pricing import Pricer

CURSOR = "parse"
LINK_EVENT_COLUMNS = ("id", "at_ns", "source", "event", "detail", "jseg", "joff", "text")
LEG_ROW_COLUMNS = store.LEG_COLUMNS + ("ident",)   # a leg row as written: its identity's CRC last
QUEUE_EVENT_ROW_COLUMNS = store.QUEUE_EVENT_COLUMNS + ("ident",)
# The columns a call shares with its first leg (then `legs`, then the price and the tenant: the parameters)
_FROM_LEG = store.CALL_COLUMNS[:store.CALL_COLUMNS.index("legs")]
_TAIL = store.CALL_COLUMNS[len(_FROM_LEG) + 1:]
_CALLS_FROM_LEGS = (f"INSERT INTO call ({', '.join(store.CALL_COLUMNS)}) "
                    f"SELECT {', '.join(f'leg.{c}' for c in _FROM_LEG)}, 1, {', '.join('?' * len(_TAIL))} FROM leg ")
# every leg of the batch that opened a call (a call is named after its first leg), or those of a list of ids
_IN_RANGE = "WHERE leg.id BETWEEN ? AND ? AND leg.call_id = leg.id"
_IN_LIST = "WHERE leg.id IN (SELECT value FROM json_each(?))"


@dataclass
class Batch:
    """The rows one transaction will write."""
    legs: list[tuple] = field(default_factory=list)
    new_calls: list[tuple] = field(default_factory=list)   # priced: the whole row
    # unpriced: (the price columns and tenant of the row) -> the ids of the new calls (their first leg's) with them
    copied_calls: dict[tuple, list[int]] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)
    quarantine: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    queue_events: list[tuple] = field(default_factory=list)
    duplicates: list[tuple] = field(default_factory=list)   # entries whose record is already stored
    days: set[int] = field(default_factory=set)   # local days of the new legs: their report roll-ups are dirty
    lines: int = 0
    failures: int = 0
    ignored: int = 0

    def call_count(self) -> int:
        """The calls this batch opens."""
        return len(self.new_calls) + sum(map(len, self.copied_calls.values()))


def write(batch: Batch, cursor: tuple[int, int] | None, driver: str, segments: bool, pricer: Pricer | None) -> None:
    """Write `batch` and move the parse cursor to `cursor` (None: re-processing, it stays), in one transaction."""
    with store.db.atomic():
        conn = store.db.connection()
        if batch.new_calls:
            conn.executemany(_insert("call", store.CALL_COLUMNS), batch.new_calls)
        if batch.legs:
            conn.executemany(_insert("leg", LEG_ROW_COLUMNS), batch.legs)
        for tail, ids in batch.copied_calls.items():   # after their legs: copied from them
            if len(batch.copied_calls) == 1 and not batch.new_calls:   # every call the batch opens
                conn.execute(_CALLS_FROM_LEGS + _IN_RANGE, tail + (ids[0], ids[-1]))
            else:
                conn.execute(_CALLS_FROM_LEGS + _IN_LIST, tail + (json.dumps(ids),))
        tenants = {row[-1] for row in batch.new_calls} | {tail[-1] for tail in batch.copied_calls}
        if tenants:
            conn.executemany("INSERT OR IGNORE INTO call_tenant (code) VALUES (?)", [(t,) for t in tenants])
        if batch.duplicates:
            conn.executemany(_insert("duplicate", DUPLICATE_COLUMNS), batch.duplicates)
        if batch.quarantine:
            conn.executemany(_insert("quarantine", ("id", "jseg", "joff", "received_ns", "source", "driver",
                                                    "reason", "line")), batch.quarantine)
        if batch.queue_events:
            conn.executemany(_insert("queue_event", QUEUE_EVENT_ROW_COLUMNS), batch.queue_events)
            # the queue calls of these callers again, from all their events (callcentre/journeys.py)
            journeys.refresh(driver, {r[3] for r in batch.queue_events if r[6] in journeys.CALL_EVENTS})
        if batch.events:
            conn.executemany(_insert("link_event", LINK_EVENT_COLUMNS), batch.events)
        rollups.mark_days(conn, batch.days)
        rollups.mark_calls(conn, batch.dirty)   # before a new leg can move a call to another day
        for call_id in batch.dirty:
            recompute(call_id, segments, pricer)
        if cursor is not None:
            conn.execute("INSERT INTO cursor (name, seg, off, lines, ignored) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT(name) DO UPDATE SET seg = excluded.seg, off = excluded.off, "
                         "lines = lines + excluded.lines, ignored = ignored + excluded.ignored",
                         (CURSOR, cursor[0], cursor[1], batch.lines, batch.ignored))


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
