"""net-snmp pass_persist handler: the box's health (appliance.health) as CALLBOX-MIB cbHealth values.

snmpd starts it once (`pass_persist .1.3.6.1.4.1.99999.1.2 PYTHON -m appliance.snmp_pass --data DIR`, see
provisioning/snmp/snmpd.conf) and sends it PING / get / getnext / set requests on stdin; each answer is
read from a health snapshot at most CACHE_S old. snmpd does the SNMP itself (v3 users, access control).
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from appliance import config, health
from appliance.snmp.traps import HEALTH

log = logging.getLogger(__name__)
CACHE_S = 1.0            # a walk asks once per value: one snapshot serves the whole walk
BASE = tuple(int(x) for x in HEALTH.split("."))
LINK_TABLE = 14          # cbLinkTable; its entry is .1, columns 2-4 (source, state, since)
MAX_TEXT_BYTES = 1024
_STATES = {"running": 1, "stale": 2, "missing": 3, "unreadable": 4}

Value = tuple[str, str]  # (pass_persist type, value text)


def _text(s: str) -> Value:
    # one line per value in the protocol; CbUtf8Text is at most 1024 bytes
    clean = " ".join(s.splitlines())
    return "string", clean.encode("utf-8")[:MAX_TEXT_BYTES].decode("utf-8", "ignore")


# cbHealth scalars: sub-identifier -> (MIB name, value of a Health)
SCALARS: dict[int, tuple[str, Callable[[health.Health], Value]]] = {
    1: ("cbLinkStatus", lambda h: ("integer", str({True: 1, False: 2, None: 3}[h.link_up]))),
    2: ("cbCaptureState", lambda h: ("integer", str(_STATES.get(h.capture_state, 4)))),
    3: ("cbLastRecordTime", lambda h: ("gauge", str(h.last_record_utc or 0))),
    4: ("cbLastRecordAge", lambda h: ("integer", str(-1 if h.last_record_age_s is None
                                                     else min(h.last_record_age_s, 2**31 - 1)))),
    5: ("cbRecordsToday", lambda h: ("gauge", str(h.records_today))),
    6: ("cbQuarantineTotal", lambda h: ("gauge", str(h.quarantine_total))),
    7: ("cbQuarantineToday", lambda h: ("gauge", str(h.quarantine_today))),
    8: ("cbJournalKBytes", lambda h: ("gauge", str(min(h.journal_bytes >> 10, 2**32 - 1)))),
    9: ("cbJournalPercent", lambda h: ("gauge", str(min(h.journal_pct, 2**32 - 1)))),
    10: ("cbDiskFreePercent", lambda h: ("gauge", str(h.disk_free_pct))),
    11: ("cbDbStatus", lambda h: ("integer", "1" if h.db_ok else "2")),
    12: ("cbDbErrorText", lambda h: _text(h.db_error)),
    13: ("cbCallsTotal", lambda h: ("gauge", str(h.calls_total))),
}
LINK_COLUMNS = {2: "cbLinkSource", 3: "cbLinkState", 4: "cbLinkSince"}


def values(h: health.Health) -> dict[tuple[int, ...], Value]:
    """Every instance OID (full, as a tuple) of the snapshot with its type and value."""
    out = {BASE + (sub, 0): fn(h) for sub, (_, fn) in SCALARS.items()}
    for i, (source, up, since) in enumerate(h.links, 1):
        entry = BASE + (LINK_TABLE, 1)
        out[entry + (2, i)] = _text(source)
        out[entry + (3, i)] = ("integer", "1" if up else "2")
        out[entry + (4, i)] = ("gauge", str(since or 0))
    return out


def _oid(text: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(x) for x in text.strip().strip(".").split("."))
    except ValueError:
        return None


class Handler:
    """Answers pass_persist requests from snapshots of `data_dir`."""

    def __init__(self, data_dir: Path, cfg: config.Config, clock: Callable[[], float] = time.monotonic):
        self.data_dir, self.cfg, self.clock = data_dir, cfg, clock
        self._values: dict[tuple[int, ...], Value] = {}
        self._at = float("-inf")

    def current(self) -> dict[tuple[int, ...], Value]:
        if self.clock() - self._at >= CACHE_S:
            self._values = values(health.snapshot(self.data_dir, self.cfg))
            self._at = self.clock()
        return self._values

    def answer(self, command: str, oid_text: str) -> list[str]:
        """The response lines to `get` or `getnext` of `oid_text`: OID, type, value; or NONE."""
        oid = _oid(oid_text)
        if oid is None:
            return ["NONE"]
        vals = self.current()
        if command == "get":
            found = oid if oid in vals else None
        else:
            found = next((o for o in sorted(vals) if o > oid), None)
        if found is None:
            return ["NONE"]
        kind, value = vals[found]
        return ["." + ".".join(map(str, found)), kind, value]


def serve(handler: Handler, stdin: IO[str], stdout: IO[str]) -> None:
    """The pass_persist loop until snmpd closes stdin."""
    def say(*lines: str) -> None:
        stdout.write("".join(line + "\n" for line in lines))
        stdout.flush()
    while line := stdin.readline():
        command = line.strip().lower()
        if command == "ping":
            say("PONG")
        elif command in ("get", "getnext"):
            oid_text = stdin.readline()
            try:
                say(*handler.answer(command, oid_text))
            except Exception:   # a failing snapshot must not kill the handler: snmpd would restart it
                log.exception("snmp pass: %s %s failed", command, oid_text.strip())
                say("NONE")
        elif command == "set":
            stdin.readline()
            stdin.readline()
            say("not-writable")
        elif command:
            log.warning("snmp pass: unknown command %r", command[:40])
            say("NONE")


def main(argv: list[str] | None = None) -> int:
    """`python -m appliance.snmp_pass --data DIR [--config FILE]` (or `callbox snmp-pass`)."""
    parser = argparse.ArgumentParser(prog="callbox snmp-pass", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("var"), help="data directory (default ./var)")
    parser.add_argument("--config", type=Path, help="INI file (default <data>/callbox.ini)")
    args = parser.parse_args(argv)
    # stdout is the protocol: log only to stderr (snmpd passes it to its own log)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="callbox snmp-pass: %(message)s")
    try:
        cfg = config.load(args.config, args.data)
    except config.ConfigError as e:
        print(f"callbox snmp-pass: {e}", file=sys.stderr)
        return 2
    serve(Handler(args.data, cfg), sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
