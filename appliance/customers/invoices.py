"""Invoices and credit notes (REP-9, RAT-11): issued from a customer's calls in a period at the sell price, plus
extra items; numbered without a gap per series; never changed once issued (a credit note corrects one).

Numbering: the next number of a series is read and the invoice written in one BEGIN IMMEDIATE transaction, which
holds the database's write lock from its start: two issuers (threads, processes, the web and the CLI) are serialised,
and a failed issue rolls back its number with it, so the numbers of a series are 1, 2, 3... with no gap.

Money: each call at its sell price, already rounded up to the currency's minor unit (appliance/pricing/rules.py);
the net is their exact sum plus the items; the tax is net x rate / 100 rounded half up to the minor unit, once per
invoice; the total is net + tax (tax.ROUNDING, stated in the JSON and the PDF). The rate is the customer's country's
([customers] tax_rates, passed as `tax_rates`) or, for a customer without a country, their own. A credit note
repeats the invoice's lines, net, tax and total negated.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Sequence

from appliance.customers import tax as taxes
from appliance.customers.customers import CustomerError, Pricer, calls_of
from appliance.pricing.rules import minor_unit, parse_money
from appliance.store.base import IMMEDIATE
from appliance.store.customers import Customer, Invoice, InvoiceLine

log = logging.getLogger(__name__)
ZERO = Decimal(0)
SERIES, CREDIT_SERIES = "INV", "CN"
LIMIT = Decimal(10) ** 12   # an amount beyond is a typing error (and would leave Decimal's 28 digits behind)


class InvoiceError(ValueError):
    """A refused issue or credit, with the reason."""


@dataclass(frozen=True)
class Item:
    """An extra line of an invoice (a monthly fee, a service)."""
    description: str
    amount: Decimal


def parse_item(text: str) -> Item:
    """'DESCRIPTION=AMOUNT' -> Item; InvoiceError naming what is wrong."""
    desc, sep, amount = text.rpartition("=")
    desc, amount = " ".join(desc.split()), amount.strip()
    try:   # digits and a dot, "-" for a discount: no exponent, no NaN
        value = -parse_money(amount[1:]) if amount.startswith("-") else parse_money(amount)
        if not sep or not desc or abs(value) >= LIMIT:
            raise ValueError
    except ValueError:
        raise InvoiceError(f"item {text!r}: write DESCRIPTION=AMOUNT, e.g. 'Monthly fee=25.00'") from None
    return Item(desc, value)


def label(inv: Invoice) -> str:
    """The invoice's number as printed: SERIES-000042."""
    return f"{inv.series}-{inv.number:06d}"


def _next_number(series: str) -> int:
    top = Invoice.select(Invoice.number).where(Invoice.series == series).order_by(Invoice.number.desc()).first()
    return (top.number if top else 0) + 1


def credited(inv: Invoice) -> Invoice | None:
    """The credit note that corrects `inv`, if any."""
    return Invoice.get_or_none(Invoice.credits == inv.id)


def _invoiced_calls(customer: Customer) -> set[int]:
    """The customer's calls on an invoice that no credit note corrects (they are not invoiced again)."""
    done = Invoice.select(Invoice.credits).where(Invoice.customer == customer.id, Invoice.kind == "credit")
    q = (InvoiceLine.select(InvoiceLine.call_id).join(Invoice)
         .where(Invoice.customer == customer.id, Invoice.kind == "invoice", InvoiceLine.call_id.is_null(False),
                Invoice.id.not_in(done)))
    return {r.call_id for r in q if r.call_id is not None}


def _write(values: dict, lines: list[dict]) -> Invoice:
    inv = Invoice.create(**values, number=_next_number(values["series"]), line_count=len(lines))
    if lines:
        InvoiceLine.insert_many([{**line, "invoice": inv.id, "position": i} for i, line in enumerate(lines)]).execute()
    return inv


