"""The image's apply-ssh (callbox-ssh.service, root): SSH on or off as the web's SSH page wrote it to the data
partition. The keys are checked again (the web's file is not trusted: options, short RSA keys, damaged lines are
dropped), copied to /run for sshd, the host keys made once and kept, ssh.service started or stopped; a factory reset
(no <data>/ssh) removes the host keys. Run here with the directories and systemctl replaced (no image is booted);
ssh-keygen is the real one. The sshd configuration it starts is checked in the booted image (test_image_boot.py)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from appliance.firstboot import ssh
from conftest import REPO

SCRIPT = REPO / "image" / "rootfs" / "usr" / "lib" / "callbox" / "apply-ssh"
CONF = REPO / "image" / "rootfs" / "etc" / "ssh" / "sshd_config.d" / "callbox.conf"


@pytest.fixture
def box(tmp_path):
    data, run, hostkeys, log = tmp_path / "data", tmp_path / "run", tmp_path / "system-ssh", tmp_path / "calls.log"
    data.mkdir()
    fake = tmp_path / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$(basename "$0") $*" >> {log}\n', encoding="ascii")
    fake.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "CALLBOX_DATA": str(data), "SSH_RUN": str(run), "SSH_HOST_KEYS": str(hostkeys),
           "SYSTEMCTL": str(fake), "OWNER": str(os.getuid())}

    def apply() -> tuple[int, list[str]]:
        log.unlink(missing_ok=True)
        done = subprocess.run(["sh", "-c", 'umask 077 && exec /usr/bin/python3 "$0"', str(SCRIPT)], env=env,
                              capture_output=True, text=True, timeout=60)       # as the unit: Debian's Python
        return done.returncode, log.read_text(encoding="ascii").splitlines() if log.exists() else []
    return data, run, hostkeys, apply


def keygen(tmp_path, kind: str, bits: str = "") -> str:
    key = tmp_path / f"id_{kind}{bits}"
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-t", kind, *(["-b", bits] if bits else []), "-C", "me@laptop",
                    "-f", str(key)], check=True)
    return (tmp_path / f"{key.name}.pub").read_text().strip()


def test_on_copies_the_keys_makes_the_host_keys_once_and_starts_sshd(box, tmp_path):
    data, run, hostkeys, apply = box
    assert apply() == (0, ["systemctl stop ssh.service"])               # never turned on: off, nothing written
    assert not (data / "ssh").exists() and not run.exists() and not hostkeys.exists()
    mine = keygen(tmp_path, "ed25519")
    ssh.save(data, True, ssh.parse(mine))
    assert apply() == (0, ["systemctl start ssh.service"])
    assert (run / "authorized_keys").read_text() == mine + "\n"
    assert (run / "authorized_keys").stat().st_mode & 0o777 == 0o644 and run.stat().st_mode & 0o777 == 0o755
    made = ["ssh_host_ecdsa_key", "ssh_host_ecdsa_key.pub", "ssh_host_ed25519_key", "ssh_host_ed25519_key.pub"]
    assert sorted(p.name for p in hostkeys.iterdir()) == made
    assert hostkeys.stat().st_mode & 0o777 == 0o700
    assert (hostkeys / "ssh_host_ed25519_key").stat().st_mode & 0o777 == 0o600
    applied = json.loads((data / "ssh" / "applied.json").read_text())
    assert applied["running"] is True and applied["keys"] == 1 and applied["refused"] == 0
    assert [h.split()[-1] for h in applied["host_keys"]] == ["(ED25519)", "(ECDSA)"]
    same = (hostkeys / "ssh_host_ed25519_key").read_bytes()
    assert apply()[0] == 0 and (hostkeys / "ssh_host_ed25519_key").read_bytes() == same    # kept: same identity
    assert ssh.load(data)["applied"]["host_keys"] == applied["host_keys"]

    # off: sshd stopped, its keys gone from /run; the host keys stay for the next time
    ssh.save(data, False, ssh.parse(mine))
    assert apply() == (0, ["systemctl stop ssh.service"])
    assert not (run / "authorized_keys").exists() and (hostkeys / "ssh_host_ed25519_key").exists()
    assert json.loads((data / "ssh" / "applied.json").read_text())["running"] is False
    # a factory reset (the whole folder gone): the box's SSH identity goes too
    shutil.rmtree(data / "ssh")
    assert apply() == (0, ["systemctl stop ssh.service"])
    assert list(hostkeys.iterdir()) == []


def test_lines_the_web_would_not_write_are_dropped(box, tmp_path):
    data, run, hostkeys, apply = box
    good, short = keygen(tmp_path, "ecdsa", "384"), keygen(tmp_path, "rsa", "2048")
    folder = data / "ssh"
    folder.mkdir()
    (folder / "authorized_keys").write_text(
        f'command="/bin/sh" {good}\n{short}\n{good[:50]}\nssh-ed25519 AAAA\n# a comment\n\n{good}\n', encoding="utf-8")
    (folder / "state").write_text("on\n")
    assert apply() == (0, ["systemctl start ssh.service"])
    assert (run / "authorized_keys").read_text() == good + "\n"
    assert json.loads((folder / "applied.json").read_text())["refused"] == 4
    # nothing accepted: off, as if no key was given
    (folder / "authorized_keys").write_text(short + "\n")
    assert apply() == (0, ["systemctl stop ssh.service"]) and not (run / "authorized_keys").exists()


def test_sshd_takes_keys_only_for_the_maint_user_and_never_root():
    conf = dict(line.split(None, 1) for line in CONF.read_text().splitlines() if line and not line.startswith("#"))
    assert conf["AllowUsers"] == ssh.USER and conf["PermitRootLogin"] == "no"
    assert conf["AuthenticationMethods"] == "publickey" and conf["PasswordAuthentication"] == "no"
    assert conf["KbdInteractiveAuthentication"] == "no" and conf["RequiredRSASize"] == str(ssh.MIN_RSA_BITS)
    assert conf["AuthorizedKeysFile"] == "/run/callbox-ssh/authorized_keys"
    assert all(v.startswith("/data/system/ssh/") for k, v in conf.items() if k == "HostKey")
    assert f'\nUSER = "{ssh.USER}" ' in SCRIPT.read_text()          # apply-ssh makes the same user's home
