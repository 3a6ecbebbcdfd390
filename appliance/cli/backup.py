"""`callbox backup create|restore`: the box's configuration, users, directory and tariffs (and optionally its calls
and journal) as one file encrypted with a passphrase: to a path (a USB stick's mount), a file-server target, or back."""
from __future__ import annotations

import getpass
import json
import sys
import tempfile
import time
from pathlib import Path

from appliance.backup import archive, destinations
from appliance.backup.crypto import BackupError
from appliance.cli.common import UsageError
from appliance.delivery import upload
from appliance.procs import common_args, load_config


def _passphrase(args, twice: bool) -> str:
    """From stdin's first line (--passphrase-stdin), else typed at a prompt that does not echo (twice to create)."""
    if args.passphrase_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Backup passphrase: ")
    if twice and first != getpass.getpass("Passphrase again: "):
        raise UsageError("the two passphrases differ")
    return first


def default_name() -> str:
    return destinations.default_name()


def _usb(args) -> Path:
    """The one USB stick the box sees (--usb); UsageError when there is none, or several (then --output names one)."""
    sticks = destinations.usb_mounts(load_config(args).section("box").usb_path)
    if len(sticks) != 1:
        found = ", ".join(s["path"] for s in sticks)
        raise UsageError("no USB stick found (plug one in; or [box] usb_path)" if not sticks else
                         f"several USB sticks ({found}): name one with --output")
    return Path(sticks[0]["path"])


def cmd_create(args) -> int:
    if [args.output is not None, args.target is not None, args.usb].count(True) != 1:
        raise UsageError("give --output PATH (a file or a folder), --usb or --target NAME")
    cfg = load_config(args) if args.target else None
    if cfg is not None and args.target not in upload.targets(cfg):
        raise UsageError(f"no upload target {args.target!r} in [upload] targets")
    output = _usb(args) if args.usb else args.output
    passphrase = _passphrase(args, twice=True)
    if output is not None and output.is_dir():
        written, manifest = destinations.to_folder(args.data, output, passphrase, args.calls, args.journal)
        where = str(written)
    elif output is not None:
        tmp = output.with_name(f".{output.name}.part")
        try:
            with open(tmp, "wb") as f:
                manifest = archive.create(args.data, f, passphrase, args.calls, args.journal)
            tmp.replace(output)
        finally:
            tmp.unlink(missing_ok=True)
        where = str(output)
    else:
        assert cfg is not None   # --target: read above
        name = default_name()
        with tempfile.TemporaryFile(dir=args.data) as f:   # on the data partition, not in RAM
            manifest = archive.create(args.data, f, passphrase, args.calls, args.journal)
            f.seek(0)
            try:
                upload.send(cfg, args.data, args.target, name, f)   # streamed from the file
            except upload.UploadError as e:
                print(f"callbox: upload failed: {e}", file=sys.stderr)
                return 1
        where = f"{args.target}:{name}"
    summary = {"backup": where, **{k: manifest[k] for k in ("calls", "journal", "files")}}
    print(json.dumps(summary, ensure_ascii=False) if args.json else
          f"backup written to {where} ({len(manifest['files'])} files)")
    return 0


def cmd_restore(args) -> int:
    passphrase = _passphrase(args, twice=False)
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    try:
        with open(args.file, "rb") as f:
            manifest = archive.restore(f, args.data, passphrase, force=args.force)
    except BackupError as e:
        print(f"callbox: {args.file}: {e}", file=sys.stderr)
        return 1
    print(f"restored {len(manifest['files'])} files into {args.data} (backup of "
          f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(manifest['created_utc']))}, calls "
          f"{'included' if manifest['calls'] else 'not included'}, journal "
          f"{'included' if manifest['journal'] else 'not included'}); start the box (`callbox run`)")
    return 0


def register(subparsers) -> None:
    """Add `backup create` and `backup restore` to the `callbox` command."""
    b = subparsers.add_parser("backup", help="encrypted backup and restore of the box's data")
    sub = b.add_subparsers(dest="backup_command", required=True, parser_class=type(b))
    c = sub.add_parser("create", help="write an encrypted backup to --output PATH, --usb or --target NAME")
    common_args(c)
    c.add_argument("--output", type=Path, help="file to write, or a folder (a USB stick) to write it in")
    c.add_argument("--target", help="an [upload] targets name (FTP, FTPS, SFTP, SMB)")
    c.add_argument("--usb", action="store_true", help="into the USB stick the box sees (a removable disk mounted "
                                                      "under /media or /run/media, or [box] usb_path)")
    c.add_argument("--calls", action="store_true", help="include the calls database (else only configuration, "
                                                        "users, directory, tariffs and the other settings tables)")
    c.add_argument("--journal", action="store_true", help="include the raw journal (calls can be derived again)")
    c.add_argument("--passphrase-stdin", action="store_true", help="read the passphrase from stdin's first line")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_create)
    c = sub.add_parser("restore", help="restore an encrypted backup into the data directory (a new box's)")
    common_args(c)
    c.add_argument("--force", action="store_true", help="overwrite a data directory in use (stop the box first)")
    c.add_argument("--passphrase-stdin", action="store_true", help="read the passphrase from stdin's first line")
    c.add_argument("file", type=Path, metavar="FILE")
    c.set_defaults(func=cmd_restore)
