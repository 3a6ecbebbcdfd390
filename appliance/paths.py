"""The data directory: where it keeps each thing, and the lock that lets one processor at a time write calls."""
from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Paths:
    """Where a data directory keeps each thing."""
    data: Path

    @property
    def journal(self) -> Path:
        return self.data / "journal"

    @property
    def db(self) -> Path:
        return self.data / "callbox.db"

    @property
    def run(self) -> Path:
        return self.data / "run"


@contextmanager
def parse_lock(paths: Paths):
    """One processor at a time per data directory (worker batches, import, reprocess)."""
    paths.run.mkdir(parents=True, exist_ok=True)
    with open(paths.run / "parse.lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


PRIVATE_UMASK = 0o077   # as UMask=0077 in image/systemd/*.service


def keep_private(data: Path | None) -> None:
    """What this process creates is its user's alone (files 0600, folders 0700), and an existing data directory is
    closed to other local users: callbox.db holds every call, users.db password hashes and sessions."""
    os.umask(PRIVATE_UMASK)
    if data is not None and Path(data).is_dir():
        mode = Path(data).stat().st_mode & 0o777
        if mode & 0o077:
            Path(data).chmod(mode & 0o700)


class SecretFileError(ValueError):
    """A secret file that cannot be used; the message names the setting and the file, never the secret."""


def check_private(path: Path, what: str) -> None:
    """SecretFileError unless `path` is closed to group and others (0600 or 0400), as ssh refuses a private key
    others can read: a secret other local users could read is not a secret."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError as e:
        raise SecretFileError(f"{what} {path}: {e.strerror or e}") from None
    if mode & 0o077:
        raise SecretFileError(f"{what} {path} may be read by other users (mode {mode:04o}): chmod 600 {path}")


def read_secret(path: Path, what: str) -> str:
    """The first line of the secret file `path` without its line end (a password may end in a space; a BOM left
    by Notepad is not part of it). SecretFileError, naming `what` and the file, when it is missing, unreadable,
    empty or readable by others (check_private)."""
    check_private(path, what)
    try:
        with open(path, encoding="utf-8-sig") as f:
            secret = f.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as e:
        raise SecretFileError(f"{what} {path}: {getattr(e, 'strerror', None) or e}") from None
    if not secret:
        raise SecretFileError(f"{what} {path} is empty")
    return secret


def mark_started(data_dir: Path | None, process: str) -> bool:
    """Note that `process` runs (<data>/run/<process>.running); True if the last run did not end with
    mark_stopped: it crashed, was killed or the power failed (the service_restarted trap says so). The file holds
    the pid and start time."""
    if data_dir is None:
        return False
    marker = Path(data_dir) / "run" / f"{process}.running"
    unclean = marker.exists()
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{os.getpid()} {int(time.time())}\n", encoding="ascii")
    except OSError as e:
        log.warning("cannot write %s: %s", marker, e)
    return unclean


def mark_stopped(data_dir: Path | None, process: str) -> None:
    """`process` ends cleanly: its next start is not reported as a restart."""
    if data_dir is not None:
        (Path(data_dir) / "run" / f"{process}.running").unlink(missing_ok=True)


def data_dir_of(argv: list[str]) -> Path | None:
    """The --data directory a Callbox command line names (the supervisor's children all have one)."""
    return Path(argv[argv.index("--data") + 1]) if "--data" in argv[:-1] else None


def write_note(path: Path, value: dict) -> None:
    """A small JSON request or result between processes (the web asks, the worker answers), replaced whole so a
    reader never sees half of it."""
    tmp = path.with_name(f".{path.name}.new")
    tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def read_note(path: Path) -> dict | None:
    """What write_note wrote there, or None (no file, or not a JSON object)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
