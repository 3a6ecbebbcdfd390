"""The driver registry: `[pbx] driver = NAME` imports drivers.NAME, only when chosen; and auto-detection: which
driver reads a capture, ranked by each driver's own looks_like()."""
from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from appliance.capture.framing import split_lines, strip_terminator
from appliance.config import Config, ConfigError
import drivers

log = logging.getLogger(__name__)
# auto-detection reads at most this much of a capture; below FITS confidence a driver is not offered
DETECT_LINES = 200
DETECT_BYTES = 1 << 20
FITS = 0.5

REQUIRED = ("NAME", "MODELS", "TRANSPORTS", "ENCODING", "TERMINATOR", "OPTIONS", "make_parser", "parse", "looks_like")


class UnknownDriver(ValueError):
    """No driver module by that name."""


def names() -> list[str]:
    """Every driver key, sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(drivers.__path__) if not m.name.startswith("_"))


def load(name: str) -> ModuleType:
    """Import drivers.<name>; a name that is not a driver is an UnknownDriver naming the choices."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name or "") or name not in names():
        raise UnknownDriver(f"unknown driver {name!r} (known: {', '.join(names())})")
    return importlib.import_module(f"drivers.{name}")


def driver_parser(cfg: Config, driver_name: str | None = None) -> tuple[ModuleType, Any, Any]:
    """(driver module, its parser, the [pbx] settings) for the configured driver or the one named.

    The options in [pbx] belong to the configured driver; another driver named here gets its defaults."""
    configured = cfg.raw_section("pbx").get("driver", "")
    name = driver_name or configured
    if not name:
        raise ConfigError(f"{cfg.name}: [pbx] driver is not set (known: {', '.join(names())})")
    module = load(name)
    own = name == configured
    declared = module.OPTIONS if own else load(configured).OPTIONS if configured in names() else {}
    pbx = cfg.section("pbx", extra=declared)
    options = {k: getattr(pbx, k) for k in module.OPTIONS} if own else {}
    try:
        return module, module.make_parser(**options), pbx
    except ValueError as e:
        raise ConfigError(f"{cfg.name}: [pbx] {e}") from None


def first_lines(data: bytes, limit: int = DETECT_LINES) -> list[bytes]:
    """The first `limit` lines of a capture, terminators stripped."""
    lines, _ = split_lines(data[:DETECT_BYTES], final=True)
    return [strip_terminator(line) for line, _ in lines[:limit]]


def rank(lines: list[bytes]) -> list[dict]:
    """[{"driver", "confidence"}] for every driver that fits, best first (ties by name)."""
    scores = []
    for name in names():
        try:
            module = load(name)
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
        return rank(first_lines(f.read(DETECT_BYTES)))
