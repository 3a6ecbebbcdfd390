"""The missed-calls report from its roll-ups (issue 14): `rollup_offer` holds, per incoming call and extension
it rang, the outcome there and the call's own (appliance/reports/missed.py's rule, default voicemail pattern),
computed once when the call's local day is rolled up; `rollup_offer_ext` sums them per local day, tenant,
extension, outcome and "rang one extension or several"; `rollup_offer_total` sums the calls per day, tenant and
the caller's outcome, with the first and last start of each group.

A report reads, for a scope that sees every row (the box, a tenant):
- the sums of the local days that lie wholly in its range and are not dirty: a row per extension and outcome,
  attributed at the group's first call when no directory change of the extension falls inside the group (by
  person), else call by call from `rollup_offer`; calls that rang several extensions, by person, call by call
  too (a person whose two phones rang counts the call once);
- the calls of the range's edge days from `rollup_offer`, one by one;
- the calls of dirty days (stored or changed since the last refresh) from their legs, as before.
A scope by person (a department's supervisor, a person) reads the visible calls (the call table's index on
extension and time) joined to `rollup_offer`: by extension summed in SQL over the offers within the user's
extension ranges, by person call by call; and the dirty days' calls from their legs.
So the result is the same as from the legs one by one (tests/reports/test_offers_rollup.py)."""
from __future__ import annotations

from collections.abc import Iterable

from appliance import store
from appliance.access import scope
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.reports import missed as rm
from appliance.reports import rollup, traffic_rollup
from appliance.reports.dims import BASE_SQL

STATE_MONTHS = "offer_months"   # rollup_state key: "1" once rollup_offer_month sums every month's days
STATE_SCOPED = "offer_call_ext"   # rollup_state key: "1" once every rollup_offer row carries its call's extension
OFFER_COLUMNS = ("day", "call_id", "start_utc", "tenant", "extension", "state", "ring_s", "missed", "wait_s", "exts",
                 "first")


def rebuild_days(first: int, last: int) -> None:
    """Replace the offer rows and sums of local days first..last with the outcomes of their calls' legs."""
    for t in ("rollup_offer", "rollup_offer_ext", "rollup_offer_total"):
        store.db.execute_sql(f"DELETE FROM {t} WHERE day BETWEEN ? AND ?", (first, last))
    rows = []
    for cid, start, tenant, offset, result in rm.call_outcomes(None, "", first * 86400 - 18 * 3600,
                                                               (last + 1) * 86400 + 18 * 3600,
                                                               days=list(range(first, last + 1))):
        day, n = (start + offset) // 86400, len(result.per_extension)
        for i, (ext, (state, ring)) in enumerate(result.per_extension.items()):
            rows.append((day, cid, start, tenant, ext, state, ring, result.missed or "", result.wait_s, n, int(i == 0),
                         cid))
    conn = store.db.connection()   # call_ext: the call's extension as the scopes' ranges compare it (scope._Ranges)
    conn.executemany(f"INSERT INTO rollup_offer ({', '.join(OFFER_COLUMNS)}, call_ext) VALUES "
                     f"({', '.join('?' * len(OFFER_COLUMNS))}, (SELECT TRIM(extension) FROM call WHERE id = ?))", rows)
    if rows:
        _sum_days(first, last)
    resum_months(first, last)


def _sum_days(first: int, last: int) -> None:
    store.db.execute_sql(
        "INSERT INTO rollup_offer_ext (day, tenant, extension, state, multi, calls, ring_s, min_start, max_start) "
        "SELECT day, tenant, extension, state, exts > 1, COUNT(*), SUM(ring_s), MIN(start_utc), MAX(start_utc) "
        "FROM rollup_offer WHERE day BETWEEN ? AND ? GROUP BY day, tenant, extension, state, exts > 1", (first, last))
    store.db.execute_sql(
        "INSERT INTO rollup_offer_total (day, tenant, missed, calls, wait_s, min_start, max_start) "
        "SELECT day, tenant, missed, COUNT(*), SUM(wait_s), MIN(start_utc), MAX(start_utc) FROM rollup_offer "
        "WHERE day BETWEEN ? AND ? AND first = 1 GROUP BY day, tenant, missed", (first, last))


