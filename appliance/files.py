"""Small files replaced whole: a reader, or the box after a power cut, finds the old content or the new, never a part.

The new content goes to a hidden file beside the target (same directory, so the same file system), which then
takes the target's name with os.replace, atomic on POSIX. `durable` (the default) also forces the content and then
the directory entry to the disk: for what must outlive a power cut (the configuration, the network and NTP
settings, SSH keys, the journal's archive mark). Files under run/ (a RAM disk on the box: status, requests between
processes) need no fsync, only the atomic rename.
"""
from __future__ import annotations

import json
import os
from pathlib import Path


def replace(path: Path | str, data: str | bytes, *, durable: bool = True, mode: int | None = None) -> None:
    """Replace `path`'s content with `data` (text is written as UTF-8); `mode` sets the new file's permissions
    before it takes the name (0o600 for a secret: never readable by others, not even for a moment)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.new")
    try:
        with open(tmp, "wb") as f:
            if mode is not None:
                os.fchmod(f.fileno(), mode)
            f.write(raw)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)      # a full disk or an error: the old file stays, and no half new one beside it
        raise
    if durable:
        sync_directory(path.parent)


def sync_directory(directory: Path | str) -> None:
    """Force a directory's entries (a rename, a new file) to the disk."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_json_object(path: Path | str) -> dict | None:
    """A JSON object kept in a file; None when the file is missing, unreadable, not JSON or not an object."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
