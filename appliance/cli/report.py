"""`callbox report`, `callbox timerange` and `callbox rollup`: breakdowns for scripts, named time ranges, roll-ups.

Stable for users' scripts: the flags below, the CSV (header row, one row per group, a last "total" row) and
the JSON object {"columns", "rows", "totals", "source", "range", "since", "until", "currency"} (costs as
decimal strings, times as epoch seconds).
"""
from __future__ import annotations

import json
import logging
import sys
from decimal import Decimal
from pathlib import Path

from appliance import localtime
from appliance.access import users
from appliance.cli.common import UsageError, open_data
from appliance.directory import hunt_groups
from appliance.procs import common_args
from appliance.rating import transfers
from appliance.reports import engine as reports
from appliance.reports import rollup
from appliance.reports.dims import DIMS, MEASURES
from appliance.reports.ranges import DATE_RANGES, RangeError, delete_time_range, set_time_range, time_ranges
from appliance.store import reports as store_reports
from appliance.store.users import FILE_NAME, open_users_db

log = logging.getLogger(__name__)
CONSOLE = users.Account(0, "console", "administrator", "all", "", "")   # the box's console: every call


def _open(args):
    return open_data(args)[0]


def _account(args) -> users.Account:
    if not args.as_user:
        return CONSOLE
    if not (Path(args.data) / FILE_NAME).exists():
        raise UsageError("no web users yet (callbox user add)")
    open_users_db(Path(args.data) / FILE_NAME)
    account = users.get(args.as_user)
    if account is None:
        raise UsageError(f"no user {args.as_user!r}")
    return account


def _filters(items: list[str], time_range: str | None) -> dict:
    out: dict = {}
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--filter {item!r}: expected DIMENSION=VALUE[,VALUE...]")
        out.setdefault(key.strip(), []).extend(v for v in values.split(",") if v != "" or values == "")
    if time_range:
        out["time_range"] = time_range
    return out


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (text or "").split(",") if x.strip())


def _json_value(v):
    return str(v) if isinstance(v, Decimal) else v


def print_result(result: reports.Result, fmt: str, out=None) -> None:
    """The result as CSV, JSON (one object) or a tab-separated table with a total line (to stdout by default)."""
    out = out or sys.stdout
    if fmt == "csv":
        out.write(reports.to_csv(result))
        return
    if fmt == "json":
        print(json.dumps({"columns": result.columns, "rows": [[_json_value(v) for v in r] for r in result.rows],
                          "totals": [_json_value(v) for v in result.totals], "source": result.source,
                          "range": result.range_label, "since": result.since, "until": result.until,
                          "currency": result.currency}, ensure_ascii=False), file=out)
        return
    show = (lambda v: "" if v is None else str(v))
    print("\t".join(result.columns), file=out)
    for row in result.rows:
        print("\t".join(show(v) for v in row), file=out)
    if result.ndims:
        print("\t".join(["total"] + [show(v) for v in result.totals[1:]]), file=out)


