"""PDF reports with fpdf2: A4 pages with a header and page numbers, a paginating table, an optional chart."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import TableCellFillMode

from appliance.pdf import LANGS, chart as pdf_chart
from appliance.pdf.chart import Chart

try:   # Babel knows every locale's separators and currency symbols; without it, our two languages still work
    from babel.numbers import format_currency as _babel_currency
    from babel.numbers import format_decimal as _babel_decimal
    from babel.numbers import get_currency_precision as _babel_precision
except ImportError:   # pragma: no cover - Babel is pinned in setup.cfg
    _babel_currency = _babel_decimal = _babel_precision = None   # type: ignore[assignment]

log = logging.getLogger(__name__)
# fontTools logs a dozen INFO lines per PDF it subsets: noise in every process's log, and on a stderr pipe
# nobody reads (a test's web process) enough of them fill the pipe and block the process.
logging.getLogger("fontTools").setLevel(logging.WARNING)
__all__ = ["Chart", "Document", "format_money", "format_number", "report_pdf", "table"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")     # Debian fonts-dejavu-core (STACK.md §7)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}   # every style used, no more (each costs ~0.1 s)
SEPARATORS = {"en": (",", "."), "tr": (".", ","), "az": (".", ","), "bg": ("\u00a0", ","), "cs": ("\u00a0", ","),
              "nb": ("\u00a0", ",")}       # (group, decimal) when Babel is missing
TEXT = {"tr": {"Page {n} of {nb}": "Sayfa {n} / {nb}", "Generated": "Oluşturulma", "Total": "Toplam",
               "No rows": "Satır yok"},
        "bg": {"Page {n} of {nb}": "Страница {n} от {nb}", "Generated": "Създаден", "Total": "Общо",
               "No rows": "Няма редове"},
        "az": {"Page {n} of {nb}": "Səhifə {n} / {nb}", "Generated": "Yaradılıb", "Total": "Cəmi",
               "No rows": "Sətir yoxdur"},
        "cs": {"Page {n} of {nb}": "Strana {n} z {nb}", "Generated": "Vytvořeno", "Total": "Celkem",
               "No rows": "Žádné řádky"},
        "nb": {"Page {n} of {nb}": "Side {n} av {nb}", "Generated": "Generert", "Total": "Totalt",
               "No rows": "Ingen rader"}}
HEAD_FILL, ZEBRA, RULE = (220, 228, 238), (244, 246, 249), (170, 170, 170)
CHART_H = 70.0
CHART_H_SEVERAL = 55.0     # each chart's height when a report charts several measures


def text(lang: str, message: str) -> str:
    """The PDF's own few words in `lang` (English is the key)."""
    return TEXT.get(lang, {}).get(message, message)


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"PDF language {lang!r} is not one of {', '.join(LANGS)}")
    return lang


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_number(value: int | Decimal, lang: str = "en", min_places: int = 0) -> str:
    """An int or Decimal with the language's separators, keeping every decimal place it has (0.50 stays 0.50),
    and at least `min_places` (0 -> 0.00 with 2)."""
    _check_lang(lang)
    d = Decimal(value)
    if not d.is_finite():
        raise ValueError(f"cannot format {value!r}")
    places = max(_places(d), min_places)
    d = d.quantize(Decimal(1).scaleb(-places))   # only adds zeros: places >= the digits it has
    if _babel_decimal is not None:
        return _babel_decimal(d, format="#,##0" + ("." + "0" * places if places else ""), locale=lang)
    group, point = SEPARATORS[lang]
    return f"{d:,f}".replace(",", "\0").replace(".", point).replace("\0", group)


def format_money(value: Decimal, currency: str, lang: str = "en") -> str:
    """An amount with its currency for `lang` (₺12,50 in Turkish, TRY 12.50 in English), never rounded: an amount
    finer than the currency's minor unit keeps its digits. No currency: the number alone."""
    if not currency:
        return format_number(value, lang)
    _check_lang(lang)
    if _babel_currency is None:
        return f"{format_number(value, lang, currency_places(currency))} {currency}"
    out = _babel_currency(Decimal(value), currency, locale=lang, decimal_quantization=False)
    return re.sub(r"([A-Z]{3})(?=\d)", "\\1\u00a0", out)   # Babel glues a code to the digits: TRY92.79


