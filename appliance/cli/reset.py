"""`callbox factory-reset`: the console's way to wipe the box's data and secrets and return it to its first boot; with
--at-boot, the image's way at power-on (a reset button held, or RESET typed on the console: appliance.firstboot.
bootreset)."""
from __future__ import annotations

import sys
from pathlib import Path

from appliance.cli.common import UsageError
from appliance.firstboot import bootreset
from appliance.firstboot.reset import FACTORY_INI, factory_reset
from appliance.procs import common_args


def cmd_reset(args) -> int:
    if not args.data.is_dir():
        raise UsageError(f"no data directory {args.data}")
    if args.at_boot:
        how = bootreset.at_boot(args.data, args.factory_ini, args.cmdline, args.console or bootreset.CONSOLES)
        print(f"factory reset at boot: {f'done, asked for by the {how}' if how else 'not asked for'}", file=sys.stderr)
        return 0
    if not args.yes:
        raise UsageError("this erases every call, user, setting and secret of the box: add --yes to do it")
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
    c.add_argument("--at-boot", action="store_true",
                   help="erase only if asked for at power-on: the reset button (callbox.reset_button=CHIP:LINE on the "
                        "kernel command line) held, or RESET typed on the console (callbox-reset.service)")
    c.add_argument("--cmdline", type=Path, default=bootreset.CMDLINE,
                   help=f"the kernel command line with the callbox.reset_* options (default {bootreset.CMDLINE})")
    c.add_argument("--console", action="append", metavar="TTY",
                   help=f"a console to ask on (repeatable; default {' '.join(bootreset.CONSOLES)})")
    c.set_defaults(func=cmd_reset)
