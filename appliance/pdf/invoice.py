"""An invoice or credit note (REP-9) as PDF: the customer, the period, the calls at their sell price, the extra
items, net, tax and total. Every amount is printed exactly as stored (appliance/customers/invoices.py rounds)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone, tzinfo
from decimal import Decimal
from typing import Any

from fpdf import XPos, YPos

from appliance.customers.invoices import label, lines_of
from appliance.pdf import document as pdf
from appliance.pdf import invoice_text
from appliance.pdf.bill import duration
from appliance.pricing.rules import minor_unit
from appliance.store.customers import Invoice

log = logging.getLogger(__name__)


def _t(lang: str, message: str) -> str:
    return invoice_text.text(lang, message)


def _date(d: datetime, lang: str) -> str:
    return d.date().isoformat() if lang == "en" else d.strftime("%d.%m.%Y")


def _money(value: str, inv: Invoice, lang: str) -> str:
    return pdf.format_number(Decimal(value), lang, pdf.currency_places(inv.currency))


def _subtitle(inv: Invoice, tz: tzinfo, lang: str) -> str:
    c = inv.customer
    since = datetime.fromtimestamp(inv.since_utc, tz)
    until = datetime.fromtimestamp(inv.until_utc - 1, tz)
    issued = datetime.fromtimestamp(inv.issued_utc, tz)
    lines = [f"{_t(lang, 'Customer')}: {c.name} ({c.code})"] + ([c.address] if c.address else [])
    lines.append(f"{_t(lang, 'Period')}: {_date(since, lang)} – {_date(until, lang)}")
    lines.append(f"{_t(lang, 'Issued')}: {_date(issued, lang)}")
    if inv.kind == "credit":
        lines.append(f"{_t(lang, 'Corrects')}: {inv.note}")
    return "\n".join(lines)


def invoice_pdf(inv: Invoice, lang: str | None = None, tz: tzinfo = timezone.utc,
                generated: datetime | None = None) -> bytes:
    """The invoice as PDF bytes in `lang` (default: the one it was issued in), dates in `tz`."""
    lang = lang or inv.lang
    title = f"{_t(lang, 'Credit note' if inv.kind == 'credit' else 'Invoice')} {label(inv)}"
    doc = pdf.Document(title, _subtitle(inv, tz, lang), lang, generated)
    doc.add_page()
    lines = lines_of(inv)
    calls = [line for line in lines if line.call_id is not None]
    items = [line for line in lines if line.call_id is None]
    money = f"{_t(lang, 'Amount')} ({inv.currency})"
    doc.heading(_t(lang, "Calls"))
    if calls:
        cols = [_t(lang, c) for c in ("Date", "Time", "Number", "Destination", "Duration")] + [money]
        rows: list[list[Any]] = []
        for line in calls:
            at = datetime.fromisoformat(line.start)
            rows.append([_date(at, lang), at.strftime("%H:%M:%S"), line.number, line.destination,
                         duration(line.talk_s), _money(line.amount, inv, lang)])
        pdf.table(doc, cols, rows, size=7.5, align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"))
    else:
        doc.cell(0, 6, _t(lang, "No calls in this period."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if items:
        doc.heading(_t(lang, "Other items"))
        pdf.table(doc, [_t(lang, "Description"), money],
                  [[line.description, _money(line.amount, inv, lang)] for line in items], align=("LEFT", "RIGHT"))
    if doc.get_y() > doc.h - doc.b_margin - 30:
        doc.add_page()
    doc.ln(2)
    rate = pdf.format_number(Decimal(inv.tax_rate), lang) + " %" + (f" ({inv.country})" if inv.country else "")
    for text, value, bold in ((_t(lang, "Net"), inv.net, False), (f"{_t(lang, 'Tax')} {rate}", inv.tax, False),
                              (_t(lang, "Total"), inv.total, True)):
        doc.set_font("DejaVu", "B" if bold else "", 12 if bold else 10)
        doc.cell(0, 7, f"{text}: {pdf.format_money(Decimal(value), inv.currency, lang)}", align="R",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("DejaVu", "", 7.5)
    minor = pdf.format_number(minor_unit(inv.currency), lang, pdf.currency_places(inv.currency))
    doc.multi_cell(0, 4, _t(lang, invoice_text.ROUNDING_EN).format(minor=minor), align="R", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    return bytes(doc.output())
