"""The price list CSV (README "Sell prices"): read, naming the file, line and column of a bad cell; write.

One header line, then one row per prefix. Required columns: destination, prefix, buy, sell, first_s, step_s (sell
may be empty: the list's markup fills it). Optional: list (the tariff code; default `default`), buy_currency,
sell_currency (default: the import's --currency), connection_fee, minimum (both in the sell currency), group
(destination group, for markup rules). A bad row refuses the whole file.
"""
from __future__ import annotations

import csv
import io
import logging
from decimal import Decimal
from typing import Any, Callable

from appliance.pricing.rules import PriceError, PriceRow, parse_currency, parse_money, parse_prefix, parse_seconds

log = logging.getLogger(__name__)

REQUIRED = ("destination", "prefix", "buy", "sell", "first_s", "step_s")
OPTIONAL = ("list", "buy_currency", "sell_currency", "connection_fee", "minimum", "group")
COLUMNS = REQUIRED + OPTIONAL
DEFAULT_LIST = "default"


def _name(text: str) -> str:
    t = " ".join(text.split())
    if not t:
        raise ValueError("is empty")
    return t


class _Reader:
    def __init__(self, source: str, currency: str):
        self.source, self.currency = source, currency
        self.cols: tuple[str, ...] = ()
        self.lists: dict[str, list[PriceRow]] = {}
        self.where: dict[tuple[str, str], int] = {}     # (list, prefix) -> line

    def fail(self, line: int, col: int | None, message: str) -> None:
        where = "" if col is None else f", column {self.cols[col] if col < len(self.cols) else 'beyond the header'}" \
                                       f" ({chr(ord('A') + col) if col < 26 else col + 1})"
        raise PriceError(f"{self.source} line {line}{where}: {message}")

    def header(self, line: int, cells: list[str]) -> None:
        self.cols = tuple(c.lower() for c in cells)
        for i, c in enumerate(self.cols):
            if c not in COLUMNS or c in self.cols[:i]:
                self.fail(line, i, f"{'repeated' if c in COLUMNS else 'unknown'} column {c!r}; the columns are "
                                   f"{', '.join(COLUMNS)}")
        for c in (c for c in REQUIRED if c not in self.cols):
            self.fail(line, None, f"the header needs a column {c!r} (required: {', '.join(REQUIRED)})")

    def cell(self, line: int, values: dict, column: str, parse: Callable[[str], Any], default: Any = None) -> Any:
        text = values.get(column, "")
        if not text.strip() and default is not None:
            return default
        try:
            return parse(text)
        except ValueError as e:
            self.fail(line, self.cols.index(column) if column in self.cols else None,
                      f"{e}" if column in self.cols else f"no {column}: {e}")

    def row(self, line: int, cells: list[str]) -> None:
        if len(cells) > len(self.cols):
            self.fail(line, len(self.cols), f"{cells[len(self.cols)]!r} is beyond the header's columns (a comma in "
                                            "a cell? quote the cell, and write decimals with a dot)")
        v = dict(zip(self.cols, cells))
        code = self.cell(line, v, "list", _name, DEFAULT_LIST)
        if not v.get("sell_currency", "").strip() and not self.currency:
            self.fail(line, None, "no sell currency: add a sell_currency column or give --currency")
        sell_currency = self.cell(line, v, "sell_currency", parse_currency, self.currency or None)
        rows = self.lists.setdefault(code, [])
        if rows and rows[0].sell_currency != sell_currency:
            self.fail(line, self.cols.index("sell_currency"), f"list {code!r} sells in {rows[0].sell_currency} "
                      f"(line {self.where[(code, rows[0].prefix)]}): one sell currency per list")
        prefix = self.cell(line, v, "prefix", parse_prefix)
        if (code, prefix) in self.where:
            self.fail(line, self.cols.index("prefix"), f"prefix {prefix} is already on line "
                                                       f"{self.where[(code, prefix)]} of list {code!r}")
        money = (lambda col: self.cell(line, v, col, parse_money, Decimal(0)))
        first_s = self.cell(line, v, "first_s", lambda t: parse_seconds(t, 0))
        row = PriceRow(destination=self.cell(line, v, "destination", _name), prefix=prefix,
                       buy=self.cell(line, v, "buy", parse_money),
                       buy_currency=self.cell(line, v, "buy_currency", parse_currency, sell_currency),
                       sell=self.cell(line, v, "sell", parse_money) if v.get("sell", "").strip() else None,
                       sell_currency=sell_currency, first_s=first_s,
                       step_s=self.cell(line, v, "step_s", lambda t: parse_seconds(t, 1)),
                       connection_fee=money("connection_fee"), minimum=money("minimum"),
                       group=self.cell(line, v, "group", str.strip, ""))
        self.where[(code, prefix)] = line
        rows.append(row)

    def read(self, text: str) -> dict[str, list[PriceRow]]:
        text = text.removeprefix("\ufeff")
        first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
        for cells in rows:
            cells = [c.strip() for c in cells]
            while cells and not cells[-1]:
                cells.pop()
            if not cells or cells[0].startswith("#"):
                continue
            if any(ord(ch) < 32 for c in cells for ch in c):
                self.fail(rows.line_num, None, "a cell has a line break or control character")
            if not self.cols:
                self.header(rows.line_num, cells)
            else:
                self.row(rows.line_num, cells)
        if not self.cols:
            raise PriceError(f"{self.source}: empty; a price list starts with a header line "
                             f"({','.join(REQUIRED)})")
        if not self.lists:
            raise PriceError(f"{self.source}: no price rows after the header")
        return self.lists


def read_csv(text: str, source: str = "<csv>", currency: str = "") -> dict[str, list[PriceRow]]:
    """Every price list in the file: code -> its rows in file order. PriceError names file, line and column."""
    return _Reader(source, currency.upper()).read(text)


def write_csv(lists: dict[str, list[PriceRow]]) -> str:
    """The canonical file: read_csv(write_csv(x)) == x."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(("list",) + REQUIRED + OPTIONAL[1:])
    for code, rows in lists.items():
        for r in rows:
            w.writerow((code, r.destination, r.prefix, f"{r.buy:f}", "" if r.sell is None else f"{r.sell:f}",
                        r.first_s, r.step_s, r.buy_currency, r.sell_currency, f"{r.connection_fee:f}",
                        f"{r.minimum:f}", r.group))
    return out.getvalue()
