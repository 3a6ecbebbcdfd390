"""Issue 13: the web UI over HTTPS by default, with a certificate the box makes on first start; its fingerprint on
the console and on /setup; plain HTTP redirected; HSTS only when asked for; a key others may read refused."""
from __future__ import annotations

import http.client
import os
import re
import socket
import ssl
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser_helpers import free_port
from conftest import REPO
from web_helpers import add_user, login
from webui import tls
from webui.app import make_app

FINGERPRINT = re.compile(r"SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})")


def openssl_fingerprint(cert: Path) -> str:
    """The fingerprint as Debian's openssl computes it, to check ours against."""
    out = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1]


class Web:
    """`python -m webui` on free loopback ports (HTTPS and the redirect), its console kept in a file."""

    def __init__(self, data: Path, *settings: str):
        self.data, self.port, self.http_port = data, free_port(), free_port()
        self.console = data.parent / f"{data.name}-console-{self.port}.txt"
        sets = [a for s in (f"web.http_port={self.http_port}", *settings) for a in ("--set", s)]
        with open(self.console, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "webui", "--data", str(data), "--host", "127.0.0.1",
                                          "--port", str(self.port), *sets], cwd=REPO, stdout=out, stderr=out)

    def wait(self) -> "Web":
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, self.text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                assert time.monotonic() < deadline, "the web process did not listen within 30 s"
                time.sleep(0.1)

    def text(self) -> str:
        return self.console.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        assert self.proc.wait(timeout=10) == 0, self.text()


def https(web: Web, host: str = "127.0.0.1") -> http.client.HTTPSConnection:
    """A client that trusts only the certificate in the data directory, and checks the name."""
    context = ssl.create_default_context(cafile=str(web.data / "tls" / "web.crt"))
    return http.client.HTTPSConnection(host, web.port, timeout=5, context=context)


def get(conn: http.client.HTTPConnection, path: str, method: str = "GET") -> http.client.HTTPResponse:
    conn.request(method, path, body=b"a=1" if method == "POST" else None)
    resp = conn.getresponse()
    resp.read()
    return resp


@pytest.mark.slow
def test_first_start_makes_a_certificate_prints_its_fingerprint_and_redirects_plain_http(tmp_path):
    data = tmp_path / "var"
    web = Web(data).wait()
    try:
        cert, key = data / "tls" / "web.crt", data / "tls" / "web.key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE((data / "tls").stat().st_mode) == 0o700
        printed = FINGERPRINT.findall(web.text())
        assert printed == [openssl_fingerprint(cert)] and "(made now)" in web.text()
        assert f"https://127.0.0.1:{web.port}/first-admin/" in web.text()
        for host in ("127.0.0.1", "localhost"):            # a client that pins the certificate accepts its names
            resp = get(https(web, host), "/login")
            assert resp.status == 200 and resp.getheader("Strict-Transport-Security") is None
            assert resp.getheader("Content-Security-Policy")
        with pytest.raises(ssl.SSLCertVerificationError):   # and a client with the system's CAs refuses it
            get(http.client.HTTPSConnection("127.0.0.1", web.port, timeout=5,
                                            context=ssl.create_default_context()), "/login")
        plain = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=5)
        resp = get(plain, "/calls?since=2024-03-01&q=%C3%A7a%C4%9Fr%C4%B1")
        assert resp.status == 301
        query = "since=2024-03-01&q=%C3%A7a%C4%9Fr%C4%B1"
        assert resp.getheader("Location") == f"https://127.0.0.1:{web.port}/calls?{query}"
        plain.request("POST", "/login", body=b"a=1", headers={"Host": f"callbox.example:{web.http_port}"})
        resp = plain.getresponse()
        resp.read()
        assert resp.status == 308 and resp.getheader("Location") == f"https://callbox.example:{web.port}/login"
        wrong = http.client.HTTPConnection("127.0.0.1", web.port, timeout=5)   # http:// typed to the HTTPS port
        resp = get(wrong, "/")
        assert resp.status == 400
        assert "Traceback" not in web.text()
    finally:
        web.stop()
    again = Web(data).wait()        # a restart keeps the certificate
    try:
        assert FINGERPRINT.findall(again.text()) == printed and "(made now)" not in again.text()
    finally:
        again.stop()


@pytest.mark.slow
def test_a_key_others_may_read_or_a_missing_half_stops_the_web_with_the_reason(tmp_path):
    data = tmp_path / "var"
    data.mkdir()
    tls.make_certificate(data / "tls" / "web.crt", data / "tls" / "web.key", "127.0.0.1")
    os.chmod(data / "tls" / "web.key", 0o644)
    web = Web(data)
    assert web.proc.wait(timeout=30) == 2
    assert f"[web] key_file {data / 'tls' / 'web.key'} may be read by other users (mode 0644)" in web.text()
    (data / "tls" / "web.key").unlink()
    web = Web(data)
    assert web.proc.wait(timeout=30) == 2
    assert "[web] key_file" in web.text() and "is missing" in web.text()
    assert not (data / "tls" / "web.key").exists()      # never made anew beside an existing certificate


