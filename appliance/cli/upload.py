"""`callbox upload targets|test|queue`: list the file-server targets, try one now, or queue a file for export."""
from __future__ import annotations

import io
import json
import logging
import sys
import time
from pathlib import Path
from typing import BinaryIO

from appliance.cli.common import UsageError, open_data
from appliance.delivery import upload
from appliance.procs import common_args, load_config

log = logging.getLogger(__name__)


def cmd_targets(args) -> int:
    found = upload.targets(load_config(args))
    rows = [{"name": t.name, "scheme": t.scheme, "host": t.host, "port": t.port, "user": t.user,
             "directory": ("/" if t.absolute else "~/") + "/".join(t.dirs)} for t in found.values()]
    for row in rows:
        print(json.dumps(row, ensure_ascii=False) if args.json else
              f"{row['name']}\t{row['scheme']}://{row['user']}@{row['host']}:{row['port']}\t{row['directory']}")
    return 0


def _file(args) -> tuple[str, BinaryIO]:
    if args.file is None:
        return f"callbox-test-{time.strftime('%Y%m%d-%H%M%S')}.txt", io.BytesIO(b"Callbox upload test\r\n")
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    return args.file.name, open(args.file, "rb")   # streamed: a file of GBs is never read whole


def cmd_test(args) -> int:
    cfg = load_config(args)
    name, source = _file(args)
    with source:
        try:
            upload.check_filename(name)
            upload.send(cfg, args.data, args.target, name, source)
        except upload.UploadError as e:
            print(f"callbox: upload failed: {e}", file=sys.stderr)
            return 1
        size = source.tell()
    print(f"uploaded {size} bytes to {args.target} as {name}")
    return 0


def cmd_queue(args) -> int:
    cfg = load_config(args)
    if args.target not in upload.targets(cfg):
        raise UsageError(f"no upload target {args.target!r} in [upload] targets")
    name, source = _file(args)
    with source:
        data = source.read()   # the outbox keeps the file's bytes in its database until delivered
    open_data(args)
    item = upload.queue(args.target, name, data, branch=args.branch, key=args.key)
    print(f"queued as outbox item #{item}; the jobs process delivers it")
    return 0


def register(subparsers) -> None:
    """Add `upload targets`, `upload test` and `upload queue` to the `callbox` command."""
    u = subparsers.add_parser("upload", help="report export to file servers ([upload] targets)")
    sub = u.add_subparsers(dest="upload_command", required=True, parser_class=type(u))
    c = sub.add_parser("targets", help="list the configured targets (checks [upload])")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON object per target")
    c.set_defaults(func=cmd_targets)
    c = sub.add_parser("test", help="upload a small test file (or FILE) to the target's directory now")
    common_args(c)
    c.add_argument("target", metavar="TARGET")
    c.add_argument("file", type=Path, nargs="?", metavar="FILE")
    c.set_defaults(func=cmd_test)
    c = sub.add_parser("queue", help="queue FILE for upload through the outbox, placed by [upload] path")
    common_args(c)
    c.add_argument("--branch", default="", help="the {branch} field of the path template")
    c.add_argument("--key", help="queue nothing if an item with this key is still waiting")
    c.add_argument("target", metavar="TARGET")
    c.add_argument("file", type=Path, metavar="FILE")
    c.set_defaults(func=cmd_queue)
