"""A report's question and answer: Spec (dimensions x measures over a range, with filters; check() says what is
wrong with one), Result (the rows, totals and where they came from) and its CSV. The engine (engine.py) runs one;
callers keep using engine.Spec, engine.Result, engine.to_csv."""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field

from appliance.reports import csv_cells
from appliance.reports.dims import DEFAULT_MEASURES, DIMS, MEASURES, csv_header


class ReportError(ValueError):
    """A report that cannot be run as asked (unknown dimension, bad range...); the message says why."""


@dataclass(frozen=True)
class Spec:
    """What to report: dimensions x measures over a date range, with filters. JSON-safe (as_dict/from_dict)."""
    dims: tuple[str, ...] = ()
    measures: tuple[str, ...] = DEFAULT_MEASURES
    range: str = "this_month"          # report_ranges.DATE_RANGES, or "custom" with since/until
    since: str | None = None           # ISO date or time (local unless it has an offset), inclusive
    until: str | None = None           # exclusive
    filters: dict = field(default_factory=dict)   # {dimension: [values], "time_range": name}

    def as_dict(self) -> dict:
        return asdict(self) | {"dims": list(self.dims), "measures": list(self.measures)}

    @classmethod
    def from_dict(cls, d: dict) -> Spec:
        unknown = set(d) - {"dims", "measures", "range", "since", "until", "filters"}
        if unknown:
            raise ReportError(f"unknown report field(s): {', '.join(sorted(unknown))}")
        return cls(tuple(d.get("dims", ())), tuple(d.get("measures", DEFAULT_MEASURES)), d.get("range", "this_month"),
                   d.get("since"), d.get("until"), dict(d.get("filters", {})))


@dataclass
class Result:
    """columns = dimensions then measures; rows sorted by dimensions; totals has "" under each dimension.
    Counts and seconds are int, cost is Decimal (None when nothing in the row is priced). A "currency" column
    is added when the costs are in more than one currency. source: "rollup:<cube>", "rollup:<cube>+raw"
    (some days were read from calls), "raw" or "none" (the user sees no calls)."""
    columns: list[str]
    rows: list[list]
    totals: list
    source: str = "raw"
    range_label: str = ""
    since: int | None = None
    until: int | None = None
    currency: str = ""
    ndims: int = 0                     # how many of the columns are dimensions
    hunt_groups: dict = field(default_factory=dict)   # the [directory] hunt_groups it was run with: its names

    def as_dicts(self) -> list[dict]:
        """The rows as {column: value} dicts."""
        return [dict(zip(self.columns, r)) for r in self.rows]


def check(spec: Spec) -> None:
    for d in spec.dims:
        if d not in DIMS:
            raise ReportError(f"unknown dimension {d!r} (known: {', '.join(DIMS)})")
    if len(set(spec.dims)) != len(spec.dims):
        raise ReportError("a dimension is given twice")
    for m in spec.measures:
        if m not in MEASURES:
            raise ReportError(f"unknown measure {m!r} (known: {', '.join(MEASURES)})")
    if not spec.measures:
        raise ReportError("no measure asked for")
    for k, v in spec.filters.items():
        if k != "time_range" and k not in DIMS:
            raise ReportError(f"unknown filter {k!r} (filters are dimensions or time_range)")
        if k != "time_range" and not isinstance(v, (list, tuple)):
            raise ReportError(f"filter {k}: expected a list of values")


def to_csv(result: Result, totals: bool = True, header: list[str] | None = None, total: str = "total") -> str:
    """The result as CSV (UTF-8 text, comma-separated, a header row; costs as exact decimals; a last row
    `total` when `totals` and there are dimensions: without any, the one row is the total). A measure in seconds
    is headed with its unit (talk_out_s); `header` replaces the headings (a person's file: labels.Words)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(csv_cells.row(header or csv_header(result.columns)))
    for row in result.rows:
        w.writerow(csv_cells.row(row))   # PBX text neutralised against formula injection (csv_cells)
    if totals and result.ndims:
        w.writerow([total] + csv_cells.row(result.totals[1:]))
    return out.getvalue()
