"""Calls on analogue trunks that did not release (RAT-5): found among the stored calls and priced again.

The overlap rule (appliance/rating/stuck.py) needs the next call on the same trunk, which may arrive batches
later, so the worker applies it over the recent calls when it is idle (at most every CHECK_EVERY_S), and
`callbox rerate` over the range it re-priced. It writes call rows, so it runs where the other writers do.
"""
from __future__ import annotations

import logging

from appliance import store
from appliance.rating import numbering, stuck
from appliance.rating.pricing import Pricer
from appliance.records import PRICE_COLUMNS
from appliance.store import billing as store_billing
from appliance.store import rollups

log = logging.getLogger(__name__)
CHECK_EVERY_S = 60
RECENT_S = 2 * 86400


def mark_overlaps(pricer: Pricer, since: int | None = None, until: int | None = None, pbx_tenant: str = "",
                  force: bool = False) -> int:
    """Price again the calls in [since, until) still up when the next call on their analogue trunk began (and
    those no longer so, after a re-import); returns how many changed. Calls in billed periods keep their price
    unless `force`, as with `callbox rerate` (`pbx_tenant`: the tenant of calls stored without one)."""
    rules = pricer.lines
    if rules is None or not rules.analogue:
        return 0
    C = store.Call
    q = store.calls(since, None).select(C.id, C.trunk, C.start_utc, C.ring_s, C.talk_s, C.tenant, C.capped,
                                        C.direction, C.party, C.kind, C.number, C.unknown_number)
    rows = [r for r in q.tuples() if rules.is_analogue(r[1])]
    billed: set[int] = set()
    if not force and store_billing.BilledPeriod.select().exists():
        billed = {cid for (cid,) in store.calls(since, until).select(C.id).where(
            store_billing.in_billed(pbx_tenant)).tuples()}
    released: dict[int, int] = {}
    for tenant in {r[5] for r in rows}:
        released.update(stuck.overlaps([r[:5] for r in rows if r[5] == tenant], rules))
    sets = ", ".join(f"{c} = ?" for c in PRICE_COLUMNS)
    changed, days = [], set()
    for cid, trunk, start, ring, talk, _, capped, direction, party, kind, number, unknown in rows:
        if (until is not None and start >= until) or cid in billed:
            continue
        now_stuck = cid in released and released[cid] < talk
        if now_stuck == (capped == stuck.OVERLAP):
            continue
        known = numbering.Classification(number, kind, known=not unknown) if kind else None
        price = pricer.price(direction, party, start, talk, known, trunk, released.get(cid))
        changed.append((*price, cid))
        days.add(start)
    if changed:
        with store.db.atomic():
            store.db.connection().executemany(f"UPDATE call SET {sets} WHERE id = ?", changed)
            rollups.after_rerate(min(days), max(days) + 1)
        log.info("%d call(s) on analogue trunks priced again: did not release before the next call", len(changed))
    return len(changed)
