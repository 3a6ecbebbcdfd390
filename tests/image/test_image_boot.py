"""`make image-test` (issue 19, APP-4): the appliance image boots in qemu and works as a box at a customer's site.

The image of `make image` is copied and given a data partition whose callbox.ini names the PBX of a real capture
(Avaya IP Office SMDR over TCP, port 1150). The test then, from the host only (no password on the box, SSH off):
reads the one-time setup code from the serial console and runs the first-boot wizard over HTTPS with it (the
certificate is the one whose fingerprint the console prints): administrator, time zone, company and branch; feeds half
the capture into the forwarded capture port and sees its calls on the web; streams the other half and kills qemu in
the middle (a power cut); boots again and finds every call and journal byte it had seen; feeds the whole capture again
and sees exactly the calls of a host import of the same file (none lost, none twice). The root slot's bytes are the
same after both boots as in the image, and the console says the root is a read-only squashfs. Updates: the Update page
shows the image's version and slot A, and a bundle signed with another key is refused (the history and the page say
why; neither slot is written); the build's own bundle is signed by the build's key and holds its root. A USB stick
(a FAT32 disk image) plugged in while the box runs is mounted by the image's udev rule and offered on the Backup page;
a backup written to it from the page is, once qemu is killed, on the stick's file system and restores on the host
with every call. The whole
update round (a good bundle kept, a broken one rolled back) is tests/image/test_image_update.py. SSH: refused until
the SSH page turns it on with a key made here; then that key logs in as maint (never as root, never with a password);
turned off, refused again.

Slow (two boots; 5-14 min under TCG on 2 loaded cores, README) and skipped unless CALLBOX_IMAGE names the image:
`make image-test` sets it. CALLBOX_QEMU_ACCEL = kvm, tcg or auto (the default: KVM when /dev/kvm works, else TCG).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from appliance.backup import archive
from conftest import REPO
from qemu_box import (INI, SAMPLE, bad_bundle, boot, feed, first_boot, fresh_disk, layout, region_sha256,
                      send_bundle, set_ssh, setup_code, ssh, wait_history, web_up)
import qemu_usb

IMAGE = os.environ.get("CALLBOX_IMAGE", "")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not IMAGE, reason="needs the image: run by `make image-test` (CALLBOX_IMAGE)")]


def host_import(tmp_path: Path, lines: list[bytes]) -> dict:
    """The same capture through `callbox import` on the host: what the box must show."""
    capture, data = tmp_path / "capture.log", tmp_path / "host"
    capture.write_bytes(b"".join(lines))
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "appliance.cli", "import", "--driver", "avaya_ipoffice", "--json",
                           "--data", str(data), str(capture)], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_image_boots_makes_its_admin_from_the_console_captures_and_survives_a_power_cut(tmp_path):
    image = Path(IMAGE).resolve()
    parts = layout(image)
    disk = fresh_disk(image, tmp_path)
    root_a = region_sha256(image, parts["root_a_start"], parts["slot_bytes"])
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    half = len(lines) // 2
    expected = host_import(tmp_path, lines)
    assert expected["calls"] > 1000 and expected["quarantined"] == 0

    # first boot: no user, the one-time setup code on the console, the first-boot wizard run with it over HTTPS
    box = boot(disk, tmp_path / "serial-1.log")
    try:
        web = web_up(box)
        print(f"boot 1 ({box.accel}): web UI after {time.monotonic() - box.started:.0f} s", file=sys.stderr)
        code = setup_code(box)
        assert re.search(r"Callbox \S+: root file system squashfs ro[ ,]", box.console()), "root is not read-only"
        assert web.request("/api/calls")[0] == 401, "the web answers without a login"
        first_boot(web, code)
        assert web.request("/first-boot")[0] == 200 and b"setup code" not in web.request("/first-boot")[1]

        # half the capture, seen on the web: from here on these calls and journal bytes must survive anything
        assert feed(box.capture, lines[:half]) == half
        web.wait_calls(1)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and web.json("/api/status")["counts"]["lines"] < half:
            time.sleep(2)
        time.sleep(2)      # the journal reaches the flash at most [journal] fsync_interval_ms (100 ms) after a line
        seen = web.calls()
        journal = web.json("/api/status")["journal"]
        assert seen and web.json("/api/status")["counts"]["lines"] >= half

        # the other half trickles in, and the power fails in the middle of it
        stop = threading.Event()
        sender = threading.Thread(target=feed, args=(box.capture, lines[half:], 0.02, stop))
        sender.start()
        time.sleep(4)
        box.power_cut()
        stop.set()
        sender.join()
    finally:
        box.power_cut()
    assert region_sha256(disk, parts["root_a_start"], parts["slot_bytes"]) == root_a, "the root slot was written"

    # second boot: the administrator exists (no link), every call and journal byte seen before the cut is there
    box = boot(disk, tmp_path / "serial-2.log", usb=True)
    try:
        web = web_up(box)
        print(f"boot 2 ({box.accel}): web UI after {time.monotonic() - box.started:.0f} s", file=sys.stderr)
        time.sleep(3)
        assert "first-admin" not in box.console(), "a second first-administrator link after the admin was made"
        assert "Setup code" not in box.console(), "a setup code after the box was set up"
        web.login()
        web.wait_calls(len(seen))
        after = web.calls()
        lost = [c for i, c in seen.items() if after.get(i) != c]
        assert not lost, f"{len(lost)} calls seen before the power cut are gone or changed, e.g. {lost[:2]}"
        assert web.json("/api/status")["journal"]["bytes"] >= journal["bytes"], (journal, web.json("/api/status"))

        # the whole capture again (a PBX re-sending its buffer): exactly the host import's calls, none twice
        assert feed(box.capture, lines) == len(lines)
        counts = web.wait_calls(expected["calls"])
        time.sleep(5)
        counts = web.json("/api/status")["counts"]
        assert counts["calls"] == expected["calls"] and counts["legs"] == expected["legs"], (counts, expected)
        calls = web.calls()
        assert len(calls) == expected["calls"]
        last = max((c for c in calls.values() if c["party"]), key=lambda c: (c["start"], c["id"]))
        status, page = web.request(f"/calls?since=2017-07-01&until=2017-07-31&extension={last['extension']}")
        assert status == 200 and last["party"].encode() in page, "the call search page does not show the calls"

        # updates (RAUC): the Update page shows the version and slot A; a bundle signed with another key is refused
        # (the signature is checked before anything is written: slot A's bytes and B's emptiness are checked below);
        # the whole update round (a good bundle kept, a broken one rolled back) is `make image-update-test`
        update = web.json("/api/update")
        version = (image.parent / "work" / "rootfs" / "usr" / "share" / "callbox" / "version").read_text().strip()
        assert update["version"] == version and update["slot"] == "a", update
        assert update["slots"] == {"a": "good", "b": "bad"} and update["history"] == [], update
        send_bundle(web, bad_bundle(tmp_path))
        refused = wait_history(web, "refused")["history"][0]
        assert refused["slot"] == "b" and "signature" in refused["detail"].lower(), refused
        update = web.json("/api/update")
        assert update["slot"] == "a" and update["slots"] == {"a": "good", "b": "bad"}, update
        status, page = web.request("/update")
        assert status == 200 and b'class="event-refused"' in page and b"signature" in page.lower(), page[-2000:]
        stick, written = check_usb_stick(box, web, tmp_path)
        check_ssh(box, web, tmp_path)
    finally:
        box.power_cut()
    # the backup the page wrote is on the stick (flushed before the page said so: qemu was killed, not shut down)
    assert qemu_usb.files_on(stick) == [written], qemu_usb.files_on(stick)
    with open(qemu_usb.copy_from(stick, written, tmp_path / written), "rb") as f:
        manifest = archive.restore(f, tmp_path / "restored", USB_PASSPHRASE)
    assert manifest["calls"] and not manifest["journal"], manifest
    with sqlite3.connect(tmp_path / "restored" / "callbox.db") as db:
        assert db.execute("SELECT count(*) FROM call").fetchone()[0] == expected["calls"]
    assert region_sha256(disk, parts["root_a_start"], parts["slot_bytes"]) == root_a, "the root slot was written"
    slot_b = region_sha256(disk, parts["root_a_start"] + parts["slot_bytes"], parts["slot_bytes"])
    assert slot_b == region_sha256(image, parts["root_a_start"] + parts["slot_bytes"], parts["slot_bytes"]), \
        "the refused bundle wrote slot B"
    shutil.rmtree(tmp_path / "host", ignore_errors=True)


USB_PASSPHRASE = "yedek parolası: USB çubuğu"


def check_usb_stick(box, web, tmp_path: Path) -> tuple[Path, str]:
    """A FAT32 stick plugged in while the box runs: mounted by the image's udev rule (/media/callbox-usb-<kernel
    name>), offered on the Backup page, a backup with the calls written to it. Returns (the stick, the file's name)."""
    started = time.monotonic()
    stick = qemu_usb.usb_stick(tmp_path / "stick.img")
    qemu_usb.plug(box, stick)
    deadline = time.monotonic() + 60
    while True:
        status, page = web.request("/backup")
        found = re.search(rb'<option value="(/media/callbox-usb-[a-z0-9]+)"', page)
        if status == 200 and found:
            break
        assert time.monotonic() < deadline, f"the Backup page lists no USB stick 60 s after it was plugged in: {status}"
        time.sleep(2)
    mount = found.group(1).decode()
    seen = time.monotonic() - started
    status, body = web.request("/backup", {"csrf_token": web.csrf, "passphrase": USB_PASSPHRASE,
                                           "passphrase2": USB_PASSPHRASE, "calls": "1", "destination": "usb",
                                           "usb": mount})
    done = re.search(rb"Backup written to the USB stick callbox-usb-[a-z0-9]+: (callbox-backup-\d{8}-\d{6}\.cbx)", body)
    assert status == 200 and done, (status, body[-2000:])
    written = done.group(1).decode()
    assert f'value="{mount}/{written}"'.encode() in body          # offered for a restore from the stick now
    print(f"USB stick: on the Backup page {seen:.0f} s after it was plugged in, backup written "
          f"{time.monotonic() - started:.0f} s after", file=sys.stderr)
    return stick, written


def check_ssh(box, web, tmp_path: Path) -> None:
    """SSH off on a new box; on from the web with a key made here: that key logs in as maint, not as root, and no
    password is asked; off again, refused."""
    started = time.monotonic()
    keys = tmp_path / "ssh"
    keys.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "installer@laptop", "-f", str(keys / "id")],
                   check=True)
    before = ssh(box, keys / "id", "maint")
    assert before.returncode == 255 and "Permission denied" not in before.stderr, before     # nothing listens
    state = set_ssh(web, (keys / "id.pub").read_text(), True)
    assert state["user"] == "maint" and len(state["applied"]["host_keys"]) == 2, state
    login = ssh(box, keys / "id", "maint", "id -un; grep ' / squashfs ' /proc/mounts")
    assert login.returncode == 0 and login.stdout.startswith("maint\n") and " squashfs ro," in login.stdout, login
    learnt = subprocess.run(["ssh-keygen", "-l", "-f", str(keys / "known")], capture_output=True, text=True).stdout
    assert learnt.split()[1] in " ".join(state["applied"]["host_keys"]), (learnt, state)     # the page's fingerprint
    root = ssh(box, keys / "id", "root")
    assert root.returncode == 255 and "Permission denied (publickey)" in root.stderr, root
    password = ssh(box, keys / "id", "maint", "id", "-o", "PreferredAuthentications=password,keyboard-interactive")
    assert password.returncode == 255 and "Permission denied (publickey)" in password.stderr, password
    set_ssh(web, (keys / "id.pub").read_text(), False)
    after = ssh(box, keys / "id", "maint")
    assert after.returncode == 255 and "maint" not in after.stdout, after
    print(f"SSH on, logged in, off: {time.monotonic() - started:.0f} s", file=sys.stderr)


