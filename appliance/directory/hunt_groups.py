"""The PBX's hunt groups: their numbers and names ([directory] hunt_groups), and the group a driver says a call
came through (IP Office: External Targeting Cause `HG ...` with the group's name as Targeter Id, FORMATS.md §1;
Cisco CUCM: huntPilotDN, the group's number)."""
from __future__ import annotations

import logging
from typing import Mapping, NamedTuple

from appliance import config

log = logging.getLogger(__name__)


class HuntGroup(NamedTuple):
    name: str      # "" when only the number is known
    number: str    # "" when only the name is known (IP Office names the group, not always its number)


def parse(text: str, where: str = "[directory] hunt_groups") -> dict[str, str]:
    """{number: name} from the setting's lines NUMBER = NAME; ConfigError naming a bad line."""
    groups: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        number, sep, name = (p.strip() for p in line.partition("="))
        if not sep or not number or not name or any(c.isspace() for c in number):
            raise config.ConfigError(f"{where} line {n}: {line!r}: expected NUMBER = NAME (200 = Sales)")
        groups[number] = name
    return groups


def configured(cfg: config.Config) -> dict[str, str]:
    """The box's groups {number: name} ([directory] hunt_groups); {} with a warning in the log when the setting does
    not parse (a report is still made, its hunt groups shown as numbers)."""
    try:
        return parse(cfg.section("directory").hunt_groups)
    except config.ConfigError as e:
        log.warning("%s: %s", cfg.name, e)
        return {}


def reported(extra: Mapping[str, object], groups: Mapping[str, str]) -> HuntGroup | None:
    """The hunt group a leg's driver fields say the call came through, named from `groups` when the driver gives
    only the number; None when they say nothing of one."""
    cause = str(extra.get("targeting_cause") or "")
    if cause.split()[:1] == ["HG"]:                       # IP Office: "HG", "HG fnr", ... [AV2]
        name = str(extra.get("targeter_id") or "")
        number = str(extra.get("targeted_number") or "")
        if not number:
            number = next((k for k, v in groups.items() if v == name), "")
        return HuntGroup(name or groups.get(number, ""), number)
    pilot = str(extra.get("hunt_pilot") or "")
    if pilot:                                             # Cisco CUCM: the hunt pilot's directory number
        return HuntGroup(groups.get(pilot, ""), pilot)
    return None
