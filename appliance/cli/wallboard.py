"""`callbox queue wallboard add|list|revoke`: the links a big screen opens to show a call-centre wallboard (CC-1).

`add NAME [--queue Q ...] --json` prints {"name", "queues", "path", "url"}: the token is in path and url and is shown
only this once (users.db keeps its hash). `list --json` prints {"wallboards": [{"name", "queues", "created",
"revoked"}]}; `revoke NAME` ends a link at once (an open board stops at its next update).
"""
from __future__ import annotations

import json
import socket

from appliance.access import wallboards
from appliance.cli.common import UsageError
from appliance.cli.user import actor
from appliance.procs import common_args, load_config
from appliance.store.users import FILE_NAME, open_users_db


def register(sub) -> None:
    """Add `wallboard add|list|revoke` to the `queue` command's subparsers."""
    w = sub.add_parser("wallboard", help="links that open a wallboard on a big screen, read-only, without a login")
    ws = w.add_subparsers(dest="wallboard_command", required=True, parser_class=type(w))
    c = ws.add_parser("add", help="a new wallboard link (printed once)")
    common_args(c)
    c.add_argument("name", help="the board's name (e.g. 'sales floor')")
    c.add_argument("--queue", action="append", default=[], help="a queue it shows (repeat; default: every queue)")
    c.add_argument("--json", action="store_true", help="one JSON object")
    c.set_defaults(func=cmd_add)
    c = ws.add_parser("list", help="the wallboard links, in use and revoked")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON object")
    c.set_defaults(func=cmd_list)
    c = ws.add_parser("revoke", help="end a wallboard link")
    common_args(c)
    c.add_argument("name")
    c.set_defaults(func=cmd_revoke)


def _open(args) -> None:
    if not args.data.is_dir():
        raise UsageError(f"no data directory {args.data}")
    open_users_db(args.data / FILE_NAME)


def _url(args, path: str) -> str:
    web = load_config(args).section("web")
    host = socket.gethostname() if web.host in ("0.0.0.0", "::", "") else web.host
    return f"{'https' if web.tls else 'http'}://{host}:{web.port}{path}"


def cmd_add(args) -> int:
    _open(args)
    try:
        token = wallboards.add(args.name, tuple(args.queue), actor())
    except wallboards.WallboardError as e:
        raise UsageError(str(e)) from None
    path = f"/wallboard/{token}"
    out = {"name": args.name, "queues": list(dict.fromkeys(args.queue)), "path": path, "url": _url(args, path)}
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"{out['url']}\n(shown once: keep it; revoke with `callbox queue wallboard revoke {args.name!r}`)")
    return 0


def cmd_list(args) -> int:
    _open(args)
    if args.json:
        rows = [{"name": b.name, "queues": list(b.queues), "created": b.created_utc, "revoked": b.revoked_utc}
                for b in wallboards.boards()]
        print(json.dumps({"wallboards": rows}, ensure_ascii=False))
        return 0
    for b in wallboards.boards():
        print(f"{b.name}: {', '.join(b.queues) or 'every queue'}{' (revoked)' if b.revoked_utc else ''}")
    return 0


def cmd_revoke(args) -> int:
    _open(args)
    try:
        wallboards.revoke(args.name, actor())
    except wallboards.WallboardError as e:
        raise UsageError(str(e)) from None
    return 0
