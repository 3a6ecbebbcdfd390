"""An operator's itemised bill (CSV) read through a column map: one InvoiceLine per call, number in E.164 (RAT-9).

A column map names the columns (by their header text, so their order is free), the separator, the encoding and
how dates, durations and amounts are written. Maps for three operators ship in appliance/reconcile/maps.py (what
in them is documented and what is guessed: provisioning/reconcile/README.md); a site writes its own as an INI
file with a [map] section of the same keys.
"""
from __future__ import annotations

import configparser
import csv
import io
import logging
import re
from dataclasses import dataclass, fields, replace
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path

from appliance import localtime
from appliance.rating import numbering

log = logging.getLogger(__name__)
DURATIONS = ("seconds", "hms", "minutes")   # 75 | 0:01:15 or 01:15 | 1.25 (decimal minutes)


class InvoiceError(ValueError):
    """A map or an invoice that cannot be read; the message names the file, line and column."""


@dataclass(frozen=True)
class ColumnMap:
    """How one operator writes its itemised bill. Column fields hold header texts ("" = no such column)."""
    name: str
    operator: str = ""
    currency: str = ""
    delimiter: str = ";"
    encoding: str = "utf-8"            # tried after UTF-8 (with or without BOM) fails
    date: str = ""                     # the call's date, or date and time in one column (then time = "")
    time: str = ""
    number: str = ""                   # the number called, as the operator prints it
    duration: str = ""
    amount: str = ""                   # the call's price (as billed: the map says whether before VAT)
    line: str = ""                     # the subscriber line / trunk number the call was made on
    service: str = ""                  # the row's service type, to keep only calls (see `keep`)
    keep: tuple[str, ...] = ()         # values of `service` that are calls (case ignored); () = every row
    date_format: str = "%d.%m.%Y"      # strptime, for `date` (with the time part when there is no `time`)
    time_format: str = "%H:%M:%S"
    duration_format: str = "hms"       # one of DURATIONS
    decimal_comma: bool = True         # 1,25 (and 1.234,50); False: 1.25 (and 1,234.50)
    provenance: str = ""               # where the layout comes from, and what in it is guessed

    def check(self) -> ColumnMap:
        for key in ("date", "number", "duration", "amount"):
            if not getattr(self, key):
                raise InvoiceError(f"map {self.name}: {key} names no column")
        if self.duration_format not in DURATIONS:
            raise InvoiceError(f"map {self.name}: duration_format {self.duration_format!r} is not one of "
                               f"{', '.join(DURATIONS)}")
        if len(self.delimiter) != 1:
            raise InvoiceError(f"map {self.name}: delimiter must be one character (\\t for a tab)")
        return self


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One call as the operator billed it."""
    row: int                           # line number in the file (1-based), for the user to find it
    start_utc: int
    local: str                         # the start as printed, ISO (PBX local time)
    number: str                        # E.164 where it reads as a number, else the digits as printed
    printed: str                       # the number as the operator printed it
    duration_s: int
    amount: Decimal
    line: str = ""


def load_map(path: Path) -> ColumnMap:
    """A column map from an INI file's [map] section (keys: ColumnMap's fields; keep comma-separated)."""
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#",))
    try:
        parser.read_string(path.read_text(encoding="utf-8-sig"), str(path))
    except (OSError, configparser.Error) as e:
        raise InvoiceError(f"{path}: {e}") from None
    if not parser.has_section("map"):
        raise InvoiceError(f"{path}: no [map] section")
    known = {f.name for f in fields(ColumnMap)}
    values: dict = {"name": path.stem}
    for key, value in parser.items("map"):
        if key not in known:
            raise InvoiceError(f"{path} [map] {key}: unknown key (known: {', '.join(sorted(known))})")
        values[key] = value
    if "keep" in values:
        values["keep"] = tuple(v.strip() for v in values["keep"].split(",") if v.strip())
    if "decimal_comma" in values:
        values["decimal_comma"] = values["decimal_comma"].strip().lower() in ("1", "yes", "true", "on")
    if values.get("delimiter") in ("\\t", "tab"):
        values["delimiter"] = "\t"
    return ColumnMap(**values).check()


def _text(data: bytes, cmap: ColumnMap) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode(cmap.encoding, errors="replace")


def _amount(text: str, decimal_comma: bool) -> Decimal:
    t = re.sub(r"[^\d,.\-]", "", text)        # currency signs, spaces (1 234,50), NBSP
    t = t.replace(".", "").replace(",", ".") if decimal_comma else t.replace(",", "")
    return Decimal(t)


def _duration(text: str, form: str) -> int:
    t = text.strip()
    if form == "seconds":
        return int(Decimal(t.replace(",", ".")))
    if form == "minutes":
        return int((Decimal(t.replace(",", ".")) * 60).to_integral_value())
    parts = [int(p) for p in t.split(":")]
    if not 2 <= len(parts) <= 3:
        raise ValueError(f"{t!r} is not H:MM:SS or MM:SS")
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


def _header(rows: list[list[str]], cmap: ColumnMap) -> tuple[int, dict[str, int]]:
    """(index of the header row, {map field: column index}); operators put a title block above the table."""
    wanted = {k: getattr(cmap, k) for k in ("date", "time", "number", "duration", "amount", "line", "service")
              if getattr(cmap, k)}
    for i, row in enumerate(rows[:50]):
        cells = [c.strip().lower() for c in row]
        if all(w.lower() in cells for w in wanted.values()):
            return i, {k: cells.index(w.lower()) for k, w in wanted.items()}
    raise InvoiceError(f"no header row with the columns {', '.join(repr(w) for w in wanted.values())} "
                       f"in the first 50 lines (map {cmap.name}: is it this operator's file?)")


def read_invoice(data: bytes, cmap: ColumnMap, plan: numbering.NumberingPlan, tz: tzinfo,
                 source: str = "invoice") -> list[InvoiceLine]:
    """The calls of an itemised bill; InvoiceError naming the line and column of the first bad cell."""
    cmap.check()
    plan = replace(plan, access_codes=())     # the operator prints the number without the PBX's access code
    rows = list(csv.reader(io.StringIO(_text(data, cmap)), delimiter=cmap.delimiter))
    head, col = _header(rows, cmap)
    keep = {k.lower() for k in cmap.keep}
    out = []
    for i, row in enumerate(rows[head + 1:], head + 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(col.values()):
            continue           # a subtotal or footer line shorter than the table
        if keep and row[col["service"]].strip().lower() not in keep:
            continue
        where = "date"
        try:
            when = row[col["date"]].strip()
            fmt = cmap.date_format
            if "time" in col:
                when, fmt = f"{when} {row[col['time']].strip()}", f"{fmt} {cmap.time_format}"
            local = datetime.strptime(when, fmt)
            where = "duration"
            duration = _duration(row[col["duration"]], cmap.duration_format)
            where = "amount"
            amount = _amount(row[col["amount"]], cmap.decimal_comma)
        except (ValueError, InvalidOperation) as e:
            raise InvoiceError(f"{source} line {i}, column {getattr(cmap, where)!r}: {e}") from None
        printed = row[col["number"]].strip()
        digits = re.sub(r"[\s\-/().]", "", printed)
        number = numbering.normalize(digits, plan) if digits else ""
        out.append(InvoiceLine(i, localtime.to_utc(local, tz)[0], local.isoformat(), number, printed, duration,
                               amount, row[col["line"]].strip() if "line" in col else ""))
    return out