def currency_places(currency: str) -> int:
    """The currency's minor-unit digits (2 for TRY and EUR, 0 for JPY); 2 when unknown or without Babel."""
    if not currency or _babel_precision is None:
        return 2
    return _babel_precision(currency)


def cell_text(value: Any, lang: str = "en") -> str:
    """How one table value is written: numbers for the language, None as empty, the rest as str()."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return format_number(value, lang)
    return str(value)


def _numeric(rows: Sequence[Sequence[Any]], col: int) -> bool:
    seen = [r[col] for r in rows if col < len(r) and r[col] is not None]
    return bool(seen) and all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in seen)


class Document(FPDF):
    """An A4 document in DejaVu Sans with Callbox's header (title, subtitle, generation time) and page numbers."""

    def __init__(self, title: str, subtitle: str = "", lang: str = "en", generated: datetime | None = None):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.lang = _check_lang(lang)
        self.title_text, self.subtitle = title, subtitle
        self.generated = (generated or datetime.now(timezone.utc).astimezone()).strftime("%Y-%m-%d %H:%M UTC%z")
        for style, name in FONT_FILES.items():
            path = FONT_DIR / name
            if not path.is_file():
                raise FileNotFoundError(f"font {path} is missing: install the Debian package fonts-dejavu-core")
            self.add_font("DejaVu", style, str(path))
        self.set_font("DejaVu", size=9)
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=16)
        self.set_title(title)
        self.set_lang(lang)
        self.set_creator("Callbox")

    def header(self) -> None:
        self.set_text_color(0)
        self.set_font("DejaVu", "B", 14)
        self.cell(0, 7, self.title_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 9)
        top = self.get_y()
        self.set_text_color(70)
        self.multi_cell(self.epw * 0.68, 4.5, self.subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        bottom = self.get_y()
        self.set_xy(self.l_margin, top)
        self.cell(0, 4.5, f"{text(self.lang, 'Generated')}: {self.generated}", align="R")
        self.set_y(max(bottom, top + 4.5) + 1.5)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90)
        # fpdf2 replaces its alias ("{nb}") by the page count when the document is written
        label = text(self.lang, "Page {n} of {nb}").format(n=self.page_no(), nb=self.str_alias_nb_pages)
        self.cell(0, 5, label, align="C")
        self.set_text_color(0)

    def heading(self, label: str) -> None:
        """A bold section heading, on a new page when fewer than 30 mm are left."""
        if self.get_y() > self.h - self.b_margin - 30:
            self.add_page()
        self.set_font("DejaVu", "B", 11)
        self.cell(0, 7, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 9)


def _widths(doc: FPDF, columns: Sequence[str], cells: list[list[str]], width: float, foot: list[str] | None = None
            ) -> list[float]:
    """Column widths as in HTML's automatic table layout: a column that fits in a fair share of what is left
    gets its widest text; the others get at least their longest word and share the rest by how much more they
    want, so numbers and numbers-as-text never wrap and long text does."""
    size = doc.font_size_pt
    doc.set_font("DejaVu", "B", size)
    least = [max(doc.get_string_width(w) for w in c.split() or [""]) + 3 for c in columns]
    want = list(least)   # a heading may wrap between its words
    for i, t in enumerate(foot or ()):
        want[i] = max(want[i], doc.get_string_width(t) + 3)
    doc.set_font("DejaVu", "", size)
    for row in cells[:2000]:
        for i, t in enumerate(row):
            want[i] = max(want[i], doc.get_string_width(t) + 3)
            least[i] = max(least[i], max(doc.get_string_width(w) for w in t.split() or [""]) + 3)
    if sum(want) <= width:
        return [w * width / sum(want) for w in want]
    out: dict[int, float] = {}
    while True:
        left = [i for i in range(len(want)) if i not in out]
        fair = (width - sum(out.values())) / len(left)
        fits = [i for i in left if want[i] <= fair]
        if not fits:
            break
        out.update((i, want[i]) for i in fits)
    rest = width - sum(out.values())
    floor = sum(least[i] for i in left)
    if floor >= rest:   # even the longest words do not fit: shrink them alike (fpdf2 breaks inside words)
        out.update((i, least[i] * rest / floor) for i in left)
    else:
        extra = sum(want[i] - least[i] for i in left)
        out.update((i, least[i] + (want[i] - least[i]) * (rest - floor) / extra) for i in left)
    return [out[i] for i in range(len(want))]


