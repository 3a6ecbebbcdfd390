"""The sync protocol's batch: what a branch sends and the central checks before it applies anything.

A batch is zlib-compressed UTF-8 JSON {"protocol", "branch", "seq", "version", "sent_utc", "rows"}, POSTed to
/sync/batch with its length, sequence number and SHA-256 in headers. Each row is the current state of one call of the
branch ({"rid", "op": "upsert", "call": {...}}) or its deletion ({"rid", "op": "delete"}): a later change of the
same call is a later row with the same rid, never a new call. decode() refuses, with the reason, a truncated or
corrupt body, a header that disagrees with the body, and another protocol version.

Protocol 2 adds "queue_rows": the branch's queue calls ({"rid", "op": "upsert", "queue_call": {...}} or a delete,
store/sync_queue.py). A branch sends protocol 1 when a batch has none (a central of an older release takes it), 2
when it has some (an older central refuses it, the reason says to update it, and the batch waits: nothing lost);
this central takes both. Protocol 3 adds "agent_rows": the branch's member events (logins, logoffs, pauses;
{"rid", "op": "upsert", "agent_event": {...}} or a delete, store/sync_agent.py), sent as 3 only when a batch has
some, so an older central refuses only those batches (the reason says to update it) and they wait. Protocol 4 adds
"evaluation_rows": the call centre's evaluations ({"rid", "op": "upsert", "evaluation": {...}} or a delete,
store/sync_evaluation.py). A central of this release says the protocols it takes in its answers ("protocols"), and
a branch puts evaluations in a batch only once its central has said it takes 4: an older central says nothing, so
its branches hold their evaluations back (kept in their outbox, nothing lost) and their calls keep flowing. A new
key alone would not do: an older central would ignore it and acknowledge the batch, and the evaluations would be lost.

Every batch also says the branch's [pbx] tenant ("tenant": what a call of its own with an empty tenant is, as the
branch's reports take it; an older central ignores the key, an older branch sends none: no protocol change).
"""
from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field

from appliance.store.sync_agent import AGENT_FIELDS, AGENT_INTS
from appliance.store.sync_evaluation import EVALUATION_FIELDS, EVALUATION_INTS
from appliance.store.sync_queue import QUEUE_FIELDS, QUEUE_INTS, QUEUE_NULLABLE

PROTOCOL = 4               # the newest this release speaks
PROTOCOLS = (1, 2, 3, 4)   # those it takes
EVALUATIONS = 4            # the protocol of a batch with evaluations
H_PROTOCOL, H_SEQ, H_DIGEST = "X-Callbox-Sync-Protocol", "X-Callbox-Sync-Seq", "X-Callbox-Sync-Sha256"
H_PENDING = "X-Callbox-Pending"          # the branch's backlog after this request (its health, for the central)
H_JOURNAL = "X-Callbox-Journal-Bytes"    # the size of its raw journal
H_QUARANTINE = "X-Callbox-Quarantined"   # its quarantined lines (appliance/sync/versions.py)
H_TARIFFS = "X-Callbox-Tariffs"          # the tariff versions that price its calls (percent-encoded UTF-8)
H_DIRECTORY = "X-Callbox-Directory"      # its directory's version
# the raw journal's archive (POST /sync/archive/SEGNO: a chunk of a sealed segment; appliance/central/archive.py)
H_OFFSET, H_TOTAL, H_SEGMENT_SHA = "X-Callbox-Offset", "X-Callbox-Total", "X-Callbox-Segment-Sha256"
MAX_BODY = 64 << 20          # a compressed batch larger than this is refused before it is read
MAX_PLAIN = 256 << 20        # nor may it inflate beyond this (a zip bomb)
# the fields of a call row (central_call's columns but its keys: branch and rid come from the batch)
CALL_FIELDS = ("driver", "call_key", "start_utc", "utc_offset", "direction", "extension", "party", "trunk",
               "ring_s", "talk_s", "answered", "transferred", "account_code", "kind", "number", "cost", "currency",
               "destination", "tariff", "capped", "tenant", "person", "department", "org_branch", "legs")
INT_FIELDS = {"start_utc", "utc_offset", "ring_s", "talk_s", "answered", "transferred", "capped"}


class WireError(ValueError):
    """A batch refused before it is applied; the message is the reason (logged by the central, shown by the branch)."""


