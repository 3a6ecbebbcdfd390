"""`make bench`'s figures file: every benchmark merges its figures into <dir>/results.json under its own key.

Each entry carries when it was measured and the machine's load average then (the development machine is shared:
a figure measured under load is slower by the clock, and the CPU-time figures are the ones to compare).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(".bench")


def save(directory: Path | None, key: str, figures: Any) -> Path:
    """Merge `figures` into <directory>/results.json (default .bench) under `key`; the file's path."""
    directory = Path(directory or DEFAULT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "results.json"
    merged = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    merged[key] = {**(figures if isinstance(figures, dict) else {"figures": figures}),
                   "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "load_average_1min": round(os.getloadavg()[0], 2)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(merged, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
