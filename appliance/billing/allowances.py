"""Free allowances and minute packages (RAT-7): applied in call-start order to stored costs when a bill is computed.

An allowance gives a subscriber `amount` minutes, calls or money per calendar month or ISO week (local time)
for the calls it matches (all, a number class, or a destination). It is consumed from the start of its own
month/week, so a bill for any part of a month shows the same discounts as the whole month's bill. Nothing is
written to the call rows: re-rating changes the stored costs and the next bill simply recomputes.
A call's talk seconds and cost are taken by the subscriber's allowances in definition order: a minutes
allowance that covers only part of a call takes that share of its cost (rounded half-up to the cost's decimals).
"""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable

from appliance.billing.usage import BillingError, Period, Site, Usage, subscriber_usage, window
from appliance.rating.tariffs import KINDS
from appliance.store import billing as store_billing
from appliance.store.billing import AllowanceDef

log = logging.getLogger(__name__)
UNITS = ("minutes", "calls", "money")
PERIODS = ("month", "week")
CSV_COLUMNS = ("subscriber", "name", "unit", "amount", "match", "period", "valid_from", "valid_to")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Discount:
    """What one allowance took off one call."""
    allowance_id: int
    name: str
    amount: Decimal
    seconds: int          # talk seconds it covered (minutes allowances), else 0


@dataclass(frozen=True, slots=True)
class Use:
    """How much of an allowance a subscriber used in one of its months/weeks, as of the end of the bill."""
    allowance: AllowanceDef
    window: str           # 2024-04 or 2024-W14
    used: Decimal         # in the allowance's unit (minutes to 2 decimals)
    remaining: Decimal

    def as_dict(self) -> dict:
        a = self.allowance
        return {"name": a.name, "unit": a.unit, "amount": str(a.amount), "match": a.match, "period": self.window,
                "used": str(self.used), "remaining": str(self.remaining)}


def matches(a: AllowanceDef, u: Usage) -> bool:
    """Whether the allowance applies to the call's class or destination."""
    what, _, value = a.match.partition(":")
    return a.match == "*" or (what == "class" and u.kind == value) or (what == "destination" and
                                                                       u.destination.casefold() == value.casefold())


def _valid(a: AllowanceDef, day: str) -> bool:
    return (not a.valid_from or a.valid_from <= day) and (not a.valid_to or day <= a.valid_to)


def _take(a: AllowanceDef, left: Decimal, cost: Decimal, seconds: int) -> tuple[Decimal, Decimal, int]:
    """(discount, amount of the allowance used, seconds covered) for a call with `cost` and `seconds` left."""
    if a.unit == "money":
        d = min(left, cost)
        return d, d, 0
    if a.unit == "calls":
        return (cost, Decimal(1), seconds) if left >= 1 else (ZERO, ZERO, 0)
    covered = min(int(left * 60), seconds)
    if covered <= 0:
        return ZERO, ZERO, 0
    if covered == seconds:
        d = cost
    else:   # pro rata on the minor unit the cost is stated in
        minor = Decimal(1).scaleb(min(int(cost.as_tuple().exponent), -2))
        d = (cost * covered / seconds).quantize(minor, ROUND_HALF_UP)
    return min(d, cost), Decimal(covered) / 60, covered


def apply(defs: list[AllowanceDef], calls: Iterable[Usage], site: Site) -> tuple[dict[int, list[Discount]], dict]:
    """Pure: the discounts per call id, and the amount used per (allowance id, window label). Only charged,
    priced calls with a cost above zero take from an allowance; calls go in (start, call id) order."""
    used: dict[tuple[int, str], Decimal] = {}
    out: dict[int, list[Discount]] = {}
    for u in sorted((u for u in calls if u.charged and u.cost), key=lambda u: (u.start_utc, u.call_id)):
        day = datetime.fromtimestamp(u.start_utc, site.tz).date().isoformat()
        cost: Decimal = u.cost or ZERO
        seconds = u.talk_s
        for a in defs:
            if cost <= 0 or a.subscriber != u.subscriber or not matches(a, u) or not _valid(a, day):
                continue
            key = (a.id, window(a.period, u.start_utc, site.tz).label)
            d, took, covered = _take(a, a.amount - used.get(key, ZERO), cost, seconds)
            if took:
                used[key] = used.get(key, ZERO) + took
                out.setdefault(u.call_id, []).append(Discount(a.id, a.name, d, covered))
                cost, seconds = cost - d, seconds - covered
    return out, used


def _windows(kind: str, period: Period, site: Site) -> list[Period]:
    out, t = [], period.since
    while t < period.until:
        out.append(window(kind, t, site.tz))
        t = out[-1].until
    return out


def discounts(site: Site, subscriber: str, period: Period) -> tuple[dict[int, list[Discount]], list[Use]]:
    """The subscriber's allowances applied to their calls from the start of each allowance's month/week that
    overlaps `period`: the discounts of the calls (all of them; a bill keeps those in its period) and the use
    of each allowance in each of those months/weeks."""
    defs = store_billing.allowances(site.tenant_id, subscriber)
    if not defs:
        return {}, []
    since = min(window(a.period, period.since, site.tz).since for a in defs)
    out, used = apply(defs, subscriber_usage(site, subscriber, since, period.until), site)
    uses = []
    for a in defs:
        for w in _windows(a.period, period, site):
            took = used.get((a.id, w.label), ZERO)
            uses.append(Use(a, w.label, took.quantize(Decimal("0.01")) if a.unit == "minutes" else took,
                            max(a.amount - took, ZERO)))
    return out, uses


def _date(text: str, where: str) -> str:
    if not text:
        return ""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BillingError(f"{where}: {text!r} is not a date (YYYY-MM-DD)") from None


def _row(row: dict, where: str) -> dict:
    r = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
    if not r["subscriber"]:
        raise BillingError(f"{where}: subscriber is empty (a person's id, or ext:EXTENSION)")
    if r["unit"] not in UNITS:
        raise BillingError(f"{where}: unit {r['unit']!r} is not one of {', '.join(UNITS)}")
    if r["period"] not in PERIODS:
        raise BillingError(f"{where}: period {r['period']!r} is not one of {', '.join(PERIODS)}")
    try:
        amount = Decimal(r["amount"])
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0:
        raise BillingError(f"{where}: amount {r['amount']!r} is not a positive number (use a dot: 100.5)")
    what, _, value = (r["match"] or "*").partition(":")
    if not (what == "*" and not value or what == "class" and value in KINDS or what == "destination" and value):
        raise BillingError(f"{where}: match {r['match']!r}: expected *, class:KIND ({', '.join(KINDS)}) or "
                           "destination:NAME")
    r.update(amount=amount, match=r["match"] or "*", name=r["name"] or f"{r['amount']} {r['unit']}",
             valid_from=_date(r["valid_from"], where + " valid_from"),
             valid_to=_date(r["valid_to"], where + " valid_to"))
    return r


def read_csv(text: str, name: str) -> list[dict]:
    """Allowance rows from the CSV layout of provisioning/billing/README.md; errors name the line."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("subscriber", "unit", "amount", "period") if c not in (reader.fieldnames or [])]
    if missing:
        raise BillingError(f"{name} line 1: missing column(s) {', '.join(missing)}; the header is "
                           f"{','.join(CSV_COLUMNS)}")
    return [_row(row, f"{name} line {reader.line_num}") for row in reader if any((v or "").strip()
                                                                                 for v in row.values())]
