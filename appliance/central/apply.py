"""Applying a branch's batch on the central: all of it in one transaction, exactly once, in sequence.

The batch's rows are upserts and deletes keyed by (branch, the branch's row id), so a call re-rated or re-processed
on the branch replaces its row here. A resend of the last batch applied (the branch did not get our answer) is
acknowledged without applying it again; any other sequence number but the next is refused, as is a batch naming
another branch than the certificate's. The branch's clock is never trusted for anything stored.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass

from appliance.reports import received_missed
from appliance.store import central_month, central_occupancy, central_parts
from appliance.store.central_db import central_db, is_postgres, transaction
from appliance.store.sync import CENTRAL_CALL_COLUMNS, CentralBranch, CentralCall
from appliance.store.sync_agent import CENTRAL_AGENT_COLUMNS, CentralAgentEvent
from appliance.store.sync_evaluation import CENTRAL_EVALUATION_COLUMNS, CentralEvaluation
from appliance.store.sync_queue import CENTRAL_QUEUE_COLUMNS, CentralQueueCall
from appliance.sync.wire import CALL_FIELDS, Batch

log = logging.getLogger(__name__)
SKEW_WARN_S = 3600
# SQLite has one writer: the receiver's threads (one per branch connection) take turns here rather than in
# SQLite's busy wait, whose timeout ten branches sending at once would exceed. PostgreSQL: branches in parallel.
SQLITE_WRITER = threading.Lock()
CHUNK = 500      # rows per multi-row INSERT (28 columns: SQLite's 32,766 parameters, PostgreSQL's 65,535)
_FIELDS = [CentralCall._meta.columns[c] for c in CENTRAL_CALL_COLUMNS]
_UPDATED = [f for f in _FIELDS if f.column_name not in ("branch", "rid")]


class Refused(ValueError):
    """A batch the central does not apply: `status` is the HTTP status to answer, the message the reason."""

    def __init__(self, status: int, reason: str, expected: int | None = None):
        super().__init__(reason)
        self.status, self.expected = status, expected


@dataclass(frozen=True)
class Applied:
    seq: int
    rows: int
    duplicate: bool     # the resend of the batch applied last: acknowledged, nothing applied


def _upsert(rows: list[tuple], partitioned: bool = False) -> None:
    """Multi-row INSERT ... ON CONFLICT (branch, rid) DO UPDATE: the same SQL on SQLite and PostgreSQL. Partitioned
    by month (store/central_parts.py): the key includes start_utc, and the rows whose start moved are deleted first."""
    target = [CentralCall.branch, CentralCall.rid] + ([CentralCall.start_utc] if partitioned else [])
    updated = [f for f in _UPDATED if not (partitioned and f.column_name == "start_utc")]
    for lo in range(0, len(rows), CHUNK):
        part = rows[lo:lo + CHUNK]
        if partitioned:
            _delete_moved(part)
        (CentralCall.insert_many(part, fields=_FIELDS)
         .on_conflict(conflict_target=target, preserve=updated).execute())


_QFIELDS = [CentralQueueCall._meta.columns[c] for c in CENTRAL_QUEUE_COLUMNS]
_QUPDATED = [f for f in _QFIELDS if f.column_name not in ("branch", "rid")]


def _apply_queue(branch: str, rows: list[dict]) -> None:
    """The batch's queue calls (protocol 2): upserts by (branch, rid), deletes; in the batch's transaction."""
    upserts = [tuple({**r["queue_call"], "branch": branch, "rid": r["rid"]}[c] for c in CENTRAL_QUEUE_COLUMNS)
               for r in rows if r["op"] == "upsert"]
    deletes = [r["rid"] for r in rows if r["op"] == "delete"]
    for lo in range(0, len(deletes), CHUNK):
        CentralQueueCall.delete().where(CentralQueueCall.branch == branch,
                                        CentralQueueCall.rid.in_(deletes[lo:lo + CHUNK])).execute()
    for lo in range(0, len(upserts), CHUNK):
        (CentralQueueCall.insert_many(upserts[lo:lo + CHUNK], fields=_QFIELDS)
         .on_conflict(conflict_target=[CentralQueueCall.branch, CentralQueueCall.rid], preserve=_QUPDATED).execute())


def _apply_rows(model, columns: tuple[str, ...], kind: str, branch: str, rows: list[dict]) -> None:
    """The batch's rows of `model` (agent events, protocol 3: `kind` "agent_event"; evaluations, protocol 4:
    "evaluation"): upserts by (branch, rid), deletes; in the batch's transaction."""
    fields = [model._meta.columns[c] for c in columns]
    updated = [f for f in fields if f.column_name not in ("branch", "rid")]
    upserts = [tuple({**r[kind], "branch": branch, "rid": r["rid"]}[c] for c in columns)
               for r in rows if r["op"] == "upsert"]
    deletes = [r["rid"] for r in rows if r["op"] == "delete"]
    for lo in range(0, len(deletes), CHUNK):
        model.delete().where(model.branch == branch, model.rid.in_(deletes[lo:lo + CHUNK])).execute()
    for lo in range(0, len(upserts), CHUNK):
        (model.insert_many(upserts[lo:lo + CHUNK], fields=fields)
         .on_conflict(conflict_target=[model.branch, model.rid], preserve=updated).execute())


_BRANCH, _RID, _START = (CENTRAL_CALL_COLUMNS.index(c) for c in ("branch", "rid", "start_utc"))
# a stored call's span in central_month.old_rows
_OSTART, _ORING, _OTALK, _ODIR = (central_month.CALL_COLUMNS.index(c)
                                  for c in ("start_utc", "ring_s", "talk_s", "direction"))


