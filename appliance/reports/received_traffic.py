"""The traffic reports on a central (issue 18): missed calls, trunk traffic and problem trunks, concurrent calls, over
this box's own calls and its branch boxes' received calls (central_call, with their legs as the branch stored
them), the branch box a dimension (missed calls and trunks: a row per branch box and extension or trunk; `branch`
"" is this box's own) and a filter (`box`: that branch box's calls only). Who sees which branch box is the
reports' rule (received.scope_sql: HQ every box, a user scoped to a branch that branch's box, a user scoped to
their own or their department's calls none of them); this box's own part is the report as it is elsewhere.

The figures of a branch box are those the branch computes from the same calls: the same rules (missed.outcome
over the legs, the trunk sums, the sweep of the calls' occupancy), read from the received rows. What the central's
directory cannot say of a branch box's call is left as the branch sent it: a received call's trunk is in its
provider's group as the box's own directory says it (the directory snapshot it sends, received_groups.py; "" for a
trunk it does not know, or a box that sent no directory), and by person a missed call's row is the
person the branch attributed the call to when the leg rang the call's own extension, else the extension
("ext:NNN"). SQLite or PostgreSQL ([central] database).
"""
from __future__ import annotations

import bisect
import json
import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import tzinfo

from appliance.access.users import Account
from appliance.reports import concurrency as report_concurrency
from appliance.reports import missed as report_missed
from appliance.reports import trunks as report_trunks
from appliance.reports.concurrency import Traffic
from appliance.reports import received_missed, received_occupancy
from appliance.reports.received_groups import BoxTrunks
from appliance.reports.received_search import attribution, choice
from appliance.store.central_db import connection, execute

Seen = tuple[list[str], list]
_COST = ("CASE WHEN cost IS NULL OR cost = '' THEN 0 "
         "ELSE CAST(ROUND(CAST(cost AS REAL) * 1000000) AS INTEGER) END")


def _where(seen: Seen, since: int, until: int, traffic: Traffic | None = None) -> tuple[str, list]:
    cond, args = [f"({c})" for c in seen[0]] + ["start_utc >= ?", "start_utc < ?"], list(seen[1]) + [since, until]
    if traffic is not None:
        if traffic.direction:
            cond.append("direction = ?")
            args.append(traffic.direction)
        else:     # as this box's traffic: system legs hold no line to anyone
            cond.append("direction != 'system'")
        for column, value in (("kind", traffic.kind), ("trunk", traffic.trunk)):
            if value is not None:
                cond.append(f"{column} = ?")
                args.append(value)
    return " AND ".join(cond), args


def _grouped(seen: Seen, since: int, until: int, traffic: Traffic, boxes: BoxTrunks) -> tuple[str, list]:
    """The received calls with a trunk of [since, until) within `seen` and `traffic` (its group too), each with its
    trunk group `grp` (its box's provider of the trunk at the call's start): "FROM-clause WHERE condition" (more
    conditions may follow with AND, before a GROUP BY) and its arguments."""
    where, args = _where(seen, since, until, traffic)
    case, case_args = boxes.group_sql()
    sql = f"(SELECT c.*, {case} AS grp FROM central_call c WHERE {where} AND trunk != '') t WHERE "
    if traffic.group is not None:
        return sql + "grp = ?", case_args + args + [traffic.group]
    return sql + "1 = 1", case_args + args


def _rows(sql: str, args: list, chunk: int = 2000) -> Iterator[tuple]:
    """The rows of `sql` (ordered by a unique key) read in chunks."""
    done = 0
    while True:
        with connection():
            rows = execute(f"{sql} LIMIT {chunk} OFFSET {done}", args)
        yield from rows
        done += len(rows)
        if len(rows) < chunk:
            return


