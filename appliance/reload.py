"""Which process reads which settings: a change to callbox.ini restarts only the processes that read what changed.

Capture, the worker and the background jobs watch the INI file (appliance.procs.watch_config). When it changes,
each compares the settings it reads (its fingerprint below) before and after, and exits to be started again
(supervisor.RELOAD) only when they differ: a new [mail] host restarts the jobs that send e-mail, not capture, which
would drop the PBX link for nothing. The web applies the settings it edits to itself (webui.admin.settings_edit)
and tells the user, from restarted_by(), what restarts to read them.
"""
from __future__ import annotations

import configparser
import time
from pathlib import Path

WATCHING = ("capture", "worker", "jobs")   # the processes that watch the file (sync and central read it at start)

# capture reads its link, the driver and its options, the journal and the log, nothing else
_CAPTURE = frozenset({"capture", "pbx", "journal", "log"})
# the worker reads nearly everything (numbering, rating, the directory, call-centre, messages...) but the delivery
# and web settings; of [mail] only the language of the notices it queues
_NOT_WORKER = frozenset({"snmp", "upload", "web", "central", "sync"})
# settings only the web reads (how it shows calls): a change restarts nothing
# (and where the Backup page finds a USB stick, whether the printable label shows the setup code)
_WEB_ONLY = frozenset({("directory", "hunt_groups"), ("box", "usb_path"), ("web", "label_setup_code")})


def reads(process: str, section: str, key: str) -> bool:
    """Whether `process` reads [section] key (one it does not know reads everything: restarting is the safe side)."""
    if (section, key) in _WEB_ONLY:
        return process == "web"
    if process == "capture":
        return section in _CAPTURE
    if process == "worker":
        if section == "mail":
            return key == "language"
        return section not in _NOT_WORKER
    return True


def restarted_by(changed: set[tuple[str, str]]) -> list[str]:
    """The watching processes that restart when the (section, key) pairs in `changed` change, in WATCHING's order."""
    return [p for p in WATCHING if any(reads(p, s, k) for s, k in changed)]


def restart_request(ini: Path) -> Path:
    """The file beside the configuration whose change restarts every watching process whatever changed in the
    configuration (written by a restore, which replaces the data under them: appliance.backup.archive)."""
    return ini.with_name(ini.name + ".restart")


def request_restart(ini: Path) -> None:
    """Ask capture, the worker and jobs to start again (they see it within WATCH_S)."""
    restart_request(ini).write_text(f"{time.time_ns()}\n", encoding="utf-8")


def values(path: Path) -> dict[tuple[str, str], str] | None:
    """Every (section, key) -> raw value set in the INI file at `path` ({} when there is none; None when it does not
    parse: the process restarts to report it)."""
    parser = configparser.ConfigParser(interpolation=None, default_section="__none__")
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return {(s, k): v for s in parser.sections() for k, v in parser.items(s)}


def fingerprint(path: Path, process: str) -> dict[tuple[str, str], str] | None:
    """What of the file at `path` `process` reads (None when the file does not parse)."""
    found = values(path)
    if found is None:
        return None
    return {sk: v for sk, v in found.items() if reads(process, *sk)}
