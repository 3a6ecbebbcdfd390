"""`callbox pricelist import|export|rate|markup`: sell-price lists (RAT-10, SHOP-3) to and from CSV, exchange rates,
markup rules."""
from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

from appliance.cli.common import UsageError, open_data, read_csv_text
from appliance.pricing import lists, pricelist_csv
from appliance.pricing.rules import Markup, PriceError, parse_currency, parse_money
from appliance.procs import common_args
from appliance.rating.tariffs import parse_date

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add `pricelist` and its commands to the callbox parser's subparsers."""
    t = subparsers.add_parser("pricelist", help="sell-price lists (CSV), exchange rates, markup rules")
    sub = t.add_subparsers(dest="pricelist_command", metavar="import|export|rate|markup", required=True,
                           parser_class=type(t))
    c = sub.add_parser("import", help="store the price lists of a CSV file (a stored list of that code is replaced)")
    common_args(c)
    c.add_argument("--currency", default="", metavar="CODE",
                   help="sell (and buy) currency of rows without a sell_currency (buy_currency) column")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument("file", type=Path, metavar="FILE")
    c.set_defaults(func=cmd_import)
    c = sub.add_parser("export", help="write stored price lists as CSV (UTF-8 with BOM; stdout without FILE)")
    common_args(c)
    c.add_argument("--list", metavar="CODE", help="only this list")
    c.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    c.set_defaults(func=cmd_export)
    c = sub.add_parser("rate", help="store an exchange rate: 1 BASE = RATE QUOTE from a date on")
    common_args(c)
    c.add_argument("base", metavar="BASE")
    c.add_argument("quote", metavar="QUOTE")
    c.add_argument("rate", metavar="RATE")
    c.add_argument("--from", dest="valid_from", required=True, metavar="YYYY-MM-DD")
    c.set_defaults(func=cmd_rate)
    c = sub.add_parser("markup", help="fill a list's missing sell prices: buy + PERCENT%% or + FIXED per minute")
    common_args(c)
    c.add_argument("code", metavar="LIST")
    c.add_argument("markup", metavar="PERCENT%|FIXED")
    c.add_argument("--group", default="", help="destination group (default: every group without its own rule)")
    c.add_argument("--minimum", default="0", metavar="AMOUNT", help="least sell price per minute")
    c.set_defaults(func=cmd_markup)


def cmd_import(args) -> int:
    try:
        currency = parse_currency(args.currency) if args.currency else ""
    except ValueError as e:
        raise UsageError(f"--currency: {e}") from None
    found = pricelist_csv.read_csv(read_csv_text(args.file), str(args.file), currency)   # PriceError: line, column
    open_data(args, create=True)
    out = lists.save_lists(found)
    if args.json:
        print(json.dumps({"file": str(args.file), "lists": out}, ensure_ascii=False))
    for o in [] if args.json else out:
        print(f"{o['list']}: {o['rows']} prefixes, sold in {o['currency']}"
              + (f", {o['without_sell']} priced by the markup" if o["without_sell"] else ""))
    return 0


def cmd_export(args) -> int:
    open_data(args)
    wanted = [args.list] if args.list else lists.codes()
    if not wanted:
        raise UsageError("no price lists stored: `callbox pricelist import FILE` first")
    try:
        text = pricelist_csv.write_csv({code: lists.rows_of(code) for code in wanted})
    except PriceError as e:
        raise UsageError(str(e)) from None
    if args.file == "-":
        sys.stdout.write(text)
    else:   # with a BOM, Excel reads the file as UTF-8
        with open(args.file, "w", encoding="utf-8-sig", newline="") as f:
            f.write(text)
    return 0


def cmd_rate(args) -> int:
    try:
        base, quote = parse_currency(args.base), parse_currency(args.quote)
        rate, day = parse_money(args.rate), parse_date(args.valid_from)
    except ValueError as e:
        raise UsageError(str(e)) from None
    open_data(args, create=True)
    replaced = lists.add_rate(base, quote, day, rate)
    print(f"1 {base} = {rate} {quote} from {day.isoformat()}" + (" (replaced)" if replaced else ""))
    return 0


def cmd_markup(args) -> int:
    m = re.fullmatch(r"\s*([0-9.]+)\s*(%?)\s*", args.markup)
    try:
        if m is None:
            raise ValueError(f"{args.markup!r} is not a markup like 25% or 0.10")
        value, minimum = parse_money(m.group(1)), parse_money(args.minimum)
    except ValueError as e:
        raise UsageError(str(e)) from None
    rule = Markup(" ".join(args.group.split()), value if m.group(2) else None, None if m.group(2) else value,
                  minimum)
    open_data(args)
    lists.set_markup(args.code, rule)
    what = f"{value}%" if m.group(2) else f"+{value} per minute"
    print(f"{args.code}: group {rule.group or '(default)'} marked up {what}, at least {minimum} per minute")
    return 0
