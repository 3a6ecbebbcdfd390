"""Branch → central sync tables: the branch's outbox and send state, the central's branches and received calls.

Branch side: triggers (installed at enrolment, install_triggers) note every insert, update and delete of a call or
leg in `sync_outbox`, in the same transaction as the change, so whatever changes a call (the worker, a rerate, a
reprocess) is sent again as an update of the same row; `sync_batch` holds the one batch being sent until the central
acknowledges it (resent byte for byte after a crash or an outage). Central side: `central_branch` (enrolment,
credentials, the last batch applied) and `central_call` (the branches' calls, keyed by branch + the branch's row id).
Times are integer UTC epoch seconds.
"""
from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

from peewee import DatabaseError, InterfaceError
from peewee import BigAutoField, BigIntegerField, BlobField, IntegerField, TextField

from appliance.store.base import Base, db
from appliance.store.central_db import central_db, connection
from appliance.store.central_missed import CentralMissed
from appliance.store.central_month import CentralMonth, CentralMonthState
from appliance.store.central_occupancy import MODELS as OCCUPANCY_MODELS
from appliance.store.sync_agent import BACKFILL as AGENT_BACKFILL
from appliance.store.sync_agent import TRIGGERS as AGENT_TRIGGERS
from appliance.store.sync_agent import CentralAgentEvent, SyncAgentOutbox
from appliance.store.sync_evaluation import BACKFILL as EVALUATION_BACKFILL
from appliance.store.sync_evaluation import TRIGGERS as EVALUATION_TRIGGERS
from appliance.store.sync_evaluation import CentralEvaluation, SyncEvaluationOutbox
from appliance.store.sync_queue import BACKFILL as QUEUE_BACKFILL
from appliance.store.sync_queue import TRIGGERS as QUEUE_TRIGGERS
from appliance.store.sync_queue import CentralQueueCall, SyncQueueOutbox
from appliance.store.sync_snapshot import TRIGGERS as SNAPSHOT_TRIGGERS
from appliance.store.sync_snapshot import CentralSnapshot

log = logging.getLogger(__name__)


class SyncOutbox(Base):
    """A call (id) changed on this branch since it was last sent; filled by triggers."""
    seq = IntegerField(primary_key=True)
    call_id = IntegerField()

    class Meta:
        table_name = "sync_outbox"


class SyncBatch(Base):
    """The batch being sent (at most one row): resent as it is until acknowledged, then deleted with its outbox rows."""
    seq = IntegerField(primary_key=True)   # the branch's batch sequence number (1, 2, ...)
    body = BlobField()                     # the compressed batch as sent (appliance/sync/wire.py)
    outbox_hi = IntegerField()             # the outbox rows it covers: seq <= outbox_hi, ...
    snapshot_hi = IntegerField(default=0)  # ... and those of its calls up to this (their state is in the batch)
    queue_hi = IntegerField(default=0)     # the queue outbox rows it covers: seq <= queue_hi (store/sync_queue.py)
    agent_hi = IntegerField(default=0)     # the agent event outbox rows it covers (store/sync_agent.py)
    evaluation_hi = IntegerField(default=0)   # the evaluation outbox rows it covers (store/sync_evaluation.py)
    rows = IntegerField()
    created_utc = IntegerField()

    class Meta:
        table_name = "sync_batch"


class SyncState(Base):
    """The branch's sync bookkeeping, one value per key: next_seq, last_success_utc, last_error, last_error_utc."""
    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "sync_state"


class CentralBranch(Base):
    """A branch box enrolled on this central: its one-time token (hashed), its certificate, the last batch applied.

    `name` is its stable identity (ASCII: its certificate's name, the key of its calls); `label` the name people
    read (Unicode, may change); `unit` the central directory's branch it is (Branch.id: a rename there keeps it),
    which decides the branch users who see its calls."""
    name = TextField(primary_key=True)
    label = TextField(default="")          # the display name ("" = the name)
    unit = BigIntegerField(null=True)      # the central directory's branch (id) this box is; NULL = not linked
    token_hash = TextField(default="")     # SHA-256 hex of the enrolment token; "" once used
    token_expires_utc = BigIntegerField(default=0)
    cert_serial = TextField(default="")    # the serial (hex) of the one client certificate accepted for it
    revoked = IntegerField(default=0)
    last_seq = BigIntegerField(default=0)     # the last batch applied
    last_digest = TextField(default="")    # its SHA-256: a resend of it is acknowledged, not applied again
    last_batch_utc = BigIntegerField(default=0)
    last_record_utc = BigIntegerField(default=0)   # the newest call start received
    last_seen_utc = BigIntegerField(default=0)     # its last request (a batch or a hello): the link's state
    version = TextField(default="")        # the branch's release, from its last batch
    pending = BigIntegerField(default=0)        # its backlog (calls not yet sent), as it last said
    journal_bytes = BigIntegerField(default=0)  # its raw journal's size on its flash, as it last said
    quarantined = BigIntegerField(default=0)    # its quarantined lines, as it last said
    tariffs = TextField(default="")             # the tariff versions pricing its calls (appliance/sync/versions.py)
    tariffs_changed_utc = BigIntegerField(default=0)     # when they last changed, as seen here
    directory = TextField(default="")           # its directory's version
    directory_changed_utc = BigIntegerField(default=0)
    missed_built = IntegerField(default=0)      # 1: its incoming calls' missed-call facts are all in central_missed
    pbx_tenant = TextField(default="")          # its [pbx] tenant, as its last batch said: a call's empty tenant
    created_utc = BigIntegerField()

    class Meta:
        table_name = "central_branch"
        database = central_db   # SQLite (this box's) or PostgreSQL: store/central_db.py


