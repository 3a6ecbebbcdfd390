"""The first-boot wizard's settings (APP-3): the box's time zone, NTP servers, company and branch, checked and written
to the INI file (and the NTP servers for systemd-timesyncd)."""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from appliance import config, files, localtime

HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
                  r"[A-Za-z0-9])?)*\.?$")
MAX_NAME = 120
TIMESYNCD = "timesyncd.conf"     # <data>/timesyncd.conf: a drop-in for systemd-timesyncd ([Time] NTP=)


@dataclass(frozen=True)
class BoxSettings:
    timezone: str
    ntp: tuple[str, ...]
    company: str
    branch: str


def check(timezone: str, ntp: str, company: str, branch: str) -> BoxSettings:
    """The wizard's answers, checked; ConfigError naming the field."""
    timezone = timezone.strip()
    try:
        localtime.zone(timezone)
    except ValueError as e:
        raise config.ConfigError(f"timezone: {e}") from None
    if not timezone:
        raise config.ConfigError("timezone: choose the time zone of the box and the PBX (e.g. Europe/Istanbul)")
    servers = tuple(ntp.replace(",", " ").split())
    for server in servers:
        try:
            ipaddress.ip_address(server)
        except ValueError:
            if not HOST.match(server):
                raise config.ConfigError(f"ntp: {server!r} is not a host name or address") from None
    names = {}
    for field, value in (("company", company), ("branch", branch)):
        value = " ".join(value.split())
        if not value or len(value) > MAX_NAME:
            raise config.ConfigError(f"{field}: give a name of 1 to {MAX_NAME} characters")
        names[field] = value
    return BoxSettings(timezone, servers, names["company"], names["branch"])


def apply(ini: Path, data_dir: Path, box: BoxSettings) -> None:
    """Write the settings to the INI file ([pbx] timezone, [box] company, branch, ntp) and the NTP servers to
    <data>/timesyncd.conf (atomically)."""
    config.update(ini, {"pbx": {"timezone": box.timezone},
                        "box": {"company": box.company, "branch": box.branch, "ntp": " ".join(box.ntp)}})
    target = Path(data_dir) / TIMESYNCD
    text = "# written by the first-boot wizard ([box] ntp)\n[Time]\n"
    text += f"NTP={' '.join(box.ntp)}\n" if box.ntp else ""
    files.replace(target, text)
