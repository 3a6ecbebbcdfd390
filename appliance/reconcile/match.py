"""An itemised bill matched call by call to the stored calls, and what the differences mean (RAT-9).

Matching: an invoice line and a stored outgoing call match when the number is the same (E.164), the starts lie
within the start tolerance, the durations (the box's talk time) within the duration tolerance and, where the
invoice names its line and the site maps lines to trunks, the call used one of the line's trunks. Each line and
call is used once, closest start first. A match may still differ: its start (beyond `exact_start_s`), its
duration (within the tolerance) or its price (any amount: money is exact).

What the differences mean (appliance/reconcile/explain.py): price differences concentrated on one destination
point at the tariff plan; invoice calls missing in a run with no call stored around them point at the PBX link
(data lost before it reached the box); starts off by the same amount point at the PBX clock.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from appliance import store
from appliance.reconcile.invoice import InvoiceLine

log = logging.getLogger(__name__)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Tolerances:
    """How far an invoice line and a stored call may differ and still be the same call."""
    start_s: int = 120                 # operators time the answer, a PBX often the seizure: tens of seconds
    duration_s: int = 5
    exact_start_s: int = 2             # a start difference up to this is not reported


@dataclass(frozen=True, slots=True)
class BoxCall:
    """A stored outgoing call, as reconciliation needs it."""
    id: int
    start_utc: int
    local: str
    number: str
    trunk: str
    talk_s: int
    cost: Decimal | None
    currency: str
    destination: str


@dataclass
class Row:
    """One invoice line and/or one stored call: status matched, missing (invoice only) or extra (box only)."""
    status: str
    invoice: InvoiceLine | None = None
    call: BoxCall | None = None
    issues: tuple[str, ...] = ()       # of a match: "start", "duration", "price"
    note: str = ""

    @property
    def start_diff(self) -> int | None:
        return self.invoice.start_utc - self.call.start_utc if self.invoice and self.call else None

    @property
    def price_diff(self) -> Decimal | None:
        if not (self.invoice and self.call):
            return None
        return self.invoice.amount - (self.call.cost or ZERO)


@dataclass
class Result:
    """Every row, the explanations, and the totals: invoice, box (the calls matched or extra), difference."""
    rows: list[Row]
    findings: list[dict] = field(default_factory=list)
    invoice_total: Decimal = ZERO
    box_total: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.invoice_total - self.box_total

    def count(self, status: str, issue: str = "") -> int:
        return sum(1 for r in self.rows if r.status == status and (not issue or issue in r.issues))


def stored_calls(since: int, until: int, trunks: set[str] | None = None,
                 tenants: tuple[str, ...] | None = None) -> list[BoxCall]:
    """The answered outgoing calls with start in [since, until), on `trunks` and of `tenants` (call.tenant
    codes) when given."""
    C = store.Call
    q = store.calls(since, until).where(C.direction == "out", C.talk_s > 0)
    if tenants is not None:
        q = q.where(C.tenant.in_(tenants))
    if trunks is not None:
        q = q.where(C.trunk.in_(sorted(trunks)))
    out = []
    for c in q.iterator():
        cost = Decimal(c.cost) if c.cost not in (None, "") else None
        out.append(BoxCall(c.id, c.start_utc, store.local_iso(c.start_utc, c.utc_offset), c.number, c.trunk,
                           c.talk_s, cost, c.currency, c.destination))
    return out


def _fits(line: InvoiceLine, call: BoxCall, tol: Tolerances, lines: dict[str, set[str]] | None) -> bool:
    if line.number != call.number or abs(line.start_utc - call.start_utc) > tol.start_s:
        return False
    if abs(line.duration_s - call.talk_s) > tol.duration_s:
        return False
    return not (lines and line.line in lines and call.trunk not in lines[line.line])


def _issues(line: InvoiceLine, call: BoxCall, tol: Tolerances) -> tuple[str, ...]:
    found = []
    if abs(line.start_utc - call.start_utc) > tol.exact_start_s:
        found.append("start")
    if line.duration_s != call.talk_s:
        found.append("duration")
    if line.amount != (call.cost or ZERO):
        found.append("price")
    return tuple(found)


def match(invoice: list[InvoiceLine], calls: list[BoxCall], tol: Tolerances = Tolerances(),
          lines: dict[str, set[str]] | None = None) -> Result:
    """Pair the invoice's lines with the stored calls; the rest are missing (invoice only) or extra (box only)."""
    by_number: dict[str, list[BoxCall]] = {}
    for c in calls:
        by_number.setdefault(c.number, []).append(c)
    pairs = []
    for i, line in enumerate(invoice):
        for c in by_number.get(line.number, ()):
            if _fits(line, c, tol, lines):
                pairs.append((abs(line.start_utc - c.start_utc), abs(line.duration_s - c.talk_s), i, c.id, c))
    pairs.sort(key=lambda p: p[:4])
    used_lines: set[int] = set()
    used_calls: set[int] = set()
    rows = []
    for _, _, i, cid, c in pairs:
        if i in used_lines or cid in used_calls:
            continue
        used_lines.add(i)
        used_calls.add(cid)
        rows.append(Row("matched", invoice[i], c, _issues(invoice[i], c, tol)))
    rows += [Row("missing", line) for i, line in enumerate(invoice) if i not in used_lines]
    rows += [Row("extra", call=c) for c in calls if c.id not in used_calls]
    rows.sort(key=lambda r: (r.invoice or r.call).start_utc)   # type: ignore[union-attr]
    result = Result(rows)
    result.invoice_total = sum((line.amount for line in invoice), ZERO)
    result.box_total = sum((r.call.cost or ZERO for r in rows if r.call), ZERO)
    return result
