"""Billed periods: once a tenant's period is invoiced its calls keep their prices; only a forced re-rate moves them.

A period is [since, until) in UTC seconds for one tenant code, closed by someone at some time. `pricing.rerate`
leaves the calls inside a billed period alone unless forced, and `reprocess` refuses to re-derive them
(re-deriving prices them again) unless forced. Reopening a period lifts the freeze; both are logged.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from peewee import SQL, IntegerField, TextField, fn

from appliance.store import Base, Call, db

log = logging.getLogger(__name__)


class BilledPeriod(Base):
    """One closed (invoiced) period of one tenant."""
    id = IntegerField(primary_key=True)
    tenant = TextField()            # the tenant code ([pbx] tenant for a single-tenant box)
    label = TextField()             # as the administrator named it: 2026-10, 2026-W41, or the two times
    since = IntegerField()          # UTC epoch seconds, inclusive
    until = IntegerField()          # UTC epoch seconds, exclusive
    closed_at = IntegerField()
    closed_by = TextField(default="")

    class Meta:
        table_name = "billed_period"
        indexes = ((("tenant", "since"), False),)


MODELS_BILLED = (BilledPeriod,)


class PeriodError(ValueError):
    """A billed-period request that cannot be done; the message says why."""


@dataclass(frozen=True)
class Frozen:
    """Calls a change would touch inside billed periods."""
    calls: int
    periods: tuple[str, ...]


def close(tenant: str, label: str, since: int, until: int, by: str = "") -> int:
    """Mark [since, until) of `tenant` as billed; returns the period's id. Overlapping a billed period is refused."""
    if until <= since:
        raise PeriodError(f"period {label}: its end is not after its start")
    with db.atomic():
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


def in_billed(pbx_tenant: str):
    """The condition "this call lies in a billed period of its tenant" (a call with no tenant stored is the
    [pbx] tenant's), for `.where(~in_billed(...))`."""
    tenant = fn.COALESCE(fn.NULLIF(Call.tenant, ""), pbx_tenant)
    inner = BilledPeriod.select(SQL("1")).where((BilledPeriod.tenant == tenant)
                                                & (BilledPeriod.since <= Call.start_utc)
                                                & (BilledPeriod.until > Call.start_utc))
    return fn.EXISTS(inner)


def frozen(query, pbx_tenant: str) -> Frozen:
    """How many of the calls `query` (a Call select) selects lie in billed periods, and which periods."""
    calls, labels = 0, []
    for p in periods():
        tenant = Call.tenant.in_((p.tenant, "")) if p.tenant == pbx_tenant else Call.tenant == p.tenant
        n = query.where(tenant & (Call.start_utc >= p.since) & (Call.start_utc < p.until)).order_by().count()
        if n:
            calls += n
            labels.append(f"{p.tenant} {p.label}")
    return Frozen(calls, tuple(labels))
