"""The messages of a period with their delivery state, and the accounting report: per customer, the SMS sent and
their units (parts billed: appliance/messages/units.py) and the e-mails, for a month (seed 004, "SMS-sending")."""
from __future__ import annotations

from dataclasses import dataclass, field

from appliance.store.messages import Message
from appliance.store.outbox import OutboxItem
from appliance.store.customers import Customer


@dataclass(frozen=True)
class Row:
    """A message with its delivery state: queued | failed | sent | discarded | gone (its outbox record pruned before
    the rules' run noted it sent: not counted)."""
    id: int
    created_utc: int
    channel: str
    rule: str
    customer_id: int | None
    recipient: str
    sender: str
    text: str
    encoding: str
    chars: int
    units: int
    status: str
    attempts: int
    error: str
    done_utc: int | None


@dataclass
class Totals:
    """One customer's (or no customer's: callers who are none) messages of the period."""
    customer_id: int | None
    code: str = ""
    name: str = ""
    sms: int = 0               # sent
    sms_units: int = 0         # their parts, as billed
    sms_open: int = 0          # queued or failing: not sent yet
    emails: int = 0            # sent
    failed: int = 0            # discarded, or failing
    by_rule: dict = field(default_factory=dict)


def _status(item: OutboxItem | None, sent_utc: int | None) -> str:
    if item is None:
        return "sent" if sent_utc else "gone"
    if item.state == "delivered":
        return "sent"
    if item.state == "discarded":
        return "discarded"
    return "failed" if item.attempts else "queued"


def messages(since: int, until: int, customer_id: int | None = None, channel: str = "",
             limit: int | None = None) -> list[Row]:
    """The messages queued in [since, until), newest first, with their outbox state."""
    q = Message.select().where(Message.created_utc >= since, Message.created_utc < until)
    if customer_id is not None:
        q = q.where(Message.customer_id == customer_id)
    if channel:
        q = q.where(Message.channel == channel)
    q = q.order_by(Message.created_utc.desc(), Message.id.desc())
    if limit:
        q = q.limit(limit)
    found = list(q)
    ids = [m.outbox_id for m in found if m.outbox_id]
    items: dict = {}
    for i in range(0, len(ids), 500):
        fields = [OutboxItem.id, OutboxItem.state, OutboxItem.attempts, OutboxItem.last_error, OutboxItem.done_utc]
        items.update({o.id: o for o in OutboxItem.select(*fields).where(OutboxItem.id.in_(ids[i:i + 500]))})
    out = []
    for m in found:
        item = items.get(m.outbox_id)
        out.append(Row(m.id, m.created_utc, m.channel, m.rule, m.customer_id, m.recipient, m.sender, m.text,
                       m.encoding, m.chars, m.units, _status(item, m.sent_utc), item.attempts if item else 0,
                       item.last_error if item else "", item.done_utc if item else m.sent_utc))
    return out


def totals(since: int, until: int) -> list[Totals]:
    """Per customer (by code; callers of no customer last), the messages of [since, until)."""
    by: dict[int | None, Totals] = {}
    for r in messages(since, until):
        t = by.setdefault(r.customer_id, Totals(r.customer_id))
        t.by_rule[r.rule] = t.by_rule.get(r.rule, 0) + 1
        if r.status in ("discarded", "failed"):
            t.failed += 1
        if r.channel == "sms":
            if r.status == "sent":
                t.sms += 1
                t.sms_units += r.units
            elif r.status == "queued" or r.status == "failed":
                t.sms_open += 1
        elif r.status == "sent":
            t.emails += 1
    names: dict = {c.id: c for c in Customer.select().where(Customer.id.in_([k for k in by if k is not None]))}
    for cid, t in by.items():
        c = names.get(cid)
        if c is not None:
            t.code, t.name = c.code, c.name
    return sorted(by.values(), key=lambda t: (t.customer_id is None, t.code))
