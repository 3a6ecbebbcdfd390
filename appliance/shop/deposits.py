"""Prepaid deposits per booth (SHOP-1): a customer leaves an amount before calling; the booth's running balance is the
deposit less its unpaid calls and the call going on, and the cashier page warns when the call would exceed it (it has,
or one more minute at its price would). A checkout of the booth's calls settles the deposit: it counts as given."""
from __future__ import annotations

import logging
import time
from decimal import Decimal

from appliance.money import parse_money
from appliance.shop.booths import Shop
from appliance.shop.sessions import ShopError, get_session
from appliance.store.base import IMMEDIATE
from appliance.store.shop import ShopDeposit

log = logging.getLogger(__name__)
ZERO = Decimal(0)
LIMIT = Decimal(10) ** 9


def add(session_id: int, shop: Shop, booth: str, amount: str, now: int | None = None) -> ShopDeposit:
    """Record a deposit for `booth` in the open session `session_id`; ShopError with the reason."""
    try:
        value = parse_money(amount)
        if value <= 0 or value >= LIMIT:
            raise ValueError
    except ValueError:
        raise ShopError(f"deposit {amount!r}: an amount more than 0, like 20 or 12.50") from None
    if booth not in shop.booths:
        raise ShopError(f"{booth or 'no extension'} is not a booth ([shop] booths)")
    with ShopDeposit._meta.database.atomic(IMMEDIATE):
        session = get_session(session_id)
        if session.closed_utc is not None:
            raise ShopError(f"session {session.id} is closed")
        row = ShopDeposit.create(session=session.id, booth=booth, amount=str(value),
                                 at_utc=int(time.time() if now is None else now))
    log.info("shop: session %s: deposit %s for booth %s", session_id, value, booth)
    return row


def held(session_id: int) -> dict[str, Decimal]:
    """Booth -> the deposits of the session not settled yet."""
    out: dict[str, Decimal] = {}
    for d in ShopDeposit.select().where(ShopDeposit.session == session_id, ShopDeposit.settled_by.is_null()):
        out[d.booth] = out.get(d.booth, ZERO) + Decimal(d.amount)
    return out


def settle(session_id: int, booths: set[str], payment_id: int) -> None:
    """Mark the booths' held deposits as used by the payment (inside its transaction)."""
    ShopDeposit.update(settled_by=payment_id).where(ShopDeposit.session == session_id, ShopDeposit.booth.in_(booths),
                                                    ShopDeposit.settled_by.is_null()).execute()
