"""`callbox alert`: threshold rules (add/list/remove), department managers, alert status, the cause-code report."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path

from appliance import config, localtime
from appliance.alerts import check
from appliance.alerts import codes as alert_codes
from appliance.alerts import rules as alert_rules
from appliance.alerts import state as alerts
from appliance.alerts import thresholds as alert_thresholds
from appliance.alerts.conditions import parse_hours
from appliance.cli.common import UsageError, iso_s, open_data
from appliance.procs import common_args

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add `alert` and its commands to the callbox parser's subparsers."""
    a = subparsers.add_parser("alert", help="cost/duration thresholds, alert status, PBX cause codes")
    sub = a.add_subparsers(dest="alert_command", required=True, parser_class=type(a),
                           metavar="add|list|remove|manager|status|check|codes")
    c = sub.add_parser("add", help="a cost or talk-time threshold per person, department or role")
    common_args(c)
    who = c.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", metavar="ID", help="one person (their id in the directory)")
    who.add_argument("--department", metavar="NAME", help="each person in this department")
    who.add_argument("--role", metavar="ROLE", help="each person whose web account has this role")
    what = c.add_mutually_exclusive_group(required=True)
    what.add_argument("--cost", metavar="AMOUNT", help="limit on the cost of their outgoing calls, e.g. 150.00")
    what.add_argument("--duration", metavar="TIME", help="limit on their outgoing talk time: 90m, 2h, 1h30m, 3600")
    c.add_argument("--per", choices=alert_rules.PERIODS, required=True, help="per day or per calendar month")
    c.add_argument("--manager", action="store_true", help="also e-mail the person's department manager")
    c.add_argument("--cc", default="", metavar="EMAILS", help="also e-mail these addresses (comma-separated)")
    c.add_argument("--tenant", metavar="CODE", help="the tenant (default: [pbx] tenant)")
    c.add_argument("--json", action="store_true", help="print the rule as one JSON object")
    c.set_defaults(func=cmd_add)
    c = sub.add_parser("list", help="the threshold rules and how many notices each has sent")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON list")
    c.set_defaults(func=cmd_list)
    c = sub.add_parser("remove", help="delete a threshold rule (and its notices)")
    common_args(c)
    c.add_argument("id", type=int, metavar="ID")
    c.set_defaults(func=cmd_remove)
    c = sub.add_parser("manager", help="department managers (copied on threshold e-mails with --manager)")
    common_args(c)
    c.add_argument("action", choices=("set", "list", "remove"))
    c.add_argument("department", nargs="?", metavar="DEPARTMENT")
    c.add_argument("person", nargs="?", metavar="PERSON_ID", help="the manager's id in the directory (set)")
    c.add_argument("--tenant", metavar="CODE", help="the tenant (default: [pbx] tenant)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_manager)
    c = sub.add_parser("status", help="the alerts raised now and the latest threshold notices")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON object")
    c.set_defaults(func=cmd_status)
    c = sub.add_parser("check", help="run one alert pass now (the jobs process runs one every minute)")
    common_args(c)
    c.set_defaults(func=cmd_check)
    c = sub.add_parser("codes", help="PBX cause/error codes counted by time, location and type")
    common_args(c)
    c.add_argument("--since", help="ISO date/time, inclusive (PBX local time; default: 7 days ago)")
    c.add_argument("--until", help="ISO date/time, exclusive (default: now)")
    c.add_argument("--by", choices=alert_codes.BUCKETS, default="day", help="time bucket (default: day)")
    c.add_argument("--group", default="code", help=f"comma-separated, of {', '.join(alert_codes.DIMS)} "
                   "(default: code)")
    c.add_argument("--tenant", metavar="CODE", help="only this tenant's calls")
    c.add_argument("--json", action="store_true", help="one JSON object per line")
    c.set_defaults(func=cmd_codes)


def _open(args) -> config.Config:
    return open_data(args)[0]


def _tenant(args, cfg: config.Config) -> str:
    return args.tenant or cfg.section("pbx").tenant


def _usage(e: Exception):
    return UsageError(str(e))


def cmd_add(args) -> int:
    cfg = _open(args)
    kind, subject = next((k, getattr(args, k)) for k in alert_rules.SUBJECTS if getattr(args, k))
    measure, limit = ("cost", args.cost) if args.cost is not None else ("duration", args.duration)
    try:
        rule = alert_rules.add_rule(_tenant(args, cfg), measure, kind, subject, args.per, limit, args.manager,
                                    args.cc)
    except alert_rules.AlertError as e:
        raise _usage(e) from None
    d = alert_rules.rule_dict(rule)
    print(json.dumps(d, ensure_ascii=False) if args.json else f"rule {rule.id}: {_line(d)}")
    return 0


def _line(d: dict) -> str:
    limit = d["limit"] if d["measure"] == "cost" else alert_thresholds.hms(int(d["limit"]))
    extra = (" +manager" if d["notify_manager"] else "") + (f" cc {d['cc']}" if d["cc"] else "")
    return f"{d['measure']} over {limit} per {d['period']} for {d['subject_kind']} {d['subject']} " \
           f"[{d['tenant']}]{extra}"


def cmd_list(args) -> int:
    _open(args)
    rows = alert_rules.rules()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    for d in [] if args.json else rows:
        print(f"{d['id']:>4}  {_line(d)}  ({d['notices']} notices)")
    return 0


def cmd_remove(args) -> int:
    _open(args)
    if not alert_rules.remove_rule(args.id):
        raise _usage(ValueError(f"no threshold rule {args.id} (see `callbox alert list`)"))
    print(f"rule {args.id} removed")
    return 0


def cmd_manager(args) -> int:
    cfg = _open(args)
    tenant = _tenant(args, cfg)
    try:
        if args.action == "set":
            if not (args.department and args.person):
                raise alert_rules.AlertError("manager set needs DEPARTMENT and PERSON_ID")
            alert_rules.set_manager(tenant, args.department, args.person)
        elif args.action == "remove":
            if not args.department or not alert_rules.remove_manager(tenant, args.department):
                raise alert_rules.AlertError(f"no manager of department {args.department!r} in tenant {tenant!r}")
    except alert_rules.AlertError as e:
        raise _usage(e) from None
    rows = alert_rules.managers()
    print(json.dumps(rows, ensure_ascii=False) if args.json else
          "\n".join(f"{m['tenant']}\t{m['department']}\t{m['person']}" for m in rows))
    return 0


def cmd_status(args) -> int:
    _open(args)
    damaged = check.db_alert(Path(args.data))   # from its file: the tables below may be what is damaged
    if damaged:
        doc = {"raised": [damaged], "notices": []}
        try:
            doc = {"raised": [damaged] + alerts.raised(), "notices": alert_thresholds.notices(50)}
        except Exception as e:   # noqa: BLE001 (sqlite3/peewee DatabaseError: the damage itself)
            log.warning("cannot read the other alerts: %s", e)
    else:
        doc = {"raised": alerts.raised(), "notices": alert_thresholds.notices(50)}
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
        return 0
    for r in doc["raised"]:
        print(f"RAISED {r['key']} since {datetime.fromtimestamp(r['since_utc']).isoformat()}: {r['detail']}")
    if not doc["raised"]:
        print("no alert raised")
    for n in doc["notices"]:
        print(f"notice rule {n['rule']} {n['person']} {n['period']}: {n['value']} -> {n['recipients'] or '-'}")
    return 0


def cmd_check(args) -> int:
    cfg = _open(args)
    parse_hours(cfg.section("alerts").business_hours)   # a ConfigError here, not only in the log
    print(f"{check.evaluate(cfg, Path(args.data))} e-mails/traps queued")
    return 0


def cmd_codes(args) -> int:
    cfg = _open(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    since = iso_s(args.since, tz) or int((datetime.now(tz) - timedelta(days=7)).timestamp())
    until = iso_s(args.until, tz) or int(datetime.now(tz).timestamp()) + 1
    group = tuple(g.strip() for g in args.group.split(",") if g.strip())
    try:
        rows = alert_codes.report(since, until, tz, args.by, group, args.tenant, cfg.section("pbx").tenant)
    except ValueError as e:
        raise _usage(e) from None
    for row in rows:
        print(json.dumps(row, ensure_ascii=False) if args.json else
              "\t".join(str(v) for v in row.values()))
    return 0
