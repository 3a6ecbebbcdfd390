"""The branch's outbox: the batch of changed calls to send next, built from sync_outbox, and its acknowledgement.

Each batch row is the call's current state (fields, price, tenant, legs) with its attribution as of the call's
time (person, department, branch in this box's directory), or its deletion when the call is gone (a reprocess
that merged it into another). A batch, once built, is stored (sync_batch) and resent byte for byte until the
central acknowledges it: a crash between sending and hearing the answer makes a resend the central recognises.
The batch also carries the changed queue calls of the call centre (sync_queue_outbox, store/sync_queue.py), each
as its current state or its deletion, up to as many again, and the changed member events (logins, logoffs, pauses:
sync_agent_outbox, store/sync_agent.py) likewise, and the changed evaluations (sync_evaluation_outbox,
store/sync_evaluation.py) when the central takes them (protocol 4; until then they wait in their outbox).
"""
from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass

from appliance import __version__
from appliance.reports.attribution import Attributor, person_label
from appliance.store import LEG_COLUMNS, Call, legs_of
from appliance.store.base import IMMEDIATE, db
from appliance.store.callcentre import QUEUE_CALL_COLUMNS
from appliance.store.sync import SyncBatch, SyncOutbox, get_state, set_state
from appliance.store.sync_agent import AGENT_FIELDS, SyncAgentOutbox
from appliance.store.sync_evaluation import EVALUATION_FIELDS, SyncEvaluationOutbox
from appliance.store.sync_queue import QUEUE_FIELDS, SyncQueueOutbox
from appliance.sync import wire

BATCH_ROWS = 2000
_LEG_FIELDS = tuple(c for c in LEG_COLUMNS if c != "call_id")


@dataclass(frozen=True)
class Pending:
    seq: int
    body: bytes
    outbox_hi: int
    rows: int
    snapshot_hi: int = 0
    queue_hi: int = 0
    agent_hi: int = 0
    evaluation_hi: int = 0


def pending_batch() -> Pending | None:
    row = SyncBatch.select().order_by(SyncBatch.seq).first()
    return None if row is None else Pending(row.seq, bytes(row.body), row.outbox_hi, row.rows, row.snapshot_hi,
                                            row.queue_hi, row.agent_hi, row.evaluation_hi)


def backlog() -> int:
    """Calls changed and not yet acknowledged by the central."""
    return db.execute_sql("SELECT COUNT(DISTINCT call_id) FROM sync_outbox").fetchone()[0]


def queue_backlog() -> int:
    """Queue calls changed and not yet acknowledged by the central."""
    return db.execute_sql("SELECT COUNT(DISTINCT qc_id) FROM sync_queue_outbox").fetchone()[0]


