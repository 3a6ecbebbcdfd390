"""Journal cursor -> driver -> call legs grouped into calls, stored with the cursor in one transaction.

Live capture and re-processing run this same code: parse_pending() reads from the journal, never from
the port. Because the cursor advances in the same SQLite transaction as the rows it produced, a crash
at any moment gives neither a lost nor a duplicated call on restart.

Exactly-once from the record's side too: the same record may reach the journal twice (an import of the same file,
a followed file re-read after a torn journal tail, a PBX re-sending its buffer after a reconnect). Each leg is
stored with the CRC-32 of its tenant and its driver's record identity (registry.Driver.identity), unique with its
start (index leg_ident). A batch is written without looking anything up; when the index refuses one of its legs,
the batch is built again checking each leg: one whose start, identity and fields match a stored leg (or one earlier
in the batch) is not stored again. Its journal entry stays as received, and a `duplicate` row names it and the leg
it repeats. (Same start and CRC but other fields: another record, its identity made unique above the CRC's 32 bits.)
Queue events (Asterisk queue_log) likewise, identified by all their fields (index queue_event_ident).
"""
from __future__ import annotations

import gc
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from zlib import crc32

from appliance import config, journal, registry, store
from appliance.ingest.batch import CURSOR, LEG_ROW_COLUMNS, QUEUE_EVENT_ROW_COLUMNS, Batch, write
from appliance.localtime import LocalTime
from appliance.records import UNPRICED, CallRecord, DIRECTIONS, EVENT, Entry, NotACallRecord, QueueEvent

if TYPE_CHECKING:   # for the annotations only: importing the rating stage loads phonenumbers (about 0.5 s), and
    # every `callbox` command imports this module; only a worker with a numbering plan needs it
    from appliance.rating.pricing import Pricer

log = logging.getLogger(__name__)
# UNPRICED as a plain tuple for the hot loop: CPython spreads an exact tuple into a row by its fast path, a
# NamedTuple through its iterator (0.05 us more per call, measured)
_UNPRICED_ROW = tuple(UNPRICED)
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_SAME_QUEUE_EVENTS = (f"SELECT {', '.join(QUEUE_EVENT_ROW_COLUMNS)} FROM queue_event "
                      "WHERE at_utc = ? AND (ident & 4294967295) = ?")
# The stored legs that may be the same record as a new leg (the same start and identity CRC, in the low 32 bits):
# its tenant, then the columns of a written leg row
_SAME_LEGS = (f"SELECT call.tenant, {', '.join(f'leg.{c}' for c in LEG_ROW_COLUMNS)} FROM leg CROSS JOIN call "
              "ON call.id = leg.call_id WHERE leg.start_utc = ? AND leg.ident & 4294967295 = ?")


