"""Notification rules (APP-5), run by the jobs process every minute: each queues its messages in the outbox, which
sends them (appliance.delivery: mail, sms) with its retries; the web never sends.

- notes_email: every note on a customer, copied by e-mail to the customer's notes address ([messages] notes_email).
- lost_caller_sms: a caller a queue lost gets an SMS ([messages] lost_caller_sms), at most one a number a day.

Each message is a Message row with a unique ref (what it was sent for), written in the transaction that queues its
outbox item: a rule run twice, or by two threads at once, queues nothing twice.
"""
from __future__ import annotations

import logging
import string
import time
from datetime import datetime
from pathlib import Path

from peewee import IntegrityError

from appliance import config, localtime
from appliance.callcentre import callbacks, kpis
from appliance.callcentre.tables import Ask
from appliance.customers import customers
from appliance.delivery import mail, mail_text, sms
from appliance.delivery import outbox
from appliance.messages import notes, units
from appliance.store.base import IMMEDIATE, db
from appliance.store.messages import CallNote, Message

log = logging.getLogger(__name__)
NOTES_HORIZON_S = 7 * 86400      # a note older than this when the rule first sees it is not mailed any more


def queue_sms(rule: str, ref: str, to: str, text: str, customer_id: int | None = None, sender: str = "",
              now: int | None = None) -> Message | None:
    """Queue an SMS and its Message row (units counted); None when `ref` was queued already."""
    count = units.count(text)
    now = int(time.time() if now is None else now)
    try:
        with db.atomic(IMMEDIATE):
            m = Message.create(channel="sms", rule=rule, ref=ref, customer_id=customer_id, recipient=to,
                               sender=sender, text=text, encoding=count.encoding, chars=count.chars,
                               units=count.parts, created_utc=now)
            m.outbox_id = outbox.enqueue("sms", {"to": to, "text": text, "sender": sender},
                                         summary=f"SMS {to} | {text[:60]}")
            m.save()
    except IntegrityError:
        return None
    return m


def queue_email(rule: str, ref: str, to: str, subject: str, body: str, customer_id: int | None = None,
                now: int | None = None) -> Message | None:
    """Queue an e-mail and its Message row; None when `ref` was queued already."""
    now = int(time.time() if now is None else now)
    try:
        with db.atomic(IMMEDIATE):
            m = Message.create(channel="email", rule=rule, ref=ref, customer_id=customer_id, recipient=to,
                               text=subject, created_utc=now)
            m.outbox_id = mail.queue([to], subject, body)
            m.save()
    except IntegrityError:
        return None
    return m


def notes_email(cfg: config.Config, now: int) -> int:
    """Copy the customers' new notes to their notes addresses; the number queued."""
    if not cfg.section("messages").notes_email:
        return 0
    tz = localtime.zone(cfg.section("pbx").timezone)
    sent = 0
    pending = (CallNote.select().where(CallNote.mailed_utc.is_null(), CallNote.customer_id.is_null(False),
                                       CallNote.created_utc >= now - NOTES_HORIZON_S)
               .order_by(CallNote.id))
    for n in pending:
        cid = int(n.customer_id or 0)      # not null: the query's condition
        address = notes.contact(cid).notes_email
        if address:
            c = customers.by_id(cid)
            lang = mail_text.language(c.lang if c else "", cfg.section("mail").language)   # the customer's
            fields = {"customer": c.name if c else n.customer_id, "call": n.call_id or "-", "author": n.author,
                      "when": datetime.fromtimestamp(n.created_utc, tz).strftime("%Y-%m-%d %H:%M"), "text": n.text}
            subject = mail_text.text(lang, "note_subject", number=n.number, **fields).strip()
            body = mail_text.text(lang, "note_body", number=n.number or "-", **fields)
            try:
                if queue_email("notes_email", f"notes_email:{n.id}", address, subject, body, n.customer_id, now):
                    sent += 1
            except ValueError as e:      # an address the mail module refuses: the note is not mailed
                log.warning("messages: note %d not mailed to %s: %s", n.id, address, e)
        CallNote.update(mailed_utc=now).where(CallNote.id == n.id).execute()
    return sent


def lost_caller_sms(cfg: config.Config, data_dir: Path, now: int) -> int:
    """An SMS to each caller lost in the last lost_caller_window_min minutes, one a number a local day; the number
    queued. Nothing without a text or a gateway."""
    s = cfg.section("messages")
    gw = sms.read_settings(cfg, data_dir) if s.lost_caller_sms.strip() else None
    if gw is None:
        return 0
    template = string.Template(s.lost_caller_sms)
    prefixes = tuple(p.strip() for p in s.lost_caller_prefixes.split(",") if p.strip())
    tz = localtime.zone(cfg.section("pbx").timezone)
    ask = Ask(kpis.rulebook(cfg), now - s.lost_caller_window_min * 60, now + 1, tz)
    sent = 0
    for _id, queue, caller, entered, _left, _wait in callbacks.lost_calls(ask):
        k = callbacks.key(caller)
        if not k or (prefixes and not caller.strip().startswith(prefixes)):
            continue                     # anonymous or internal, or a number that takes no SMS (a landline)
        local = datetime.fromtimestamp(entered, tz)
        cid = notes.customer_of(caller)
        c = customers.by_id(cid) if cid else None
        text = template.safe_substitute(time=local.strftime("%H:%M"), queue=queue, name=c.name if c else "").strip()
        if queue_sms("lost_caller_sms", f"lost_caller_sms:{k}:{local.date().isoformat()}", caller, text, cid,
                     gw.sender, now=now):
            sent += 1
    return sent


def settle() -> int:
    """Copy the delivery time of the messages the outbox delivered since onto them (the outbox prunes its records
    after keep_days; the accounting report must not lose them); the number settled."""
    return db.execute_sql(
        "UPDATE message SET sent_utc = (SELECT o.done_utc FROM outbox_item o WHERE o.id = message.outbox_id) "
        "WHERE sent_utc IS NULL AND outbox_id IN (SELECT id FROM outbox_item WHERE state = 'delivered')").rowcount


def run(cfg: config.Config, data_dir: Path, now: float | None = None) -> dict[str, int]:
    """Every rule once: {rule: messages queued}. A rule's failure is logged and leaves the others running."""
    now_s = int(time.time() if now is None else now)
    out = {}
    for name, fn in (("notes_email", lambda: notes_email(cfg, now_s)),
                     ("lost_caller_sms", lambda: lost_caller_sms(cfg, data_dir, now_s))):
        try:
            out[name] = fn()
        except config.ConfigError as e:
            log.error("messages: rule %s not run: %s", name, e)
            out[name] = 0
    settle()
    if any(out.values()):
        log.info("messages: queued %s", ", ".join(f"{k} {v}" for k, v in out.items() if v))
    return out
