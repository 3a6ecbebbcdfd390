"""`make image-update-test` (issue 19, APP-4): a whole A/B update round of the appliance image in qemu, from the host
only, as an administrator does it on the Update page.

From a fresh copy of the image (slot A) and the first-boot wizard: a good bundle (the build's root with a new version
string, signed with the build's key) is sent to the Update page; the box installs it into slot B and restarts into it;
the health check passes, systemd-bless-boot keeps the slot, and the page shows the new version, slot B and the history.
Then a bundle with a broken application (its Python package raises at import: capture, the worker and the web crash at
each start) goes to slot A; the box starts it, the health check fails and restarts the box, twice (the entry's two
tries), and systemd-boot then starts slot B again by itself: the history says rolled back, the page shows slot B and
its version, slot A not bootable. On the disk afterwards: slot B's entry on the EFI partition has no boot counter (it
was blessed), slot A's has no try left.

Slow (five boots, two bundles of about 280 MB over HTTPS; see README for the time under TCG) and not in `make test`
nor in CI (`make image-test` checks the refusal of a bundle signed with another key); skipped unless CALLBOX_IMAGE
names the image. Needs root (unsquashfs keeps the root's owners), as `make image` does.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from qemu_box import BOOT_S, boot, first_boot, fresh_disk, layout, send_bundle, setup_code, web_up, web_up_again

IMAGE = os.environ.get("CALLBOX_IMAGE", "")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not IMAGE, reason="needs the image: run by `make image-update-test` (CALLBOX_IMAGE)")]
APP = "opt/callbox/.venv/lib/python3.11/site-packages/appliance/__init__.py"


def bundles(out: Path, tmp_path: Path, version: str) -> tuple[Path, Path]:
    """The good and the broken bundle: the build's root with another version string, and that root with an
    application that cannot start; both signed with the build's key (make-bundle.sh, as a release is made)."""
    root = tmp_path / "root"
    subprocess.run(["unsquashfs", "-q", "-n", "-d", str(root), str(out / "work" / "root.sqfs")], check=True,
                   stdout=subprocess.DEVNULL)
    kernel = max((out / "work" / "rootfs" / "boot").glob("vmlinuz-*"))
    initrd = max((out / "work" / "rootfs" / "boot").glob("initrd.img-*"))
    made = []
    for name, change in (("good", None), ("broken", 'raise SystemExit("broken on purpose by the update test")\n')):
        (root / "usr/share/callbox/version").write_text(f"{version}.{name}\n", encoding="utf-8")
        if change:
            with open(root / APP, "a", encoding="utf-8") as f:
                f.write(change)
        sqfs, bundle = tmp_path / f"{name}.sqfs", tmp_path / f"{name}.raucb"
        subprocess.run(["mksquashfs", str(root), str(sqfs), "-comp", "zstd", "-Xcompression-level", "3", "-noappend",
                        "-quiet", "-no-progress"], check=True)
        subprocess.run(["sh", str(REPO / "image" / "make-bundle.sh"), str(sqfs), str(kernel), str(initrd),
                        f"{version}.{name}", str(out / "keys" / "signing.cert.pem"),
                        str(out / "keys" / "signing.key.pem"), str(bundle)], check=True, capture_output=True)
        sqfs.unlink()
        made.append(bundle)
    subprocess.run(["rm", "-rf", str(root)], check=True)
    return made[0], made[1]


def esp_entries(disk: Path) -> list[str]:
    """The boot entries on the disk's EFI system partition (mtools, nothing mounted)."""
    offset = 2048 * 512     # image/50-disk.sh: the ESP starts at 1 MiB
    done = subprocess.run(["mdir", "-b", "-i", f"{disk}@@{offset}", "::/loader/entries"], capture_output=True,
                          text=True, check=True, env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})
    return sorted(Path(line.strip()).name for line in done.stdout.splitlines() if line.strip())


