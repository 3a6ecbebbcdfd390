"""Bar and line charts drawn with fpdf2 primitives (rect, polyline, cell), for the PDF reports."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:      # drawing takes an FPDF; the chart's data (the web's JSON) needs no fpdf2 (~45 MB)
    from fpdf import FPDF

log = logging.getLogger(__name__)

KINDS = ("bar", "line")
PALETTE = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127))
GRID, AXIS, TEXT = (225, 225, 225), (90, 90, 90), (60, 60, 60)
NICE = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
# a duration axis (unit "seconds") steps by whole seconds, minutes and hours: 1:00:00, not 3,600 nor 2,500 s
SECOND_STEPS = tuple(Decimal(s) for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                                          21600, 43200, 86400))
UNITS = ("", "seconds")


@dataclass(frozen=True)
class Chart:
    """A chart of one dimension: `labels` along the x axis, one value per label in each named series.
    kind "bar" (grouped bars: one dimension such as extension or destination) or "line" (a time dimension).
    A PDF writes `title` above it (the measure, when a report charts several); unit "seconds": its values are
    durations, written h:mm:ss on the axis."""
    kind: str
    labels: list[str]
    series: dict[str, list[Decimal | int]]
    title: str = ""
    unit: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"chart kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not self.series:
            raise ValueError("a chart needs at least one series")
        if self.unit not in UNITS:
            raise ValueError(f"chart unit {self.unit!r} is not one of {UNITS}")
        for name, values in self.series.items():
            if len(values) != len(self.labels):
                raise ValueError(f"chart series {name!r} has {len(values)} values for {len(self.labels)} labels")
            bad = [v for v in values if isinstance(v, (bool, float)) or not isinstance(v, (int, Decimal))]
            if bad:
                raise ValueError(f"chart series {name!r}: {bad[0]!r} is not an int or a Decimal")

    def as_dict(self) -> dict:
        """JSON-ready: Decimals as exact strings; "unit" when there is one (the page's axis writes seconds h:mm:ss,
        as its table does)."""
        out = {"kind": self.kind, "labels": [str(t) for t in self.labels],
               "series": {n: [v if isinstance(v, int) else str(v) for v in vs] for n, vs in self.series.items()}}
        return {**out, "unit": self.unit} if self.unit else out

    def to_json(self) -> str:
        """The JSON for webui/static/charts.js, safe inside <script type="application/json"> (no "</script>")."""
        text = json.dumps(self.as_dict(), ensure_ascii=False)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def ticks(low: Decimal, high: Decimal, count: int = 5, unit: str = "") -> list[Decimal]:
    """Round axis values from <= low to >= high, about `count` steps (1, 2, 2.5 or 5 times a power of ten; for
    seconds, whole minutes and hours: SECOND_STEPS, then days times those)."""
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if high == low:
        high = low + 1
    raw = (high - low) / count
    if unit == "seconds":
        step = next((s for s in SECOND_STEPS if s >= raw), None)
        if step is None:
            days = raw / SECOND_STEPS[-1]
            power = Decimal(1).scaleb(days.adjusted())
            step = SECOND_STEPS[-1] * next(power * m for m in NICE if power * m >= days)
    else:
        power = Decimal(1).scaleb(raw.adjusted())
        step = next(power * m for m in NICE if power * m >= raw)
    first = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    out = [first]
    while out[-1] < high:
        out.append(out[-1] + step)
    return out


def hms(value: Decimal | int) -> str:
    """Seconds as the web and the PDF tables write a duration: h:mm:ss (a minus before a negative one)."""
    n = int(value)
    sign, n = ("-" if n < 0 else ""), abs(n)
    return f"{sign}{n // 3600}:{n // 60 % 60:02d}:{n % 60:02d}"


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text, cut with an ellipsis to fit `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…" if text else ""


def _legend(pdf: FPDF, names: list[str], x: float, y: float, w: float) -> None:
    pdf.set_font(size=7)
    right = x + w
    for i, name in reversed(list(enumerate(names))):
        label = _fit(pdf, name, 45)
        right -= pdf.get_string_width(label) + 6
        pdf.set_fill_color(*PALETTE[i % len(PALETTE)])
        pdf.rect(right, y + 1, 3, 3, style="F")
        pdf.set_xy(right + 3.5, y)
        pdf.cell(pdf.get_string_width(label) + 1, 5, label)
        right -= 2


def _axis(pdf: FPDF, scale: list[Decimal], box: tuple[float, float, float, float],
          fmt: Callable[[Decimal], str]) -> Callable[[Decimal | int], float]:
    """Grid lines and y labels; returns value -> y position."""
    x, y, w, h = box
    lo, hi = float(scale[0]), float(scale[-1])

    def ypos(v: Decimal | int) -> float:
        return y + h - (float(v) - lo) / (hi - lo) * h

    pdf.set_font(size=7)
    pdf.set_line_width(0.2)
    for t in scale:
        pdf.set_draw_color(*(AXIS if t == 0 else GRID))
        pdf.line(x, ypos(t), x + w, ypos(t))
        pdf.set_xy(x - 21, ypos(t) - 2)
        pdf.cell(20, 4, fmt(t), align="R")
    pdf.set_draw_color(*AXIS)
    pdf.line(x, y, x, y + h)
    return ypos


def _xlabels(pdf: FPDF, labels: list[str], centres: list[float], slot: float, y: float) -> None:
    """Labels under the x axis; every k-th one when they would overlap."""
    pdf.set_font(size=7)
    widest = max(pdf.get_string_width(t) for t in labels) + 1
    every = 1 if widest <= slot else max(1, min(int(widest / slot) + 1, len(labels) // 4 or 1))
    room = slot * every - 1
    for i in range(0, len(labels), every):
        pdf.set_xy(centres[i] - room / 2, y + 1)
        pdf.cell(room, 4, _fit(pdf, labels[i], room), align="C")


def draw(pdf: FPDF, chart: Chart, x: float, y: float, w: float, h: float, fmt: Callable[[Decimal], str]) -> None:
    """Draw `chart` in the box (mm, from its top left corner); `fmt` writes an axis value for the language (a
    duration chart's as h:mm:ss)."""
    values = [Decimal(v) for s in chart.series.values() for v in s]
    names = list(chart.series)
    if chart.unit == "seconds":
        fmt = hms
    pdf.set_text_color(*TEXT)
    if names != [chart.title]:       # a legend of the title alone says nothing more
        _legend(pdf, names, x, y, w)
    box = (x + 22, y + 7, w - 24, h - 14)
    scale = ticks(min(values, default=Decimal(0)), max(values, default=Decimal(1)), unit=chart.unit)
    ypos = _axis(pdf, scale, box, fmt)
    if not chart.labels:
        return
    px, py, pw, ph = box
    slot = pw / len(chart.labels)
    centres = [px + slot * (i + 0.5) for i in range(len(chart.labels))]
    if chart.kind == "bar":
        bar = slot * 0.8 / len(names)
        for k, name in enumerate(names):
            pdf.set_fill_color(*PALETTE[k % len(PALETTE)])
            for i, v in enumerate(chart.series[name]):
                top, base = ypos(v), ypos(0)
                left = centres[i] - slot * 0.4 + k * bar
                pdf.rect(left, min(top, base), max(bar - 0.2, 0.1), abs(base - top), style="F")
    else:
        pdf.set_line_width(0.5)
        for k, name in enumerate(names):
            pdf.set_draw_color(*PALETTE[k % len(PALETTE)])
            pdf.set_fill_color(*PALETTE[k % len(PALETTE)])
            points = [(centres[i], ypos(v)) for i, v in enumerate(chart.series[name])]
            pdf.polyline(points)
            if len(points) <= 40:
                for cx, cy in points:
                    pdf.circle(cx, cy, 0.6, style="F")
    pdf.set_line_width(0.2)
    pdf.set_text_color(*TEXT)
    _xlabels(pdf, chart.labels, centres, slot, py + ph)
