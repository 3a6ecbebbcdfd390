"""Which calls a user may see: the one place where a user's data scope becomes a filter on the call table (USR-2).

Every page and API that shows call rows gets them from `calls_query` (or asks `sees_whole_box` before
showing raw PBX lines), so none can forget the scope. A call is attributed through the directory as of its
start: it belongs to the person whose extension it was then, and to that person's department and branch
then. A user's own department and branch are those of their directory person now.

Calls carry no tenant column yet: every call of this box belongs to the [pbx] tenant. `_call_tenant_is`
and `_call_tenant_id` are the two places to change when calls get a tenant_id of their own.
"""
from __future__ import annotations

import logging
from typing import Iterable

from peewee import SQL, ColumnBase, fn

from appliance import directory, store
from appliance import store_directory as sd
from appliance.store import Call
from appliance.users import Account

log = logging.getLogger(__name__)
EVERYTHING = SQL("1 = 1")
NOTHING = SQL("1 = 0")


def _call_tenant_is(tenant_code: str, pbx_tenant: str) -> ColumnBase:
    """Calls that belong to the tenant (today all or none: they all belong to the [pbx] tenant)."""
    return EVERYTHING if tenant_code == pbx_tenant else NOTHING


def _call_tenant_id(pbx_tenant: str) -> int | None:
    """The tenant the calls are attributed in (the directory's id of the [pbx] tenant)."""
    return sd.tenant_id(pbx_tenant)


def _covers(model, at) -> ColumnBase:
    return ((model.valid_from.is_null() | (model.valid_from <= at)) &
            (model.valid_to.is_null() | (at < model.valid_to)))


def _person(user: Account) -> sd.Person | None:
    tid = sd.tenant_id(user.tenant)
    if tid is None or not user.person:
        return None
    return sd.Person.get_or_none(sd.Person.tenant_id == tid, sd.Person.external_id == user.person)


def _by_person(user: Account) -> ColumnBase:
    """own / department / branch: calls whose extension, at the call's start, was the user's person's
    (own), or a person's who then worked in the user's current department or branch."""
    person = _person(user)
    if person is None:
        log.warning("user %s: person %r not in tenant %r: no calls", user.username, user.person, user.tenant)
        return NOTHING
    ea = sd.ExtensionAssignment.alias("scope_ea")
    owner = ea.select(SQL("1")).where(ea.tenant_id == person.tenant_id, ea.extension == fn.TRIM(Call.extension),
                                      _covers(ea, Call.start_utc))
    if user.scope == "own":
        return fn.EXISTS(owner.where(ea.person_id == person.id))
    field = "department_id" if user.scope == "department" else "branch_id"
    now = sd.open_placement(person.tenant_id, person.id)
    unit = getattr(now, field) if now is not None else None
    if unit is None:
        log.warning("user %s: person %r has no current %s: no calls", user.username, user.person, field[:-3])
        return NOTHING
    pl = sd.Placement.alias("scope_pl")
    placed = owner.join(pl, on=(pl.tenant_id == ea.tenant_id) & (pl.person_id == ea.person_id))
    return fn.EXISTS(placed.where(_covers(pl, Call.start_utc), getattr(pl, field) == unit))


def visible(user: Account, pbx_tenant: str) -> ColumnBase:
    """The condition on `Call` rows the user may see. Unknown scopes see nothing (fail closed)."""
    if user.scope == "all":
        return EVERYTHING if user.is_admin else NOTHING
    if user.scope not in ("tenant", "own", "department", "branch") or not user.tenant:
        return NOTHING
    of_tenant = _call_tenant_is(user.tenant, pbx_tenant)
    if user.scope == "tenant" or of_tenant is NOTHING:
        return of_tenant
    return of_tenant & _by_person(user)


def calls_query(user: Account, pbx_tenant: str, since: int | None = None, until: int | None = None,
                newest_first: bool = False, limit: int | None = None):
    """The peewee query of the calls with start in [since, until) that `user` may see."""
    return store.calls(since, until, limit, newest_first).where(visible(user, pbx_tenant))


def totals(user: Account, pbx_tenant: str) -> tuple[int, int]:
    """(calls, legs) the user may see."""
    row = (Call.select(fn.COUNT(Call.id), fn.COALESCE(fn.SUM(Call.legs), 0))
           .where(visible(user, pbx_tenant)).tuples().first())
    return (row[0], row[1]) if row else (0, 0)


def sees_whole_box(user: Account, pbx_tenant: str) -> bool:
    """May the user see every call of this box? Only then may they see raw, unattributed PBX lines
    (the setup page, quarantined lines): a raw line can be any call."""
    return (user.scope == "all" and user.is_admin) or (user.scope == "tenant" and user.tenant == pbx_tenant)


def attributions(calls: Iterable[Call], pbx_tenant: str) -> list[directory.Attribution | None]:
    """Person, department and branch of each call as of its start (None where the directory has no owner)."""
    calls = list(calls)
    tid = _call_tenant_id(pbx_tenant)
    if tid is None:
        return [None] * len(calls)
    index = directory.Index(tid)
    return [index.attribute(c.extension, c.start_utc) for c in calls]
