"""The report engine (REP-3..5, REP-13): a breakdown of the calls a user may see, by dimensions, with measures.

    spec = reports.Spec(dims=("department", "month"), measures=("calls", "talk_out", "cost"),
                        range="last_month", filters={"direction": ["out"], "time_range": "business_hours"})
    result = reports.run(spec, user, pbx_tenant="default", tz=ZoneInfo("Europe/Istanbul"))
    result.columns  -> ["department", "month", "calls", "talk_out", "cost"]
    result.rows     -> [["Sales", "2024-03", 412, 51234, Decimal("318.40")], ...]   (sorted by the dimensions)
    result.totals   -> ["", "", 1003, 120034, Decimal("901.12")]
    reports.to_csv(result) -> str

The question and the answer (Spec, Result, to_csv): spec.py. Dimensions, measures and bands: dims.py. Filters:
{dimension: [values]} keeps calls whose value is one of them (person: its id or its shown label; hunt_group: its
number or name, hunt.py), plus "time_range": a named time range (ranges.py). Every call query goes through the
user's scope: the call table through appliance.scope.visible, a roll-up through the same rule on attributed
groups (report_attrib).
Reports read the roll-up cubes (appliance/rollup.py) when they hold every key needed, else the call table;
whole months of the extension cube come from its month cube (a group a directory change splits is read again
by month, then by day, then call by call). The results are identical (tests/reports/test_rollup.py).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from datetime import datetime, tzinfo
from datetime import time as dtime
from typing import Mapping

from appliance import localtime
from appliance.access import scope
from appliance.access.users import Account
from appliance.reports import attribution_sql, hunt, org_reports, received, rollup, transfer_costs
from appliance.reports.attribution import Attributor, RollupScope, operator_region, person_label, rollup_scope
from appliance.reports.dims import (DAY_SQL, DEFAULT_MEASURES, DIMS, EPOCH_ORDINAL, MEASURES,  # noqa: F401 (engine.X)
                                    month_label, row_order)
from appliance.reports.measures import measure, merge_currency
from appliance.reports.query import Query, SUMS, fetch_cube, fetch_raw, pick_cube, pick_month_cube, split_months
from appliance.reports.ranges import RangeError, Window, resolve, time_range
from appliance.reports.spec import ReportError, Result, Spec, check as _check, to_csv  # noqa: F401 (engine.X)
from appliance.store import reports as store_reports
from appliance.store import versioned

log = logging.getLogger(__name__)
SQL_FILTERABLE = ("extension", "number", "tariff", "trunk", "direction", "kind", "destination", "currency",
                  "duration_band", "answer_band")
FAST_ATTRIBUTION = True   # attribute cube rows in SQL (attribution_sql); False: one by one here (the tests' reference)


class _Plan:
    """The keys, filters and attribution a spec needs, and how to turn a fetched row into shown values."""

    def __init__(self, spec: Spec, window: Window, pbx_tenant: str, rscope: RollupScope | None):
        self.spec, self.pbx_tenant, self.rscope = spec, pbx_tenant, rscope
        self.filters = {k: tuple(str(x) for x in v) for k, v in spec.filters.items() if k != "time_range"}
        self.with_currency = "cost" in spec.measures and "currency" not in spec.dims
        wanted = set(spec.dims) | set(self.filters) | ({"currency"} if self.with_currency else set())
        self.attributed = {DIMS[d].attributed for d in wanted if DIMS[d].attributed}
        if rscope is not None and rscope.accepts is not None:
            self.attributed.add("person")
        keys = {k for d in wanted for k in DIMS[d].keys}
        if self.attributed:
            keys |= {"tenant"} | ({"extension"} if "person" in self.attributed else set()) | (
                {"trunk"} if "trunk" in self.attributed else set())
        self.keys = tuple(sorted(keys))
        tr = spec.filters.get("time_range")
        self.query = Query(self.keys, window, time_range=time_range(str(tr)) if tr else None,
                           equal={k: v for k, v in self.filters.items() if k in SQL_FILTERABLE})
        self.attributor = Attributor(pbx_tenant)

    def splits(self, row: tuple) -> bool:
        k = dict(zip(self.keys, row))
        lo, hi = row[-2], row[-1]
        return any(self.attributor.splits(kind, k["tenant"], k["extension" if kind == "person" else "trunk"], lo, hi)
                   for kind in self.attributed)

    def labels(self, row: tuple) -> dict[str, str] | None:
        """The shown value of every dimension used, or None when the row is filtered out or out of scope."""
        k = dict(zip(self.keys, row))
        at = row[-2]
        out: dict[str, str] = {}
        if "person" in self.attributed:
            a = self.attributor.person(k["tenant"], k["extension"], at)
            if self.rscope is not None and self.rscope.accepts is not None and not self.rscope.accepts(a):
                return None
            out["person"], out["department"], out["branch"] = (person_label(a), (a.department or "") if a else "",
                                                               (a.branch or "") if a else "")
            out["_person_id"] = a.external_id if a else ""
        if "trunk" in self.attributed:
            out["trunk_group"] = self.attributor.trunk_group(k["tenant"], k["trunk"], at)
        return self.finish(k, out)

    def finish(self, k: dict, out: dict[str, str]) -> dict[str, str] | None:
        """`out` (the attributed values) with the shown value of every other dimension used; None when filtered
        out."""
        for name in set(self.spec.dims) | set(self.filters) | {"currency"}:
            if name in out or name not in DIMS or (name == "currency" and "currency" not in k):
                continue
            if name == "day":
                out[name] = k["date"]
            elif name == "month":
                out[name] = month_label(k[name])
            elif name in DAY_SQL:
                out[name] = str(k[name])
            elif name == "hour":
                out[name] = f"{k['hour']:02d}"
            elif name == "tenant":
                out[name] = k["tenant"] or self.pbx_tenant
            elif name in ("operator", "region"):
                out[name] = operator_region(k["kind"], k["number"])[name == "region"]
            elif name == "hunt_group":
                out[name] = hunt.group_of(k["extension"], k["number"])
            else:
                out[name] = "" if k[name] is None else str(k[name])
        for name, allowed in self.filters.items():
            if out[name] not in allowed and not (name == "person" and out["_person_id"] in allowed) and not (
                    name == "hunt_group" and hunt.passes(out[name], allowed)):
                return None
        return out


def _accumulate(plan: _Plan, rows: list[tuple], acc: dict, split) -> None:
    """Add rows' sums to acc by shown key; a row a directory change falls in goes to split(row, acc)."""
    n = len(plan.keys)
    for row in rows:
        if plan.attributed and split is not None and plan.splits(row):
            split(row, acc)
            continue
        labels = plan.labels(row)
        if labels is None:
            continue
        key = tuple(labels[d] for d in plan.spec.dims) + ((labels["currency"],) if plan.with_currency else ())
        sums = row[n:n + len(SUMS)]
        have = acc.get(key)
        acc[key] = list(sums) if have is None else [a + (b or 0) for a, b in zip(have, sums)]


