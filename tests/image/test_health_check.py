"""The image's health check of a new root slot (image/rootfs/usr/lib/callbox/health-check), with a stand-in for
`systemctl show` that reports the units' states from files: an application that crashes at each start fails the check
at once (the box restarts and, its tries spent, rolls back), not after the 15 minutes a slow start may take; units
that never come up fail it at its time limit. (The passing case needs the web of the image: `make
image-update-test`.)"""
from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import REPO

CHECK = REPO / "image" / "rootfs" / "usr" / "lib" / "callbox" / "health-check"
SYSTEMCTL = """#!/bin/sh
# systemctl show -P PROPERTY UNIT: the file UNIT.PROPERTY of $UNITS_DIR
cat "$UNITS_DIR/$4.$3"
"""


def check(tmp_path: Path, states: dict[str, tuple[str, int]], limit_s: int) -> subprocess.CompletedProcess:
    bin_dir, units = tmp_path / "bin", tmp_path / "units"
    bin_dir.mkdir()
    units.mkdir()
    (bin_dir / "systemctl").write_text(SYSTEMCTL)
    (bin_dir / "systemctl").chmod(0o755)
    for unit, (active, restarts) in states.items():
        (units / f"callbox-{unit}.service.ActiveState").write_text(f"{active}\n")
        (units / f"callbox-{unit}.service.NRestarts").write_text(f"{restarts}\n")
    # (the time-out only catches a check that waits its 600 s: the crash must end it at its first look)
    return subprocess.run(["sh", str(CHECK)], capture_output=True, text=True, timeout=120,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin", "UNITS_DIR": str(units),
                               "CALLBOX_HEALTH_S": str(limit_s), "CALLBOX_HEALTH_HOLD_S": "0"})


def test_an_application_that_crashes_at_each_start_fails_the_check_at_once(tmp_path):
    done = check(tmp_path, {"capture": ("activating", 3), "worker": ("active", 0), "web": ("activating", 1)}, 600)
    assert done.returncode == 1, done
    assert "Callbox health: FAILED: the application does not start (activating active activating 3 0 1)" \
        in done.stdout, done.stdout


def test_a_failed_unit_fails_the_check(tmp_path):
    done = check(tmp_path, {"capture": ("active", 0), "worker": ("failed", 0), "web": ("active", 0)}, 600)
    assert done.returncode == 1 and "does not start (active failed active" in done.stdout, done


def test_units_that_never_come_up_fail_it_at_its_time_limit(tmp_path):
    done = check(tmp_path, {"capture": ("activating", 0), "worker": ("active", 0), "web": ("activating", 0)}, 1)
    assert done.returncode == 1, done
    assert "FAILED: after 1 s the application is not up and steady (activating active activating 0 0 0)" \
        in done.stdout, done.stdout
