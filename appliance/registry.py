"""The driver registry: the driver contract (Driver), `[pbx] driver = NAME` imports drivers.NAME only when chosen,
and auto-detection: which driver reads a capture, ranked by each driver's own looks_like()."""
from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from types import ModuleType
from typing import Any

from appliance.capture.framing import split_lines, strip_terminator
from appliance.config import Config, ConfigError
import drivers
from drivers._common import Causes, line_identity

log = logging.getLogger(__name__)
# auto-detection reads at most this much of a capture; below FITS confidence a driver is not offered
DETECT_LINES = 200
DETECT_BYTES = 1 << 20
FITS = 0.5


class UnknownDriver(ValueError):
    """No driver module by that name."""


class BrokenDriver(UnknownDriver):
    """A module in drivers/ that lacks part of the contract: as unusable as a name that is not a driver."""


@dataclass(frozen=True)
class Driver:
    """A loaded driver as the rest of the appliance sees it: the contract every drivers/<key>.py meets.

    The fields keep the module's own attribute names. Those without a default are required: load() refuses
    a module that lacks one. The others are optional, and a module that leaves one out reads as the default.
    Only this class looks a driver's attributes up; everything else reads them here."""
    key: str                                 # drivers/<key>.py == [pbx] driver == fixture folder
    NAME: str                                # shown in the UI
    MODELS: tuple[str, ...]
    TRANSPORTS: dict[str, str]               # transport -> example URL
    ENCODING: str                            # capture and parse decode the journal's bytes with this
    TERMINATOR: bytes
    OPTIONS: dict[str, tuple[str, str]]      # [pbx] option -> (default, help)
    # make_parser(**options) -> an object with parse(line), and optionally clock(received): the parse stage calls it
    # before each line with when the line was received (an aware datetime in [pbx] timezone), so a format that prints
    # no year or no date dates its records by their receipt, not by the time they are processed (a re-processed journal)
    make_parser: Callable[..., Any]
    parse: Callable[[str], Any]              # the default parser's parse(line) -> CallRecord | QueueEvent | None
    looks_like: Callable[[list[str]], float]  # auto-detection: how well these lines fit, 0.0 to 1.0
    # how capture cuts the byte stream: "lines", or "le32" (a 4-byte little-endian length before each record)
    FRAMING: str = "lines"
    # handshake(options) -> [("send" | "expect", bytes), ...]: capture's login steps on every connect
    handshake: Callable[[dict], list[tuple[str, bytes]]] | None = None
    # every leg of a call prints the call's own start, and their talk times follow each other (summed, not
    # taken as a union)
    LEGS_ARE_SEGMENTS: bool = False
    # where a leg's cause code is in its extra fields, for the cause-code alerts (appliance/alerts/codes.py)
    CAUSES: Causes | None = None
    # identity(record, line, source) -> str: what makes a record the same record when it comes again (an import
    # of the same file, a re-read after a torn journal tail, a PBX re-sending its buffer). A leg whose identity is
    # already stored is not stored again. The default: the stripped line and its source (line_identity); a driver
    # whose format names its records (a call id and segment, a CDR id) says so, independent of the link.
    identity: Callable[[Any, str, str], str] = line_identity

    @classmethod
    def of(cls, key: str, module: ModuleType) -> Driver:
        """The driver view of a module; BrokenDriver naming the driver and what it lacks."""
        attrs = vars(module)
        missing = [name for name in REQUIRED if name not in attrs]
        if missing:
            raise BrokenDriver(f"driver {key} (drivers/{key}.py) lacks {', '.join(missing)}; "
                               f"a driver declares {', '.join(REQUIRED)}")
        return cls(key, **{name: attrs[name] for name in REQUIRED},
                   **{name: attrs.get(name, default) for name, default in OPTIONAL.items()})


REQUIRED = tuple(f.name for f in fields(Driver) if f.default is MISSING and f.name != "key")
OPTIONAL = {f.name: f.default for f in fields(Driver) if f.default is not MISSING}


def names() -> list[str]:
    """Every driver key, sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(drivers.__path__) if not m.name.startswith("_"))


def load(name: str) -> Driver:
    """Import drivers.<name> and check it against the contract; a name that is not a driver is an
    UnknownDriver naming the choices."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name or "") or name not in names():
        raise UnknownDriver(f"unknown driver {name!r} (known: {', '.join(names())})")
    return Driver.of(name, importlib.import_module(f"drivers.{name}"))


def driver_parser(cfg: Config, driver_name: str | None = None) -> tuple[Driver, Any, Any]:
    """(driver, its parser, the [pbx] settings) for the configured driver or the one named.

    The options in [pbx] belong to the configured driver. Another driver named here (`import --driver`) gets its
    defaults for those, and the [pbx] values of its own options that the configured driver does not declare
    (`--driver nec_sl --set pbx.format=1` with no driver, or another one, configured)."""
    configured = cfg.raw_section("pbx").get("driver", "")
    name = driver_name or configured
    if not name:
        raise ConfigError(f"{cfg.name}: [pbx] driver is not set (known: {', '.join(names())})")
    driver = load(name)
    own = name == configured
    theirs = {} if own or configured not in names() else load(configured).OPTIONS
    pbx = cfg.section("pbx", extra={**driver.OPTIONS, **theirs})
    given = cfg.raw_section("pbx")
    options = {k: getattr(pbx, k) for k in driver.OPTIONS if own or (k in given and k not in theirs)}
    try:
        return driver, driver.make_parser(**options), pbx
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
            driver = load(name)
            text = [line.decode(driver.ENCODING, "replace") for line in lines]
            confidence = float(driver.looks_like(text))
        except Exception:   # a driver bug must not break detection of the others
            log.exception("driver %s failed in looks_like", name)
            continue
        if confidence >= FITS:
            scores.append({"driver": name, "confidence": round(min(confidence, 1.0), 3)})
    return sorted(scores, key=lambda s: (-s["confidence"], s["driver"]))


def detect_file(path: Path) -> list[dict]:
    with open(path, "rb") as f:
        return rank(first_lines(f.read(DETECT_BYTES)))