def resum_months(first: int, last: int) -> None:
    """Sum rollup_offer_month again for the months of local days first..last from their days' rows (each rebuild
    of days does, in its transaction: a month's rows are always the sum of its days' rows)."""
    for ym in rollup.months_between(first, last + 1):
        lo, end = rollup.month_days(ym)
        store.db.execute_sql("DELETE FROM rollup_offer_month WHERE ym = ?", (ym,))
        store.db.execute_sql(
            "INSERT INTO rollup_offer_month (ym, tenant, extension, state, multi, calls, ring_s, min_start, max_start) "
            "SELECT ?, tenant, extension, state, multi, SUM(calls), SUM(ring_s), MIN(min_start), MAX(max_start) FROM "
            "rollup_offer_ext WHERE day >= ? AND day < ? GROUP BY tenant, extension, state, multi", (ym, lo, end))


def scoped() -> bool:
    """Whether every rollup_offer row carries its call's extension (call_ext; STATE_SCOPED: an older database's
    offers are built again, traffic_rollup.build_some)."""
    return store.db.execute_sql("SELECT 1 FROM rollup_state WHERE key = ? AND value = '1'",
                                (STATE_SCOPED,)).fetchone() is not None


def mark_scoped() -> None:
    store.db.execute_sql("INSERT OR REPLACE INTO rollup_state (key, value) VALUES (?, '1')", (STATE_SCOPED,))


def months_summed() -> bool:
    """Whether rollup_offer_month holds the sums of every month (STATE_MONTHS: filled once on a database rolled up
    before it existed, traffic_rollup.build_some)."""
    return store.db.execute_sql("SELECT 1 FROM rollup_state WHERE key = ? AND value = '1'",
                                (STATE_MONTHS,)).fetchone() is not None


def sum_every_month() -> None:
    """Fill rollup_offer_month from every day's rows and record it (inside the caller's transaction)."""
    lo, hi = (store.db.execute_sql(f"SELECT {f}(day) FROM rollup_offer_ext").fetchone()[0] for f in ("MIN", "MAX"))
    store.db.execute_sql("DELETE FROM rollup_offer_month")
    if lo is not None:
        resum_months(lo, hi)
    store.db.execute_sql("INSERT OR REPLACE INTO rollup_state (key, value) VALUES (?, '1')", (STATE_MONTHS,))


def _raw_calls(since: int, until: int, days: Iterable[int] | None = None) -> int:
    """How many calls (up to PREPARED_RAW_CALLS + 1) start in [since, until) (on those local days)."""
    cond, args = "start_utc >= ? AND start_utc < ?", [since, until]
    if days is not None:
        days = list(days)
        cond += f" AND {BASE_SQL['day']} IN ({', '.join('?' * len(days))})"
        args += days
    return store.db.execute_sql(f"SELECT COUNT(*) FROM (SELECT 1 FROM call WHERE {cond} "
                                f"LIMIT {rollup.PREPARED_RAW_CALLS + 1})", args).fetchone()[0]


def ready(since: int, until: int, wait: bool) -> list[int] | None:
    """The dirty local days a report over [since, until) reads from the legs, or None: read everything from the
    legs (roll-ups not built; with wait=False, rollup.Preparing when that means many calls)."""
    if not (traffic_rollup.built() and rollup.is_built() and scoped()):   # scoped: after an upgrade, until rebuilt
        if not wait and _raw_calls(since, until) > rollup.PREPARED_RAW_CALLS:
            raise rollup.Preparing(min(traffic_rollup.progress(), rollup.progress()))
        return None
    first, end = since // 86400 - 1, (until - 1) // 86400 + 2
    dirty = sorted(d for d in rollup.dirty_days() if first <= d < end)
    if not wait and len(dirty) > rollup.PREPARED_DIRTY_DAYS and \
            _raw_calls(since, until, dirty) > rollup.PREPARED_RAW_CALLS:
        raise rollup.Preparing(rollup.progress())
    return dirty


def _changes(index: directory.Index | None, ext: str, lo: int, hi: int) -> bool:
    """Whether the extension changed hands in (lo, hi] (its calls then are attributed one by one)."""
    if index is None:
        return False
    for start, end, _ in index.extensions.items.get(ext, ()):
        if lo < start <= hi or (end is not None and lo < end <= hi):
            return True
    return False


