"""`make image-test` (issue 19, APP-4): the appliance image boots in qemu and works as a box at a customer's site.

The image of `make image` is copied and given a data partition whose callbox.ini names the PBX of a real capture
(Avaya IP Office SMDR over TCP, port 1150). The test then, from the host only (the box has no SSH and no password):
reads the one-time setup code from the serial console and runs the first-boot wizard over HTTPS with it (the
certificate is the one whose fingerprint the console prints): administrator, time zone, company and branch; feeds half
the capture into the forwarded capture port and sees its calls on the web; streams the other half and kills qemu in
the middle (a power cut); boots again and finds every call and journal byte it had seen; feeds the whole capture again
and sees exactly the calls of a host import of the same file (none lost, none twice). The root slot's bytes are the
same after both boots as in the image, and the console says the root is a read-only squashfs.

Slow (two boots; about 5 min under TCG on 2 cores) and skipped unless CALLBOX_IMAGE names the image: `make image-test`
sets it. CALLBOX_QEMU_ACCEL = kvm, tcg or auto (the default: KVM when /dev/kvm works, else TCG).
"""
from __future__ import annotations

import hashlib
import http.cookiejar
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO

IMAGE = os.environ.get("CALLBOX_IMAGE", "")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not IMAGE, reason="needs the image: run by `make image-test` (CALLBOX_IMAGE)")]

SAMPLE = REPO / "appliance" / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
OVMF = Path("/usr/share/ovmf/OVMF.fd")
PASSWORD = "image test: no default password 19"
BOOT_S = 900           # from qemu's start to the web UI's console line; about 100 s under TCG, 20 s with KVM
INI = """[web]
host = 0.0.0.0
port = 443
http_port = 80

[capture]
url = tcp-listen://0.0.0.0:1150

[pbx]
driver = avaya_ipoffice
timezone = Europe/Warsaw
"""
ANSI = re.compile(rb"\x1b\[[0-9;=?]*[A-Za-z]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def layout(image: Path) -> dict[str, int]:
    """Offsets and sizes of the image's parts (image/50-disk.sh writes layout.txt beside it)."""
    text = (image.parent / "layout.txt").read_text(encoding="ascii")
    return {k: int(v) for k, v in (line.split("=") for line in text.split())}


def region_sha256(path: Path, start: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(start)
        left = size
        while left:
            block = f.read(min(left, 1 << 20))
            assert block, f"{path} ends before {start + size}"
            h.update(block)
            left -= len(block)
    return h.hexdigest()


class Box:
    """One qemu run of the disk: serial console to a file, the web (443) and capture (1150) ports forwarded."""

    def __init__(self, disk: Path, serial: Path, accel: str):
        self.disk, self.serial, self.accel = disk, serial, accel
        self.web, self.capture = free_port(), free_port()
        cmd = ["qemu-system-x86_64", "-machine", f"q35,accel={accel}", "-m", "1024", "-smp", "2",
               "-bios", str(OVMF), "-drive", f"file={disk},format=raw,if=virtio",
               "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{self.web}-:443,"
                          f"hostfwd=tcp:127.0.0.1:{self.capture}-:1150",
               "-device", "virtio-net-pci,netdev=n0", "-device", "i6300esb", "-action", "watchdog=reset",
               "-display", "none", "-serial", f"file:{serial}", "-monitor", "none"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(f"{serial}.qemu", "wb"))
        self.started = time.monotonic()

    def console(self) -> str:
        try:
            return ANSI.sub(b"", self.serial.read_bytes()).decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def wait_console(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.console())
            if found:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(1)
        raise AssertionError(f"console never said {pattern!r} in {timeout:.0f} s (qemu {self.proc.poll()}); "
                             f"its end:\n{self.console()[-3000:]}")

    def wait_count(self, text: str, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.console().count(text) < count:
            said = self.console()
            assert self.proc.poll() is None and time.monotonic() < deadline, \
                f"console said {text!r} {said.count(text)} times, not {count}; its end:\n{said[-3000:]}"
            time.sleep(1)

    def power_cut(self) -> None:
        self.proc.kill()
        self.proc.wait()


def boot(disk: Path, serial: Path) -> Box:
    """Start the box; with auto, KVM if the kernel starts under it within 40 s (nested KVM can fail in the
    firmware), else TCG."""
    accel = os.environ.get("CALLBOX_QEMU_ACCEL", "auto")
    if accel == "auto":
        accel = "tcg"
        if os.access("/dev/kvm", os.R_OK | os.W_OK):
            box = Box(disk, serial, "kvm")
            try:
                box.wait_console(r"Linux version", 40)
                return box
            except AssertionError:
                box.power_cut()
                print("KVM did not start the kernel: TCG", file=sys.stderr)
    return Box(disk, serial, accel)


class Web:
    """An HTTPS client of the box that trusts only the certificate whose fingerprint the console printed."""

    def __init__(self, port: int, fingerprint: str):
        self.base = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:     # the console line comes just before the server listens: qemu resets until it does
            try:
                pem = ssl.get_server_certificate(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)
        served = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
        assert served == fingerprint.replace(":", ""), "the web serves another certificate than the console names"
        context = ssl.create_default_context(cadata=pem)
        context.check_hostname = False          # the box's own certificate, pinned above: no name to check
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                                  urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, form: dict | None = None, json_reply: bool = False) -> tuple[int, bytes]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data,
                                     headers={"Accept": "application/json"} if json_reply else {})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, path: str):
        status, body = self.request(path)
        assert status == 200, f"GET {path}: {status} {body[:300]!r}"
        return json.loads(body)

    def login(self) -> None:
        status, body = self.request("/login", {"username": "installer", "password": PASSWORD}, json_reply=True)
        assert status == 200, f"login: {status} {body[:300]!r}"
        self.csrf = json.loads(body)["csrf_token"]

    def calls(self) -> dict[int, dict]:
        return {c["id"]: c for c in self.json("/api/calls")}

    def wait_calls(self, at_least: int, timeout: float = 600) -> dict:
        deadline = time.monotonic() + timeout
        counts: dict = {}
        while time.monotonic() < deadline:
            counts = self.json("/api/status")["counts"]
            if counts["calls"] >= at_least:
                return counts
            time.sleep(2)
        raise AssertionError(f"the web shows {counts} after {timeout:.0f} s, not {at_least} calls")


