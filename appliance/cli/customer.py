"""`callbox customer add|edit|list|show|topup|statement`: customers, what makes a call theirs, their price list and
currency, and their prepaid account (RAT-11). Money is printed as decimal strings."""
from __future__ import annotations

import json
import logging
import sys
from decimal import Decimal
from pathlib import Path

from appliance import localtime
from appliance.cli.common import UsageError, iso_s, open_data
from appliance.cli.invoice import period
from appliance.customers import accounts, customers, margins
from appliance.procs import common_args
from appliance.store.customers import ACCOUNTS

log = logging.getLogger(__name__)
LANGS = customers.LANGS


def _values(c, edit: bool) -> None:
    c.add_argument("--name", required=not edit, help="the customer's name as invoices show it")
    c.add_argument("--extension", action="append", metavar="EXT",
                   help="an extension whose outgoing calls are theirs (repeat for more)")
    c.add_argument("--account-code", action="append", metavar="CODE", dest="account_code",
                   help="an account code whose calls are theirs (repeat for more)")
    c.add_argument("--price-list", metavar="LIST", help="their price list's code (default: the only one stored)")
    c.add_argument("--currency", metavar="CODE", help="what they are billed in (default: the price list's)")
    c.add_argument("--account", choices=ACCOUNTS, help="prepaid or postpaid (default postpaid)")
    c.add_argument("--low-balance", metavar="AMOUNT", help="prepaid: warn below this balance")
    c.add_argument("--tax-rate", metavar="PERCENT",
                   help="added to an invoice's net, e.g. 20 (a customer without --country; else [customers] tax_rates)")
    c.add_argument("--country", metavar="CC", help="ISO 3166 country (TR): taxed at its [customers] tax_rates rate "
                   "(\"\" = none: their own --tax-rate)")
    c.add_argument("--email", metavar="ADDRESS", help="where their invoices are mailed (comma-separated; \"\" = none)")
    c.add_argument("--lang", choices=LANGS, help="the language of their invoices")
    c.add_argument("--address", help="printed under the name on invoices")
    c.add_argument("--monthly-fee", metavar="AMOUNT", dest="monthly_fee",
                   help="a fixed-price contract's flat fee a month (\"\" = none): `callbox customer margin`")


