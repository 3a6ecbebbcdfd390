"""The words of the bill PDF (appliance/pdf/bill.py) in each language of appliance.pdf.LANGS; English is the key.

Keys are the bill's headings and the stored values it shows: number classes (local, long_distance...), allowance
units (minutes, money) and line-charge bases (cost, duration, calls, equal). A word a language lacks is shown in
English, with "_" as a space.
"""
from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "tr": {"Bill": "Fatura", "Calls": "Aramalar", "Date": "Tarih", "Time": "Saat", "Extension": "Dahili",
           "Number": "Numara", "Destination": "Yön", "Duration": "Süre", "Details": "Ayrıntı", "Cost": "Ücret",
           "Free": "İndirim", "To pay": "Ödenecek", "Total": "Toplam", "By class": "Sınıfa göre", "Class": "Sınıf",
           "Allowances": "Kullanım hakları", "Allowance": "Hak", "Period": "Dönem", "Used": "Kullanılan",
           "Of": "Toplam hak", "Remaining": "Kalan", "Line charges": "Hat ücretleri", "Trunk": "Hat",
           "Description": "Açıklama", "Basis": "Paylaşım", "Amount": "Tutar", "Your share": "Payınız",
           "Total to pay": "Ödenecek toplam", "No calls in this period.": "Bu dönemde arama yok.",
           "connection fee": "bağlantı ücreti", "not priced": "fiyatlandırılmadı", "minutes": "dakika",
           "local": "Şehir içi", "long_distance": "Şehirlerarası", "mobile": "Mobil",
           "international_fixed": "Uluslararası sabit", "international_mobile": "Uluslararası mobil",
           "toll_free": "Ücretsiz hat", "premium": "Özel ücretli", "emergency": "Acil",
           "short_code": "Kısa numara", "internal": "Dahili", "unknown": "Bilinmiyor", "cost": "ücrete göre",
           "duration": "süreye göre", "calls": "arama sayısına göre", "equal": "eşit"},
    "bg": {"Bill": "Сметка", "Calls": "Разговори", "Date": "Дата", "Time": "Час", "Extension": "Вътр. номер",
           "Number": "Номер", "Destination": "Посока", "Duration": "Продълж.", "Details": "Детайли",
           "Cost": "Цена", "Free": "Безплатно", "To pay": "За плащане", "Total": "Общо", "By class": "По клас",
           "Class": "Клас", "Allowances": "Безплатни обеми", "Allowance": "Безплатен обем", "Period": "Период",
           "Used": "Използвано", "Of": "От общо", "Remaining": "Остатък", "Line charges": "Такси за линии",
           "Trunk": "Транк", "Description": "Описание", "Basis": "Разпределение", "Amount": "Сума",
           "Your share": "Вашият дял", "Total to pay": "Общо за плащане",
           "No calls in this period.": "Няма разговори в този период.", "connection fee": "такса за свързване",
           "not priced": "не е тарифиран", "minutes": "минути", "local": "Местни", "long_distance": "Междуградски",
           "mobile": "Мобилни", "international_fixed": "Международни стационарни",
           "international_mobile": "Международни мобилни", "toll_free": "Безплатни номера",
           "premium": "С добавена стойност", "emergency": "Спешни", "short_code": "Кратки номера",
           "internal": "Вътрешни", "unknown": "Неизвестно", "cost": "по цена", "duration": "по продължителност",
           "calls": "по брой разговори", "equal": "поравно"},
    "az": {"Bill": "Hesab", "Calls": "Zənglər", "Date": "Tarix", "Time": "Saat", "Extension": "Daxili nömrə",
           "Number": "Nömrə", "Destination": "İstiqamət", "Duration": "Müddət", "Details": "Təfərrüat",
           "Cost": "Dəyər", "Free": "Pulsuz", "To pay": "Ödəniləcək", "Total": "Cəmi", "By class": "Sinfə görə",
           "Class": "Sinif", "Allowances": "Pulsuz həcmlər", "Allowance": "Pulsuz həcm", "Period": "Dövr",
           "Used": "İstifadə edilib", "Of": "Cəmi həcm", "Remaining": "Qalan", "Line charges": "Xətt haqları",
           "Trunk": "Xətt", "Description": "Təsvir", "Basis": "Bölüşdürmə", "Amount": "Məbləğ",
           "Your share": "Sizin payınız", "Total to pay": "Cəmi ödəniləcək",
           "No calls in this period.": "Bu dövrdə zəng yoxdur.", "connection fee": "qoşulma haqqı",
           "not priced": "qiymətləndirilməyib", "minutes": "dəqiqə", "local": "Yerli",
           "long_distance": "Şəhərlərarası", "mobile": "Mobil", "international_fixed": "Beynəlxalq sabit",
           "international_mobile": "Beynəlxalq mobil", "toll_free": "Pulsuz nömrə", "premium": "Yüksək tarifli",
           "emergency": "Təcili", "short_code": "Qısa nömrə", "internal": "Daxili", "unknown": "Naməlum",
           "cost": "dəyərə görə", "duration": "müddətə görə", "calls": "zəng sayına görə", "equal": "bərabər"},
    "cs": {"Bill": "Vyúčtování", "Calls": "Hovory", "Date": "Datum", "Time": "Čas", "Extension": "Klapka",
           "Number": "Číslo", "Destination": "Cíl", "Duration": "Délka", "Details": "Podrobnosti", "Cost": "Cena",
           "Free": "Zdarma", "To pay": "K úhradě", "Total": "Celkem", "By class": "Podle třídy", "Class": "Třída",
           "Allowances": "Volné jednotky", "Allowance": "Volné jednotky", "Period": "Období", "Used": "Čerpáno",
           "Of": "Z celkem", "Remaining": "Zbývá", "Line charges": "Poplatky za linky", "Trunk": "Trunk",
           "Description": "Popis", "Basis": "Rozdělení", "Amount": "Částka", "Your share": "Váš podíl",
           "Total to pay": "Celkem k úhradě", "No calls in this period.": "V tomto období nejsou žádné hovory.",
           "connection fee": "poplatek za spojení", "not priced": "neoceněno", "minutes": "minuty",
           "local": "Místní", "long_distance": "Meziměstské", "mobile": "Mobilní",
           "international_fixed": "Mezinárodní pevné", "international_mobile": "Mezinárodní mobilní",
           "toll_free": "Bezplatná čísla", "premium": "Prémiové", "emergency": "Tísňová volání",
           "short_code": "Krátká čísla", "internal": "Interní", "unknown": "Neznámé", "cost": "podle ceny",
           "duration": "podle délky", "calls": "podle počtu hovorů", "equal": "rovným dílem"},
    "nb": {"Bill": "Regning", "Calls": "Samtaler", "Date": "Dato", "Time": "Klokkeslett",
           "Extension": "Internnummer", "Number": "Nummer", "Destination": "Destinasjon", "Duration": "Varighet",
           "Details": "Detaljer", "Cost": "Kostnad", "Free": "Gratis", "To pay": "Å betale", "Total": "Totalt",
           "By class": "Etter klasse", "Class": "Klasse", "Allowances": "Inkluderte kvoter",
           "Allowance": "Inkludert kvote", "Period": "Periode", "Used": "Brukt", "Of": "Av totalt",
           "Remaining": "Gjenstår", "Line charges": "Linjeavgifter", "Trunk": "Trunk", "Description": "Beskrivelse",
           "Basis": "Fordeling", "Amount": "Beløp", "Your share": "Din andel", "Total to pay": "Totalt å betale",
           "No calls in this period.": "Ingen samtaler i denne perioden.", "connection fee": "startpris",
           "not priced": "ikke priset", "minutes": "minutter", "local": "Lokal", "long_distance": "Fjernsamtaler",
           "mobile": "Mobil", "international_fixed": "Utland fasttelefon", "international_mobile": "Utland mobil",
           "toll_free": "Grønt nummer", "premium": "Overtakserte tjenester", "emergency": "Nødnummer",
           "short_code": "Kortnummer", "internal": "Intern", "unknown": "Ukjent", "cost": "etter kostnad",
           "duration": "etter varighet", "calls": "etter antall samtaler", "equal": "like andeler"},
}
# a central's bill of a branch box's calls (appliance/billing/received.py): each line's note
for _lang, _word in {"tr": "şubede fiyatlandırıldı", "bg": "тарифиран в клона", "az": "filialda qiymətləndirilib",
                     "cs": "oceněno na pobočce", "nb": "priset i filialen"}.items():
    TEXT[_lang]["priced on the branch"] = _word


def text(lang: str, message: str) -> str:
    """`message` of the bill in `lang` (English, "_" as a space, when the language lacks it)."""
    return TEXT.get(lang, {}).get(message) or message.replace("_", " ")
