"""Report exports: CSV and PDF files with ASCII-safe names (Content-Disposition attachment)."""
from __future__ import annotations

import csv
import io
import logging
import re

from bottle import response

from appliance.pdf import child as pdf_child
from appliance.pdf.chart import Chart
from appliance.reports import csv_cells
from webui.i18n import language
from webui.reports.common import Table, exact

log = logging.getLogger(__name__)


def filename(*parts: str) -> str:
    """An ASCII file name (a header is Latin-1): "Satış 2024-03" -> "Sat-s-2024-03"."""
    text = "-".join(p for p in parts if p)
    return re.sub(r"-{2,}", "-", "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in text))


def attachment(body: str | bytes, name: str, content_type: str) -> str | bytes:
    response.content_type = content_type
    response.set_header("Content-Disposition", f'attachment; filename="{name}"')
    response.set_header("Cache-Control", "no-store")
    return body


def table_csv(columns: list[str], rows: list[list]) -> str:
    """Rows as CSV in the engine's way (header, CRLF, None empty)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(csv_cells.row(columns))
    for row in rows:
        w.writerow(csv_cells.row(row))   # PBX text neutralised against formula injection (csv_cells)
    return out.getvalue()


def pdf_bytes(title: str, subtitle: str, columns: list[str], rows: list[list], chart: Chart | list[Chart] | None,
              totals: list | None = None, align: list[str] | None = None) -> bytes:
    """pdf.report_pdf in the user's language; floats (rates, erlangs) as exact-looking decimals. Made in a child
    process: fpdf2 and the fonts (~40 MB) never enter the web's (appliance.pdf.child)."""
    clean = [[exact(v) if isinstance(v, float) else v for v in r] for r in rows]
    return pdf_child.render("appliance.pdf.document:report_pdf", title, subtitle, columns, clean, chart, language(),
                            totals=totals, align=align)


def table_pdf(title: str, subtitle: str, table: Table, chart: Chart | None) -> bytes:
    """A shown Table as PDF (its texts as on the page, numbers right-aligned), with the chart above it; made in a
    child process as pdf_bytes says."""
    rows = [[t for t, _n in cells] for cells, _link in table.rows]
    numeric = [any(c[i][1] for c, _link in table.rows) or bool(table.totals and table.totals[i][1])
               for i in range(len(table.columns))]
    totals = [t for t, _n in table.totals] if table.totals is not None else None
    return pdf_child.render("appliance.pdf.shown_table:shown_table_pdf", title, subtitle, language(),
                            list(table.columns), rows, numeric, totals, chart)
