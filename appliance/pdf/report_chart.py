"""The data of a report's charts (issue 20: one builder for the web's page and PDF and the scheduled reports' PDF):
which chart (a line over a time dimension, bars over any other), its series (a second dimension, in its own
order: months in time, bands by size), the largest bars and series with the rest summed as "Other (N)" (nothing
dropped: every chart adds up to the table's total), one chart per chosen measure.

The words are the caller's (Texts): the web passes its catalogue's (webui.reports.common), a scheduled report
the PDF's own (appliance.pdf.document.text). Needs no fpdf2: the web builds charts for its pages too."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from appliance.pdf.chart import Chart
from appliance.reports import engine as reports
from appliance.reports.dims import BAND_ORDER, MEASURES

log = logging.getLogger(__name__)

SECONDS = {"duration", "talk", "ring", "talk_in", "talk_out", "ring_in", "ring_out"}
TIME_DIMS = {"hour", "day", "weekday", "month", "year"}
MAX_BARS, MAX_SERIES = 30, 8
OTHER = "\x00other"      # the key of what a chart sums up as "Other (N)"


@dataclass(frozen=True)
class Texts:
    """A chart's words: a dimension's value (dimension, value), a measure's title, the "Other (N)" of N folded."""
    value: Callable[[str, Any], str] = lambda dim, value: str(value)
    measure: Callable[[str], str] = str
    other: Callable[[int], str] = lambda n: f"Other ({n})"


def exact(v) -> int | Decimal:
    """A chart or PDF number: None as 0, a float (a rate, erlangs) as a Decimal of 4 places."""
    if v is None:
        return 0
    if isinstance(v, float):
        return Decimal(str(round(v, 4)))
    return v


def result_chart(result: reports.Result, measure: str | None = None, texts: Texts = Texts()) -> Chart | None:
    """A line chart over a time dimension, bars over any other (the largest MAX_BARS - 1 and the rest summed as
    "Other (N)"); a second dimension becomes the series (likewise up to MAX_SERIES); one measure (the first
    unless `measure`). Nothing is dropped: every chart adds up to the table's total."""
    if not result.ndims or not result.rows:
        return None
    measure = measure if measure in result.columns[result.ndims:] else result.columns[result.ndims]
    m = result.columns.index(measure)
    first = result.columns[0]
    kind = "line" if first in TIME_DIMS else "bar"
    values: dict[tuple[str, str], int | Decimal] = {}
    for row in result.rows:
        key = (str(row[0]), str(row[1]) if result.ndims > 1 else texts.measure(measure))
        values[key] = values.get(key, 0) + exact(row[m])
    labels = list(dict.fromkeys(k[0] for k in values))
    folded_labels = folded_names = 0       # the smallest bars and series are summed as "other", never dropped
    if kind == "bar" and len(labels) > MAX_BARS:
        values, labels, folded_labels = _fold(values, 0, labels, MAX_BARS - 1)
    names = _series_order(result, list(dict.fromkeys(k[1] for k in values)))
    if len(names) > MAX_SERIES:
        values, names, folded_names = _fold(values, 1, names, MAX_SERIES - 1)
    originals = [{str(r[i]): r[i] for r in result.rows} for i in range(min(result.ndims, 2))]

    def text(i: int, value: str, folded: int) -> str:
        if value == OTHER:
            return texts.other(folded)
        return texts.value(result.columns[i], originals[i].get(value, value)) if i < result.ndims else value
    shown = [text(0, t, folded_labels) for t in labels]
    return Chart(kind, shown, {text(1, n, folded_names): [values.get((t, n), 0) for t in labels] for n in names},
                 texts.measure(measure), "seconds" if measure in SECONDS else "")


def result_charts(result: reports.Result, texts: Texts = Texts()) -> list[Chart]:
    """A chart per measure of the result (result_chart), each titled with its measure: every chosen measure is
    charted (a PDF report draws them one under the other)."""
    measures = [c for c in result.columns[result.ndims:] if c in MEASURES]
    out = [result_chart(result, m, texts) for m in measures] if result.ndims and result.rows else []
    return [c for c in out if c is not None]


def _series_order(result: reports.Result, names: list[str]) -> list[str]:
    """A second dimension's series in its own order when it has one (months in time, hours and weekdays by number,
    bands by size), not in the order rows first named them (a department's months before another's)."""
    if result.ndims < 2:
        return names
    second = result.columns[1]
    if second not in TIME_DIMS and second not in BAND_ORDER:
        return names
    original = {str(r[1]): r[1] for r in result.rows}
    order = BAND_ORDER.get(second, {})

    def key(name: str) -> tuple:
        v = original.get(name, name)
        rank = order.get(v, len(order))
        return (rank, 0, v, "") if isinstance(v, (int, float)) else (rank, 1, 0, str(v))
    return sorted(names, key=key)


def split_top(items: list, size: Callable[[Any], Any], keep: int) -> tuple[list, list]:
    """The `keep` largest of `items` by `size`, in their own order, and the rest (a chart's "Other")."""
    largest = set(sorted(range(len(items)), key=lambda i: -size(items[i]))[:keep])
    return ([x for i, x in enumerate(items) if i in largest], [x for i, x in enumerate(items) if i not in largest])


def _fold(values: dict, i: int, keys: list[str], keep: int) -> tuple[dict, list[str], int]:
    """The `keep` largest keys at position `i` of the value keys, the rest summed under OTHER (their count last)."""
    by = _sums(values, i)
    kept = set(split_top(keys, lambda t: by[t], keep)[0])
    out: dict = {}
    for key, v in values.items():
        k = key if key[i] in kept else (OTHER, key[1]) if i == 0 else (key[0], OTHER)
        out[k] = out.get(k, 0) + v
    return out, [k for k in keys if k in kept] + [OTHER], len(keys) - len(kept)


def _sums(values: dict, i: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, v in values.items():
        out[key[i]] = out.get(key[i], 0) + v
    return out
