"""INI configuration: reading and checking the file against appliance.settings (every key declared once there with
default, unit and help); typed, bounded getters."""
from __future__ import annotations

import configparser
import importlib
import logging
import re
from collections.abc import Callable
from dataclasses import make_dataclass
from pathlib import Path
from typing import Any

from appliance import files
from appliance.settings import SETTINGS as CORE
from appliance.settings import Setting
from appliance.settings_areas import AREAS

SETTINGS: tuple[Setting, ...] = CORE + AREAS

log = logging.getLogger(__name__)


class ConfigError(ValueError):
    """A configuration problem; the message names the file, section and option."""


# A typo in these sections must stop start-up; elsewhere an unknown key is only a warning.
STRICT = {"capture", "pbx", "journal", "numbers", "rating"}   # numbers, rating: a typo misprices calls
BY_KEY = {(s.section, s.key): s for s in SETTINGS}
SECTIONS = tuple(dict.fromkeys(s.section for s in SETTINGS))


def _convert(setting: Setting, raw: str, where: str) -> Any:
    kind = type(setting.default)
    try:
        if kind is bool:
            value: Any = {"1": True, "yes": True, "true": True, "on": True,
                          "0": False, "no": False, "false": False, "off": False}[raw.strip().lower()]
        else:
            value = kind(raw.strip())
    except (KeyError, ValueError):
        raise ConfigError(f"{where}: {raw!r} is not a valid {kind.__name__} ({setting.unit})") from None
    if setting.choices is not None and value not in setting.choices:
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(map(str, setting.choices))}")
    if setting.minval is not None and value < setting.minval:
        raise ConfigError(f"{where}: {value} is below the minimum {setting.minval} ({setting.unit})")
    if setting.maxval is not None and value > setting.maxval:
        raise ConfigError(f"{where}: {value} is above the maximum {setting.maxval} ({setting.unit})")
    return value


class Config:
    """The parsed INI file. Stages call section() once at start-up and keep only the frozen result."""

    def __init__(self, path: Path | None = None, text: str | None = None):
        self.path = path
        self.name = str(path) if path else "<defaults>"
        self.parser = configparser.ConfigParser(interpolation=None, default_section="__none__")
        try:
            if path is not None:
                with open(path, encoding="utf-8") as f:
                    self.parser.read_file(f)
            if text:
                self.parser.read_string(text)
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except configparser.Error as e:
            raise ConfigError(f"{self.name}: {e}".replace("\n", " ")) from None
        self.warnings: list[str] = []
        self._sections: dict[tuple[str, str], Any] = {}
        for section in self.parser.sections():
            if section not in SECTIONS:
                self.warnings.append(f"{self.name}: unknown section [{section}]")

    def set(self, section: str, key: str, value: str) -> None:
        """Override one value (command-line options win over the file)."""
        self._sections = {}
        if not self.parser.has_section(section):
            self.parser.add_section(section)
        self.parser.set(section, key, value)

    def section(self, name: str, extra: dict[str, tuple[Any, str]] | None = None) -> Any:
        """The typed, checked values of one section as a frozen dataclass.

        `extra` declares more keys allowed in the section (a driver's OPTIONS in [pbx]): {key: (default, help)}.
        Made once per section (the web asks on every request; a new dataclass costs ~1 ms), again after set().
        """
        key = (name, repr(sorted((extra or {}).items())))
        made = getattr(self, "_sections", {}).get(key)
        if made is None:
            made = self._sections[key] = self._section(name, extra)
        return made

    def _section(self, name: str, extra: dict[str, tuple[Any, str]] | None) -> Any:
        declared = {s.key: s for s in SETTINGS if s.section == name}
        if name == "pbx":   # the configured driver's OPTIONS belong in [pbx] for every command, not only the worker's
            extra = {**driver_options(self.raw_section("pbx").get("driver", "")), **(extra or {})}
        for key, (default, help_) in (extra or {}).items():
            declared[key] = Setting(name, key, default, "", help_)
        values = {key: s.default for key, s in declared.items()}
        if self.parser.has_section(name):
            for key, raw in self.parser.items(name):
                where = f"{self.name}: [{name}] {key}"
                if key not in declared:
                    if name in STRICT:
                        raise ConfigError(f"{where}: unknown option (known: {', '.join(sorted(declared))})")
                    self.warnings.append(f"{where}: unknown option, ignored")
                    continue
                values[key] = _convert(declared[key], raw, where)
        cls = make_dataclass(f"{name.title()}Settings", list(values), frozen=True)
        return cls(**values)

    def raw_section(self, name: str) -> dict[str, str]:
        return dict(self.parser.items(name)) if self.parser.has_section(name) else {}