# ---------------------------------------------------------------------------------------------- missed calls
def missed_tally(tally: report_missed.Tally, seen: Seen, since: int, until: int) -> None:
    """Add the received incoming calls of [since, until) within `seen` to `tally`, a row per branch box and
    extension (or person): summed in SQL from the calls' missed facts (received_missed.py), read call by call
    (raw_missed_tally) for a box whose facts are not all made yet (its receiver not restarted since an upgrade)."""
    late = received_missed.unbuilt()
    if late:
        holes = ", ".join("?" * len(late))
        received_missed.tally(tally, (seen[0] + [f"branch NOT IN ({holes})"], seen[1] + late), since, until)
        raw_missed_tally(tally, (seen[0] + [f"branch IN ({holes})"], seen[1] + late), since, until)
    else:
        received_missed.tally(tally, seen, since, until)


def raw_missed_tally(tally: report_missed.Tally, seen: Seen, since: int, until: int) -> None:
    """missed_tally from the calls one by one, each call's outcome from its legs (missed.outcome, the driver's leg
    order): the reference the SQL sums are tested against."""
    where, args = _where(seen, since, until)
    sql = (f"SELECT branch, rid, start_utc, driver, extension, person, legs FROM central_call WHERE {where} "
           "AND direction = 'in' ORDER BY start_utc, branch, rid")
    seg_cache: dict[str, bool] = {}
    rows: dict[tuple[str, str], report_missed.MissedRow] = {}
    for branch, _rid, _start, driver, ext0, person, legs_text in _rows(sql, args):   # oldest first: a row's
        # name is its person's at its first call
        legs = sorted(json.loads(legs_text or "[]"), key=lambda leg: leg.get("id", 0))
        segments = report_missed._segments(driver, seg_cache)
        result = report_missed.outcome(report_missed.timeline(report_missed._ordered(
            [(leg["start_utc"], leg["ring_s"], leg["talk_s"], bool(leg["answered"]), leg["extension"] or "")
             for leg in legs], segments), segments))
        who = attribution(person, "", "")
        per_key: dict[tuple[str, str], tuple[str, int]] = {}
        for ext, (state, ring) in result.per_extension.items():
            owner = who if who is not None and ext == (ext0 or "").strip() else None
            key = ext if tally.by == "extension" else owner.external_id if owner is not None else f"ext:{ext}"
            row = rows.get((branch, key))
            if row is None:
                row = rows[branch, key] = report_missed.MissedRow(key, owner.name if owner else "", branch=branch)
            if ext not in row.extensions:
                row.extensions.append(ext)
            old = per_key.get((branch, key))
            if old is None or report_missed._RANK[state] > report_missed._RANK[old[0]] or (
                    state == old[0] and ring > old[1]):
                per_key[branch, key] = (state, ring)
        for both, (state, ring) in per_key.items():
            rows[both].add(state, ring)
        if per_key:
            tally.total.add({None: report_missed.ANSWERED, "direct": report_missed.MISSED_DIRECT,
                             "transferred": report_missed.MISSED_TRANSFERRED}[result.missed], result.wait_s)
    for (branch, key), row in rows.items():
        tally.rows[f"{branch}\x00{key}"] = row


def _add_total(a: report_missed.MissedRow, b: report_missed.MissedRow) -> None:
    for name in ("offered", "answered", "answered_elsewhere", "missed_direct", "missed_transferred",
                 "ring_missed_s"):
        setattr(a, name, getattr(a, name) + getattr(b, name))


def missed(user: Account, pbx_tenant: str, since: int, until: int, by: str = "extension", box: str = "",
           wait: bool = True) -> report_missed.MissedReport:
    """missed.missed on a central: this box's rows (unless branch box `box` is chosen; `branch` "") and those of
    the branch boxes the user sees, the totals over all their logical calls."""
    include_own, seen = choice(user, pbx_tenant, box)
    if seen is None:
        if include_own:
            return report_missed.missed(user, pbx_tenant, since, until, by, wait=wait)
        return report_missed.MissedReport(by, [], report_missed.MissedRow("total"))
    if by not in report_missed.BY:
        raise ValueError(f"by {by!r}: expected one of {', '.join(report_missed.BY)}")
    own = (report_missed.missed(user, pbx_tenant, since, until, by, wait=wait) if include_own
           else report_missed.MissedReport(by, [], report_missed.MissedRow("total")))
    tally = report_missed.Tally(by, pbx_tenant, lambda a: True)
    missed_tally(tally, seen, since, until)
    for row in own.rows:     # copies: this box's report may be kept for the next request (store/versioned.py)
        tally.rows[f"\x00{row.key}"] = replace(row, branch="", extensions=list(row.extensions))
    _add_total(tally.total, own.total)
    return tally.report()


