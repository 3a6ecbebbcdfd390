"""Billed periods: once a tenant's period is invoiced its calls keep their prices; only a forced re-rate moves them.

A period is [since, until) in UTC seconds for one tenant code, closed by someone at some time. Re-rating
(appliance/ingest/rerate.py) leaves the calls inside a billed period alone unless forced, and re-processing
refuses to re-derive them (re-deriving prices them again) unless forced. Reopening a period lifts the freeze;
both are logged. The table and the call queries the writers ask of it are appliance/store/billing.py's.
"""
from __future__ import annotations

import logging
import time

from appliance.store import IMMEDIATE, db
from appliance.store.billing import BilledPeriod, PeriodError

log = logging.getLogger(__name__)


def close(tenant: str, label: str, since: int, until: int, by: str = "") -> int:
    """Mark [since, until) of `tenant` as billed; returns the period's id. Overlapping a billed period is refused."""
    if until <= since:
        raise PeriodError(f"period {label}: its end is not after its start")
    with db.atomic(IMMEDIATE):
        clash = (BilledPeriod.select().where((BilledPeriod.tenant == tenant) & (BilledPeriod.since < until)
                                             & (BilledPeriod.until > since)).first())
        if clash is not None:
            raise PeriodError(f"period {label} overlaps billed period {clash.label} of tenant {tenant}")
        pid = BilledPeriod.insert(tenant=tenant, label=label, since=since, until=until, closed_at=int(time.time()),
                                  closed_by=by).execute()
    log.info("period %s of tenant %s marked billed by %s", label, tenant, by or "(cli)")
    return pid


def reopen(tenant: str, label: str, by: str = "") -> None:
    """Lift the freeze of the billed period `label` of `tenant`."""
    gone = BilledPeriod.delete().where((BilledPeriod.tenant == tenant) & (BilledPeriod.label == label)).execute()
    if not gone:
        raise PeriodError(f"no billed period {label} for tenant {tenant}")
    log.warning("billed period %s of tenant %s reopened by %s: its calls may be re-rated", label, tenant,
                by or "(cli)")


def periods(tenant: str | None = None) -> list[BilledPeriod]:
    """Billed periods, oldest first (of one tenant, or all)."""
    q = BilledPeriod.select().order_by(BilledPeriod.tenant, BilledPeriod.since)
    return list(q.where(BilledPeriod.tenant == tenant) if tenant is not None else q)
