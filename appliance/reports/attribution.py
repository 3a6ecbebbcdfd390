"""Directory attribution for reports: person/department/branch and trunk group of a group of calls, exactly.

A group (a tenant's extension or trunk on one local day, first and last call start lo..hi) is attributed
as a whole when no directory change (an assignment, placement or trunk period starting or ending) falls in
(lo, hi]; otherwise `splits()` says so and the caller reads that group call by call. Also here: the
roll-up form of a user's scope (the same rule as appliance.scope.visible, applied to attributed groups).
"""
from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import phonenumbers as pn

from appliance.access import scope
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.rating import phonedata
from appliance.store import directory as sd
from appliance.store import versioned
from appliance.store.sync import boxes_of_unit

log = logging.getLogger(__name__)
ALWAYS = directory.ALWAYS
MOBILE_KINDS = ("mobile", "international_mobile")
FIXED_KINDS = ("local", "long_distance", "international_fixed")


def _tuples(query) -> list[tuple]:
    """A query's rows as plain tuples (peewee's .tuples() is typed as returning model instances)."""
    return list(query.tuples())


class _Periods(directory.Intervals):
    """directory.Intervals, plus every instant a key's periods start or end (a group of calls that none of
    them falls inside has one attribution)."""

    def __init__(self, rows):
        super().__init__(rows)
        self.edges = {k: sorted({x for a, b, _ in v for x in (a, b) if x is not None and x != ALWAYS})
                      for k, v in self.items.items()}


class _Tenant:
    """One tenant's directory in memory, read with plain tuples (a report builds it every time: it must be
    cheap): attribution as directory.Index gives it, plus every change instant per extension and trunk."""

    def __init__(self, tenant_id: int):
        t = tenant_id
        names = {kind: sd.names(t, kind) for kind in sd.NAMED}
        P, E, T, Pl = sd.Person, sd.ExtensionAssignment, sd.Trunk, sd.Placement
        people = {pid: (ext_id, f"{first} {last}".strip()) for pid, ext_id, first, last in
                  _tuples(P.select(P.id, P.external_id, P.first_name, P.last_name).where(P.tenant_id == t))}

        def attribution(pid: int, b=None, d=None, c=None) -> directory.Attribution:
            ext_id, name = people[pid]
            return directory.Attribution(pid, ext_id, name, b, names["branch"].get(b), d, names["department"].get(d),
                                         c, names["cost_centre"].get(c))
        self.plain = {pid: attribution(pid) for pid in people}
        self.placements = _Periods(
            (pid, a, b, attribution(pid, br, dep, cc)) for pid, br, dep, cc, a, b in _tuples(Pl.select(
                Pl.person_id, Pl.branch_id, Pl.department_id, Pl.cost_centre_id, Pl.valid_from, Pl.valid_to)
                .where(Pl.tenant_id == t)) if pid in people)
        rows = _tuples(E.select(E.extension, E.valid_from, E.valid_to, E.person_id).where(E.tenant_id == t))
        self.extensions = _Periods((e.strip(), a, b, pid) for e, a, b, pid in rows)
        ext_edges: dict[str, set[int]] = {}
        for e, _, _, pid in rows:
            ext_edges.setdefault(e.strip(), set()).update(self.placements.edges.get(pid, ()))
        self.ext_edges = {k: sorted(v | set(self.extensions.edges.get(k, ()))) for k, v in ext_edges.items()}
        self.trunks = _Periods(_tuples(T.select(T.trunk, T.valid_from, T.valid_to, T.provider).where(T.tenant_id == t)))
        self.trunk_edges = self.trunks.edges

    def attribute(self, extension: str, at: int) -> directory.Attribution | None:
        pid = self.extensions.get(extension.strip(), at)
        if pid is None:
            return None
        return self.placements.get(pid, at) or self.plain.get(pid)

    def provider(self, trunk: str, at: int) -> str:
        return self.trunks.get(trunk, at) or ""


def _splits(edges: list[int] | None, lo: int, hi: int) -> bool:
    if not edges or lo == hi:
        return False
    i = bisect.bisect_right(edges, lo)
    return i < len(edges) and edges[i] <= hi


