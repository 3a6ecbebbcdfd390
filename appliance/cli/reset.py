"""`callbox factory-reset`: the console's way to wipe the box's data and secrets and return it to its first boot."""
from __future__ import annotations

import sys
from pathlib import Path

from appliance.cli.common import UsageError
from appliance.firstboot.reset import FACTORY_INI, factory_reset
from appliance.procs import common_args


def cmd_reset(args) -> int:
    if not args.yes:
        raise UsageError("this erases every call, user, setting and secret of the box: add --yes to do it")
    if not args.data.is_dir():
        raise UsageError(f"no data directory {args.data}")
    removed = factory_reset(args.data, args.factory_ini)
    print(f"factory reset: removed {', '.join(removed) or 'nothing'}; the box starts again as new (the web shows a "
          "new setup code)", file=sys.stderr)
    return 0


def register(subparsers) -> None:
    """Add `factory-reset` to the `callbox` command."""
    c = subparsers.add_parser("factory-reset", help="erase the box's data and secrets and return it to its first boot")
    common_args(c)
    c.add_argument("--yes", action="store_true", help="really erase everything (calls, journal, users, settings)")
    c.add_argument("--factory-ini", type=Path, default=FACTORY_INI,
                   help=f"the configuration a new box starts with (default {FACTORY_INI}, if it exists)")
    c.set_defaults(func=cmd_reset)
