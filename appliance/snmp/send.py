"""Sending traps with pysnmp 7 (asyncio only): one event loop thread and one SnmpEngine per process.

STACK.md §1: the engine is reused (the first v3 trap localises keys, about 100 ms; later ones take about
2 ms), its snmpEngineID is the fixed [snmp] engine_id, and every manager and credential gets its own
UdpTransportTarget with its own tag, derived from the manager and its secrets. A shared target (or tag)
would make pysnmp send a "v3 authPriv" trap a second time as cleartext v2c, and a changed community would
otherwise keep being sent next to the new one.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from pysnmp.hlapi.v3arch.asyncio import (CommunityData, ContextData, Integer32, NotificationType, ObjectIdentity,
                                         OctetString, SnmpEngine, Udp6TransportTarget, UdpTransportTarget,
                                         UsmUserData, send_notification, usmAesCfb128Protocol,
                                         usmHMACSHAAuthProtocol)

from appliance.snmp.traps import Manager, NOTIFICATIONS, Settings, SnmpError, TRAPS, TRAP_VARS, VALUES, read_secret

log = logging.getLogger(__name__)
TIMEOUT_S = 2.0          # per manager: a trap is queued to the socket at once; this covers name resolution
SEND_TIMEOUT_S = 20.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_engines: dict[bytes, SnmpEngine] = {}


def _event_loop() -> asyncio.AbstractEventLoop:
    """The process's trap loop, started on first use in a daemon thread (huey's workers are threads: a
    loop per call would leave the shared engine bound to a closed loop)."""
    global _loop
    with _lock:
        if _loop is None or not _loop.is_running():
            loop = asyncio.new_event_loop()
            ready = threading.Event()
            loop.call_soon(ready.set)
            threading.Thread(target=loop.run_forever, name="snmp-traps", daemon=True).start()
            ready.wait(5)
            _loop = loop
        return _loop


def _engine(engine_id: bytes) -> SnmpEngine:
    if engine_id not in _engines:   # only touched from the loop thread
        _engines[engine_id] = SnmpEngine(OctetString(engine_id)) if engine_id else SnmpEngine()
    return _engines[engine_id]


def credentials(m: Manager, data_dir: Path) -> tuple[Any, str]:
    """(pysnmp auth data, transport tag) of a manager, secrets read from their files now."""
    if m.version == "v2c":
        community = read_secret(m.community_file, data_dir, "community_file")
        secret = community
        auth: Any = None
    else:
        auth_key = read_secret(m.auth_file, data_dir, "auth_file")
        priv_key = read_secret(m.priv_file, data_dir, "priv_file")
        for what, key in (("auth_file", auth_key), ("priv_file", priv_key)):
            if len(key) < 8:   # RFC 3414: pysnmp and net-snmp refuse shorter pass phrases
                raise SnmpError(f"{m.label}: the key in {what} is shorter than 8 characters")
        secret = auth_key + "\0" + priv_key
    tag = "cb" + hashlib.sha256(f"{m.label}\0{secret}".encode()).hexdigest()[:16]
    if m.version == "v2c":
        auth = CommunityData(community.encode("utf-8"), mpModel=1, tag=tag)
    else:   # bytes: pass phrases may be non-ASCII (pysnmp would encode a str as latin-1 or fail)
        auth = UsmUserData(m.user, auth_key.encode("utf-8"), priv_key.encode("utf-8"),
                           authProtocol=usmHMACSHAAuthProtocol,
                           privProtocol=usmAesCfb128Protocol)
    return auth, tag


def notification(name: str, values: dict[str, Any]) -> NotificationType:
    """The NOTIFICATION-TYPE of trap `name` with its varbinds (texts UTF-8, STACK.md §1 gotcha 3)."""
    nt = NotificationType(ObjectIdentity(f"{NOTIFICATIONS}.{TRAPS[name][0]}"))
    binds = []
    for key in ("source", "text"):
        binds.append((f"{TRAP_VARS}.{VALUES[key][0]}.0", OctetString(str(values.get(key, "")).encode("utf-8"))))
    if values.get("value") is not None:
        binds.append((f"{TRAP_VARS}.{VALUES['value'][0]}.0", Integer32(values["value"])))
    return nt.add_varbinds(*binds)


async def _send_one(engine: SnmpEngine, m: Manager, auth: Any, tag: str, nt: NotificationType) -> str | None:
    target_cls = Udp6TransportTarget if m.ipv6 else UdpTransportTarget
    try:
        target = await target_cls.create((m.host, m.port), timeout=TIMEOUT_S, retries=0, tagList=tag)
        err, status, _, _ = await asyncio.wait_for(
            send_notification(engine, auth, target, ContextData(), "trap", nt), TIMEOUT_S * 2)
    except Exception as e:   # name resolution, socket errors, pysnmp errors: reported per manager
        return f"{m.label}: {type(e).__name__}: {e}"
    if err or status:
        return f"{m.label}: {err or status.prettyPrint()}"
    return None


async def _send_all(s: Settings, name: str, values: dict[str, Any], creds: list) -> list[str]:
    engine = _engine(s.engine_id)
    errors = []
    for m, (auth, tag) in zip(s.managers, creds):
        if (error := await _send_one(engine, m, auth, tag, notification(name, values))) is not None:
            errors.append(error)
    return errors


def send(s: Settings, name: str, values: dict[str, Any], data_dir: Path) -> None:
    """Send to every manager in `s`; SnmpError listing the failures (a manager whose secrets cannot be
    read fails, the others are still sent)."""
    errors: list[str] = []
    creds: list = []
    managers = []
    for m in s.managers:
        try:
            creds.append(credentials(m, data_dir))
            managers.append(m)
        except SnmpError as e:
            errors.append(f"{m.label}: {e}" if m.label not in str(e) else str(e))
    ok = Settings(tuple(managers), s.engine_id)
    fut = asyncio.run_coroutine_threadsafe(_send_all(ok, name, values, creds), _event_loop())
    try:
        errors += fut.result(SEND_TIMEOUT_S)
    except FutureTimeout:
        fut.cancel()
        errors.append(f"sending timed out after {SEND_TIMEOUT_S:.0f} s")
    sent = len(managers) - (len(errors) - (len(s.managers) - len(managers)))
    log.info("trap %s sent to %d of %d managers", name, sent, len(s.managers))
    if errors:
        raise SnmpError("; ".join(errors))
