"""Cost and duration thresholds per person (REP-11): the rules and the department managers they copy.

A rule names a person, a department (each person in it, with the calls made while they were in it) or a role
(each person whose web account has it), a measure (cost, or talk time in seconds) of their outgoing calls
charged to them (appliance/usage.py: attribution at each call's time, the transfer rule), and a day or a
calendar month of the PBX's local time. appliance/alert_thresholds.py checks them.
"""
from __future__ import annotations

import logging
import re
import time
from decimal import Decimal, InvalidOperation

from appliance.access import users
from appliance.alerts.state import recipients
from appliance.delivery.mail import check_address
from appliance.store import alerts as sa
from appliance.store import IMMEDIATE, db
from appliance.store import directory as sd

log = logging.getLogger(__name__)
MEASURES = ("cost", "duration")
SUBJECTS = ("person", "department", "role")
PERIODS = ("day", "month")
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")


class AlertError(ValueError):
    """A rule or manager that cannot be stored as given; the message says why."""


def parse_limit(measure: str, text: str) -> str:
    """The limit as stored: a cost as exact decimal text, a duration as seconds (90m, 2h, 1h30m, 45s, 3600)."""
    t = text.strip().lower()
    if measure == "duration":
        m = _DURATION.fullmatch(t) if t else None
        if not m:
            raise AlertError(f"duration limit {text!r}: expected seconds or e.g. 90m, 2h, 1h30m")
        value = Decimal(int(m[1] or 0) * 3600 + int(m[2] or 0) * 60 + int(m[3] or 0))
    else:
        try:
            value = Decimal(t)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            raise AlertError(f"cost limit {text!r} is not a number (e.g. 150.00)")
    if value <= 0:
        raise AlertError(f"limit {text!r} must be above zero")
    return str(value)


def _check_subject(tenant_id: int, kind: str, subject: str) -> None:
    if kind == "person" and sd.Person.get_or_none(sd.Person.tenant_id == tenant_id,
                                                  sd.Person.external_id == subject) is None:
        raise AlertError(f"no person {subject!r} in the directory of this tenant")
    if kind == "department" and subject.casefold() not in sd.named_ids(tenant_id, "department"):
        raise AlertError(f"no department {subject!r} in the directory of this tenant")
    if kind == "role" and subject not in users.ROLES:
        raise AlertError(f"unknown role {subject!r}: one of {', '.join(users.ROLES)}")


def add_rule(tenant: str, measure: str, subject_kind: str, subject: str, period: str, limit: str,
             notify_manager: bool = False, cc: str = "") -> sa.AlertRule:
    """Store a threshold rule after checking every part of it."""
    for name, value, allowed in (("measure", measure, MEASURES), ("subject", subject_kind, SUBJECTS),
                                 ("period", period, PERIODS)):
        if value not in allowed:
            raise AlertError(f"{name} {value!r}: one of {', '.join(allowed)}")
    tid = sd.tenant_id(tenant)
    if tid is None:
        raise AlertError(f"no tenant {tenant!r} (the directory creates tenants)")
    subject = subject.strip()
    _check_subject(tid, subject_kind, subject)
    for address in filter(None, (a.strip() for a in cc.replace(";", ",").split(","))):
        try:
            check_address(address)
        except ValueError as e:
            raise AlertError(f"cc: {e}") from None
    return sa.AlertRule.create(tenant=tenant, measure=measure, subject_kind=subject_kind, subject=subject,
                               period=period, limit=parse_limit(measure, limit), notify_manager=notify_manager,
                               cc=", ".join(recipients(cc)), created_utc=int(time.time()))


def rule_dict(r: sa.AlertRule) -> dict:
    return {"id": r.id, "tenant": r.tenant, "measure": r.measure, "subject_kind": r.subject_kind,
            "subject": r.subject, "period": r.period, "limit": r.limit, "notify_manager": bool(r.notify_manager),
            "cc": r.cc, "notices": sa.AlertNotice.select().where(sa.AlertNotice.rule_id == r.id).count()}


def rules() -> list[dict]:
    return [rule_dict(r) for r in sa.AlertRule.select().order_by(sa.AlertRule.id)]


def remove_rule(rule_id: int) -> bool:
    """Delete a rule and its notices; False when there is no such rule."""
    with db.atomic(IMMEDIATE):
        sa.AlertNotice.delete().where(sa.AlertNotice.rule_id == rule_id).execute()
        return bool(sa.AlertRule.delete().where(sa.AlertRule.id == rule_id).execute())


def set_manager(tenant: str, department: str, person: str) -> None:
    """Make `person` (external id) the manager of `department`: copied on its people's threshold e-mails."""
    tid = sd.tenant_id(tenant)
    if tid is None:
        raise AlertError(f"no tenant {tenant!r} (the directory creates tenants)")
    _check_subject(tid, "department", department)
    _check_subject(tid, "person", person)
    sa.DepartmentManager.insert(tenant=tenant, department=department.strip(), person=person.strip()
                                ).on_conflict_replace().execute()


def managers() -> list[dict]:
    M = sa.DepartmentManager
    return [{"tenant": m.tenant, "department": m.department, "person": m.person}
            for m in M.select().order_by(M.tenant, M.department)]


def remove_manager(tenant: str, department: str) -> bool:
    M = sa.DepartmentManager
    return bool(M.delete().where(M.tenant == tenant, M.department == department.strip()).execute())