def _changed_rows(outbox: str, key: str, table: str, read: tuple[str, ...], kind: str, fields: tuple[str, ...],
                  max_rows: int, pbx_tenant: str) -> tuple[list[dict], int]:
    """The rows of `table` named by the outbox table `outbox` (column `key`: oldest changes first, each once), as
    upserts of `kind` with `fields` or deletes when gone, and the last outbox row they cover."""
    entries = db.execute_sql(f"SELECT seq, {key} FROM {outbox} ORDER BY seq LIMIT ?", (max_rows,)).fetchall()
    if not entries:
        return [], 0
    ids = list(dict.fromkeys(row_id for _seq, row_id in entries))
    found: dict[int, dict] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for r in db.execute_sql(f"SELECT {', '.join(read)} FROM {table} "
                                f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
            values = dict(zip(read, r))
            found[values.pop("id")] = values | {"tenant": pbx_tenant}
    rows = [{"rid": i, "op": "upsert", kind: {k: found[i][k] for k in fields}} if i in found
            else {"rid": i, "op": "delete"} for i in ids]
    return rows, entries[-1][0]


def _queue_rows(max_rows: int, pbx_tenant: str) -> tuple[list[dict], int]:
    """The changed queue calls' rows and the last queue outbox row they cover."""
    return _changed_rows("sync_queue_outbox", "qc_id", "queue_call", QUEUE_CALL_COLUMNS, "queue_call", QUEUE_FIELDS,
                         max_rows, pbx_tenant)


_EV_READ = ("id", "driver", "at_utc", "queue", "agent", "event", "params")


def _agent_rows(max_rows: int, pbx_tenant: str) -> tuple[list[dict], int]:
    """The changed member events' rows and the last agent outbox row they cover."""
    return _changed_rows("sync_agent_outbox", "ev_id", "queue_event", _EV_READ, "agent_event", AGENT_FIELDS,
                         max_rows, pbx_tenant)


_EVAL_READ = ("id", "queue_call_id", "queue", "agent", "entered_utc", "evaluator", "at_utc", "scores", "points",
              "max_points", "note")


def _evaluation_rows(max_rows: int, pbx_tenant: str) -> tuple[list[dict], int]:
    """The changed evaluations' rows and the last evaluation outbox row they cover."""
    return _changed_rows("sync_evaluation_outbox", "ev_id", "call_evaluation", _EVAL_READ, "evaluation",
                         EVALUATION_FIELDS, max_rows, pbx_tenant)


def evaluation_backlog() -> int:
    """Evaluations changed and not yet acknowledged by the central (waiting for it to take them, perhaps)."""
    return db.execute_sql("SELECT COUNT(DISTINCT ev_id) FROM sync_evaluation_outbox").fetchone()[0]


def _row(call: Call, legs: list, attributor: Attributor) -> dict:
    a = attributor.person(call.tenant, call.extension, call.start_utc)
    fields = {"driver": call.driver, "call_key": call.call_key, "start_utc": call.start_utc,
              "utc_offset": call.utc_offset, "direction": call.direction, "extension": call.extension,
              "party": call.party, "trunk": call.trunk, "ring_s": call.ring_s,
              "talk_s": call.talk_s, "answered": int(call.answered), "transferred": int(call.transferred),
              "account_code": call.account_code, "kind": call.kind, "number": call.number, "cost": call.cost,
              "currency": call.currency, "destination": call.destination, "tariff": call.tariff,
              "capped": int(call.capped), "tenant": call.tenant, "person": person_label(a),
              "department": (a.department or "") if a else "",
              "org_branch": (a.branch or "") if a else "",
              "legs": json.dumps([{k: (int(v) if isinstance(v, bool) else v)
                                   for k, v in zip(_LEG_FIELDS, (getattr(leg, c) for c in _LEG_FIELDS))}
                                  for leg in legs], ensure_ascii=False, separators=(",", ":"))}
    return {"rid": call.id, "op": "upsert", "call": fields}


def build(branch: str, pbx_tenant: str, max_rows: int = BATCH_ROWS, now: int | None = None,
          evaluations: bool = True) -> Pending | None:
    """Store the next batch (the oldest changes first, each call once) and return it; None when nothing changed.
    `evaluations`: the central takes them (protocol 4); else they stay in their outbox for a later batch.

    Read in one snapshot, so the outbox rows it covers and the call states it carries agree; stored in a short
    write transaction (the worker waits for it at most milliseconds)."""
    now = int(time.time()) if now is None else now
    with db.atomic():
        entries = db.execute_sql("SELECT seq, call_id FROM sync_outbox ORDER BY seq LIMIT ?", (max_rows,)).fetchall()
        queue_rows, queue_hi = _queue_rows(max_rows, pbx_tenant)
        agent_rows, agent_hi = _agent_rows(max_rows, pbx_tenant)
        evaluation_rows, evaluation_hi = _evaluation_rows(max_rows, pbx_tenant) if evaluations else ([], 0)
        if not entries and not queue_rows and not agent_rows and not evaluation_rows:
            return None
        hi = entries[-1][0] if entries else 0
        # later notes of the same calls, already in this snapshot, are carried too: acknowledged with the batch,
        # so a call whose notes straddle two batches is not sent twice
        snapshot_hi = db.execute_sql("SELECT MAX(seq) FROM sync_outbox").fetchone()[0] or 0
        ids = list(dict.fromkeys(call_id for _seq, call_id in entries))
        calls = {c.id: c for i in range(0, len(ids), 500) for c in Call.select().where(Call.id.in_(ids[i:i + 500]))}
        legs = legs_of(list(calls))
        attributor = Attributor(pbx_tenant)
        rows = [_row(calls[i], legs.get(i, []), attributor) if i in calls else {"rid": i, "op": "delete"}
                for i in ids]
    with db.atomic(IMMEDIATE):
        seq = int(get_state("next_seq", "1"))
        body = wire.encode(branch, seq, __version__, now, rows, queue_rows, agent_rows, pbx_tenant, evaluation_rows)
        SyncBatch.create(seq=seq, body=body, outbox_hi=hi, snapshot_hi=snapshot_hi, rows=len(rows), created_utc=now,
                         queue_hi=queue_hi, agent_hi=agent_hi, evaluation_hi=evaluation_hi)
        set_state(next_seq=seq + 1)
    return Pending(seq, body, hi, len(rows), snapshot_hi, queue_hi, agent_hi, evaluation_hi)


def acknowledged(batch: Pending, now: int | None = None) -> None:
    """The central applied `batch`: forget it and the changes it carried (later changes of the same calls stay)."""
    now = int(time.time()) if now is None else now
    with db.atomic(IMMEDIATE):
        SyncOutbox.delete().where(SyncOutbox.seq <= batch.outbox_hi).execute()
        if batch.queue_hi:
            SyncQueueOutbox.delete().where(SyncQueueOutbox.seq <= batch.queue_hi).execute()
        if batch.agent_hi:
            SyncAgentOutbox.delete().where(SyncAgentOutbox.seq <= batch.agent_hi).execute()
        if batch.evaluation_hi:
            SyncEvaluationOutbox.delete().where(SyncEvaluationOutbox.seq <= batch.evaluation_hi).execute()
        if batch.snapshot_hi > batch.outbox_hi and batch.rows:
            rids = [r["rid"] for r in json.loads(zlib.decompress(batch.body))["rows"]]
            for i in range(0, len(rids), 500):
                SyncOutbox.delete().where(SyncOutbox.seq <= batch.snapshot_hi,
                                          SyncOutbox.call_id.in_(rids[i:i + 500])).execute()
        SyncBatch.delete().where(SyncBatch.seq == batch.seq).execute()
        set_state(last_success_utc=now, last_error="", last_error_utc="")


def contacted(now: int | None = None) -> None:
    """The central answered (with nothing to send): the link works."""
    with db.atomic(IMMEDIATE):
        set_state(last_success_utc=int(time.time()) if now is None else now, last_error="", last_error_utc="")


def renumber(expected: int) -> None:
    """The central expects batch `expected` where this box has another (its database was restored or rebuilt and
    its sequence went back): drop the stored batch (its changes are still in the outbox) and go on from there.
    Upserts are keyed by call, so the calls sent again are the branch's current state, never duplicates."""
    with db.atomic(IMMEDIATE):
        SyncBatch.delete().execute()
        set_state(next_seq=expected)


def failed(error: str, now: int | None = None) -> None:
    with db.atomic(IMMEDIATE):
        set_state(last_error=error, last_error_utc=int(time.time()) if now is None else now)
