"""`callbox rerate`: price the stored calls again in place (after a tariff or numbering change).

Re-rating writes call rows, so it belongs with the other writers of them (parse, reprocess): it runs under the
parse lock, in one transaction that also marks the re-priced days of the report roll-ups dirty.
"""
from __future__ import annotations

import logging
from pathlib import Path

from appliance import store
from appliance.ingest import stuck
from appliance.rating import asked, numbering
from appliance.rating.pricing import Pricer
from appliance.records import PRICE_COLUMNS
from appliance.store import billing as store_billing
from appliance.store import rollups

log = logging.getLogger(__name__)


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


def apply_asked(data_dir: Path, pricer: Pricer | None, pbx_tenant: str) -> dict | None:
    """The re-rate asked on the web (appliance/rating/asked.py), if any, done as `callbox rerate` without --force;
    its result (also left for the page), or None when nothing was asked. The caller holds the parse lock. An error
    is a code the page words ("no_numbering", "no_plan", "failed") and the detail in English."""
    request = asked.pending(data_dir)
    if request is None:
        return None
    since = request.get("since_utc")
    since = int(since) if isinstance(since, (int, float)) and not isinstance(since, bool) else None
    result: dict
    if pricer is None:
        result = {"error": "no_numbering", "detail": "no numbering plan: [numbers] country is not set"}
    elif pricer.problem:
        result = {"error": "no_plan", "detail": pricer.problem}
    else:
        try:
            kept = store_billing.frozen(store.calls(since, None), pbx_tenant)
            count = rerate(pricer, since, None, reclassify=request.get("reclassify") is True, pbx_tenant=pbx_tenant)
        except Exception as e:   # one transaction: nothing changed; new lines must not wait on it
            log.exception("the re-rate asked on the web failed")
            result = {"error": "failed", "detail": f"{type(e).__name__}: {e}"}
        else:
            result = {"calls": count, "billed_kept": kept.calls, "billed_periods": list(kept.periods)}
            log.warning("re-rated %d calls%s, asked on the web by %s", count,
                        f" since {since}" if since is not None else "", request.get("by", "?"))
    asked.finish(data_dir, request, result)
    return result
