"""A real OpenLDAP server (Debian's slapd) for tests: loaded from tests/servers/ldap/, on free loopback ports, in a
temp dir."""
from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "ldap"
BASE = "dc=example,dc=com"
ADMIN_DN, ADMIN_PW = f"cn=admin,{BASE}", "adminpass"
SERVICE_DN, SERVICE_PW = f"cn=callbox,ou=service,{BASE}", "callboxpass"   # not rootdn: size limits apply
MISSING = ("slapd is not installed: run `make test` as root (it installs slapd and ldap-utils, "
           "provisioning/system-deps.txt), or apt-get install -y --no-install-recommends slapd ldap-utils")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed ({r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
    return r


@dataclass
class Slapd:
    dir: Path
    url: str            # ldap:// (StartTLS available)
    ldaps_url: str
    ca_file: Path       # the server's self-signed certificate (CN=localhost, IP 127.0.0.1)
    pid: int = 0

    def modify(self, ldif: str) -> None:
        """Apply an LDIF change as the admin (ldapmodify); non-ASCII values may be given as plain text."""
        _run(["ldapmodify", "-x", "-H", self.url, "-D", ADMIN_DN, "-w", ADMIN_PW], input=_base64_values(ldif))

    def stop(self) -> None:
        if not self.pid:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
            for _ in range(100):
                if not _alive(self.pid):
                    break
                time.sleep(0.02)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.pid = 0


def _alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (slapd daemonised, so not our child to reap) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _base64_values(ldif: str) -> str:
    out = []
    for line in ldif.strip().splitlines():
        key, sep, value = line.partition(": ")
        if sep and not value.isascii():
            line = f"{key}:: {base64.b64encode(value.encode()).decode()}"
        out.append(line)
    return "\n".join(out) + "\n"


def _certificate(d: Path) -> None:
    _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-days", "2", "-subj", "/CN=localhost",
          "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(d / "key.pem"),
          "-out", str(d / "cert.pem")])


def start(tmp: Path) -> Slapd:
    """Start slapd with tests/servers/ldap/data.ldif loaded; fails the test (not skips) when slapd is missing."""
    if not (shutil.which("slapd") or Path("/usr/sbin/slapd").exists()) or not shutil.which("ldapmodify"):
        pytest.fail(MISSING)
    slapd = shutil.which("slapd") or "/usr/sbin/slapd"
    slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
    d = tmp / "slapd"
    (d / "db").mkdir(parents=True)
    _certificate(d)
    conf = (HERE / "slapd.conf.in").read_text().replace("@DIR@", str(d))
    conf = conf.replace("@SCHEMA@", str(HERE / "adlite.schema"))
    (d / "slapd.conf").write_text(conf)
    _run([slapadd, "-q", "-f", str(d / "slapd.conf"), "-l", str(HERE / "data.ldif")])
    port, tls_port = _free_port(), _free_port()
    server = Slapd(d, f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{tls_port}", d / "cert.pem")
    _run([slapd, "-f", str(d / "slapd.conf"), "-h", f"{server.url}/ {server.ldaps_url}/"])
    deadline = time.monotonic() + 10
    while True:
        probe = subprocess.run(["ldapsearch", "-x", "-H", server.url, "-b", "", "-s", "base"], capture_output=True)
        if probe.returncode == 0 and (d / "slapd.pid").exists():
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"slapd did not answer on {server.url} within 10 s")
        time.sleep(0.05)
    server.pid = int((d / "slapd.pid").read_text().split()[0])
    return server
