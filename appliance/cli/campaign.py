"""`callbox campaign import|list|show|export|pause|resume|close` and `callbox campaign dnc add|remove|list`: the
campaign dialer's campaigns for scripts (CC-6). The dialing is the jobs process's (appliance/dialer/engine.py)."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.cli.common import UsageError, open_data
from appliance.dialer import campaigns, report, rules, sources
from appliance.procs import common_args
from appliance.store.dialer import MODES

STATE_COMMANDS = {"pause": "paused", "resume": "active", "close": "closed"}


def register(subparsers) -> None:
    """Add `campaign` and its commands to the callbox parser's subparsers."""
    t = subparsers.add_parser("campaign", help="the campaign dialer: campaigns, progress, export, do-not-call list")
    sub = t.add_subparsers(dest="campaign_command", metavar="import|list|show|export|pause|resume|close|dnc",
                           required=True, parser_class=type(t))
    c = sub.add_parser("import", help="a new campaign from a CSV file or a CRM URL (JSON)")
    common_args(c)
    c.add_argument("code", metavar="CODE", help="short and stable: lowercase letters, digits, . _ -")
    c.add_argument("--name", required=True)
    src = c.add_mutually_exclusive_group(required=True)
    src.add_argument("--csv", type=Path, metavar="FILE", help="a number column (number, phone, ...) and custom fields")
    src.add_argument("--crm-url", metavar="URL", help="a CRM list answering JSON (see README)")
    c.add_argument("--mode", choices=MODES, default="preview")
    c.add_argument("--timezone", metavar="ZONE", help="the windows' time zone (default [pbx] timezone)")
    c.add_argument("--windows", default="mon-fri 09:00-18:00", help="calling windows: DAYS HH:MM-HH:MM, ...")
    c.add_argument("--max-attempts", type=int, default=3, metavar="N")
    c.add_argument("--retry-busy-min", type=int, default=10, metavar="MIN")
    c.add_argument("--retry-no-answer-min", type=int, default=60, metavar="MIN")
    c.add_argument("--retry-failed-min", type=int, default=30, metavar="MIN")
    c.add_argument("--tenant", default="", help="whose campaign: its supervisors and agents (default the box's)")
    c.add_argument("--json", action="store_true", help='{"code", "contacts", "dnc": [...], "invalid": [...]}')
    c.set_defaults(func=cmd_import)
    c = sub.add_parser("list", help="the campaigns with their progress")
    common_args(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = sub.add_parser("show", help="a campaign: settings, progress, results, invalid and do-not-call numbers")
    common_args(c)
    c.add_argument("code", metavar="CODE")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_show)
    c = sub.add_parser("export", help="every contact with its state, attempts, result and note, as CSV")
    common_args(c)
    c.add_argument("code", metavar="CODE")
    c.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (default stdout)")
    c.set_defaults(func=cmd_export)
    for name, what in (("pause", "stop dialling (calls ringing finish)"), ("resume", "dial again"),
                       ("close", "end the campaign: its agents are let go")):
        c = sub.add_parser(name, help=what)
        common_args(c)
        c.add_argument("code", metavar="CODE")
        c.set_defaults(func=cmd_state, state=STATE_COMMANDS[name])
    d = sub.add_parser("dnc", help="the do-not-call list: add|remove|list")
    dsub = d.add_subparsers(dest="dnc_command", metavar="add|remove|list", required=True, parser_class=type(t))
    for name in ("add", "remove"):
        c = dsub.add_parser(name, help=f"{name} a number")
        common_args(c)
        c.add_argument("number", metavar="NUMBER")
        if name == "add":
            c.add_argument("--note", default="")
        c.set_defaults(func=cmd_dnc_add if name == "add" else cmd_dnc_remove)
    c = dsub.add_parser("list", help="the numbers on it")
    common_args(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_dnc_list)


