"""What the report pages share: labels, the form <-> spec, work off the hub, the shown table and chart."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import bottle
from bottle import response

from appliance.pdf import report_chart
from appliance.pdf.chart import Chart
from appliance.pdf.report_chart import MAX_BARS, MAX_SERIES, SECONDS, TIME_DIMS, exact, split_top  # noqa: F401
from appliance.rating.numbering_overrides import KINDS
from appliance.reports import engine as reports
from appliance.reports import ranges as report_ranges
from appliance.reports import rollup
from appliance.reports.dims import BAND_ORDER, DEFAULT_MEASURES, DIMS, MEASURES
from appliance.reports.labels import BAND_WORDS, DIM_LABELS, KIND_LABELS, MEASURE_LABELS, NONE_LABELS  # noqa: F401
from appliance.reports.labels import HUNT_DIMS, words
from appliance.reports.ranges import DATE_RANGES
from webui import TEMPLATE_LOOKUP, db
from webui import offload as offload_
from webui.i18n import N_, _, fmt_duration, fmt_money, fmt_number, hunt_groups, language
from webui.reports.periods import calls_link, local_iso, period_text  # noqa: F401  (rp.* of the report pages)

log = logging.getLogger(__name__)
WRITES = (db.SavedReport, db.TimeRange)    # the report tables the pages write
RANGE_LABELS = {"today": N_("Today"), "yesterday": N_("Yesterday"), "this_week": N_("This week"),
                "last_week": N_("Last week"), "this_month": N_("This month"), "last_month": N_("Last month"),
                "this_year": N_("This year"), "last_year": N_("Last year"), "all": N_("All time"),
                "custom": N_("Custom dates")}
TIME_RANGE_LABELS = {"Business hours": N_("Business hours"), "Lunch break": N_("Lunch break"),
                     "After hours": N_("After hours"), "Weekend": N_("Weekend")}
FILTERS = ("direction", "kind", "extension", "person", "department", "branch", "trunk", "hunt_group")
assert set(DIM_LABELS) == set(DIMS) and set(MEASURE_LABELS) == set(MEASURES) and set(RANGE_LABELS) == set(DATE_RANGES)
assert set(KIND_LABELS) == set(KINDS)


def label(name: str) -> str:
    """A dimension's or measure's column heading in the user's language."""
    return _(DIM_LABELS.get(name) or MEASURE_LABELS.get(name) or name)


def render(name: str, code: int = 200, **values) -> str:
    response.status = code
    response.set_header("Cache-Control", "no-store")
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, **values)


# ---- the form and the spec ----

def spec_from(form) -> reports.Spec:
    """The report asked for by the form fields dim1, dim2, m (measures, repeated), range, since, until,
    time_range and the FILTERS (comma-separated values); checked by reports.run."""
    get = lambda k: (form.get(k) or "").strip()   # noqa: E731
    dims = tuple(dict.fromkeys(d for d in (get("dim1"), get("dim2")) if d))
    measures = tuple(dict.fromkeys(m for m in form.getall("m") if m)) or DEFAULT_MEASURES
    rng = get("range") or "this_month"
    filters: dict[str, Any] = {k: [v.strip() for v in get(k).split(",") if v.strip()] for k in FILTERS if get(k)}
    if get("time_range"):
        filters["time_range"] = get("time_range")
    custom = rng == "custom"
    return reports.Spec(dims, measures, rng, get("since") if custom else None, get("until") if custom else None,
                        filters)


def form_values(spec: reports.Spec) -> dict[str, Any]:
    """The form's fields for a spec (a saved report opens with its own choices)."""
    f = spec.filters
    out: dict[str, Any] = {"dim1": spec.dims[0] if spec.dims else "",
                           "dim2": spec.dims[1] if len(spec.dims) > 1 else "",
                           "m": list(spec.measures), "range": spec.range, "since": spec.since or "",
                           "until": spec.until or "", "time_range": str(f.get("time_range") or "")}
    out.update({k: ",".join(str(v) for v in f.get(k, ())) for k in FILTERS})
    return out


def spec_query(spec: reports.Spec) -> str:
    """The query string that asks for `spec` again (exports, links)."""
    v = form_values(spec)
    pairs = [(k, v[k]) for k in ("dim1", "dim2", "range", "since", "until", "time_range", *FILTERS) if v[k]]
    return urlencode(pairs + [("m", m) for m in v["m"]])


# ---- running off the gevent hub ----

