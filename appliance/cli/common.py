"""What every `callbox` command shares: the usage error, the argument parser, the data directory, ISO times."""
from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from appliance import config, localtime, store
from appliance.paths import Paths
from appliance.procs import load_config


class UsageError(Exception):
    """Bad arguments: one line on stderr, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(message)


def iso_ns(value: str | None, tz) -> int | None:
    """An ISO 8601 argument as epoch nanoseconds; without an offset it is PBX local time."""
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{value!r} is not an ISO 8601 date or time (e.g. 2017-07-01 or 2017-07-01T08:00+02:00)")
    return localtime.to_utc(dt.replace(microsecond=0), tz)[0] * 10**9 + dt.microsecond * 1000


def iso_s(value: str | None, tz) -> int | None:
    ns = iso_ns(value, tz)
    return None if ns is None else -(-ns // 10**9)   # a bound inside a second includes none of it


def open_data(args, create: bool = False) -> tuple[config.Config, Paths]:
    """The configuration and paths of the --data directory, its database open and up to date. The directory
    must exist unless `create` (commands that set a new box up: import, tariffs, directory, billing
    definitions)."""
    paths = Paths(args.data)
    if not create and not Path(args.data).is_dir():
        raise UsageError(f"no such data directory: {args.data}")
    cfg = load_config(args)
    store.open_db(paths.db)
    store.open_central_of(cfg, paths.data)   # a central's received data: SQLite or PostgreSQL
    return cfg, paths


def read_csv_text(path: Path) -> str:
    """A CSV file given on the command line: it must exist and be UTF-8 (with or without BOM), else a UsageError
    naming the line."""
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise UsageError(f"{path} line {line}: not UTF-8 text (byte 0x{data[e.start]:02x}); save it from the "
                         "spreadsheet as 'CSV UTF-8'") from None
