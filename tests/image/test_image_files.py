"""The image's files agree with the rest of the tree (issue 19, APP-4): quick checks, no image is built here."""
from __future__ import annotations

import configparser
import re

from conftest import REPO

IMAGE = REPO / "image"


def listed(path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_the_lock_pins_what_setup_cfg_pins_and_every_pin_is_exact():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    wanted = {line.strip().lower().replace("_", "-") for line in cfg["options"]["install_requires"].splitlines()
              if line.strip() and not line.strip().startswith("#")}
    lock = listed(IMAGE / "requirements.lock")
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9.-]*==[0-9][0-9a-z.]*", p) for p in lock), lock
    assert len({p.split("==")[0] for p in lock}) == len(lock)
    assert wanted <= set(lock), f"setup.cfg pins missing from image/requirements.lock: {wanted - set(lock)}"


def test_what_the_appliance_needs_from_debian_is_in_the_image():
    image = listed(REPO / "provisioning" / "image-packages.txt")
    assert len(image) == len(set(image))
    system = listed(REPO / "provisioning" / "system-deps.txt")
    for runtime in ("tzdata", "fonts-dejavu-core"):     # system-deps.txt: "on the appliance too"
        assert runtime in system and runtime in image
    # SSH is there for maintenance, off until the web turns it on with keys (image/40-system.sh leaves it disabled)
    assert "openssh-server" in image and "ssh" not in image


def test_every_unit_is_hardened_and_runs_an_entry_point_of_the_package():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    scripts = {line.split("=")[0].strip() for line in cfg["options.entry_points"]["console_scripts"].splitlines()
               if line.strip()}
    units = sorted((IMAGE / "systemd").glob("callbox-*.service"))
    assert {u.stem for u in units} >= {"callbox-capture", "callbox-worker", "callbox-jobs", "callbox-web"}
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        exe = re.search(r"^ExecStart=(\S+)", text, re.M).group(1)
        if exe.startswith("/opt/callbox/.venv/bin/"):
            assert exe.rsplit("/", 1)[1] in scripts, unit.name
            for line in ("User=callbox", "NoNewPrivileges=yes", "UMask=0077", "ProtectSystem=strict",
                         "ReadWritePaths=/var/lib/callbox", "CapabilityBoundingSet="):
                assert f"\n{line}" in text, f"{unit.name} lacks {line}"
            groups = re.findall(r"^SupplementaryGroups=(.*)$", text, re.M)
            assert groups == (["dialout"] if unit.stem == "callbox-capture" else []), unit.name


def test_the_mounts_keep_the_root_read_only_and_the_ram_disks_capped():
    fstab = [line.split() for line in (IMAGE / "rootfs" / "etc" / "fstab").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    points = {f[1]: f for f in fstab}
    assert "/" not in points        # the initramfs mounts the squashfs root read-only (image/50-disk.sh)
    for ram in ("/var/lib/callbox/run", "/var/lib/callbox/log", "/var/log", "/tmp", "/var/tmp"):
        assert points[ram][2] == "tmpfs" and re.search(r"(^|,)size=\d+m(,|$)", points[ram][3]), ram
    assert points["/data"][0] == "PARTLABEL=callbox-data"
    assert "rootfstype=squashfs ro " in (IMAGE / "50-disk.sh").read_text()


def test_steps_are_shell_scripts_that_stop_at_the_first_error():
    steps = sorted(IMAGE.glob("[0-9][0-9]-*.sh"))
    assert [s.name[:2] for s in steps] == sorted({s.name[:2] for s in steps}), "two steps with one number"
    for step in steps:
        assert "\nset -eux; export LC_ALL=C\n" in step.read_text(encoding="utf-8"), step.name


def test_raucs_slots_are_the_disks_root_partitions_and_the_boot_entry_names_its_slot():
    conf = configparser.ConfigParser()
    conf.read(IMAGE / "rauc" / "system.conf", encoding="utf-8")
    disk = (IMAGE / "50-disk.sh").read_text(encoding="utf-8")
    uuids = dict(re.findall(r"ROOT_([AB])=([0-9a-f-]{36})", disk))
    assert conf["slot.rootfs.0"]["device"] == f"/dev/disk/by-partuuid/{uuids['A']}"
    assert conf["slot.rootfs.1"]["device"] == f"/dev/disk/by-partuuid/{uuids['B']}"
    assert [conf[f"slot.rootfs.{i}"]["bootname"] for i in (0, 1)] == ["a", "b"]
    assert conf["system"]["bootloader"] == "custom" and conf["keyring"]["path"] == "/etc/rauc/keyring.pem"
    assert "rauc.slot=a " in disk and "sort-key callbox-1" in disk and "default callbox-*" in disk
    hook = (IMAGE / "rauc" / "bundle-hook").read_text(encoding="utf-8")
    assert "rauc.slot=$slot " in hook and "\nsort-key" not in hook     # primary only once RAUC says so
    for kernel_arg in ("rootfstype=squashfs ro", "console=ttyS0,115200", "systemd.gpt_auto=0"):
        assert kernel_arg in disk and kernel_arg in hook
    health = (IMAGE / "systemd" / "callbox-health.service").read_text(encoding="utf-8")
    assert "RequiredBy=boot-complete.target" in health and "FailureAction=reboot" in health
    assert "WantedBy" not in health, "the health check reboots: it must run only on counted boots"
    for package in ("rauc", "rauc-service"):
        assert package in listed(REPO / "provisioning" / "image-packages.txt")
