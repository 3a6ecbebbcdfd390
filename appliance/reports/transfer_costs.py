"""Transferred calls' cost in reports and totals (RAT-4), by the rule bills apply (appliance/rating/transfers.py).

Roll-ups and the call table group calls by the extension that made them. With [rating] transfer_charge = target,
a transferred call's cost, and only its cost (with its count as a priced call), is then moved from that
extension's row to the row of the extension that pays: the first keeps the call, its ring and talk time, without
cost, as on the bills. Both rows are checked against the user's scope on their own: a user who sees only the
target sees the cost there, one who sees only the first extension no longer sees it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from appliance.access.users import Account
from appliance.rating import transfers
from appliance.reports.attribution import Attributor, RollupScope, rollup_scope
from appliance.reports.query import SLACK, SUMS, Query, fetch_calls
from appliance.reports.ranges import Window

log = logging.getLogger(__name__)
_COST, _PRICED = SUMS.index("cost_micro"), SUMS.index("priced")
MICRO = Decimal(1_000_000)


def move_in_report(acc: dict, plan, window: Window, rscope: RollupScope | None, charge: str,
                   key_of: Callable[[dict], tuple]) -> int:
    """Move the cost of calls `charge` makes another extension pay for, between the rows of `acc` (shown key ->
    sums). `plan` is the report's plan (keys, filters, labels() with the user's scope); returns the calls moved."""
    if "extension" not in plan.keys:
        return 0   # no row depends on the extension: the cost stays where it is
    calls = transfers.moved(charge, None if window.since is None else window.since - SLACK,
                            None if window.until is None else window.until + SLACK,
                            rscope.tenant_in if rscope is not None else None)
    if not calls:
        return 0
    q = plan.query
    # the extension filter is checked on each side by labels(): the target may pass it where the first does not
    rows = fetch_calls(Query(plan.keys, window, {k: v for k, v in q.equal.items() if k != "extension"},
                             q.time_range), [m.call_id for m in calls])
    at = plan.keys.index("extension")
    n, done = len(plan.keys), 0
    for m in calls:
        row = rows.get(m.call_id)
        if row is None:      # outside the window or the report's filters
            continue
        cost, priced = row[n + _COST], row[n + _PRICED]
        source, target = plan.labels(row), plan.labels(row[:at] + (m.target,) + row[at + 1:])
        if source is not None:
            _add(acc, key_of(source), -cost, -priced)
        if target is not None:
            _add(acc, key_of(target), cost, priced)
        done += 1
    for key in [k for k, v in acc.items() if not any(v)]:
        del acc[key]         # a row that only held a moved cost, and no call
    return done


def _add(acc: dict, key: tuple, cost: int, priced: int) -> None:
    sums = acc.setdefault(key, [0] * len(SUMS))
    sums[_COST] += cost
    sums[_PRICED] += priced


def shift_totals(user: Account, pbx_tenant: str, since: int | None, until: int | None, charge: str
                 ) -> dict[str, Decimal]:
    """What the rule changes in the cost totals of the calls `user` sees in [since, until), per currency: minus
    the calls they see charged to someone they do not see, plus those the other way round."""
    rscope = rollup_scope(user, pbx_tenant)
    if rscope.nothing or rscope.accepts is None:
        return {}            # the whole box or a whole tenant: the first and the target are both in it
    accepts = rscope.accepts
    attributor = Attributor(pbx_tenant)
    out: dict[str, Decimal] = {}
    for m in transfers.moved(charge, since, until, rscope.tenant_in):
        first = accepts(attributor.person(m.tenant, m.extension, m.start_utc))
        target = accepts(attributor.person(m.tenant, m.target, m.start_utc))
        if first != target:
            out[m.currency] = out.get(m.currency, Decimal(0)) + (m.cost if target else -m.cost)
    return out
