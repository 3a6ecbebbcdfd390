"""The central's concurrency roll-up (issue 18): per UTC quarter hour, the most calls up at once and the occupied
line-seconds of every branch box's received calls together, for each direction and for all but "system" (the
concurrency report's rule, appliance/reports/concurrency.py), so the consolidated concurrency and busy hour read a
row per quarter instead of sweeping every call (appliance/reports/received_occupancy.py reads and refreshes it).

A quarter's figures depend on every call up in it, of any box: they cannot be kept by adding and taking away as a
batch changes a call (the most calls up at once is no sum). So a batch only notes, in its own transaction, the UTC
days of the calls whose span it changed (started, moved, lengthened, shortened, deleted) in
`central_occupancy_dirty`; the receiver recomputes those days' quarters from the calls soon after, and until then a
report computes them from the calls. Calls longer than the report's look-back (a day) count in a range only when
they began less than a day before it: they are kept out of the quarters and listed in `central_long_call`, and a
range one reaches is computed from the calls. Day -1 in the dirty list: every day (a central from before the roll-up,
or a bulk load). SQLite or PostgreSQL, as central_call.
"""
from __future__ import annotations

from collections import Counter

from peewee import BigAutoField, BigIntegerField, IntegerField, Model, TextField

from appliance.store.central_db import central_db, execute, sql

QUARTER = 900
LOOKBACK_S = 86400          # concurrency.LOOKBACK_S (a test keeps them the same)
EVERY_DAY = -1
COLUMNS = ("any", "in", "out", "internal", "system")     # the directions' columns; "any": all but system


class CentralOccupancy(Model):
    """A quarter hour's most calls up at once and busy line-seconds, per direction column (COLUMNS)."""
    start = BigIntegerField(primary_key=True)     # the quarter's first second (UTC epoch)
    peak_any = IntegerField(default=0)
    busy_any = BigIntegerField(default=0)
    peak_in = IntegerField(default=0)
    busy_in = BigIntegerField(default=0)
    peak_out = IntegerField(default=0)
    busy_out = BigIntegerField(default=0)
    peak_internal = IntegerField(default=0)
    busy_internal = BigIntegerField(default=0)
    peak_system = IntegerField(default=0)
    busy_system = BigIntegerField(default=0)

    class Meta:
        database = central_db
        table_name = "central_occupancy"


class CentralOccupancyDirty(Model):
    """A UTC day (epoch day) whose calls' spans changed since its quarters were computed; -1: every day."""
    id = BigAutoField()
    day = BigIntegerField()

    class Meta:
        database = central_db
        table_name = "central_occupancy_dirty"


class CentralLongCall(Model):
    """A received call longer than the look-back: out of the quarters (a report near it reads the calls)."""
    branch = TextField()
    rid = BigIntegerField()
    start_utc = BigIntegerField()
    end_utc = BigIntegerField()

    class Meta:
        database = central_db
        table_name = "central_long_call"
        indexes = ((("branch", "rid"), True), (("start_utc",), False))


MODELS = (CentralOccupancy, CentralOccupancyDirty, CentralLongCall)


def note_batch(branch: str, old: list[tuple], new: list[tuple], rids: list[int]) -> None:
    """In a batch's transaction: the days of the calls whose span it changes are dirty, and its long calls listed.
    `old`: the spans (start, ring_s, talk_s, direction) of its calls as stored before it, `new` (rid, start, ring_s,
    talk_s, direction) of its upserts."""
    before, after = Counter(old), Counter(s[1:] for s in new)
    changed = (before - after) + (after - before)       # a re-rate or re-attribution changes no span
    days = sorted({start // 86400 for start, ring, talk, _d in changed if ring + talk > 0})
    if days:
        CentralOccupancyDirty.insert_many([(d,) for d in days], fields=[CentralOccupancyDirty.day]).execute()
    if any(ring + talk > LOOKBACK_S for _s, ring, talk, _d in changed):
        for lo in range(0, len(rids), 500):
            CentralLongCall.delete().where(CentralLongCall.branch == branch,
                                           CentralLongCall.rid.in_(rids[lo:lo + 500])).execute()
        long = [(branch, rid, start, start + ring + talk) for rid, start, ring, talk, _d in new
                if ring + talk > LOOKBACK_S]
        if long:
            CentralLongCall.insert_many(long, fields=[CentralLongCall.branch, CentralLongCall.rid,
                                                      CentralLongCall.start_utc, CentralLongCall.end_utc]).execute()


def ensure() -> None:
    """After the central's tables were created: a roll-up that is empty, with nothing noted, while calls exist (a
    central of an older release) is made whole by the receiver (every day dirty)."""
    if (not execute("SELECT 1 FROM central_occupancy LIMIT 1")
            and not execute("SELECT 1 FROM central_occupancy_dirty LIMIT 1")
            and execute("SELECT 1 FROM central_call LIMIT 1")):
        CentralOccupancyDirty.create(day=EVERY_DAY)


def rebuild_long_calls() -> None:
    """central_long_call again from every received call (with every day dirty)."""
    CentralLongCall.delete().execute()
    central_db.execute_sql(sql("INSERT INTO central_long_call (branch, rid, start_utc, end_utc) SELECT branch, rid, "
                               "start_utc, start_utc + ring_s + talk_s FROM central_call WHERE ring_s + talk_s > "
                               f"{LOOKBACK_S}"))
