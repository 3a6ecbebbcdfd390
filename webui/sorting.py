"""Sorting by any column and top-N for the tables that are not report tables (issue 20): the home page's boxes, the
bill's tables, /charges' tables. As the report tables do (webui.reports.common.sort_table): in the page's URL, so it
works without script and survives the home page's reload, each heading a link (aria-sort on the sorted one), numbers,
money and durations by value, text without case, empty values last either way.

A page may hold several such tables: each has a name, and its parameters are NAME_sort (a column number), NAME_desc
(1|0) and NAME_top (a row count; 0 = all), so sorting one leaves the others as they are; its links end in #NAME,
the table's id. The sort_head.tpl and sort_top.tpl templates show the headings and the top-N choice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Sequence
from urllib.parse import urlencode

TOPS = (5, 10, 25, 100)      # the row counts offered, and 0 for all


@dataclass(frozen=True)
class Column:
    """A heading and the row's raw value to sort by (a number, Decimal, seconds or text; None/'' for none)."""
    heading: str
    key: Callable[[Any], Any]
    numeric: bool = False     # numbers, money, durations: right-aligned, the largest first on the first click


@dataclass
class Sorted:
    """A table's rows as shown, with the links of its headings and of its top-N choices."""
    name: str
    rows: list
    heads: list[tuple[str, str, str, bool]] = field(default_factory=list)   # (heading, link, aria-sort, numeric)
    hidden: int = 0                                   # rows beyond the top-N shown
    tops: list[tuple[str, str, bool]] = field(default_factory=list)          # (count or '', link, current)
    total: int = 0


def amount(value: Any) -> Decimal | None:
    """A money amount to sort by (exact decimal text or a number); None for none."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _key(value: Any) -> tuple:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value).casefold())


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 7 else None


def sort_list(name: str, rows: Sequence, columns: Sequence[Column], query: Any, path: str,
              top: int = 0, tops: Sequence[int] = TOPS, default: tuple[int, bool] | None = None) -> Sorted:
    """`rows` sorted by ?NAME_sort (else `default`, else as they come) and cut to ?NAME_top (else `top`; 0 = all).

    `query` is the request's query (a bottle FormsDict or a dict); `path` the page's path, for the links."""
    items = list(query.allitems()) if hasattr(query, "allitems") else list(dict(query).items())
    keep = [(k, v) for k, v in items if k not in (f"{name}_sort", f"{name}_desc", f"{name}_top")]
    got = dict(items)
    sort = _int(got.get(f"{name}_sort", ""))
    desc = got.get(f"{name}_desc", "") == "1"
    if sort is None and default is not None and f"{name}_sort" not in got:
        sort, desc = default
    if sort is not None and sort >= len(columns):
        sort = None
    asked = _int(got.get(f"{name}_top", ""))
    count = top if asked is None else asked
    out = list(rows)
    if sort is not None:
        key = columns[sort].key
        present = [r for r in out if key(r) not in (None, "")]
        present.sort(key=lambda r: _key(key(r)), reverse=desc)
        out = present + [r for r in out if key(r) in (None, "")]

    def link(**changes: str) -> str:
        mine = {f"{name}_sort": str(sort) if sort is not None else None, f"{name}_desc": "1" if desc else "0",
                f"{name}_top": str(count) if asked is not None else None}
        mine.update({f"{name}_{k}": v for k, v in changes.items()})
        if mine[f"{name}_sort"] is None:
            mine[f"{name}_desc"] = None
        params = keep + [(k, v) for k, v in mine.items() if v is not None]
        return f"{path}?{urlencode(params)}#{name}"

    total = len(out)
    hidden = 0
    if count and count < total:
        out, hidden = out[:count], total - count
    heads = []
    for i, c in enumerate(columns):
        again = sort == i
        first_desc = c.numeric
        heads.append((c.heading, link(sort=str(i), desc="0" if (desc if again else not first_desc) else "1"),
                      ("descending" if desc else "ascending") if again else "", c.numeric))
    choices = sorted({*tops, *([top] if top else [])})
    shown_tops: list[tuple[str, str, bool]] = []
    if total > choices[0] or hidden:       # a table shorter than the smallest choice has nothing to cut
        shown_tops = [(str(n), link(top=str(n)), count == n) for n in choices if n < total or count == n]
        shown_tops.append(("", link(top="0"), not count or count >= total))
    return Sorted(name, out, heads, hidden, shown_tops, total)
