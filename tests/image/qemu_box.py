"""The appliance image in qemu, used from the host as an installer would (tests/image/test_image_boot.py, `make
image-test`; tests/image/test_image_update.py, `make image-update-test`): a box (qemu with the serial console in a file,
the web, capture and SSH ports forwarded; amd64, or arm64 under qemu-system-aarch64 for `make image-test-arm64`), an
HTTPS client that trusts only the certificate the console names, the first-boot wizard, update bundles sent to the
Update page and its history, SSH turned on from the web and a login with ssh."""
from __future__ import annotations

import hashlib
import http.cookiejar
import json
import os
import re
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

from conftest import REPO

SAMPLE = REPO / "appliance" / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
OVMF = Path("/usr/share/ovmf/OVMF.fd")
AAVMF = Path("/usr/share/AAVMF")       # arm64's UEFI firmware (qemu-efi-aarch64): code and a copy of the variables
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
    """One qemu run of the disk: serial console to a file, the web (443) and capture (1150) ports forwarded. With
    cold_restarts, a restart of the box is a cold start: qemu exits (-action reboot=shutdown) and is started again on
    the same disk, console and ports (a warm reset under TCG once hung in OVMF, before systemd-boot ran)."""

    def __init__(self, disk: Path, serial: Path, accel: str, cold_restarts: bool = False, arch: str = "amd64",
                 usb: bool = False):
        self.disk, self.serial, self.accel, self.cold_restarts, self.arch = disk, serial, accel, cold_restarts, arch
        self.usb = usb     # a USB 3 controller (qemu-xhci) to plug a stick into later, over QMP (qemu_usb.py)
        self.qmp_path = serial.with_name(f"{serial.name}.qmp")
        self.web, self.capture, self.ssh = free_port(), free_port(), free_port()
        self.lock, self.stopped = threading.Lock(), False
        self.proc = self._start()
        self.started = time.monotonic()
        if cold_restarts:
            threading.Thread(target=self._start_again, daemon=True).start()

    def _start(self) -> subprocess.Popen:
        if self.arch == "arm64":       # a generic UEFI arm64 board: qemu's virt machine with Debian's AAVMF
            variables = self.disk.with_name(f"{self.disk.name}.vars.fd")
            if not variables.exists():
                variables.write_bytes((AAVMF / "AAVMF_VARS.fd").read_bytes())
            cmd = ["qemu-system-aarch64", "-machine", f"virt,accel={self.accel}", "-cpu", "cortex-a72",
                   "-drive", f"if=pflash,format=raw,readonly=on,file={AAVMF / 'AAVMF_CODE.fd'}",
                   "-drive", f"if=pflash,format=raw,file={variables}"]
        else:
            cmd = ["qemu-system-x86_64", "-machine", f"q35,accel={self.accel}", "-bios", str(OVMF)]
        cmd += ["-m", "1024", "-smp", "2", "-drive", f"file={self.disk},format=raw,if=virtio",
                "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{self.web}-:443,"
                           f"hostfwd=tcp:127.0.0.1:{self.capture}-:1150,hostfwd=tcp:127.0.0.1:{self.ssh}-:22",
                "-device", "virtio-net-pci,netdev=n0", "-device", "i6300esb", "-action", "watchdog=reset",
                "-display", "none", "-monitor", "none"]
        if self.usb:
            self.qmp_path.unlink(missing_ok=True)
            cmd += ["-device", "qemu-xhci,id=xhci", "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        if self.cold_restarts:
            cmd += ["-action", "reboot=shutdown", "-chardev", f"file,id=s0,path={self.serial},append=on",
                    "-serial", "chardev:s0"]
        else:
            cmd += ["-serial", f"file:{self.serial}"]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(f"{self.serial}.qemu", "ab"))

    def _start_again(self) -> None:
        while True:
            self.proc.wait()
            with self.lock:
                if self.stopped:
                    return
                self.proc = self._start()

    def running(self) -> bool:
        return self.cold_restarts and not self.stopped or self.proc.poll() is None

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
            if not self.running():
                break
            time.sleep(1)
        raise AssertionError(f"console never said {pattern!r} in {timeout:.0f} s (qemu {self.proc.poll()}); "
                             f"its end:\n{self.console()[-3000:]}")

    def wait_count(self, text: str, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.console().count(text) < count:
            said = self.console()
            assert self.running() and time.monotonic() < deadline, \
                f"console said {text!r} {said.count(text)} times, not {count}; its end:\n{said[-3000:]}"
            time.sleep(1)

    def power_cut(self) -> None:
        with self.lock:
            self.stopped = True
            self.proc.kill()
        self.proc.wait()


_KVM_FAILED: list[str] = []


def boot(disk: Path, serial: Path, cold_restarts: bool = False, arch: str = "amd64", usb: bool = False) -> Box:
    """Start the box; with auto, KVM if the kernel starts under it within 40 s (nested KVM can fail in the
    firmware), else TCG (and TCG at once for the later boots of the same run). arm64 runs under TCG."""
    accel = os.environ.get("CALLBOX_QEMU_ACCEL", "auto")
    if arch != "amd64":
        return Box(disk, serial, "tcg", cold_restarts, arch, usb)
    if accel == "auto":
        accel = "tcg"
        if not _KVM_FAILED and os.access("/dev/kvm", os.R_OK | os.W_OK):
            box = Box(disk, serial, "kvm", cold_restarts, usb=usb)
            try:
                box.wait_console(r"Linux version", 40)
                return box
            except AssertionError:
                box.power_cut()
                _KVM_FAILED.append("tcg")       # the next boots of this run go straight to TCG
                print("KVM did not start the kernel: TCG", file=sys.stderr)
    return Box(disk, serial, accel, cold_restarts, usb=usb)


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


def web_up(box: Box, timeout: float = BOOT_S) -> Web:
    line = box.wait_console(r"Web UI: https://\S+ - certificate \S+.*?SHA-256 fingerprint ([0-9A-F:]{95})", timeout)
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


def fresh_disk(image: Path, tmp_path: Path) -> Path:
    """A copy of the image whose data partition's callbox.ini names the capture of SAMPLE (TCP port 1150)."""
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
    data.unlink()
    return disk


def setup_code(box: Box) -> str:
    return box.wait_console(r"Callbox: not set up yet\. Setup code ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}): "
                            r"open https://\S+/first-boot", 60).group(1)


def ssh(box: Box, key: Path, user: str, command: str = "id -un", *options: str) -> subprocess.CompletedProcess:
    """ssh to the box's forwarded port 22 with `key` only, no question asked (a new host key is learnt into a file
    beside the key: ssh_known_hosts)."""
    return subprocess.run(["ssh", "-p", str(box.ssh), "-i", str(key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                           "-o", "StrictHostKeyChecking=accept-new", "-o", f"UserKnownHostsFile={key.parent}/known",
                           "-o", "ConnectTimeout=60", *options, f"{user}@127.0.0.1", command],
                          capture_output=True, text=True, timeout=180)


def set_ssh(web: Web, keys: str, on: bool, timeout: float = 300) -> dict:
    """The SSH page's form (the administrator's password again), then /api/ssh once the box applied it."""
    status, body = web.request("/ssh", {"keys": keys, "password": PASSWORD, "csrf_token": web.csrf,
                                        **({"enabled": "on"} if on else {})})
    assert status == 200 and b"SSH is being turned" in body, (status, body[-1500:])
    deadline = time.monotonic() + timeout
    while True:
        state = web.json("/api/ssh")
        applied = state["applied"]
        if state["enabled"] == on and applied.get("running") == on and applied.get("keys") == len(state["keys"]) * on:
            return state
        assert time.monotonic() < deadline, f"SSH not {'on' if on else 'off'} after {timeout:.0f} s: {state}"
        time.sleep(2)