def test_a_good_update_is_kept_and_a_broken_one_rolls_back_by_itself(tmp_path):
    image = Path(IMAGE).resolve()
    out = image.parent
    layout(image)
    version = (out / "work" / "rootfs" / "usr" / "share" / "callbox" / "version").read_text().strip()
    started = time.monotonic()
    good, broken = bundles(out, tmp_path, version)
    print(f"bundles made in {time.monotonic() - started:.0f} s ({good.stat().st_size >> 20} MiB, "
          f"{broken.stat().st_size >> 20} MiB)", file=sys.stderr)
    disk = fresh_disk(image, tmp_path)

    box = boot(disk, tmp_path / "serial.log", cold_restarts=True)      # each restart of the box a cold start
    try:
        web = web_up(box)
        print(f"boot 1 ({box.accel}): web UI after {time.monotonic() - box.started:.0f} s", file=sys.stderr)
        first_boot(web, setup_code(box))
        web.login()
        update = web.json("/api/update")
        assert (update["version"], update["slot"], update["slots"]) == (version, "a", {"a": "good", "b": "bad"})

        # the good bundle: installed into slot B, the box restarts into it, the health check keeps it
        boots = box.console().count("Web UI: https://")
        mark = time.monotonic()
        send_bundle(web, good)
        print(f"good bundle sent in {time.monotonic() - mark:.0f} s", file=sys.stderr)
        box.wait_console(r"Callbox update: installed \S+\.good slot b", BOOT_S)
        box.wait_count("Web UI: https://", boots + 1, BOOT_S)
        box.wait_console(r"Callbox health: slot b is healthy", BOOT_S)
        print(f"slot B healthy {time.monotonic() - mark:.0f} s after the upload began", file=sys.stderr)
        assert re.findall(r"Kernel command line: .*", box.console())[-1].count("rauc.slot=b "), "slot A booted again"
        web = web_up_again(box, web)
        web.login()
        update = web.json("/api/update")
        assert (update["version"], update["slot"]) == (f"{version}.good", "b"), update
        assert update["slots"] == {"a": "good", "b": "good"}, update
        assert [h["event"] for h in update["history"]] == ["healthy", "booted", "installed"], update
        status, page = web.request("/update")
        assert status == 200 and f'<td id="version">{version}.good</td>'.encode() in page, page[-3000:]
        assert b'<td id="slot">B</td>' in page and b'class="event-healthy"' in page, page[-3000:]

        # the broken bundle: into slot A; two starts of it fail the health check, then slot B runs again by itself
        boots = box.console().count("Web UI: https://")
        mark = time.monotonic()
        send_bundle(web, broken)
        box.wait_console(r"Callbox update: installed \S+\.broken slot a", BOOT_S)
        box.wait_count("Callbox health: FAILED", 2, 2 * BOOT_S)
        box.wait_console(r"Callbox update: rolled_back \S+\.broken slot a", BOOT_S)
        box.wait_count("Web UI: https://", boots + 1, BOOT_S)
        print(f"rolled back to slot B {time.monotonic() - mark:.0f} s after the upload began", file=sys.stderr)
        assert re.findall(r"Kernel command line: .*", box.console())[-1].count("rauc.slot=b "), "slot B did not boot"
        web = web_up_again(box, web)
        web.login()
        update = web.json("/api/update")
        assert (update["version"], update["slot"]) == (f"{version}.good", "b"), update
        assert update["slots"] == {"a": "bad", "b": "good"}, update
        assert [h["event"] for h in update["history"]] == \
            ["rolled_back", "booted", "booted", "installed", "healthy", "booted", "installed"], update
        status, page = web.request("/update")
        assert status == 200 and b'class="event-rolled_back"' in page and b'<td id="slot">B</td>' in page
    finally:
        box.power_cut()
    entries = esp_entries(disk)
    assert "callbox-b.conf" in entries and any(re.fullmatch(r"callbox-a\+0(-\d+)?\.conf", e) for e in entries), \
        entries
