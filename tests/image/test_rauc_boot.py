"""RAUC's boot loader backend of the image (image/rootfs/usr/lib/callbox/rauc-boot) on an EFI system partition in a
folder: the slot an update makes primary boots next with boot counting; blessed, it stays; when its tries run out
(systemd-boot takes one at each start and renames the entry), the other slot is the one that boots: the rollback."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import REPO

BACKEND = REPO / "image" / "rootfs" / "usr" / "lib" / "callbox" / "rauc-boot"
ENTRY = "title Callbox (slot {0})\nlinux /{0}/vmlinuz\ninitrd /{0}/initrd.img\noptions root=PARTUUID=x rauc.slot={0}\n"


def rauc_boot(esp: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["sh", str(BACKEND), *args], env={"CALLBOX_ESP": str(esp), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)
    if check:
        assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def entries(esp: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((esp / "loader" / "entries").iterdir())}


def systemd_boot_starts(esp: Path) -> str:
    """What systemd-boot does at a start to a counted entry it boots: one try taken (+LEFT[-DONE] renamed)."""
    slot = rauc_boot(esp, "get-primary")
    for p in (esp / "loader" / "entries").glob(f"callbox-{slot}+*.conf"):
        counter = p.name[len(f"callbox-{slot}+"):-len(".conf")]
        left, _, done = counter.partition("-")
        if int(left) > 0:
            p.rename(p.with_name(f"callbox-{slot}+{int(left) - 1}-{int(done or 0) + 1}.conf"))
    return slot


@pytest.fixture
def esp(tmp_path):
    esp = tmp_path / "esp"
    (esp / "loader" / "entries").mkdir(parents=True)
    (esp / "loader" / "entries" / "callbox-a.conf").write_text(ENTRY.format("a") + "sort-key callbox-1\n")
    return esp


def test_an_update_boots_the_new_slot_and_a_blessed_boot_keeps_it(esp):
    assert rauc_boot(esp, "get-primary") == "a" and rauc_boot(esp, "get-state", "b") == "bad"
    rauc_boot(esp, "set-state", "b", "bad")          # RAUC, before it writes slot B: B has no entry yet
    (esp / "loader" / "entries" / "callbox-b.conf").write_text(ENTRY.format("b"))   # the bundle's hook
    assert rauc_boot(esp, "get-primary") == "a", "a new entry without sort-key boots before the update is done"
    rauc_boot(esp, "set-primary", "b")
    assert sorted(entries(esp)) == ["callbox-a.conf", "callbox-b+2.conf"]
    assert entries(esp)["callbox-b+2.conf"].endswith("sort-key callbox-1\n")
    assert "sort-key callbox-2\n" in entries(esp)["callbox-a.conf"]
    assert systemd_boot_starts(esp) == "b"
    rauc_boot(esp, "set-state", "b", "good")         # blessed: the health check passed
    assert sorted(entries(esp)) == ["callbox-a.conf", "callbox-b.conf"]
    assert systemd_boot_starts(esp) == "b" and systemd_boot_starts(esp) == "b"
    assert rauc_boot(esp, "get-state", "b") == "good" and rauc_boot(esp, "get-state", "a") == "good"


def test_a_slot_that_never_comes_up_healthy_rolls_back(esp):
    (esp / "loader" / "entries" / "callbox-b.conf").write_text(ENTRY.format("b"))
    rauc_boot(esp, "set-primary", "b")
    assert systemd_boot_starts(esp) == "b"            # unhealthy: not blessed, the health check reboots
    assert systemd_boot_starts(esp) == "b"            # the second try
    assert sorted(entries(esp)) == ["callbox-a.conf", "callbox-b+0-2.conf"]
    assert rauc_boot(esp, "get-state", "b") == "bad"
    assert systemd_boot_starts(esp) == "a" and systemd_boot_starts(esp) == "a", "no rollback to slot A"
    # the next update writes B again and makes it primary: fresh tries
    rauc_boot(esp, "set-primary", "b")
    assert sorted(entries(esp)) == ["callbox-a.conf", "callbox-b+2.conf"] and systemd_boot_starts(esp) == "b"
    # and an update back to A from B works the same way round
    rauc_boot(esp, "set-state", "b", "good")
    rauc_boot(esp, "set-primary", "a")
    assert sorted(entries(esp)) == ["callbox-a+2.conf", "callbox-b.conf"] and systemd_boot_starts(esp) == "a"


def test_bad_arguments_are_refused(esp):
    assert subprocess.run(["sh", str(BACKEND), "set-primary", "c"], env={"CALLBOX_ESP": str(esp)},
                          capture_output=True).returncode == 2
    assert subprocess.run(["sh", str(BACKEND), "set-primary", "b"], env={"CALLBOX_ESP": str(esp)},
                          capture_output=True).returncode == 1    # no entry for B: nothing written
    assert sorted(entries(esp)) == ["callbox-a.conf"]
