"""Writing the wizard's choice to the INI file: capture and the worker see the file change and restart with it."""
from __future__ import annotations

from pathlib import Path

from appliance import config, localtime, registry


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
