"""`callbox directory import|sync|trunks`: load or sync the directory, or load the trunks; print the report."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from appliance.cli.common import UsageError, open_data
from appliance.directory import trunks as directory_trunks
from appliance.directory.csv_source import zone_of
from appliance.directory.sync import SyncReport, import_file, read_section, sync_once
from appliance.procs import common_args, load_config
from appliance.store import directory as sd

log = logging.getLogger(__name__)


def _print(report: SyncReport, as_json: bool) -> int:
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) if as_json else report.text())
    return 0 if report.applied else 1


def _open(args) -> None:
    open_data(args, create=True)   # a directory may be loaded before the box first runs


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


def cmd_trunks(args) -> int:
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    cfg = load_config(args)
    try:
        rows = directory_trunks.read_text(directory_trunks.decode(args.file.read_bytes(), args.file.name),
                                          args.file.name, zone_of(cfg))
        _open(args)
        tid = sd.tenant_id(read_section(cfg, "directory").tenant, create=True)
        assert tid is not None          # create=True
        result = directory_trunks.apply(tid, rows, int(time.time()))
    except directory_trunks.TrunkFileError as e:
        raise UsageError(str(e)) from None
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1) if args.json else result.text())
    return 0


def register(subparsers) -> None:
    """Add `directory import`, `directory sync` and `directory trunks` to the `callbox` command."""
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
    c = sub.add_parser("trunks", help="load trunks/lines and their providers from a CSV file (trunk;name;provider"
                       ";valid_from)")
    common_args(c)
    c.add_argument("--json", action="store_true", help="print what changed as JSON")
    c.add_argument("file", type=Path, metavar="FILE.csv")
    c.set_defaults(func=cmd_trunks)
