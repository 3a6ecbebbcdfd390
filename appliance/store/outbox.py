"""The outbox table: items waiting to be delivered (e-mail, uploads, traps), claimed one at a time by a worker.

An item is `pending` until a deliverer succeeds (`delivered`) or an administrator discards it (`discarded`);
both of those keep the row, without its payload, as a record until it is pruned. A pending item with
attempts > 0 has failed at least once (the page shows it as failed, with the last error and the next try).
Times are integer UTC epoch seconds.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from peewee import Case, IntegerField, TextField

from appliance.store.base import Base, db

log = logging.getLogger(__name__)
STATES = ("pending", "delivered", "discarded")


class OutboxItem(Base):
    """One thing to deliver: its kind (the deliverer), JSON payload, and delivery state."""
    id = IntegerField(primary_key=True)
    kind = TextField()
    key = TextField(null=True)            # dedupe key: at most one pending item per key (partial unique index)
    summary = TextField(default="")       # recipient/target and subject, for the outbox page and the log
    payload = TextField(default="")       # JSON (bytes as {"$b64": ...}); emptied once delivered or discarded
    size = IntegerField(default=0)        # length of the payload JSON, kept after it is emptied
    state = TextField(default="pending")
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    created_utc = IntegerField()
    next_try_utc = IntegerField(index=True)
    done_utc = IntegerField(null=True)    # delivered or discarded at
    claim = TextField(default="")         # token of the worker delivering it now
    claimed_until = IntegerField(default=0)   # a claim older than this is taken for a crashed worker's


MODELS_OUTBOX = (OutboxItem,)
# SQLite partial index: the dedupe rule is enforced by the database, not only by the check in insert().
OutboxItem.add_index(OutboxItem.index(OutboxItem.key, unique=True,
                                      where=(OutboxItem.state == "pending") & OutboxItem.key.is_null(False)))


@dataclass(frozen=True, slots=True)
class Claim:
    """A pending item this worker holds for one delivery attempt."""
    id: int
    kind: str
    summary: str
    payload: str
    attempts: int
    token: str


def insert(kind: str, payload: str, key: str | None, summary: str, now: int) -> tuple[int, bool]:
    """Store a pending item due now; (id, True), or (the pending item's id, False) when `key` is already queued."""
    with db.atomic("IMMEDIATE"):
        if key is not None:
            have = (OutboxItem.select(OutboxItem.id)
                    .where(OutboxItem.key == key, OutboxItem.state == "pending").first())
            if have is not None:
                return have.id, False
        item = OutboxItem.create(kind=kind, key=key, summary=summary, payload=payload, size=len(payload),
                                 created_utc=now, next_try_utc=now)
    return item.id, True


def claim_next(now: int, lease_s: int) -> Claim | None:
    """Claim the next due pending item that is not claimed (or whose claim expired), in one write transaction.

    Two workers never hold the same item: the UPDATE re-checks the claim inside BEGIN IMMEDIATE."""
    with db.atomic("IMMEDIATE"):
        query = (OutboxItem.select()
                 .where(OutboxItem.state == "pending", OutboxItem.next_try_utc <= now,
                        OutboxItem.claimed_until <= now)
                 .order_by(OutboxItem.next_try_utc, OutboxItem.id))
        item = query.first()
        if item is None:
            return None
        token = secrets.token_hex(8)
        got = (OutboxItem.update(claim=token, claimed_until=now + lease_s)
               .where(OutboxItem.id == item.id, OutboxItem.state == "pending", OutboxItem.claimed_until <= now)
               .execute())
        if not got:
            return None
    return Claim(item.id, item.kind, item.summary, item.payload, item.attempts, token)


def release(claim: Claim) -> None:
    """Give a claim back without an attempt: the item is due again at once."""
    OutboxItem.update(claim="", claimed_until=0).where(OutboxItem.id == claim.id,
                                                       OutboxItem.claim == claim.token).execute()


def mark_delivered(claim: Claim, now: int) -> bool:
    """Record a successful delivery (payload dropped); False if the claim was lost (discarded meanwhile)."""
    return bool(OutboxItem.update(state="delivered", done_utc=now, payload="", claim="", claimed_until=0,
                                  attempts=OutboxItem.attempts + 1, last_error="")
                .where(OutboxItem.id == claim.id, OutboxItem.claim == claim.token).execute())


def mark_failed(claim: Claim, now: int, error: str, next_try: int) -> bool:
    """Record a failed attempt: attempts + 1, the error, the next try; the claim is released."""
    return bool(OutboxItem.update(attempts=OutboxItem.attempts + 1, last_error=error, next_try_utc=next_try,
                                  claim="", claimed_until=0)
                .where(OutboxItem.id == claim.id, OutboxItem.claim == claim.token,
                       OutboxItem.state == "pending").execute())


def discard(item_id: int, now: int) -> bool:
    """A pending item is given up (payload dropped); False if there is no such pending item."""
    return bool(OutboxItem.update(state="discarded", done_utc=now, payload="", claim="", claimed_until=0)
                .where(OutboxItem.id == item_id, OutboxItem.state == "pending").execute())


def retry_now(item_id: int, now: int) -> bool:
    """A pending item becomes due at once (a running attempt keeps its claim); False if not pending."""
    return bool(OutboxItem.update(next_try_utc=now)
                .where(OutboxItem.id == item_id, OutboxItem.state == "pending").execute())


def prune(before: int) -> int:
    """Delete delivered and discarded items done before `before`; the number deleted."""
    return (OutboxItem.delete()
            .where(OutboxItem.state != "pending", OutboxItem.done_utc < before).execute())


def items(state: str | None = None, limit: int = 200) -> list[OutboxItem]:
    """Items for the outbox page, without their payloads: pending first (next try order), then newest done."""
    fields = [f for f in OutboxItem._meta.sorted_fields if f.name != "payload"]
    query = OutboxItem.select(*fields)
    if state == "failed":
        query = query.where(OutboxItem.state == "pending", OutboxItem.attempts > 0)
    elif state:
        query = query.where(OutboxItem.state == state)
    pending = OutboxItem.state == "pending"
    query = query.order_by(Case(None, [(pending, 0)], 1),
                           Case(None, [(pending, OutboxItem.next_try_utc)], OutboxItem.done_utc * -1), OutboxItem.id)
    return list(query.limit(limit))


def counts() -> dict[str, int]:
    """Items by state, and "failed": pending items that have failed at least once."""
    out = {s: 0 for s in STATES}
    for state, n in db.execute_sql('SELECT state, COUNT(*) FROM outbox_item GROUP BY state'):
        out[state] = n
    out["failed"] = (OutboxItem.select()
                     .where(OutboxItem.state == "pending", OutboxItem.attempts > 0).count())
    return out
