"""Logging set-up: a size-capped rotating file per process (flash), with a header in every new file."""
from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from appliance import __version__

FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"


class HeaderedFileHandler(logging.handlers.RotatingFileHandler):
    """Writes `header` at the top of every file it starts, so a rotated log still says what ran."""

    def __init__(self, path: Path, header: str, max_bytes: int, backups: int):
        self.header = header
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        if self.stream is not None and self.stream.tell() == 0:
            self.stream.write(self.header)

    def doRollover(self) -> None:
        super().doRollover()
        if self.stream is not None:
            self.stream.write(self.header)


def setup(data_dir: Path | None, process: str, level: str = "INFO", max_kb: int = 1024, backups: int = 3,
          summary: str = "") -> None:
    """Log to stderr and, with a data directory, to <data>/log/<process>.log."""
    root = logging.getLogger()
    root.handlers.clear()
    root.setLevel(level)
    err = logging.StreamHandler(sys.stderr)
    err.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(err)
    if data_dir is not None:
        (data_dir / "log").mkdir(parents=True, exist_ok=True)
        header = f"# callbox {__version__} {process} {summary}\n"
        fh = HeaderedFileHandler(data_dir / "log" / f"{process}.log", header, max_kb * 1024, backups)
        fh.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(fh)
