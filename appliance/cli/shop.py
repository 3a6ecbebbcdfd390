"""`callbox shop session open|close|list`, `shop calls`, `shop pay`, `shop unserved`, `shop unpaid`: the callshop
cashier's session from scripts (SHOP-1, SHOP-2). Money is printed as decimal strings."""
from __future__ import annotations

import getpass
import json
import logging
import sys
from decimal import Decimal

from appliance import localtime
from appliance.cli.common import UsageError, iso_s, open_data
from appliance.procs import common_args
from appliance.pricing.rules import parse_currency, parse_money
from appliance.shop import account, booths, sessions

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add `shop` and its commands to the callbox parser's subparsers."""
    t = subparsers.add_parser("shop", help="the callshop cashier's sessions: open, calls, pay, unserved, close")
    sub = t.add_subparsers(dest="shop_command", metavar="session|calls|pay|unserved|unpaid|topup|balance",
                           required=True, parser_class=type(t))
    s = sub.add_parser("session", help="open, close or list cashier sessions")
    ssub = s.add_subparsers(dest="session_command", metavar="open|close|list", required=True, parser_class=type(t))
    c = ssub.add_parser("open", help="open a session (one at a time)")
    common_args(c)
    c.add_argument("--operator", help="the cashier's name (default: this system user)")
    c.add_argument("--json", action="store_true", help='print {"session": ID}')
    c.set_defaults(func=cmd_open)
    c = ssub.add_parser("close", help="close a session and print its closing figures")
    common_args(c)
    c.add_argument("session", type=int, metavar="ID")
    c.add_argument("--json", action="store_true",
                   help='print {"session", "calls", "minutes", "cash", "unpaid", "unserved", "currency"}')
    c.set_defaults(func=cmd_close)
    c = ssub.add_parser("list", help="the sessions, newest first, with their closing figures")
    common_args(c)
    c.add_argument("--since", metavar="ISO", help="only sessions opened at or after (PBX local time)")
    c.add_argument("--until", metavar="ISO", help="only sessions opened before")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = sub.add_parser("calls", help="a session's booth calls with their sell price and status")
    common_args(c)
    c.add_argument("--session", type=int, required=True, metavar="ID")
    c.add_argument("--json", action="store_true",
                   help="a list of {id, booth, number, destination, talk_s, sell, currency, status, start}")
    c.set_defaults(func=cmd_calls)
    c = sub.add_parser("topup", help="record a top-up of the shop's prepaid account with its provider (SHOP-4)")
    common_args(c)
    c.add_argument("amount", metavar="AMOUNT")
    c.add_argument("--currency", required=True, metavar="CODE", help="the account's currency (its first top-up's)")
    c.add_argument("--at", metavar="ISO", help="when it was paid (PBX local time; default now)")
    c.add_argument("--note", default="", help="e.g. the bank transfer's reference")
    c.set_defaults(func=cmd_topup)
    c = sub.add_parser("balance", help="the provider account: top-ups, buy cost of booth calls, balance, per day")
    common_args(c)
    c.add_argument("--until", metavar="ISO", help="the balance as it was then (default now)")
    c.add_argument("--json", action="store_true",
                   help='{"currency", "topups", "spent", "balance", "low", "calls", "unpriced", "days"}')
    c.set_defaults(func=cmd_balance)
    for name, what in (("pay", "mark calls paid at their sell price and print the total"),
                       ("unserved", "mark calls unserved (a failed call: no charge)"),
                       ("unpaid", "mark calls unpaid again")):
        c = sub.add_parser(name, help=what)
        common_args(c)
        c.add_argument("--session", type=int, required=True, metavar="ID")
        c.add_argument("calls", type=int, nargs="+", metavar="CALL_ID")
        c.add_argument("--json", action="store_true")
        c.set_defaults(func=cmd_pay if name == "pay" else cmd_status, status=name)


def _setup(args):
    cfg, _paths = open_data(args)
    shop = booths.shop_settings(cfg)
    return shop, booths.seller(shop)


def _refused(e: sessions.ShopError) -> UsageError:
    return UsageError(f"refused: {e}")


