"""`callbox rerate`: price the stored calls again in place (after a tariff or numbering change).

Re-rating writes call rows, so it belongs with the other writers of them (parse, reprocess): it runs under the
parse lock, in one transaction that also marks the re-priced days of the report roll-ups dirty.
"""
from __future__ import annotations

from appliance import store
from appliance.ingest import stuck
from appliance.rating import numbering
from appliance.rating.pricing import Pricer
from appliance.records import PRICE_COLUMNS
from appliance.store import billing as store_billing
from appliance.store import rollups


def rerate(pricer: Pricer, since: int | None = None, until: int | None = None, batch: int = 5000,
           reclassify: bool = False, pbx_tenant: str = "", force: bool = False) -> int:
    """Price the stored calls with start in [since, until) again; idempotent. Returns the count. The stored
    classification is reused unless `reclassify` (after a change of [numbers]). Calls in billed periods
    (appliance/billing/billed.py; `pbx_tenant` is the tenant of calls stored without one) keep their price unless
    `force`."""
    sets = ", ".join(f"{c} = ?" for c in PRICE_COLUMNS)
    done, last = 0, -1
    calls = store.calls(since, until)
    if not force and store_billing.BilledPeriod.select().exists():
        calls = calls.where(~store_billing.in_billed(pbx_tenant))
    with store.db.atomic():
        while True:   # pages by id: never update the rows a cursor is still reading
            rows = list(calls.select(
                store.Call.id, store.Call.direction, store.Call.party, store.Call.start_utc, store.Call.talk_s,
                store.Call.kind, store.Call.number, store.Call.unknown_number, store.Call.trunk
            ).where(store.Call.id > last).order_by(store.Call.id).limit(batch).tuples())
            if not rows:
                rollups.after_rerate(since, until)   # the re-priced days in the report roll-ups
                stuck.mark_overlaps(pricer, since, until, pbx_tenant, force)   # lines that did not release (RAT-5)
                return done
            store.db.connection().executemany(
                f"UPDATE call SET {sets} WHERE id = ?",
                [(*pricer.price(direction, party, start, talk, None if reclassify or not kind else
                                numbering.Classification(number, kind, known=not unknown), trunk), call_id)
                 for call_id, direction, party, start, talk, kind, number, unknown, trunk in rows])
            done, last = done + len(rows), rows[-1][0]