class Processor:
    """Turns journal entries into rows with one driver; the single writer of call rows."""

    def __init__(self, driver_name: str, parser, encoding: str, tz: tzinfo, group_window_s: int,
                 segments: bool = False, pricer: Pricer | None = None, tenant_map: tuple[tuple[str, str], ...] = (),
                 tenant: str = "", identity: Callable[[Any, str, str], str] | None = None,
                 unmapped: str | None = None):
        self.driver = driver_name
        if identity is None:   # the driver's own (the registry's default for a name that is no driver)
            identity = (registry.load(driver_name).identity if driver_name in registry.names()
                        else registry.OPTIONAL["identity"])
        self.identity = identity
        self.identity_failed = False
        self._prefix_crc: dict[str, int] = {}   # tenant -> CRC-32 of "TENANT\x1f", continued by each identity
        self._unpriced_tail: dict[str, tuple] = {}   # tenant -> the end of its unpriced call rows
        self.tenant = tenant           # the [pbx] tenant: sources no tenant_map prefix matches
        self.tenant_map = tenant_map   # config.parse_tenant_map(): (source prefix, tenant code), longest first
        # the tenant of a source no prefix matches ([pbx] unmapped_tenant); "": its lines are quarantined
        self.unmapped = tenant if unmapped is None or not tenant_map else unmapped
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
        """The tenant code of a journal source, "" for an unmapped one refused (cached: the same few sources recur
        on every line)."""
        code = self._tenant_of.get(source)
        if code is None:
            code = self._tenant_of[source] = config.tenant_of(source, self.tenant_map, self.unmapped)
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
        cursor = entries[-1].next_ref if entries and advance else None
        try:   # the common case: no record of the batch is stored yet, and nothing is looked up
            batch, pending = self._build(entries, None)
            self._write(batch, cursor)
        except sqlite3.IntegrityError as e:
            if "leg.ident" not in str(e) and "queue_event.ident" not in str(e):
                raise
            batch, pending = self._build(entries, {})   # some are: check each leg (nothing was written)
            self._write(batch, cursor)
        self.cache.update(pending)
        self._evict()
        if batch.duplicates:
            log.info("%d records already stored were not stored again (journal %s..%s)", len(batch.duplicates),
                     entries[0].ref_text, entries[-1].ref_text)
        return batch.lines, batch.call_count()

    def _build(self, entries: list[Entry], seen: dict | None) -> tuple[Batch, dict]:
        """The rows of `entries`; with `seen`, checking each leg against the stored legs (and those before it)."""
        batch = Batch()
        pending: dict[tuple[str, str], tuple[int, int]] = {}
        parse, encoding, add_leg = self.parser.parse, self.encoding, self._add_leg
        # a format that prints no date or no year dates its records by when they were received (registry.Driver)
        clock, tz = getattr(self.parser, "clock", None), self.local_time.tz
        with paused_gc():
            for entry in entries:   # the hot loop of every import: the common case stays inline
                if entry.flags & EVENT:
                    self._event(entry, batch)
                    continue
                batch.lines += 1
                text = entry.data.rstrip(b"\r\n").decode(encoding, "replace")
                try:
                    if clock is not None:
                        clock(datetime.fromtimestamp(entry.received_ns / 1e9, tz))
                    record = parse(text)
                except Exception as e:
                    self._quarantine(entry, text, e, batch)
                    continue
                if type(record) is CallRecord and record.direction in DIRECTIONS:
                    add_leg(entry, record, text, batch, pending, seen)
                elif record is None:
                    batch.ignored += 1
                elif type(record) is QueueEvent:
                    self._queue_event(entry, record, batch, seen)
                else:
                    self._quarantine(entry, text, NotACallRecord(f"driver gave {record!r:.200}"), batch)
        return batch, pending

    def _key(self, r: CallRecord, text: str, source: str) -> str:
        """The record's identity (registry.Driver.identity)."""
        try:
            return self.identity(r, text, source)
        except Exception:   # a driver bug must never stop the pipeline: the default identity then (logged once)
            if not self.identity_failed:
                log.exception("driver %s: identity failed on %r; using the line and its source", self.driver,
                              text[:200])
            self.identity_failed = True
            return registry.OPTIONAL["identity"](r, text, source)

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

    def _add_leg(self, entry: Entry, r: CallRecord, text: str, batch: Batch, pending: dict, seen: dict | None) -> None:
        # The hot path of every import, once per call record: fields read once into locals, the caches inline.
        source = entry.source
        tenant = self._tenant_of.get(source) or self.tenant_of(source)
        if not tenant:   # a source tenant_by_source does not map, and no [pbx] unmapped_tenant: whose calls?
            self._quarantine(entry, text, NotACallRecord(
                f"source {source!r} matches no [pbx] tenant_by_source prefix and [pbx] unmapped_tenant is "
                "not set: map it, then `callbox reprocess`"), batch)
            return
        start, offset = self.local_time(r.start)
        key, driver, window = r.call_key, self.driver, self.window
        direction, extension, party, trunk = r.direction, r.extension, r.party, r.trunk
        ring_s, talk_s, account_code = r.ring_s, r.talk_s, r.account_code
        # Flags go to SQLite as int: the sqlite3 module binds an exact int directly but looks a bool up in its
        # adapter registry first, which cost 0.4 us per value, about a tenth of an import.
        answered, transferred = 1 if r.answered else 0, 1 if r.transferred else 0
        jseg, joff = entry.ref
        leg_id = (jseg << 32) | joff   # ref_id(), inline
        # the CRC-32 of the tenant and the record's identity, the tenant's part cached (crc32 continues a CRC)
        prefix = self._prefix_crc.get(tenant)
        if prefix is None:
            prefix = self._prefix_crc[tenant] = crc32(f"{tenant}\x1f".encode())
        try:   # the driver's identity inline
            ident = crc32(self.identity(r, text, source).encode(), prefix)
        except Exception:
            ident = crc32(self._key(r, text, source).encode(), prefix)
        same: list[tuple[str, tuple]] | None = None
        if seen is not None:   # checking: the same start and identity stored (or earlier in the batch)?
            same = seen.get((start, ident))
            if same is None:
                same = seen[start, ident] = [(t, tuple(row)) for t, *row in store.db.execute_sql(_SAME_LEGS,
                                                                                                 (start, ident))]
            fields = (driver, key, start, offset, direction, extension, party, trunk, ring_s, talk_s, answered,
                      transferred, account_code)
            for other_tenant, other in same:
                if other_tenant == tenant and other[2:15] == fields:
                    batch.duplicates.append((leg_id, jseg, joff, other[0], driver))
                    return
            if same:   # the same start and CRC, another record: an identity above the others' (32 bits up)
                ident |= (max(other[-1] >> 32 for _, other in same) + 1) << 32
        call_id = None
        if key:   # the call this leg belongs to: one of this batch, one cached, or (past the cache) one stored
            hit = pending.get((tenant, key))
            if hit is not None and abs(hit[1] - start) <= window:
                call_id = hit[0]
            else:
                hit = self.cache.get((tenant, key))
                if hit is None:
                    if start - window < self.horizon:
                        call_id = self._find((tenant, key), start)
                elif abs(hit[1] - start) <= window:
                    call_id = hit[0]
        if call_id is None:
            call_id = leg_id   # a call is named after the entry of its first leg: stable across re-processing
            if self.pricer is None:   # its row copied from this leg's by SQLite with the tenant's tail (batch.py)
                tail = self._unpriced_tail.get(tenant)
                if tail is None:
                    tail = self._unpriced_tail[tenant] = _UNPRICED_ROW + (tenant,)
                ids = batch.copied_calls.get(tail)
                if ids is None:
                    ids = batch.copied_calls[tail] = []
                ids.append(call_id)
            else:
                batch.new_calls.append((call_id, driver, key, start, offset, direction, extension, party, trunk,
                                        ring_s, talk_s, answered, transferred, account_code, 1)
                                       + tuple(self.pricer.price(direction, party, start, talk_s, None, trunk))
                                       + (tenant,))
            if key:
                pending[(tenant, key)] = (call_id, start)
        else:
            batch.dirty.add(call_id)
        row = (leg_id, call_id, driver, key, start, offset, direction, extension, party, trunk, ring_s, talk_s,
               answered, transferred, account_code, jseg, joff, ident)
        batch.legs.append(row)
        if same is not None:   # checking: a later copy in this batch is a duplicate of this leg
            same.append((tenant, row))
        batch.days.add((start + offset) // 86400)
        if start > self.newest:
            self.newest = start

    def _queue_event(self, entry: Entry, ev: QueueEvent, batch: Batch, seen: dict | None) -> None:
        """A queue event is identified by all its fields (a queue_log line is its time, call, queue, agent, event
        and parameters): the same again is the same line sent or imported twice, and is not stored again."""
        at, _ = self.local_time(ev.time)
        fields = (self.driver, at, ev.call_key, ev.queue, ev.agent, ev.event, _json(list(ev.params)))
        ident = crc32("\x1f".join(map(str, fields)).encode())
        if seen is not None:   # checking, as for legs (_add_leg)
            same = seen.get(("queue", at, ident))
            if same is None:
                same = seen["queue", at, ident] = [tuple(r) for r in store.db.execute_sql(_SAME_QUEUE_EVENTS,
                                                                                          (at, ident))]
            for other in same:
                if other[1:8] == fields:
                    batch.duplicates.append((ref_id(entry.ref), entry.ref[0], entry.ref[1], other[0], self.driver))
                    return
            if same:   # the same time and CRC, other fields: an identity above the others' (32 bits up)
                ident |= (max(other[-1] >> 32 for other in same) + 1) << 32
        row = (ref_id(entry.ref), *fields, entry.ref[0], entry.ref[1], ident)
        batch.queue_events.append(row)
        if seen is not None:
            seen["queue", at, ident & 0xFFFFFFFF].append(row)

    def _event(self, entry: Entry, batch: Batch) -> None:
        try:
            ev = json.loads(entry.data)
            name, detail = str(ev.get("event", "")), str(ev.get("detail", ""))
            # the detail's key and fields (capture's TEXTS), for the web to say it in the reader's language
            text = json.dumps({"key": ev["key"], "fields": ev.get("fields") or {}}, ensure_ascii=False) \
                if isinstance(ev.get("key"), str) else ""
        except (ValueError, AttributeError):
            name, detail, text = "unreadable", entry.data[:200].decode("utf-8", "replace"), ""
        batch.events.append((ref_id(entry.ref), entry.received_ns, entry.source, name, detail, *entry.ref, text))

    def _write(self, batch: Batch, cursor: tuple[int, int] | None) -> None:
        try:
            write(batch, cursor, self.driver, self.segments, self.pricer)
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


def cursor() -> tuple[int, int]:
    row = store.Cursor.get_or_none(store.Cursor.name == CURSOR)
    return (row.seg, row.off) if row else (0, 0)


def parse_pending(journal_dir: Path, processor: Processor, limit: int = 5000) -> int:
    """Process up to `limit` journal entries after the cursor; return how many were processed."""
    with paused_gc():   # a batch's entries, records and rows, read, built and written
        entries = list(journal.read_from(journal_dir, cursor(), limit=limit))
        if entries:
            processor.process(entries)
    return len(entries)


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic GC paused: a batch allocates tens of thousands of acyclic objects (entries, records, row tuples),
    and each allocation past the GC's threshold would scan them again and again (about 8 % of an import's CPU).
    What is garbage is freed by reference counting meanwhile; a cycle, if any, at the next collection after."""
    if not gc.isenabled():   # nested, or paused by the caller
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
