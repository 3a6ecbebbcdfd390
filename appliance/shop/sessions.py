"""The cashier's sessions (SHOP-1, SHOP-2): open, the booth calls that belong to one, pay / unserved / unpaid, close
with the closing figures, the list by period.

A booth call (outgoing, from a [shop] booths extension) belongs to the session that was open when it started; one
session is open at a time, so a call belongs to at most one. Statuses change while the session is open; closing
freezes every call's status and sell price (a later price list does not change a closed session's figures).
Writes go through the tables' own database (the web binds them to its writable connection) in one IMMEDIATE
transaction each: a read of the session and its calls, then the write.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peewee import fn

from appliance.pricing.rules import PriceError
from appliance.shop.booths import Seller, Shop
from appliance.store.base import IMMEDIATE
from appliance.store.calls import Call, local_iso
from appliance.store.shop import STATUSES, ShopCall, ShopPayment, ShopSession

log = logging.getLogger(__name__)
ZERO = Decimal(0)


class ShopError(ValueError):
    """A refused cashier action, with the reason (session closed, a call of another session, already paid)."""


@dataclass(frozen=True)
class BoothCall:
    """A booth call of a session, with its sell price (None: not priceable, `problem` says why) and status."""
    id: int
    booth: str
    extension: str
    number: str
    destination: str
    start: str                   # local ISO time with offset
    start_utc: int
    talk_s: int
    sell: Decimal | None
    currency: str
    status: str
    problem: str = ""

    def as_json(self) -> dict:
        return {"id": self.id, "booth": self.booth, "number": self.number, "destination": self.destination,
                "talk_s": self.talk_s, "sell": None if self.sell is None else str(self.sell),
                "currency": self.currency, "status": self.status, "start": self.start}


def _db():
    return ShopSession._meta.database


def get_session(session_id: int) -> ShopSession:
    found = ShopSession.get_or_none(ShopSession.id == session_id)
    if found is None:
        raise ShopError(f"no session {session_id}")
    return found


def open_session(shop: Shop, seller: Seller, operator: str, now: int | None = None) -> ShopSession:
    """Open a session for `operator`; refused while another is open (a booth call belongs to one session)."""
    if not shop.booths:
        raise ShopError("no booths: list them in [shop] booths (EXTENSION = NAME, one per line)")
    if not operator.strip():
        raise ShopError("a session needs its operator's name")
    with _db().atomic(IMMEDIATE):
        other = ShopSession.get_or_none(ShopSession.closed_utc.is_null())
        if other is not None:
            raise ShopError(f"session {other.id} of {other.operator} is open since "
                            f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(other.opened_utc))} UTC: close it first")
        last = ShopSession.select(fn.MAX(ShopSession.closed_utc)).scalar()
        opened = max(int(time.time() if now is None else now), (last or 0) + 1)   # a call belongs to one session
        return ShopSession.create(operator=operator.strip(), opened_utc=opened,
                                  price_list=seller.price_list.code if seller.price_list else "",
                                  currency=seller.currency)


def open_now() -> ShopSession | None:
    """The open session, if any."""
    return ShopSession.get_or_none(ShopSession.closed_utc.is_null())


def _calls_in(session: ShopSession, shop: Shop) -> list[Call]:
    q = Call.select().where(Call.direction == "out", fn.TRIM(Call.extension).in_(list(shop.booths)),
                            Call.start_utc >= session.opened_utc)
    if session.closed_utc is not None:
        q = q.where(Call.start_utc <= session.closed_utc)   # whole seconds: the next one opens a second later
    return list(q.order_by(Call.start_utc, Call.id))


def session_calls(session: ShopSession, shop: Shop, seller: Seller) -> list[BoothCall]:
    """The session's booth calls, oldest first: status and sell as frozen at closing, else priced now."""
    marks = {m.call_id: m for m in ShopCall.select().where(ShopCall.session == session.id)}
    out = []
    for c in _calls_in(session, shop):
        mark = marks.get(c.id)
        sell, currency, destination, problem = None, seller.currency, "", ""
        try:
            price = seller.sell(c.number, c.talk_s, c.start_utc, c.utc_offset)
            sell, currency, destination = price.sell, price.currency, price.destination
        except PriceError as e:
            problem = str(e)
        if mark is not None and (session.closed_utc is not None or mark.status == "paid"):
            sell = None if mark.sell is None else Decimal(mark.sell)   # as charged
            currency = mark.currency or currency
        ext = c.extension.strip()
        out.append(BoothCall(c.id, shop.booths.get(ext, ext), ext, c.number, destination,
                             local_iso(c.start_utc, c.utc_offset), c.start_utc, c.talk_s, sell, currency,
                             mark.status if mark else "unpaid", problem))
    return out


def _selected(session: ShopSession, shop: Shop, seller: Seller, call_ids: list[int]) -> list[BoothCall]:
    if session.closed_utc is not None:
        raise ShopError(f"session {session.id} is closed: its calls cannot change")
    if not call_ids:
        raise ShopError("no calls given")
    mine = {c.id: c for c in session_calls(session, shop, seller)}
    chosen = []
    for cid in dict.fromkeys(call_ids):
        if cid not in mine:
            other = ShopCall.get_or_none(ShopCall.call_id == cid)
            raise ShopError(f"call {cid} is not a call of session {session.id}"
                            + (f": it belongs to session {other.session.id}" if other else ""))
        chosen.append(mine[cid])
    return chosen


