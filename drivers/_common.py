"""Helpers several drivers share (not a driver: the registry skips modules whose name starts with _)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date

from appliance.records import NotACallRecord


class LazyFields(Mapping[str, str]):
    """A CallRecord's `extra`, built only when someone reads it: the parse stage stores none of it, so a
    driver whose extra is large (IP Office: 18 fields) would otherwise build it for nothing on every line."""

    __slots__ = ("_build", "_fields", "_dict")

    def __init__(self, build: Callable[[list[str]], dict[str, str]], fields: list[str]):
        self._build, self._fields = build, fields
        self._dict: dict[str, str] | None = None

    def _get(self) -> dict[str, str]:
        if self._dict is None:
            self._dict = self._build(self._fields)
        return self._dict

    def __getitem__(self, key: str) -> str:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get())

    def __eq__(self, other: object) -> bool:
        return self._get() == other


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
    if len(text) == 8 and text[2] == ":" == text[5] and text[3] < "6" and text[6] < "6":   # the usual shape
        digits = text[:2] + text[3:5] + text[6:]
        if digits.isascii() and digits.isdigit():
            v = int(digits)
            return v // 10000 * 3600 + v // 100 % 100 * 60 + v % 100
    h, _, rest = text.partition(":")
    m, _, s = rest.partition(":")
    digits = h + m + s
    if (len(m) != 2 or len(s) != 2 or not 0 < len(h) < 7 or not (digits.isascii() and digits.isdigit())
            or m > "59" or s > "59"):
        raise NotACallRecord(f"{what} {text[:40]!r} is not HH:MM:SS")
    return int(h) * 3600 + int(m) * 60 + int(s)