def register(subparsers) -> None:
    """Add `customer` and its commands to the callbox parser's subparsers."""
    t = subparsers.add_parser("customer", help="customers re-billed at sell prices; their prepaid accounts")
    sub = t.add_subparsers(dest="customer_command", metavar="add|edit|list|show|topup|statement|calls|margin",
                           required=True, parser_class=type(t))
    for name, what in (("add", "create a customer"), ("edit", "change a customer (extensions and codes: replaced)")):
        c = sub.add_parser(name, help=what)
        common_args(c)
        c.add_argument("code", metavar="CODE", help="short and stable: lowercase letters, digits, . _ -")
        _values(c, name == "edit")
        c.set_defaults(func=cmd_add if name == "add" else cmd_edit)
    c = sub.add_parser("list", help="the customers")
    common_args(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = sub.add_parser("show", help="one customer with its extensions and account codes")
    common_args(c)
    c.add_argument("code", metavar="CODE")
    c.set_defaults(func=cmd_show)
    c = sub.add_parser("topup", help="record a payment into a prepaid customer's account")
    common_args(c)
    c.add_argument("code", metavar="CODE")
    c.add_argument("amount", metavar="AMOUNT")
    c.add_argument("--at", metavar="ISO", help="when it was paid (PBX local time; default now)")
    c.add_argument("--note", default="", help="e.g. the receipt's number")
    c.set_defaults(func=cmd_topup)
    c = sub.add_parser("statement", help="a prepaid account: top-ups and calls with the balance after each")
    common_args(c)
    c.add_argument("code", metavar="CODE")
    c.add_argument("--until", metavar="ISO", help="the account as it was then (default now)")
    c.add_argument("--json", action="store_true", help='{"balance", "low", "exhausted", "lines", ...}')
    c.set_defaults(func=cmd_statement)
    c = sub.add_parser("calls", help="a customer's calls of a period at their sell price, with the totals (REP-9)")
    common_args(c)
    c.add_argument("code", metavar="CODE")
    c.add_argument("--month", metavar="YYYY-MM", help="a calendar month in PBX local time")
    c.add_argument("--since", metavar="YYYY-MM-DD", help="or the first day ...")
    c.add_argument("--until", metavar="YYYY-MM-DD", help="... and the last day (included)")
    c.add_argument("--json", action="store_true", help='{"calls": [...], "count", "talk_s", "total", "currency"}')
    c.add_argument("--pdf", type=Path, metavar="FILE", help="write the call list as PDF (the customer's language)")
    c.add_argument("--lang", choices=LANGS, help="the PDF's language (default: the customer's)")
    c.set_defaults(func=cmd_calls)
    c = sub.add_parser("margin", help="fixed-price contracts: each one's fee against the buy cost of its calls")
    common_args(c)
    c.add_argument("--month", metavar="YYYY-MM", help="a calendar month in PBX local time")
    c.add_argument("--since", metavar="YYYY-MM-DD", help="or the first day ...")
    c.add_argument("--until", metavar="YYYY-MM-DD", help="... and the last day (included)")
    c.add_argument("--json", action="store_true",
                   help='a list of {"customer", "fee", "buy", "sell", "margin", "negative", "calls", ...}')
    c.set_defaults(func=cmd_margin)


def _given(args) -> dict:
    keys = ("name", "price_list", "currency", "account", "low_balance", "tax_rate", "lang", "address", "monthly_fee",
            "country", "email")
    return {k: getattr(args, k) for k in keys if getattr(args, k) is not None}


def _json(c) -> dict:
    m = customers.matches(c)
    return {"code": c.code, "name": c.name, "extensions": m["extension"], "account_codes": m["account"],
            "price_list": c.price_list, "currency": c.currency, "account": c.account, "low_balance": c.low_balance,
            "tax_rate": c.tax_rate, "lang": c.lang, "address": c.address, "monthly_fee": c.monthly_fee,
            "country": c.country, "email": c.email}


def cmd_add(args) -> int:
    open_data(args)
    c = customers.add(args.code, args.name, args.extension or [], args.account_code or [],
                      **{k: v for k, v in _given(args).items() if k != "name"})
    print(f"customer {c.code} added ({c.account})")
    return 0


def cmd_edit(args) -> int:
    open_data(args)
    c = customers.edit(args.code, args.extension, args.account_code, **_given(args))
    print(f"customer {c.code} changed")
    return 0


def cmd_list(args) -> int:
    open_data(args)
    rows = [_json(c) for c in customers.all_customers()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    for r in [] if args.json else rows:
        print(f"{r['code']}\t{r['name']}\t{r['account']}\t{','.join(r['extensions'] + r['account_codes'])}")
    return 0


def cmd_show(args) -> int:
    open_data(args)
    print(json.dumps(_json(customers.get(args.code)), ensure_ascii=False, indent=1))
    return 0


def cmd_topup(args) -> int:
    cfg, _paths = open_data(args)
    at = iso_s(args.at, localtime.zone(cfg.section("pbx").timezone))
    t = accounts.top_up(customers.get(args.code), args.amount, at, args.note)
    print(f"top-up {t.id}: {t.amount}")
    return 0


def cmd_statement(args) -> int:
    cfg, _paths = open_data(args)
    c = customers.get(args.code)
    if c.account != "prepaid":
        raise UsageError(f"customer {c.code} is postpaid: see `callbox invoice issue`")
    st = accounts.statement(c, iso_s(args.until, localtime.zone(cfg.section("pbx").timezone)))
    if args.json:
        print(json.dumps(st, ensure_ascii=False))
    else:
        for e in st["lines"]:
            what = e["note"] if e["kind"] == "topup" else f"{e['number']} {e['destination']} {e['talk_s']} s"
            print(f"{e['at']}\t{e['kind']}\t{what}\t{e['amount']}\t{e['balance']}")
        print(f"balance {st['balance']} {st['currency']} (top-ups {st['topups']}, spent {st['spent']})")
    if st["unpriced"]:
        print(f"warning: {len(st['unpriced'])} calls have no sell price, not debited: {st['unpriced'][0]['problem']}",
              file=sys.stderr)
    if st["exhausted"] or st["low"]:
        state = "exhausted" if st["exhausted"] else f"below {st['low_balance']}"
        print(f"warning: customer {c.code}'s balance {st['balance']} {st['currency']} is {state}: top it up",
              file=sys.stderr)
    return 0


def cmd_margin(args) -> int:
    cfg, _paths = open_data(args)
    rows = margins.margins(*period(args, localtime.zone(cfg.section("pbx").timezone)))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    for r in [] if args.json else rows:
        print(f"{r['customer']}\tfee {r['fee']}\tbuy {r['buy']}\tmargin {r['margin']} {r['currency']}"
              + ("\tNEGATIVE" if r["negative"] else ""))
    for r in rows:
        if r["negative"]:
            print(f"warning: customer {r['customer']}'s calls cost {r['buy']} {r['currency']}, more than its fee "
                  f"{r['fee']}", file=sys.stderr)
        if r["unpriced"]:
            print(f"warning: customer {r['customer']}: {len(r['unpriced'])} calls have no buy price, not counted: "
                  f"{r['unpriced'][0]['problem']}", file=sys.stderr)
    return 0


def cmd_calls(args) -> int:
    cfg, _paths = open_data(args)
    c = customers.get(args.code)
    pricer = customers.Pricer(c)
    calls = customers.calls_of(c, *period(args, localtime.zone(cfg.section("pbx").timezone)), pricer)
    total = sum((x.sell or Decimal(0) for x in calls), Decimal(0))
    rows = [{"id": x.id, "start": x.start, "extension": x.extension, "number": x.number, "destination": x.destination,
             "talk_s": x.talk_s, "sell": None if x.sell is None else str(x.sell), "problem": x.problem} for x in calls]
    out = {"customer": c.code, "currency": pricer.currency, "count": len(calls), "talk_s": sum(x.talk_s for x in calls),
           "total": str(total), "calls": rows}
    if args.pdf:
        from appliance.pdf.call_list import call_list_pdf   # late: fpdf2, only for a PDF
        label = args.month or f"{args.since} – {args.until}"
        args.pdf.write_bytes(call_list_pdf(c, calls, pricer.currency, label, args.lang or c.lang))
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for x in rows:
            print(f"{x['start']}\t{x['extension']}\t{x['number']}\t{x['destination']}\t{x['talk_s']}\t"
                  f"{x['sell'] if x['sell'] is not None else '-'}")
        print(f"{out['count']} calls, {out['talk_s']} s, total {out['total']} {out['currency']}")
    unpriced = [x for x in calls if x.sell is None]
    if unpriced:
        print(f"warning: {len(unpriced)} calls have no sell price: {unpriced[0].problem}", file=sys.stderr)
    return 0
