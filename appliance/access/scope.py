"""Which calls a user may see: the one place where a user's data scope becomes a filter on the call table (USR-2).

Every page and API that shows call rows gets them from `calls_query` (or asks `sees_whole_box` before
showing raw PBX lines), so none can forget the scope. A call is attributed through the directory as of its
start: it belongs to the person whose extension it was then, and to that person's department and branch
then. A user's own department and branch are those of their directory person now.

Each call carries the code of its tenant (the tenant of the PBX source it came from, [pbx] tenant_by_source);
an empty code (a call stored before calls had one) means the [pbx] tenant. `call_tenant_codes` and
`_call_tenant_id` are the only places that read it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable

from peewee import SQL, ColumnBase, fn

from appliance import store
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.store import Call
from appliance.store import directory as sd
from appliance.store import versioned

log = logging.getLogger(__name__)
EVERYTHING = SQL("1 = 1")
NOTHING = SQL("1 = 0")


def call_tenant_codes(tenant_code: str, pbx_tenant: str) -> tuple[str, ...]:
    """The codes a tenant's calls carry: its own, and "" (stored before calls had one) for the [pbx] tenant."""
    return (tenant_code, "") if tenant_code == pbx_tenant else (tenant_code,)


def call_tenant_is(tenant_code: str, pbx_tenant: str) -> ColumnBase:
    """The condition on `Call` rows of the tenant."""
    return Call.tenant.in_(call_tenant_codes(tenant_code, pbx_tenant))


def _call_tenant_id(call_tenant: str, pbx_tenant: str) -> int | None:
    """The tenant a call is attributed in: the directory's id of its tenant code ("" = the [pbx] tenant)."""
    return sd.tenant_id(call_tenant or pbx_tenant)


def _other_tenants(pbx_tenant: str) -> bool:
    """Does this box hold calls of a tenant other than the [pbx] tenant?"""
    return store.CallTenant.select().where(store.CallTenant.code.not_in(("", pbx_tenant))).exists()


def kept_key(user: Account) -> Account | tuple[str, str]:
    """What the calls `user` sees depend on, as the key of results kept per database version
    (appliance/store/versioned.py): users of the whole box, of one tenant or of nothing see the same calls
    whatever their role or name, and share what is kept (a search, a report, the home page's figures: none holds
    a translated text); an own / department / branch user keeps their own (their reach comes from the
    directory, read with the results)."""
    b = basis(user)
    if b == "person":
        return user
    return (b, user.tenant if b == "tenant" else "")


def basis(user: Account) -> str:
    """How the user's scope selects calls: "all" (every call of the box), "tenant" (the calls of their
    tenant), "person" (own / department / branch: through the directory, see `reach`) or "none". Unknown
    scopes, and users without a tenant, see nothing (fail closed)."""
    if user.scope == "all":
        return "all" if user.is_admin else "none"
    if user.scope not in ("tenant", "own", "department", "branch") or not user.tenant:
        return "none"
    return "tenant" if user.scope == "tenant" else "person"


@dataclass(frozen=True)
class Reach:
    """Whose calls an own / department / branch user sees, each call as of its start: those of `person`
    (own), or of whoever then worked in the person's current unit (`field` "department_id" or "branch_id",
    `unit` its id)."""
    person: sd.Person
    field: str = ""
    unit: int | None = None

    def accepts(self, a: directory.Attribution | None) -> bool:
        """Is a call attributed to `a` (None: the extension had no owner then) within reach?"""
        if a is None:
            return False
        return a.person_id == self.person.id if not self.field else getattr(a, self.field) == self.unit


def reach(user: Account) -> Reach | None:
    """The reach of an own / department / branch user; None when they see no call through a person (the
    person is not in the directory, has no current unit, or the scope is another). Read once per change of the
    database (every report and search of the user asks; appliance/store/versioned.py): shared, never changed."""
    return versioned.cached("scope.reach", user, lambda: _reach(user))


def _reach(user: Account) -> Reach | None:
    tid = sd.tenant_id(user.tenant)
    person = (sd.Person.get_or_none(sd.Person.tenant_id == tid, sd.Person.external_id == user.person)
              if tid is not None and user.person else None)
    if person is None:
        log.warning("user %s: person %r not in tenant %r: no calls", user.username, user.person, user.tenant)
        return None
    if user.scope == "own":
        return Reach(person)
    if user.scope not in ("department", "branch"):
        return None
    field = f"{user.scope}_id"
    now = sd.open_placement(person.tenant_id, person.id)
    unit = getattr(now, field) if now is not None else None
    if unit is None:
        log.warning("user %s: person %r has no current %s: no calls", user.username, user.person, user.scope)
        return None
    return Reach(person, field, unit)


