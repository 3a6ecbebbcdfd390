"""Which calls a user may see: the one place where a user's data scope becomes a filter on the call table (USR-2).

Every page and API that shows call rows gets them from `calls_query` (or asks `sees_whole_box` before
showing raw PBX lines), so none can forget the scope. A call is attributed through the directory as of its
start: it belongs to the person whose extension it was then, and to that person's department and branch
then. A user's own department and branch are those of their directory person now.

Each call carries the code of its tenant (the tenant of the PBX source it came from, [pbx] tenant_by_source);
an empty code (a call stored before calls had one) means the [pbx] tenant. `_call_tenant_is` and
`_call_tenant_id` are the only places that read it.
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
    """Calls that belong to the tenant: their own tenant code, or none stored when it is the [pbx] tenant."""
    if tenant_code == pbx_tenant:
        return Call.tenant.in_((tenant_code, ""))
    return Call.tenant == tenant_code


def _call_tenant_id(call_tenant: str, pbx_tenant: str) -> int | None:
    """The tenant a call is attributed in: the directory's id of its tenant code ("" = the [pbx] tenant)."""
    return sd.tenant_id(call_tenant or pbx_tenant)


def _other_tenants(pbx_tenant: str) -> bool:
    """Does this box hold calls of a tenant other than the [pbx] tenant?"""
    return store.CallTenant.select().where(store.CallTenant.code.not_in(("", pbx_tenant))).exists()


def _person(user: Account) -> sd.Person | None:
    tid = sd.tenant_id(user.tenant)
    if tid is None or not user.person:
        return None
    return sd.Person.get_or_none(sd.Person.tenant_id == tid, sd.Person.external_id == user.person)


def _by_person(user: Account) -> ColumnBase:
    """own / department / branch: calls whose extension, at the call's start, was the user's person's
    (own), or a person's who then worked in the user's current department or branch.

    The directory's periods are turned into (extension, from, to) ranges, so the condition on the call table
    is a few index ranges (store: the TRIM(extension), start_utc index) instead of a lookup per call."""
    ranges = extension_ranges(user)
    return _Ranges(ranges) if ranges else NOTHING


def extension_ranges(user: Account) -> list[tuple[str, int | None, int | None]]:
    """For an own / department / branch scope: the (extension, from, to) ranges whose calls the user may see
    (None: unbounded); [] when the user sees no call through a person."""
    person = _person(user)
    if person is None:
        log.warning("user %s: person %r not in tenant %r: no calls", user.username, user.person, user.tenant)
        return []
    ea = sd.ExtensionAssignment
    if user.scope == "own":
        return [(a.extension, a.valid_from, a.valid_to) for a in
                ea.select().where(ea.tenant_id == person.tenant_id, ea.person_id == person.id)]
    field = "department_id" if user.scope == "department" else "branch_id"
    now = sd.open_placement(person.tenant_id, person.id)
    unit = getattr(now, field) if now is not None else None
    if unit is None:
        log.warning("user %s: person %r has no current %s: no calls", user.username, user.person, field[:-3])
        return []
    pl = sd.Placement
    placed: dict[int, list[tuple[int | None, int | None]]] = {}
    for p in pl.select().where(pl.tenant_id == person.tenant_id, getattr(pl, field) == unit):
        placed.setdefault(p.person_id, []).append((p.valid_from, p.valid_to))
    ranges = []
    for a in ea.select().where(ea.tenant_id == person.tenant_id, ea.person_id.in_(list(placed))):
        for start, end in placed[a.person_id]:   # the extension was theirs while they worked in the unit
            lo = start if a.valid_from is None else a.valid_from if start is None else max(start, a.valid_from)
            hi = end if a.valid_to is None else a.valid_to if end is None else min(end, a.valid_to)
            if lo is None or hi is None or lo < hi:
                ranges.append((a.extension, lo, hi))
    return ranges


class _Ranges(ColumnBase):
    """Calls on `extension` with start in [from, to) (None: unbounded) for any of the ranges, rendered as
    plain SQL text with the call table's column references as the enclosing query names them. A department
    has hundreds of ranges: peewee would spend longer composing them as expression nodes than SQLite takes to
    answer (each range is an index range on TRIM(extension), start_utc: store.EXPRESSION_INDEXES)."""

    def __init__(self, ranges: list[tuple[str, int | None, int | None]]):
        super().__init__()
        self.ranges = sorted(set(ranges), key=lambda r: (r[0], r[1] or 0))

    def __sql__(self, ctx):
        extension, start = _column_text(ctx, Call.extension), _column_text(ctx, Call.start_utc)
        ctx.literal("(")
        for i, (ext, lo, hi) in enumerate(self.ranges):
            ctx.literal(f"{' OR ' if i else ''}(TRIM({extension}) = ")
            ctx.value(ext)
            if lo is not None:
                ctx.literal(f" AND {start} >= ")
                ctx.value(lo)
            if hi is not None:
                ctx.literal(f" AND {start} < ")
                ctx.value(hi)
            ctx.literal(")")
        return ctx.literal(")")


def _column_text(ctx, column) -> str:
    """How `ctx` writes a column reference (table alias included), without writing it."""
    mark = len(ctx._sql)
    ctx.sql(column)
    text = "".join(ctx._sql[mark:])
    del ctx._sql[mark:]
    return text


def visible(user: Account, pbx_tenant: str) -> ColumnBase:
    """The condition on `Call` rows the user may see. Unknown scopes see nothing (fail closed)."""
    if user.scope == "all":
        return EVERYTHING if user.is_admin else NOTHING
    if user.scope not in ("tenant", "own", "department", "branch") or not user.tenant:
        return NOTHING
    of_tenant = _call_tenant_is(user.tenant, pbx_tenant)
    if user.scope == "tenant":
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
    (the setup page, quarantined lines): a raw line can be any call. The [pbx] tenant's administrators lose
    that once the box holds another tenant's calls."""
    if user.scope == "all" and user.is_admin:
        return True
    return user.scope == "tenant" and user.tenant == pbx_tenant and not _other_tenants(pbx_tenant)


def attributions(calls: Iterable[Call], pbx_tenant: str) -> list[directory.Attribution | None]:
    """Person, department and branch of each call as of its start (None where the directory has no owner)."""
    calls = list(calls)
    wanted: dict[str, set[str]] = {}
    for c in calls:   # each call in its own tenant's directory: only the extensions these calls have
        wanted.setdefault(c.tenant or pbx_tenant, set()).add(c.extension)
    indexes: dict[str, directory.Index | None] = {}
    for code, extensions in wanted.items():
        tid = _call_tenant_id(code, pbx_tenant)
        indexes[code] = directory.Index(tid, extensions) if tid is not None else None
    out: list[directory.Attribution | None] = []
    for c in calls:
        index = indexes[c.tenant or pbx_tenant]
        out.append(index.attribute(c.extension, c.start_utc) if index is not None else None)
    return out