def cmd_report(args) -> int:
    cfg = _open(args)
    user = _account(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    pbx_tenant = cfg.section("pbx").tenant
    use_rollup = False if args.raw else None
    charge = transfers.rule(cfg)   # RAT-4: the rule bills apply
    groups = hunt_groups.configured(cfg)   # the hunt_group dimension's groups
    try:
        if args.saved is not None:
            _, result = reports.run_saved(args.saved, user, pbx_tenant, tz=tz, use_rollup=use_rollup,
                                          transfer_charge=charge, hunt_groups=groups)
        else:
            spec = reports.Spec(_split(args.dims), _split(args.measures) or reports.DEFAULT_MEASURES,
                                args.range or ("custom" if args.since or args.until else "this_month"),
                                args.since, args.until, _filters(args.filter, args.time_range))
            result = reports.run(spec, user, pbx_tenant, tz=tz, use_rollup=use_rollup, transfer_charge=charge,
                                 hunt_groups=groups)
    except (reports.ReportError, store_reports.ReportAccessError) as e:
        raise UsageError(str(e)) from None
    print_result(result, "json" if args.json else "csv" if args.csv else "text")
    if args.save:
        _save(args, user, spec if args.saved is None else None)
    return 0


def _save(args, user: users.Account, spec) -> None:
    """--save NAME: the spec that just ran becomes the --as user's saved report (its id goes to stderr)."""
    if user is CONSOLE:
        raise UsageError("--save needs --as USER: a saved report belongs to a web user")
    if spec is None:
        raise UsageError("--save saves a report given by --dims/--measures/--range, not --saved")
    report_id = store_reports.save_report(user.username, args.save, spec.as_dict())
    print(f"saved report {report_id} {args.save!r} for {user.username}", file=sys.stderr)


def cmd_timerange(args) -> int:
    _open(args)
    try:
        if args.timerange_command == "set":
            set_time_range(args.name, args.days, args.start, args.end, args.label or "")
        elif args.timerange_command == "delete":
            if not delete_time_range(args.name):
                raise UsageError(f"no time range {args.name!r} defined here (built-in defaults cannot be deleted)")
    except RangeError as e:
        raise UsageError(str(e)) from None
    for t in time_ranges().values():
        d = t.as_dict()
        print(json.dumps(d, ensure_ascii=False) if args.json else f"{d['name']}\t{d['days']}\t{d['start']}-{d['end']}"
              f"\t{d['label']}")
    return 0


def cmd_rollup(args) -> int:
    pbx_tenant = _open(args).section("pbx").tenant
    if args.rollup_command == "rebuild":
        days = rollup.rebuild(pbx_tenant)
        print(json.dumps({"days": days}) if args.json else f"rebuilt the roll-ups of {days} days")
    elif args.rollup_command == "refresh":
        days = rollup.refresh(pbx_tenant=pbx_tenant)
        print(json.dumps({"days": days}) if args.json else f"refreshed {days} days")
    else:
        s = rollup.status()
        print(json.dumps(s) if args.json else "\n".join([f"built\t{s['built']}", f"dirty_days\t{s['dirty_days']}"] +
                                                        [f"rows_{k}\t{v}" for k, v in s["rows"].items()]))
    return 0


def _report_parser(subparsers) -> None:
    c = subparsers.add_parser("report", help="a breakdown of the calls: dimensions x measures (CSV, JSON, text)",
                              description="Dimensions: " + ", ".join(DIMS) + ". Measures: " + ", ".join(MEASURES))
    common_args(c)
    c.add_argument("--dims", metavar="D1,D2", help="dimensions, comma-separated (none: one total row)")
    c.add_argument("--measures", metavar="M1,M2", help="measures, comma-separated (default calls,duration,cost)")
    c.add_argument("--range", choices=DATE_RANGES, help="named date range in local time (default this_month)")
    c.add_argument("--since", help="custom range start: ISO date or time, inclusive (local unless an offset)")
    c.add_argument("--until", help="custom range end: ISO date or time, exclusive")
    c.add_argument("--filter", action="append", default=[], metavar="DIM=V1,V2",
                   help="keep calls whose DIM is one of the values (repeatable); person: its id")
    c.add_argument("--time-range", metavar="NAME", help="only calls in this named time range (callbox timerange)")
    c.add_argument("--saved", type=int, metavar="ID", help="re-run a saved report or template by id")
    c.add_argument("--as", dest="as_user", metavar="USER", help="run with this web user's scope (default: all calls)")
    c.add_argument("--save", metavar="NAME", help="also save this report for the --as user (id printed on stderr; "
                   "for `callbox schedule add --report ID`)")
    c.add_argument("--raw", action="store_true", help="read the call table even where a roll-up would do")
    fmt = c.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row and a total row")
    c.set_defaults(func=cmd_report)


def register(subparsers) -> None:
    """Add report, timerange list|set|delete and rollup status|refresh|rebuild to the callbox parser."""
    _report_parser(subparsers)
    t = subparsers.add_parser("timerange", help="named time ranges for reports (lunch_break, business_hours...)")
    sub = t.add_subparsers(dest="timerange_command", required=True, parser_class=type(t))
    for name, what in (("list", "every time range"), ("set", "define or redefine one"),
                       ("delete", "remove a definition (a built-in one reverts to its default)")):
        c = sub.add_parser(name, help=what)
        common_args(c)
        c.add_argument("--json", action="store_true")
        if name != "list":
            c.add_argument("name")
        if name == "set":
            c.add_argument("--days", required=True, help="ISO weekdays: 1-5, 6,7 ...")
            c.add_argument("--start", required=True, metavar="HH:MM")
            c.add_argument("--end", required=True, metavar="HH:MM",
                           help="exclusive; before start = past midnight; equal to start = the whole day")
            c.add_argument("--label", help="shown name")
        c.set_defaults(func=cmd_timerange)
    r = subparsers.add_parser("rollup", help="report roll-ups: status, refresh dirty days, rebuild all")
    sub = r.add_subparsers(dest="rollup_command", required=True, parser_class=type(r))
    for name in ("status", "refresh", "rebuild"):
        c = sub.add_parser(name)
        common_args(c)
        c.add_argument("--json", action="store_true")
        c.set_defaults(func=cmd_rollup)
