"""SNMP traps: the trap names and OIDs (provisioning/snmp/CALLBOX-MIB.txt), [snmp] managers, and the outbox glue.

`queue_trap(name, values)` stores a trap in the outbox; the jobs process delivers it with `deliver` (kind
"trap"), which sends it to every configured manager through appliance.snmp_send (pysnmp, asyncio). Secrets
(v2c communities, v3 keys) are read from files at each send and never written to the INI or the logs.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance import config, paths, store
from appliance.delivery import outbox

log = logging.getLogger(__name__)
KIND = "trap"
# Placeholder private enterprise number: to be registered with IANA before shipping (see the MIB).
ENTERPRISE = "1.3.6.1.4.1.99999"
NOTIFICATIONS = ENTERPRISE + ".0"           # cbNotifications: one NOTIFICATION-TYPE per trap
TRAP_VARS = ENTERPRISE + ".1.1"             # cbTrapSource(1), cbTrapText(2), cbTrapValue(3)
HEALTH = ENTERPRISE + ".1.2"                # cbHealth scalars and cbLinkTable (appliance.snmp_pass)

# name -> (sub-identifier under cbNotifications, MIB name)
TRAPS: dict[str, tuple[int, str]] = {
    "link_down": (1, "cbLinkDown"), "link_up": (2, "cbLinkUp"),
    "no_data": (3, "cbNoData"), "data_resumed": (4, "cbDataResumed"),
    "parse_failures": (5, "cbParseFailures"), "parse_failures_cleared": (6, "cbParseFailuresCleared"),
    "journal_high": (7, "cbJournalHigh"), "journal_ok": (8, "cbJournalOk"),
    "db_error": (9, "cbDbError"), "db_ok": (10, "cbDbOk"),
    "sync_failing": (11, "cbSyncFailing"), "sync_ok": (12, "cbSyncOk"),
    "service_restarted": (13, "cbServiceRestarted"),
    "alert_raised": (14, "cbAlertRaised"), "alert_cleared": (15, "cbAlertCleared"),
}
# value key -> (sub-identifier under cbTrapVars, MIB name)
VALUES: dict[str, tuple[int, str]] = {"source": (1, "cbTrapSource"), "text": (2, "cbTrapText"),
                                      "value": (3, "cbTrapValue")}
MAX_TEXT_BYTES = 1024       # the MIB's SIZE (0..1024): a trap stays one UDP datagram
INT32 = (-2**31, 2**31 - 1)
DEFAULT_PORT = 162
_LINE = re.compile(r"(?P<version>\S+)\s+(?P<url>\S+)(?P<opts>(?:\s+\S+)*)\s*$")
_OPTIONS = {"v2c": {"community_file"}, "v3": {"user", "auth_file", "priv_file"}}


class SnmpError(Exception):
    """A trap could not be sent; the message names the manager and the reason (never a secret)."""


@dataclass(frozen=True)
class Manager:
    """One trap receiver. v2c: community_file; v3 (authPriv, SHA + AES-128): user, auth_file, priv_file."""
    version: str                # v2c | v3
    host: str
    port: int
    ipv6: bool = False
    community_file: str = ""
    user: str = ""
    auth_file: str = ""
    priv_file: str = ""

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if self.ipv6 else self.host
        return f"{self.version} udp{'6' if self.ipv6 else ''}:{host}:{self.port}" + (
            f" user {self.user}" if self.version == "v3" else "")


@dataclass(frozen=True)
class Settings:
    """[snmp] as the sender needs it."""
    managers: tuple[Manager, ...]
    engine_id: bytes            # snmpEngineID of this box (v3 receivers key the user on it)

    @property
    def enabled(self) -> bool:
        return bool(self.managers)


def _address(url: str, where: str) -> tuple[str, int, bool]:
    m = re.fullmatch(r"udp:(?P<h>[^\[\]:/]+)(?::(?P<p>\d+))?|udp6:\[(?P<h6>[0-9A-Fa-f:.]+)\](?::(?P<p6>\d+))?", url)
    if not m:
        raise config.ConfigError(f"{where}: {url!r} is not udp:HOST[:PORT] or udp6:[ADDRESS][:PORT]")
    port = int(m["p"] or m["p6"] or DEFAULT_PORT)
    if not 1 <= port <= 65535:
        raise config.ConfigError(f"{where}: port {port} is not 1-65535")
    return (m["h"] or m["h6"]), port, bool(m["h6"])


def parse_manager(line: str, where: str) -> Manager:
    """One `managers` line: `v2c udp:HOST[:PORT] community_file=PATH` or
    `v3 udp:HOST[:PORT] user=NAME auth_file=PATH priv_file=PATH`; ConfigError naming what is wrong."""
    m = _LINE.fullmatch(line.strip())
    version = m["version"].lower() if m else ""
    if not m or version not in _OPTIONS:
        raise config.ConfigError(f"{where}: expected 'v2c udp:HOST[:PORT] community_file=PATH' or "
                                 f"'v3 udp:HOST[:PORT] user=NAME auth_file=PATH priv_file=PATH'")
    host, port, ipv6 = _address(m["url"], where)
    opts: dict[str, str] = {}
    for item in m["opts"].split():
        k, sep, v = item.partition("=")
        if not sep or not v or k not in _OPTIONS[version]:
            raise config.ConfigError(f"{where}: {item!r}: {version} takes {', '.join(sorted(_OPTIONS[version]))}"
                                     " (as KEY=VALUE; secrets only in files)")
        opts[k] = v
    missing = _OPTIONS[version] - set(opts)
    if missing:
        raise config.ConfigError(f"{where}: {version} needs {', '.join(sorted(missing))}")
    return Manager(version, host, port, ipv6, **opts)


def settings(cfg: config.Config) -> Settings:
    """[snmp] parsed and checked; ConfigError naming the line or key."""
    sec = cfg.section("snmp")
    managers = tuple(parse_manager(line, f"{cfg.name}: [snmp] managers line {n}")
                     for n, line in enumerate(sec.managers.splitlines(), 1)
                     if line.strip() and not line.strip().startswith("#"))
    raw = sec.engine_id.strip().lower().removeprefix("0x")
    where = f"{cfg.name}: [snmp] engine_id"
    if raw and not re.fullmatch(r"([0-9a-f]{2}){5,32}", raw):
        raise config.ConfigError(f"{where}: {sec.engine_id!r} is not 5 to 32 bytes of hex (e.g. 80001869f0...)")
    if not raw and any(m.version == "v3" for m in managers):
        raise config.ConfigError(f"{where}: required for v3 managers (the managers' users are keyed on it); "
                                 "`callbox snmp engine-id` prints a new one")
    return Settings(managers, bytes.fromhex(raw))


def read_secret(path: str, data_dir: Path, what: str) -> str:
    """The first line of a secret file (relative paths are under the data directory); SnmpError if unusable or
    readable by others (appliance.paths.read_secret)."""
    try:
        return paths.read_secret(Path(data_dir) / path, what)    # an absolute path stays as it is
    except paths.SecretFileError as e:
        raise SnmpError(str(e)) from None


def check_values(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """The trap's values, checked: ValueError for an unknown trap or value, text cut to MAX_TEXT_BYTES."""
    if name not in TRAPS:
        raise ValueError(f"unknown trap {name!r} (known: {', '.join(TRAPS)})")
    unknown = set(values) - set(VALUES)
    if unknown:
        raise ValueError(f"trap {name}: unknown values {', '.join(sorted(unknown))} (known: source, text, value)")
    out: dict[str, Any] = {}
    for key in ("source", "text"):
        text = str(values.get(key, ""))
        out[key] = text.encode("utf-8")[:MAX_TEXT_BYTES].decode("utf-8", "ignore")
    if values.get("value") is not None:
        if isinstance(values["value"], bool) or not isinstance(values["value"], int):
            raise ValueError(f"trap {name}: value must be an integer, not {values['value']!r}")
        out["value"] = min(max(values["value"], INT32[0]), INT32[1])
    return out


