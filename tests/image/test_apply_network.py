"""The image's apply-network (callbox-network.service, root): what the first-boot wizard writes to the data partition
goes to /run/systemd/ for networkd and timesyncd, which are told to reload; a file with anything the wizard does not
write is refused as a whole. Run here with the directories and networkctl/systemctl replaced (no image is booted)."""
from __future__ import annotations

import subprocess

import pytest

from appliance.firstboot import network
from conftest import REPO

SCRIPT = REPO / "image" / "rootfs" / "usr" / "lib" / "callbox" / "apply-network"


@pytest.fixture
def box(tmp_path):
    data, run, log = tmp_path / "data", tmp_path / "run", tmp_path / "calls.log"
    data.mkdir()
    fake = tmp_path / "fake"
    fake.write_text(f'#!/bin/sh\necho "$(basename "$0") $*" >> {log}\n', encoding="ascii")
    fake.chmod(0o755)
    (tmp_path / "networkctl").symlink_to(fake)
    (tmp_path / "systemctl").symlink_to(fake)
    env = {"PATH": "/usr/bin:/bin", "CALLBOX_DATA": str(data), "SYSTEMD_RUN": str(run),
           "NETWORKCTL": str(tmp_path / "networkctl"), "SYSTEMCTL": str(tmp_path / "systemctl")}

    def apply() -> tuple[int, list[str]]:
        log.unlink(missing_ok=True)
        code = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, timeout=30).returncode
        return code, log.read_text(encoding="ascii").splitlines() if log.exists() else []
    return data, run, apply


@pytest.mark.parametrize("answers", [("dhcp", "", "", ""), ("dhcp", "", "", "9.9.9.9 2620:fe::fe"),
                                     ("static", "192.0.2.10/24", "192.0.2.1", "192.0.2.1 192.0.2.2"),
                                     ("static", "2001:db8::5/64", "fe80::1", "2001:db8::53")])
def test_what_the_wizard_writes_is_applied_once(box, answers):
    data, run, apply = box
    written = network.apply(data, network.check(*answers))
    assert apply() == (0, ["networkctl reload"])
    assert (run / "network" / "10-callbox.network").read_bytes() == written.read_bytes()
    assert apply() == (0, [])                    # unchanged: networkd is left alone


def test_anything_else_is_refused_and_the_defaults_stay(box):
    data, run, apply = box
    network.apply(data, network.check("static", "192.0.2.10/24", "192.0.2.1", ""))
    assert apply() == (0, ["networkctl reload"])
    path = network.path(data)
    path.write_text(path.read_text() + "[Link]\nMTUBytes=9000\n", encoding="utf-8")
    assert apply() == (1, ["networkctl reload"])
    assert not (run / "network" / "10-callbox.network").exists()      # back to the image's DHCP
    path.write_text("[Match]\nName=*\n[Network]\nDHCP=yes\n", encoding="utf-8")
    assert apply() == (1, [])


def test_the_ntp_servers_reach_timesyncd(box):
    data, run, apply = box
    (data / "timesyncd.conf").write_text("# written by the first-boot wizard ([box] ntp)\n[Time]\n"
                                         "NTP=0.tr.pool.ntp.org 192.0.2.123\n", encoding="utf-8")
    assert apply() == (0, ["systemctl try-restart systemd-timesyncd.service"])
    assert "NTP=0.tr.pool.ntp.org 192.0.2.123" in (run / "timesyncd.conf.d" / "callbox.conf").read_text()
    (data / "timesyncd.conf").write_text("[Time]\nNTP=x;reboot\n", encoding="utf-8")
    assert apply() == (1, ["systemctl try-restart systemd-timesyncd.service"])
    assert not (run / "timesyncd.conf.d" / "callbox.conf").exists()