def _in(column: str, values: Iterable) -> tuple[str, list]:
    values = list(values)
    return f"{column} IN ({', '.join('?' * len(values))})", values


def _feed(tally: rm.Tally, rows, totals: bool) -> None:
    """Feed offer rows (call_id, start, tenant, extension, state, ring, missed, wait), ordered by call, to the tally."""
    current, per = None, {}
    for cid, start, tenant, ext, state, ring, missed, wait in rows:
        if current is not None and current[0] != cid:
            tally.call(*current[:3], per, *current[3:], totals=totals)
            per = {}
        current = (cid, start, tenant, missed or None, wait)
        per[ext] = (state, ring)
    if current is not None:
        tally.call(*current[:3], per, *current[3:], totals=totals)


ROW = "o.call_id, o.start_utc, o.tenant, o.extension, o.state, o.ring_s, o.missed, o.wait_s"


def missed(user: Account, pbx_tenant: str, since: int, until: int, by: str, wait: bool) -> rm.MissedReport | None:
    """missed.missed() from the roll-ups, or None when it must read the legs (see ready())."""
    basis = scope.basis(user)
    if basis == "none":
        return None
    dirty = ready(since, until, wait)
    if dirty is None:
        return None
    tally = rm.Tally(by, pbx_tenant, rm._in_scope(user))
    if dirty:
        for cid, start, tenant, _offset, result in rm.call_outcomes(user, pbx_tenant, since, until, days=dirty):
            tally.call(cid, start, tenant, result.per_extension, result.missed, result.wait_s)
    not_dirty, args_dirty = _in("o.day", dirty)
    not_dirty = f"NOT {not_dirty}" if dirty else "1"
    first, end = since // 86400 - 1, (until - 1) // 86400 + 2
    if basis == "person":   # the offers of the visible calls from their index alone (rollup_offer_scope): an offer
        # carries its call's tenant, start and extension (scope.visible = the tenant and the extension ranges)
        reach, rargs = _reach(scope.person_ranges(user), since, until)
        tenant, targs = _in("o.tenant", scope.call_tenant_codes(user.tenant, pbx_tenant))
        visible, vargs = f"{reach} AND {tenant} AND {not_dirty}", [*rargs, *targs, *args_dirty]
        if by == "extension":
            _person_by_extension(tally, scope.person_ranges(user), visible, vargs)
            return tally.report()
        rows = store.db.execute_sql(
            f"SELECT {ROW} FROM rollup_offer o WHERE {visible} ORDER BY o.start_utc, o.call_id", vargs)
        _feed(tally, rows, True)
        return tally.report()
    tenants, targs = ("1", []) if basis == "all" else _in("o.tenant", scope.call_tenant_codes(user.tenant, pbx_tenant))
    span = store.db.execute_sql(
        f"SELECT o.day, MIN(o.min_start), MAX(o.max_start) FROM rollup_offer_total o WHERE o.day >= ? AND o.day < ? "
        f"AND {tenants} AND {not_dirty} GROUP BY o.day", [first, end, *targs, *args_dirty]).fetchall()
    whole = [d for d, lo, hi in span if lo >= since and hi < until]
    edge = [d for d, lo, hi in span if not (lo >= since and hi < until)]
    if edge:   # days partly in the range: call by call
        cond, args = _in("o.day", edge)
        _feed(tally, store.db.execute_sql(
            f"SELECT {ROW} FROM rollup_offer o WHERE {cond} AND o.start_utc >= ? AND o.start_utc < ? AND {tenants} "
            f"ORDER BY o.start_utc, o.call_id", [*args, since, until, *targs]), True)
    if not whole:
        return tally.report()
    in_whole, wargs = _in("o.day", whole)
    _totals(tally, store.db.execute_sql(
            f"SELECT o.missed, SUM(o.calls), SUM(o.wait_s) FROM rollup_offer_total o WHERE {in_whole} AND {tenants} "
            f"GROUP BY o.missed", [*wargs, *targs]))
    _whole_days(tally, by, whole, set(dirty) | set(edge), tenants, targs, (first, end))
    return tally.report()


