"""Helpers several drivers share (not a driver: the registry skips modules whose name starts with _)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from appliance.records import NotACallRecord


def parsed_share(parse: Callable[[str], object], lines: list[str]) -> float:
    """For looks_like(): the share of the lines `parse` reads that it reads as records (None lines, such as
    headers and blank lines, count for neither side); 0.0 when it reads no record at all."""
    good = bad = 0
    for line in lines:
        try:
            good += parse(line) is not None
        except NotACallRecord:
            bad += 1
    return good / (good + bad) if good else 0.0


def nearest_date(month: int, day: int, ref: date) -> date:
    """The date with this month and day nearest to `ref`, for formats that print no year: Dec -> Jan moves
    to the next year, a late Dec record after New Year stays in the old one."""
    best = None
    for year in (ref.year, ref.year + 1, ref.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs(d - ref) < abs(best - ref):
            best = d
    if best is None:
        raise NotACallRecord(f"Date {month:02d}/{day:02d} is not a date near {ref.year}")
    return best
