"""Auto-detection: which driver reads these lines, ranked by each driver's own looks_like()."""
from __future__ import annotations

import logging
from pathlib import Path

from appliance import registry
from appliance.capture.framing import split_lines, strip_terminator

log = logging.getLogger(__name__)
MAX_LINES = 200
MAX_BYTES = 1 << 20
FITS = 0.5            # below this confidence a driver is not offered


def first_lines(data: bytes, limit: int = MAX_LINES) -> list[bytes]:
    """The first `limit` lines of a capture, terminators stripped."""
    lines, _ = split_lines(data[:MAX_BYTES], final=True)
    return [strip_terminator(line) for line, _ in lines[:limit]]


def rank(lines: list[bytes]) -> list[dict]:
    """[{"driver", "confidence"}] for every driver that fits, best first (ties by name)."""
    scores = []
    for name in registry.names():
        try:
            module = registry.load(name)
            text = [line.decode(module.ENCODING, "replace") for line in lines]
            confidence = float(module.looks_like(text))
        except Exception:   # a driver bug must not break detection of the others
            log.exception("driver %s failed in looks_like", name)
            continue
        if confidence >= FITS:
            scores.append({"driver": name, "confidence": round(min(confidence, 1.0), 3)})
    return sorted(scores, key=lambda s: (-s["confidence"], s["driver"]))


def detect_file(path: Path) -> list[dict]:
    with open(path, "rb") as f:
        return rank(first_lines(f.read(MAX_BYTES)))