def _accumulate_cube(plan: _Plan, q: Query, cube: str, acc: dict, split) -> None:
    """_accumulate of a cube's rows; attributed ones grouped by their attribution in SQL (attribution_sql), the
    rows a directory change falls inside split as _accumulate does."""
    if not plan.attributed or not FAST_ATTRIBUTION:
        _accumulate(plan, fetch_cube(q, cube), acc, split)
        return
    grouped, rest = attribution_sql.fetch(plan, q, cube)
    for k, out, sums in grouped:
        labels = plan.finish(k, out)
        if labels is None:
            continue
        key = tuple(labels[d] for d in plan.spec.dims) + ((labels["currency"],) if plan.with_currency else ())
        have = acc.get(key)
        acc[key] = list(sums) if have is None else [a + (b or 0) for a, b in zip(have, sums)]
    _accumulate(plan, rest, acc, split)


def _refiner(plan: _Plan, visible, base: Query, cube: str | None = None, month_cube: str | None = None):
    """How to split a group a directory change falls in: into months (from the month cube), days (from the
    cube, or the call table), and a day that is still split into its calls. Each part keeps the group's
    conditions and key values."""
    nk = len(plan.keys)

    def part(row: tuple, extra: tuple[str, ...], q: Query, day: int | None = None, per_call: bool = False) -> Query:
        equal = dict(q.equal)
        equal.update({key: (value,) for key, value in zip(plan.keys, row)})
        return Query(plan.keys + extra, q.window, equal, q.time_range, q.tenant_in,
                     (day,) if day is not None else q.days, q.not_days, per_call, (row[-2], row[-1]), q.months)

    def by_call(row: tuple, acc: dict, q: Query, day: int) -> None:
        _accumulate(plan, fetch_raw(part(row, (), q, day, True), visible), acc, None)

    def by_day(row: tuple, acc: dict, q: Query = base) -> None:
        sub = part(row, ("dayno",), q)
        for r in (fetch_cube(sub, cube) if cube else fetch_raw(sub, visible)):
            _accumulate(plan, [r[:nk] + r[nk + 1:]], acc, lambda one, a, d=r[nk]: by_call(one, a, q, d))

    if month_cube is None:
        return by_day
    monthly: str = month_cube

    def by_month(row: tuple, acc: dict) -> None:
        if "month" in plan.keys:   # the row is one month already: its days only (not the window's)
            return by_day(row, acc, replace(base, months=(row[plan.keys.index("month")],)))
        for r in fetch_cube(part(row, ("month",), base), monthly):
            _accumulate(plan, [r[:nk] + r[nk + 1:]], acc,
                        lambda one, a, m=r[nk]: by_day(one, a, replace(base, months=(m,))))
    return by_month


