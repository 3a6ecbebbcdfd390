"""A customer's call list for a period (REP-9) as PDF, on its own: every call with its sell price, and the totals
(calls, talk time, amount) that an invoice of the period would bill."""
from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from appliance.customers.customers import PricedCall
from appliance.pdf import document as pdf
from appliance.pdf import invoice_text
from appliance.pdf.bill import duration
from appliance.store.customers import Customer

log = logging.getLogger(__name__)
ZERO = Decimal(0)


def call_list_pdf(customer: Customer, calls: list[PricedCall], currency: str, period: str, lang: str = "en",
                  generated: datetime | None = None) -> bytes:
    """The call list as PDF bytes in `lang`: date, time, extension, number, destination, duration, amount."""
    def t(word: str) -> str:
        return invoice_text.text(lang, word)
    places = pdf.currency_places(currency)
    rows: list[list[Any]] = []
    for c in calls:
        at = datetime.fromisoformat(c.start)
        rows.append([at.date().isoformat() if lang == "en" else at.strftime("%d.%m.%Y"), at.strftime("%H:%M:%S"),
                     c.extension, c.number, c.destination, duration(c.talk_s),
                     "–" if c.sell is None else pdf.format_number(c.sell, lang, places)])
    total = sum((c.sell or ZERO for c in calls), ZERO)
    totals = [t("Total"), "", "", str(len(calls)), "", duration(sum(c.talk_s for c in calls)),
              pdf.format_number(total, lang, places)]
    cols = [t(w) for w in ("Date", "Time", "Extension", "Number", "Destination", "Duration")] + \
        [f"{t('Amount')} ({currency})"]
    return pdf.report_pdf(f"{t('Call list')} {period}", f"{t('Customer')}: {customer.name} ({customer.code})", cols,
                          rows, lang=lang, totals=totals, generated=generated,
                          align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"))
