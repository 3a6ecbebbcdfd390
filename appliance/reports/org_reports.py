"""Reading the organisation month cube (org_rollup.py) for the report engine: department, branch, trunk group,
trunk, tenant, direction, currency by month or year, for every user whose scope is the box, a tenant, a department
or a branch (not one person's own calls: the cube has no person).

`applies()` says whether a report can read it; `accumulate()` adds the sums of the whole clean months (not
stale, no dirty day) to the engine's accumulator by shown key, the department and branch named as they are named
now (as attribution names them). The other days are the engine's (appliance/reports/engine.py `_from_org`).
"""
from __future__ import annotations

from appliance import store
from appliance.reports import org_rollup, rollup
from appliance.reports.dims import DIMS, key_sql
from appliance.reports.query import sums_sql
from appliance.reports.ranges import Window
from appliance.store import versioned

DIMS_SERVED = frozenset({"department", "branch", "trunk_group", "trunk", "tenant", "direction", "currency", "month",
                         "year"})
SQL_EQUAL = ("trunk", "direction", "currency", "tenant")   # filters on the cube's own columns
READ_ORG = True   # read the cube when it applies (False: the engine's other sources; the tests' reference)


def applies(plan, window: Window, pbx_tenant: str) -> bool:
    """Whether `plan` (engine._Plan) can read the cube: it attributes by person (department/branch, or a department
    or branch scope), every dimension and filter is one the cube holds, no time range, whole local days, and the
    cube is current (built for this directory and [pbx] tenant)."""
    rs = plan.rscope
    if not READ_ORG or "person" not in plan.attributed or not window.whole_days or plan.query.time_range is not None:
        return False
    if not set(plan.spec.dims) | set(plan.filters) <= DIMS_SERVED:
        return False
    if rs is not None and (rs.branch_boxes or (rs.accepts is not None and rs.unit is None)):
        return False
    if not (rollup.is_built() and rollup.months_ready()):
        return False
    current = versioned.cached("org_reports.stamp", pbx_tenant, lambda: org_rollup.stamp(pbx_tenant))
    return current == org_rollup.stored_stamp()


def stale_months() -> set[int]:
    """The months whose rows are out of date (their calls changed, or the directory: summed again by the worker)."""
    return org_rollup.stale()


def accumulate(plan, months: tuple[int, ...], acc: dict) -> int:
    """Add the sums of `months` (whole clean months of the window) by shown key to `acc`; the rows read."""
    if not months:
        return 0
    rs = plan.rscope
    wanted = set(plan.spec.dims) | set(plan.filters) | ({"currency"} if plan.with_currency else set())
    keys = sorted({k for d in wanted if not DIMS[d].attributed for k in DIMS[d].keys})
    cond = [f"ym IN ({', '.join(str(int(m)) for m in months)})"]
    args: list = []
    equal = {k: v for k, v in plan.filters.items() if k in SQL_EQUAL}
    if "direction" not in equal:
        cond.append("direction != 'system'")
    for k, values in sorted(equal.items()):
        cond.append(f"{k} IN ({', '.join('?' * len(values)) or 'NULL'})")
        args += list(values)
    if rs is not None and rs.tenant_in is not None:
        cond.append(f"tenant IN ({', '.join('?' * len(rs.tenant_in)) or 'NULL'})")
        args += list(rs.tenant_in)
    if rs is not None and rs.unit is not None:
        field, unit = rs.unit
        cond.append(f"{field} = ?")
        args.append(unit)
    # only the attributed values shown or filtered on (fewer groups); without trunks, the cube summed over them
    attributed = [c if d in wanted else "NULL" for c, d in (("department_id", "department"), ("branch_id", "branch"))]
    by_trunk = bool({"trunk", "trunk_group"} & wanted)
    attributed.append("trunk_group" if "trunk_group" in wanted else "''")
    exprs = [key_sql(k, True) for k in keys] + attributed
    grouped = [e for e in exprs if e not in ("NULL", "''")]
    sql = (f"SELECT {', '.join(exprs)}, {', '.join(sums_sql(cube=True))} "
           f"FROM {org_rollup.TABLE if by_trunk else org_rollup.UNIT_TABLE} "
           f"WHERE {' AND '.join(f'({c})' for c in cond)}" + (f" GROUP BY {', '.join(grouped)}" if grouped else ""))
    rows = store.db.execute_sql(sql, args).fetchall()
    departments = org_rollup.department_names() if "department" in wanted else {}
    branches = org_rollup.branch_names() if "branch" in wanted else {}
    n = len(keys)
    for row in rows:
        if not row[n + 3]:   # no calls
            continue
        dep, branch, group = row[n:n + 3]
        out = {"person": "", "_person_id": "", "department": departments.get(dep) or "" if dep is not None else "",
               "branch": branches.get(branch) or "" if branch is not None else "", "trunk_group": group}
        labels = plan.finish(dict(zip(keys, row[:n])), out)
        if labels is None:
            continue
        key = tuple(labels[d] for d in plan.spec.dims) + ((labels["currency"],) if plan.with_currency else ())
        sums = row[n + 3:]
        have = acc.get(key)
        acc[key] = list(sums) if have is None else [a + (b or 0) for a, b in zip(have, sums)]
    return len(rows)