def test_the_builds_bundle_is_signed_with_the_builds_key_and_holds_its_root():
    out = Path(IMAGE).resolve().parent
    bundle = out / "callbox-amd64.raucb"
    done = subprocess.run(["rauc", "info", f"--keyring={out / 'keys' / 'keyring.pem'}", "--output-format=json",
                           str(bundle)], capture_output=True, text=True, check=True)
    info = json.loads(done.stdout)
    version = (out / "work" / "rootfs" / "usr" / "share" / "callbox" / "version").read_text().strip()
    assert info["compatible"] == "callbox-amd64" and info["version"] == version, info
    [image] = info["images"]
    assert image["rootfs"]["filename"] == "root.img" and image["rootfs"]["hooks"] == ["post-install"], info
    assert image["rootfs"]["size"] == (out / "work" / "root.sqfs").stat().st_size
    assert image["rootfs"]["checksum"] == hashlib.sha256((out / "work" / "root.sqfs").read_bytes()).hexdigest()
    # the keyring is what the image trusts; a bundle checked against another CA is refused on the host too
    other = subprocess.run(["rauc", "info", "--keyring=/etc/ssl/certs/ca-certificates.crt", str(bundle)],
                           capture_output=True, text=True)
    assert other.returncode != 0 and "signature" in (other.stdout + other.stderr).lower(), other
