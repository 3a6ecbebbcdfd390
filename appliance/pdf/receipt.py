"""A checkout's receipt (SHOP-1) as a PDF 80 mm wide, for a thermal receipt printer's paper (72 mm printed): the
shop, the date, each call (booth, number, destination, duration, price), the additional items, the charges, the
amount taken (rounded to [shop] round_to), the amount given and the change. One page as long as its lines."""
from __future__ import annotations

import json
from datetime import datetime, timezone, tzinfo
from decimal import Decimal

from fpdf import FPDF, XPos, YPos

from appliance.pdf import document as pdf
from appliance.pdf.bill import duration
from appliance.store.shop import ShopPayment

WIDTH_MM, MARGIN_MM, LINE_MM = 80, 4, 4.2
TEXT = {
    "tr": {"Deposit": "Depozito", "Receipt": "Fiş", "Session": "Oturum", "Cashier": "Kasiyer",
           "Calls": "Aramalar", "Items": "Ürünler",
           "Call charges": "Arama ücretleri", "To take": "Alınacak", "Paid": "Ödenen", "Change": "Para üstü"},
    "bg": {"Deposit": "Депозит", "Receipt": "Касова бележка", "Session": "Смяна", "Cashier": "Касиер",
           "Calls": "Разговори",
           "Items": "Артикули", "Call charges": "Такси за разговори", "To take": "За плащане", "Paid": "Платено",
           "Change": "Ресто"},
    "az": {"Deposit": "Depozit", "Receipt": "Qəbz", "Session": "Növbə", "Cashier": "Kassir",
           "Calls": "Zənglər", "Items": "Məhsullar",
           "Call charges": "Zəng haqları", "To take": "Alınacaq", "Paid": "Ödənilən", "Change": "Qalıq"},
    "cs": {"Deposit": "Záloha", "Receipt": "Účtenka", "Session": "Směna", "Cashier": "Pokladní",
           "Calls": "Hovory", "Items": "Položky",
           "Call charges": "Poplatky za hovory", "To take": "K úhradě", "Paid": "Zaplaceno", "Change": "Vráceno"},
    "nb": {"Deposit": "Depositum", "Receipt": "Kvittering", "Session": "Skift", "Cashier": "Kasserer",
           "Calls": "Samtaler", "Items": "Varer",
           "Call charges": "Samtalekostnader", "To take": "Å betale", "Paid": "Betalt", "Change": "Veksel"},
}


def _t(lang: str, word: str) -> str:
    return TEXT.get(lang, {}).get(word, word)


def receipt_pdf(p: ShopPayment, shop_name: str = "", lang: str = "en", tz: tzinfo = timezone.utc) -> bytes:
    """The receipt as PDF bytes, 80 mm wide, in `lang` (amounts as stored, with the language's separators)."""
    lang = lang if lang in pdf.LANGS else "en"
    calls, items = json.loads(p.calls), json.loads(p.items)
    places = pdf.currency_places(p.currency)

    def money(text: str) -> str:
        return pdf.format_number(Decimal(text), lang, places)
    rows: list[tuple[str, str, bool]] = []     # (left, right, bold)
    if calls:
        rows.append((_t(lang, "Calls"), "", True))
        for c in calls:
            rows.append((f"{c['booth']} {c['number']}", "", False))
            rows.append((f"  {c['destination']} {duration(c['talk_s'])}", money(c["sell"]), False))
    if items:
        rows.append((_t(lang, "Items"), "", True))
        for i in items:
            rows.append((f"{i['qty']} × {i['name']}", money(i["amount"]), False))
    rows += [("", "", False), (_t(lang, "Call charges"), money(p.charges), False)]
    if items:
        rows.append((_t(lang, "Items"), money(p.items_total), False))
    rows.append((f"{_t(lang, 'To take')} ({p.currency})", money(p.to_take), True))
    if Decimal(p.deposit):
        rows.append((_t(lang, "Deposit"), money(p.deposit), False))
    rows += [(_t(lang, "Paid"), money(p.given), False), (_t(lang, "Change"), money(p.change), True)]
    head = [shop_name or "Callbox", f"{_t(lang, 'Receipt')} #{p.id}",
            datetime.fromtimestamp(p.paid_utc, tz).strftime("%Y-%m-%d %H:%M"),
            f"{_t(lang, 'Session')} {p.session.id} · {_t(lang, 'Cashier')} {p.operator}"]
    height = 2 * MARGIN_MM + LINE_MM * (len(head) + len(rows) + 2)
    doc = FPDF(orientation="P", unit="mm", format=(WIDTH_MM, max(height, 60)))
    for style, name in pdf.FONT_FILES.items():
        doc.add_font("DejaVu", style, str(pdf.FONT_DIR / name))
    doc.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    doc.set_auto_page_break(False)
    doc.set_title(f"{_t(lang, 'Receipt')} #{p.id}")
    doc.set_creator("Callbox")
    doc.add_page()
    doc.set_font("DejaVu", "B", 10)
    doc.cell(0, LINE_MM + 1, head[0], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("DejaVu", "", 8)
    for line in head[1:]:
        doc.cell(0, LINE_MM, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(1)
    for left, right, bold in rows:
        doc.set_font("DejaVu", "B" if bold else "", 8)
        y = doc.get_y()
        doc.cell(doc.epw - 18, LINE_MM, left)
        doc.set_xy(MARGIN_MM, y)
        doc.cell(0, LINE_MM, right, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(doc.output())