def _totals(tally: rm.Tally, rows) -> None:
    """Add (the caller's outcome "" / direct / transferred, calls, their waits) to the tally's totals."""
    for missed_kind, calls, wait_s in rows:
        state = {"": rm.ANSWERED, "direct": rm.MISSED_DIRECT, "transferred": rm.MISSED_TRANSFERRED}[missed_kind]
        t = tally.total
        t.offered += calls
        t.answered += calls if state == rm.ANSWERED else 0
        t.missed_direct += calls if state == rm.MISSED_DIRECT else 0
        t.missed_transferred += calls if state == rm.MISSED_TRANSFERRED else 0
        t.ring_missed_s += wait_s if state != rm.ANSWERED else 0


def _reach(ranges, since: int, until: int) -> tuple[str, list]:
    """A condition on `o`: the offers of the calls with start in [since, until) on the (extension, from, to) ranges
    of a scope by person (scope.person_ranges, as scope.visible puts them on the call table), each an index range
    of rollup_offer_scope ("0" for none)."""
    parts, args = [], []
    for ext, lo, hi in sorted(set(ranges), key=lambda r: (r[0], r[1] or 0)):
        lo, hi = since if lo is None else max(lo, since), until if hi is None else min(hi, until)
        if lo < hi:
            parts.append("(o.call_ext = ? AND o.start_utc >= ? AND o.start_utc < ?)")
            args += [ext, lo, hi]
    return (f"({' OR '.join(parts)})" if parts else "0"), args


def _person_by_extension(tally: rm.Tally, ranges, calls: str, args: list) -> None:
    """By extension for a scope by person (a department's supervisor, a person): the offers of the visible calls
    (`calls`, a condition on `o`) summed by SQL per extension and outcome, of those an extension rang while it was
    within reach (the user's extension ranges, scope.extension_ranges: the rule of Tally.allowed on each row);
    the totals count each call with such an offer once. Rows are independent by extension, so no call is read
    one by one (a department's year is tens of thousands of them)."""
    if not ranges:
        return
    parts, rargs = [], []
    for ext, lo, hi in ranges:
        parts.append("(o.extension = ?" + (" AND o.start_utc >= ?" if lo is not None else "")
                     + (" AND o.start_utc < ?" if hi is not None else "") + ")")
        rargs += [ext] + [v for v in (lo, hi) if v is not None]
    exts = sorted({r[0] for r in ranges})
    within = f"o.extension IN ({', '.join('?' * len(exts))}) AND ({' OR '.join(parts)})"
    # one pass over the offers (materialised once), then its sums per extension and outcome and, per call, the totals
    rows = store.db.execute_sql(
        f"WITH v AS MATERIALIZED (SELECT o.tenant AS t, o.extension AS e, o.state AS s, o.ring_s AS r, "
        f"o.start_utc AS at, o.call_id AS c, o.missed AS m, o.wait_s AS w FROM rollup_offer o WHERE {calls} AND "
        f"{within}) SELECT 0, t, e, s, COUNT(*), SUM(r), MIN(at) FROM v GROUP BY t, e, s UNION ALL "
        f"SELECT 1, m, NULL, NULL, COUNT(*), SUM(w), NULL FROM (SELECT m, w FROM v GROUP BY c) GROUP BY m",
        [*args, *exts, *rargs]).fetchall()
    for _, tenant, ext, state, n, ring, lo in (r for r in rows if r[0] == 0):
        index = tally.index(tenant)
        tally.group(lo, tenant, ext, index.attribute(ext, lo) if index is not None else None, state, n, ring)
    _totals(tally, ((m, n, w) for kind, m, _e, _s, n, w, _lo in rows if kind == 1))


def _units(whole: list[int], unusable: set[int], days: tuple[int, int] | None = None) -> tuple[list[int], list[int]]:
    """The months every day of which is in `whole` or has no offer (none dirty or on the range's edge: `unusable`),
    read from rollup_offer_month, and the other whole days, read from rollup_offer_ext. `days`: the local days
    [first, end) whose offers were looked at (a day there outside `whole` and `unusable` has none), by default
    those from the first to the last whole day (a year's data that ends before 31 December still reads December
    by month)."""
    if not whole or not months_summed():
        return [], whole
    lo, hi = min(whole), max(whole)
    bound_lo, bound_end = days if days is not None else (lo, hi + 1)
    months = []
    for ym in rollup.months_between(lo, hi + 1):
        first, end = rollup.month_days(ym)
        if bound_lo <= first and end <= bound_end and not any(first <= d < end for d in unusable):
            months.append(ym)
    taken = {d for ym in months for d in range(*rollup.month_days(ym))}
    return months, [d for d in whole if d not in taken]


