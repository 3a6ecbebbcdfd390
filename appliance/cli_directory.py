"""`callbox directory import FILE.csv` and `callbox directory sync`: load or sync the directory, print the report."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from appliance import store
from appliance import store_directory as sd
from appliance.cli import UsageError
from appliance.directory_sync import SyncReport, import_file, sync_once
from appliance.procs import common_args, load_config
from appliance.worker import Paths

log = logging.getLogger(__name__)


def _print(report: SyncReport, as_json: bool) -> int:
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) if as_json else report.text())
    return 0 if report.applied else 1


def _open(args) -> None:
    store.open_db(Paths(args.data).db)
    sd.create_tables()


def cmd_import(args) -> int:
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    cfg = load_config(args)
    _open(args)
    return _print(import_file(args.file, cfg), args.json)


def cmd_sync(args) -> int:
    cfg = load_config(args)
    _open(args)
    return _print(sync_once(cfg), args.json)


def register(subparsers) -> None:
    """Add `directory import` and `directory sync` to the `callbox` command."""
    d = subparsers.add_parser("directory", help="the organisation: import a CSV file, sync from LDAP/CSV sources")
    sub = d.add_subparsers(dest="directory_command", required=True, parser_class=type(d))
    c = sub.add_parser("import", help="load people, departments and extensions from a CSV file (nobody is ended)")
    common_args(c)
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.add_argument("file", type=Path, metavar="FILE.csv")
    c.set_defaults(func=cmd_import)
    c = sub.add_parser("sync", help="read the configured sources once, apply the changes, print the report")
    common_args(c)
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.set_defaults(func=cmd_sync)
