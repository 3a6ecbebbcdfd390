"""A report's measures from the sums of its groups (query.SUMS): the exact cost, the derived counts, and the one
currency a report's costs are in (engine.run)."""
from __future__ import annotations

from decimal import Decimal

from appliance.reports.query import SUMS

MICRO = Decimal(1_000_000)
CENT = Decimal("0.01")


def _cost(micro: int, priced: int) -> Decimal | None:
    if not priced:
        return None
    d = Decimal(micro) / MICRO
    return d.quantize(CENT) if d == d.quantize(CENT) else d.normalize()


def measure(name: str, v: list[int]) -> int | Decimal | None:
    """A measure (dims.MEASURES) of a group's sums vector."""
    s = dict(zip(SUMS, v))
    if name == "cost":
        return _cost(s["cost_micro"], s["priced"])
    if name == "unanswered":
        return s["calls"] - s["answered"]
    if name == "duration":
        return s["ring"] + s["talk"]
    return s[name]


def merge_currency(acc: dict) -> tuple[dict, str]:
    """Drop the currency key when there is at most one currency; keep it (as a column) when there are more."""
    currencies = {k[-1] for k, v in acc.items() if v[SUMS.index("priced")]}
    if len(currencies) > 1:
        return acc, ""
    out: dict = {}
    for k, v in acc.items():
        have = out.get(k[:-1])
        out[k[:-1]] = list(v) if have is None else [a + b for a, b in zip(have, v)]
    return out, next(iter(currencies), "")
