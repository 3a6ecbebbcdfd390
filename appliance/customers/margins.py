"""Fixed-price contracts (RAT-12): a customer's flat monthly fee against the buy cost of their calls (what the
provider charges: the price list's buy prices, converted to the customer's currency at the call's date, rounded up
per call), the margin per customer and month, flagged when negative."""
from __future__ import annotations

import logging
from decimal import Decimal

from appliance.customers.customers import Pricer, calls_of, local_day
from appliance.pricing.rules import PriceError
from appliance.store.customers import Customer

log = logging.getLogger(__name__)
ZERO = Decimal(0)


def margin(customer: Customer, since: int, until: int, pricer: Pricer | None = None) -> dict:
    """The contract's month [since, until): fee, buy cost and sell value of the calls, margin = fee - buy cost."""
    pricer = pricer or Pricer(customer)
    buy, sell, unpriced, n = ZERO, ZERO, [], 0
    for c in calls_of(customer, since, until, pricer):
        try:
            buy += pricer.buy(c.number, c.talk_s, local_day(c.start_utc, c.utc_offset))
        except PriceError as e:
            unpriced.append({"id": c.id, "problem": str(e)})
            continue
        sell += c.sell or ZERO
        n += 1
    fee = Decimal(customer.monthly_fee or "0")
    return {"customer": customer.code, "name": customer.name, "currency": pricer.currency,
            "fee": str(fee), "calls": n, "buy": str(buy), "sell": str(sell), "margin": str(fee - buy),
            "negative": fee - buy < 0, "unpriced": unpriced}


def margins(since: int, until: int) -> list[dict]:
    """Every customer with a fixed-price contract, by code."""
    contracts = Customer.select().where(Customer.monthly_fee != "").order_by(Customer.code)
    return [margin(c, since, until) for c in contracts]
