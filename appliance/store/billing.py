"""Billing tables: free allowances / minute packages per subscriber (RAT-7) and fixed monthly line charges (RAT-6).

Only definitions are stored. What an allowance covers and who carries a line charge are computed when a bill
or month is computed, from the stored per-call costs, so re-rating can never apply an allowance twice.
Money is decimal TEXT; dates are local ISO dates (YYYY-MM-DD) and months YYYY-MM, in the PBX's time zone.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from peewee import IntegerField, TextField

from appliance.store import Base, db

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
    with db.atomic():
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
    with db.atomic():
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