class CentralCall(Base):
    """A branch's call as the branch last sent it: its fields, price, attribution as of the call, and legs (JSON)."""
    id = BigAutoField()                    # SQLite's INTEGER PRIMARY KEY (rowid); PostgreSQL's BIGSERIAL
    branch = TextField()
    rid = BigIntegerField()                   # the call's id on its branch (stable: the journal reference of its leg)
    driver = TextField(default="")
    call_key = TextField(default="")
    start_utc = BigIntegerField()
    utc_offset = IntegerField()
    direction = TextField()
    extension = TextField()
    party = TextField()
    trunk = TextField()
    ring_s = IntegerField()
    talk_s = IntegerField()
    answered = IntegerField()
    transferred = IntegerField()
    account_code = TextField()
    kind = TextField(default="")
    number = TextField(default="")
    cost = TextField(null=True)            # exact decimal text, as on the branch
    currency = TextField(default="")
    destination = TextField(default="")
    tariff = TextField(default="")
    capped = IntegerField(default=0)
    tenant = TextField(default="")
    person = TextField(default="")         # the directory's attribution on the branch, as of the call
    department = TextField(default="")
    org_branch = TextField(default="")     # the person's branch in the branch box's directory
    legs = TextField(default="[]")         # JSON list of the legs as the branch stores them

    class Meta:
        table_name = "central_call"
        database = central_db
        indexes = ((("branch", "rid"), True), (("start_utc",), False))


MODELS_CENTRAL = (CentralBranch, CentralCall, CentralMonth, CentralQueueCall, CentralSnapshot, CentralAgentEvent,
                  CentralMissed, CentralMonthState, CentralEvaluation) + OCCUPANCY_MODELS
MODELS_SYNC = (SyncOutbox, SyncBatch, SyncState, SyncQueueOutbox, SyncAgentOutbox,
               SyncEvaluationOutbox) + MODELS_CENTRAL
# the central_call columns a batch row fills (all but id)
CENTRAL_CALL_COLUMNS = tuple(f.column_name for f in CentralCall._meta.sorted_fields if f.name != "id")


def same_name(a: str, b: str) -> bool:
    """Two names written the same (Unicode NFC, case folded): "İzmir" is "İZMİR", not "izmir"."""
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()


def box_labels() -> dict[str, str]:
    """Each branch box's display name by its identity (call inside central_db.connection())."""
    return {r.name: r.label or r.name for r in CentralBranch.select(CentralBranch.name, CentralBranch.label)}


def _boxes_of_unit(unit: int | None, unit_name: str) -> tuple[str, ...]:
    """The branch boxes that are the central directory's branch `unit` (named `unit_name` now): those linked to it,
    and those not linked to any whose display name (or identity) is written as it is. Sorted."""
    with connection():
        return tuple(sorted(r.name for r in CentralBranch.select(CentralBranch.name, CentralBranch.label,
                                                                 CentralBranch.unit)
                            if r.unit == unit or (r.unit is None and bool(unit_name)
                                                  and same_name(r.label or r.name, unit_name))))


def boxes_of_unit(unit: int | None, unit_name: str) -> tuple[str, ...]:
    """_boxes_of_unit; none while the central's database cannot be read (PostgreSQL down: the user's own box's
    pages still work, without the received calls)."""
    try:
        return _boxes_of_unit(unit, unit_name)
    except (DatabaseError, InterfaceError) as e:
        log.warning("the central's branch boxes cannot be read: %s", str(e).strip())
        return ()


def _during(r: str, c: str = "c") -> str:
    """A period [valid_from, valid_to) of a directory row `r` (NULL: unbounded), as a condition on call `c`'s start."""
    # unary + keeps the planner off the start_utc index (a period is mostly unbounded): the calls are looked up by
    # their extension (index call_extension_start), then filtered by start
    return (f"+{c}.start_utc >= COALESCE({r}.valid_from, -9223372036854775807) "
            f"AND +{c}.start_utc < COALESCE({r}.valid_to, 9223372036854775807)")


