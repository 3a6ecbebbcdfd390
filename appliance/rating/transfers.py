"""Who pays a transferred call (RAT-4): the one rule that bills, every report, the home page and exports apply.

[rating] transfer_charge = first: the extension that made the call pays (its stored extension).
[rating] transfer_charge = target: a call of several legs is priced once, as the whole conversation, and charged
to the extension of its last leg that names one (legs in PBX order); the transferring person keeps ring and talk
time, without cost. Billing (appliance/billing/usage.py) lists such a call on both lines; reports
(appliance/reports/engine.py, search.py) move its cost, and only its cost, to the target's row.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from appliance import store

log = logging.getLogger(__name__)
TRANSFER_CHARGES = ("first", "target")


def rule(cfg) -> str:
    """The configured rule, "first" or "target" ([rating] transfer_charge, checked by the settings table)."""
    return cfg.section("rating").transfer_charge


def targets(call_ids: list[int]) -> dict[int, str]:
    """The extension of each call's last leg that names one (IP Office segments by id: PBX order)."""
    out = {}
    for call_id, legs in store.legs_of(call_ids).items():
        last = next((leg.extension.strip() for leg in reversed(legs) if leg.extension.strip()), "")
        if last:
            out[call_id] = last
    return out


@dataclass(frozen=True, slots=True)
class Moved:
    """A priced outgoing call whose cost goes to another extension than the one that made it."""
    call_id: int
    start_utc: int
    tenant: str
    extension: str                     # the call's own (first) extension, trimmed
    target: str                        # the extension that pays
    cost: Decimal
    currency: str


def moved(charge: str, since: int | None, until: int | None, tenant_in: tuple[str, ...] | None = None
          ) -> list[Moved]:
    """The calls with start in [since, until) that `charge` makes another extension pay for (none for "first")."""
    if charge != "target":
        return []
    C = store.Call
    q = C.select(C.id, C.start_utc, C.tenant, C.extension, C.cost, C.currency).where(
        C.direction == "out", C.legs > 1, C.cost.is_null(False), C.cost != "")
    if since is not None:
        q = q.where(C.start_utc >= since)
    if until is not None:
        q = q.where(C.start_utc < until)
    if tenant_in is not None:
        q = q.where(C.tenant.in_(tenant_in))
    rows: list[tuple[int, int, str, str, str, str]] = list(q.tuples())   # type: ignore[arg-type]
    to = targets([r[0] for r in rows])
    out = []
    for call_id, start, tenant, ext, cost, currency in rows:
        target = to.get(call_id, ext.strip())
        if target == ext.strip():
            continue
        try:
            out.append(Moved(call_id, start, tenant, ext.strip(), target, Decimal(cost), currency))
        except InvalidOperation:
            log.warning("call %d cost %r is not a decimal: its transfer is left as stored", call_id, cost)
    return out
