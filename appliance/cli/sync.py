"""`callbox central branch add|revoke|list` (on the central) and `callbox sync enroll|now|status` (on a branch)."""
from __future__ import annotations

import json
import logging
import sys

from appliance.central import branches
from appliance.store import central_parts
from appliance.store.central_db import connection as central_connection
from appliance.cli.common import UsageError, open_data
from appliance.procs import common_args
from appliance.sync import link, sender

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add `central` and `sync` to the callbox parser's subparsers."""
    s = subparsers.add_parser("central", help="this box as a central: the branch boxes that send it their calls")
    sub = s.add_subparsers(dest="central_command", metavar="branch|partition", required=True, parser_class=type(s))
    c = sub.add_parser("partition", help="PostgreSQL: partition the received calls by month (moves every row once)")
    common_args(c)
    c.add_argument("--json", action="store_true", help='{"partitioned", "partitions", "rows", "already"}')
    c.set_defaults(func=cmd_partition)
    b = sub.add_parser("branch", help="enrol, revoke and list branch boxes")
    bsub = b.add_subparsers(dest="branch_command", metavar="add|set|revoke|list", required=True,
                            parser_class=type(s))
    c = bsub.add_parser("add", help="enrol a branch: print its one-time enrolment token (valid 24 h)")
    common_args(c)
    c.add_argument("name", metavar="NAME", help="its identity: letters, digits, '_', '.', '-' (never changes)")
    _box_args(c)
    c.add_argument("--json", action="store_true", help='{"branch", "token"}')
    c.set_defaults(func=cmd_branch_add)
    c = bsub.add_parser("set", help="change a branch box's display name or the directory branch it is")
    common_args(c)
    c.add_argument("name", metavar="NAME")
    _box_args(c)
    c.add_argument("--json", action="store_true", help="its row as `list --json` shows it")
    c.set_defaults(func=cmd_branch_set)
    c = bsub.add_parser("revoke", help="cut a branch off: its certificate is refused from now on")
    common_args(c)
    c.add_argument("name", metavar="NAME")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_branch_revoke)
    c = bsub.add_parser("list", help="the branches, their last batch and record")
    common_args(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_branch_list)

    s = subparsers.add_parser("sync", help="this box as a branch: enrol with a central, send now, status")
    sub = s.add_subparsers(dest="sync_command", metavar="enroll|now|status", required=True, parser_class=type(s))
    c = sub.add_parser("enroll", help="enrol with the central at URL using the token it gave")
    common_args(c)
    c.add_argument("url", metavar="URL", help="https://HOST:PORT of the central ([central] listen)")
    c.add_argument("token", metavar="TOKEN", help="the token `callbox central branch add` printed")
    c.add_argument("--json", action="store_true", help='{"branch", "central"}')
    c.set_defaults(func=cmd_enroll)
    c = sub.add_parser("now", help="send the calls changed since the last batch now")
    common_args(c)
    c.add_argument("--json", action="store_true", help='{"sent", "pending"}')
    c.set_defaults(func=cmd_now)
    c = sub.add_parser("status", help="last success, backlog, last error")
    common_args(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_status)


def cmd_partition(args) -> int:
    open_data(args)
    try:
        with central_connection():
            out = central_parts.partition()
    except central_parts.PartitionError as e:
        raise UsageError(str(e)) from None
    print(json.dumps(out) if args.json else
          f"central_call is partitioned by month: {out['partitions']} partitions"
          + ("" if out["already"] else f", {out['rows']} calls moved"))
    return 0


def _box_args(c) -> None:
    c.add_argument("--label", metavar="TEXT", help="the name people read, any script (e.g. 'İzmir'); default NAME")
    c.add_argument("--unit", metavar="BRANCH", help="the branch of this central's directory the box is: its branch "
                   "users see its calls (default: the one named as --label or NAME, if any; '' unlinks it)")


def cmd_branch_add(args) -> int:
    open_data(args, create=True)
    try:
        token = branches.add(args.data, args.name, label=args.label or "", unit_name=args.unit or None)
    except branches.BranchError as e:
        raise UsageError(str(e)) from None
    print(json.dumps({"branch": args.name, "token": token}) if args.json else
          f"branch {args.name}: on the branch box, within 24 hours, run\n  callbox sync enroll https://THIS-BOX:PORT "
          f"{token}")
    return 0


def cmd_branch_set(args) -> int:
    cfg, _paths = open_data(args)
    try:
        row = branches.change(args.name, args.label, args.unit, cfg.section("central").silent_min * 60)
    except branches.BranchError as e:
        raise UsageError(str(e)) from None
    print(json.dumps(row, ensure_ascii=False) if args.json else
          f"branch {row['branch']}: {row['label']}, directory branch {row['directory_branch'] or '(none)'}")
    return 0


def cmd_branch_revoke(args) -> int:
    open_data(args)
    try:
        branches.revoke(args.name)
    except branches.BranchError as e:
        raise UsageError(str(e)) from None
    print(json.dumps({"branch": args.name, "revoked": True}) if args.json else f"branch {args.name} revoked")
    return 0


def cmd_branch_list(args) -> int:
    cfg, _paths = open_data(args)
    rows = branches.listing(cfg.section("central").silent_min * 60)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    for r in rows if not args.json else ():
        state = "revoked" if r["revoked"] else "enrolled" if r["enrolled"] else "token issued"
        print(f"{r['branch']}\t{r['label']}\t{state}\tlink {r['link']}\tbatch {r['last_seq']}\t{r['version']}")
    return 0


def cmd_enroll(args) -> int:
    _cfg, _paths = open_data(args, create=True)
    try:
        e = sender.enrol(args.data, args.url, args.token)
    except (sender.SyncError, link.LinkError) as err:
        raise UsageError(str(err)) from None
    print(json.dumps({"branch": e.branch, "central": e.url}) if args.json else
          f"enrolled with {e.url} as branch {e.branch}; `callbox run` sends the calls (restart it if it runs)")
    return 0


def cmd_now(args) -> int:
    cfg, _paths = open_data(args)
    s = cfg.section("sync")
    try:
        result = sender.send_now(args.data, cfg.section("pbx").tenant, s.central, s.timeout_s,
                                 archive_journal=s.archive_journal)
    except sender.SyncError as e:
        raise UsageError(str(e)) from None
    if args.json:
        print(json.dumps({"sent": result["sent"], "pending": result["pending"]}))
    else:
        print(f"sent {result['sent']} calls, {result['pending']} pending")
    if result["error"]:
        print(f"callbox: sync failed: {result['error']}", file=sys.stderr)
        return 1
    return 0


def cmd_status(args) -> int:
    cfg, _paths = open_data(args)
    st = sender.status(args.data, cfg.section("sync").central)
    if args.json:
        print(json.dumps(st, ensure_ascii=False))
    else:
        for key, value in st.items():
            print(f"{key}\t{'' if value is None else value}")
    return 0