def _whole_days(tally: rm.Tally, by: str, whole: list[int], unusable: set[int], tenants: str, targs: list,
                span: tuple[int, int]) -> None:
    """Feed the offers of the whole clean days `whole` to the tally from the sums (by month where it can; `span`:
    the days looked at, _units)."""
    months, days = _units(whole, unusable, span)
    if by == "extension":   # attributed only for the row's name, at its first call: one group per outcome
        rows = "o.tenant AS t, o.extension AS e, o.state AS s, o.calls AS c, o.ring_s AS r, o.min_start AS lo"
        parts = [(f"SELECT {rows} FROM {table} o WHERE {cond} AND {tenants}", [*args, *targs])
                 for table, (cond, args) in (("rollup_offer_month", _in("o.ym", months)),
                                             ("rollup_offer_ext", _in("o.day", days))) if args]
        for tenant, ext, state, calls, ring, lo in store.db.execute_sql(
                f"SELECT t, e, s, SUM(c), SUM(r), MIN(lo) FROM ({' UNION ALL '.join(sql for sql, _ in parts)}) "
                f"GROUP BY t, e, s", [a for _, args in parts for a in args]) if parts else ():
            index = tally.index(tenant)
            tally.group(lo, tenant, ext, index.attribute(ext, lo) if index is not None else None, state, calls, ring)
        return
    # by person: over the whole range per extension and outcome, or for an extension that changed hands in it, per
    # month (day) unless it changed hands in it (then by day, by call); the calls that rang several extensions are
    # summed too, but for the extensions of people with more than one (`shared`: such a call may have rung two phones
    # of one person, who counts it once): those call by call
    shared, sargs = _shared(tally, whole, tenants, targs)
    summed = f"(o.multi = 0 OR NOT {shared})"
    sources = [(unit, table, cond, args) for unit, table, (cond, args) in (
        ("-o.ym", "rollup_offer_month", _in("o.ym", months)), ("o.day", "rollup_offer_ext", _in("o.day", days)))
        if args]
    rows = ("o.tenant AS t, o.extension AS e, o.state AS s, o.calls AS c, o.ring_s AS r, o.min_start AS lo, "
            "o.max_start AS hi")
    parts = [(f"SELECT {rows} FROM {table} o WHERE {cond} AND {tenants} AND {summed}", [*args, *targs, *sargs])
             for _, table, cond, args in sources]
    overall = store.db.execute_sql(
        f"SELECT t, e, s, SUM(c), SUM(r), MIN(lo), MAX(hi) FROM ({' UNION ALL '.join(sql for sql, _ in parts)}) "
        f"GROUP BY t, e, s", [a for _, args in parts for a in args]).fetchall() if parts else []
    ext_spans: dict[tuple[str, str], tuple[int, int]] = {}
    for tenant, ext, _state, _calls, _ring, lo, hi in overall:
        old_span = ext_spans.get((tenant, ext))
        ext_spans[(tenant, ext)] = (lo, hi) if old_span is None else (min(old_span[0], lo), max(old_span[1], hi))
    changing = {k for k, span in ext_spans.items() if _changes(tally.index(k[0]), k[1], *span)}
    for tenant, ext, state, calls, ring, lo, _hi in overall:
        if (tenant, ext) not in changing:
            index = tally.index(tenant)
            tally.group(lo, tenant, ext, index.attribute(ext, lo) if index is not None else None, state, calls, ring)
    moved, margs = _pairs(changing)
    cols = "o.tenant, o.extension, o.state, SUM(o.calls), SUM(o.ring_s), MIN(o.min_start), MAX(o.max_start)"
    parts = [(f"SELECT {unit}, {cols} FROM {table} o WHERE {cond} AND {tenants} AND {summed} AND {moved} "
              f"GROUP BY {unit}, o.tenant, o.extension, o.state", [*args, *targs, *sargs, *margs])
             for unit, table, cond, args in sources] if changing else []
    groups = [row for sql, args in parts for row in store.db.execute_sql(sql, args).fetchall()]
    spans: dict[tuple[int, str, str], tuple[int, int]] = {}
    for unit, tenant, ext, _state, _calls, _ring, lo, hi in groups:
        old = spans.get((unit, tenant, ext))
        spans[(unit, tenant, ext)] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
    split = {k for k, (lo, hi) in spans.items() if _changes(tally.index(k[1]), k[2], lo, hi)}
    by_day = sorted(k for k in split if k[0] < 0)
    for unit, tenant, ext in by_day:   # a month an extension changed hands in: by day
        split.discard((unit, tenant, ext))
        first, end = rollup.month_days(-unit)
        for row in store.db.execute_sql(
                f"SELECT o.day, {cols} FROM rollup_offer_ext o WHERE o.day >= ? AND o.day < ? AND o.tenant = ? AND "
                f"o.extension = ? AND {summed} GROUP BY o.day, o.state", (first, end, tenant, ext, *sargs)).fetchall():
            groups.append(row)
            old = spans.get((row[0], tenant, ext))
            spans[(row[0], tenant, ext)] = (row[6], row[7]) if old is None else (min(old[0], row[6]),
                                                                                 max(old[1], row[7]))
        split |= {k for k in spans if k[0] >= first and k[0] < end and k[1:] == (tenant, ext)
                  and _changes(tally.index(tenant), ext, *spans[k])}
    gone = set(by_day)
    for unit, tenant, ext, state, calls, ring, lo, _hi in groups:
        if (unit, tenant, ext) not in split and (unit, tenant, ext) not in gone:
            index = tally.index(tenant)
            tally.group(lo, tenant, ext, index.attribute(ext, lo) if index is not None else None, state, calls, ring)
    # calls that rang several extensions of which some are shared, and the days a change of hands splits: call by
    # call, no totals
    if sargs:
        in_whole, wargs = _in("o.day", whole)
        _feed(tally, store.db.execute_sql(f"SELECT {ROW} FROM rollup_offer o WHERE o.exts > 1 AND {in_whole} AND "
                                          f"{tenants} AND {shared} ORDER BY o.call_id", [*wargs, *targs, *sargs]),
              False)
    for day, tenant, ext in sorted(split):
        _feed(tally, store.db.execute_sql(f"SELECT {ROW} FROM rollup_offer o WHERE o.day = ? AND o.tenant = ? AND "
                                          f"o.extension = ? AND (o.exts = 1 OR NOT {shared}) ORDER BY o.call_id",
                                          (day, tenant, ext, *sargs)), False)