def extension_ranges(r: Reach) -> list[tuple[str, int | None, int | None]]:
    """The (extension, from, to) ranges (None: unbounded) whose calls are within reach `r`: the condition
    on the call table is then a few index ranges (store: the TRIM(extension), start_utc index) instead of a
    lookup per call."""
    ea = sd.ExtensionAssignment
    tid = r.person.tenant_id
    if not r.field:
        return [(a.extension, a.valid_from, a.valid_to) for a in
                ea.select().where(ea.tenant_id == tid, ea.person_id == r.person.id)]
    pl = sd.Placement
    placed: dict[int, list[tuple[int | None, int | None]]] = {}
    for p in pl.select().where(pl.tenant_id == tid, getattr(pl, r.field) == r.unit):
        placed.setdefault(p.person_id, []).append((p.valid_from, p.valid_to))
    ranges = []
    for a in ea.select().where(ea.tenant_id == tid, ea.person_id.in_(list(placed))):
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

    def __init__(self, ranges: Iterable[tuple[str, int | None, int | None]], by_start: bool = False):
        super().__init__()
        self.ranges = sorted(set(ranges), key=lambda r: (r[0], r[1] or 0))
        self.by_start = by_start

    def __sql__(self, ctx):
        extension, start = _column_text(ctx, Call.extension), _column_text(ctx, Call.start_utc)
        if self.by_start:      # SQLite's unary + keeps a term from choosing an index: the ranges are a filter only
            extension, start = f"+{extension}", f"+{start}"
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


def visible(user: Account, pbx_tenant: str, by_start: bool = False) -> ColumnBase:
    """The condition on `Call` rows the user may see. `by_start`: the extension ranges of an own / department /
    branch user only filter the rows, they do not choose the index: for the newest page of a scope with many
    calls, walking the start index finds it sooner than gathering every call of the scope and sorting them."""
    b = basis(user)
    if b in ("all", "none"):
        return EVERYTHING if b == "all" else NOTHING
    of_tenant = call_tenant_is(user.tenant, pbx_tenant)
    if b == "tenant":
        return of_tenant
    ranges = person_ranges(user)
    return (of_tenant & _Ranges(ranges, by_start)) if ranges else NOTHING


def in_reach(user: Account) -> ColumnBase:
    """visible() of an own / department / branch user without its tenant condition: the extension ranges alone, which
    the call table's index on extension and start answers by itself (for a reader that checks the call's tenant on
    a row that carries it)."""
    ranges = person_ranges(user)
    return _Ranges(ranges) if ranges else NOTHING


def person_ranges(user: Account) -> tuple[tuple[str, int | None, int | None], ...]:
    """The (extension, from, to) ranges of an own / department / branch user's reach (extension_ranges; none when
    they have no reach), kept until the database changes."""
    return versioned.cached("scope.ranges", user, lambda: _person_ranges(user))


def _person_ranges(user: Account) -> tuple[tuple[str, int | None, int | None], ...]:
    """The extension ranges of an own / department / branch user (none when they have no reach)."""
    r = reach(user)
    return tuple(extension_ranges(r)) if r is not None else ()


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
    if basis(user) == "all":
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
        # the same page of calls asked again (every user's home page, a search paged through) reuses its index
        # until the database changes (appliance/store/versioned.py)
        indexes[code] = None if tid is None else _index(tid, extensions)
    out: list[directory.Attribution | None] = []
    for c in calls:
        index = indexes[c.tenant or pbx_tenant]
        out.append(index.attribute(c.extension, c.start_utc) if index is not None else None)
    return out


def _index(tid: int, extensions: set[str]) -> directory.Index:
    """The directory index of these extensions, reused while the database has not changed."""
    return versioned.cached("directory.Index", (tid, frozenset(extensions)), lambda: directory.Index(tid, extensions))


def sees_whole_box_while_empty(user: Account, pbx_tenant: str) -> bool:
    """What `sees_whole_box` answers while no call is stored (no other tenant's calls can exist then),
    without asking the database."""
    return (user.scope == "all" and user.is_admin) or (user.scope == "tenant" and user.tenant == pbx_tenant)


