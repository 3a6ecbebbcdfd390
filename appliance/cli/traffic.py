"""`callbox traffic missed|trunks|concurrency|busy-hour`: missed calls and trunk traffic reports (REP-6, REP-7); on a
central over its branch boxes' calls too (appliance/reports/received_traffic.py; --branch BOX: that box's only)."""
from __future__ import annotations

import json
import logging
import re
import time
from datetime import datetime

from appliance import localtime
from appliance.access import users
from appliance.billing.usage import BillingError, parse_period
from appliance.cli.common import UsageError, iso_s, open_data
from appliance.procs import common_args
from appliance.reports import concurrency as report_concurrency
from appliance.reports import missed as report_missed
from appliance.reports import received_traffic
from appliance.reports import trunks as report_trunks
from appliance.reports.concurrency import Traffic
from appliance.store.users import FILE_NAME, open_users_db

log = logging.getLogger(__name__)
_STEP = re.compile(r"(\d+)\s*([smh]?)")


def _common(c, traffic: bool = True) -> None:
    common_args(c)
    c.add_argument("--period", help="YYYY-MM, YYYY-Www or YYYY-MM-DD in PBX local time (default: this month "
                                    "so far, unless --since/--until)")
    c.add_argument("--since", help="ISO date/time, inclusive (PBX local time unless an offset is given)")
    c.add_argument("--until", help="ISO date/time, exclusive (default: now)")
    c.add_argument("--as", dest="as_user", metavar="USER",
                   help="only the calls this web user may see (default: every call of the box)")
    c.add_argument("--json", action="store_true", help="one JSON object")
    c.add_argument("--branch", metavar="BOX", default="",
                   help="on a central: only the calls branch box BOX sent (default: this box's own and every branch "
                        "box's, the box a column)")
    if traffic:
        c.add_argument("--direction", choices=report_concurrency.DIRECTIONS, help="traffic type: direction")
        c.add_argument("--kind", help="traffic type: number class (local, mobile, international_fixed, ...)")
        c.add_argument("--trunk", help="only this trunk")
        c.add_argument("--group", metavar="PROVIDER", help="only this trunk group (the trunks' provider)")


def register(subparsers) -> None:
    """Add `traffic missed|trunks|concurrency|busy-hour` to the callbox parser's subparsers."""
    t = subparsers.add_parser("traffic", help="missed calls, trunk traffic, concurrent calls, busy hour")
    sub = t.add_subparsers(dest="traffic_command", required=True, parser_class=type(t))
    c = sub.add_parser("missed", help="missed calls per extension or person, direct and transferred (REP-6)")
    _common(c, traffic=False)
    c.add_argument("--by", choices=report_missed.BY, default="extension")
    c.set_defaults(func=cmd_missed)
    c = sub.add_parser("trunks", help="traffic per trunk group and trunk, and problem trunks (REP-7)")
    _common(c)
    c.add_argument("--baseline", type=int, default=report_trunks.Rules().baseline_periods, metavar="N",
                   help="judge problems against the N periods of the same length before (default 4)")
    c.set_defaults(func=cmd_trunks)
    c = sub.add_parser("concurrency", help="the most calls up at once and erlangs per interval (REP-7)")
    _common(c)
    c.add_argument("--step", default="1h", help="interval: 1m 5m 10m 15m 30m 1h 2h 3h 4h 6h 8h 12h 24h "
                                                "(default 1h), in local time")
    c.set_defaults(func=cmd_concurrency)
    c = sub.add_parser("busy-hour", help="the hour with the most traffic in erlangs (REP-7)")
    _common(c)
    c.set_defaults(func=cmd_busy_hour)


def _range(args, tz) -> tuple[int, int]:
    if args.period and (args.since or args.until):
        raise UsageError("give --period or --since/--until, not both")
    if args.period:
        try:
            p = parse_period(args.period, tz)
        except BillingError as e:
            raise UsageError(str(e)) from None
        return p.since, p.until
    now = int(time.time())
    here = datetime.fromtimestamp(now, tz)
    given_since, given_until = iso_s(args.since, tz), iso_s(args.until, tz)
    since = localtime.to_utc(datetime(here.year, here.month, 1), tz)[0] if given_since is None else given_since
    until = now if given_until is None else given_until
    if until <= since:
        raise UsageError("the range is empty: --until must be after --since")
    return since, until


