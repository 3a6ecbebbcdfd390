"""A table as the web shows it (its cells' texts, numeric columns right-aligned), with its chart above, as PDF: the
web's report and call-centre exports (webui/reports/export.py), made in a child process (appliance.pdf.child)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from appliance.pdf import chart as pdf_chart
from appliance.pdf import document as pdf
from appliance.pdf.chart import Chart


def shown_table_pdf(title: str, subtitle: str, lang: str, columns: Sequence[str], rows: list[list[str]],
                    numeric: Sequence[bool], totals: list[str] | None, chart: Chart | None,
                    generated: datetime | None = None) -> bytes:
    """`rows` of texts under `columns`, the bold `totals` row if any; `numeric`: per column, right-aligned."""
    doc = pdf.Document(title, subtitle, lang, generated)
    doc.add_page()
    if chart is not None and chart.labels:
        top = doc.get_y()
        pdf_chart.draw(doc, chart, doc.l_margin, top, doc.epw, pdf.CHART_H,
                       lambda v: pdf.format_number(v, doc.lang))
        doc.set_xy(doc.l_margin, top + pdf.CHART_H + 4)
        doc.set_font("DejaVu", "", 9)
        doc.set_text_color(0)
    if not rows and totals is None:
        doc.cell(0, 6, pdf.text(doc.lang, "No rows"))
        return bytes(doc.output())
    pdf.table(doc, columns, rows, totals or None, cells=rows + ([totals] if totals else []),
              align=["RIGHT" if n else "LEFT" for n in numeric])
    return bytes(doc.output())