def first_boot(web: Web, code: str) -> None:
    """The first-boot wizard as the installer runs it: the console's setup code, then the administrator, time zone,
    NTP, company and branch, the certificate the box made; capture restarts for the new configuration."""
    status, body = web.request("/first-boot")
    assert status == 200 and b"setup code" in body, body[:300]
    status, body = web.request("/first-boot", {"code": "AAAA-BBBB-CCCC"})
    assert status == 403, "a wrong setup code is taken"
    status, body = web.request("/first-boot", {"code": code.lower()})
    assert status == 200 and b'name="username"' in body, body[:300]
    status, body = web.request("/first-boot/finish", {
        "code": code, "username": "installer", "password": PASSWORD, "password2": PASSWORD,
        "timezone": "Europe/Warsaw", "ntp": "", "company": "Image Test Ltd", "branch": "qemu", "tls_mode": "generated"})
    assert status == 200 and b"The box is set up" in body, body[:500]
    assert web.request("/first-admin/x")[0] == 404
    # the wizard wrote the INI: capture starts again with it (a new pid; the INI is looked at every second) before
    # the PBX may send (lines sent into a closing link are the PBX's to send again, not the test's to lose)
    before = web.json("/api/status")["capture"]["pid"]
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        capture = web.json("/api/status")["capture"]
        if capture["state"] == "running" and capture["pid"] not in (None, before):
            break
        time.sleep(1)
    else:       # already restarted before the first look: it has had 40 s to settle
        print("capture kept its pid through the first-boot wizard's 40 s", file=sys.stderr)


def bad_bundle(tmp_path: Path) -> Path:
    """A bundle for the box (its compatible) signed with a key the box does not know: it must be refused."""
    work = tmp_path / "bad-bundle"
    (work / "root").mkdir(parents=True)
    (work / "root" / "hello").write_text("not from the release key\n")
    subprocess.run(["mksquashfs", str(work / "root"), str(work / "root.sqfs"), "-quiet", "-no-progress"], check=True)
    for name in ("vmlinuz", "initrd.img"):
        (work / name).write_bytes(b"x" * 1024)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout",
                    str(work / "key.pem"), "-out", str(work / "cert.pem"), "-subj", "/CN=not the update key"],
                   check=True, capture_output=True)
    out = work / "bad.raucb"
    subprocess.run(["sh", str(REPO / "image" / "make-bundle.sh"), str(work / "root.sqfs"), str(work / "vmlinuz"),
                    str(work / "initrd.img"), "9.9.9-evil", str(work / "cert.pem"), str(work / "key.pem"), str(out)],
                   check=True, capture_output=True)
    return out


def send_bundle(web: Web, bundle: Path) -> None:
    req = urllib.request.Request(web.base + "/update", data=bundle.read_bytes(), method="POST",
                                 headers={"Content-Type": "application/octet-stream", "Accept": "application/json",
                                          "X-CSRF-Token": web.csrf})
    with web.opener.open(req, timeout=600) as resp:
        assert resp.status == 202, resp.read()[:300]


