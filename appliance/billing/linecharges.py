"""Fixed monthly line charges (RAT-6): each trunk's charge shared out to people and cost centres by their use.

Use is the month's outgoing calls on that trunk (cost or talk seconds, per line charge), each attributed to
the person and cost centre of the subscriber it is charged to at the call's time. Shares are exact: the
charge in its minor unit split by largest remainder, so they always add up to the charge to the last cent.
"""
from __future__ import annotations

import csv
import io
import logging
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Hashable

from appliance.billing.usage import BillingError, Period, Site, usage
from appliance.store import billing as store_billing
from appliance.store.billing import LineChargeDef

log = logging.getLogger(__name__)
BASES = ("cost", "duration")
CSV_COLUMNS = ("trunk", "amount", "currency", "basis", "valid_from", "valid_to", "description")
ZERO = Decimal(0)


def minor_unit(amount: Decimal) -> Decimal:
    """The unit shares are stated in: cents, or the amount's own finer decimals."""
    return Decimal(1).scaleb(min(int(amount.as_tuple().exponent), -2))


def distribute(amount: Decimal, weights: dict[Hashable, Decimal | int]) -> dict[Hashable, Decimal]:
    """`amount` split in proportion to `weights` (each >= 0, some > 0) in whole minor units; the units left
    after rounding down go to the largest remainders (ties: keys in sorted order). Sums exactly to `amount`."""
    total = sum(Decimal(w) for w in weights.values())
    if total <= 0 or any(Decimal(w) < 0 for w in weights.values()):
        raise ValueError("weights must be >= 0 with a positive sum")
    unit = minor_unit(amount)
    units = int(amount / unit)
    if units * unit != amount:
        raise ValueError(f"{amount} is not a whole number of {unit}")
    # exact fractions: Decimal division rounds at 28 digits, which could hand out one unit too many
    exact = {k: units * Fraction(Decimal(w)) / Fraction(total) for k, w in weights.items()}
    whole = {k: math.floor(v) for k, v in exact.items()}
    left = units - sum(whole.values())
    order = sorted(exact, key=lambda k: (-(exact[k] - whole[k]), str(k)))
    for k in order[:left]:
        whole[k] += 1
    return {k: whole[k] * unit for k in weights}


@dataclass
class Distribution:
    """One line charge in one month: the shares per person and per cost centre (each sums to the charge)."""
    charge: LineChargeDef
    month: str
    by_person: dict[str, Decimal] = field(default_factory=dict)      # subscriber (external id or ext:NNN)
    by_cost_centre: dict[str, Decimal] = field(default_factory=dict)  # "" for people without one
    unallocated: Decimal = ZERO                                        # no use of the line that month

    def as_dict(self) -> dict:
        c = self.charge
        return {"trunk": c.trunk, "description": c.description, "month": self.month, "amount": str(c.amount),
                "currency": c.currency, "basis": c.basis, "unallocated": str(self.unallocated),
                "by_person": {k: str(v) for k, v in self.by_person.items()},
                "by_cost_centre": {k: str(v) for k, v in self.by_cost_centre.items()}}


def _sum_by(shares: dict, pos: int) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for key, v in shares.items():
        out[key[pos]] = out.get(key[pos], ZERO) + v
    return dict(sorted(out.items()))


def month_distribution(site: Site, period: Period) -> list[Distribution]:
    """Every line charge in force in the month `period` (a Period of kind month), distributed by use."""
    if period.kind != "month":
        raise BillingError(f"line charges are monthly: {period.label} is not a calendar month")
    charges = store_billing.line_charges(site.tenant_id, period.label)
    if not charges:
        return []
    calls = [u for u in usage(site, period.since, period.until) if u.charged]
    out = []
    for c in charges:
        weights: dict[tuple[str, str], Decimal] = {}
        for u in calls:
            if u.trunk.strip() == c.trunk:
                w = (u.cost or ZERO) if c.basis == "cost" else Decimal(u.talk_s)
                key = (u.subscriber, (u.person.cost_centre or "") if u.person else "")
                weights[key] = weights.get(key, ZERO) + w
        d = Distribution(c, period.label)
        if sum(weights.values(), ZERO) > 0:
            shares = distribute(c.amount, {k: w for k, w in weights.items() if w > 0})
            d.by_person, d.by_cost_centre = _sum_by(shares, 0), _sum_by(shares, 1)
        else:
            d.unallocated = c.amount
        out.append(d)
    return out


def subscriber_shares(site: Site, period: Period, subscriber: str) -> list[dict]:
    """The subscriber's share of each line charge in the month (for their bill)."""
    return [{"trunk": d.charge.trunk, "description": d.charge.description, "basis": d.charge.basis,
             "amount": d.charge.amount, "share": d.by_person[subscriber]}
            for d in month_distribution(site, period) if subscriber in d.by_person]


def _row(row: dict, where: str) -> dict:
    r = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
    if not r["trunk"]:
        raise BillingError(f"{where}: trunk is empty (the trunk or line as the PBX prints it)")
    try:
        amount = Decimal(r["amount"])
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0:
        raise BillingError(f"{where}: amount {r['amount']!r} is not a positive number (use a dot: 120.50)")
    if not re.fullmatch(r"[A-Z]{3}", r["currency"]):
        raise BillingError(f"{where}: currency {r['currency']!r} is not a 3-letter code (TRY, EUR, CZK)")
    r["basis"] = r["basis"] or "cost"
    if r["basis"] not in BASES:
        raise BillingError(f"{where}: basis {r['basis']!r} is not one of {', '.join(BASES)}")
    for k in ("valid_from", "valid_to"):
        if r[k] and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", r[k]):
            raise BillingError(f"{where}: {k} {r[k]!r} is not a month (YYYY-MM)")
    r["amount"] = amount
    return r


def read_csv(text: str, name: str) -> list[dict]:
    """Line charge rows from the CSV layout of provisioning/billing/README.md; errors name the line."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("trunk", "amount", "currency") if c not in (reader.fieldnames or [])]
    if missing:
        raise BillingError(f"{name} line 1: missing column(s) {', '.join(missing)}; the header is "
                           f"{','.join(CSV_COLUMNS)}")
    return [_row(row, f"{name} line {reader.line_num}") for row in reader if any((v or "").strip()
                                                                                 for v in row.values())]
