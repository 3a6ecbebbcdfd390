"""`callbox shop session open|close|list`, `shop calls`, `shop pay`, `shop unserved`, `shop unpaid`: the callshop
cashier's session from scripts (SHOP-1, SHOP-2). Money is printed as decimal strings."""
from __future__ import annotations

import getpass
import json
import logging

from appliance import localtime
from appliance.cli.common import UsageError, iso_s, open_data
from appliance.procs import common_args
from appliance.shop import booths, sessions

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add `shop` and its commands to the callbox parser's subparsers."""
    t = subparsers.add_parser("shop", help="the callshop cashier's sessions: open, calls, pay, unserved, close")
    sub = t.add_subparsers(dest="shop_command", metavar="session|calls|pay|unserved|unpaid", required=True,
                           parser_class=type(t))
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
