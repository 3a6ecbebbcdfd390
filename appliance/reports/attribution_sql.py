"""Directory attribution of cube rows in SQL: the person / department / branch and trunk group of thousands of
roll-up rows grouped by SQLite instead of attributed one by one in Python.

The directory's periods are turned into intervals of constant attribution per (call tenant, extension) and per
(call tenant, trunk): between two consecutive change instants (the edges appliance/reports/attribution.py
splits groups at) nothing changes, so a cube row whose first and last call start lie in one interval has that
interval's attribution, exactly what `Attributor.person`/`trunk_group` give at its first call. The intervals go
into two temporary tables (per connection; a read-only connection may write its own temporary tables), each
interval labelled with the id of its shown values (person label, department, branch, person id; or the trunk
group) and whether the user's scope accepts it. One query then groups the cube's rows by those labels and the
report's other keys. The rows no interval holds whole (a directory change falls inside them) come back as the
cube gives them, to be split by the engine as before (`_refiner`): the results are those of the Python path
(tests/reports/test_attribution_sql.py).
"""
from __future__ import annotations

import weakref
from typing import Any
from dataclasses import dataclass

from appliance import store
from appliance.directory import organisation as directory
from appliance.reports.attribution import ALWAYS, person_label
from appliance.reports.dims import DIMS, key_sql
from appliance.reports.query import Query, cube_conditions, sums_sql
from appliance.store import directory as sd

LOW, HIGH = ALWAYS, 2 ** 62   # an interval without a start / an end
REJECTED = -1   # the label of intervals the scope does not accept (and of rows grouped there: dropped)
_TABLES = {"person": ("cb_attr_ext", "extension"), "trunk": ("cb_attr_trunk", "trunk")}


def _intervals(edges_of: dict, getter) -> list[tuple[object, int, int, object]]:
    """(key, lo, hi, value) for every key of `edges_of` (key -> its sorted change instants): its whole time line
    cut at its edges, each piece with the value `getter(key, at)` has on it ([lo, hi): constant there)."""
    out = []
    for key, edges in edges_of.items():
        bounds = [LOW, *edges, HIGH]
        for lo, hi in zip(bounds, bounds[1:]):
            out.append((key, lo, hi, getter(key, lo if lo != LOW else hi - 1)))
    return out


@dataclass(frozen=True)
class _TenantIntervals:
    person: list   # (extension, lo, hi, Attribution | None)
    trunk: list    # (trunk, lo, hi, provider)


_MADE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _tenant_intervals(tenant: Any) -> _TenantIntervals:
    """A tenant's intervals (attribution._Tenant `tenant`, one per change of the database and never changed)."""
    have = _MADE.get(tenant)
    if have is None:
        have = _MADE[tenant] = _TenantIntervals(_intervals(tenant.ext_edges, tenant.attribute),
                                                _intervals(tenant.trunk_edges, tenant.provider))
    return have


def _person_values(a: directory.Attribution | None, shown: frozenset[str]) -> tuple[str, str, str, str]:
    """(person label, department, branch, person id) of `a`, "" for those the report does not show (so that
    intervals of the same shown values share one label)."""
    person = "person" in shown
    return (person_label(a) if person else "", (a.department or "") if a and "department" in shown else "",
            (a.branch or "") if a and "branch" in shown else "", a.external_id if a and person else "")


class Labels:
    """Label ids of shown values, per attributed kind: ids >= 0 accepted by the scope, REJECTED the others."""

    def __init__(self) -> None:
        self.values: dict[str, list[tuple]] = {"person": [], "trunk": []}
        self._ids: dict[tuple, int] = {}

    def id(self, kind: str, values: tuple, accepted: bool = True) -> int:
        if not accepted:
            return REJECTED
        have = self._ids.get((kind, values))
        if have is None:
            have = self._ids[kind, values] = len(self.values[kind])
            self.values[kind].append(values)
        return have


def _fill(plan, labels: Labels) -> dict[str, int]:
    """Write the intervals of every tenant into the temporary tables; the label of "no such key" per kind."""
    conn = store.db.connection()
    accepts = plan.rscope.accepts if plan.rscope is not None else None
    shown = frozenset(plan.spec.dims) | frozenset(plan.filters)
    none_label: dict[str, int] = {}
    for kind in sorted(plan.attributed):
        name, _key = _TABLES[kind]
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (t_tenant TEXT, t_key TEXT, t_lo INTEGER, "
                     "t_hi INTEGER, t_label INTEGER)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS temp.{name}_key ON {name} (t_key, t_tenant, t_lo)")
        conn.execute(f"DELETE FROM {name}")
        if kind == "person":
            none_label[kind] = labels.id(kind, _person_values(None, shown), accepts is None or accepts(None))
        else:
            none_label[kind] = labels.id(kind, ("",))
    for code in [t.code for t in sd.Tenant.select(sd.Tenant.code)]:
        tenant = plan.attributor._tenant(code)
        if tenant is None:
            continue
        iv = _tenant_intervals(tenant)
        codes = (code, "") if code == plan.pbx_tenant else (code,)
        for kind in sorted(plan.attributed):
            name, _key = _TABLES[kind]
            if kind == "person":
                rows = [(key, lo, hi, labels.id(kind, _person_values(a, shown), accepts is None or accepts(a)))
                        for key, lo, hi, a in iv.person]
            else:
                rows = [(key, lo, hi, labels.id(kind, (provider or "",))) for key, lo, hi, provider in iv.trunk]
            conn.executemany(f"INSERT INTO {name} VALUES (?, ?, ?, ?, ?)",
                             [(c, *row) for c in codes for row in rows])
    return none_label


