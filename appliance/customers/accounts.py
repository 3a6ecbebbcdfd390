"""A customer's account (RAT-11): prepaid (top-ups; each call debits its sell price; the balance after each call;
low-balance and exhausted warnings) or postpaid (what they owe is invoiced after the period).

The prepaid balance is computed, never stored: the top-ups less the sell price of every call that started at or
after the first top-up, so a corrected price list or a late call record gives the right balance at once. The box
sees a call when its record arrives, after the call: it warns, it cannot refuse a call at zero (that needs the PBX's
own credit control)."""
from __future__ import annotations

import logging
import time
from decimal import Decimal

from appliance.customers.customers import LIMIT, CustomerError, Pricer, calls_of
from appliance.pricing.rules import parse_money
from appliance.store.base import IMMEDIATE
from appliance.store.calls import local_iso
from appliance.store.customers import Customer, CustomerTopUp

log = logging.getLogger(__name__)
ZERO = Decimal(0)
FAR = 2 ** 62


def top_up(customer: Customer, amount: str | Decimal, at_utc: int | None = None, note: str = "") -> CustomerTopUp:
    """Record a payment into a prepaid customer's account (in the customer's currency)."""
    if customer.account != "prepaid":
        raise CustomerError(f"customer {customer.code} is postpaid: a top-up is for a prepaid account")
    try:
        value = parse_money(str(amount))   # digits and a dot: no exponent, no sign, no NaN
        if value <= 0 or value >= LIMIT:
            raise ValueError
    except ValueError:
        raise CustomerError(f"a top-up is an amount more than 0, like 50.00, not {amount!r}") from None
    with CustomerTopUp._meta.database.atomic(IMMEDIATE):
        return CustomerTopUp.create(customer=customer.id, at_utc=int(time.time()) if at_utc is None else at_utc,
                                    amount=str(value), note=" ".join(note.split()))


def statement(customer: Customer, until: int | None = None, pricer: Pricer | None = None) -> dict:
    """The prepaid account as of `until` (default now): every top-up and call in time order with the balance after
    it, the totals, and `low` (below the customer's threshold) and `exhausted` (at or below zero)."""
    until = int(time.time()) + 1 if until is None else until
    ups = list(CustomerTopUp.select().where(CustomerTopUp.customer == customer.id, CustomerTopUp.at_utc < until)
               .order_by(CustomerTopUp.at_utc, CustomerTopUp.id))
    pricer = pricer or Pricer(customer)
    entries: list[tuple[int, int, dict]] = [
        (u.at_utc, 0, {"kind": "topup", "at": local_iso(u.at_utc, 0), "amount": Decimal(u.amount), "note": u.note})
        for u in ups]
    unpriced = []
    if ups:
        for c in calls_of(customer, ups[0].at_utc, until, pricer):
            if c.sell is None:
                unpriced.append({"id": c.id, "problem": c.problem})
                continue
            entries.append((c.start_utc, 1, {"kind": "call", "at": c.start, "id": c.id, "number": c.number,
                                             "destination": c.destination, "talk_s": c.talk_s, "amount": -c.sell}))
    balance, lines = ZERO, []
    for _at, _order, e in sorted(entries, key=lambda t: (t[0], t[1])):
        balance += e["amount"]
        lines.append({**e, "amount": str(e["amount"]), "balance": str(balance)})
    topups = sum((Decimal(u.amount) for u in ups), ZERO)
    low = Decimal(customer.low_balance)
    return {"customer": customer.code, "account": customer.account, "currency": pricer.currency,
            "topups": str(topups), "spent": str(topups - balance), "balance": str(balance),
            "low": bool(ups) and balance < low, "exhausted": bool(ups) and balance <= 0,
            "low_balance": str(low), "lines": lines, "unpriced": unpriced}
