"""A subscriber's bill (RAT-8) as PDF: the calls with their unit prices, subtotals, allowances, line charges."""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fpdf import XPos, YPos

from appliance.billing.bills import Bill, BillLine
from appliance.pdf import bill_text, document as pdf
from appliance.reports.labels import Words

log = logging.getLogger(__name__)
ZERO = Decimal(0)


def _t(lang: str, message: str) -> str:
    return bill_text.text(lang, message)


def duration(seconds: int) -> str:
    """m:ss, or h:mm:ss from an hour on."""
    h, rest = divmod(int(seconds), 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def _num(text: object, lang: str) -> str:
    """A decimal held as text in the explanation (unit prices), written for the language."""
    try:
        return pdf.format_number(Decimal(str(text)), lang)
    except (InvalidOperation, ValueError):
        return str(text)


def _details(line: BillLine, lang: str) -> str:
    """The unit prices that made the cost (units × period @ price), the fee, allowances and notes."""
    bands = {s["band"] for s in line.unit_prices}
    one = len(bands) == 1   # the usual case: the band is named once, after the steps
    parts = [f"{s['units']}×{s['period_s']}s @ {_num(s['unit_price'], lang)}" +
             (f" ({s['band']})" if s["band"] and not one else "") for s in line.unit_prices]
    if one and parts and next(iter(bands)):
        parts[-1] += f" ({next(iter(bands))})"
    if line.connection_fee:
        parts.insert(0, f"{_t(lang, 'connection fee')} {pdf.format_number(line.connection_fee, lang)}")
    parts += list(line.allowances)
    if line.note:
        parts.append(_t(lang, line.note) if line.note in ("not priced", "priced on the branch") else line.note)
    return "; ".join(parts)


# what a PBX writes in a number field is not always a number (as webui.i18n reads it): IP Office's "?MŁYN" is a name
PARTY_NAME = re.compile(r"\?(.*[^\W\d_].*)")


def party(value: str | None, lang: str, groups: Mapping[str, str] | None) -> str:
    """A call line's extension or number as the bill page shows it: a hunt group's number as the group ("Satış
    (arama grubu 200)", the reports' words, reports.labels), a name the PBX sent instead of a number as the name."""
    value = value or ""
    if groups and value in groups:
        return Words(lang).value("hunt_group", value, groups)
    name = PARTY_NAME.fullmatch(value)
    return name.group(1) if name else value


MONEY = ("Cost", "Free", "To pay", "Amount", "Your share")


def _texts(cols: list[str], rows: list[list], b: Bill, lang: str, dash: bool = True) -> list[list[str]]:
    """The written cells: durations as m:ss, money with at least the currency's minor unit, "–" for no price."""
    places = pdf.currency_places(b.currency)
    out = []
    for row in rows:
        cells = []
        for col, v in zip(cols, row):
            if col == "Duration" and v is not None:
                cells.append(duration(v))
            elif col in MONEY and isinstance(v, Decimal):
                cells.append(pdf.format_number(v, lang, places))
            else:
                cells.append("–" if dash and col in MONEY and v is None else pdf.cell_text(v, lang))
        out.append(cells)
    return out


def _table(doc: pdf.Document, cols: list[str], rows: list[list], b: Bill, lang: str, total: list | None = None,
           **kw) -> None:
    cells = _texts(cols, rows, b, lang) + (_texts(cols, [total], b, lang, dash=False) if total else [])
    pdf.table(doc, [_heading(c, b, lang) for c in cols], rows, total, cells=cells, **kw)


def _calls(doc: pdf.Document, b: Bill, lang: str, groups: Mapping[str, str] | None = None) -> None:
    doc.heading(_t(lang, "Calls"))
    if not b.lines:
        doc.cell(0, 6, _t(lang, "No calls in this period."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    with_ext = len({line.extension for line in b.lines}) > 1
    cols = ["Date", "Time"] + (["Extension"] if with_ext else []) + ["Number", "Destination", "Duration",
                                                                     "Details", "Cost", "Free", "To pay"]
    rows: list[list[Any]] = [
        [_date(line.local_time, lang), line.local_time.strftime("%H:%M:%S")]
        + ([party(line.extension, lang, groups)] if with_ext else [])
        + [party(line.number, lang, groups), line.destination or _t(lang, line.kind), line.talk_s,
           _details(line, lang), line.cost, line.discount, line.amount] for line in b.lines]
    total = [_t(lang, "Total")] + [None] * (len(cols) - 6) + [
        sum(line.talk_s for line in b.lines), None, sum((line.cost or ZERO for line in b.lines), ZERO),
        sum((line.discount for line in b.lines), ZERO), sum((line.amount for line in b.lines), ZERO)]
    _table(doc, cols, rows, b, lang, total, size=7.5)


def _heading(column: str, b: Bill, lang: str) -> str:
    label = _t(lang, column)
    return f"{label} ({b.currency})" if b.currency and column in MONEY else label


def _date(d: datetime, lang: str) -> str:
    """A day as the language writes it in figures: 01.07.2017 (day first, the dots) in every language of the
    box but English, whose bills keep ISO 8601."""
    return d.date().isoformat() if lang == "en" else d.strftime("%d.%m.%Y")


def _subtotals(doc: pdf.Document, b: Bill, lang: str) -> None:
    if not b.subtotals:
        return
    doc.heading(_t(lang, "By class"))
    rows = [[_t(lang, kind), s["calls"], s["seconds"], s["cost"], s["discount"], s["amount"]]
            for kind, s in b.subtotals.items()]
    _table(doc, ["Class", "Calls", "Duration", "Cost", "Free", "To pay"], rows, b, lang)


def _allowances(doc: pdf.Document, b: Bill, lang: str) -> None:
    if not b.allowances:
        return
    doc.heading(_t(lang, "Allowances"))
    rows = []
    for u in b.allowances:
        unit = _t(lang, u.allowance.unit)
        rows.append([u.allowance.name, u.window, f"{pdf.format_number(u.used, lang)} {unit}",
                     f"{pdf.format_number(u.allowance.amount, lang)} {unit}",
                     f"{pdf.format_number(u.remaining, lang)} {unit}"])
    pdf.table(doc, [_t(lang, c) for c in ("Allowance", "Period", "Used", "Of", "Remaining")], rows,
              align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"))


def _line_charges(doc: pdf.Document, b: Bill, lang: str) -> None:
    if not b.line_charges:
        return
    doc.heading(_t(lang, "Line charges"))
    rows = [[c["trunk"], c["description"], _t(lang, c["basis"]), c["amount"], c["share"]] for c in b.line_charges]
    _table(doc, ["Trunk", "Description", "Basis", "Amount", "Your share"], rows, b, lang)


def bill_pdf(bill: Bill, lang: str = "en", generated: datetime | None = None,
             hunt_groups: Mapping[str, str] | None = None) -> bytes:
    """The bill as PDF bytes in `lang` (one of appliance.pdf.LANGS); every amount exactly as in `bill` (never
    rounded). `hunt_groups`: [directory] hunt_groups {number: name}, a call line's hunt group named as the page does."""
    b = bill
    until = datetime.fromtimestamp(b.period.until - 1, b.tz)
    since = datetime.fromtimestamp(b.period.since, b.tz)
    who = f"{b.name} ({b.subscriber})" if b.name else b.subscriber
    subtitle = f"{who}\n{b.period.label}: {_date(since, lang)} – {_date(until, lang)}"
    doc = pdf.Document(f"{_t(lang, 'Bill')} {b.period.label}", subtitle, lang, generated)
    doc.add_page()
    _calls(doc, b, lang, hunt_groups)
    _subtotals(doc, b, lang)
    _allowances(doc, b, lang)
    _line_charges(doc, b, lang)
    if doc.get_y() > doc.h - doc.b_margin - 20:
        doc.add_page()
    doc.ln(4)
    doc.set_font("DejaVu", "B", 12)
    doc.cell(0, 8, f"{_t(lang, 'Total to pay')}: {pdf.format_money(b.total, b.currency, lang)}", align="R",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(doc.output())