def queue_trap(name: str, values: dict[str, str | int], *, key: str | None = None) -> int:
    """Queue trap `name` (one of TRAPS) with source/text/value for every configured manager; its outbox id.
    The store's database must be open for writing (the worker and jobs processes)."""
    payload = {"name": name, **check_values(name, values)}
    return outbox.enqueue(KIND, payload, key=key)


def deliver(cfg: config.Config, data_dir: Path, payload: dict) -> None:
    """The outbox deliverer of kind "trap": send it to every manager; SnmpError naming the ones that failed.
    With no manager configured SNMP is off and the trap is dropped (logged at debug level)."""
    s = settings(cfg)
    if not s.enabled:
        log.debug("trap %s not sent: no [snmp] managers", payload.get("name"))
        return
    values = {k: payload[k] for k in VALUES if k in payload}
    send_trap(cfg, str(payload.get("name")), values, data_dir=data_dir)


def send_trap(cfg: config.Config, name: str, values: dict[str, Any], *, data_dir: Path | None = None) -> None:
    """Send trap `name` now to every configured manager (blocking, at most a few seconds); SnmpError
    naming every manager that failed, after trying them all."""
    from appliance.snmp import send as snmp_send  # pysnmp loads its MIBs on import: only the process that sends pays
    s = settings(cfg)
    if not s.enabled:
        raise SnmpError("no [snmp] managers configured")
    snmp_send.send(s, name, check_values(name, values), Path(data_dir or "."))


def queue_restart(data_dir: Path | None, process: str, text: str, exit_code: int | None = None) -> None:
    """Queue service_restarted for `process` from any process: opens `<data_dir>/callbox.db` for the
    enqueue when this process has no database open (the supervisor). Never raises: a restart must go on."""
    if data_dir is None:
        return
    opened = store.db.is_closed()   # the supervisor has no database open; worker and jobs keep theirs open
    try:
        if opened:
            store.open_db(Path(data_dir) / "callbox.db")
        values: dict[str, str | int] = {"source": process, "text": text}
        if exit_code is not None:
            values["value"] = exit_code
        queue_trap("service_restarted", values)
    except Exception as e:   # a locked or broken database: the restart itself is logged by the caller
        log.error("cannot queue the service_restarted trap for %s: %s", process, e)
    finally:
        if opened:
            store.close_db()


outbox.register(KIND, deliver)