def _shared(tally: rm.Tally, whole: list[int], tenants: str, targs: list) -> tuple[str, list]:
    """A condition on `o` true for the extensions of people who have (had) more than one, per tenant of the days
    `whole` ("0" and no arguments when there are none)."""
    in_whole, wargs = _in("o.day", whole)
    pairs: set[tuple[str, str]] = set()
    for (tenant,) in store.db.execute_sql(f"SELECT DISTINCT o.tenant FROM rollup_offer_total o WHERE {in_whole} AND "
                                          f"{tenants}", [*wargs, *targs]).fetchall():
        index = tally.index(tenant)
        if index is None:
            continue
        owned: dict[object, set] = {}
        for ext, items in index.extensions.items.items():
            for _start, _end, person in items:
                owned.setdefault(person, set()).add(ext)
        pairs |= {(tenant, str(e)) for es in owned.values() if len(es) > 1 for e in es}
    return _pairs(pairs)


def _pairs(pairs: Iterable[tuple[str, str]]) -> tuple[str, list]:
    """A condition on `o` true for these (tenant, extension) pairs ("0" and no arguments for none)."""
    by_tenant: dict[str, list[str]] = {}
    for tenant, ext in sorted(pairs):
        by_tenant.setdefault(tenant, []).append(ext)
    conds, args = [], []
    for tenant, exts in by_tenant.items():
        conds.append(f"(o.tenant = ? AND o.extension IN ({', '.join('?' * len(exts))}))")
        args += [tenant, *exts]
    return (f"({' OR '.join(conds)})", args) if conds else ("0", [])
