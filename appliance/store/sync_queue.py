"""Branch → central sync of the call centre's queue calls (APP-1 with CC-2): the branch's queue outbox and the
central's received queue calls.

A branch's queue calls (queue_call, derived from its queue_log by the worker) travel like its calls: triggers note
every insert, update and delete in `sync_queue_outbox` in the same transaction, the batch carries each changed queue
call's current state (or its deletion), and the central keeps them in `central_queue_call`, keyed by branch + the
branch's queue call id (its ENTERQUEUE event's id), so a journey rebuilt on the branch replaces its row. The
central's call-centre pages compute the same KPIs over them (appliance/callcentre/received.py).
"""
from __future__ import annotations

from peewee import BigAutoField, BigIntegerField, IntegerField, TextField

from appliance.store.base import Base
from appliance.store.callcentre import QUEUE_CALL_COLUMNS
from appliance.store.central_db import central_db

# a queue call row's fields on the wire: queue_call's columns but its id (the row's rid), and the branch's tenant
QUEUE_FIELDS = tuple(c for c in QUEUE_CALL_COLUMNS if c != "id") + ("tenant",)
QUEUE_NULLABLE = {"position", "wait_s", "ring_s", "talk_s", "exit_position", "end_utc", "closed"}
QUEUE_INTS = {"entered_utc", "seen_enter", "rna"} | QUEUE_NULLABLE


class SyncQueueOutbox(Base):
    """A queue call (id) changed on this branch since it was last sent; filled by triggers."""
    seq = IntegerField(primary_key=True)
    qc_id = IntegerField()

    class Meta:
        table_name = "sync_queue_outbox"


class CentralQueueCall(Base):
    """A branch's queue call as the branch last sent it (the columns of queue_call, store/callcentre.py)."""
    id = BigAutoField()
    branch = TextField()
    rid = BigIntegerField()                # the queue call's id on its branch (its ENTERQUEUE event's)
    tenant = TextField(default="")         # the branch box's own tenant ([pbx] tenant): its PBX's queues
    driver = TextField(default="")
    call_key = TextField(default="")
    queue = TextField()
    entered_utc = BigIntegerField()
    seen_enter = IntegerField()
    caller = TextField(default="")
    url = TextField(default="")
    did = TextField(default="")
    position = IntegerField(null=True)
    outcome = TextField(default="")
    wait_s = IntegerField(null=True)
    agent = TextField(default="")
    ring_s = IntegerField(null=True)
    bridged = TextField(default="")
    end_event = TextField(default="")
    talk_s = IntegerField(null=True)
    transfer_to = TextField(default="")
    exit_key = TextField(default="")
    exit_position = IntegerField(null=True)
    end_utc = BigIntegerField(null=True)
    rings = TextField(default="[]")
    rna = IntegerField(default=0)
    problems = TextField(default="")
    closed = IntegerField(null=True)

    class Meta:
        table_name = "central_queue_call"
        database = central_db
        indexes = ((("branch", "rid"), True), (("entered_utc",), False), (("branch", "queue", "entered_utc"), False))


CENTRAL_QUEUE_COLUMNS = tuple(f.column_name for f in CentralQueueCall._meta.sorted_fields if f.name != "id")
assert set(CENTRAL_QUEUE_COLUMNS) == set(QUEUE_FIELDS) | {"branch", "rid"}

TRIGGERS = [(f"sync_queue_call_{op[:3].lower()}", f"AFTER {op} ON queue_call BEGIN INSERT INTO sync_queue_outbox "
             f"(qc_id) VALUES ({row}.id); END")
            for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))]
BACKFILL = "INSERT INTO sync_queue_outbox (qc_id) SELECT id FROM queue_call ORDER BY entered_utc, id"