def driver_options(name: str) -> dict[str, tuple[str, str]]:
    """The OPTIONS the driver `name` declares ({} for no driver, or a name that is none: the registry reports that
    when the driver is loaded). By name through importlib, not an import: config sits below the registry, and
    capture, which reads config, never imports a driver; the module is loaded only when [pbx] is read."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name.strip()):
        return {}
    try:
        module = importlib.import_module(f"drivers.{name.strip()}")
    except ImportError:
        return {}
    options = getattr(module, "OPTIONS", {})
    return dict(options) if isinstance(options, dict) else {}


def parse_tenant_map(text: str, where: str = "[pbx] tenant_by_source") -> tuple[tuple[str, str], ...]:
    """(source prefix, tenant code) pairs of `tenant_by_source`, longest prefix first; ConfigError naming a bad line."""
    pairs: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        prefix, sep, code = line.rpartition("=")   # a source may hold '=' (a file path), a tenant code never
        prefix, code = prefix.strip(), code.strip()
        problem = ("expected SOURCE_PREFIX = TENANT_CODE" if not sep or not prefix or not code else
                   f"tenant code {code!r} has a space" if any(c.isspace() for c in code) else
                   f"prefix {prefix!r} is given twice" if prefix in pairs else "")
        if problem:
            raise ConfigError(f"{where}: line {n} {line!r}: {problem}")
        pairs[prefix] = code
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def tenant_of(source: str, tenant_map: tuple[tuple[str, str], ...], default: str) -> str:
    """The tenant of a journal source: the longest matching prefix's, else `default` (the [pbx] tenant)."""
    return next((code for prefix, code in tenant_map if source.startswith(prefix)), default)


def load(path: Path | None, data_dir: Path | None = None) -> Config:
    """Load `path`, or `<data_dir>/callbox.ini` if that exists, or the embedded defaults."""
    if path is None and data_dir is not None and (data_dir / "callbox.ini").exists():
        path = data_dir / "callbox.ini"
    cfg = Config(path)
    for w in cfg.warnings:
        log.warning("%s", w)
    return cfg


def sample_ini() -> str:
    """The documented default configuration: every key, commented out at its default, with unit and help."""
    out = ["# Callbox configuration. Every key is shown at its default; uncomment to change.", ""]
    for section in SECTIONS:
        out.append(f"[{section}]")
        for s in (s for s in SETTINGS if s.section == section):
            out.append(f"# {s.help} ({s.unit})")
            default = str(s.default).lower() if isinstance(s.default, bool) else s.default
            out.append(f"# {s.key} = {default}")
        out.append("")
    return "\n".join(out)


def update(path: Path, values: dict[str, dict[str, str]], check: Callable[[Config], None] | None = None) -> None:
    """Set keys in the INI file at `path` (made if missing), keeping every other line and comment as it is.

    A key already set (uncommented) in its section is replaced in place, with its continuation lines; a new key goes
    at the end of its section; a new section at the end of the file. A value of several lines ([upload] targets,
    [snmp] managers: settings of unit "lines") is written as continuation lines, one indented line each; any other
    value is one line. The result is checked (it must load) and written atomically (a temporary file renamed over
    the old one), so a process that reads it at any moment sees the old or the new whole file; the file's change
    restarts the processes that read what changed (procs.watch_config, appliance.reload)."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for section, keys in values.items():
        for key, value in keys.items():
            several = any(s.section == section and s.key == key and s.unit == "lines" for s in SETTINGS)
            if "\r" in value or ("\n" in value and not several):
                raise ConfigError(f"{path}: [{section}] {key}: a value is one line")
            lines = _set_line(lines, section, key, _value_lines(value))
    text = "\n".join(lines).rstrip("\n") + "\n"
    new = Config(None, text)   # a ConfigError here, or from `check`, leaves the file as it was
    new.name = str(path)
    if check is not None:
        check(new)
    files.replace(path, text)


def _value_lines(value: str) -> list[str]:
    """`value` as the lines after "key =": one line, or an empty first line and one indented line per line."""
    parts = [p.strip() for p in value.split("\n")]
    parts = [p for p in parts if p]
    if len(parts) <= 1 and "\n" not in value:
        return [value]
    return ["", *(f"    {p}" for p in parts)]


def _set_line(lines: list[str], section: str, key: str, value: list[str]) -> list[str]:
    header = re.compile(r"\s*\[([^\]]+)\]\s*$")
    entry = re.compile(rf"\s*{re.escape(key)}\s*[=:]", re.IGNORECASE)
    current, end = None, None   # end: the index after the last non-blank line of `section`
    for i, line in enumerate(lines):
        if m := header.match(line):
            current = m[1].strip()
            if current == section:
                end = i + 1
            continue
        if current == section:
            if entry.match(line):
                after = i + 1
                while after < len(lines) and lines[after][:1] in (" ", "\t") and lines[after].strip():
                    after += 1   # its continuation lines
                return [*lines[:i], *_entry(key, value), *lines[after:]]
            if line.strip():
                end = i + 1
    if end is None:
        return [*lines, *([""] if lines and lines[-1].strip() else []), f"[{section}]", *_entry(key, value)]
    return [*lines[:end], *_entry(key, value), *lines[end:]]


def _entry(key: str, value: list[str]) -> list[str]:
    return [f"{key} = {value[0]}".rstrip(), *value[1:]]
