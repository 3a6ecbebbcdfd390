"""A central's received calls (central_call: its branch boxes' calls) in the report engine's sums.

Their attribution came with them (person, department as of the call, in the branch box's directory), and their
`branch` is the branch box that sent them: the central's own directory knows neither. So they are summed from
their own table, with the same SQL keys and sums as the call table (the columns have the same names), and added
to the engine's groups. Scope (USR-2): a user who sees every call, or a tenant's, sees the branches' calls of
those tenants; a user scoped to their own, their department's or their branch's calls (a rule over this box's
directory) sees none of them.
"""
from __future__ import annotations

from appliance.reports.attribution import RollupScope
from appliance.reports.dims import key_sql
from appliance.reports.query import SUMS, _conditions, sums_sql
from appliance.store.central_db import execute

ATTRIBUTED = ("person", "department", "branch")


def any_received() -> bool:
    return bool(execute("SELECT 1 FROM central_call LIMIT 1"))


def accumulate(plan, rscope: RollupScope, acc: dict) -> bool:
    """Add the received calls' sums to `acc` (the engine's {shown key: sums}) for the engine's `plan`; False when
    the user's scope sees none of them."""
    if rscope.nothing or rscope.accepts is not None:
        return False
    q = plan.query
    q.tenant_in = rscope.tenant_in
    cond, args = _conditions(q, cube=False)
    keys = [key_sql(k, False) for k in plan.keys] + list(ATTRIBUTED)
    sql = (f"SELECT {', '.join(keys + sums_sql(cube=False))} FROM central_call"
           + (f" WHERE {' AND '.join(f'({c})' for c in cond)}" if cond else "")
           + f" GROUP BY {', '.join(keys)}")
    n = len(plan.keys)
    for row in execute(sql, args):   # SQLite or PostgreSQL ([central] database)
        k = dict(zip(plan.keys, row))
        person, department, branch = row[n:n + 3]
        labels = plan.finish(k, {"person": person, "department": department, "branch": branch, "trunk_group": "",
                                 "_person_id": person})
        if labels is None:
            continue
        key = tuple(labels[d] for d in plan.spec.dims) + ((labels["currency"],) if plan.with_currency else ())
        sums = row[n + 3:n + 3 + len(SUMS)]
        have = acc.get(key)
        acc[key] = list(sums) if have is None else [a + (b or 0) for a, b in zip(have, sums)]
    return True
