"""`make image-test-arm64` (issue 19, APP-4; not in CI): the arm64 image of `make image-arm64` boots on a generic UEFI
arm64 machine, qemu's virt board with Debian's AAVMF firmware, emulated (TCG: the build machine is amd64). From the
host only, as on amd64: the web UI's console line (its time from qemu's start is printed: the figure of the README),
the one-time setup code, the first-boot wizard over HTTPS pinned to the certificate the console names, then a part
of the real capture fed to the forwarded capture port and its calls seen on the web; the root is a read-only
squashfs. SSH, when the image has it, as in test_image_boot.py.

Slow (one boot under TCG of another architecture: 10-40 min on 2 loaded cores) and skipped unless
CALLBOX_IMAGE_ARM64 names the image."""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

from qemu_box import SAMPLE, boot, feed, first_boot, fresh_disk, setup_code, web_up
from test_image_boot import check_ssh

IMAGE = os.environ.get("CALLBOX_IMAGE_ARM64", "")
BOOT_S = 3600
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not IMAGE, reason="needs the arm64 image: run by `make image-test-arm64`")]


def test_the_arm64_image_boots_to_its_web_ui_and_captures(tmp_path):
    image = Path(IMAGE).resolve()
    disk = fresh_disk(image, tmp_path)
    lines = SAMPLE.read_bytes().splitlines(keepends=True)[:200]
    box = boot(disk, tmp_path / "serial.log", arch="arm64")
    try:
        box.wait_console(r"Linux version \S+ .*", 900)
        print(f"arm64: kernel after {time.monotonic() - box.started:.0f} s", file=sys.stderr)
        web = web_up(box, BOOT_S)
        print(f"arm64 ({box.accel}): web UI after {time.monotonic() - box.started:.0f} s", file=sys.stderr)
        assert re.search(r"Linux version \S+-arm64 ", box.console()), "not Debian's arm64 kernel"
        assert re.search(r"Callbox \S+: root file system squashfs ro[ ,]", box.console()), "root is not read-only"
        code = setup_code(box)
        assert web.request("/api/calls")[0] == 401, "the web answers without a login"
        first_boot(web, code)
        web.login()
        assert feed(box.capture, lines) == len(lines)
        counts = web.wait_calls(1, timeout=1200)
        print(f"arm64: {counts['calls']} calls on the web {time.monotonic() - box.started:.0f} s after qemu's start",
              file=sys.stderr)
        if (image.parent / "work" / "rootfs" / "usr" / "sbin" / "sshd").exists():
            check_ssh(box, web, tmp_path)
    finally:
        box.power_cut()
