"""A central's missed-call facts of its branch boxes' incoming calls (issue 18): the outcome of each received incoming
call at each extension it rang, worked out once when the call arrives (appliance/reports/received_missed.py, in
the batch's transaction), so the missed-calls report sums them in SQL instead of reading every call's legs.

One row per (call, extension it rang) with that extension's state and ring, and one row per call (ext "") with the
caller's outcome and wait (state "" when it rang no person: counted nowhere). `owner`/`name` are the person the
branch attributed the call to when the leg rang the call's own extension ("" otherwise). Rows follow their call:
a re-sent call replaces them, a deleted one takes them away. central_branch.missed_built says a box's rows cover
all its calls (a central of an older release fills them once, at its receiver's start).
"""
from __future__ import annotations

from peewee import BigAutoField, BigIntegerField, TextField

from appliance.store.base import Base
from appliance.store.central_db import central_db


class CentralMissed(Base):
    id = BigAutoField()
    branch = TextField()
    rid = BigIntegerField()
    tenant = TextField(default="")
    start_utc = BigIntegerField()
    ext = TextField(default="")          # the extension rung; "" = the call's own row (the caller's outcome)
    owner = TextField(default="")        # the attributed person's id when `ext` is the call's own extension
    name = TextField(default="")         # their name
    state = TextField(default="")        # missed.ANSWERED, ELSEWHERE, MISSED_DIRECT, MISSED_TRANSFERRED ("" none)
    ring_s = BigIntegerField(default=0)  # the ring here; for the call's row, the caller's wait

    class Meta:
        table_name = "central_missed"
        database = central_db
        indexes = ((("branch", "rid"), False), (("start_utc",), False))


MISSED_COLUMNS = tuple(f.column_name for f in CentralMissed._meta.sorted_fields if f.name != "id")
