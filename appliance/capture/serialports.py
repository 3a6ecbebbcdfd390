"""The serial ports the PBX wizard offers: listed by capture, the one process that sees the devices (the web's unit
has PrivateDevices=yes), and written to run/serial-ports.json every REFRESH_S while it changes, so an adapter
plugged in appears on the wizard's page within seconds.

A USB-serial adapter is offered under its /dev/serial/by-id name (the same after unplugging and plugging in again,
whatever ttyUSB number the kernel gives it) with the description its name or the kernel gives (FTDI FT232R USB UART,
Prolific PL2303); on-board ports (/dev/ttyS*) only where the kernel found a UART behind them."""
from __future__ import annotations

import glob
import json
import logging
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

from serial.tools.list_ports_linux import SysFS

from appliance import files

log = logging.getLogger(__name__)
GLOBS = ("/dev/ttyS[0-9]*", "/dev/ttyUSB*", "/dev/ttyACM*", "/dev/ttyAMA*")
BY_ID = "/dev/serial/by-id"
FILE = "serial-ports.json"
REFRESH_S = 2.0
_SUFFIX = re.compile(r"-if[0-9a-f]{2}(-port\d+)?$")


def _kernel_description(device: str) -> str:
    """What the kernel says of the port (USB product, or the driver), '' for none (a pty, a missing /sys)."""
    try:
        info = SysFS(device)
    except (OSError, ValueError):
        return ""
    if info.subsystem == "platform":         # a ttyS the kernel made without a UART behind it
        return "-"
    return "" if info.description in ("n/a", os.path.basename(device)) else info.description


def describe_by_id(name: str) -> str:
    """A /dev/serial/by-id name as words: usb-FTDI_FT232R_USB_UART_A1B2C3-if00-port0 -> FTDI FT232R USB UART
    A1B2C3."""
    base = _SUFFIX.sub("", os.path.basename(name))
    base = re.sub(r"^(usb|pci|platform)-", "", base)
    return " ".join(base.replace("_", " ").split())


def ports(globs: Sequence[str] = GLOBS, by_id: str | Path = BY_ID) -> list[dict]:
    """[{"device", "path", "description"}] of the serial ports present: "device" the name to configure (the by-id
    link of an adapter, else the /dev path), "path" the device it is now. Sorted by device."""
    names: dict[str, str] = {}       # real device -> its by-id link
    for link in sorted(glob.glob(os.path.join(str(by_id), "*"))):
        names.setdefault(os.path.realpath(link), link)
    found = {os.path.realpath(d): d for g in globs for d in glob.glob(g)}
    for real in names:
        found.setdefault(real, real)
    out = []
    for real, device in found.items():
        kernel = _kernel_description(real)
        if kernel == "-":
            continue
        stable = names.get(real)
        description = describe_by_id(stable) if stable else kernel
        out.append({"device": stable or device, "path": real, "description": description or kernel})
    return sorted(out, key=lambda p: p["device"])


def write(run_dir: Path, listed: list[dict]) -> None:
    """run/serial-ports.json, atomically: {"updated_utc", "ports"}."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    files.replace(run_dir / FILE, json.dumps({"updated_utc": int(time.time()), "ports": listed}), durable=False)


def read(run_dir: Path) -> list[dict] | None:
    """The ports capture listed last; None when it never did (capture not started on this data directory)."""
    value = files.read_json_object(Path(run_dir) / FILE)
    listed = value.get("ports") if value is not None else None
    return [p for p in listed if isinstance(p, dict) and isinstance(p.get("device"), str)] if isinstance(
        listed, list) else None


class Refresher:
    """Capture's side: refresh() lists the ports and writes the file when they changed (or at the first call)."""

    def __init__(self, run_dir: Path, globs: Sequence[str] = GLOBS, by_id: str | Path = BY_ID):
        self.run_dir, self.globs, self.by_id = Path(run_dir), globs, by_id
        self.last: list[dict] | None = None

    def refresh(self) -> bool:
        listed = ports(self.globs, self.by_id)
        if listed == self.last and (self.run_dir / FILE).exists():
            return False
        write(self.run_dir, listed)
        if self.last is not None:
            log.info("serial ports now: %s", ", ".join(p["device"] for p in listed) or "none")
        self.last = listed
        return True
