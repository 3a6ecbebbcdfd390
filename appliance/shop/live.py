"""Each booth's state now (SHOP-1): free, in a call (with the running time and the running sell price), or to pay.

As far as the box can know: it learns of a call from its record. A PBX that reports a call when it starts (or any
record whose call has not ended yet by the box's clock) makes the booth "talking" from then, with the time since the
call started and the sell price of that many seconds so far; a PBX that reports at the end (most SMDR) shows the
booth "to pay" when the record arrives. Live channel state from the PBX (Asterisk AMI) is the operator-panel issue's.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from appliance.pricing.rules import PriceError
from appliance.shop.booths import Seller, Shop
from appliance.shop.sessions import BoothCall

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoothState:
    """One booth now: `state` free | talking | to_pay; while talking, the call, its start, the seconds so far and
    their sell price (None: not priceable)."""
    extension: str
    name: str
    state: str
    call_id: int | None = None
    number: str = ""
    since_utc: int | None = None
    running_s: int = 0
    running_sell: Decimal | None = None
    currency: str = ""
    unpaid: int = 0

    def as_json(self) -> dict:
        return {"booth": self.extension, "name": self.name, "state": self.state, "call": self.call_id,
                "number": self.number, "since_utc": self.since_utc, "running_s": self.running_s,
                "running_sell": None if self.running_sell is None else str(self.running_sell),
                "currency": self.currency, "unpaid": self.unpaid}


def booth_states(shop: Shop, seller: Seller, calls: list[BoothCall], now: int) -> list[BoothState]:
    """Every booth of `shop` in its order, from the open session's `calls` (sessions.session_calls) at `now`."""
    out = []
    for ext, name in shop.booths.items():
        mine = [c for c in calls if c.extension == ext]
        unpaid = sum(1 for c in mine if c.status == "unpaid")
        going = [c for c in mine if c.start_utc <= now < c.start_utc + c.talk_s]
        if going:
            c = max(going, key=lambda c: c.start_utc)
            running = now - c.start_utc
            try:
                price = seller.sell(c.number, running, c.start_utc, _offset(c))
                sell, currency = price.sell, price.currency
            except PriceError:
                sell, currency = None, seller.currency
            out.append(BoothState(ext, name, "talking", c.id, c.number, c.start_utc, running, sell, currency, unpaid))
        else:
            out.append(BoothState(ext, name, "to_pay" if unpaid else "free", unpaid=unpaid, currency=seller.currency))
    return out


def _offset(c: BoothCall) -> int:
    """The call's UTC offset, from its local ISO start (…+03:00)."""
    delta = datetime.fromisoformat(c.start).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0
