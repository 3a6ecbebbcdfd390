"""A central's received calls (central_call: its branch boxes' calls) in the report engine's sums.

Their attribution came with them (person, department as of the call, in the branch box's directory), and their
`branch` is the branch box that sent them: the central's own directory knows neither. So they are summed from
their own table, with the same SQL keys and sums as the call table (the columns have the same names), and added
to the engine's groups. Scope (USR-2): a user who sees every call, or a tenant's, sees the branches' calls of
those tenants; a user scoped to their branch (a rule over this box's directory) sees the calls of the branch box
enrolled under that branch's name (`callbox central branch add NAME`), of their tenant; a user scoped to their own
or their department's calls sees none of them.
"""
from __future__ import annotations

from datetime import date, timedelta

from appliance.reports.attribution import RollupScope
from appliance.reports.dims import DIMS, key_sql
from appliance.reports.query import SUMS, _conditions, sums_sql
from appliance.store import central_month, versioned
from appliance.store.central_db import connection, execute, is_postgres
from appliance.store.sync import box_labels

ATTRIBUTED = ("person", "department", "branch")


def any_received() -> bool:
    """Whether this box holds calls received from branches (a central). On SQLite, asked once per change of the
    database (every report asks; appliance/store/versioned.py); on PostgreSQL, every time."""
    def ask() -> bool:
        with connection():
            return bool(execute("SELECT 1 FROM central_call LIMIT 1"))
    return ask() if is_postgres() else versioned.cached("received.any", None, ask)


def scope_sql(rscope: RollupScope) -> tuple[list[str], list] | None:
    """The conditions on central_call of what `rscope` sees of the received calls; None when it sees none."""
    if rscope.nothing or (rscope.accepts is not None and not rscope.branch_boxes):
        return None
    cond: list[str] = []
    args: list = []
    if rscope.tenant_in is not None:
        cond.append(f"tenant IN ({', '.join('?' * len(rscope.tenant_in)) or 'NULL'})")
        args += list(rscope.tenant_in)
    if rscope.accepts is not None:
        cond.append(f"branch IN ({', '.join('?' * len(rscope.branch_boxes))})")
        args += list(rscope.branch_boxes)
    return cond, args


ROLLED = {"currency", "month", "year", "tenant", "direction"}   # the month roll-up's keys (store/central_month.py)
EPOCH = date(1970, 1, 1)


def _ym(day: int) -> int | None:
    """The month YYYYMM starting on local day `day` (days since 1970-01-01); None when it is not a month start."""
    d = EPOCH + timedelta(days=day)
    return d.year * 100 + d.month if d.day == 1 else None


def _monthly(q, base: list[str], attrs: list[str]) -> tuple[list[str], list] | None:
    """The conditions on central_month serving query `q` (whole months, keys and filters it holds); None when it
    cannot, or is not built with this release's layout yet (then every call is read)."""
    w = q.window
    if (set(base) - ROLLED or set(attrs) - {"department", "branch"}
            or set(q.equal) - {"direction", "tenant", "currency"} or q.time_range is not None
            or q.days is not None or q.not_days or q.per_call or q.between is not None or q.months is not None):
        return None
    cond: list[str] = []
    args: list = []
    if w.since is not None or w.until is not None:
        if w.first_day is None or w.end_day is None:
            return None
        lo, hi = _ym(w.first_day), _ym(w.end_day)
        if lo is None or hi is None:
            return None
        cond += ["ym >= ?", "ym < ?"]
        args += [lo, hi]
    if not central_month.current():   # the receiver builds it again at its start after an upgrade
        return None
    if "direction" not in q.equal:
        cond.append("direction != 'system'")
    for key, values in sorted(q.equal.items()):
        cond.append(f"{key} IN ({', '.join('?' * len(values)) or 'NULL'})")
        args += list(values)
    return cond, args


def accumulate(plan, rscope: RollupScope, acc: dict) -> bool:
    """Add the received calls' sums to `acc` (the engine's {shown key: sums}) for the engine's `plan`; False when
    the user's scope sees none of them."""
    seen = scope_sql(rscope)
    if seen is None:
        return False
    q = plan.query
    q.tenant_in, q.ext_in = None, None   # the scope is seen's: the central's directory knows no branch box's calls
    cond, args = _conditions(q, cube=False)
    cond, args = seen[0] + cond, seen[1] + args
    # only the attributions the report shows or filters on: grouping by person too would make a group per person
    # and only the base keys of the other dimensions shown or filtered on (the engine's keys include the extension
    # and tenant its own calls are attributed by: these calls come attributed)
    used = set(plan.spec.dims) | set(plan.filters)
    attrs = [a for a in ATTRIBUTED if a in used]
    need = {"currency"} | {b for d in used - set(ATTRIBUTED) if d in DIMS for b in DIMS[d].keys}
    base = [k for k in plan.keys if k in need]
    n, m = len(base), len(attrs)
    with connection():
        monthly = _monthly(q, base, attrs)
        if monthly is not None:   # whole months by department, branch, month...: the roll-up, not every call
            cond, args = seen[0] + monthly[0], seen[1] + monthly[1]
        keys = [key_sql(k, monthly is not None) for k in base] + attrs
        sql = (f"SELECT {', '.join(keys + sums_sql(monthly is not None, short=False))} "
               f"FROM {'central_month' if monthly is not None else 'central_call'}"
               + (f" WHERE {' AND '.join(f'({c})' for c in cond)}" if cond else "")
               + f" GROUP BY {', '.join(keys)}")
        rows = execute(sql, args)   # SQLite or PostgreSQL ([central] database)
        labels_of = box_labels() if "branch" in attrs else {}
    for row in rows:
        k = dict.fromkeys(plan.keys) | dict(zip(base, row))
        got = {a: "" for a in ATTRIBUTED} | dict(zip(attrs, row[n:n + m]))
        if "branch" in attrs:   # the branch box's display name ("İzmir"), not its identity ("izmir")
            got["branch"] = labels_of.get(got["branch"], got["branch"])
        labels = plan.finish(k, {**got, "trunk_group": "", "_person_id": got["person"]})
        if labels is None:
            continue
        key = tuple(labels[d] for d in plan.spec.dims) + ((labels["currency"],) if plan.with_currency else ())
        sums = row[n + m:n + m + len(SUMS)]
        have = acc.get(key)
        acc[key] = list(sums) if have is None else [a + (b or 0) for a, b in zip(have, sums)]
    return True
