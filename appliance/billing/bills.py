"""Bills per subscriber for any period (RAT-8) and the same traffic priced under every stored plan (RAT-1).

Pure reads of the stored, priced calls: the bill lists each call charged to the subscriber with the unit
prices that made its cost (the explanation is recomputed with rate(); it is deterministic), applies the
subscriber's allowances (appliance/allowances.py) and, for a calendar month, their share of line charges.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal

from appliance import store
from appliance.billing import allowances, linecharges
from appliance.billing.usage import (BillingError, Period, Site, Usage, of_site, person_extensions,
                                     subscriber_usage, usage)
from appliance.rating import plans as stored_plans
from appliance.rating import stuck
from appliance.rating.rate import Unrated, rate
from appliance.store import versioned
log = logging.getLogger(__name__)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class BillLine:
    """One call on a bill. `cost` is the call's stored price, `amount` what this subscriber pays for it."""
    call_id: int
    local_time: datetime
    extension: str
    number: str
    kind: str
    destination: str
    ring_s: int
    talk_s: int
    tariff: str
    unit_prices: tuple[dict, ...]      # the explanation's steps: band, period_s, units, unit_price, amount
    connection_fee: Decimal | None
    cost: Decimal | None               # None: not priced (no plan or no destination for it)
    discount: Decimal
    allowances: tuple[str, ...]
    amount: Decimal
    note: str = ""

    def as_dict(self) -> dict:
        d = self.local_time
        return {"call_id": self.call_id, "date": d.date().isoformat(), "time": d.strftime("%H:%M:%S"),
                "utc_offset": d.strftime("%z"), "extension": self.extension, "number": self.number,
                "kind": self.kind, "destination": self.destination, "ring_s": self.ring_s, "duration_s": self.talk_s,
                "tariff": self.tariff, "unit_prices": list(self.unit_prices),
                "connection_fee": None if self.connection_fee is None else str(self.connection_fee),
                "cost": None if self.cost is None else str(self.cost), "discount": str(self.discount),
                "allowances": list(self.allowances), "amount": str(self.amount), "note": self.note}


@dataclass
class Bill:
    """A subscriber's bill: the calls charged to them, subtotals per number class, allowances, line charges."""
    subscriber: str
    name: str
    period: Period
    currency: str
    lines: list[BillLine] = field(default_factory=list)
    subtotals: dict[str, dict] = field(default_factory=dict)
    allowances: list[allowances.Use] = field(default_factory=list)
    line_charges: list[dict] = field(default_factory=list)
    total: Decimal = ZERO
    tz: tzinfo | None = None
    branch: str = ""                   # on a central: the branch box whose received calls these are (billing/received)

    def as_dict(self) -> dict:
        """JSON-ready: every amount an exact decimal string."""
        iso = (lambda t: datetime.fromtimestamp(t, self.tz).isoformat())
        return {"subscriber": self.subscriber, "name": self.name,
                "period": {"label": self.period.label, "kind": self.period.kind, "since": iso(self.period.since),
                           "until": iso(self.period.until)},
                "currency": self.currency, "lines": [line.as_dict() for line in self.lines],
                "subtotals": {k: {n: str(v) for n, v in s.items()} for k, s in self.subtotals.items()},
                "allowances": [u.as_dict() for u in self.allowances],
                "line_charges": [{k: str(v) for k, v in c.items()} for c in self.line_charges],
                "total": str(self.total), **({"branch": self.branch} if self.branch else {})}


class _Explainer:
    """Re-derives a stored price's explanation with the plan it names ("provider / plan @ version")."""

    def __init__(self, site: Site):
        self.site, self.plans = site, {p.label: p for p in stored_plans.compiled_plans()}

    def __call__(self, u: Usage) -> tuple[tuple[dict, ...], Decimal | None]:
        plan = self.plans.get(u.tariff.rpartition(" @ ")[0])
        if plan is None or u.cost is None:
            return (), None
        talk = u.talk_s
        if u.capped == stuck.CAP:
            talk = self.site.lines.cap_for(u.trunk) if self.site.lines else self.site.cap_s or talk
        elif u.capped == stuck.OVERLAP:   # priced until the next call on its analogue trunk began
            call = store.Call.get_or_none(store.Call.id == u.call_id)
            released = store.released_s(call) if call is not None else None
            talk = talk if released is None else released
        try:
            e = rate(u.number, u.kind, u.start_utc, talk, self.site.tz, plan).explain
        except (Unrated, ValueError):
            return (), None
        return tuple(s for s in e.as_dict()["steps"]), e.connection_fee


