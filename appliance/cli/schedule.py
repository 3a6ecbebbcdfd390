"""`callbox schedule add|list|remove|run-now`: scheduled e-mail and upload of saved reports (REP-10).

Stable for users' scripts: the flags below and, with --json, one JSON object per line: a schedule as
schedule_dict() gives it (list, add), {"removed": ID} (remove), or a run {"schedule_id", "name", "slot_utc",
"period", "outcome", "items": [{"recipient", "status", "detail"?, "outbox"?}]} (run-now). Exit code 0, or 1
when run-now's outcome is failed or partial, 2 for bad arguments.
"""
from __future__ import annotations

import getpass
import json
import logging
from datetime import datetime

from appliance import localtime
from appliance.cli.common import UsageError, open_data
from appliance.delivery import schedules
from appliance.delivery.schedule_rules import ScheduleError
from appliance.procs import common_args
from appliance.reports.ranges import DATE_RANGES
from appliance.store import schedules as ss
from appliance.store.reports import SavedReport

log = logging.getLogger(__name__)


def _open(args):
    return open_data(args)[0]


def schedule_dict(s: ss.Schedule, tz) -> dict:
    """A schedule as a JSON-safe dict (the --json objects of list and add)."""
    row = SavedReport.get_or_none(SavedReport.id == s.report_id)
    local = (lambda t: None if t is None else datetime.fromtimestamp(t, tz).isoformat(timespec="minutes"))
    status, why = schedules.delivery(s.last_detail or "[]")   # what the outbox made of the last run
    return {"id": s.id, "name": s.name, "rule": s.rule, "report_id": s.report_id,
            "report": row.name if row else None, "range": s.range, "formats": s.formats.split(","),
            "recipients": json.loads(s.recipients), "upload_target": s.upload_target,
            "upload_name": s.upload_name, "upload_as": s.upload_as, "branch": s.branch, "enabled": s.enabled,
            "next_run_utc": s.next_run_utc, "next_run": local(s.next_run_utc), "last_run_utc": s.last_run_utc,
            "last_slot_utc": s.last_slot_utc, "last_outcome": s.last_outcome,
            "last_detail": json.loads(s.last_detail) if s.last_detail else [],
            "last_delivery": status, "last_delivery_error": why}


def _print(d: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(d, ensure_ascii=False))
        return
    to = ", ".join(d["recipients"] + ([f"upload:{d['upload_target']}"] if d["upload_target"] else []))
    print(f"{d['id']}\t{d['name']}\t{d['rule']}\treport {d['report_id']} {d['report'] or '(missing)'}"
          f"\t{d['range'] or '-'}\t{','.join(d['formats'])}\t{to}\tnext {d['next_run'] or 'never'}"
          f"\tlast {d['last_outcome'] or '-'}"
          + (f" {d['last_delivery']}" if d["last_delivery"] else "")
          + (f" ({d['last_delivery_error']})" if d["last_delivery_error"] else "")
          + ("" if d["enabled"] else "\tdisabled"))


def cmd_add(args) -> int:
    cfg = _open(args)
    try:
        s = schedules.add(cfg, args.data, args.name, args.when, args.report, range_name=args.range or "",
                          formats=tuple(f.strip() for f in args.format.split(",") if f.strip()),
                          recipients=tuple(args.to), upload_target=args.upload or "",
                          upload_name_template=args.upload_name or "", upload_as=args.upload_as or "",
                          branch=args.branch or "", enabled=not args.disabled,
                          created_by=f"cli:{getpass.getuser()}")
    except ScheduleError as e:
        raise UsageError(str(e)) from None
    _print(schedule_dict(s, localtime.zone(cfg.section("pbx").timezone)), args.json)
    return 0


