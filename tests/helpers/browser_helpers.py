"""Helpers of tests/webui/test_browser.py: a data directory filled through the real pipeline and CLI, the real web
process on a free loopback port, and a headless Debian chromium driven by Playwright that records errors."""
from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "appliance" / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
CHROMIUM = "/usr/bin/chromium"
# STACK.md §9: as root chromium needs --no-sandbox; the rest stop it from reaching out to the internet
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "browser test password"
ROLES = {"admin": ("--admin",), "supervisor": ("--role", "supervisor", "--scope", "tenant"),
         "operator": ("--role", "operator", "--scope", "tenant"), "staff": ("--role", "staff", "--scope", "own",
                                                                            "--person", "P1")}
_seeded: Path | None = None        # seed's first data directory, as it made it (this process's copy source)
DIRECTORY = "person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;{ext}\n"


def artifacts_dir() -> Path:
    """$CALLBOX_ARTIFACTS, else tests/artifacts/ (gitignored)."""
    path = Path(os.environ.get("CALLBOX_ARTIFACTS") or REPO / "tests" / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def callbox(data: Path, *args: str, stdin: str = "") -> str:
    proc = subprocess.run([sys.executable, "-m", "appliance.cli", *args, "--data", str(data)], input=stdin,
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc.stdout


def seed(data: Path) -> None:
    """The real sample imported through the pipeline, a directory person for staff, and a user per role. Made once
    per test process through the CLI (seven `callbox` runs: most of a browser module's set-up), kept untouched
    beside it, and copied for every later module: each module still gets a data directory of its own."""
    global _seeded
    if _seeded is not None and _seeded.is_dir():
        shutil.copytree(_seeded, data, symlinks=True, dirs_exist_ok=True)
        return
    data.mkdir(parents=True, exist_ok=True)
    (data / "callbox.ini").write_text("[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    callbox(data, "import", "--driver", "avaya_ipoffice", str(SAMPLE))
    ext = _an_extension(callbox(data, "calls", "--json"))
    csv = data / "people.csv"
    csv.write_text(DIRECTORY.format(ext=ext), encoding="utf-8")
    callbox(data, "directory", "import", str(csv))
    for name, flags in ROLES.items():
        callbox(data, "user", "add", name, *flags, "--password-stdin", stdin=PASSWORD + "\n")
    template = Path(tempfile.mkdtemp(prefix="seeded-", dir=data.parent))
    shutil.copytree(data, template, symlinks=True, dirs_exist_ok=True)
    _seeded = template


def _an_extension(calls_json: str) -> str:
    found = re.findall(r'"extension": "(\d+)"', calls_json)
    assert found, "the sample gave no call with an extension"
    return max(set(found), key=found.count)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def trusting(data: Path) -> ssl.SSLContext:
    """A client TLS context that trusts only the certificate the web process made in `data` (names checked)."""
    return ssl.create_default_context(cafile=str(data / "tls" / "web.crt"))


@contextmanager
def web_process(data: Path, *settings: str) -> Iterator[str]:
    """python -m webui on a free loopback port with the shipped defaults (HTTPS; no redirect port: a test must not
    take 8080) and `settings` (SECTION.KEY=VALUE); yields its base URL; SIGTERM at the end (it must exit 0)."""
    port = free_port()
    sets = [a for s in ("web.http_port=0", *settings) for a in ("--set", s)]
    proc = subprocess.Popen([sys.executable, "-m", "webui", "--data", str(data), "--host", "127.0.0.1",
                             "--port", str(port), *sets], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.communicate()[1].decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the web process did not listen within 30 s"
                time.sleep(0.1)
        yield f"{'http' if 'web.tls=no' in settings else 'https'}://127.0.0.1:{port}"
        proc.terminate()
        assert proc.wait(timeout=10) == 0, proc.communicate()[1].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


@contextmanager
def chromium() -> Iterator:
    """Headless Debian chromium, launched by Playwright (a module-scoped fixture's body)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Recorder:
    """Every JavaScript console error, uncaught page error and HTTP error response of a page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)


def log_in(page, site: str, username: str, password: str = PASSWORD, lang: str | None = None) -> None:
    """Log `username` in on the login page (in `lang`, when given) and wait for the home page."""
    page.goto(site + "/login" + (f"?lang={lang}" if lang else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(site + "/")


def nav_to(page, href: str) -> None:
    """Follow the header's link to `href`, opening its nav group first when it is in one (base.tpl)."""
    group = page.locator(f"header nav details:has(a[href='{href}'])")
    if group.count():
        group.locator("summary").click()
    page.click(f"header nav a[href='{href}']")
