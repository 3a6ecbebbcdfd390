"""What the box's label says (the printable /label page, issue 19): its host name, addresses, network cards' MAC
addresses and serial number, read from the kernel. Each part is best effort: a part the box cannot read (a PC's
serial number is root's alone in sysfs) is left out, never guessed."""
from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

from appliance.firstboot import network

# where boards and PCs give their serial number: the device tree (Raspberry Pi, most arm64 boards), then DMI (PCs;
# often readable by root only), then the Pi's /proc/cpuinfo line
SERIALS = ("firmware/devicetree/base/serial-number", "class/dmi/id/product_serial", "class/dmi/id/board_serial")
NOT_A_SERIAL = {"", "0", "none", "default string", "to be filled by o.e.m.", "system serial number", "not specified",
                "not applicable", "0123456789"}


def serial_number(sysfs: Path = Path("/sys"), cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The board's or the PC's serial number, or "" when the box cannot read one."""
    for rel in SERIALS:
        try:
            text = (sysfs / rel).read_bytes().rstrip(b"\x00").decode("ascii", "replace").strip()
        except OSError:
            continue
        if text.lower() not in NOT_A_SERIAL:
            return text
    try:
        lines = cpuinfo.read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "Serial" and value.strip().strip("0"):
            return value.strip()
    return ""


def mac_addresses(sysfs: Path = Path("/sys")) -> list[dict]:
    """[{"interface", "mac"}] of the Ethernet and Wi-Fi cards (no loopback, bridges or virtual ones)."""
    out = []
    try:
        cards = sorted((sysfs / "class" / "net").iterdir())
    except OSError:
        return []
    for card in cards:
        try:
            kind = (card / "type").read_text().strip()
            mac = (card / "address").read_text().strip()
        except OSError:
            continue
        if kind != "1" or not (card / "device").exists() or mac in ("", "00:00:00:00:00:00"):
            continue        # type 1: Ethernet (Wi-Fi too); a virtual card has no device
        out.append({"interface": card.name, "mac": mac.upper()})
    return out


def urls(addresses: list[dict], port: int, tls: bool) -> list[str]:
    """The web UI's address for each of the box's addresses (IPv4 first, link-local IPv6 left out)."""
    scheme, default = ("https", 443) if tls else ("http", 80)
    out = []
    for a in addresses:
        ip = ipaddress.ip_address(a["address"].split("/")[0])
        if ip.is_link_local:
            continue
        host = f"[{ip}]" if ip.version == 6 else str(ip)
        out.append(f"{scheme}://{host}{'' if port == default else f':{port}'}/")
    return out


def identity(port: int, tls: bool, sysfs: Path = Path("/sys")) -> dict:
    """The label's parts: {"hostname", "addresses", "urls", "macs", "serial"}."""
    addresses = network.current_addresses()
    return {"hostname": socket.gethostname(), "addresses": addresses, "urls": urls(addresses, port, tls),
            "macs": mac_addresses(sysfs), "serial": serial_number(sysfs)}
