"""`callbox period close|reopen|list`: mark invoiced periods as billed, so re-rating leaves their calls alone."""
from __future__ import annotations

import getpass
import json
from datetime import datetime, timezone

from appliance import localtime
from appliance.billing import billed, usage
from appliance.cli.common import UsageError, open_data
from appliance.procs import common_args


def register(subparsers) -> None:
    """Add `period close|reopen|list` to the callbox parser's subparsers."""
    p = subparsers.add_parser("period", help="billed periods: their calls keep their price when tariffs change")
    sub = p.add_subparsers(dest="period_command", required=True, parser_class=type(p))
    c = sub.add_parser("close", help="mark a period as billed (invoiced): re-rating leaves its calls alone")
    common_args(c)
    c.add_argument("--period", help="YYYY-MM, YYYY-Www or YYYY-MM-DD, PBX local time")
    c.add_argument("--since", help="ISO date/time, inclusive (local time unless an offset is given)")
    c.add_argument("--until", help="ISO date/time, exclusive")
    c.add_argument("--tenant", metavar="CODE", help="the tenant billed (default: [pbx] tenant)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_close)
    c = sub.add_parser("reopen", help="lift a billed period's freeze (its calls may be re-rated again)")
    common_args(c)
    c.add_argument("label", metavar="PERIOD", help="the period as listed, e.g. 2026-10")
    c.add_argument("--tenant", metavar="CODE", help="default: [pbx] tenant")
    c.set_defaults(func=cmd_reopen)
    c = sub.add_parser("list", help="the billed periods")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON object per line")
    c.set_defaults(func=cmd_list)


def _open(args):
    return open_data(args)[0]


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def cmd_close(args) -> int:
    cfg = _open(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    if args.period and (args.since or args.until):
        raise UsageError("give --period or --since/--until, not both")
    if args.period:
        period = usage.parse_period(args.period, tz)
    elif args.since and args.until:
        period = usage.custom(args.since, args.until, tz)
    else:
        raise UsageError("a period is needed: --period YYYY-MM, or --since and --until")
    tenant = args.tenant or cfg.section("pbx").tenant
    pid = billed.close(tenant, period.label, period.since, period.until, by=_who())
    out = {"id": pid, "tenant": tenant, "period": period.label, "since": _iso(period.since),
           "until": _iso(period.until)}
    print(json.dumps(out) if args.json else f"period {period.label} of tenant {tenant} is billed: its calls keep "
          "their price (callbox rerate --force to re-rate them anyway)")
    return 0


def cmd_reopen(args) -> int:
    cfg = _open(args)
    tenant = args.tenant or cfg.section("pbx").tenant
    billed.reopen(tenant, args.label, by=_who())
    print(f"period {args.label} of tenant {tenant} reopened")
    return 0


def cmd_list(args) -> int:
    _open(args)
    for p in billed.periods():
        row = {"tenant": p.tenant, "period": p.label, "since": _iso(p.since), "until": _iso(p.until),
               "closed_at": _iso(p.closed_at), "closed_by": p.closed_by}
        print(json.dumps(row, ensure_ascii=False) if args.json else
              f"{p.tenant}\t{p.label}\t{row['since']}\t{row['until']}\tclosed {row['closed_at']} by {p.closed_by}")
    return 0


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()
