"""The driver registry: `[pbx] driver = NAME` imports drivers.NAME, only when chosen."""
from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

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