def _delete_moved(rows: list[tuple]) -> None:
    """The stored rows of these calls with another start than theirs now (PostgreSQL, partitioned)."""
    values = ", ".join(["(%s, %s)"] * len(rows))
    central_db.execute_sql(f"DELETE FROM central_call c USING (VALUES {values}) AS v(rid, start_utc) "
                           "WHERE c.branch = %s AND c.rid = v.rid AND c.start_utc <> v.start_utc",
                           [x for r in rows for x in (r[_RID], r[_START])] + [rows[0][_BRANCH]])


def _values(branch: str, row: dict) -> tuple:
    call = row["call"]
    fields = {**call, "branch": branch, "rid": row["rid"]}
    return tuple(fields[c] for c in CENTRAL_CALL_COLUMNS)


def apply(branch: str, batch: Batch, now: int | None = None) -> Applied:
    """Apply `batch` from the authenticated `branch`; Refused (nothing applied) when it may not be."""
    now = int(time.time()) if now is None else now
    if batch.branch != branch:
        raise Refused(403, f"branch {branch!r} sent rows of branch {batch.branch!r}")
    assert set(CALL_FIELDS) | {"branch", "rid"} == set(CENTRAL_CALL_COLUMNS)
    starts = {r["call"]["start_utc"] for r in batch.rows if r["op"] == "upsert"}
    if starts and central_parts.is_partitioned():   # a new month's partition, before the batch's transaction
        central_parts.make_months(starts)
    with nullcontext() if is_postgres() else SQLITE_WRITER, transaction():
        # the branch's row locked (PostgreSQL; SQLite's BEGIN IMMEDIATE locks the file): two connections of one
        # branch never both apply the same next batch
        q = CentralBranch.select().where(CentralBranch.name == branch)
        state = (q.for_update() if is_postgres() else q).get()
        if batch.seq == state.last_seq and batch.digest == state.last_digest:
            return Applied(batch.seq, len(batch.rows), True)
        if batch.seq <= state.last_seq:
            raise Refused(409, f"replayed batch {batch.seq}: batch {state.last_seq} is applied", state.last_seq + 1)
        if batch.seq != state.last_seq + 1:
            raise Refused(409, f"out of sequence: batch {batch.seq}, expected {state.last_seq + 1}",
                          state.last_seq + 1)
        upserts = [_values(branch, r) for r in batch.rows if r["op"] == "upsert"]
        deletes = [r["rid"] for r in batch.rows if r["op"] == "delete"]
        # the month roll-up in the same transaction: what these calls were out, what they are now in
        months: dict = {}
        old = central_month.old_rows(branch, [r["rid"] for r in batch.rows])
        for row in old:
            central_month.add(months, row, -1)
        for r in batch.rows:
            if r["op"] == "upsert":
                central_month.add(months, tuple(branch if c == "branch" else r["call"][c]
                                                for c in central_month.CALL_COLUMNS), 1)
        central_month.apply_deltas(months)
        # the concurrency roll-up: the days whose calls' spans change are dirty (store/central_occupancy.py)
        central_occupancy.note_batch(branch, [(o[_OSTART], o[_ORING], o[_OTALK], o[_ODIR]) for o in old],
                                     [(r["rid"], r["call"]["start_utc"], r["call"]["ring_s"], r["call"]["talk_s"],
                                       r["call"]["direction"]) for r in batch.rows if r["op"] == "upsert"],
                                     [r["rid"] for r in batch.rows])
        if upserts:
            partitioned = central_parts.is_partitioned()
            if partitioned:
                central_parts.ensure_months({r[_START] for r in upserts})
            _upsert(upserts, partitioned)
        for lo in range(0, len(deletes), CHUNK):
            CentralCall.delete().where(CentralCall.branch == branch,
                                       CentralCall.rid.in_(deletes[lo:lo + CHUNK])).execute()
        # the incoming calls' missed-call facts, summed by the missed-calls report (reports/received_missed.py)
        cache: dict[str, bool] = {}
        received_missed.replace(branch, [r["rid"] for r in batch.rows],
                                [m for r in batch.rows if r["op"] == "upsert"
                                 for m in received_missed.rows_of(branch, r["rid"], r["call"], cache)])
        if batch.queue_rows:
            _apply_queue(branch, batch.queue_rows)
        if batch.agent_rows:
            _apply_rows(CentralAgentEvent, CENTRAL_AGENT_COLUMNS, "agent_event", branch, batch.agent_rows)
        if batch.evaluation_rows:
            _apply_rows(CentralEvaluation, CENTRAL_EVALUATION_COLUMNS, "evaluation", branch, batch.evaluation_rows)
        newest = max((r["call"]["start_utc"] for r in batch.rows if r["op"] == "upsert"), default=0)
        tenant = {} if batch.tenant is None else {"pbx_tenant": batch.tenant}    # an older branch says none
        CentralBranch.update(last_seq=batch.seq, last_digest=batch.digest, last_batch_utc=now, version=batch.version,
                             last_seen_utc=now,
                             last_record_utc=max(state.last_record_utc, newest), **tenant
                             ).where(CentralBranch.name == branch).execute()
    if abs(batch.sent_utc - now) > SKEW_WARN_S:
        log.warning("branch %s: its clock is %+d s from ours (batch %d applied: nothing depends on it)", branch,
                    batch.sent_utc - now, batch.seq)
    log.info("branch %s: batch %d applied (%d upserts, %d deletes, %d queue calls, %d agent events, %d evaluations)",
             branch, batch.seq, len(upserts), len(deletes), len(batch.queue_rows), len(batch.agent_rows),
             len(batch.evaluation_rows))
    return Applied(batch.seq, len(batch.rows), False)


def legs_of(row_legs: str) -> list[dict]:
    """A received call's legs (the JSON the branch sent)."""
    return json.loads(row_legs or "[]")