# The calls whose attribution a directory row `r` may change (tenants are not matched: a call sent once more is
# harmless, one left out is not). CROSS JOIN: SQLite keeps the order of the tables, the call table last, so
# it is looked up by extension, not scanned; +e.extension drops the column's TEXT affinity, which the index
# expression has not (with it, SQLite cannot use the index).
_EXTENSION_CALLS = "SELECT c.id FROM call c WHERE TRIM(c.extension) = +{r}.extension AND " + _during("{r}")
_PLACEMENT_CALLS = ("SELECT c.id FROM extension_assignment e CROSS JOIN call c ON TRIM(c.extension) = +e.extension "
                    "WHERE e.person_id = {r}.person_id AND " + _during("{r}"))
_PERSON_CALLS = ("SELECT c.id FROM extension_assignment e CROSS JOIN call c ON TRIM(c.extension) = +e.extension "
                 "WHERE e.person_id = NEW.id")
_NAMED_CALLS = ("SELECT c.id FROM placement p CROSS JOIN extension_assignment e ON e.person_id = p.person_id "
                "CROSS JOIN call c ON TRIM(c.extension) = +e.extension WHERE p.{kind}_id = NEW.id AND " + _during("p"))


def _trigger_sql() -> list[tuple[str, str]]:
    """(name, body) of every trigger that notes a changed call in sync_outbox."""
    out = [(f"sync_{table}_{op[:3].lower()}", f"AFTER {op} ON {table} BEGIN INSERT INTO sync_outbox (call_id) "
            f"VALUES ({row}.{column}); END")
           for table, column in (("call", "id"), ("leg", "call_id"))
           for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))]
    # directory corrections: the calls they re-attribute are sent again (attribution as of the call)
    for table, select in (("extension_assignment", _EXTENSION_CALLS), ("placement", _PLACEMENT_CALLS)):
        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            inserts = " ".join(f"INSERT INTO sync_outbox (call_id) {select.format(r=r)};" for r in rows)
            out.append((f"sync_{table}_{op[:3].lower()}", f"AFTER {op} ON {table} BEGIN {inserts} END"))
    out.append(("sync_person_upd", "AFTER UPDATE OF external_id, first_name, last_name ON person BEGIN "
                f"INSERT INTO sync_outbox (call_id) {_PERSON_CALLS}; END"))
    for kind in ("department", "branch"):
        out.append((f"sync_{kind}_upd", f"AFTER UPDATE OF name ON {kind} BEGIN "
                    f"INSERT INTO sync_outbox (call_id) {_NAMED_CALLS.format(kind=kind)}; END"))
    # the call centre's queue calls (store/sync_queue.py), agent events (store/sync_agent.py) and evaluations
    # (store/sync_evaluation.py); the directory's and tariffs' generations
    return out + QUEUE_TRIGGERS + AGENT_TRIGGERS + EVALUATION_TRIGGERS + SNAPSHOT_TRIGGERS


def install_triggers(backfill: bool, queue_backfill: bool | None = None, agent_backfill: bool | None = None,
                     evaluation_backfill: bool | None = None) -> None:
    """Note every later change of a call or leg, and every directory correction's calls, in sync_outbox, of a
    queue call in sync_queue_outbox, of a member event in sync_agent_outbox and of an evaluation in
    sync_evaluation_outbox (a branch, from its enrolment on); with `backfill`, queue every call already stored too,
    and with `queue_backfill`, `agent_backfill` and `evaluation_backfill` (default: as `backfill`) every queue call,
    member event and evaluation."""
    with db.atomic("IMMEDIATE"):
        for name, body in _trigger_sql():
            db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        if backfill:
            db.execute_sql("INSERT INTO sync_outbox (call_id) SELECT id FROM call ORDER BY start_utc, id")
        if backfill if queue_backfill is None else queue_backfill:
            db.execute_sql(QUEUE_BACKFILL)
        if backfill if agent_backfill is None else agent_backfill:
            db.execute_sql(AGENT_BACKFILL)
        if backfill if evaluation_backfill is None else evaluation_backfill:
            db.execute_sql(EVALUATION_BACKFILL)


def ensure_triggers(data_dir: Path) -> None:
    """On an enrolled branch (<data>/sync/central.json), the triggers exist: a database made again (`callbox db
    rebuild`) or by an older release gets them, with every call it holds queued."""
    if not (Path(data_dir) / "sync" / "central.json").exists():
        return
    have = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    if not have >= {name for name, _ in _trigger_sql()}:
        # a branch enrolled by a release before the queue calls (agent events, evaluations) were sent: they are
        # queued now
        install_triggers(backfill=not triggers_installed(), queue_backfill=QUEUE_TRIGGERS[0][0] not in have,
                         agent_backfill=AGENT_TRIGGERS[0][0] not in have,
                         evaluation_backfill=EVALUATION_TRIGGERS[0][0] not in have)


def triggers_installed() -> bool:
    return db.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'sync_call_ins'"
                          ).fetchone() is not None


def get_state(key: str, default: str = "") -> str:
    row = SyncState.get_or_none(SyncState.key == key)
    return row.value if row else default


def set_state(**values: object) -> None:
    """Set sync_state keys (call inside a transaction to make it part of one)."""
    for key, value in values.items():
        SyncState.insert(key=key, value=str(value)).on_conflict_replace().execute()
