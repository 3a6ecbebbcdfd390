"""Journal cursor -> driver -> call legs grouped into calls, stored with the cursor in one transaction.

Live capture and re-processing run this same code: parse_pending() reads from the journal, never from
the port. Because the cursor advances in the same SQLite transaction as the rows it produced, a crash
at any moment gives neither a lost nor a duplicated call on restart.

Exactly-once from the record's side too: the same record may reach the journal twice (an import of the same file,
a followed file re-read after a torn journal tail, a PBX re-sending its buffer after a reconnect). Each leg is
stored with the CRC-32 of its tenant and its driver's record identity (registry.Driver.identity); a leg whose
identity and fields match a stored leg (or one earlier in the batch) is not stored again. Its journal entry stays
as received, and a `duplicate` row names it and the leg it repeats.
"""
from __future__ import annotations

import gc
import json
import logging
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from zlib import crc32

from appliance import config, journal, registry, store
from appliance.localtime import LocalTime
from appliance.records import (PRICE_COLUMNS, UNPRICED, CallRecord, DIRECTIONS, EVENT, Entry, NotACallRecord,
                               QueueEvent)
from appliance.store import rollups
from appliance.store.calls import DUPLICATE_COLUMNS

if TYPE_CHECKING:   # for the annotations only: importing the rating stage loads phonenumbers (about 0.5 s), and
    # every `callbox` command imports this module; only a worker with a numbering plan needs it
    from appliance.rating.pricing import Pricer

log = logging.getLogger(__name__)
# UNPRICED as a plain tuple for the hot loop: CPython spreads an exact tuple into a row by its fast path, a
# NamedTuple through its iterator (0.05 us more per call, measured)
_UNPRICED_ROW = tuple(UNPRICED)
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
CURSOR = "parse"
LINK_EVENT_COLUMNS = ("id", "at_ns", "source", "event", "detail", "jseg", "joff")
LEG_ROW_COLUMNS = store.LEG_COLUMNS + ("ident",)   # a leg row as written: its identity's CRC last
# A stored leg as the duplicate check compares it: the tenant, then the columns of a written leg row
_STORED_LEG = ("call.tenant",) + tuple(f"leg.{c}" for c in LEG_ROW_COLUMNS)
_LOOKUP = 5000   # identities per lookup query (SQLite >= 3.32 allows 32,766 variables)


@dataclass
class Batch:
    """The rows one transaction will write."""
    legs: list[tuple] = field(default_factory=list)
    new_calls: list[tuple] = field(default_factory=list)
    dirty: set[int] = field(default_factory=set)
    quarantine: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    queue_events: list[tuple] = field(default_factory=list)
    duplicates: list[tuple] = field(default_factory=list)   # entries whose record is already stored
    days: set[int] = field(default_factory=set)   # local days of the new legs: their report roll-ups are dirty
    lines: int = 0
    failures: int = 0
    ignored: int = 0


