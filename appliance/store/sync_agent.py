"""Branch → central sync of the call centre's agent events (APP-1 with CC-2): the member events of a branch's queue
log (logins, logoffs, pauses with their reason, unpauses) and the central's received copies.

A branch's member events (queue_event rows whose event is one of AGENT_EVENTS) travel like its queue calls: triggers
note every insert, update and delete of one in `sync_agent_outbox` in the same transaction, the batch carries each
changed event's current state (or its deletion), and the central keeps them in `central_agent_event`, keyed by
branch + the branch's queue event id (its journal reference: stable across a rebuild), so an event sent again
replaces its row. The central's agent reports walk them as the branch's own walk its events
(appliance/callcentre/received_agents.py).
"""
from __future__ import annotations

from peewee import BigAutoField, BigIntegerField, IntegerField, TextField

from appliance.store.base import Base
from appliance.store.central_db import central_db

# the member events (appliance/callcentre/agents.py MEMBER_EVENTS: a test keeps them the same)
AGENT_EVENTS = ("AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER", "AGENTLOGOFF", "AGENTCALLBACKLOGOFF", "REMOVEMEMBER",
                "PAUSE", "PAUSEALL", "UNPAUSE", "UNPAUSEALL")
# an agent event's fields on the wire: queue_event's but its id (the row's rid) and journal place, and the tenant
AGENT_FIELDS = ("driver", "at_utc", "queue", "agent", "event", "params", "tenant")
AGENT_INTS = {"at_utc"}


class SyncAgentOutbox(Base):
    """A member event (queue_event id) changed on this branch since it was last sent; filled by triggers."""
    seq = IntegerField(primary_key=True)
    ev_id = IntegerField()

    class Meta:
        table_name = "sync_agent_outbox"


class CentralAgentEvent(Base):
    """A branch's member event as the branch last sent it (queue_event's columns, store/calls.py)."""
    id = BigAutoField()
    branch = TextField()
    rid = BigIntegerField()            # the event's id on its branch (its journal reference)
    tenant = TextField(default="")     # the branch box's own tenant ([pbx] tenant)
    driver = TextField(default="")
    at_utc = BigIntegerField()
    queue = TextField(default="")
    agent = TextField(default="")
    event = TextField()
    params = TextField(default="[]")   # JSON list of the event's parameters as printed

    class Meta:
        table_name = "central_agent_event"
        database = central_db
        indexes = ((("branch", "rid"), True), (("branch", "at_utc"), False))


CENTRAL_AGENT_COLUMNS = tuple(f.column_name for f in CentralAgentEvent._meta.sorted_fields if f.name != "id")
assert set(CENTRAL_AGENT_COLUMNS) == set(AGENT_FIELDS) | {"branch", "rid"}

_IN = "({row}.event IN (" + ", ".join(f"'{e}'" for e in AGENT_EVENTS) + "))"
TRIGGERS = [(f"sync_agent_event_{op[:3].lower()}", f"AFTER {op} ON queue_event WHEN {when} BEGIN INSERT INTO "
             f"sync_agent_outbox (ev_id) VALUES ({row}.id); END")
            for op, row, when in (("INSERT", "NEW", _IN.format(row="NEW")),
                                  ("UPDATE", "NEW", f"{_IN.format(row='NEW')} OR {_IN.format(row='OLD')}"),
                                  ("DELETE", "OLD", _IN.format(row="OLD")))]
BACKFILL = (f"INSERT INTO sync_agent_outbox (ev_id) SELECT id FROM queue_event WHERE {_IN.format(row='queue_event')} "
            "ORDER BY at_utc, id")