MAX_CELL = 80    # characters of a cell written at most: a longer text (a list of names) would not fit a page's row


def table(doc: Document, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          totals: Sequence[Any] | None = None, *, size: float = 8.5, cells: list[list[str]] | None = None,
          align: Sequence[str] | None = None) -> None:
    """A table across the page: bold heading row repeated on every page, zebra rows, numbers right-aligned,
    `totals` as a bold last row. `cells` overrides the written text of `rows` (then of `totals`, one more row);
    `align` ("LEFT"/"RIGHT" per column) overrides the alignment found from the values."""
    if any(len(r) != len(columns) for r in rows) or (totals is not None and len(totals) != len(columns)):
        raise ValueError(f"every row needs {len(columns)} values, one per column")
    lang = doc.lang
    if cells is None:
        cells = [[cell_text(v, lang) for v in r] for r in rows]
        if totals is not None:
            cells.append([cell_text(v, lang) for v in totals])
    cells = [[c if len(c) <= MAX_CELL else c[:MAX_CELL - 1] + "…" for c in row] for row in cells]
    body, foot = (cells[:-1], cells[-1]) if totals is not None else (cells, None)
    align = tuple(align or ("RIGHT" if _numeric(list(rows) + ([totals] if totals else []), i) else "LEFT"
                            for i in range(len(columns))))
    doc.set_font("DejaVu", "", size)
    doc.set_fill_color(255)   # the table's plain rows take the current fill colour (a chart leaves its own)
    widths = _widths(doc, columns, body, doc.epw, foot)
    bold = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)
    with doc.table(col_widths=widths, text_align=align, headings_style=bold, cell_fill_color=ZEBRA,
                   cell_fill_mode=TableCellFillMode.ROWS, line_height=size * 0.5, padding=(0.8, 1.2),
                   borders_layout="SINGLE_TOP_LINE", width=doc.epw) as t:
        t.row(list(columns))
        for row in body:
            t.row(row)
        if foot is not None:
            r = t.row()
            for value in foot:
                r.cell(value, style=FontFace(emphasis="BOLD"))
    doc.set_font("DejaVu", "", 9)
    doc.ln(3)


def charts(doc: Document, drawn: Sequence[Chart], lang: str) -> None:
    """The charts one under the other (each with its title, when it has one), a new page when one would not fit;
    several are drawn lower than one."""
    height = CHART_H if len(drawn) == 1 else CHART_H_SEVERAL
    for chart in drawn:
        need = height + 4 + (6 if chart.title else 0)
        if doc.get_y() + need > doc.page_break_trigger:
            doc.add_page()
        if chart.title:
            doc.set_font("DejaVu", "B", 9)
            doc.set_text_color(0)
            doc.cell(0, 6, chart.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        top = doc.get_y()
        pdf_chart.draw(doc, chart, doc.l_margin, top, doc.epw, height, lambda v: format_number(v, lang))
        doc.set_xy(doc.l_margin, top + height + 4)
        doc.set_font("DejaVu", "", 9)
        doc.set_text_color(0)


def report_pdf(title: str, subtitle: str, columns: list[str], rows: list[list],
               chart: Chart | Sequence[Chart] | None = None, lang: str = "en", *, totals: list | None = None,
               generated: datetime | None = None, align: Sequence[str] | None = None) -> bytes:
    """A report as PDF bytes: header, the chart or charts (if any, with labels: one per chosen measure), then the
    table of `rows` under `columns` (values: str, int, Decimal or None), with an optional bold `totals` row;
    `align` as table's."""
    doc = Document(title, subtitle, lang, generated)
    doc.add_page()
    drawn = [c for c in ([chart] if isinstance(chart, Chart) else chart or []) if c.labels]
    if drawn:
        charts(doc, drawn, lang)
    if rows or totals:
        table(doc, columns, rows, totals, align=align)
    else:
        doc.cell(0, 6, text(lang, "No rows"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(doc.output())
