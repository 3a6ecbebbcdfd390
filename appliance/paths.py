"""The data directory: where it keeps each thing, and the lock that lets one processor at a time write calls."""
from __future__ import annotations

import fcntl
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