def cmd_import(args) -> int:
    cfg, _paths = open_data(args)
    settings, plan = campaigns.read_settings(cfg), campaigns.plan_of(cfg)
    if args.csv:
        if not args.csv.is_file():
            raise UsageError(f"no such file: {args.csv}")
        source = sources.read_csv(args.csv.read_bytes(), str(args.csv), settings.max_contacts)
    else:
        source = sources.fetch_crm(args.crm_url, settings.crm_timeout_s, settings.max_contacts)
    retries = rules.Retries(args.max_attempts, args.retry_busy_min, args.retry_no_answer_min, args.retry_failed_min)
    got = campaigns.create(args.code, args.name, source, plan, mode=args.mode,
                           timezone=args.timezone or cfg.section("pbx").timezone or "UTC", windows=args.windows,
                           retries=retries, tenant=args.tenant, by="cli")
    if args.json:
        print(json.dumps({"code": got.campaign.code, "contacts": got.contacts,
                          "dnc": [{"line": n, "number": num} for n, num in got.dnc],
                          "invalid": [{"line": n, "number": raw, "problem": why} for n, raw, why in got.invalid]},
                         ensure_ascii=False))
        return 0
    print(f"campaign {got.campaign.code}: {got.contacts} contacts, {len(got.dnc)} on the do-not-call list, "
          f"{len(got.invalid)} invalid")
    for n, raw, why in got.invalid:
        print(f"{source.where}: line {n}: {raw!r}: {why} (not dialled)", file=sys.stderr)
    return 0


def _line(c) -> str:
    p = report.progress(c)
    return (f"{c.code}\t{c.mode}\t{c.state}\t{p['finished']}/{p['dialable']} done ({p['done_pct']}%)\t"
            f"{p['attempts']} attempts\t{c.name}")


def cmd_list(args) -> int:
    open_data(args)
    rows = campaigns.visible(None)
    if args.json:
        print(json.dumps([report.summary_json(c) for c in rows], ensure_ascii=False))
    for c in [] if args.json else rows:
        print(_line(c))
    return 0


def cmd_show(args) -> int:
    open_data(args)
    c = campaigns.by_code(args.code)
    out = report.summary_json(c)
    out["invalid"] = [{"line": x.line, "number": x.as_written, "problem": x.problem}
                      for x in report.listed(c, ("invalid",), 100000)]
    out["dnc"] = [{"line": x.line, "number": x.number} for x in report.listed(c, ("dnc",), 100000)]
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    p = out["progress"]
    print(f"{c.code}: {c.name} ({c.mode}, {c.state}); windows {c.windows} ({c.timezone}); "
          f"created {datetime.fromtimestamp(c.created_utc, ZoneInfo(c.timezone)).isoformat(timespec='minutes')}")
    print("contacts: " + ", ".join(f"{k} {v}" for k, v in p["states"].items() if v) + f" (total {p['total']})")
    print(f"done {p['finished']} of {p['dialable']} ({p['done_pct']}%); attempts: "
          + ", ".join(f"{k} {v}" for k, v in p["outcomes"].items()))
    for result, n in p["results"].items():
        print(f"result\t{result}\t{n}")
    for x in out["invalid"]:
        print(f"invalid\tline {x['line']}\t{x['number']}\t{x['problem']}")
    for x in out["dnc"]:
        print(f"do-not-call\tline {x['line']}\t{x['number']}")
    return 0


def cmd_export(args) -> int:
    open_data(args)
    text = report.export_csv(campaigns.by_code(args.code))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_state(args) -> int:
    open_data(args)
    c = campaigns.by_code(args.code)
    campaigns.set_state(c, args.state)
    print(f"campaign {c.code} {args.state}")
    return 0


def cmd_dnc_add(args) -> int:
    cfg, _paths = open_data(args)
    number = campaigns.dnc_add(args.number, campaigns.plan_of(cfg), args.note, by="cli")
    print(f"{number} is on the do-not-call list")
    return 0


def cmd_dnc_remove(args) -> int:
    cfg, _paths = open_data(args)
    if not campaigns.dnc_remove(args.number, campaigns.plan_of(cfg)):
        raise UsageError(f"{args.number} is not on the do-not-call list")
    print(f"{args.number} removed from the do-not-call list")
    return 0


def cmd_dnc_list(args) -> int:
    open_data(args)
    rows = campaigns.dnc_list()
    if args.json:
        print(json.dumps([{"number": r.number, "note": r.note, "added_utc": r.added_utc, "added_by": r.added_by}
                          for r in rows], ensure_ascii=False))
    for r in [] if args.json else rows:
        print(f"{r.number}\t{r.note}")
    return 0
