"""The threshold check (REP-11): each rule's people over their limit are e-mailed once per period.

The first pass that finds a person's total over the limit e-mails them (and, when the rule asks, their
department's manager, and the rule's cc) and records a notice in the same transaction as the queued e-mail,
so each rule, person and period is e-mailed once however many calls and passes follow. A period is checked
again when the stored calls may have changed (a cheap fingerprint) but at most every MIN_INTERVAL_S, at once
when the rules changed, and at least every RECHECK_S; only the calls of the rules' people are read.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from appliance import config, store
from appliance.alerts.state import Action, Send, commit, recipients
from appliance.billing import usage
from appliance.delivery import mail_text
from appliance.localtime import zone
from appliance.store import alerts as sa
from appliance.store import db
from appliance.store import directory as sd
from appliance.store import users as su

log = logging.getLogger(__name__)
GRACE_S = 86400        # the previous period is still checked this long after it ended (records printed late)
RECHECK_S = 900        # a period is checked at least this often even when nothing seems to have changed
MIN_INTERVAL_S = 300   # ... and at most this often while calls keep coming (unless the rules changed)
_seen: dict[tuple, tuple] = {}   # (thread, tenant, period label) -> (fingerprint, checked at, rules) of the last check


@dataclass
class Total:
    """One person's charged outgoing calls under one rule in one period."""
    cost: Decimal
    talk_s: int
    calls: int
    currency: str
    name: str
    department: str


def periods(kind: str, now: int, tz: tzinfo) -> list[usage.Period]:
    """The day or month containing `now`, and the one before while it ended less than GRACE_S ago."""
    def at(t: int) -> usage.Period:
        if kind == "month":
            return usage.window("month", t, tz)
        return usage.parse_period(datetime.fromtimestamp(t, tz).date().isoformat(), tz)
    current, before = at(now), at(now - GRACE_S)
    return [before, current] if before.label != current.label else [current]


def _fingerprint(p: usage.Period, rules_sig: tuple, now: int) -> tuple:
    """What the period's check depends on: any write by another process, the period's calls, the rules."""
    C = store.Call
    version = db.execute_sql("PRAGMA data_version").fetchone()[0]   # another process wrote (worker, rerate)
    count, newest = db.execute_sql(f'SELECT COUNT(*), MAX(id) FROM "{C._meta.table_name}" WHERE start_utc >= ? '
                                   'AND start_utc < ?', (p.since, p.until)).fetchone()
    return version, count, newest, rules_sig, now // RECHECK_S


def role_people(data_dir: Path, tenant: str, role: str) -> set[str]:
    """External ids of the people whose enabled web account in `tenant` has `role` (users.db)."""
    if not su.open_if_present(data_dir):
        return set()
    U = su.User
    q = U.select(U.person).where(U.role == role, U.disabled == False, U.person != "", U.tenant == tenant)  # noqa: E712
    return {u.person for u in q}


def totals(rule: sa.AlertRule, lines: list[usage.Usage], people: set[str] | None) -> dict[str, Total]:
    """{person: Total} of the rule's subjects: the lines charged to a person (a department rule: made while in
    the department; a role rule: `people`)."""
    out: dict[str, Total] = {}
    dept = rule.subject.casefold()
    for u in lines:
        if not u.charged or u.person is None:
            continue
        if rule.subject_kind == "person" and u.subscriber != rule.subject:
            continue
        if rule.subject_kind == "department" and (u.person.department or "").casefold() != dept:
            continue
        if rule.subject_kind == "role" and u.subscriber not in (people or set()):
            continue
        t = out.setdefault(u.subscriber, Total(Decimal(0), 0, 0, "", u.person.name, ""))
        t.cost += u.cost or 0
        t.talk_s += u.talk_s
        t.calls += 1
        t.currency = t.currency or u.currency
        t.department = u.person.department or t.department
    return out


def over(rule: sa.AlertRule, t: Total) -> bool:
    return t.cost > Decimal(rule.limit) if rule.measure == "cost" else t.talk_s > int(rule.limit)