# ---------------------------------------------------------------------------------------------- trunk traffic
def trunk_rows(seen: Seen, since: int, until: int, traffic: Traffic, short_s: int,
               boxes: BoxTrunks | None = None) -> list[report_trunks.TrunkRow]:
    """A TrunkRow per branch box, trunk group (its provider as the box's directory says, "" for none) and trunk of
    the received calls with a trunk in [since, until), named as the box's own report names it."""
    boxes = boxes or BoxTrunks()
    source, args = _grouped(seen, since, until, traffic, boxes)
    rows = execute(
        f"SELECT branch, grp, trunk, currency, COUNT(*), SUM(CASE WHEN direction = 'in' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END), SUM(answered), SUM(talk_s), SUM(ring_s), "
        f"SUM(CASE WHEN answered != 0 AND talk_s < {int(short_s)} THEN 1 ELSE 0 END), SUM({_COST}), "
        "SUM(CASE WHEN cost IS NULL OR cost = '' THEN 0 ELSE 1 END) "
        f"FROM {source} GROUP BY branch, grp, trunk, currency", args)
    out: dict[tuple[str, str, str], report_trunks.TrunkRow] = {}
    for branch, group, trunk, currency, calls, c_in, c_out, answered, talk, ring, short, micro, priced in rows:
        row = out.get((branch, group, trunk))
        if row is None:
            row = out[branch, group, trunk] = report_trunks.TrunkRow(group, trunk, boxes.label(branch, trunk, group,
                                                                                               until), branch=branch)
        row.calls += calls
        row.calls_in += c_in
        row.calls_out += c_out
        row.answered += answered
        row.talk_s += talk
        row.ring_s += ring
        row.short += short
        if priced:
            row.cost[currency] = row.cost.get(currency, 0) + report_trunks.Decimal(micro) / report_trunks.MICRO
    return list(out.values())


def trunk_traffic(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic = Traffic(),
                  rules: report_trunks.Rules = report_trunks.Rules(), groups: report_trunks.TrunkGroups | None = None,
                  tz: tzinfo | None = None, box: str = "", wait: bool = True) -> report_trunks.TrunkReport:
    """trunks.trunk_traffic on a central: this box's trunks (unless branch box `box` is chosen; `branch` "") and
    the branch boxes' (a row per box and trunk, subtotals per box and group), shares of them all."""
    include_own, seen = choice(user, pbx_tenant, box)
    own = (report_trunks.trunk_traffic(user, pbx_tenant, since, until, traffic, rules, groups, tz, wait)
           if include_own else report_trunks.TrunkReport([], report_trunks.TrunkRow("*", "*")))
    if seen is None:
        return own
    with connection():
        theirs = trunk_rows(seen, since, until, traffic, rules.short_s)
    mine = [replace(r, branch="") for r in own.rows if r.trunk != "*"]
    for row in theirs:
        row.cost = {c: report_trunks._exact(v) for c, v in row.cost.items()}
    return report_trunks.assemble(mine + theirs)


