"""`callbox snmp engine-id|test-trap` and `callbox snmp-pass`: SNMP set-up, a test trap, snmpd's GET handler."""
from __future__ import annotations

import logging
import secrets
from pathlib import Path

from appliance.cli.common import UsageError
from appliance.procs import common_args, load_config
from appliance.snmp import agent as snmp_pass
from appliance.snmp import traps as snmp

log = logging.getLogger(__name__)
# RFC 3411 snmpEngineID: enterprise number with the top bit set, format 5 (octets), then random octets
ENGINE_PREFIX = f"{0x80000000 | int(snmp.ENTERPRISE.rsplit('.', 1)[1]):08x}05"


def register(subparsers) -> None:
    """Add `snmp` (engine-id, test-trap) and `snmp-pass` to the callbox parser's subparsers."""
    s = subparsers.add_parser("snmp", help="SNMP traps: a new engine id, a test trap")
    sub = s.add_subparsers(dest="snmp_command", metavar="engine-id|test-trap", required=True,
                           parser_class=type(s))
    c = sub.add_parser("engine-id", help="print a new random snmpEngineID for [snmp] engine_id")
    c.set_defaults(func=cmd_engine_id)
    c = sub.add_parser("test-trap", help="send alert_raised 'test' to every [snmp] manager now")
    common_args(c)
    c.add_argument("--text", default="Callbox test trap", help="the trap's text (UTF-8)")
    c.set_defaults(func=cmd_test_trap)
    c = subparsers.add_parser("snmp-pass", help="snmpd pass_persist handler: health values on stdin/stdout")
    c.add_argument("--data", type=Path, default=Path("var"), help="data directory (default ./var)")
    c.add_argument("--config", type=Path, help="INI file (default <data>/callbox.ini)")
    c.set_defaults(func=cmd_snmp_pass)


def new_engine_id() -> str:
    """A fresh engine id in hex (RFC 3411 format 5: 8001869f 05 + 8 random octets)."""
    return ENGINE_PREFIX + secrets.token_hex(8)


def cmd_engine_id(args) -> int:
    print(new_engine_id())
    return 0


def cmd_test_trap(args) -> int:
    cfg = load_config(args)
    s = snmp.settings(cfg)
    if not s.enabled:
        raise UsageError("no [snmp] managers configured")
    try:
        snmp.send_trap(cfg, "alert_raised", {"source": "test", "text": args.text}, data_dir=args.data)
    except snmp.SnmpError as e:
        raise UsageError(str(e)) from None
    print(f"sent to {len(s.managers)} manager(s): " + ", ".join(m.label for m in s.managers))
    return 0


def cmd_snmp_pass(args) -> int:
    return snmp_pass.main(["--data", str(args.data)] + (["--config", str(args.config)] if args.config else []))