def offload(data_dir: Path, fn: Callable[[], Any]) -> Any:
    """fn() with a callbox.db connection, in gevent's threadpool when this process is gevent-patched (the
    web process: a long SQLite query would stall every other request, STACK.md §5), else directly (tests); on
    the hub when all it needs is kept (webui.offload.reading: fn only reads, and may be started twice).
    fn must not touch the request (bottle's request and `_` are greenlet-local)."""
    if not db.read_access(data_dir):
        raise NoData

    def work():
        with db.connection():
            return fn()
    return offload_.reading(work)


class NoData(Exception):
    """There is no callbox.db yet (the worker creates it)."""


def preparing_text(e: rollup.Preparing) -> str:
    """What a report page says instead of a slow page while the roll-ups it reads are being built."""
    return _("This report is being prepared: {percent} % of the call summaries it reads are built. "
             "Try again in a few minutes.").format(percent=fmt_number(e.percent))


def default_ranges() -> dict:
    """The built-in named time ranges, for when callbox.db cannot be read."""
    return {n: report_ranges._build(n, *d) for n, d in report_ranges.DEFAULT_TIME_RANGES.items()}


# ---- what a page shows ----

LONG_TABLE = 100      # rows a table shows unless asked for more (?top=N; ?top=0 for all)


@dataclass
class Table:
    """A shown table: headings, rows of (text, numeric) cells with an optional link, an optional totals row."""
    columns: list[str]
    rows: list[tuple[list[tuple[str, bool]], str]] = field(default_factory=list)
    totals: list[tuple[str, bool]] | None = None
    sort_links: list[str] = field(default_factory=list)    # per column: the page sorted by it (empty: no sorting)
    sorted_by: tuple[int, bool] | None = None              # (column, descending) the rows are sorted by
    hidden: int = 0                                        # rows left out by top=N (the totals include them)
    all_link: str = ""                                     # set when a long table was cut by default: show all
    keys: list[list] = field(default_factory=list)        # per row, its raw values to sort by (sort_table)


def cell(name: str, value, currency: str = "") -> tuple[str, bool]:
    """One value as shown: seconds as h:mm:ss, cost as money, counts with the locale's grouping."""
    if name in MEASURES:
        if name == "cost":
            return (fmt_money(value, currency) if value is not None else "–"), True
        if name in SECONDS:
            return fmt_duration(value), True
        return fmt_number(value), True
    return dim_text(name, value), False


def band_text(value: str) -> str:
    """A talk-time or answer-time band (appliance.reports.dims: 0s, 1-59s, 1-3min, 30min+, 0-5s, 60s+,
    unanswered) in the user's language: '1–3 dk', 'over 30 min', 'Not answered' (appliance.reports.labels)."""
    return words(language()).band(value)


def dim_text(name: str, value) -> str:
    """A dimension's value as shown on the page and the chart: terms and number classes in the user's language,
    weekdays by name, an empty value named, a hunt group's number as the group (appliance.reports.labels: the
    scheduled reports' files say the same)."""
    return words(language()).value(name, value, hunt_groups() if name in HUNT_DIMS else None)


def sort_rows(columns: list[str], rows: list[list], sort: str, desc: bool) -> list[list]:
    """`rows` sorted by the column named `sort` (as they come when it names none), text without case, empty values
    last either way."""
    rows = list(rows)
    if sort not in columns:
        return rows
    i = columns.index(sort)
    present = [r for r in rows if r[i] not in (None, "")]
    order = BAND_ORDER.get(sort)
    if order is not None:     # bands by size, not as text ("1-3min" after "1-59s")
        present.sort(key=lambda r: (order.get(r[i], len(order)), str(r[i])), reverse=desc)
    else:
        present.sort(key=lambda r: (r[i] if not isinstance(r[i], str) else r[i].casefold()), reverse=desc)
    return present + [r for r in rows if r[i] in (None, "")]


def sorted_rows(result: reports.Result, sort: str, desc: bool, top: int | None) -> tuple[list[list], int]:
    """The result's rows sorted by the column named `sort` (sort_rows), the first `top` of them; and how many were
    left out."""
    rows = sort_rows(result.columns, result.rows, sort, desc)
    if top is not None and top < len(rows):
        return rows[:top], len(rows) - top
    return rows, 0


