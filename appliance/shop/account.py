"""The shop's prepaid account with its provider (SHOP-4): top-ups over time, and the balance: the top-ups less the
buy cost of the booth calls since the first top-up, at the price list's buy prices (what the provider charges the
shop), each call rounded up to the account currency's minor unit.

The account has one currency, the first top-up's; a buy price in another currency is converted at the exchange rate
of the call's local date (callbox pricelist rate)."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from peewee import fn

from appliance.pricing.rules import PriceError
from appliance.shop.booths import Seller, Shop
from appliance.store.base import IMMEDIATE
from appliance.store.calls import Call
from appliance.store.shop import ShopTopUp

log = logging.getLogger(__name__)
ZERO = Decimal(0)


class AccountError(ValueError):
    """A refused top-up (wrong currency, not more than 0) or an account that cannot be worked out."""


def currency() -> str:
    """The account's currency: its first top-up's ("" before any)."""
    first = ShopTopUp.select(ShopTopUp.currency).order_by(ShopTopUp.at_utc, ShopTopUp.id).first()
    return first.currency if first else ""


def top_up(amount: Decimal, code: str, at_utc: int | None = None, note: str = "") -> ShopTopUp:
    """Record a top-up of the provider account."""
    if amount <= 0:
        raise AccountError(f"a top-up is more than 0, not {amount}")
    with ShopTopUp._meta.database.atomic(IMMEDIATE):
        have = currency()
        if have and code != have:
            raise AccountError(f"the account is in {have}: top it up in {have}, not {code}")
        return ShopTopUp.create(at_utc=int(time.time()) if at_utc is None else at_utc, amount=str(amount),
                                currency=code, note=note.strip())


def _day(start_utc: int, utc_offset: int) -> str:
    return datetime.fromtimestamp(start_utc, timezone(timedelta(seconds=utc_offset))).date().isoformat()


def statement(shop: Shop, seller: Seller, until: int | None = None) -> dict:
    """Top-ups, spent (buy cost of booth calls since the first top-up), balance, and a line per day with either."""
    ups = list(ShopTopUp.select().order_by(ShopTopUp.at_utc, ShopTopUp.id))
    code = ups[0].currency if ups else ""
    days: dict[str, list[Decimal]] = {}
    if until is not None:
        ups = [u for u in ups if u.at_utc < until]
    for u in ups:
        days.setdefault(_day(u.at_utc, 0), [ZERO, ZERO])[0] += Decimal(u.amount)
    calls, unpriced = 0, []
    if ups and seller.price_list is not None:
        q = Call.select().where(Call.direction == "out", fn.TRIM(Call.extension).in_(list(shop.booths)),
                                Call.start_utc >= ups[0].at_utc, Call.talk_s > 0)
        if until is not None:
            q = q.where(Call.start_utc < until)
        for c in q.order_by(Call.start_utc, Call.id):
            try:
                cost = seller.buy(c.number, c.talk_s, c.start_utc, c.utc_offset, code)
            except PriceError as e:
                unpriced.append({"id": c.id, "problem": str(e)})
                continue
            days.setdefault(_day(c.start_utc, c.utc_offset), [ZERO, ZERO])[1] += cost
            calls += 1
    topups = sum((d[0] for d in days.values()), ZERO)
    spent = sum((d[1] for d in days.values()), ZERO)
    running, history = ZERO, []
    for day in sorted(days):
        running += days[day][0] - days[day][1]
        history.append({"date": day, "topups": str(days[day][0]), "spent": str(days[day][1]),
                        "balance": str(running)})
    return {"currency": code, "topups": str(topups), "spent": str(spent), "balance": str(topups - spent),
            "calls": calls, "unpriced": unpriced, "days": history}
