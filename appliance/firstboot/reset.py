"""Factory reset (APP-3): wipe the box's data and secrets (calls, journal, users, directory, tariffs, certificates,
enrolment, settings) and return it to its first boot: the next start of the web shows a new setup code."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)
FACTORY_INI = Path("/usr/share/callbox/callbox.ini")   # the image's own (image/40-system.sh puts it there)
# run/, log/: RAM disks on the box (the processes' runtime state and logs, gone at the next boot); update/: the A/B
# updater's state and history (the system's, not the customer's: a pending update's rollback must still be seen)
KEEP = ("run", "log", "update")


def factory_reset(data: Path, factory_ini: Path = FACTORY_INI) -> list[str]:
    """Remove everything in the data directory `data` but run/, log/ and update/ (and run/setup-code), then put the
    factory callbox.ini in place (or none) as a new file: capture and the worker see it change and start again on the
    empty box (procs.watch_config). Returns what was removed."""
    data = Path(data)
    removed = []
    for entry in sorted(data.iterdir()):
        if entry.name in KEEP:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(entry.name)
    (data / "run" / "setup-code").unlink(missing_ok=True)
    if factory_ini.is_file():
        tmp = data / ".callbox.ini.new"
        owner = data.stat()
        with open(tmp, "wb") as f:
            f.write(factory_ini.read_bytes())
            f.flush()
            os.fsync(f.fileno())
        if os.geteuid() == 0:      # root at boot (bootreset): the file is the application's user's, as its directory
            os.chown(tmp, owner.st_uid, owner.st_gid)
        os.chmod(tmp, 0o600)
        os.replace(tmp, data / "callbox.ini")
    log.warning("factory reset of %s: removed %s", data, ", ".join(removed) or "nothing")
    return removed