def _mark(session: ShopSession, call: BoothCall, status: str, now: int) -> None:
    ShopCall.insert(session=session.id, call_id=call.id, status=status,
                    sell=None if call.sell is None else str(call.sell), currency=call.currency,
                    changed_utc=now).on_conflict(
        conflict_target=[ShopCall.call_id],
        update={ShopCall.status: status, ShopCall.sell: None if call.sell is None else str(call.sell),
                ShopCall.currency: call.currency, ShopCall.changed_utc: now}).execute()


def pay(session_id: int, call_ids: list[int], shop: Shop, seller: Seller) -> tuple[list[int], Decimal, str]:
    """Mark the calls paid at their sell price: (their ids, the total, the currency). Refused as a whole, with the
    reason, when the session is closed or a call is another session's, already paid or has no price."""
    with _db().atomic(IMMEDIATE):
        session = get_session(session_id)
        chosen = _selected(session, shop, seller, call_ids)
        for c in chosen:
            if c.status == "paid":
                raise ShopError(f"call {c.id} is already paid ({c.sell} {c.currency})")
            if c.sell is None:
                raise ShopError(f"call {c.id} has no sell price: {c.problem}")
        now = int(time.time())
        for c in chosen:
            _mark(session, c, "paid", now)
        return [c.id for c in chosen], sum((c.sell or ZERO for c in chosen), ZERO), seller.currency


def set_status(session_id: int, call_ids: list[int], status: str, shop: Shop, seller: Seller) -> list[int]:
    """Mark the calls unserved (a failed call: no charge) or unpaid again, while the session is open."""
    if status not in STATUSES or status == "paid":
        raise ShopError(f"status {status!r}: unserved or unpaid (pay takes the money)")
    with _db().atomic(IMMEDIATE):
        session = get_session(session_id)
        chosen = _selected(session, shop, seller, call_ids)
        now = int(time.time())
        for c in chosen:
            _mark(session, c, status, now)
        return [c.id for c in chosen]


def figures(calls: list[BoothCall]) -> dict:
    """The closing figures of these calls: count, talk minutes, cash (paid sell), unpaid and unserved counts."""
    talk = sum(c.talk_s for c in calls)
    return {"calls": len(calls),
            "minutes": (Decimal(talk) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP),
            "cash": sum((c.sell or ZERO for c in calls if c.status == "paid"), ZERO),
            "unpaid": sum(c.status == "unpaid" for c in calls),
            "unserved": sum(c.status == "unserved" for c in calls)}


def close(session_id: int, shop: Shop, seller: Seller, now: int | None = None) -> dict:
    """Close the session: every call's status and sell price frozen, the figures stored; refused if closed."""
    with _db().atomic(IMMEDIATE):
        session = get_session(session_id)
        if session.closed_utc is not None:
            raise ShopError(f"session {session.id} is already closed (at "
                            f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(session.closed_utc))} UTC)")
        session.closed_utc = int(time.time() if now is None else now)
        calls = session_calls(session, shop, seller)
        for c in calls:
            if c.status != "paid":
                _mark(session, c, c.status, session.closed_utc)
        f = figures(calls)
        f["cash"] += items_sold(session.id)     # the calls paid and the additional items sold at the checkout
        currency = seller.currency or session.currency
        ShopSession.update(closed_utc=session.closed_utc, calls=f["calls"], minutes=str(f["minutes"]),
                           cash=str(f["cash"]), unpaid=f["unpaid"], unserved=f["unserved"],
                           currency=currency).where(ShopSession.id == session.id).execute()
        return {"session": session.id, **{k: str(v) if isinstance(v, Decimal) else v for k, v in f.items()},
                "currency": currency}


def items_sold(session_id: int) -> Decimal:
    """The additional items' total of the session's payments (appliance/shop/checkout.py)."""
    return sum((Decimal(p.items_total) for p in ShopPayment.select(ShopPayment.items_total)
                .where(ShopPayment.session == session_id)), ZERO)


def closing_report(session: ShopSession) -> dict:
    """A closed session's stored figures (JSON-ready), or None values while it is open."""
    return {"session": session.id, "operator": session.operator, "opened": local_iso(session.opened_utc, 0),
            "closed": None if session.closed_utc is None else local_iso(session.closed_utc, 0),
            "calls": session.calls, "minutes": session.minutes, "cash": session.cash, "unpaid": session.unpaid,
            "unserved": session.unserved, "currency": session.currency}


def sessions(since: int | None = None, until: int | None = None) -> list[ShopSession]:
    """Sessions opened in [since, until), newest first."""
    q = ShopSession.select()
    if since is not None:
        q = q.where(ShopSession.opened_utc >= since)
    if until is not None:
        q = q.where(ShopSession.opened_utc < until)
    return list(q.order_by(ShopSession.opened_utc.desc(), ShopSession.id.desc()))