def _counts(seen: Seen, since: int, until: int, traffic: Traffic, periods: int) -> dict:
    """{(branch box, group, trunk): [calls in period -N, ..., 0]} of the received calls, as trunks._counts."""
    length = until - since
    first = since - periods * length
    out: dict[tuple[str, str, str], list[int]] = {}
    with connection():
        source, args = _grouped(seen, first, until, traffic, BoxTrunks())
        period = f"(start_utc - {int(first)}) / {int(length)}"
        rows = execute(f"SELECT branch, grp, trunk, {period}, COUNT(*) FROM {source} "
                       f"GROUP BY branch, grp, trunk, {period}", args)
    for branch, group, trunk, i, n in rows:
        out.setdefault((branch, group, trunk), [0] * (periods + 1))[int(i)] += n
    return out


def problems(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic = Traffic(),
             rules: report_trunks.Rules = report_trunks.Rules(), groups: report_trunks.TrunkGroups | None = None,
             tz: tzinfo | None = None, box: str = "", wait: bool = True) -> list[report_trunks.Problem]:
    """trunks.problems on a central: each branch box's trunks judged against their own baseline (as the branch
    judges them), beside this box's (unless branch box `box` is chosen); `branch` says whose."""
    include_own, seen = choice(user, pbx_tenant, box)
    own = (report_trunks.problems(user, pbx_tenant, since, until, traffic, rules, groups, tz, wait)
           if include_own else [])
    if seen is None:
        return own
    out = [replace(p, branch="") for p in own]
    counts = _counts(seen, since, until, traffic, rules.baseline_periods)
    with connection():
        rows = trunk_rows(seen, since, until, traffic, rules.short_s)
    for name in sorted({k[0] for k in counts}):
        mine = {k[1:]: v for k, v in counts.items() if k[0] == name}
        report = report_trunks.assemble([r for r in rows if r.branch == name])
        out += [replace(p, branch=name) for p in report_trunks.judge(mine, report, rules)]
    return sorted(out, key=lambda p: (p.branch or "", p.group, p.trunk, p.problem))


# ---------------------------------------------------------------------------------------------- concurrency
def _spans(seen: Seen, since: int, until: int, traffic: Traffic) -> tuple[str, list]:
    """SELECT of the [s, e) of the received calls within `seen` and `traffic` that overlap [since, until)."""
    if traffic.group is not None:     # a trunk group's: the calls of the boxes' trunks of that provider
        source, args = _grouped(seen, since - report_concurrency.LOOKBACK_S, until, traffic, BoxTrunks())
    else:
        where, args = _where(seen, since - report_concurrency.LOOKBACK_S, until, traffic)
        source = f"central_call WHERE {where}"
    return (f"SELECT start_utc AS s, start_utc + ring_s + talk_s AS e FROM {source} "
            "AND start_utc + ring_s + talk_s > ? AND ring_s + talk_s > 0"), args + [since]


def _net(spans: str) -> str:
    """SQL of the occupancy's steps: (t, up: the calls up from t, nxt: the next instant anything starts or ends)."""
    return (f"WITH spans AS ({spans}), ev AS (SELECT s AS t, 1 AS d FROM spans UNION ALL SELECT e, -1 FROM spans), "
            "net AS (SELECT t, SUM(d) AS d FROM ev GROUP BY t), "
            "run AS (SELECT t, SUM(d) OVER (ORDER BY t) AS up, LEAD(t) OVER (ORDER BY t) AS nxt FROM net) ")