def sort_table(table: Table, form, link: Callable[[dict], str], cut_long: bool = True) -> Table:
    """Sort a shown table by its raw `keys` (?sort=COLUMN NUMBER, ?desc=1; empty values last either way), cut it
    to ?top=N (hidden: how many the totals hold beyond), and give each heading its sort link (a number column the
    largest first, a text A to Z; the sorted one the other way). A page (cut_long) shows a long table's first
    LONG_TABLE rows unless ?top says otherwise; a PDF has them all."""
    if not table.keys or len(table.keys) != len(table.rows):
        return table
    sort = int(form.get("sort")) if (form.get("sort") or "").isdigit() else None
    desc = form.get("desc") == "1"
    order = list(range(len(table.rows)))
    if sort is not None and sort < len(table.columns):
        empty = [i for i in order if table.keys[i][sort] in (None, "")]
        present = [i for i in order if table.keys[i][sort] not in (None, "")]
        present.sort(key=lambda i: _sort_key(table.keys[i][sort]), reverse=desc)
        order = present + empty
        table.sorted_by = (sort, desc)
    top = int(form.get("top")) if (form.get("top") or "").isdigit() and int(form.get("top")) > 0 else None
    if cut_long and top is None and not form.get("top") and len(order) > LONG_TABLE:
        # a long table (a month of hours: 744 rows) shows its first rows and a link to all of them (?top=0)
        top = LONG_TABLE
        table.all_link = link({"top": "0", **({"sort": str(sort), "desc": "1" if desc else "0"}
                                              if sort is not None else {})})
    if top is not None and top < len(order):
        table.hidden, order = len(order) - top, order[:top]
    table.rows, table.keys = [table.rows[i] for i in order], [table.keys[i] for i in order]
    numeric = [any(c[i][1] for c, _link in table.rows) for i in range(len(table.columns))]
    table.sort_links = [link({"sort": str(i), "desc": "0" if (sort == i and desc) or (sort != i and not numeric[i])
                              else "1"}) for i in range(len(table.columns))]
    return table


def _sort_key(value) -> tuple:
    if isinstance(value, (int, float, Decimal)):
        return (0, value, "")
    return (1, 0, str(value).casefold())


def result_table(result: reports.Result, link: Callable[[list], str] = lambda row: "", sort: str = "",
                 desc: bool = False, top: int | None = None, sort_link: Callable[[str, bool], str] | None = None
                 ) -> Table:
    """The engine's result as shown: each cost in its row's currency (a "currency" column) or the report's; rows
    sorted by any column and cut to the `top` (sorted_rows), with the links that sort by each column."""
    cols = result.columns
    cur_col = cols.index("currency") if "currency" in cols else None

    def cells(row):
        cur = row[cur_col] if cur_col is not None else result.currency
        return [cell(c, v, cur) for c, v in zip(cols, row)]
    rows, hidden = sorted_rows(result, sort, desc, top)
    table = Table([label(c) for c in cols], [(cells(r), link(r)) for r in rows], hidden=hidden)
    if sort_link is not None:      # a column sorts ascending first; a numeric one descending (the largest first)
        table.sort_links = [sort_link(c, (not desc) if c == sort else c in MEASURES) for c in cols]
        table.sorted_by = (cols.index(sort), desc) if sort in cols else None
    if result.ndims and result.rows:
        foot = [("", False)] * result.ndims + [cell(c, v, "" if cur_col is not None else result.currency)
                                               for c, v in zip(cols[result.ndims:], result.totals[result.ndims:])]
        foot[0] = (_("Total"), False)
        table.totals = foot
    return table


def chart_texts() -> report_chart.Texts:
    """A chart's words in the user's language: dimension values as in the table, measures by their heading."""
    return report_chart.Texts(dim_text, label, lambda n: _("Other ({n})").format(n=fmt_number(n)))


def result_chart(result: reports.Result, measure: str | None = None) -> Chart | None:
    """The chart of one measure (appliance.pdf.report_chart, which the scheduled reports' PDF shares) in the
    user's words."""
    return report_chart.result_chart(result, measure, chart_texts())


def result_charts(result: reports.Result) -> list[Chart]:
    """A chart per chosen measure, each titled with its measure (the PDF report draws them one under the other)."""
    return report_chart.result_charts(result, chart_texts())


_COUNTS: dict[tuple, str] = {}   # (language, type, text) -> fmt_number's text: a report table's numbers repeat
_COUNTS_MAX = 50_000


def fmt_count(value: int | Decimal) -> str:
    """fmt_number(value) for an int or a Decimal, kept per language: Babel takes ~40 us a number and a table of
    1,000 rows has 7,000 of them (issue 14). The same type and text, the same output."""
    key = (language(), type(value), str(value))
    text = _COUNTS.get(key)
    if text is None:
        if len(_COUNTS) >= _COUNTS_MAX:
            _COUNTS.clear()
        text = _COUNTS[key] = fmt_number(value)
    return text