def cmd_list(args) -> int:
    cfg = _open(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    for s in ss.Schedule.select().order_by(ss.Schedule.id):
        _print(schedule_dict(s, tz), args.json)
    return 0


def cmd_remove(args) -> int:
    _open(args)
    s = ss.find(args.schedule)
    if s is None or not ss.remove(s.id):
        raise UsageError(f"no schedule {args.schedule!r}")
    print(json.dumps({"removed": s.id}) if args.json else f"removed schedule {s.id} {s.name}")
    return 0


def cmd_run_now(args) -> int:
    cfg = _open(args)
    at = None
    if args.at:
        try:
            when = datetime.fromisoformat(args.at)
        except ValueError:
            raise UsageError(f"--at {args.at!r}: expected an ISO date or time, e.g. 2024-03-01T07:00") from None
        at = (when if when.tzinfo else when.replace(tzinfo=localtime.zone(cfg.section("pbx").timezone))).timestamp()
    try:
        r = schedules.run_now(cfg, args.data, args.schedule, at)
    except ScheduleError as e:
        raise UsageError(str(e)) from None
    if args.json:
        print(json.dumps({"schedule_id": r.schedule_id, "name": r.name, "slot_utc": r.slot_utc, "period": r.period,
                          "outcome": r.outcome, "items": r.items}, ensure_ascii=False))
    else:
        print(f"schedule {r.schedule_id} {r.name}: period {r.period or '-'}: {r.outcome}")
        for item in r.items:
            print(f"  {item['recipient'] or '-'}\t{item['status']}\t{item.get('detail', '')}".rstrip())
    return 1 if r.outcome in ("failed", "partial") else 0


def register(subparsers) -> None:
    """Add `schedule add|list|remove|run-now` to the `callbox` command."""
    p = subparsers.add_parser("schedule", help="scheduled e-mail and upload of saved reports (REP-10)")
    sub = p.add_subparsers(dest="schedule_command", required=True, parser_class=type(p))
    c = sub.add_parser("add", help="schedule a saved report or template")
    common_args(c)
    c.add_argument("--name", required=True, help="a unique name")
    c.add_argument("--when", required=True, metavar="RULE",
                   help="'daily HH:MM', 'weekly mon[,thu] HH:MM', 'monthly N HH:MM' (31 = last day), "
                        "'cron M H DOM MON DOW' or @daily/@weekly/@monthly; local time ([pbx] timezone)")
    c.add_argument("--report", type=int, required=True, metavar="ID", help="saved report or template id")
    c.add_argument("--range", choices=DATE_RANGES[:-1], help="date range (default: the saved report's)")
    c.add_argument("--format", default="pdf,csv", help="pdf, csv or pdf,csv (default)")
    c.add_argument("--to", action="append", default=[], metavar="RECIPIENT",
                   help="user:USERNAME, user:USERNAME=ADDRESS or person:[TENANT:]ID (repeatable); each gets "
                        "the data of their own scope")
    c.add_argument("--upload", metavar="TARGET", help="also upload to this [upload] target")
    c.add_argument("--upload-name", metavar="TEMPLATE",
                   help="uploaded file name, fields {report} {schedule} {range} {period} {ext} "
                        f"(default {schedules.DEFAULT_UPLOAD_NAME})")
    c.add_argument("--upload-as", metavar="USER", help="the upload has this user's scope (default: every call)")
    c.add_argument("--branch", help="the upload holds this branch's calls; the {branch} of [upload] path")
    c.add_argument("--disabled", action="store_true", help="store it without running it")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_add)
    c = sub.add_parser("list", help="every schedule with its next and last run")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON object per schedule")
    c.set_defaults(func=cmd_list)
    for name, func, what in (("remove", cmd_remove, "delete a schedule and its run records"),
                             ("run-now", cmd_run_now, "run a schedule now (periods already sent are skipped)")):
        c = sub.add_parser(name, help=what)
        common_args(c)
        c.add_argument("schedule", metavar="ID_OR_NAME")
        c.add_argument("--json", action="store_true")
        if name == "run-now":
            c.add_argument("--at", metavar="ISO", help="run as if at this local time (e.g. to send a missed "
                                                       "period)")
        c.set_defaults(func=func)
