"""Shared fixtures: no real transports by accident, a fresh database per test."""
from __future__ import annotations

import builtins
import ipaddress
import os
import socket
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

from appliance import store
from browser_helpers import chromium, seed, web_process

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "pbx"

# As every process of the box runs (appliance.paths.PRIVATE_UMASK): the secret files tests write are 0600, as an
# administrator's must be (they are refused otherwise); a test of that refusal sets the mode itself.
os.umask(0o077)

# Property tests are not timed: hypothesis's default 200 ms deadline per example is a wall-clock bound, which a
# loaded machine (load 18 on 2 cores) broke once in test_tenant_of_is_the_longest_prefix_match
settings.register_profile("callbox", deadline=None)
settings.load_profile("callbox")


def _loopback(address) -> bool:
    if isinstance(address, tuple):
        host = address[0]
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return host == "localhost"
    return True   # AF_UNIX


@pytest.fixture(autouse=True)
def no_real_transports(monkeypatch):
    """Fail any open of a real serial device or a connection off this machine (a pty is fine)."""
    real_connect, real_open, real_os_open = socket.socket.connect, builtins.open, os.open

    def connect(self, address):
        if not _loopback(address):
            raise AssertionError(f"test tried to reach {address!r}: only loopback is allowed")
        return real_connect(self, address)

    def guard(path):
        p = str(path)
        if p.startswith(("/dev/ttyS", "/dev/ttyUSB", "/dev/ttyACM")):
            raise AssertionError(f"test tried to open the real serial device {p}")

    def open_(file, *a, **kw):
        if isinstance(file, (str, os.PathLike)):
            guard(file)
        return real_open(file, *a, **kw)

    def os_open(path, *a, **kw):
        guard(path)
        return real_os_open(path, *a, **kw)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(os, "open", os_open)


@pytest.fixture
def db(tmp_path):
    """The store's database in a temporary directory, closed afterwards."""
    store.open_db(tmp_path / "callbox.db")
    yield store.db
    store.close_db()


# ---- the web UI in-process (webtest); a module overrides `data_dir` to prepare the data first ----

@pytest.fixture
def data_dir(tmp_path):
    """The appliance's data directory; the web app opens store.db itself (module-global): closed afterwards."""
    yield tmp_path
    store.close_db()


@pytest.fixture
def app(data_dir):
    from webui.app import make_app
    return make_app(data_dir)


@pytest.fixture
def client(app):
    import webtest
    return webtest.TestApp(app)


@pytest.fixture
def csrf(client):
    """`client` logged in as "admin", an administrator of the whole box; the session's CSRF token."""
    from web_helpers import add_user, login
    add_user("admin")
    return login(client, "admin")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 / localhost, made with Debian's openssl (SMTP, FTPS servers)."""
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", d / "key.pem", "-out", d / "cert.pem", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return d / "cert.pem", d / "key.pem"


@pytest.fixture(autouse=True)
def appliance_log_handlers_removed():
    """An in-process `callbox` command sets the root logger up (appliance.logs.setup): a handler on the test's
    captured stderr, and a log file. Both go after the test, so no thread of a later test (aiosmtpd's, logging "EOF
    received") writes to a stream pytest has closed ("--- Logging error ---" in the output)."""
    import logging

    from appliance.logs import HeaderedFileHandler
    root = logging.getLogger()
    level = root.level
    yield
    for handler in root.handlers[:]:
        if type(handler) is logging.StreamHandler or isinstance(handler, HeaderedFileHandler):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture(autouse=True)
def short_event_streams(monkeypatch):
    """In-process web apps (WebTest reads a body to its end) end a wallboard's event stream after its first board;
    the real web process (tests that start it) streams as on a box."""
    from webui import wallboard
    monkeypatch.setattr(wallboard, "STREAM_S", 0.0)


@pytest.fixture(scope="session", autouse=True)
def nothing_written_into_the_repository():
    """A test writes under its tmp_path, never into the checkout (a stray users.db once appeared there)."""
    before = {p.name for p in REPO.iterdir()}
    yield
    new = sorted({p.name for p in REPO.iterdir()} - before - {".mypy_cache", ".pytest_cache", ".hypothesis"})
    assert not new, f"tests created {new} in {REPO}"


@pytest.fixture
def roomy_data_partition(monkeypatch):
    """A whole alert pass (appliance.alerts.check.evaluate) measures the data partition: here the machine's own disk,
    which other programs fill. Below [alerts] disk_low_pct (10 % free) the journal alert joined the alerts a test
    counts (a shared machine at 10.7 % free failed five tests). For a test whose subject is not the disk: 60 % free."""
    from appliance import health
    monkeypatch.setattr(health, "_disk_free_pct", lambda path: 60)


# ---- the web UI in a real browser (tests/helpers/browser_helpers.py), shared by the browser test modules ----

@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium for a module's tests, closed at the module's end (two Playwright instances may not
    run at once: a module that drives its own `sync_playwright()` must not ask for this)."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample imported through the real pipeline, a directory person and a user per role (browser_helpers.seed),
    served by the real web process: its base URL. A module's data of its own: a module that defines a `site` of its
    own (most do: other data) overrides this one."""
    data = tmp_path_factory.mktemp("browser")
    seed(data)
    with web_process(data) as url:
        yield url