@dataclass(frozen=True)
class Batch:
    branch: str
    seq: int
    version: str
    sent_utc: int
    rows: list[dict]
    digest: str
    queue_rows: list[dict] = field(default_factory=list)
    agent_rows: list[dict] = field(default_factory=list)
    tenant: str | None = None       # the branch's [pbx] tenant (None: a branch of an older release said none)
    evaluation_rows: list[dict] = field(default_factory=list)


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def encode(branch: str, seq: int, version: str, sent_utc: int, rows: list[dict],
           queue_rows: list[dict] | None = None, agent_rows: list[dict] | None = None,
           tenant: str | None = None, evaluation_rows: list[dict] | None = None) -> bytes:
    """The compressed batch body: protocol 1 without queue rows, agent events or evaluations, 2 with queue rows, 3
    with agent events, 4 with evaluations; `tenant` the branch's [pbx] tenant."""
    protocol = EVALUATIONS if evaluation_rows else 3 if agent_rows else 2 if queue_rows else 1
    doc = {"protocol": protocol, "branch": branch, "seq": seq, "version": version, "sent_utc": sent_utc,
           "rows": rows}
    if tenant is not None:
        doc["tenant"] = tenant
    if queue_rows:
        doc["queue_rows"] = queue_rows
    if agent_rows:
        doc["agent_rows"] = agent_rows
    if evaluation_rows:
        doc["evaluation_rows"] = evaluation_rows
    return zlib.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def protocol_of(body: bytes) -> int:
    """The protocol a body this box encoded is written in (its stored batch: resent with the same headers)."""
    try:
        return int(json.loads(zlib.decompress(body))["protocol"])
    except (zlib.error, ValueError, KeyError, TypeError):
        return 1


def headers(body: bytes, seq: int) -> dict[str, str]:
    return {H_PROTOCOL: str(protocol_of(body)), H_SEQ: str(seq), H_DIGEST: digest(body),
            "Content-Type": "application/octet-stream", "Content-Length": str(len(body))}


def decode(body: bytes, head: dict[str, str]) -> Batch:
    """The batch in `body`, checked against its headers (names as in H_*; lookups case-sensitive: pass them as
    sent); WireError with the reason otherwise."""
    if head.get(H_PROTOCOL) not in {str(p) for p in PROTOCOLS}:
        raise WireError(f"protocol version {head.get(H_PROTOCOL)!r}: this central speaks "
                        f"{', '.join(map(str, PROTOCOLS))} (update the older box)")
    if head.get(H_DIGEST) != digest(body):
        raise WireError("corrupt or truncated batch: its SHA-256 does not match the header")
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(body, MAX_PLAIN)
    except zlib.error as e:
        raise WireError(f"corrupt batch: {e}") from None
    if inflater.unconsumed_tail:
        raise WireError(f"batch inflates beyond {MAX_PLAIN >> 20} MiB")
    if not inflater.eof:
        raise WireError("truncated batch: the compressed stream ends early")
    try:
        doc = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise WireError(f"corrupt batch: not JSON ({e})") from None
    if not isinstance(doc, dict) or str(doc.get("protocol")) != head.get(H_PROTOCOL):
        raise WireError("the batch's protocol version does not match its header")
    seq = doc.get("seq")
    if not isinstance(seq, int) or str(seq) != head.get(H_SEQ):
        raise WireError("the batch's sequence number does not match its header")
    rows = doc.get("rows")
    if not isinstance(rows, list) or not isinstance(doc.get("branch"), str):
        raise WireError("corrupt batch: no rows or branch")
    for row in rows:
        _check_row(row)
    queue_rows = doc.get("queue_rows", [])
    if not isinstance(queue_rows, list) or (queue_rows and doc["protocol"] < 2):
        raise WireError("corrupt batch: bad queue rows")
    for row in queue_rows:
        _check_queue_row(row)
    agent_rows = doc.get("agent_rows", [])
    if not isinstance(agent_rows, list) or (agent_rows and doc["protocol"] < 3):
        raise WireError("corrupt batch: bad agent event rows")
    for row in agent_rows:
        _check_fields(row, "agent_event", "agent event", AGENT_FIELDS, AGENT_INTS)
    evaluation_rows = doc.get("evaluation_rows", [])
    if not isinstance(evaluation_rows, list) or (evaluation_rows and doc["protocol"] < EVALUATIONS):
        raise WireError("corrupt batch: bad evaluation rows")
    for row in evaluation_rows:
        _check_fields(row, "evaluation", "evaluation", EVALUATION_FIELDS, EVALUATION_INTS)
    tenant = doc.get("tenant")
    if tenant is not None and (not isinstance(tenant, str) or len(tenant) > 200):
        raise WireError("corrupt batch: its tenant is not a text")
    return Batch(doc["branch"], seq, str(doc.get("version", "")), int(doc.get("sent_utc", 0)), rows, digest(body),
                 queue_rows, agent_rows, tenant, evaluation_rows)