def cmd_open(args) -> int:
    shop, seller = _setup(args)
    try:
        s = sessions.open_session(shop, seller, args.operator or getpass.getuser())
    except sessions.ShopError as e:
        raise _refused(e) from None
    print(json.dumps({"session": s.id}) if args.json else f"session {s.id} open for {s.operator}")
    return 0


def cmd_close(args) -> int:
    shop, seller = _setup(args)
    try:
        f = sessions.close(args.session, shop, seller)
    except sessions.ShopError as e:
        raise _refused(e) from None
    if args.json:
        print(json.dumps(f))
    else:
        print(f"session {f['session']} closed: {f['calls']} calls, {f['minutes']} minutes, cash {f['cash']} "
              f"{f['currency']}, {f['unpaid']} unpaid, {f['unserved']} unserved")
    return 0


def cmd_list(args) -> int:
    cfg, _paths = open_data(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    rows = [sessions.closing_report(s) for s in sessions.sessions(iso_s(args.since, tz), iso_s(args.until, tz))]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    for r in [] if args.json else rows:
        state = f"closed {r['closed']}: {r['calls']} calls, cash {r['cash']} {r['currency']}" if r["closed"] \
            else "open"
        print(f"{r['session']}\t{r['operator']}\t{r['opened']}\t{state}")
    return 0


def cmd_calls(args) -> int:
    shop, seller = _setup(args)
    try:
        calls = sessions.session_calls(sessions.get_session(args.session), shop, seller)
    except sessions.ShopError as e:
        raise _refused(e) from None
    if args.json:
        print(json.dumps([c.as_json() for c in calls], ensure_ascii=False))
    for c in [] if args.json else calls:
        print(f"{c.id}\t{c.booth}\t{c.start}\t{c.number}\t{c.destination}\t{c.talk_s}\t"
              f"{'-' if c.sell is None else c.sell} {c.currency}\t{c.status}")
    return 0


def cmd_pay(args) -> int:
    shop, seller = _setup(args)
    try:
        paid, total, currency = sessions.pay(args.session, args.calls, shop, seller)
    except sessions.ShopError as e:
        raise _refused(e) from None
    print(json.dumps({"paid": paid, "total": str(total), "currency": currency}) if args.json
          else f"paid {len(paid)} calls: {total} {currency}")
    return 0


def cmd_status(args) -> int:
    shop, seller = _setup(args)
    try:
        done = sessions.set_status(args.session, args.calls, args.status, shop, seller)
    except sessions.ShopError as e:
        raise _refused(e) from None
    print(json.dumps({args.status: done}) if args.json else f"{len(done)} calls marked {args.status}")
    return 0


def cmd_topup(args) -> int:
    cfg, _paths = open_data(args)
    try:
        amount, code = parse_money(args.amount), parse_currency(args.currency)
        at = iso_s(args.at, localtime.zone(cfg.section("pbx").timezone))
        t = account.top_up(amount, code, at, args.note)
    except ValueError as e:   # AccountError too
        raise UsageError(str(e)) from None
    print(f"top-up {t.id}: {t.amount} {t.currency}")
    return 0


def cmd_balance(args) -> int:
    cfg, _paths = open_data(args)
    shop = booths.shop_settings(cfg)
    st = account.statement(shop, booths.seller(shop), iso_s(args.until, localtime.zone(cfg.section("pbx").timezone)))
    low = bool(shop.low_balance) and bool(st["currency"]) and Decimal(st["balance"]) < shop.low_balance
    if args.json:
        print(json.dumps({**st, "low": low}, ensure_ascii=False))
    else:
        for d in st["days"]:
            print(f"{d['date']}\ttop-ups {d['topups']}\tspent {d['spent']}\tbalance {d['balance']}")
        print(f"balance {st['balance']} {st['currency']} (top-ups {st['topups']}, spent {st['spent']} on "
              f"{st['calls']} calls)")
    if st["unpriced"]:
        print(f"warning: {len(st['unpriced'])} booth calls have no buy price, not counted: "
              f"{st['unpriced'][0]['problem']}", file=sys.stderr)
    if low:
        print(f"warning: the balance {st['balance']} {st['currency']} is below [shop] low_balance "
              f"{shop.low_balance}: top the account up", file=sys.stderr)
    return 0
