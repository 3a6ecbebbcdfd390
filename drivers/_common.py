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


def hms_seconds(text: str, what: str) -> int:
    """A duration 'HH:MM:SS' in seconds; hours may pass 24 (a long call, a line that failed to release)."""
    h, _, rest = text.partition(":")
    m, _, s = rest.partition(":")
    digits = h + m + s
    if (len(m) != 2 or len(s) != 2 or not 0 < len(h) < 7 or not (digits.isascii() and digits.isdigit())
            or m > "59" or s > "59"):
        raise NotACallRecord(f"{what} {text[:40]!r} is not HH:MM:SS")
    return int(h) * 3600 + int(m) * 60 + int(s)