def test_files_a_power_cut_emptied_are_made_again_and_a_real_half_is_never_replaced(tmp_path):
    """Seen in `make image-test`: a power cut soon after a box's first start left web.crt and web.key empty (written
    without fsync), and the web failed at every start after it. Both are fsynced now, and an empty pair is remade."""
    from types import SimpleNamespace
    web = SimpleNamespace(cert_file="tls/web.crt", key_file="tls/web.key", host="127.0.0.1")
    cert, key = tls.files(web, tmp_path)
    cert.parent.mkdir()
    for present in ((cert, key), (key,), (cert,)):
        for p in present:
            p.write_bytes(b"")
        assert tls.ensure_certificate(web, tmp_path) is True
        assert tls.fingerprint(cert) and key.stat().st_size > 0 and stat.S_IMODE(key.stat().st_mode) == 0o600
        cert.unlink()
        key.unlink()
    tls.make_certificate(cert, key, "127.0.0.1")
    made = key.read_bytes()
    cert.write_bytes(b"")          # a real key beside an empty certificate: not ours to throw away
    with pytest.raises(tls.TLSError):
        tls.server_context(web, tmp_path)
    assert tls.ensure_certificate(web, tmp_path) is False and key.read_bytes() == made


def test_the_web_makes_its_certificate_without_mapping_cryptography(tmp_path):
    """Issue 14: the certificate is made in a child process; the web never loads cryptography's Rust core (~8 MB of
    its PSS for the life of the process, for a certificate made once). A child that fails is a TLSError."""
    code = ("import sys; from pathlib import Path; from types import SimpleNamespace; from webui import tls\n"
            "web = SimpleNamespace(cert_file='tls/web.crt', key_file='tls/web.key', host='127.0.0.1')\n"
            f"assert tls.ensure_certificate(web, Path({str(tmp_path)!r}))\n"
            "print(sorted(m for m in sys.modules if m.startswith('cryptography')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    key = tmp_path / "tls" / "web.key"
    assert tls.fingerprint(tmp_path / "tls" / "web.crt") and stat.S_IMODE(key.stat().st_mode) == 0o600
    (tmp_path / "a file").write_text("not a folder")
    with pytest.raises(tls.TLSError, match="could not be made"):
        tls.make_certificate_apart(tmp_path / "a file" / "web.crt", tmp_path / "a file" / "web.key", "127.0.0.1")


def test_the_certificate_names_this_box_and_the_listen_address(tmp_path):
    from cryptography import x509
    tls.make_certificate(tmp_path / "c.pem", tmp_path / "k.pem", "192.0.2.7")
    cert = x509.load_pem_x509_certificate((tmp_path / "c.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert socket.gethostname() in names.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} >= {"127.0.0.1", "::1", "192.0.2.7"}
    assert cert.not_valid_after_utc > cert.not_valid_before_utc
    with pytest.raises(FileExistsError):                 # never over an existing key
        tls.make_certificate(tmp_path / "c.pem", tmp_path / "k.pem", "192.0.2.7")


@pytest.mark.parametrize("host, method, expected", [
    ("box.example:8080", "GET", ("301 Moved Permanently", "https://box.example:8443/a%20b?x=1")),
    ("[fd00::5]:8080", "HEAD", ("301 Moved Permanently", "https://[fd00::5]:8443/a%20b?x=1")),
    ("", "DELETE", ("308 Permanent Redirect", "https://192.0.2.1:8443/a%20b?x=1")),
    ("evil.example/x@y", "GET", ("301 Moved Permanently", "https://192.0.2.1:8443/a%20b?x=1")),
])
def test_the_redirect_keeps_path_and_query_on_the_host_asked_for(host, method, expected):
    seen = {}
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/a b", "QUERY_STRING": "x=1", "SERVER_NAME": "192.0.2.1"}
    if host:
        environ["HTTP_HOST"] = host
    tls.redirect_app(8443)(environ, lambda status, headers: seen.update(status=status, **dict(headers)))
    assert (seen["status"], seen["Location"]) == expected


def test_hsts_is_sent_over_https_only_and_only_when_asked(tmp_path):
    import webtest
    from appliance import config
    quiet = webtest.TestApp(make_app(tmp_path))
    assert "Strict-Transport-Security" not in quiet.get("/login", extra_environ={"wsgi.url_scheme": "https"}).headers
    asked = webtest.TestApp(make_app(tmp_path, config.Config(text="[web]\nhsts_max_age_s = 31536000\n")))
    resp = asked.get("/login", extra_environ={"wsgi.url_scheme": "https"})
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in asked.get("/login").headers      # never over plain HTTP


def test_setup_shows_the_fingerprint_to_compare_with_the_browsers(data_dir, client):
    add_user("admin")
    login(client, "admin")
    assert "web.crt" not in client.get("/setup").text          # before the web process made one: nothing to show
    tls.make_certificate(data_dir / "tls" / "web.crt", data_dir / "tls" / "web.key", "127.0.0.1")
    page = client.get("/setup").text
    assert openssl_fingerprint(data_dir / "tls" / "web.crt") in page and str(data_dir / "tls" / "web.crt") in page


def test_setup_warns_when_tls_is_off(data_dir):
    import webtest
    from appliance import config
    client = webtest.TestApp(make_app(data_dir, config.Config(text="[web]\ntls = no\n")))
    add_user("admin")
    login(client, "admin")
    assert "passwords cross the network in clear" in client.get("/setup").text


@pytest.mark.slow
def test_a_sigterm_while_the_servers_start_stops_the_web_cleanly(tmp_path):
    """A stop asked for right after the console lines, while the servers were still starting, made gevent lose
    the listening socket it was about to watch (AttributeError, exit 1) in about one start in six."""
    for attempt in range(10):
        web = Web(tmp_path / f"var{attempt}")
        deadline = time.monotonic() + 30
        while "No user yet" not in web.text():
            assert web.proc.poll() is None and time.monotonic() < deadline, web.text()
            time.sleep(0.002)
        web.stop()