def hms(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _who(tenant_id: int | None, rule: sa.AlertRule, person: str, t: Total) -> tuple[str, ...]:
    """The person's address, their department's manager's (when the rule asks), and the rule's cc."""
    def email(external_id: str) -> str:
        row = sd.Person.get_or_none(sd.Person.tenant_id == tenant_id, sd.Person.external_id == external_id)
        return row.email.strip() if row else ""
    out = [email(person)]
    if rule.notify_manager and t.department:
        M = sa.DepartmentManager
        for m in M.select().where(M.tenant == rule.tenant):
            if m.department.casefold() == t.department.casefold() and m.person != person:
                out.append(email(m.person))
    return recipients(", ".join(out + [rule.cc]))


def language_of(data_dir: Path, tenant: str, person: str, default: str) -> str:
    """The language of the person's e-mails: their enabled web account's choice, else `default` ([mail] language)."""
    if not su.open_if_present(data_dir):
        return mail_text.language("", default)
    U = su.User
    row = (U.select(U.language).where(U.tenant == tenant, U.person == person, U.disabled == False)  # noqa: E712
           .order_by(U.id).first())
    return mail_text.language(row.language if row is not None else "", default)


def address_languages(data_dir: Path) -> dict[str, str]:
    """Casefolded e-mail address -> language, for each directory person with an enabled web account that chose a
    language (the alert e-mails to the [alerts] email addresses, appliance.alerts.state.by_language)."""
    if not su.open_if_present(data_dir):
        return {}
    U = su.User
    chosen = {(u.tenant, u.person): u.language for u in
              U.select(U.tenant, U.person, U.language).where(U.disabled == False, U.person != "",  # noqa: E712
                                                             U.language != "").order_by(U.id.desc())}
    if not chosen:
        return {}
    codes = {t.id: t.code for t in sd.Tenant.select()}
    out: dict[str, str] = {}
    P = sd.Person
    for p in P.select(P.tenant_id, P.external_id, P.email).where(P.email != "", P.ended_utc.is_null()):
        lang = chosen.get((codes.get(p.tenant_id, ""), p.external_id), "")
        if lang in mail_text.LANGS:
            for address in filter(None, (a.strip().casefold() for a in p.email.replace(";", ",").split(","))):
                out.setdefault(address, lang)
    return out


def message(rule: sa.AlertRule, p: usage.Period, t: Total, tz: tzinfo, lang: str = "en") -> tuple[str, str]:
    """(subject, body) of a threshold e-mail in `lang` (appliance.mail_text)."""
    if rule.measure == "cost":
        value, limit = f"{t.cost} {t.currency}".strip(), f"{rule.limit} {t.currency}".strip()
    else:
        value, limit = hms(t.talk_s), hms(int(rule.limit))
    since = datetime.fromtimestamp(p.since, tz).strftime("%Y-%m-%d %H:%M")
    until = datetime.fromtimestamp(p.until, tz).strftime("%Y-%m-%d %H:%M %Z")
    words = {"what": mail_text.text(lang, f"what_{rule.measure}"),
             "what_of": mail_text.text(lang, f"what_of_{rule.measure}"),
             "span": mail_text.text(lang, "span_day" if p.kind == "day" else "span_month")}
    subject = mail_text.text(lang, f"limit_subject_{rule.measure}", label=p.label, value=value, limit=limit)
    body = mail_text.text(lang, "limit_body", name=t.name, label=p.label, value=value, limit=limit, calls=t.calls,
                          since=since, until=until, **words)
    return subject, body


def _notify(rule: sa.AlertRule, site: usage.Site, p: usage.Period, person: str, t: Total, now: int,
            sender: Send, data_dir: Path, default_lang: str) -> int:
    N = sa.AlertNotice
    if N.select().where(N.rule_id == rule.id, N.subject == person, N.period == p.label).exists():
        return 0
    to = _who(site.tenant_id, rule, person, t)
    value = str(t.cost) if rule.measure == "cost" else str(t.talk_s)
    with db.atomic("IMMEDIATE"):
        N.create(rule_id=rule.id, subject=person, period=p.label, at_utc=now, value=value, recipients=", ".join(to))
        if not to:
            log.warning("threshold %d: %s is over the limit for %s but has no e-mail address", rule.id, person,
                        p.label)
            return 0
        subject, body = message(rule, p, t, site.tz, language_of(data_dir, site.tenant, person, default_lang))
        log.info("threshold %d: %s over the limit for %s (%s): e-mailing %s", rule.id, person, p.label, value,
                 ", ".join(to))
        return commit([Action("email", f"threshold:{rule.id}:{person}:{p.label}", to=to, subject=subject,
                              body=body)], sender)


def _people(tenant_id: int, rule: sa.AlertRule, data_dir: Path) -> set[str]:
    """External ids of everyone the rule can concern (a department's: whoever was ever placed in it)."""
    if rule.subject_kind == "person":
        return {rule.subject}
    if rule.subject_kind == "role":
        return role_people(data_dir, rule.tenant, rule.subject)
    dept = sd.named_ids(tenant_id, "department").get(rule.subject.casefold())
    P, Person = sd.Placement, sd.Person
    q = (Person.select(Person.external_id).join(P, on=(P.person_id == Person.id))
         .where(P.tenant_id == tenant_id, P.department_id == dept))
    return {p.external_id for p in q}


def _extensions(tenant_id: int, people: set[str]) -> set[str]:
    """Every extension these people ever had (their calls are attributed at each call's time by usage)."""
    E, Person = sd.ExtensionAssignment, sd.Person
    q = (E.select(E.extension).join(Person, on=(Person.id == E.person_id))
         .where(E.tenant_id == tenant_id, Person.external_id.in_(list(people))))
    return {e.extension for e in q} if people else set()


def _due(key: tuple, fp: tuple, sig: tuple, now: int) -> bool:
    """Whether a period needs checking: its data or the rules changed, at most every MIN_INTERVAL_S while calls
    keep coming (a month of calls costs about a second on the board), and at least every RECHECK_S."""
    prev = _seen.get(key)
    return prev is None or prev[2] != sig or (prev[0] != fp and now - prev[1] >= MIN_INTERVAL_S)


def _check_tenant(site: usage.Site, rules: list[sa.AlertRule], data_dir: Path, now: int, sender: Send,
                  sig: tuple, default_lang: str) -> int:
    assert site.tenant_id is not None
    queued = 0
    people = {r.id: _people(site.tenant_id, r, data_dir) for r in rules}
    for kind in sorted({r.period for r in rules}):
        mine = [r for r in rules if r.period == kind]
        extensions = _extensions(site.tenant_id, set().union(*(people[r.id] for r in mine)))
        for p in periods(kind, now, site.tz):
            key, fp = (threading.get_ident(), site.tenant, p.label), _fingerprint(p, sig, now)
            if not _due(key, fp, sig, now):
                continue
            lines = usage.usage(site, p.since, p.until, extensions) if extensions else []
            for rule in mine:
                for person, t in sorted(totals(rule, lines, people[rule.id]).items()):
                    if over(rule, t):
                        queued += _notify(rule, site, p, person, t, now, sender, data_dir, default_lang)
            _seen[key] = (fp, now, sig)
    return queued


def check(cfg: config.Config, data_dir: Path, now: int, sender: Send) -> int:
    """Every rule's current (and just-ended) period; the number of e-mails queued."""
    rules = list(sa.AlertRule.select().order_by(sa.AlertRule.id))
    if not rules:
        return 0
    tz = zone(cfg.section("pbx").timezone)
    sig = tuple((r.id, r.limit, r.subject, r.notify_manager, r.cc) for r in rules)
    queued = 0
    for tenant in sorted({r.tenant for r in rules}):
        site = usage.site_from_config(cfg, tz, tenant)
        if site.tenant_id is None:
            log.warning("threshold rules of tenant %r: no such tenant in the directory", tenant)
            continue
        queued += _check_tenant(site, [r for r in rules if r.tenant == tenant], data_dir, now, sender, sig,
                                cfg.section("mail").language)
    return queued


def notices(limit: int = 200) -> list[dict]:
    """The newest threshold notices (for `callbox alert notices`)."""
    N = sa.AlertNotice
    return [{"rule": n.rule_id, "person": n.subject, "period": n.period, "at_utc": n.at_utc, "value": n.value,
             "recipients": n.recipients} for n in N.select().order_by(N.at_utc.desc(), N.id.desc()).limit(limit)]
