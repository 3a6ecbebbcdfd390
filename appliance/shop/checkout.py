"""The checkout (SHOP-1): the selected calls of the open session and additional items ([shop] items) paid together,
the total rounded up to [shop] round_to, the amount given and the change due, kept as a payment (ShopPayment) that
the receipt prints (appliance/pdf/receipt.py) and the session's closing cash counts.

The calls are marked paid by sessions.pay in the same IMMEDIATE transaction as the payment row: both or neither."""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from appliance.pricing.rules import minor_unit
from appliance.shop import deposits, sessions
from appliance.shop.booths import Seller, Shop, round_total
from appliance.shop.sessions import ShopError
from appliance.store.base import IMMEDIATE
from appliance.store.shop import ShopPayment, ShopSession

log = logging.getLogger(__name__)
ZERO = Decimal(0)
MAX_QTY = 100


@dataclass(frozen=True)
class Bill:
    """What a checkout comes to: the calls' charges, the items' total, the amount to take (rounded)."""
    charges: Decimal
    items: list[dict[str, str | int]]
    items_total: Decimal
    to_take: Decimal
    currency: str


def bill(shop: Shop, calls: list[sessions.BoothCall], quantities: dict[str, int], currency: str) -> Bill:
    """The bill of these calls (unpaid, priced) and these item quantities; ShopError for an unknown item or a bad
    quantity."""
    prices = dict(shop.items)
    items: list[dict[str, str | int]] = []
    amounts = ZERO
    for name, qty in quantities.items():
        if not qty:
            continue
        if name not in prices:
            raise ShopError(f"no item {name!r} in [shop] items")
        if not 0 < qty <= MAX_QTY:
            raise ShopError(f"{name}: a quantity from 1 to {MAX_QTY}, not {qty}")
        items.append({"name": name, "qty": qty, "price": str(prices[name]), "amount": str(prices[name] * qty)})
        amounts += prices[name] * qty
    charges = sum((c.sell or ZERO for c in calls), ZERO)
    return Bill(charges, items, amounts, round_total(charges + amounts, shop.round_to), currency)


def pay(session_id: int, call_ids: list[int], quantities: dict[str, int], given: Decimal, shop: Shop, seller: Seller,
        operator: str, now: int | None = None) -> ShopPayment:
    """Pay the calls and the items: refused (ShopError, with the reason) as sessions.pay refuses, for nothing to pay,
    or when `given` is less than the amount to take."""
    with ShopSession._meta.database.atomic(IMMEDIATE):
        session = sessions.get_session(session_id)
        if session.closed_utc is not None:
            raise ShopError(f"session {session.id} is closed: nothing more can be paid in it")
        chosen = [c for c in sessions.session_calls(session, shop, seller) if c.id in set(call_ids)]
        currency = seller.currency or session.currency
        b = bill(shop, [c for c in chosen if c.status != "paid"], quantities, currency)
        if not call_ids and not b.items:
            raise ShopError("choose calls or items to pay")
        held = deposits.held(session.id)
        booths_paid = {c.extension for c in chosen if c.extension in held}
        credit = sum((held[x] for x in booths_paid), ZERO)     # the deposits left count as given
        if given + credit < b.to_take:
            raise ShopError(f"the amount paid {given} is less than the amount to take {b.to_take - credit} {currency}")
        if call_ids:
            sessions.pay(session.id, call_ids, shop, seller)     # refuses another session's or a paid call
        change = given + credit - b.to_take
        if currency:
            change = change.quantize(minor_unit(currency))
        calls = [{"id": c.id, "booth": c.booth, "number": c.number, "destination": c.destination,
                  "talk_s": c.talk_s, "sell": str(c.sell)} for c in chosen]
        paid = ShopPayment.create(session=session.id, paid_utc=int(time.time() if now is None else now),
                                  operator=operator, calls=json.dumps(calls, ensure_ascii=False),
                                  items=json.dumps(b.items, ensure_ascii=False), charges=str(b.charges),
                                  items_total=str(b.items_total), to_take=str(b.to_take), given=str(given),
                                  change=str(change), currency=currency, deposit=str(credit))
        if booths_paid:
            deposits.settle(session.id, booths_paid, paid.id)
        return paid


def payment(pid: int) -> ShopPayment | None:
    return ShopPayment.get_or_none(ShopPayment.id == pid)


def as_json(p: ShopPayment) -> dict:
    return {"payment": p.id, "session": p.session.id, "paid_utc": p.paid_utc, "operator": p.operator,
            "calls": json.loads(p.calls), "items": json.loads(p.items), "charges": p.charges,
            "items_total": p.items_total, "to_take": p.to_take, "deposit": p.deposit, "given": p.given,
            "change": p.change, "currency": p.currency}