def _from_cube(plan: _Plan, cube: str) -> tuple[dict, str]:
    """Sums from the cube, except for dirty days (not rolled up yet), which come from the call table; whole
    clean months come from the month cube when there is one."""
    acc: dict = {}
    q = plan.query
    q.tenant_in = plan.rscope.tenant_in if plan.rscope else None
    q.ext_in = plan.rscope.extensions if plan.rscope else None
    w = q.window
    dirty = tuple(sorted(d for d in rollup.dirty_days() if w.first_day is None or w.first_day <= d < (w.end_day or 0)))
    q.not_days = dirty
    source = cube
    # the scope is applied as plan.rscope (the same rule as scope.visible, on attributed groups)
    month_cube = pick_month_cube(cube, q)
    months, days = split_months(w, set(dirty), cube) if month_cube is not None else ((), ())
    if month_cube is not None and months:   # whole clean months from it, the other clean days from the day cube
        mq = replace(q, months=months, not_days=())
        _accumulate_cube(plan, mq, month_cube, acc, _refiner(plan, scope.EVERYTHING, mq, cube, month_cube))
        q, source = replace(q, days=days, not_days=()), month_cube
    if q.days != ():
        _accumulate_cube(plan, q, cube, acc, _refiner(plan, scope.EVERYTHING, q, cube))
    if dirty:
        raw = Query(q.keys, w, q.equal, q.time_range, q.tenant_in, dirty, ext_in=q.ext_in)
        _accumulate(plan, fetch_raw(raw, scope.EVERYTHING), acc, _refiner(plan, scope.EVERYTHING, raw))
    return acc, f"rollup:{source}" + ("+raw" if dirty else "")


def _from_org(plan: _Plan) -> tuple[dict, str]:
    """Sums from the organisation month cube (org_reports.py) for the window's whole clean months; its other clean
    days from the day cube that has the keys (else from the calls), its dirty days from the calls. A clean month
    the window covers mostly is read from the cube less its days outside the window (fewer days to read)."""
    acc: dict = {}
    q = plan.query
    q.tenant_in = plan.rscope.tenant_in if plan.rscope else None
    q.ext_in = plan.rscope.extensions if plan.rscope else None
    w = q.window
    all_dirty = rollup.dirty_days()
    dirty = tuple(sorted(d for d in all_dirty if w.first_day is None or w.first_day <= d < (w.end_day or 0)))
    months, days = split_months(w, set(dirty), "ext")
    stale = org_reports.stale_months()   # its own stale months: from the other sources, as the other days
    days = tuple(sorted(set(days) | {d for m in months if m in stale for d in range(*rollup.month_days(m))}))
    unusable = stale | rollup.stale_months() | {rollup.month_of(d) for d in all_dirty}
    less = org_reports.mostly_inside(days, unusable)   # month -> its days outside the window, to take off it
    days = tuple(d for d in days if rollup.month_of(d) not in less)
    org_reports.accumulate(plan, tuple(m for m in months if m not in stale) + tuple(sorted(less)), acc)
    source = "rollup:org_month"
    for part, target in ((days, acc), (tuple(sorted(d for m in less.values() for d in m)), {})):
        if not part and not (target is acc and dirty):
            continue
        lo, hi = (min(part), max(part) + 1) if part else (w.first_day, w.end_day)
        window = w if target is acc else Window("custom", None, None, lo, hi)
        raw_source = _other_days(plan, replace(q, window=window), part, dirty if target is acc else (), target)
        source += "+raw" if raw_source and "+raw" not in source else ""
        if target is not acc:
            for key, sums in target.items():   # the month's days outside the window, taken off it
                whole = acc.get(key) or [0] * len(sums)
                acc[key] = [a - (b or 0) for a, b in zip(whole, sums)]
    return {k: v for k, v in acc.items() if v[0]}, source


