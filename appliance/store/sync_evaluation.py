"""Branch → central sync of the call centre's evaluations (APP-1 with CC-5): a supervisor's scores of a queue call
(call_evaluation, store/callcentre.py) on the branch, and the central's received copies.

They travel as the queue calls do: triggers note every insert, update and delete of an evaluation in
`sync_evaluation_outbox` in the same transaction, the batch carries each changed evaluation's current state (or its
deletion; protocol 4, appliance/sync/wire.py), and the central keeps them in `central_call_evaluation`, keyed by
branch + the evaluation's id on its branch, so an evaluation edited on the branch replaces its row, never adds one.
The queue call it scores is the branch's queue call `queue_call_id` (central_queue_call.rid of the same branch).
"""
from __future__ import annotations

from peewee import BigAutoField, BigIntegerField, IntegerField, TextField

from appliance.store.base import Base
from appliance.store.central_db import central_db

# an evaluation's fields on the wire: call_evaluation's columns but its id (the row's rid), and the branch's tenant
EVALUATION_FIELDS = ("queue_call_id", "queue", "agent", "entered_utc", "evaluator", "at_utc", "scores", "points",
                     "max_points", "note", "tenant")
EVALUATION_INTS = {"queue_call_id", "entered_utc", "at_utc", "points", "max_points"}


class SyncEvaluationOutbox(Base):
    """An evaluation (call_evaluation id) changed on this branch since it was last sent; filled by triggers."""
    seq = IntegerField(primary_key=True)
    ev_id = IntegerField()

    class Meta:
        table_name = "sync_evaluation_outbox"


class CentralEvaluation(Base):
    """A branch's call evaluation as the branch last sent it (call_evaluation's columns, store/callcentre.py)."""
    id = BigAutoField()
    branch = TextField()
    rid = BigIntegerField()                # the evaluation's id on its branch
    tenant = TextField(default="")         # the branch box's own tenant ([pbx] tenant)
    queue_call_id = BigIntegerField()      # the branch's queue call it scores (central_queue_call.rid)
    queue = TextField(default="")
    agent = TextField(default="")
    entered_utc = BigIntegerField()
    evaluator = TextField(default="")
    at_utc = BigIntegerField()
    scores = TextField(default="{}")       # JSON {"form": [[criterion, most], ...], "points": {criterion: points}}
    points = IntegerField()
    max_points = IntegerField()
    note = TextField(default="")

    class Meta:
        table_name = "central_call_evaluation"
        database = central_db
        indexes = ((("branch", "rid"), True), (("entered_utc",), False))


CENTRAL_EVALUATION_COLUMNS = tuple(f.column_name for f in CentralEvaluation._meta.sorted_fields if f.name != "id")
assert set(CENTRAL_EVALUATION_COLUMNS) == set(EVALUATION_FIELDS) | {"branch", "rid"}

TRIGGERS = [(f"sync_call_evaluation_{op[:3].lower()}", f"AFTER {op} ON call_evaluation BEGIN INSERT INTO "
             f"sync_evaluation_outbox (ev_id) VALUES ({row}.id); END")
            for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))]
BACKFILL = "INSERT INTO sync_evaluation_outbox (ev_id) SELECT id FROM call_evaluation ORDER BY at_utc, id"