def takes_evaluations(answer: dict) -> bool:
    """Does the central that gave this answer (to a hello or a batch) take evaluations? An older one says no
    protocols."""
    said = answer.get("protocols")
    return isinstance(said, list) and EVALUATIONS in said


def _check_fields(row, kind: str, what: str, fields: tuple[str, ...], ints: set[str]) -> None:
    """An agent event's or an evaluation's row: its rid and op, and its `kind` fields, integers or texts."""
    if not isinstance(row, dict) or not isinstance(row.get("rid"), int) or row.get("op") not in ("upsert", "delete"):
        raise WireError(f"bad {what} row {str(row)[:80]!r}")
    if row["op"] == "delete":
        return
    ev = row.get(kind)
    if not isinstance(ev, dict) or set(ev) != set(fields):
        raise WireError(f"{what} row {row['rid']}: its fields are not protocol {PROTOCOL}'s")
    for name in fields:
        value = ev[name]
        if not (isinstance(value, int) and not isinstance(value, bool) if name in ints
                else isinstance(value, str)):
            raise WireError(f"{what} row {row['rid']}: bad {name} {value!r}")


def _check_queue_row(row) -> None:
    if not isinstance(row, dict) or not isinstance(row.get("rid"), int) or row.get("op") not in ("upsert", "delete"):
        raise WireError(f"bad queue row {str(row)[:80]!r}")
    if row["op"] == "delete":
        return
    qc = row.get("queue_call")
    if not isinstance(qc, dict) or set(qc) != set(QUEUE_FIELDS):
        raise WireError(f"queue row {row['rid']}: the queue call's fields are not protocol {PROTOCOL}'s")
    for name in QUEUE_FIELDS:
        value = qc[name]
        ok = ((value is None and name in QUEUE_NULLABLE) or isinstance(value, int) and not isinstance(value, bool)
              if name in QUEUE_INTS else isinstance(value, str))
        if not ok:
            raise WireError(f"queue row {row['rid']}: bad {name} {value!r}")


def _check_row(row) -> None:
    if not isinstance(row, dict) or not isinstance(row.get("rid"), int) or row.get("op") not in ("upsert", "delete"):
        raise WireError(f"bad row {str(row)[:80]!r}")
    if row["op"] == "delete":
        return
    call = row.get("call")
    if not isinstance(call, dict) or set(call) != set(CALL_FIELDS):
        raise WireError(f"row {row['rid']}: the call's fields are not protocol {PROTOCOL}'s")
    for name in CALL_FIELDS:
        value = call[name]
        ok = (isinstance(value, int) and not isinstance(value, bool) if name in INT_FIELDS
              else value is None or isinstance(value, str) if name == "cost" else isinstance(value, str))
        if not ok:
            raise WireError(f"row {row['rid']}: bad {name} {value!r}")
    _check_legs(row["rid"], call["legs"])


_LEG_INTS = ("start_utc", "ring_s", "talk_s")


def _check_legs(rid: int, text: str) -> None:
    """A call row's legs: "" or a JSON list of legs, each with its start, ring and talk seconds (integers), its
    answered flag and extension (what the central reads of them: the missed-calls facts, the call's page)."""
    if not text:
        return
    try:
        legs = json.loads(text)
    except ValueError:
        raise WireError(f"row {rid}: its legs are not JSON") from None
    for leg in legs if isinstance(legs, list) else [None]:
        if not (isinstance(leg, dict) and all(isinstance(leg.get(k), int) and not isinstance(leg.get(k), bool)
                                              for k in _LEG_INTS)
                and isinstance(leg.get("answered"), (int, bool)) and isinstance(leg.get("extension"), str)):
            raise WireError(f"row {rid}: a bad leg {str(leg)[:80]!r}")
