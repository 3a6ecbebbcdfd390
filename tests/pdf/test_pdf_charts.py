"""Issue 20 'every chosen measure can be charted': a report's PDF charted its first measure only. Now one chart per
measure, each titled, durations on a h:mm:ss axis; checked on the PDF's text (pdftotext) and on the series the
generator drew (appliance.pdf.chart.draw's own Chart structures)."""
from __future__ import annotations

import re
import subprocess
from decimal import Decimal

from appliance.pdf import chart as pdf_chart
from appliance.pdf import document as pdf
from appliance.pdf.chart import Chart, ticks
from appliance.reports import engine as reports
from webui.reports import common as rp

ROWS = [["201", 12, 3725, Decimal("14.50")], ["202", 3, 61, Decimal("0.75")], ["203", 7, 9000, Decimal("31.05")]]
RESULT = reports.Result(["extension", "calls", "talk", "cost"], ROWS, ["", 22, 12786, Decimal("46.30")], ndims=1)


def text_of(body: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True,
                          check=True).stdout.decode().replace("\u00a0", " ")


def titles() -> list[str]:
    """The measures' labels (English, or the language bottle's thread-local request left from an earlier test)."""
    return [rp.label(m) for m in ("calls", "talk", "cost")]


def test_a_chart_per_chosen_measure_with_its_title_and_unit():
    charts = rp.result_charts(RESULT)
    assert [c.title for c in charts] == titles()
    assert [c.unit for c in charts] == ["", "seconds", ""]
    assert [list(c.series.values()) for c in charts] == [[[12, 3, 7]], [[3725, 61, 9000]],
                                                         [[Decimal("14.50"), Decimal("0.75"), Decimal("31.05")]]]
    assert rp.result_charts(reports.Result(["calls"], [], [0], ndims=0)) == []


def test_the_pdf_draws_every_measure_before_the_table(monkeypatch):
    drawn: list[Chart] = []
    real = pdf_chart.draw
    monkeypatch.setattr(pdf_chart, "draw", lambda doc, chart, *a: (drawn.append(chart), real(doc, chart, *a)))
    body = pdf.report_pdf("Report", "July", ["Extension", "Calls", "Talk", "Cost"],
                          [[r[0], r[1], rp.fmt_duration(r[2]), r[3]] for r in ROWS], rp.result_charts(RESULT))
    costs = [Decimal("14.50"), Decimal("0.75"), Decimal("31.05")]
    calls, talk, cost = titles()
    assert [(c.title, list(c.series.values())[0]) for c in drawn] == [
        (calls, [12, 3, 7]), (talk, [3725, 61, 9000]), (cost, costs)]
    text = text_of(body)
    charts_part = text[:text.index("Extension")]              # the table's heading comes after the charts
    assert [t for t in titles() if re.search(rf"^\s*{re.escape(t)}\s*$", charts_part, re.M)] == titles()
    assert re.search(r"\b2:00:00\b", charts_part) and "9,000" not in charts_part   # the talk axis in h:mm:ss


def test_one_chart_is_drawn_as_before():
    body = pdf.report_pdf("Report", "July", ["Extension", "Calls"], [[r[0], r[1]] for r in ROWS],
                          rp.result_chart(RESULT))
    assert titles()[0] in text_of(body).split("Extension")[0]


def test_a_duration_axis_steps_by_minutes_and_hours():
    steps = (0, 1800, 3600, 5400, 7200, 9000)
    assert ticks(Decimal(0), Decimal(9000), unit="seconds") == [Decimal(v) for v in steps]
    assert ticks(Decimal(0), Decimal(290), unit="seconds")[1] == 60
    assert all(t % 86400 == 0 for t in ticks(Decimal(0), Decimal(90 * 86400), unit="seconds"))
    assert pdf_chart.hms(Decimal(3725)) == "1:02:05" and pdf_chart.hms(-61) == "-0:01:01"