def call_span(user: Account, pbx_tenant: str) -> tuple[int | None, int | None]:
    """(first, last) start of the calls the user may see; (None, None) when there is none."""
    lo, hi = Call.select(fn.MIN(Call.start_utc), fn.MAX(Call.start_utc)).where(visible(user, pbx_tenant)).scalar(
        as_tuple=True)
    return lo, hi


def visible_tenants(user: Account) -> list[sd.Tenant]:
    """The tenants whose directory (people, rules, bills) the user may see: every tenant for scope all, else
    their own."""
    def build() -> list[sd.Tenant]:
        query = sd.Tenant.select().order_by(sd.Tenant.code)
        return list(query if user.scope == "all" else query.where(sd.Tenant.code == user.tenant))
    if sd.Tenant._meta.database.in_transaction():        # a writer's own changes are not in the version yet
        return build()
    return list(versioned.cached("scope.visible_tenants", (user.scope, user.tenant), build))


def visible_people(user: Account, tenant: sd.Tenant) -> set[int] | None:
    """The ids of the tenant's people the user may see, or None for all of them (scope tenant or all): own,
    themselves; department / branch, the people whose current (for people who left, last) placement is in
    the unit the user's directory person is placed in now. Fails closed: no directory person, or no current
    department / branch, sees nobody."""
    if user.scope in ("tenant", "all"):
        return None
    me = (sd.Person.get_or_none(sd.Person.tenant_id == tenant.id, sd.Person.external_id == user.person)
          if user.person else None)
    if me is None or user.scope not in ("own", "department", "branch"):
        return set()
    if user.scope == "own":
        return {me.id}
    field = "department_id" if user.scope == "department" else "branch_id"
    now = sd.open_placement(tenant.id, me.id)
    unit = getattr(now, field) if now is not None else None
    if unit is None:
        return set()
    last: dict[int, sd.Placement] = {}
    P = sd.Placement
    rows = P.select().where(P.tenant_id == tenant.id)
    # placements never overlap: the open one is the latest, else the one that ended last
    for pl in sorted(rows, key=lambda r: (r.valid_to is None, r.valid_to or 0, r.id)):
        last[pl.person_id] = pl
    return {pid for pid, pl in last.items() if getattr(pl, field) == unit}


def bill_people(user: Account, tenant: sd.Tenant) -> set[int] | None:
    """The ids of the tenant's people whose bill the user may see, or None for all of them: staff only their
    own (whatever their scope), everyone else `visible_people`."""
    if user.role != "staff":    # every placement of the tenant is read: once per change of the database
        kept = versioned.cached("scope.visible_people", (user, tenant.id), lambda: visible_people(user, tenant))
        return None if kept is None else set(kept)

    def own() -> frozenset[int]:
        me = (sd.Person.get_or_none(sd.Person.tenant_id == tenant.id, sd.Person.external_id == user.person)
              if user.person and user.tenant == tenant.code else None)
        return frozenset({me.id} if me else ())
    # every bill page of every staff user asks: once per change of the database
    return set(versioned.cached("scope.bill_own", (user.person, user.tenant, tenant.id, tenant.code), own))


def sync_report_for(user: Account, report: dict | None) -> dict | None:
    """The part of a directory sync or import report (appliance.directory.sync, as a dict) the user may see:
    all of it for administrators of the whole box; for anyone else the changes and problems of their own tenant
    and, within it, of the people `visible_people` lets them see (a problem naming anyone else is left out; a
    problem naming nobody, such as a source that could not be read, is about the whole tenant). The people
    counted per source span every tenant, so others get the source names without counts (None)."""
    if report is None or basis(user) == "all":
        return report
    tenant = sd.Tenant.get_or_none(sd.Tenant.code == user.tenant) if user.tenant else None
    if basis(user) == "none" or tenant is None:
        changes, problems = [], []
    else:
        only = visible_people(user, tenant)
        seen = None if only is None else {p.external_id for p in sd.Person.select(sd.Person.external_id).where(
            sd.Person.tenant_id == tenant.id, sd.Person.id.in_(list(only)))}
        changes = [c for c in report.get("changes", []) if c.get("tenant") == tenant.code
                   and (seen is None or c.get("person_id") in seen)]
        problems = [p for p in report.get("problems", []) if p.get("tenant") == tenant.code
                    and (seen is None or all(person in seen for person in p.get("people", [])))]
    return {**report, "sources": {source: None for source in report.get("sources", {})}, "changes": changes,
            "problems": problems}