def wait_history(web: Web, event: str, count: int = 1, timeout: float = 600) -> dict:
    """The update state once the history holds `count` entries of `event`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            state = web.json("/api/update")
            if sum(h["event"] == event for h in state["history"]) >= count:
                return state
        except (OSError, AssertionError):      # the box is restarting
            state = {}
        assert time.monotonic() < deadline, f"no {event!r} in the update history after {timeout:.0f} s: {state}"
        time.sleep(3)


def web_up(box: Box) -> Web:
    line = box.wait_console(r"Web UI: https://\S+ - certificate \S+.*?SHA-256 fingerprint ([0-9A-F:]{95})", BOOT_S)
    return Web(box.web, line.group(1))


def web_up_again(box: Box, web: Web) -> Web:
    """The web after the box restarted by itself (an update): the same certificate, a new session."""
    fingerprint = re.findall(r"Web UI: https://\S+ - certificate \S+.*?SHA-256 fingerprint ([0-9A-F:]{95})",
                             box.console())[-1]
    return Web(box.web, fingerprint)


def feed(port: int, lines: list[bytes], pause_s: float = 0.0, stop: threading.Event | None = None) -> int:
    """Send lines to the box's capture port as the PBX does; how many were sent before the link broke."""
    sent = 0
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            for line in lines:
                if stop is not None and stop.is_set():
                    break
                s.sendall(line)
                sent += 1
                if pause_s:
                    time.sleep(pause_s)
    except OSError:
        pass
    return sent


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
    disk = tmp_path / "disk.img"
    subprocess.run(["cp", "--sparse=always", str(image), str(disk)], check=True)
    ini = tmp_path / "callbox.ini"
    ini.write_text(INI, encoding="utf-8")
    data = tmp_path / "data.ext4"
    size = f"{parts['data_bytes'] // 1048576}M"
    subprocess.run(["sh", str(REPO / "image" / "data-partition.sh"), str(ini), str(data), size], check=True,
                   capture_output=True)
    subprocess.run(["dd", f"if={data}", f"of={disk}", "bs=1M", f"seek={parts['data_start'] // 1048576}",
                    "conv=notrunc,sparse", "status=none"], check=True)
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
        code = box.wait_console(r"Callbox: not set up yet\. Setup code ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}): "
                                r"open https://\S+/first-boot", 60).group(1)
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
    box = boot(disk, tmp_path / "serial-2.log")
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

        # updates (RAUC): a bundle signed with another key is refused, nothing written; the build's own bundle is
        # installed into slot B and the box restarts into it; the calls are all there
        update = web.json("/api/update")
        version = (image.parent / "work" / "rootfs" / "usr" / "share" / "callbox" / "version").read_text().strip()
        assert update["version"] == version and update["slot"] == "a", update
        assert update["slots"] == {"a": "good", "b": "bad"} and update["history"] == [], update
        send_bundle(web, bad_bundle(tmp_path))
        refused = wait_history(web, "refused")["history"][0]
        assert refused["slot"] == "b" and "signature" in refused["detail"].lower(), refused
        assert web.json("/api/update")["slot"] == "a"
        boots = box.console().count("Web UI: https://")
        send_bundle(web, image.parent / "callbox-amd64.raucb")
        box.wait_console(r"Callbox update: installed ", BOOT_S)
        box.wait_count("Web UI: https://", boots + 1, BOOT_S)       # the box restarted by itself
        web = web_up_again(box, web)
        print(f"update: slot B's web UI after {time.monotonic() - box.started:.0f} s", file=sys.stderr)
        web.login()
        assert re.findall(r"Kernel command line: .*", box.console())[-1].count("rauc.slot=b "), "slot A booted again"
        update = web.json("/api/update")
        assert update["slot"] == "b" and update["slots"] == {"a": "good", "b": "good"}, update
        assert [h["event"] for h in update["history"]] == ["booted", "installed", "refused"], update
        assert web.json("/api/status")["counts"]["calls"] == expected["calls"]
        # not checked here: the health check that blesses slot B's boot (systemd-bless-boot is not in the image yet)
    finally:
        box.power_cut()
    assert region_sha256(disk, parts["root_a_start"], parts["slot_bytes"]) == root_a, "the root slot was written"
    sqfs = image.parent / "work" / "root.sqfs"
    assert region_sha256(disk, parts["root_a_start"] + parts["slot_bytes"], sqfs.stat().st_size) == \
        hashlib.sha256(sqfs.read_bytes()).hexdigest(), "slot B does not hold the bundle's root"
    shutil.rmtree(tmp_path / "host", ignore_errors=True)
