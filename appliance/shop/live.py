"""Each booth's state now (SHOP-1): free, dialling, in a call (with the running time and the running sell price), or
to pay; and its "in use by" mark.

Live from the PBX where it reports channels (Asterisk over AMI: appliance/ami/channels.py): a booth is "dialling" as
soon as its channel appears and "talking" from the moment it is answered, with the time since and the sell price of
that many seconds of the number dialled (in E.164 by the numbering module). Otherwise the box learns of a call from
its record: a record whose call has not ended yet by the box's clock makes the booth "talking" from the call's start;
a PBX that reports at the end (most SMDR) shows the booth "to pay" when the record arrives.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Callable

from appliance.ami.channels import Channel
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
    in_use_by: str = ""
    live: bool = False          # from the PBX's channels (AMI), not from a record
    deposit: Decimal | None = None    # the booth's prepaid deposit held (None: none)
    balance: Decimal | None = None    # deposit - unpaid calls - the call going on
    warning: str = ""                 # "low": one more minute would exceed the deposit; "exceeded"

    def as_json(self) -> dict:
        money = (lambda v: None if v is None else str(v))   # noqa: E731
        return {"booth": self.extension, "name": self.name, "state": self.state, "call": self.call_id,
                "number": self.number, "since_utc": self.since_utc, "running_s": self.running_s,
                "running_sell": money(self.running_sell), "currency": self.currency, "unpaid": self.unpaid,
                "in_use_by": self.in_use_by, "live": self.live, "deposit": money(self.deposit),
                "balance": money(self.balance), "warning": self.warning}


def _with_deposit(b: BoothState, deposit: Decimal, owed: Decimal, seller: Seller, utc_offset: int) -> BoothState:
    """The booth's running balance against its deposit, and the warning when the call would exceed it."""
    running = (b.running_sell or Decimal(0)) if b.state == "talking" else Decimal(0)
    balance = deposit - owed - running
    warning = "exceeded" if balance < 0 else ""
    if not warning and b.state == "talking" and b.since_utc is not None:
        try:
            later = seller.sell(b.number, b.running_s + 60, b.since_utc, utc_offset).sell
            warning = "low" if later - running > balance else ""
        except PriceError:
            pass
    return replace(b, deposit=deposit, balance=balance, warning=warning)


def _from_channel(ext: str, name: str, ch: Channel, seller: Seller, now: float, unpaid: int, to_e164, offset: int,
                  who: str) -> BoothState:
    number = to_e164(ch.number) if ch.number else ""
    if not ch.answered:
        return BoothState(ext, name, "dialling", None, number, int(ch.created), currency=seller.currency,
                          unpaid=unpaid, in_use_by=who, live=True)
    running = max(0, int(now - ch.answered))
    try:
        price = seller.sell(number, running, int(ch.answered), offset)
        sell, currency = price.sell, price.currency
    except PriceError:
        sell, currency = None, seller.currency
    return BoothState(ext, name, "talking", None, number, int(ch.answered), running, sell, currency, unpaid, who, True)


def booth_states(shop: Shop, seller: Seller, calls: list[BoothCall], now: int,
                 channels: dict[str, Channel] | None = None, to_e164: Callable[[str], str] = str,
                 utc_offset: int = 0, in_use: dict[str, str] | None = None,
                 deposits: dict[str, Decimal] | None = None) -> list[BoothState]:
    """Every booth of `shop` in its order, from the open session's `calls` (sessions.session_calls) at `now`, and
    when the PBX reports live (`channels`: extension -> its channel now, None without a live link) from that; with
    `deposits` (booth -> held), each booth's running balance and warning."""
    out = []
    deposits = deposits or {}
    in_use = in_use or {}
    for ext, name in shop.booths.items():
        mine = [c for c in calls if c.extension == ext]
        unpaid = sum(1 for c in mine if c.status == "unpaid")
        who = in_use.get(ext, "")
        going = [c for c in mine if c.start_utc <= now < c.start_utc + c.talk_s]
        if channels is not None and ext in channels:
            out.append(_from_channel(ext, name, channels[ext], seller, now, unpaid, to_e164, utc_offset, who))
        elif going:
            c = max(going, key=lambda c: c.start_utc)
            running = now - c.start_utc
            try:
                price = seller.sell(c.number, running, c.start_utc, _offset(c))
                sell, currency = price.sell, price.currency
            except PriceError:
                sell, currency = None, seller.currency
            out.append(BoothState(ext, name, "talking", c.id, c.number, c.start_utc, running, sell, currency, unpaid,
                                  who))
        else:
            out.append(BoothState(ext, name, "to_pay" if unpaid else "free", unpaid=unpaid, currency=seller.currency,
                                  in_use_by=who))
        if ext in deposits:
            owed = sum((c.sell or Decimal(0) for c in mine if c.status == "unpaid" and c not in going), Decimal(0))
            out[-1] = _with_deposit(out[-1], deposits[ext], owed, seller, utc_offset)
    return out


def _offset(c: BoothCall) -> int:
    """The call's UTC offset, from its local ISO start (…+03:00)."""
    delta = datetime.fromisoformat(c.start).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0