def _account(args, pbx_tenant: str) -> users.Account:
    """The web user of --as (their scope applies), or the box itself: every call, as `callbox calls`."""
    if not args.as_user:
        return users.Account(0, "(console)", "administrator", "all", "", "")
    open_users_db(args.data / FILE_NAME)
    account = users.get(args.as_user)
    if account is None:
        raise UsageError(f"no web user {args.as_user!r} (callbox user list)")
    if account.username in users.disabled_usernames():
        raise UsageError(f"web user {args.as_user!r} is disabled")
    return account


def _setup(args):
    cfg, _ = open_data(args)
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    since, until = _range(args, tz)
    return tz, pbx.tenant, _account(args, pbx.tenant), since, until


def _traffic(args) -> Traffic:
    return Traffic(args.direction, args.kind, args.trunk, args.group)


def _print_table(columns: list[str], rows: list[list]) -> None:
    cells = [columns] + [["" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v) for v in r]
                         for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def cmd_missed(args) -> int:
    tz, pbx_tenant, user, since, until = _setup(args)
    report = received_traffic.missed(user, pbx_tenant, since, until, args.by, args.branch)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        _print_table(*report.table())
    return 0


def cmd_trunks(args) -> int:
    tz, pbx_tenant, user, since, until = _setup(args)
    if args.baseline < 1:
        raise UsageError("--baseline must be at least 1")
    rules = report_trunks.Rules(baseline_periods=args.baseline)
    groups = report_trunks.TrunkGroups(pbx_tenant)
    report = received_traffic.trunk_traffic(user, pbx_tenant, since, until, _traffic(args), rules, groups,
                                            box=args.branch)
    found = received_traffic.problems(user, pbx_tenant, since, until, _traffic(args), rules, groups, box=args.branch)
    if args.json:
        print(json.dumps({**report.to_dict(), "problems": [p.to_dict() for p in found]}, ensure_ascii=False))
        return 0
    _print_table(*report.table())
    print()
    for p in found:
        print(f"problem: {p.branch + ': ' if p.branch else ''}{p.group or '(no provider)'} / {p.trunk}: "
              f"{p.problem}: {p.detail}")
    if not found:
        print("no problem trunks")
    return 0


def _step(text: str) -> int:
    m = _STEP.fullmatch(text.strip().lower())
    seconds = int(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[m[2]] if m else 0
    if seconds not in report_concurrency.STEPS:
        raise UsageError(f"--step {text!r}: expected one of 1m 5m 10m 15m 30m 1h 2h 3h 4h 6h 8h 12h 24h")
    return seconds


def cmd_concurrency(args) -> int:
    step = _step(args.step)
    tz, pbx_tenant, user, since, until = _setup(args)
    buckets = received_traffic.concurrency(user, pbx_tenant, since, until, tz, step, _traffic(args),
                                           report_trunks.TrunkGroups(pbx_tenant), args.branch)
    if args.json:
        print(json.dumps({"traffic": _traffic(args).to_dict(), "step_s": step,
                          "intervals": [b.to_dict() for b in buckets]}))
    else:
        _print_table(["start", "max_concurrent", "erlangs"], [[b.label, b.max_concurrent, b.erlangs] for b in buckets])
    return 0


def cmd_busy_hour(args) -> int:
    tz, pbx_tenant, user, since, until = _setup(args)
    result = received_traffic.busy_hour(user, pbx_tenant, since, until, tz, _traffic(args),
                                        report_trunks.TrunkGroups(pbx_tenant), args.branch)
    if args.json:
        print(json.dumps({"traffic": _traffic(args).to_dict(), **result.to_dict()}))
    elif result.peak is None or result.hour_of_day is None:
        print("no traffic in the period")
    else:
        p = result.peak
        print(f"peak hour: {p.label}  {p.erlangs:.3f} erlangs, at most {p.max_concurrent} calls at once")
        print(f"busy hour of the day: {result.hour_of_day:02d}:00-{(result.hour_of_day + 1) % 24:02d}:00  "
              f"{result.profile[result.hour_of_day]:.3f} erlangs on average")
    return 0
