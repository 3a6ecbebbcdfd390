"""Alert state (CAP-7, REP-8, REP-11): each condition raised once and cleared once, with the e-mails and traps
that say so.

Each check (appliance/alerts/check.py runs them) decides from stored facts and its own state tables
(appliance/store/alerts.py), so a pass can run any number of times: a condition is raised once and cleared once, a
threshold is e-mailed once per person and period. A state change and the e-mails/traps it queues commit in one
transaction (the outbox lives in the same database), so a crash never loses an alert nor sends one twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from appliance.alerts import texts
from appliance.delivery import mail
from appliance.snmp import traps as snmp
from appliance.store import alerts as sa

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Action:
    """Something to queue: an e-mail (to, subject, body) or an SNMP trap (trap name, values)."""
    kind: str                          # email | trap
    key: str                           # outbox dedupe key
    to: tuple[str, ...] = ()
    subject: str = ""
    body: str = ""
    trap: str = ""
    values: dict = field(default_factory=dict)


Send = Callable[[Action], None]


def send(action: Action) -> None:
    """Queue one action in the outbox (mail.queue / snmp.queue_trap); raises when it cannot be stored."""
    if action.kind == "email":
        mail.queue(list(action.to), action.subject, action.body, key=action.key)
    elif action.kind == "trap":
        snmp.queue_trap(action.trap, action.values, key=action.key)
    else:
        raise ValueError(f"unknown alert action {action.kind!r}")


@dataclass(frozen=True)
class Notice:
    """What a condition says when it is raised and when it clears."""
    source: str                        # trap value "source": the PBX source or the subject
    text: str                          # the human message (trap "text", e-mail body)
    value: int = 0
    raise_trap: str = "alert_raised"
    clear_trap: str = "alert_cleared"
    clear_text: str = ""
    words: tuple = ()                  # (key, fields) of appliance.alerts.texts: the e-mail in [mail] language
    clear_words: tuple = ()


def said(source: str, key: str, clear_key: str, value: int = 0, raise_trap: str = "alert_raised",
         clear_trap: str = "alert_cleared", **fields) -> Notice:
    """A notice worded by appliance.alerts.texts: English for the trap, the log and the state; the e-mail in the
    language `notices` is given."""
    return Notice(source, texts.say("en", key, **fields), value, raise_trap, clear_trap,
                  texts.say("en", clear_key, **fields), (key, fields), (clear_key, fields))


@dataclass(frozen=True)
class Readers:
    """The languages of the alert e-mails, read by each alert pass (appliance.alerts.check.evaluate) and handed to
    every check: [mail] language, and the languages of addresses whose directory person has a web account
    (casefolded address -> its language). Passed, not kept in the module: nothing carries from one pass to another."""
    language: str = "en"
    of_address: Mapping[str, str] = field(default_factory=dict)

    def by_language(self, to: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        """The recipients grouped by the language of their e-mail: their own, else [mail] language; in address
        order."""
        out: dict[str, list[str]] = {}
        for address in to:
            out.setdefault(self.of_address.get(address.casefold(), self.language), []).append(address)
        return {lang: tuple(addresses) for lang, addresses in out.items()}


ENGLISH = Readers()   # a check called on its own (tests, a CLI) writes its e-mails in English


def notices(cfg_alerts, key: str, n: Notice, raised: bool, since: int, readers: Readers = ENGLISH) -> list[Action]:
    """The trap and (when [alerts] email is set) the e-mail for a condition raised or cleared: one per recipient
    language (appliance.alerts.texts), as `readers` say."""
    trap = n.raise_trap if raised else n.clear_trap
    text = n.text if raised else (n.clear_text or f"cleared: {n.text}")
    tag = f"alert:{key}:{since}:{'raise' if raised else 'clear'}"
    out = [Action("trap", tag + ":trap", trap=trap, values={"source": n.source, "text": text, "value": n.value})]
    groups = readers.by_language(recipients(cfg_alerts.email))
    words = n.words if raised else n.clear_words
    for i, (lang, to) in enumerate(groups.items()):
        body = texts.say(lang, words[0], **words[1]) if words else text
        subject = texts.say(lang, "subject_raised" if raised else "subject_cleared", text=body.splitlines()[0])
        dedupe = tag + ":email" + (f":{lang}" if i else "")   # the first group keeps the key of one e-mail
        out.append(Action("email", dedupe, to=to, subject=subject[:200], body=body + "\n"))
    return out


def recipients(text: str) -> tuple[str, ...]:
    """Addresses from a comma- or semicolon-separated list, without blanks, repeats and bad ones (logged: a
    bad address in the directory must not block the alert to the others)."""
    out = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        try:
            out.append(mail.check_address(part))
        except ValueError as e:
            log.warning("alert e-mail: %s: left out", e)
    return tuple(dict.fromkeys(out))


def watch(cfg_alerts, key: str, bad: bool, now: int, n: Notice, hold_s: int = 0,
          readers: Readers = ENGLISH) -> list[Action]:
    """Update condition `key` with this pass's observation; the actions of a raise or a clear, else [].

    A bad observation raises once it has lasted hold_s; a good one clears a raised condition. Call inside
    db.atomic() together with queueing the actions."""
    existing = sa.AlertCondition.get_or_none(sa.AlertCondition.key == key)
    row = existing or sa.AlertCondition(key=key)
    actions: list[Action] = []
    if bad:
        if row.pending_since is None:
            row.pending_since = now
        if not row.raised and now - row.pending_since >= hold_s:
            row.raised, row.since_utc = True, now
            actions = notices(cfg_alerts, key, n, True, now, readers)
            log.warning("alert raised: %s: %s", key, n.text)
    else:
        row.pending_since = None
        if row.raised:
            row.raised = False
            actions = notices(cfg_alerts, key, n, False, row.since_utc or now, readers)
            log.info("alert cleared: %s", key)
    row.detail, row.value, row.updated_utc = n.text[:500], n.value, now
    row.words = texts.encode(*n.words)[:2000] if n.words else ""
    row.save(force_insert=existing is None)
    return actions


def commit(actions: Iterable[Action], sender: Send) -> int:
    """Queue actions (the caller holds the transaction that changed the state they report)."""
    count = 0
    for a in actions:
        sender(a)
        count += 1
    return count


def raised() -> list[dict]:
    """The conditions raised now, oldest first (for `callbox alert status`): detail is English; words the text's key
    and fields (appliance.alerts.texts.decode writes it in any language; "" for a row from before them)."""
    C = sa.AlertCondition
    q = C.select().where(C.raised == True).order_by(C.since_utc)  # noqa: E712
    return [{"key": r.key, "since_utc": r.since_utc, "detail": r.detail, "words": r.words or "", "value": r.value}
            for r in q]
