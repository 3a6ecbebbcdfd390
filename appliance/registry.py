"""The driver registry: `[pbx] driver = NAME` imports drivers.NAME, only when chosen."""
from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType
from typing import Any

from appliance.config import Config, ConfigError
import drivers

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