def issue(customer: Customer, since: int, until: int, items: Sequence[Item] = (), series: str = SERIES,
          now: int | None = None, note: str = "", tax_rates: dict[str, Decimal] | None = None) -> Invoice:
    """Issue the customer's invoice for [since, until): their calls not yet invoiced, then `items`; taxed at their
    country's rate in `tax_rates` ([customers] tax_rates) or, without a country, their own."""
    if until <= since:
        raise InvoiceError("the period ends before it starts")
    try:
        rate = taxes.rate_for(customer.country, tax_rates or {}, customer.tax_rate)
    except ValueError as e:
        raise InvoiceError(f"customer {customer.code}: {e}") from None
    pricer = Pricer(customer)
    minor = minor_unit(pricer.currency)
    for item in items:
        if item.amount != item.amount.quantize(minor):
            raise InvoiceError(f"item {item.description!r}: {item.amount} is finer than the minor unit {minor} of "
                               f"{pricer.currency}")
    with Invoice._meta.database.atomic(IMMEDIATE):
        done = _invoiced_calls(customer)
        calls = [c for c in calls_of(customer, since, until, pricer) if c.id not in done]
        bad = [c for c in calls if c.sell is None]
        if bad:
            raise InvoiceError(f"{len(bad)} calls have no sell price (call {bad[0].id}: {bad[0].problem}); fix the "
                               "price list first")
        if not calls and not items:
            raise InvoiceError(f"nothing to invoice: customer {customer.code} has no calls in the period that are not "
                               "invoiced already, and no items were given")
        lines: list[dict[str, Any]] = [
            dict(call_id=c.id, start=c.start, number=c.number, destination=c.destination, talk_s=c.talk_s,
                 description=c.destination, amount=str(c.sell)) for c in calls]
        lines += [dict(description=i.description, amount=str(i.amount)) for i in items]
        net = sum((Decimal(line["amount"]) for line in lines), ZERO)
        tax = (net * rate / 100).quantize(minor, rounding=ROUND_HALF_UP)
        inv = _write(dict(series=series, kind="invoice", customer=customer.id, since_utc=since, until_utc=until,
                          issued_utc=int(time.time()) if now is None else now, currency=pricer.currency,
                          net=str(net), tax_rate=str(rate), tax=str(tax), total=str(net + tax), lang=customer.lang,
                          note=note.strip(), country=customer.country), lines)
    log.info("invoice %s issued to %s: %s lines, total %s %s", label(inv), customer.code, len(lines), inv.total,
             inv.currency)
    return inv


def credit(inv: Invoice, reason: str, series: str = CREDIT_SERIES, now: int | None = None) -> Invoice:
    """Issue the credit note that cancels `inv` whole (its calls may then be invoiced again, corrected)."""
    if not reason.strip():
        raise InvoiceError("a credit note states its reason")
    with Invoice._meta.database.atomic(IMMEDIATE):
        inv = Invoice.get_by_id(inv.id)
        if inv.kind != "invoice":
            raise InvoiceError(f"{label(inv)} is a credit note: only an invoice is credited")
        other = credited(inv)
        if other is not None:
            raise InvoiceError(f"{label(inv)} is credited already by {label(other)}")
        neg = (lambda text: str(-Decimal(text)))
        lines = [dict(call_id=line.call_id, start=line.start, number=line.number, destination=line.destination,
                      talk_s=line.talk_s, description=line.description, amount=neg(line.amount))
                 for line in lines_of(inv)]
        out = _write(dict(series=series, kind="credit", customer=inv.customer, credits=inv.id,
                          since_utc=inv.since_utc, until_utc=inv.until_utc,
                          issued_utc=int(time.time()) if now is None else now, currency=inv.currency,
                          net=neg(inv.net), tax_rate=inv.tax_rate, tax=neg(inv.tax), total=neg(inv.total),
                          lang=inv.lang, country=inv.country, note=f"{label(inv)}: {' '.join(reason.split())}"), lines)
    log.info("credit note %s issued for %s: %s", label(out), label(inv), reason)
    return out


def lines_of(inv: Invoice) -> list[InvoiceLine]:
    return list(InvoiceLine.select().where(InvoiceLine.invoice == inv.id).order_by(InvoiceLine.position))


def find(text: str) -> Invoice:
    """An invoice by its printed number (INV-000042, INV-42) or its id."""
    t = text.strip().upper()
    series, sep, number = t.rpartition("-")
    try:
        found = (Invoice.get_or_none(Invoice.series == series, Invoice.number == int(number)) if sep
                 else Invoice.get_or_none(Invoice.id == int(t)))
    except ValueError:
        found = None
    if found is None:
        raise InvoiceError(f"no invoice {text!r} (callbox invoice list)")
    return found


def by_id(iid: int) -> Invoice | None:
    return Invoice.get_or_none(Invoice.id == iid)


def invoices(customer: Customer | None = None) -> list[Invoice]:
    """Invoices and credit notes, newest first."""
    q = Invoice.select(Invoice, Customer).join(Customer)   # each with its customer: one query for a list
    if customer is not None:
        q = q.where(Invoice.customer == customer.id)
    return list(q.order_by(Invoice.issued_utc.desc(), Invoice.id.desc()))


def as_json(inv: Invoice, with_lines: bool = False) -> dict:
    out = {"id": inv.id, "invoice": label(inv), "kind": inv.kind, "customer": inv.customer.code,
           "credits": None if inv.credits is None else label(Invoice.get_by_id(inv.credits)),
           "since_utc": inv.since_utc, "until_utc": inv.until_utc, "issued_utc": inv.issued_utc,
           "currency": inv.currency, "net": inv.net, "tax_rate": inv.tax_rate, "tax": inv.tax, "total": inv.total,
           "lines": inv.line_count, "note": inv.note, "country": inv.country,
           "rounding": dict(taxes.ROUNDING, minor_unit=str(minor_unit(inv.currency)))}
    if with_lines:
        out["items"] = [{"call": line.call_id, "start": line.start, "number": line.number,
                         "destination": line.destination, "talk_s": line.talk_s, "description": line.description,
                         "amount": line.amount} for line in lines_of(inv)]
    return out


__all__ = ["CustomerError", "InvoiceError", "Item", "credit", "issue", "label", "lines_of", "find"]
