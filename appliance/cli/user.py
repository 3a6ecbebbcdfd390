"""`callbox user add|list|passwd|set|right`: web accounts from the console (the first administrator, password
resets, rights)."""
from __future__ import annotations

import getpass
import json
import logging
import sys

from appliance import store
from appliance.access import rights, users
from appliance.cli.common import UsageError
from appliance.procs import common_args, load_config
from appliance.store import directory as sd
from appliance.store.users import FILE_NAME, open_users_db

log = logging.getLogger(__name__)


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _password(args) -> str:
    """From stdin's first line (--password-stdin), else typed twice at a prompt that does not echo."""
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise UsageError("the two passwords differ")
    return first


def _check_directory(args, scope: str, tenant: str, person: str) -> None:
    """The tenant and person must exist in the directory (the [pbx] tenant may still be empty)."""
    if scope == "all":
        return
    cfg = load_config(args)
    store.open_db(args.data / "callbox.db")
    tid = sd.tenant_id(tenant)
    if tid is None and tenant not in (cfg.section("pbx").tenant, cfg.section("directory").tenant):
        codes = ", ".join(t.code for t in sd.Tenant.select().order_by(sd.Tenant.code)) or "none"
        raise UsageError(f"no tenant {tenant!r} (tenants: {codes})")
    if person and (tid is None or sd.Person.get_or_none(sd.Person.tenant_id == tid,
                                                        sd.Person.external_id == person) is None):
        raise UsageError(f"no person {person!r} in tenant {tenant!r} (import the directory first)")


def cmd_add(args) -> int:
    role = "administrator" if args.admin else (args.role or "staff")
    if args.admin and args.role and args.role != "administrator":
        raise UsageError("--admin and --role disagree")
    scope = args.scope or users.DEFAULT_SCOPE[role]
    tenant = args.tenant or ("" if scope == "all" else load_config(args).section("pbx").tenant)
    users.check_scope(role, scope, tenant, args.person or "")
    _check_directory(args, scope, tenant, args.person or "")
    password = _password(args)
    open_users_db(args.data / FILE_NAME)
    account = users.add_user(args.username, password, role, scope, tenant, args.person or "", actor=actor())
    where = "".join(f", {k} {v}" for k, v in (("tenant", account.tenant), ("person", account.person)) if v)
    print(f"added {account.username}: {account.role}, scope {account.scope}{where}")
    return 0


def cmd_list(args) -> int:
    if not (args.data / FILE_NAME).exists():
        rows = []
    else:
        open_users_db(args.data / FILE_NAME)
        rows = users.list_users()
    for u in rows:
        if args.json:
            print(json.dumps({"username": u.username, "role": u.role, "scope": u.scope, "tenant": u.tenant,
                              "person": u.person}, ensure_ascii=False))
        else:
            print(f"{u.username}\t{u.role}\t{u.scope}\t{u.tenant}\t{u.person}")
    return 0


def _existing(args) -> None:
    if not (args.data / FILE_NAME).exists():
        raise UsageError(f"no users yet in {args.data}")
    open_users_db(args.data / FILE_NAME)
    if users.get(args.username) is None:
        raise UsageError(f"no user {args.username!r}")


def cmd_passwd(args) -> int:
    _existing(args)
    users.set_password(args.username, _password(args), actor=actor())
    print(f"password of {args.username} changed; their sessions are ended")
    return 0


def cmd_set(args) -> int:
    _existing(args)
    old = users.get(args.username)
    assert old is not None
    role, scope = args.role or old.role, args.scope or old.scope
    tenant = "" if scope == "all" else (args.tenant or old.tenant or load_config(args).section("pbx").tenant)
    person = "" if scope in ("all", "tenant") else (args.person if args.person is not None else old.person)
    users.check_scope(role, scope, tenant, person)
    _check_directory(args, scope, tenant, person)
    users.set_access(args.username, role, scope, tenant, person, actor=actor())
    print(f"{args.username}: {role}, scope {scope}")
    return 0


def cmd_right(args) -> int:
    """Grant or revoke a right (listen: play and download call recordings), or list the user's rights."""
    _existing(args)
    try:
        for right in args.grant or ():
            rights.grant(args.username, right, actor=actor())
        for right in args.revoke or ():
            rights.revoke(args.username, right, actor=actor())
    except users.UserError as e:
        raise UsageError(str(e)) from None
    print(f"{args.username}: rights {', '.join(rights.of(args.username)) or 'none'}")
    return 0


def _access_args(c, defaults: bool) -> None:
    c.add_argument("--role", choices=users.ROLES, help="default staff" if defaults else "new role")
    c.add_argument("--scope", choices=users.SCOPES,
                   help="whose calls the user sees (default: the role's: " +
                        ", ".join(f"{r} {s}" for r, s in users.DEFAULT_SCOPE.items()) + ")" if defaults else None)
    c.add_argument("--tenant", metavar="CODE", help="the user's tenant (default: [pbx] tenant)")
    c.add_argument("--person", metavar="PERSON_ID", help="the user's person in the directory (own/department/branch)")


def register(subparsers) -> None:
    """Add `user add`, `user list`, `user passwd`, `user set` and `user right` to the `callbox` command."""
    u = subparsers.add_parser("user", help="web users: add, list, change password or access")
    sub = u.add_subparsers(dest="user_command", required=True, parser_class=type(u))
    c = sub.add_parser("add", help="add a web user (the password is asked for, never given as an argument)")
    common_args(c)
    c.add_argument("username")
    c.add_argument("--admin", action="store_true", help="an administrator (scope all unless --scope)")
    _access_args(c, True)
    c.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    c.set_defaults(func=cmd_add)
    c = sub.add_parser("list", help="list the web users")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON object per line")
    c.set_defaults(func=cmd_list)
    c = sub.add_parser("passwd", help="set a user's password (ends their sessions)")
    common_args(c)
    c.add_argument("username")
    c.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    c.set_defaults(func=cmd_passwd)
    c = sub.add_parser("set", help="change a user's role, scope, tenant or person")
    common_args(c)
    c.add_argument("username")
    _access_args(c, False)
    c.set_defaults(func=cmd_set)
    c = sub.add_parser("right", help="grant or revoke a right beyond the role (listen: play and download call "
                                     "recordings of the calls the user may see); without options: list them")
    common_args(c)
    c.add_argument("username")
    c.add_argument("--grant", action="append", choices=sorted(rights.RIGHTS), help="grant this right")
    c.add_argument("--revoke", action="append", choices=sorted(rights.RIGHTS), help="revoke this right")
    c.set_defaults(func=cmd_right)
