"""tcp-listen admission: which connections the capture port takes, which it refuses, and which idle one
gives its place to a newcomer; refusals are counted and reported at most once a minute per address.

The listener must keep serving its PBXs whatever else on the LAN connects to it:
- `allow` (addresses and networks; empty = any): a connection from elsewhere is refused at once.
- `max_per_source` connections per address and `max_connections` in all: one host cannot take every place.
- Idle connections are dropped only under pressure. A PBX may send nothing for hours (the night, a
  weekend) on a connection it opened at boot and will not reopen until it fails, so silence alone is no
  reason to drop it. When a newcomer finds no place, the connection silent longest (at least `idle_drop_s`)
  gives its place: one that never sent a byte before one that did (a PBX has sent records; a port scan
  or a stuck client has not). Without such a connection the newcomer is refused.
"""
from __future__ import annotations

import ipaddress
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appliance.capture.transports import LinkDown, SocketLink

REPORT_EVERY_S = 60.0   # per address: the first refusal is reported at once, then one summary a minute
MAX_TRACKED = 64        # addresses whose refusals are counted apart; more share one "other" count

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allow(text: str) -> tuple[Network, ...]:
    """The networks of an allow-list ("10.0.0.5, 192.168.1.0/24 fd00::/64"); ValueError naming a bad item."""
    nets = []
    for item in re.split(r"[\s,]+", text.strip()):
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"[capture] allow: {item!r} is not an IP address or network (host names are not "
                             f"accepted: a PBX is named by its address)") from None
    return tuple(nets)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(host.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:   # a dual-stack listener
        return ip.ipv4_mapped
    return ip


@dataclass(eq=False)
class Conn:
    """One admitted connection: its address, when it last sent something and whether it ever did.
    `dropped` is set (to the reason) when the gate takes its place for a newcomer."""

    address: str
    source: str
    shutdown: Callable[[], None]
    last_rx: float   # time.monotonic()
    received: bool = False
    dropped: tuple[str, dict] | None = None    # (key, fields) of GATE_TEXTS["dropped"] once it was dropped


# the words of a refusal's report (journaled with its key and fields: the web says them in each language); a
# field {"key", "fields"} is a text of its own
GATE_TEXTS = {"refused_allow": "not in [capture] allow",
              "refused_per_source": "already {most} connections from this address ([capture] max_per_source)",
              "refused_total": "already {most} connections ([capture] max_connections)",
              "refused_many": "{count} connections refused from {address}, the last {why}",
              "refused_since": "{count} connections refused since the last report from {address}, the last {why}",
              "dropped": "dropped: silent for {seconds} s and {why}; its place went to {source}"}


def _say(key: str, fields: dict) -> str:
    return GATE_TEXTS[key].format(**{k: _say(v["key"], v["fields"]) if isinstance(v, dict) else v
                                     for k, v in fields.items()})


@dataclass
class _Tally:
    count: int = 0          # refusals not reported yet
    reported_at: float = -1e18
    source: str = ""        # the last refused peer, "tcp:ADDR:PORT"
    reason: str = ""        # the last reason


class Gate:
    """The listener's admission bookkeeping; thread-safe (accept thread, connection threads, status thread)."""

    def __init__(self, allow: tuple[Network, ...] = (), max_connections: int = 32, max_per_source: int = 4,
                 idle_drop_s: float = 60.0):
        self.allow, self.max_connections, self.max_per_source = allow, max_connections, max_per_source
        self.idle_drop_s = idle_drop_s
        self._lock = threading.Lock()
        self._open: dict[str, list[Conn]] = {}     # address -> its admitted connections
        self._tallies: dict[str, _Tally] = {}
        self.refused = self.dropped = 0

    @property
    def connections(self) -> int:
        """How many connections are admitted now."""
        with self._lock:
            return sum(len(v) for v in self._open.values())

    def admit(self, host: str, source: str, shutdown: Callable[[], None]) -> Conn | None:
        """A Conn for a connection from `host` (its link is `source`), or None if it is refused (the reason
        is counted for report()). Never blocks on a connection: a dropped one is only shut down, its own
        thread ends it."""
        try:
            address = str(_address(host))
        except ValueError:
            address = host
        victim = None
        with self._lock:
            reason = self._refusal(address)
            if reason:
                # outside the allow-list nobody makes room; otherwise one of the same address, or of any
                victim = None if reason == "allow" else self._victim(address if reason == "per_source" else None)
                if victim is None:
                    self._tally(address, source, reason)
                    return None
                self._remove(victim)
                self.dropped += 1
                why = {"key": f"refused_{reason}", "fields": {"most": self._most(reason)}}
                victim.dropped = ("dropped", {"seconds": round(time.monotonic() - victim.last_rx), "source": source,
                                              "why": why})
            conn = Conn(address, source, shutdown, time.monotonic())
            self._open.setdefault(address, []).append(conn)
        if victim is not None:
            victim.shutdown()
        return conn

    def release(self, conn: Conn) -> None:
        """`conn` has ended (its thread calls this once; a dropped one was released when it was dropped)."""
        with self._lock:
            self._remove(conn)

    def _refusal(self, address: str) -> str:
        if self.allow:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                return "allow"
            if not any(ip.version == n.version and ip in n for n in self.allow):
                return "allow"
        if len(self._open.get(address, ())) >= self.max_per_source:
            return "per_source"
        if sum(len(v) for v in self._open.values()) >= self.max_connections:
            return "total"
        return ""

    def _most(self, reason: str) -> int:
        return self.max_per_source if reason == "per_source" else self.max_connections

    def _victim(self, address: str | None) -> Conn | None:
        """The connection that gives its place: of `address` (None: of any), silent at least idle_drop_s,
        one that never sent anything first, then the one silent longest."""
        now = time.monotonic()
        pool = self._open.get(address, []) if address is not None else [c for v in self._open.values() for c in v]
        idle = [c for c in pool if now - c.last_rx >= self.idle_drop_s]
        return min(idle, key=lambda c: (c.received, c.last_rx), default=None)

    def _remove(self, conn: Conn) -> None:
        conns = self._open.get(conn.address, [])
        if conn in conns:
            conns.remove(conn)
            if not conns:
                del self._open[conn.address]

    def _tally(self, address: str, source: str, why: str) -> None:
        self.refused += 1
        if address not in self._tallies and len(self._tallies) >= MAX_TRACKED:
            address = "other"
        t = self._tallies.setdefault(address, _Tally())
        t.count, t.source, t.reason = t.count + 1, source, why      # a key: "allow", "per_source", "total"

    def report(self, emit: Callable[[str, str, tuple[str, dict]], None], final: bool = False) -> None:
        """Call emit(source, detail, (key, fields) of the detail: GATE_TEXTS) for each address with refusals not
        yet reported, at most once per REPORT_EVERY_S each (the first at once; all of them when `final`); the
        detail says how many and the last reason."""
        now = time.monotonic()
        due = []
        with self._lock:
            for address, t in list(self._tallies.items()):
                if t.count and (final or now - t.reported_at >= REPORT_EVERY_S):
                    why: tuple[str, dict[str, Any]] = (f"refused_{t.reason}", {"most": self._most(t.reason)})
                    fields: dict[str, Any]
                    if t.reported_at < 0 and t.count == 1:
                        key, fields = why
                    else:
                        key = "refused_many" if t.reported_at < 0 else "refused_since"
                        fields = {"count": t.count, "address": address, "why": {"key": why[0], "fields": why[1]}}
                    due.append((t.source, _say(key, fields), (key, fields)))
                    t.count, t.reported_at = 0, now
                elif not t.count and now - t.reported_at >= REPORT_EVERY_S:
                    del self._tallies[address]   # quiet for a minute: its place in the table is free
        for source, detail, text in due:   # outside the lock: emit writes the journal
            emit(source, detail, text)


class GatedLink:
    """An admitted SocketLink that tells its Conn when data came, and says why if the gate dropped it."""

    at = None

    def __init__(self, link: SocketLink, conn: Conn):
        self._link, self.conn, self.source = link, conn, link.source

    def read(self, timeout: float) -> bytes:
        try:
            data = self._link.read(timeout)
        except LinkDown:
            if self.conn.dropped:
                raise LinkDown(_say(*self.conn.dropped), self.conn.dropped) from None
            raise
        if data:
            self.conn.last_rx, self.conn.received = time.monotonic(), True
        return data

    def write(self, data: bytes, timeout: float) -> None:
        self._link.write(data, timeout)

    def close(self) -> None:
        self._link.close()