def _other_days(plan: _Plan, q: Query, days: tuple[int, ...], dirty: tuple[int, ...], acc: dict) -> bool:
    """Add the sums of clean `days` (from the day cube with the keys, else the calls) and `dirty` days (the calls)
    to acc; whether the calls were read."""
    cube = pick_cube(set(plan.keys), q)
    raw_days = set(dirty) | (set() if cube else set(days))
    if cube and days:
        dq = replace(q, days=days, not_days=())
        _accumulate_cube(plan, dq, cube, acc, _refiner(plan, scope.EVERYTHING, dq, cube))
    if raw_days:
        raw = Query(q.keys, q.window, q.equal, q.time_range, q.tenant_in, tuple(sorted(raw_days)), ext_in=q.ext_in)
        _accumulate(plan, fetch_raw(raw, scope.EVERYTHING), acc, _refiner(plan, scope.EVERYTHING, raw))
    return bool(raw_days)


def _gather(spec: Spec, window: Window, user: Account, pbx_tenant: str, use_rollup: bool | None,
            wait: bool = True) -> tuple[dict, str, bool]:
    """The accumulated sums by shown key, the source, and whether a currency key was added. wait=False: raise
    rollup.Preparing when a cube would serve the report but many of its days are not rolled up yet."""
    rscope = rollup_scope(user, pbx_tenant)
    if rscope.nothing:
        return {}, "none", False
    if use_rollup is not False:
        plan = _Plan(spec, window, pbx_tenant, rscope)
        if org_reports.applies(plan, window, pbx_tenant):
            if not wait:
                rollup.check_prepared(window.first_day, window.end_day)
            sums, source = _from_org(plan)
            return sums, source, plan.with_currency
        cube = pick_cube(set(plan.keys), plan.query)
        if cube is not None and not wait:
            rollup.check_prepared(window.first_day, window.end_day)
        if cube is not None and rollup.is_built():
            sums, source = _from_cube(plan, cube)
            return sums, source, plan.with_currency
    plan = _Plan(spec, window, pbx_tenant, None)   # the call table, through the user's scope
    visible = scope.visible(user, pbx_tenant)
    acc: dict = {}
    _accumulate(plan, fetch_raw(plan.query, visible), acc, _refiner(plan, visible, plan.query))
    return acc, "raw", plan.with_currency


def _move_transferred(spec: Spec, window: Window, user: Account, pbx_tenant: str, charge: str, acc: dict) -> None:
    """[rating] transfer_charge = target: transferred calls' cost on the paying extension's rows (RAT-4)."""
    rscope = rollup_scope(user, pbx_tenant)
    plan = _Plan(spec, window, pbx_tenant, rscope)
    transfer_costs.move_in_report(
        acc, plan, window, rscope, charge,
        lambda labels: tuple(labels[d] for d in spec.dims) + ((labels["currency"],) if plan.with_currency else ()))


def run(spec: Spec, user: Account, pbx_tenant: str, now: float | None = None, *, tz: tzinfo | None = None,
        use_rollup: bool | None = None, transfer_charge: str = "first", wait: bool = True,
        hunt_groups: Mapping[str, str] | None = None) -> Result:
    """The breakdown `spec` asks for, over the calls `user` may see. `tz`: the zone of the named date ranges
    (default: this box's zone); `use_rollup`: None = when possible, False = always the call table;
    `transfer_charge`: [rating] transfer_charge (appliance/rating/transfers.py), whose extension a cost is on;
    `wait`: False = raise rollup.Preparing (at once) instead of reading many not yet rolled-up days from the calls
    (the web: an honest "being prepared, N %" rather than a page of minutes); `hunt_groups`: [directory]
    hunt_groups {number: name}, of the hunt_group dimension (hunt.py)."""
    with hunt.using(hunt_groups):
        return replace(_run_kept(spec, user, pbx_tenant, now, tz, use_rollup, transfer_charge, wait),
                       hunt_groups=hunt.current())


