"""Billing tables: allowances per subscriber (RAT-7), monthly line charges (RAT-6) and billed periods.

Only definitions are stored. What an allowance covers and who carries a line charge are computed when a bill
or month is computed, from the stored per-call costs, so re-rating can never apply an allowance twice.
Money is decimal TEXT; dates are local ISO dates (YYYY-MM-DD) and months YYYY-MM, in the PBX's time zone.
Billed periods freeze their calls' prices; the queries the call writers ask of them (`in_billed`, `frozen`) are
here, and closing and reopening them is appliance/billing/billed.py's.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from peewee import SQL, IntegerField, TextField, fn

from appliance.store.base import IMMEDIATE, Base, db
from appliance.store.calls import Call

log = logging.getLogger(__name__)


class Allowance(Base):
    """`amount` `unit` free per `period` for `subscriber`'s calls that match `match`, valid [valid_from, valid_to]."""
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField(null=True)      # NULL: a site without a directory (subscribers are ext:NNN)
    subscriber = TextField()                 # a person's external id, or ext:<extension>
    name = TextField()
    unit = TextField()                       # minutes | calls | money
    amount = TextField()                     # exact decimal text
    match = TextField()                      # * | class:<kind> | destination:<name>
    period = TextField()                     # month | week
    valid_from = TextField(default="")       # YYYY-MM-DD or "" (always)
    valid_to = TextField(default="")         # YYYY-MM-DD, last day included, or "" (still valid)

    class Meta:
        indexes = ((("tenant_id", "subscriber"), False),)


class LineCharge(Base):
    """A fixed monthly charge for trunk/line `trunk`, shared out by use (cost or duration) in each month."""
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField(null=True)
    trunk = TextField()                      # as the PBX prints it (call.trunk)
    amount = TextField()
    currency = TextField()
    basis = TextField()                      # cost | duration
    valid_from = TextField(default="")       # YYYY-MM or ""
    valid_to = TextField(default="")         # YYYY-MM (included) or ""
    description = TextField(default="")


MODELS_BILLING = (Allowance, LineCharge)


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


@dataclass(frozen=True, slots=True)
class AllowanceDef:
    id: int
    subscriber: str
    name: str
    unit: str
    amount: Decimal
    match: str
    period: str
    valid_from: str
    valid_to: str


@dataclass(frozen=True, slots=True)
class LineChargeDef:
    id: int
    trunk: str
    amount: Decimal
    currency: str
    basis: str
    valid_from: str
    valid_to: str
    description: str


def _tenant(model, tenant_id: int | None):
    return model.tenant_id.is_null() if tenant_id is None else model.tenant_id == tenant_id


def replace_allowances(tenant_id: int | None, rows: list[dict]) -> int:
    """Make `rows` (AllowanceDef fields but id) the tenant's whole list of allowances; returns the count."""
    with db.atomic(IMMEDIATE):
        Allowance.delete().where(_tenant(Allowance, tenant_id)).execute()
        for r in rows:
            Allowance.create(tenant_id=tenant_id, **{**r, "amount": str(r["amount"])})
    return len(rows)


def allowances(tenant_id: int | None, subscriber: str | None = None) -> list[AllowanceDef]:
    """The tenant's allowances (or one subscriber's) in definition order: the order they are applied in."""
    q = Allowance.select().where(_tenant(Allowance, tenant_id))
    if subscriber is not None:
        q = q.where(Allowance.subscriber == subscriber)
    return [AllowanceDef(a.id, a.subscriber, a.name, a.unit, Decimal(a.amount), a.match, a.period, a.valid_from,
                         a.valid_to) for a in q.order_by(Allowance.id)]


def replace_line_charges(tenant_id: int | None, rows: list[dict]) -> int:
    """Make `rows` (LineChargeDef fields but id) the tenant's whole list of line charges; returns the count."""
    with db.atomic(IMMEDIATE):
        LineCharge.delete().where(_tenant(LineCharge, tenant_id)).execute()
        for r in rows:
            LineCharge.create(tenant_id=tenant_id, **{**r, "amount": str(r["amount"])})
    return len(rows)


def line_charges(tenant_id: int | None, month: str) -> list[LineChargeDef]:
    """The line charges in force in `month` (YYYY-MM), in definition order."""
    q = LineCharge.select().where(_tenant(LineCharge, tenant_id)).order_by(LineCharge.id)
    return [LineChargeDef(c.id, c.trunk, Decimal(c.amount), c.currency, c.basis, c.valid_from, c.valid_to,
                          c.description)
            for c in q if (not c.valid_from or c.valid_from <= month) and (not c.valid_to or month <= c.valid_to)]


# ---- billed periods: what a change of call rows would touch inside them ----

class PeriodError(ValueError):
    """A billed-period request that cannot be done; the message says why. Raised by appliance/billing/billed.py
    and by re-processing calls in billed periods (appliance/ingest/reprocess.py), hence defined here."""


@dataclass(frozen=True)
class Frozen:
    """Calls a change would touch inside billed periods."""
    calls: int
    periods: tuple[str, ...]


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
    for p in BilledPeriod.select().order_by(BilledPeriod.tenant, BilledPeriod.since):
        tenant = Call.tenant.in_((p.tenant, "")) if p.tenant == pbx_tenant else Call.tenant == p.tenant
        n = query.where(tenant & (Call.start_utc >= p.since) & (Call.start_utc < p.until)).order_by().count()
        if n:
            calls += n
            labels.append(f"{p.tenant} {p.label}")
    return Frozen(calls, tuple(labels))
