"""Column maps of three operators' itemised bills, and finding a map by name or file (RAT-9).

What each operator documents publicly is the list of fields of its itemised bill; none publishes the CSV's
header texts, separator or number formats, so those are written as the operator's web export is expected to
write them and are marked guessed in `provenance`. Check them against a real file before trusting a result
(provisioning/reconcile/README.md says how to write a site's own map).
"""
from __future__ import annotations

from pathlib import Path

from appliance.reconcile.invoice import ColumnMap, InvoiceError, load_map

BUILTIN = {m.name: m for m in (
    ColumnMap(
        name="tr_turk_telekom", operator="Türk Telekom", currency="TRY", delimiter=";", encoding="cp1254",
        date="Tarih", time="Saat", number="Aranan Numara", duration="Süre", amount="Tutar (TL)",
        line="Hizmet No", date_format="%d.%m.%Y", time_format="%H:%M:%S", duration_format="hms",
        decimal_comma=True,
        provenance="Türk Telekom documents a detailed usage statement (detaylı döküm) per service number (Hizmet No, "
                   "as printed on its invoices); the column headers, the ';' separator, cp1254 and the formats are "
                   "GUESSED (no published CSV layout was found)."),
    ColumnMap(
        name="cz_o2", operator="O2 Czech Republic", currency="CZK", delimiter=";", encoding="cp1250",
        date="Datum", time="Čas", number="Volané číslo", duration="Délka", amount="Cena bez DPH",
        line="Telefonní číslo", service="Služba", keep=("Hovor", "Volání"), date_format="%d.%m.%Y",
        time_format="%H:%M:%S", duration_format="hms", decimal_comma=True,
        provenance="The fields (date, time of the call, number called, duration, price without VAT, time band, "
                   "network type) are those Czech operators' detailed statements (podrobný výpis) list, per "
                   "mobil.idnes.cz's comparison and O2's 'Detailed Billing' call types (o2.cz); the exact header "
                   "texts, ';', cp1250 and the formats are GUESSED."),
    ColumnMap(
        name="no_telenor", operator="Telenor Norge", currency="NOK", delimiter=";", encoding="cp1252",
        date="Dato", time="Klokkeslett", number="Nummer", duration="Varighet", amount="Beløp",
        line="Fra nummer", date_format="%d.%m.%Y", time_format="%H:%M:%S", duration_format="hms",
        decimal_comma=True,
        provenance="Telenor documents its itemised invoice (spesifisert faktura) as the numbers called with time, "
                   "duration and cost (telenor.no, 'Forstå fakturaen din'); the header texts, ';', cp1252 and the "
                   "formats are GUESSED."),
)}


def find_map(name_or_path: str) -> ColumnMap:
    """A built-in map by name, or a map file (INI, [map] section)."""
    if name_or_path in BUILTIN:
        return BUILTIN[name_or_path]
    path = Path(name_or_path)
    if path.suffix.lower() in (".ini", ".cfg", ".map") or path.exists():
        if not path.is_file():
            raise InvoiceError(f"no such map file: {path}")
        return load_map(path)
    raise InvoiceError(f"no column map {name_or_path!r} (built in: {', '.join(BUILTIN)}; or a map file)")
