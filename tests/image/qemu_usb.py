"""A USB stick for the box in qemu (tests/image/test_image_boot.py): a FAT32 disk image made on the host, plugged in
while the box runs (QMP's blockdev-add and device_add on the qemu-xhci controller of a Box started with usb=True), as
an installer plugs one into the box's USB port; read back on the host with mtools once qemu has stopped."""
from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

from qemu_box import Box


def qmp(path: Path, *commands: dict) -> list:
    """Run QMP commands on qemu's control socket, in order; their returns (an error fails)."""
    out = []
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(60)
        s.connect(str(path))
        f = s.makefile("rwb")
        json.loads(f.readline())     # the greeting
        for command in ({"execute": "qmp_capabilities"}, *commands):
            f.write(json.dumps(command).encode() + b"\n")
            f.flush()
            while True:
                reply = json.loads(f.readline())
                if "return" in reply or "error" in reply:     # not an event
                    break
            assert "error" not in reply, (command, reply)
            out.append(reply["return"])
    return out[1:]


def usb_stick(path: Path, size_mb: int = 64) -> Path:
    """A FAT32 USB stick as sold (one file system on the whole disk, a label), as a raw disk image."""
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
    subprocess.run(["mkfs.vfat", "-F", "32", "-n", "YEDEK", str(path)], check=True, capture_output=True)
    return path


def plug(box: Box, stick: Path) -> None:
    """Plug the raw disk image `stick` in as a USB mass-storage device (hot: the box is running)."""
    assert box.usb, "the box was started without a USB controller (usb=True)"
    qmp(box.qmp_path, {"execute": "blockdev-add", "arguments": {
            "driver": "raw", "node-name": "stick", "file": {"driver": "file", "filename": str(stick)}}},
        {"execute": "device_add", "arguments": {"driver": "usb-storage", "id": "stick0", "drive": "stick",
                                                "bus": "xhci.0", "removable": True}})


def files_on(stick: Path) -> list[str]:
    """The names of the files at the top of the stick's FAT (mtools: nothing is mounted on the host)."""
    done = subprocess.run(["mdir", "-i", str(stick), "-b", "::"], capture_output=True, text=True, check=True)
    return sorted(line.strip().removeprefix("::/") for line in done.stdout.splitlines() if line.strip())


def copy_from(stick: Path, name: str, to: Path) -> Path:
    subprocess.run(["mcopy", "-n", "-i", str(stick), f"::{name}", str(to)], check=True, capture_output=True)
    return to