class Attributor:
    """Attribution of groups of calls, with one in-memory directory per tenant (built on first use)."""

    def __init__(self, pbx_tenant: str):
        self.pbx_tenant = pbx_tenant
        self._tenants: dict[str, _Tenant | None] = {}

    def _tenant(self, call_tenant: str) -> _Tenant | None:
        code = call_tenant or self.pbx_tenant
        if code not in self._tenants:
            tid = sd.tenant_id(code)
            # one per change of the database: the reports of one page (trunk traffic and its baseline periods)
            # share it; it is never changed once built
            self._tenants[code] = versioned.cached("attribution.tenant", tid, lambda: _Tenant(tid)) \
                if tid is not None else None
        return self._tenants[code]

    def splits(self, kind: str, call_tenant: str, key: str, lo: int, hi: int) -> bool:
        """Does a directory change fall inside (lo, hi] for this extension ("person") or trunk ("trunk")?"""
        t = self._tenant(call_tenant)
        if t is None:
            return False
        return _splits((t.ext_edges if kind == "person" else t.trunk_edges).get(key), lo, hi)

    def person(self, call_tenant: str, extension: str, at: int) -> directory.Attribution | None:
        t = self._tenant(call_tenant)
        return t.attribute(extension, at) if t is not None else None

    def trunk_group(self, call_tenant: str, trunk: str, at: int) -> str:
        t = self._tenant(call_tenant)
        return t.provider(trunk, at) if t is not None else ""


def person_label(a: directory.Attribution | None) -> str:
    if a is None:
        return ""
    return f"{a.name} ({a.external_id})" if a.name else a.external_id


@lru_cache(maxsize=100_000)
def operator_region(kind: str, number: str) -> tuple[str, str]:
    """(mobile operator, city/province) of an E.164 number, from phonenumbers' data (English names)."""
    if not number.startswith("+"):
        return "", ""
    try:
        parsed = pn.parse(number, None)
    except pn.NumberParseException:
        return "", ""
    operator = phonedata.carrier().name_for_number(parsed, "en") if kind in MOBILE_KINDS else ""
    region = phonedata.geocoder().description_for_number(parsed, "en") if kind in FIXED_KINDS else ""
    return operator, region


@dataclass(frozen=True)
class RollupScope:
    """A user's scope for data that is not the call table: the call tenants allowed and, for own/department/
    branch, a test on each group's attribution. `nothing` when the user sees no call at all."""
    tenant_in: tuple[str, ...] | None
    accepts: Callable[[directory.Attribution | None], bool] | None = None
    nothing: bool = False
    extensions: tuple[str, ...] | None = None   # own/department/branch: every extension the scope ever had
    branch_boxes: tuple[str, ...] = ()   # a branch user on a central: the branch boxes that are their branch
    unit: tuple[str, int] | None = None   # department/branch: ("department_id" | "branch_id", the unit's id)


def rollup_scope(user: Account, pbx_tenant: str) -> RollupScope:
    """The rule of appliance.scope.visible, for groups of calls (checked against it by tests/reports/test_rollup.py)."""
    basis = scope.basis(user)
    if basis in ("all", "none"):
        return RollupScope(None) if basis == "all" else RollupScope((), nothing=True)
    tenants = scope.call_tenant_codes(user.tenant, pbx_tenant)
    if basis == "tenant":
        return RollupScope(tenants)
    reach = scope.reach(user)
    if reach is None:
        return RollupScope((), nothing=True)
    # a first cut in SQL: only groups of extensions the scope ever had (the attribution test decides)
    extensions = tuple(sorted({ext for ext, _lo, _hi in scope.extension_ranges(reach)}))
    # on a central, a branch user also sees the calls of the branch boxes that are their branch (linked to it by
    # its identity, or not linked and written as it is named)
    boxes: tuple[str, ...] = ()
    if reach.field == "branch_id":
        unit = sd.Branch.get_or_none(sd.Branch.id == reach.unit)
        boxes = boxes_of_unit(reach.unit, unit.name if unit is not None else "")
    return RollupScope(tenants, reach.accepts, extensions=extensions, branch_boxes=boxes,
                       unit=(reach.field, reach.unit) if reach.field and reach.unit is not None else None)