def _line(u: Usage, explain: _Explainer, found: list[allowances.Discount], tz) -> BillLine:
    steps, fee = explain(u)
    discount = sum((d.amount for d in found), ZERO) if u.charged else ZERO
    cost = u.cost if u.charged else None
    note = "" if u.charged else f"transferred: charged to {u.transferred_to}"
    if u.charged and u.cost is None:
        note = "not priced"
    return BillLine(u.call_id, datetime.fromtimestamp(u.start_utc, tz), u.extension, u.number, u.kind,
                    u.destination, u.ring_s, u.talk_s, u.tariff, steps if u.charged else (), fee if u.charged else None,
                    cost, discount, tuple(d.name for d in found) if u.charged else (),
                    (cost or ZERO) - discount, note)


def _subtotals(lines: list[BillLine]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for line in lines:
        s = out.setdefault(line.kind or "unknown", {"calls": 0, "seconds": 0, "cost": ZERO, "discount": ZERO,
                                                    "amount": ZERO})
        s["calls"] += 1
        s["seconds"] += line.talk_s
        s["cost"] += line.cost or ZERO
        s["discount"] += line.discount
        s["amount"] += line.amount
    return dict(sorted(out.items()))


def _currency(lines: list[Usage]) -> str:
    found = sorted({u.currency for u in lines if u.charged and u.cost is not None})
    if len(found) > 1:
        raise BillingError(f"the calls are priced in several currencies ({', '.join(found)}): one bill each "
                           "needs one plan currency")
    return found[0] if found else ""


def bill(site: Site, period: Period, person: str | None = None, extension: str | None = None) -> Bill:
    """The bill of a person (external id: all their extensions, attributed at each call's time) or of one
    extension for `period`. Allowances are those of the subscriber each call is charged to. The same bill asked
    again (the bill page reloaded, its PDF) is made once per change of the database (appliance/store/versioned.py)
    and within the minute; the Bill is shared: callers only read it."""
    key = (repr(site), repr(period), person, extension, int(time.time() // 60))
    return versioned.cached("billing.bill", key, lambda: _bill(site, period, person, extension))


def _bill(site: Site, period: Period, person: str | None, extension: str | None) -> Bill:
    if (person is None) == (extension is None):
        raise BillingError("a bill is for a person or for an extension")
    if person is not None:
        person_extensions(site.tenant_id, person)   # an unknown person is an error, not an empty bill
        rows = subscriber_usage(site, person, period.since, period.until)
    else:
        ext = str(extension)
        rows = [u for u in usage(site, period.since, period.until, {ext}) if u.extension == ext]
    found: dict[int, list] = {}
    uses: list[allowances.Use] = []
    for subscriber in sorted({u.subscriber for u in rows if u.charged}) or ([person] if person else []):
        d, used = allowances.discounts(site, subscriber, period)
        found.update(d)
        uses += used
    explain = _Explainer(site)
    lines = [_line(u, explain, found.get(u.call_id, []) if u.charged else [], site.tz) for u in rows]
    name = next((u.person.name for u in rows if u.person), "")
    b = Bill(person or f"ext:{extension}", name, period, _currency(rows), lines, _subtotals(lines), uses, tz=site.tz)
    if period.kind == "month":   # shares go to subscribers: an extension with a person has none of its own
        b.line_charges = linecharges.subscriber_shares(site, period, b.subscriber)
    b.total = sum((line.amount for line in lines), ZERO) + sum((c["share"] for c in b.line_charges), ZERO)
    return b


@dataclass(frozen=True, slots=True)
class PlanTotal:
    """One plan's price for the period's outgoing traffic."""
    plan: str
    currency: str
    total: Decimal
    per_class: dict[str, Decimal]
    calls: int
    unrated: int

    def as_dict(self) -> dict:
        return {"plan": self.plan, "currency": self.currency, "total": str(self.total),
                "per_class": {k: str(v) for k, v in self.per_class.items()}, "calls": self.calls,
                "unrated": self.unrated}


def compare(site: Site, period: Period) -> list[PlanTotal]:
    """The period's outgoing calls priced under every stored plan, with their stored classification (the
    talk time capped as the site caps it). Calls without a class, and internal ones, are left out."""
    C = store.Call
    rows = list(store.calls(period.since, period.until).select(C.number, C.kind, C.start_utc, C.talk_s, C.trunk)
                .where(C.direction == "out", C.kind != "", C.kind != "internal", of_site(site)).tuples())
    out = []
    for plan in stored_plans.compiled_plans():
        totals: dict[str, Decimal] = {}
        unrated, currencies = 0, set()
        for number, kind, start, talk, trunk in rows:
            cap = site.lines.cap_for(trunk) if site.lines else site.cap_s
            if cap and talk > cap:
                talk = cap
            try:
                p = rate(number, kind, start, talk, site.tz, plan)
            except Unrated:
                unrated += 1
                continue
            totals[kind] = totals.get(kind, ZERO) + p.cost
            currencies.add(p.currency)
        out.append(PlanTotal(plan.label, ", ".join(sorted(currencies)), sum(totals.values(), ZERO),
                             dict(sorted(totals.items())), len(rows) - unrated, unrated))
    return out
