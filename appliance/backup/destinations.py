"""Where a backup goes besides a download (issue 19): a folder (a USB stick's mount point; an [upload] targets file
server is appliance.delivery.upload's); the USB sticks the box sees, with the backups on them, for the Backup page
and `callbox backup`.

A USB stick is a removable disk's file system mounted under /media or /run/media (the image's udev rule mounts one
there when it is plugged in: image/rootfs/etc/udev/rules.d), or the folder [box] usb_path names. The box never
mounts or formats anything itself here: it writes into a folder that is mounted already."""
from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any, BinaryIO

from appliance.backup import archive

log = logging.getLogger(__name__)
MOUNT_ROOTS = ("/media", "/run/media")
SUFFIX = ".cbx"
LIST_MAX = 50                   # the newest backups a stick's listing shows


def default_name(now: float | None = None) -> str:
    return f"callbox-backup-{time.strftime('%Y%m%d-%H%M%S', time.gmtime(now))}{SUFFIX}"


def _unescape(field: str) -> str:
    """A /proc/self/mountinfo path: spaces, tabs, newlines and backslashes are octal escapes there."""
    out, i = bytearray(), 0
    raw = field.encode("utf-8", "surrogateescape")
    while i < len(raw):
        if raw[i:i + 1] == b"\\" and raw[i + 1:i + 4].isdigit():
            out.append(int(raw[i + 1:i + 4], 8))
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", "surrogateescape")


def _removable(device: str, sysfs: Path) -> bool:
    """Whether the block device (e.g. /dev/sdb1, or 8:17) is a removable disk or on USB (sysfs says)."""
    node = sysfs / "dev" / "block" / device if ":" in device else sysfs / "class" / "block" / Path(device).name
    try:
        real = node.resolve(strict=True)
    except OSError:
        return False
    disk = real if (real / "removable").exists() else real.parent
    try:
        removable = (disk / "removable").read_text().strip() == "1"
    except OSError:
        removable = False
    return removable or "/usb" in str(real)


def usb_mounts(usb_path: str = "", mountinfo: Path = Path("/proc/self/mountinfo"),
               sysfs: Path = Path("/sys")) -> list[dict]:
    """The USB sticks to write a backup to: every removable disk's file system mounted under /media or /run/media,
    then the folder `usb_path` ([box] usb_path) when it is one. Each {"path", "name", "free"} (free bytes, None
    when unknown), without repeats."""
    found: list[str] = []
    try:
        lines = mountinfo.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split()
        if "-" not in fields or len(fields) < 5:
            continue
        point = _unescape(fields[4])
        source = fields[fields.index("-") + 2] if len(fields) > fields.index("-") + 2 else ""
        if not any(point.startswith(root + "/") for root in MOUNT_ROOTS):
            continue
        if _removable(fields[2], sysfs) or (source.startswith("/dev/") and _removable(source, sysfs)):
            found.append(point)
    if usb_path and Path(usb_path).is_dir():
        found.append(str(Path(usb_path)))
    out, seen = [], set()
    for point in found:
        if point in seen:
            continue
        seen.add(point)
        try:
            free: int | None = shutil.disk_usage(point).free
        except OSError:
            free = None
        out.append({"path": point, "name": Path(point).name or point, "free": free})
    return out


def check_usb(path: str, usb_path: str = "", **where) -> Path:
    """`path` when it is one of usb_mounts() (never any other folder: the web names the stick, not a path);
    ValueError otherwise."""
    for mount in usb_mounts(usb_path, **where):
        if mount["path"] == path:
            return Path(path)
    raise ValueError(f"{path!r} is not a USB stick this box sees (plugged in and mounted?)")


def to_folder(data: Path, folder: Path, passphrase: str, calls: bool = False, journal: bool = False,
              name: str | None = None) -> tuple[Path, dict]:
    """Write the encrypted backup into `folder` (a USB stick) under a temporary name, flushed to the stick, then
    renamed: a stick pulled out half way holds no file that looks whole. Returns (the file, the manifest)."""
    out = Path(folder) / (name or default_name())
    tmp = out.with_name(f".{out.name}.part")
    try:
        with open(tmp, "wb") as f:
            manifest = archive.create(data, f, passphrase, calls, journal)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(out)
        _sync_renamed(out)
        _sync_dir(out.parent)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("backup written to %s (%d bytes)", out, out.stat().st_size)
    return out, manifest


def _sync_renamed(path: Path) -> None:
    """FAT keeps a file's size and first cluster in its directory entry, and a rename writes the new entry with
    neither: they reach the stick only when the file's inode is written again. Syncing the renamed file does that
    now, not at the next writeback (a stick pulled, or a power cut, before it held an empty file: make image-test)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:       # vfat and some FUSE file systems refuse a directory's fsync: the file's was done
        pass
    finally:
        os.close(fd)


def backups_on(folder: Path) -> list[dict]:
    """The backup files (*.cbx) at the top of `folder`, newest first: {"name", "size", "modified_utc"}."""
    out: list[dict[str, Any]] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith(SUFFIX):
            continue
        try:
            st = entry.stat()
        except OSError:
            continue
        if entry.is_file():
            out.append({"name": entry.name, "size": st.st_size, "modified_utc": int(st.st_mtime)})
    out.sort(key=lambda b: (-b["modified_utc"], b["name"]))
    return out[:LIST_MAX]


def open_on(folder: Path, name: str) -> BinaryIO:
    """The backup file `name` on the stick `folder`, opened; ValueError for a name that is not a plain one of its
    backups."""
    if name not in {b["name"] for b in backups_on(folder)}:
        raise ValueError(f"no backup {name!r} on {folder}")
    return open(Path(folder) / name, "rb")
