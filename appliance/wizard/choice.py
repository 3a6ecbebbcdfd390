"""Writing the wizard's choice to the INI file: capture and the worker see the file change and restart with it."""
from __future__ import annotations

import datetime
import time
from pathlib import Path

from appliance import config, journal, localtime, registry
from appliance.paths import read_note, write_note


def choose_link(path: Path, url: str) -> None:
    """[capture] url = `url` (the capture process restarts on it; with no driver chosen it journals every line)."""
    config.update(path, {"capture": {"url": url}})


def choose_driver(path: Path, driver: str, timezone: str = "") -> None:
    """[pbx] driver (and timezone when given). Options of another driver left in [pbx] are refused there (a strict
    section): the ConfigError names them, and the file stays as it was. The worker restarts and parses what the
    journal kept from the cursor on: on a new box, every line received since the link was chosen."""
    registry.load(driver)   # UnknownDriver naming the choices
    if timezone:
        try:
            localtime.zone(timezone)
        except ValueError as e:
            raise config.ConfigError(f"[pbx] timezone: {e}") from None

    def check(cfg: config.Config) -> None:
        registry.driver_parser(cfg)

    config.update(path, {"pbx": {"driver": driver, **({"timezone": timezone} if timezone else {})}}, check)


# A change of driver on a box that has processed lines with another one (the PBX wizard): the lines already processed
# are parsed again with the new driver (appliance.ingest.reprocess) by the worker when it starts with it; the web
# asks for that with this file, in the data directory (it outlives a reboot before the worker got to it), and the
# worker writes how it went to the result file beside it.
REQUEST = "reprocess-request.json"
RESULT = "reprocess-result.json"


def request_reprocess(data_dir: Path, driver: str, previous: str, since_utc: float | None) -> None:
    """Ask the worker to parse again, with `driver`, the journal's lines received since `since_utc` (None: all the
    journal holds) once it runs with that driver, replacing the calls `previous` made of them."""
    write_note(Path(data_dir) / REQUEST, {"driver": driver, "previous": previous, "since_utc": since_utc,
                                          "asked_utc": time.time()})


def cancel_reprocess(data_dir: Path) -> None:
    (Path(data_dir) / REQUEST).unlink(missing_ok=True)


def pending_reprocess(data_dir: Path) -> dict | None:
    """The request not yet done: {"driver", "previous", "since_utc", "asked_utc"}, or None."""
    return read_note(Path(data_dir) / REQUEST)


def finish_reprocess(data_dir: Path, request: dict, result: dict) -> None:
    """The worker's answer ({"lines", "calls_before", "calls_after"} or {"error"}) with its request, which goes."""
    write_note(Path(data_dir) / RESULT, {**request, **result, "done_utc": time.time()})
    cancel_reprocess(data_dir)


def last_reprocess(data_dir: Path) -> dict | None:
    """What the last reprocess after a change of driver did (finish_reprocess's record), or None."""
    return read_note(Path(data_dir) / RESULT)


def journal_since(journal_dir: Path) -> int | None:
    """When the oldest line the journal still holds was received (ns since the epoch), or None for an empty one."""
    for segno in journal.segments(journal_dir):
        for entry in journal.read_from(journal_dir, (segno, 0), limit=1):
            return entry.received_ns
    return None


def since_utc(date: str, timezone: str) -> float:
    """The start of the local day `date` (YYYY-MM-DD) in `timezone` ("" = the box's), as seconds since the epoch;
    ConfigError for a date that is none."""
    try:
        day = datetime.date.fromisoformat(date.strip())
    except ValueError:
        raise config.ConfigError(f"{date!r} is not a date (YYYY-MM-DD)") from None
    try:
        tz = localtime.zone(timezone)
    except ValueError as e:
        raise config.ConfigError(str(e)) from None
    return datetime.datetime.combine(day, datetime.time(), tz).timestamp()
