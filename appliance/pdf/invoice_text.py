"""The words of the invoice PDF (appliance/pdf/invoice.py) in each language of appliance.pdf.LANGS; English is the
key. A word a language lacks is shown in English."""
from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "tr": {"Call list": "Arama listesi", "Extension": "Dahili",
           "Invoice": "Fatura", "Credit note": "İade faturası", "Customer": "Müşteri", "Period": "Dönem",
           "Issued": "Düzenlenme tarihi", "Corrects": "Düzelttiği fatura", "Date": "Tarih", "Time": "Saat",
           "Number": "Numara", "Destination": "Yön", "Duration": "Süre", "Description": "Açıklama",
           "Amount": "Tutar", "Calls": "Aramalar", "Other items": "Diğer kalemler", "Net": "Ara toplam",
           "Tax": "Vergi", "Total": "Toplam", "No calls in this period.": "Bu dönemde arama yok."},
    "bg": {"Call list": "Списък на разговорите", "Extension": "Вътр. номер",
           "Invoice": "Фактура", "Credit note": "Кредитно известие", "Customer": "Клиент", "Period": "Период",
           "Issued": "Дата на издаване", "Corrects": "Коригира", "Date": "Дата", "Time": "Час", "Number": "Номер",
           "Destination": "Посока", "Duration": "Продълж.", "Description": "Описание", "Amount": "Сума",
           "Calls": "Разговори", "Other items": "Други позиции", "Net": "Сума без данък", "Tax": "Данък",
           "Total": "Общо", "No calls in this period.": "Няма разговори в този период."},
    "az": {"Call list": "Zəng siyahısı", "Extension": "Daxili nömrə",
           "Invoice": "Hesab-faktura", "Credit note": "Kredit qaiməsi", "Customer": "Müştəri", "Period": "Dövr",
           "Issued": "Verilmə tarixi", "Corrects": "Düzəldir", "Date": "Tarix", "Time": "Saat", "Number": "Nömrə",
           "Destination": "İstiqamət", "Duration": "Müddət", "Description": "Təsvir", "Amount": "Məbləğ",
           "Calls": "Zənglər", "Other items": "Digər bəndlər", "Net": "Vergisiz məbləğ", "Tax": "Vergi",
           "Total": "Cəmi", "No calls in this period.": "Bu dövrdə zəng yoxdur."},
    "cs": {"Call list": "Seznam hovorů", "Extension": "Klapka",
           "Invoice": "Faktura", "Credit note": "Dobropis", "Customer": "Zákazník", "Period": "Období",
           "Issued": "Datum vystavení", "Corrects": "Opravuje", "Date": "Datum", "Time": "Čas", "Number": "Číslo",
           "Destination": "Cíl", "Duration": "Délka", "Description": "Popis", "Amount": "Částka",
           "Calls": "Hovory", "Other items": "Další položky", "Net": "Základ daně", "Tax": "Daň",
           "Total": "Celkem", "No calls in this period.": "V tomto období nejsou žádné hovory."},
    "nb": {"Call list": "Samtaleliste", "Extension": "Internnummer",
           "Invoice": "Faktura", "Credit note": "Kreditnota", "Customer": "Kunde", "Period": "Periode",
           "Issued": "Utstedt", "Corrects": "Korrigerer", "Date": "Dato", "Time": "Klokkeslett", "Number": "Nummer",
           "Destination": "Destinasjon", "Duration": "Varighet", "Description": "Beskrivelse", "Amount": "Beløp",
           "Calls": "Samtaler", "Other items": "Andre poster", "Net": "Netto", "Tax": "MVA", "Total": "Totalt",
           "No calls in this period.": "Ingen samtaler i denne perioden."},
}


def text(lang: str, message: str) -> str:
    """`message` in `lang` (English when the language or the word is missing)."""
    return TEXT.get(lang, {}).get(message, message)


ROUNDING_EN = ("Rounding: each call rounded up to {minor}; net = the exact sum of the lines; tax = net × rate, rounded "
               "half up to {minor} once")
for _lang, _text in {
        "tr": "Yuvarlama: her arama {minor} birimine yukarı yuvarlanır; ara toplam = satırların tam toplamı; vergi = "
              "ara toplam × oran, bir kez {minor} birimine yarım yukarı yuvarlanır",
        "bg": "Закръгляне: всеки разговор нагоре до {minor}; сума без данък = точният сбор на редовете; данък = "
              "сума × ставка, закръглен веднъж до {minor} (половината нагоре)",
        "az": "Yuvarlaqlaşdırma: hər zəng {minor} vahidinə yuxarı yuvarlaqlaşdırılır; vergisiz məbləğ = sətirlərin "
              "dəqiq cəmi; vergi = məbləğ × dərəcə, bir dəfə {minor} vahidinə yarı yuxarı yuvarlaqlaşdırılır",
        "cs": "Zaokrouhlení: každý hovor nahoru na {minor}; základ daně = přesný součet řádků; daň = základ × sazba, "
              "jednou zaokrouhlená na {minor} (polovina nahoru)",
        "nb": "Avrunding: hver samtale rundet opp til {minor}; netto = den nøyaktige summen av linjene; MVA = netto × "
              "sats, rundet av én gang til {minor} (halvparten opp)"}.items():
    TEXT[_lang][ROUNDING_EN] = _text
