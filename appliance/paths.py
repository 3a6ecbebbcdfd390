"""The data directory: where it keeps each thing, and the lock that lets one processor at a time write calls."""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


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