def _label_sql(kind: str, none_label: int) -> str:
    """A group's label of `kind`: its interval's; the "no such key" label when the directory does not know the key
    (or the tenant); NULL when a change falls inside the group."""
    name, key = _TABLES[kind]
    known = f"SELECT 1 FROM {name} WHERE t_key = k_{key} AND t_tenant = k_tenant"
    return (f"COALESCE((SELECT t_label FROM {name} WHERE t_key = k_{key} AND t_tenant = k_tenant AND t_lo <= lo "
            f"AND hi < t_hi), (SELECT {int(none_label)} WHERE NOT EXISTS ({known})))")


def fetch(plan, q: Query, cube: str) -> tuple[list[tuple[dict, dict, list]], list[tuple]]:
    """The rows of cube `cube` for query `q` (the keys plan.keys): ([(the report's other keys, the shown
    attributed values, sums)] grouped in SQL, [groups a directory change falls inside, as fetch_cube gives
    them]). Groups out of the scope are left out. Each group of plan.keys is attributed as a whole, as
    engine._accumulate does (its parts are read again by those keys when a change falls inside it)."""
    # The temporary tables in memory, not in a temporary file: writing ~2,000 intervals there took 50-150 ms of
    # CPU and waiting per report on the web's first view of a page (a file deleted and written again each time),
    # 5-10 ms in memory (issue 14). Set back after, which drops them: sorts of later queries on this connection
    # (the worker's and the jobs' keep theirs open) spill to files as before.
    conn = store.db.connection()
    conn.execute("PRAGMA temp_store = MEMORY")
    try:
        return _fetch(plan, q, cube)
    finally:
        conn.execute("PRAGMA temp_store = DEFAULT")


def _fetch(plan, q: Query, cube: str) -> tuple[list[tuple[dict, dict, list]], list[tuple]]:
    labels = Labels()
    none_label = _fill(plan, labels)
    kinds = sorted(plan.attributed)
    wanted = set(plan.spec.dims) | set(plan.filters) | ({"currency"} if plan.with_currency else set())
    shown = {k for d in wanted if not DIMS[d].attributed for k in DIMS[d].keys}
    kept = [k for k in plan.keys if k in shown]
    others = [k for k in plan.keys if k not in shown]   # the keys only attribution needs
    sums = sums_sql(cube=True)
    cond, args = cube_conditions(q, cube)
    inner = (f"SELECT {', '.join(f'{key_sql(k, True)} AS k_{k}' for k in plan.keys)}, "
             f"{', '.join(f'{s} AS s_{i}' for i, s in enumerate(sums))}, MIN(min_start) AS lo, MAX(max_start) AS hi "
             f"FROM rollup_{cube}" + (" WHERE " + " AND ".join(f"({c})" for c in cond) if cond else "")
             + f" GROUP BY {', '.join(key_sql(k, True) for k in plan.keys)}")
    lab = [f"l_{k}" for k in kinds]
    mid = f"SELECT {', '.join(f'{_label_sql(k, none_label[k])} AS l_{k}' for k in kinds)}, * FROM ({inner})"
    unsplit = " AND ".join(f"{x} IS NOT NULL" for x in lab)
    group = lab + [f"k_{k}" for k in kept] + [f"CASE WHEN {unsplit} THEN NULL ELSE k_{o} END" for o in others]
    sel = (lab + [f"k_{k}" for k in kept] + [f"k_{k}" for k in others] + [f"SUM(s_{i})" for i in range(len(sums))]
           + ["MIN(lo)", "MAX(hi)"])
    sql = f"SELECT {', '.join(sel)} FROM ({mid}) GROUP BY {', '.join(group)}"
    grouped: list[tuple[dict, dict, list]] = []
    split: list[tuple] = []
    nl, nk, no = len(lab), len(kept), len(others)
    position = {k: i for i, k in enumerate(kept + others)}
    for row in store.db.execute_sql(sql, args).fetchall():
        ids, rest = row[:nl], row[nl:]
        if not rest[nk + no]:   # no calls
            continue
        if any(i is None for i in ids):
            split.append(tuple(rest[position[k]] for k in plan.keys) + tuple(rest[nk + no:]))
            continue
        if any(i == REJECTED for i in ids):
            continue
        out: dict[str, str] = {}
        for kind, i in zip(kinds, ids):
            if kind == "person":
                out["person"], out["department"], out["branch"], out["_person_id"] = labels.values[kind][i]
            else:
                out["trunk_group"] = labels.values[kind][i][0]
        grouped.append((dict(zip(kept, rest[:nk])), out, list(rest[nk + no:-2])))
    return grouped, split