def swept(seen: Seen, bounds: list[int], traffic: Traffic) -> list[tuple[int, int]]:
    """concurrency.sweep's (most calls up at once, busy line-seconds) of the received calls in each
    [bounds[i], bounds[i + 1]), summed in SQL (SQLite or PostgreSQL: window functions) over slots that divide every
    bound (the gcd of the bounds: 900 s for local hours in any zone of a whole quarter hour): the occupancy is a step
    function, each step's calls up and length summed per slot; a step over several slots (one call alone over a
    slot's edge) comes back whole and is shared out here."""
    slot = max(1, math.gcd(*bounds))
    spans, args = _spans(seen, bounds[0], bounds[-1], traffic)
    with connection():
        within = f"t / {slot} = (nxt - 1) / {slot}"     # a step inside one slot: summed per slot here
        rows = execute(
            _net(spans) + f"SELECT t / {slot}, CASE WHEN {within} THEN -1 ELSE t END, CASE WHEN {within} THEN -1 "
            f"ELSE nxt END, MAX(up), SUM(up * (nxt - t)) FROM run WHERE nxt IS NOT NULL AND up > 0 GROUP BY 1, 2, 3",
            args)
    first, last = bounds[0] // slot, bounds[-1] // slot
    slots: dict[int, list[int]] = {}

    def add(k: int, peak: int, busy: int) -> None:
        have = slots.setdefault(k, [0, 0])
        have[0], have[1] = max(have[0], peak), have[1] + busy
    for k, a, b, up, busy in rows:
        if b == -1:
            add(int(k), int(up), int(busy))
            continue
        for k in range(max(first, a // slot), min(last, (b - 1) // slot + 1)):
            add(k, int(up), int(up) * (min(b, (k + 1) * slot) - max(a, k * slot)))
    out = [[0, 0] for _ in bounds[1:]]
    for k, (peak, busy) in slots.items():
        i = bisect.bisect_right(bounds, k * slot) - 1
        if 0 <= i < len(out):
            out[i] = [max(out[i][0], peak), out[i][1] + busy]
    return [(peak, busy) for peak, busy in out]


def steps(seen: Seen, since: int, until: int, traffic: Traffic) -> list[tuple[int, int]]:
    """The received calls' start and end events merged per instant, (t, net change in calls up), in SQL: what a sweep
    together with other calls (this box's own) needs, without a row per call."""
    spans, args = _spans(seen, since, until, traffic)
    with connection():
        return [(int(t), int(d)) for t, d in execute(
            f"WITH spans AS ({spans}), ev AS (SELECT s AS t, 1 AS d FROM spans UNION ALL SELECT e, -1 FROM spans) "
            "SELECT t, SUM(d) FROM ev GROUP BY t HAVING SUM(d) != 0", args)]


def concurrency(user: Account, pbx_tenant: str, since: int, until: int, tz: tzinfo, step_s: int = 3600,
                traffic: Traffic = Traffic(), groups=None, box: str = "",
                wait: bool = True) -> list[report_concurrency.Bucket]:
    """concurrency.concurrency on a central: the calls up at once of this box (unless branch box `box` is
    chosen) and of the branch boxes the user sees, together: the boxes' from the roll-up (received_occupancy.py) or
    summed in SQL (swept), or, with calls of this box's own in the period, their events per instant (steps) swept with
    this box's calls."""
    include_own, seen = choice(user, pbx_tenant, box)
    if seen is None and include_own:
        return report_concurrency.concurrency(user, pbx_tenant, since, until, tz, step_s, traffic, groups, wait)
    bounds = report_concurrency.local_bounds(since, until, step_s, tz)
    spans = (report_concurrency.intervals(user, pbx_tenant, bounds[0], bounds[-1], traffic, groups)
             if include_own else [])
    if seen is None:
        return report_concurrency.buckets(bounds, report_concurrency.sweep(spans, bounds), tz)
    if not spans:     # the boxes' alone: from the quarter-hour roll-up when it can answer exactly
        quick = received_occupancy.swept(seen, bounds, traffic, swept)
        return report_concurrency.buckets(bounds, quick if quick is not None else swept(seen, bounds, traffic), tz)
    events = steps(seen, bounds[0], bounds[-1], traffic)
    return report_concurrency.buckets(bounds, report_concurrency.sweep(spans, bounds, events), tz)


def busy_hour(user: Account, pbx_tenant: str, since: int, until: int, tz: tzinfo, traffic: Traffic = Traffic(),
              groups=None, box: str = "", wait: bool = True) -> report_concurrency.BusyHour:
    """concurrency.busy_hour over concurrency() above."""
    return report_concurrency.busy_of(concurrency(user, pbx_tenant, since, until, tz, 3600, traffic, groups, box,
                                                  wait), tz)
