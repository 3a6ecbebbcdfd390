"""The first-boot wizard's network step (APP-3): DHCP, or a static address with its prefix, gateway and DNS servers,
checked with the ipaddress module and written as a systemd-networkd .network file to <data>/network/ (the data
partition: the root is read-only). The web runs unprivileged and never touches the system's network itself: on the
image, the root-owned callbox-network.path sees the file change and callbox-network.service (apply-network) copies
it to /run/systemd/network/ and has networkd reload it; on a development machine the file stays in the data
directory, and the wizard shows what it wrote. The box's current addresses are read here too (no iproute2 on the
image): IPv4 by the SIOCGIFADDR ioctl, IPv6 from /proc/net/if_inet6."""
from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path

from appliance import config, files

FOLDER = "network"
FILE = "10-callbox.network"        # sorts before the image's 20-wired.network: networkd uses the first that matches
APPLIER = Path("/usr/lib/callbox/apply-network")     # on the image only (image/rootfs)
MATCH = "en* eth*"                 # every wired port, as the image's own 20-wired.network
MODES = ("dhcp", "static")
MAX_DNS = 3
SIOCGIFADDR, SIOCGIFNETMASK = 0x8915, 0x891B


@dataclass(frozen=True)
class Network:
    mode: str                              # "dhcp" or "static"
    address: str = ""                      # static: "192.0.2.10/24" (an interface: address and prefix)
    gateway: str = ""
    dns: tuple[str, ...] = field(default_factory=tuple)


def check(mode: str, address: str = "", gateway: str = "", dns: str = "") -> Network:
    """The wizard's answers, checked; ConfigError naming the field. DHCP may name DNS servers of its own (used
    besides the ones DHCP gives); static needs the address with its prefix, and a gateway inside that network."""
    mode = (mode or "dhcp").strip()
    if mode not in MODES:
        raise config.ConfigError(f"network: {mode!r} is not one of {', '.join(MODES)}")
    servers = tuple(dns.replace(",", " ").split())
    if len(servers) > MAX_DNS:
        raise config.ConfigError(f"dns: at most {MAX_DNS} servers")
    for server in servers:
        try:
            ipaddress.ip_address(server)
        except ValueError:
            raise config.ConfigError(f"dns: {server!r} is not an IP address") from None
    if mode == "dhcp":
        return Network("dhcp", dns=servers)
    address = address.strip()
    if "/" not in address:
        raise config.ConfigError(f"address: {address!r}: give the address with its prefix, e.g. 192.0.2.10/24")
    try:
        iface = ipaddress.ip_interface(address)
    except ValueError as e:
        raise config.ConfigError(f"address: {e}") from None
    net = iface.network
    if iface.ip.is_multicast or iface.ip.is_unspecified or iface.ip.is_loopback:
        raise config.ConfigError(f"address: {iface.ip} cannot be the box's address")
    if iface.version == 4 and net.prefixlen < 31 and iface.ip in (net.network_address, net.broadcast_address):
        which = "broadcast" if iface.ip == net.broadcast_address else "own"
        raise config.ConfigError(f"address: {iface.ip} is the network's {which} address, not a host's")
    gateway = gateway.strip()
    if gateway:
        try:
            gw = ipaddress.ip_address(gateway)
        except ValueError:
            raise config.ConfigError(f"gateway: {gateway!r} is not an IP address") from None
        if gw.version != iface.version or (gw not in net and not gw.is_link_local):
            raise config.ConfigError(f"gateway: {gw} is not in the box's network {net}")
        if gw == iface.ip:
            raise config.ConfigError(f"gateway: {gw} is the box's own address")
    return Network("static", str(iface), gateway, servers)


def render(net: Network) -> str:
    """The .network file for systemd-networkd."""
    lines = ["# written by the Callbox first-boot wizard (appliance/firstboot/network.py)", "[Match]",
             f"Name={MATCH}", "", "[Network]"]
    if net.mode == "dhcp":
        lines.append("DHCP=yes")
    else:
        lines += ["DHCP=no", f"Address={net.address}"] + ([f"Gateway={net.gateway}"] if net.gateway else [])
    lines += [f"DNS={server}" for server in net.dns]
    return "\n".join(lines) + "\n"


def path(data_dir: Path) -> Path:
    return Path(data_dir) / FOLDER / FILE


def apply(data_dir: Path, net: Network) -> Path:
    """Write <data>/network/10-callbox.network atomically; returns its path. On the image, callbox-network.path
    applies it within a second; elsewhere nothing else happens."""
    target = path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    files.replace(target, render(net))
    return target


def on_image() -> bool:
    """Whether a root-owned unit applies the file (the appliance image), or it only stays in the data directory."""
    return APPLIER.exists()


def _ipv4(sock: socket.socket, name: str) -> str | None:
    req = struct.pack("256s", name.encode()[:15])
    try:
        addr = socket.inet_ntoa(fcntl.ioctl(sock.fileno(), SIOCGIFADDR, req)[20:24])
        mask = socket.inet_ntoa(fcntl.ioctl(sock.fileno(), SIOCGIFNETMASK, req)[20:24])
    except OSError:
        return None
    return str(ipaddress.ip_interface(f"{addr}/{mask}"))


def current_addresses(if_inet6: Path = Path("/proc/net/if_inet6")) -> list[dict]:
    """[{"interface", "address"}] of the box's addresses now (loopback left out): IPv4 then IPv6, by interface."""
    out = []
    try:
        names = [name for _, name in socket.if_nameindex() if name != "lo"]
    except OSError:
        names = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in names:
            if (v4 := _ipv4(sock, name)) is not None:
                out.append({"interface": name, "address": v4})
    try:
        rows = if_inet6.read_text(encoding="ascii").splitlines()
    except OSError:
        rows = []
    for row in rows:
        parts = row.split()
        if len(parts) < 6 or parts[5] == "lo":
            continue
        try:
            address = f"{ipaddress.IPv6Address(bytes.fromhex(parts[0]))}/{int(parts[2], 16)}"
        except ValueError:
            continue
        out.append({"interface": parts[5], "address": address})
    return out