def _run_kept(spec: Spec, user: Account, pbx_tenant: str, now: float | None, tz: tzinfo | None,
              use_rollup: bool | None, transfer_charge: str, wait: bool) -> Result:
    _check(spec)
    try:
        window = resolve(spec.range, tz or localtime.zone(""), time.time() if now is None else now,
                         spec.since, spec.until)
    except RangeError as e:
        raise ReportError(str(e)) from None
    if received.any_received():   # a central: its branches' calls come from other files, read every time
        return _run(spec, window, user, pbx_tenant, use_rollup, transfer_charge, wait)
    # the same report for the same scope and window is computed once per change of the database (every user's
    # saved report, a page reloaded): appliance/store/versioned.py. Callers get their own lists.
    key = (json.dumps(spec.as_dict(), sort_keys=True, default=str), scope.kept_key(user), pbx_tenant, repr(window),
           use_rollup, transfer_charge, hunt.cache_key(set(spec.dims) | set(spec.filters)))
    kept = versioned.cached("reports.run", key,
                            lambda: _run(spec, window, user, pbx_tenant, use_rollup, transfer_charge, wait))
    return replace(kept, columns=list(kept.columns), rows=[list(r) for r in kept.rows], totals=list(kept.totals))


def _run(spec: Spec, window: Window, user: Account, pbx_tenant: str, use_rollup: bool | None,
         transfer_charge: str, wait: bool = True) -> Result:
    t0 = time.perf_counter()
    acc, source, with_currency = _gather(spec, window, user, pbx_tenant, use_rollup, wait)
    if received.any_received():   # a central: its branches' calls too, with `branch` the branch box
        rscope = rollup_scope(user, pbx_tenant)
        if received.accumulate(_Plan(spec, window, pbx_tenant, None), rscope, acc):
            source += "+branches"
    if transfer_charge != "first" and source != "none":
        _move_transferred(spec, window, user, pbx_tenant, transfer_charge, acc)
    dims, currency = list(spec.dims), ""
    if with_currency:
        acc, currency = merge_currency(acc)
        if not currency and acc and len(next(iter(acc))) > len(dims):
            dims.append("currency")
    total = [sum(v[i] for v in acc.values()) for i in range(len(SUMS))]
    order = row_order(dims)
    rows = [list(k) + [measure(m, v) for m in spec.measures]
            for k, v in sorted(acc.items(), key=(lambda kv: order(kv[0])) if order else None)]
    log.debug("report %s x %s: %d rows from %s in %.3f s", spec.dims, spec.measures, len(rows), source,
              time.perf_counter() - t0)
    return Result(dims + list(spec.measures), rows, [""] * len(dims) + [measure(m, total) for m in spec.measures],
                  source, window.label, window.since, window.until, currency, len(dims))


def run_saved(report_id: int, user: Account, pbx_tenant: str, now: float | None = None, *,
              tz: tzinfo | None = None, use_rollup: bool | None = None, transfer_charge: str = "first",
              wait: bool = True, hunt_groups: Mapping[str, str] | None = None) -> tuple[dict, Result]:
    """Re-run a saved report or a template published to the user, on current data and the user's own scope.
    Returns (the saved report's dict, the result); store_reports.ReportAccessError if the user may not."""
    saved = store_reports.get_report(report_id, user.username, user.role)
    return saved, run(Spec.from_dict(saved["spec"]), user, pbx_tenant, now, tz=tz, use_rollup=use_rollup,
                      transfer_charge=transfer_charge, wait=wait, hunt_groups=hunt_groups)


def sums(spec: Spec, window: Window, user: Account, pbx_tenant: str, wait: bool = True) -> tuple[dict, str]:
    """The raw sums (SUMS, by name) per shown key of `spec`'s dimensions, over `window`, for other reports built on
    the engine (trunk traffic): the same sources, scope and attribution as run(), nothing formatted; the source."""
    _check(spec)
    acc, source, _with_currency = _gather(spec, window, user, pbx_tenant, None, wait)
    return {k: dict(zip(SUMS, v)) for k, v in acc.items()}, source


def window_of(since: int, until: int, tz: tzinfo | None) -> Window:
    """[since, until) as a report window: whole local days of `tz` when both are local midnights there (the
    roll-ups serve those), else exact times."""
    if tz is not None:
        a, b = (datetime.fromtimestamp(t, tz) for t in (since, until))
        if a.time() == b.time() == dtime(0) and a.utcoffset() is not None:
            return Window("custom", since, until, a.date().toordinal() - EPOCH_ORDINAL,
                          b.date().toordinal() - EPOCH_ORDINAL)
    return Window("custom", since, until)