class Processor:
    """Turns journal entries into rows with one driver; the single writer of call rows."""

    def __init__(self, driver_name: str, parser, encoding: str, tz: tzinfo, group_window_s: int,
                 segments: bool = False, pricer: Pricer | None = None, tenant_map: tuple[tuple[str, str], ...] = (),
                 tenant: str = "", identity: Callable[[Any, str, str], str] | None = None):
        self.driver = driver_name
        if identity is None:   # the driver's own (the registry's default for a name that is no driver)
            identity = (registry.load(driver_name).identity if driver_name in registry.names()
                        else registry.OPTIONAL["identity"])
        self.identity = identity
        self.tenant = tenant           # the [pbx] tenant: sources no tenant_map prefix matches
        self.tenant_map = tenant_map   # config.parse_tenant_map(): (source prefix, tenant code), longest first
        self._tenant_of: dict[str, str] = {}   # journal source -> tenant code: one prefix match per source
        self.pricer = pricer       # None: calls are stored unpriced
        self.segments = segments   # the driver's legs share the call's start and follow each other
        self.parser = parser
        self.encoding = encoding
        self.local_time = LocalTime(tz)
        self.window = group_window_s
        self.reload()

    def reload(self) -> None:
        """Latest call per key for recent calls; older lookups go to the database (same rule)."""
        newest = store.Call.select(store.Call.start_utc).order_by(store.Call.start_utc.desc()).limit(1).scalar()
        self.horizon = (newest or 0) - 2 * self.window
        self.newest = newest or 0
        rows = store.db.execute_sql(
            "SELECT tenant, call_key, id, start_utc FROM call WHERE driver = ? AND call_key != '' AND start_utc >= ? "
            "ORDER BY id", (self.driver, self.horizon))
        # Call keys are grouped within a tenant: two tenants' PBXs number their calls independently.
        self.cache = {(t or self.tenant, k): (i, s) for t, k, i, s in rows}

    def tenant_of(self, source: str) -> str:
        """The tenant code of a journal source (cached: the same few sources recur on every line)."""
        code = self._tenant_of.get(source)
        if code is None:
            code = self._tenant_of[source] = config.tenant_of(source, self.tenant_map, self.tenant)
        return code

    def _find(self, key: tuple[str, str], start: int) -> int | None:
        hit = self.cache.get(key)
        if hit is None and start - self.window < self.horizon:
            legacy = "" if key[0] == self.tenant else key[0]   # rows stored before calls had a tenant
            hit = store.db.execute_sql("SELECT id, start_utc FROM call WHERE driver = ? AND call_key = ? "
                                       "AND tenant IN (?, ?) ORDER BY id DESC LIMIT 1",
                                       (self.driver, key[1], key[0], legacy)).fetchone()
        if hit is not None and abs(hit[1] - start) <= self.window:
            return hit[0]
        return None

    def process(self, entries: list[Entry], advance: bool = True) -> tuple[int, int]:
        """Store the rows of `entries` and (unless re-processing) advance the cursor past them, atomically.

        Returns (lines, new calls)."""
        batch = Batch()
        pending: dict[tuple[str, str], tuple[int, int]] = {}
        found: list[tuple[Entry, CallRecord, str]] = []   # the call records, stored once the duplicates are known
        parse, encoding, add = self.parser.parse, self.encoding, found.append
        # The loop allocates only acyclic tuples: pausing the cyclic GC saves its repeated scans of them.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for entry in entries:   # the hot loop of every import: the common case stays inline
                if entry.flags & EVENT:
                    self._event(entry, batch)
                    continue
                batch.lines += 1
                text = entry.data.rstrip(b"\r\n").decode(encoding, "replace")
                try:
                    record = parse(text)
                except Exception as e:
                    self._quarantine(entry, text, e, batch)
                    continue
                if type(record) is CallRecord and record.direction in DIRECTIONS:
                    add((entry, record, text))
                elif record is None:
                    batch.ignored += 1
                elif type(record) is QueueEvent:
                    self._queue_event(entry, record, batch)
                else:
                    self._quarantine(entry, text, NotACallRecord(f"driver gave {record!r:.200}"), batch)
            if found:
                self._add_legs(found, batch, pending)
        finally:
            if gc_was_enabled:
                gc.enable()
        self._write(batch, entries[-1].next_ref if entries and advance else None)
        self.cache.update(pending)
        self._evict()
        if batch.duplicates:
            log.info("%d records already stored were not stored again (journal %s..%s)", len(batch.duplicates),
                     entries[0].ref_text, entries[-1].ref_text)
        return batch.lines, len(batch.new_calls)

    def _add_legs(self, found: list[tuple[Entry, CallRecord, str]], batch: Batch, pending: dict) -> None:
        """Add the legs of these records to the batch, but not those already stored or earlier in the batch."""
        identity, cached, tenant_of = self.identity, self._tenant_of, self.tenant_of
        legs = []
        for entry, record, text in found:
            tenant = cached.get(entry.source) or tenant_of(entry.source)
            legs.append((entry, record, tenant, crc32(f"{tenant}\x1f{identity(record, text, entry.source)}".encode())))
        seen = self._stored({leg[3] for leg in legs})
        add_leg = self._add_leg
        for entry, record, tenant, ident in legs:
            add_leg(entry, record, tenant, ident, batch, pending, seen)

    @staticmethod
    def _stored(idents: set[int]) -> dict[int, list[tuple[str, tuple]]]:
        """The stored legs with one of these identity CRCs: CRC -> [(tenant, leg row)]."""
        seen: dict[int, list[tuple[str, tuple]]] = {}
        wanted = list(idents)
        for i in range(0, len(wanted), _LOOKUP):
            part = wanted[i:i + _LOOKUP]
            # leg first (CROSS JOIN keeps the order): one probe of leg_ident per identity, the call only on a hit
            for tenant, *row in store.db.execute_sql(
                    f"SELECT {', '.join(_STORED_LEG)} FROM leg CROSS JOIN call ON call.id = leg.call_id "
                    f"WHERE leg.ident IN ({', '.join('?' * len(part))})", part):
                seen.setdefault(row[-1], []).append((tenant, tuple(row)))
        return seen

    def _quarantine(self, entry: Entry, text: str, error: Exception, batch: Batch) -> None:
        if isinstance(error, NotACallRecord):
            reason = str(error) or "not a call record"
        else:   # a driver bug must never stop the pipeline: keep the line, say why
            log.error("driver %s failed on journal entry %s", self.driver, entry.ref_text, exc_info=error)
            reason = f"driver error: {type(error).__name__}: {error}"
        batch.quarantine.append((ref_id(entry.ref), entry.ref[0], entry.ref[1], entry.received_ns, entry.source,
                                 self.driver, reason, text[:2000]))
        batch.failures += 1
        if batch.failures <= 10:   # one line per failure, then a count: a noisy line must not flood the log
            log.info("quarantined journal entry %s: %s", entry.ref_text, reason)
        elif batch.failures % 1000 == 0:
            log.info("%d lines quarantined in this batch so far", batch.failures)

    def _add_leg(self, entry: Entry, r: CallRecord, tenant: str, ident: int, batch: Batch, pending: dict,
                 seen: dict[int, list[tuple[str, tuple]]]) -> None:
        start, offset = self.local_time(r.start)
        key = r.call_key
        # Flags go to SQLite as int: the sqlite3 module binds an exact int directly but looks a bool up in its
        # adapter registry first, which cost 0.4 us per value, about a tenth of an import.
        answered, transferred = int(r.answered), int(r.transferred)
        leg_id = (entry.ref[0] << 32) | entry.ref[1]   # ref_id(), inline: this runs once per call record
        same = seen.get(ident)
        if same is not None:   # the identity's CRC is stored: the same record if the leg is the same too
            fields = (self.driver, key, start, offset, r.direction, r.extension, r.party, r.trunk, r.ring_s,
                      r.talk_s, answered, transferred, r.account_code)
            for other_tenant, other in same:
                if other_tenant == tenant and other[2:15] == fields:
                    batch.duplicates.append((leg_id, entry.ref[0], entry.ref[1], other[0], self.driver))
                    return
        call_id = None
        if key:
            hit = pending.get((tenant, key))
            call_id = hit[0] if hit and abs(hit[1] - start) <= self.window else self._find((tenant, key), start)
        if call_id is None:
            call_id = leg_id   # a call is named after the entry of its first leg: stable across re-processing
            price = _UNPRICED_ROW if self.pricer is None else self.pricer.price(r.direction, r.party, start, r.talk_s)
            batch.new_calls.append((call_id, self.driver, key, start, offset, r.direction, r.extension, r.party,
                                    r.trunk, r.ring_s, r.talk_s, answered, transferred, r.account_code, 1,
                                    *price, tenant))
            if key:
                pending[(tenant, key)] = (call_id, start)
        else:
            batch.dirty.add(call_id)
        row = (leg_id, call_id, self.driver, key, start, offset, r.direction, r.extension, r.party, r.trunk, r.ring_s,
               r.talk_s, answered, transferred, r.account_code, entry.ref[0], entry.ref[1], ident)
        batch.legs.append(row)
        if same is None:
            seen[ident] = [(tenant, row)]
        else:
            same.append((tenant, row))
        batch.days.add((start + offset) // 86400)
        if start > self.newest:
            self.newest = start

    def _queue_event(self, entry: Entry, ev: QueueEvent, batch: Batch) -> None:
        at, _ = self.local_time(ev.time)
        batch.queue_events.append((ref_id(entry.ref), self.driver, at, ev.call_key, ev.queue, ev.agent, ev.event,
                                   _json(list(ev.params)), entry.ref[0], entry.ref[1]))

    def _event(self, entry: Entry, batch: Batch) -> None:
        try:
            ev = json.loads(entry.data)
            name, detail = str(ev.get("event", "")), str(ev.get("detail", ""))
        except (ValueError, AttributeError):
            name, detail = "unreadable", entry.data[:200].decode("utf-8", "replace")
        batch.events.append((ref_id(entry.ref), entry.received_ns, entry.source, name, detail, *entry.ref))

    def _write(self, batch: Batch, cursor: tuple[int, int] | None) -> None:
        try:
            with store.db.atomic():
                conn = store.db.connection()
                if batch.new_calls:
                    conn.executemany(_insert("call", store.CALL_COLUMNS), batch.new_calls)
                    conn.executemany("INSERT OR IGNORE INTO call_tenant (code) VALUES (?)",
                                     [(t,) for t in {row[-1] for row in batch.new_calls}])
                if batch.legs:
                    conn.executemany(_insert("leg", LEG_ROW_COLUMNS), batch.legs)
                if batch.duplicates:
                    conn.executemany(_insert("duplicate", DUPLICATE_COLUMNS), batch.duplicates)
                if batch.quarantine:
                    conn.executemany(_insert("quarantine", ("id", "jseg", "joff", "received_ns", "source", "driver",
                                                            "reason", "line")), batch.quarantine)
                if batch.queue_events:
                    conn.executemany(_insert("queue_event", store.QUEUE_EVENT_COLUMNS), batch.queue_events)
                if batch.events:
                    conn.executemany(_insert("link_event", LINK_EVENT_COLUMNS), batch.events)
                rollups.mark_days(conn, batch.days)
                rollups.mark_calls(conn, batch.dirty)   # before a new leg can move a call to another day
                for call_id in batch.dirty:
                    recompute(call_id, self.segments, self.pricer)
                if cursor is not None:
                    conn.execute("INSERT INTO cursor (name, seg, off, lines, ignored) VALUES (?, ?, ?, ?, ?) "
                                 "ON CONFLICT(name) DO UPDATE SET seg = excluded.seg, off = excluded.off, "
                                 "lines = lines + excluded.lines, ignored = ignored + excluded.ignored",
                                 (CURSOR, cursor[0], cursor[1], batch.lines, batch.ignored))
        except Exception:
            self.reload()   # nothing of this batch was stored: forget what it allocated
            raise

    def _evict(self) -> None:
        horizon = self.newest - 2 * self.window
        if horizon > self.horizon + self.window and len(self.cache) > 10000:
            self.cache = {k: v for k, v in self.cache.items() if v[1] >= horizon}
            self.horizon = horizon


def ref_id(ref: tuple[int, int]) -> int:
    """The row id of what a journal entry produced: unique per entry and the same every time it is parsed."""
    return (ref[0] << 32) | ref[1]


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def talk_time(legs: list[tuple[int, int, int]], segments: bool) -> int:
    """A call's talk time from its legs' (start, ring, talk) seconds.

    Legs that are segments of one call printed with the call's own start (IP Office) follow each other:
    their talk times add up. Legs with their own start times (a/b legs, forks, transfers) may overlap:
    the conversation lasted as long as the union of their talk periods."""
    if segments:
        return sum(talk for _, _, talk in legs)
    total, end = 0, None
    for begin, finish in sorted((s + r, s + r + t) for s, r, t in legs if t > 0):
        if end is None or begin >= end:
            total += finish - begin
            end = finish
        elif finish > end:
            total += finish - end
            end = finish
    return total


def recompute(call_id: int, segments: bool = False, pricer: Pricer | None = None) -> None:
    """Set a call's summary from its legs: the first leg's start and direction, the first known parties."""
    legs = store.db.execute_sql(
        "SELECT start_utc, utc_offset, direction, extension, party, trunk, ring_s, talk_s, answered, transferred,"
        " account_code FROM leg WHERE call_id = ? ORDER BY start_utc, id", (call_id,)).fetchall()
    if not legs:
        store.db.execute_sql("DELETE FROM call WHERE id = ?", (call_id,))
        return

    def first(i: int) -> str:
        return next((leg[i] for leg in legs if leg[i]), "")
    talk = talk_time([(leg[0], leg[6], leg[7]) for leg in legs], segments)
    store.db.execute_sql(
        "UPDATE call SET start_utc = ?, utc_offset = ?, direction = ?, extension = ?, party = ?, trunk = ?,"
        " ring_s = ?, talk_s = ?, answered = ?, transferred = ?, account_code = ?, legs = ? WHERE id = ?",
        (legs[0][0], legs[0][1], legs[0][2], first(3), first(4), first(5), legs[0][6], talk,
         any(leg[8] for leg in legs), any(leg[9] for leg in legs), first(10), len(legs), call_id))
    if pricer is not None:   # the whole conversation is priced once, as the call it is
        price = pricer.price(legs[0][2], first(4), legs[0][0], talk)
        store.db.execute_sql(f"UPDATE call SET {', '.join(c + ' = ?' for c in PRICE_COLUMNS)} WHERE id = ?",
                             (*price, call_id))


def cursor() -> tuple[int, int]:
    row = store.Cursor.get_or_none(store.Cursor.name == CURSOR)
    return (row.seg, row.off) if row else (0, 0)


def parse_pending(journal_dir: Path, processor: Processor, limit: int = 5000) -> int:
    """Process up to `limit` journal entries after the cursor; return how many were processed."""
    entries = list(journal.read_from(journal_dir, cursor(), limit=limit))
    if entries:
        processor.process(entries)
    return len(entries)
