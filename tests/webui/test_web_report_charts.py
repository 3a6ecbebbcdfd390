"""Issue 20: a report chart's series of a second dimension in that dimension's own order."""
from __future__ import annotations

from appliance.reports import engine as reports
from webui.reports import common as rp


def test_months_hours_and_bands_as_series_keep_their_own_order():
    """Months came in the order rows first named them: Sales (only March) before IT (January, February) gave the
    series March, January, February. Hours as numbers (9 before 10), bands by size, not as text."""
    rows = [["Sales", "2024-03", 5], ["IT", "2024-01", 1], ["IT", "2024-02", 2], ["IT", "2024-03", 3]]
    chart = rp.result_chart(reports.Result(["department", "month", "calls"], rows, ["", "", 11], ndims=2))
    assert list(chart.series) == [rp.dim_text("month", m) for m in ("2024-01", "2024-02", "2024-03")]
    assert chart.series[list(chart.series)[2]] == [5, 3]                # March: Sales 5, IT 3
    rows = [["A", 10, 1], ["A", 9, 2], ["B", 14, 3]]
    chart = rp.result_chart(reports.Result(["department", "hour", "calls"], rows, ["", "", 6], ndims=2))
    assert list(chart.series) == [rp.dim_text("hour", h) for h in (9, 10, 14)]
    rows = [["A", "3-10min", 1], ["A", "1-59s", 2], ["B", "0s", 3], ["B", "1-3min", 4]]
    chart = rp.result_chart(reports.Result(["department", "duration_band", "calls"], rows, ["", "", 10], ndims=2))
    assert list(chart.series) == [rp.dim_text("duration_band", b) for b in ("0s", "1-59s", "1-3min", "3-10min")]
    rows = [["A", "Zed", 1], ["B", "Alpha", 2]]                       # no order of its own: as the rows name them
    chart = rp.result_chart(reports.Result(["department", "trunk", "calls"], rows, ["", "", 3], ndims=2))
    assert list(chart.series) == ["Zed", "Alpha"]
