"""A scheduled report's files (REP-10, issue 20): its PDF and CSV in the recipient's language, saying what the web's
report page says (appliance.reports.labels): the page's headings, not the engine's column keys ("talk_s"); times as
h:mm:ss, not seconds; dimension values in words (weekdays by name, bands, "(no department)"); numbers and money by the
language's locale. The CSV keeps its cells as data (seconds, exact decimals) and says the unit in its headings
("Talk (s)", "Cost (EUR)")."""
from __future__ import annotations

from typing import Any, Mapping

from appliance.pdf.report_chart import SECONDS, Texts, exact, result_charts
from appliance.reports import engine as reports
from appliance.reports.dims import MEASURES
from appliance.reports.labels import Words, duration, words


def _cell(w: Words, column: str, value: Any, groups: Mapping[str, str] | None = None) -> Any:
    """A PDF cell as the page shows it: a dimension's value in words (a hunt group's number as the group, by
    `groups`), seconds as h:mm:ss; other numbers stay numbers (the PDF writes them for its language)."""
    if column not in MEASURES:
        return w.value(column, value, groups)
    if value is None:
        return None
    return duration(value) if column in SECONDS else exact(value)


def csv_text(result: reports.Result, lang: str) -> str:
    """The result's CSV with the headings in `lang` and their units."""
    w = words(lang)
    currency = "" if "currency" in result.columns else result.currency
    return reports.to_csv(result, header=[w.csv_heading(c, currency) for c in result.columns],
                          total=w.text("Total"))


def pdf_bytes(title: str, subtitle: str, result: reports.Result, lang: str) -> bytes:
    """The result's PDF in `lang`: its charts (one per measure), then the table with its totals."""
    from appliance.pdf import document as pdf   # fpdf2 (~45 MB) in the jobs and web processes only for a PDF
    w = words(lang)
    currency = "" if "currency" in result.columns else result.currency
    columns = [w.heading(c, currency) for c in result.columns]
    groups = result.hunt_groups     # the [directory] hunt_groups the report was run with
    rows = [[_cell(w, c, v, groups) for c, v in zip(result.columns, r)] for r in result.rows]
    totals = None
    if result.ndims and result.rows:
        totals = [w.text("Total")] + [""] * (result.ndims - 1) + [
            _cell(w, c, v) for c, v in zip(result.columns[result.ndims:], result.totals[result.ndims:])]
    align = ["RIGHT" if c in MEASURES else "LEFT" for c in result.columns]
    charts = result_charts(result, Texts(lambda c, v: w.value(c, v, groups), w.label, w.other))
    return pdf.report_pdf(title, subtitle, columns, rows, charts, lang=w.lang, totals=totals, align=align)


def files(formats: list[str], base: str, title: str, subtitle: str, result: reports.Result,
          lang: str) -> list[tuple[str, bytes]]:
    """The report as attachments/uploads: (file name, bytes) per format."""
    return [(f"{base}.csv", csv_text(result, lang).encode("utf-8")) if fmt == "csv"
            else (f"{base}.pdf", pdf_bytes(title, subtitle, result, lang)) for fmt in formats]
