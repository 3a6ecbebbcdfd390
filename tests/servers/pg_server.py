"""A real PostgreSQL 15 server (Debian's postgresql-15) for tests: initdb in a temp dir, run by the unprivileged
`postgres` user (the tests run as root, which PostgreSQL refuses), on a free loopback port, a password login
(scram-sha-256). One server per test session; each test gets a database of its own (`fresh_database`)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
USER, PASSWORD = "callbox", "pg-test-Şifre-1"   # non-ASCII: the password file is read as UTF-8
MISSING = ("PostgreSQL 15 is not installed: run `make test` as root (provisioning/system-deps.txt), or "
           "sh provisioning/install-system-deps.sh postgresql-15")
_names = count(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    """`cmd` as the postgres user (root may not run the server); RuntimeError with its output when it fails."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    r = subprocess.run(prefix + cmd, capture_output=True, text=True, timeout=120, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed ({r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
    return r


@dataclass
class Postgres:
    dir: Path           # the cluster (and its socket), owned by postgres
    port: int
    databases: list = field(default_factory=list)

    def url(self, database: str) -> str:
        """The URL for [central] database: no password in it (it goes in [central] password_file)."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg2
        return psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, dbname=database,
                                connect_timeout=10)

    def fresh_database(self) -> str:
        name = f"central_{os.getpid()}_{next(_names)}"
        con = self.connect()
        con.autocommit = True
        try:
            con.cursor().execute(f"CREATE DATABASE {name}")
        finally:
            con.close()
        self.databases.append(name)
        return name

    def _ctl(self, *args: str) -> None:
        _as_postgres([str(BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-t", "60", *args])

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB")
        self._ctl("-l", str(self.dir / "server.log"), "-o", opts, "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop; mode "immediate" is a crash (no checkpoint: recovery from the WAL at the next start)."""
        self._ctl("-m", mode, "stop")

    def restart(self, mode: str = "immediate", down_s: float = 0.0) -> None:
        self.stop(mode)
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def start() -> Postgres:
    """A new cluster in a temp dir, started; pytest.skip when PostgreSQL 15 is not installed."""
    if not (BIN / "initdb").exists() or not shutil.which("runuser"):
        pytest.skip(MISSING)
    # not under pytest's tmp_path: its folders are root's, mode 0700, and the server runs as postgres
    top = Path(tempfile.mkdtemp(prefix="callbox-pg-"))
    top.chmod(0o755)
    shutil.chown(top, "postgres", "postgres")
    pwfile = top / "pw"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    shutil.chown(pwfile, "postgres", "postgres")
    pwfile.chmod(0o600)
    _as_postgres([str(BIN / "initdb"), "-D", str(top / "data"), "-U", USER, "--pwfile", str(pwfile),
                  "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync"])
    pwfile.unlink()
    server = Postgres(top, _free_port())
    server.start()
    return server


def password_file(where: Path) -> Path:
    """The test user's password in a file for [central] password_file (mode 0600)."""
    path = where / "central-db.pw"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


# pytest fixtures (test modules import them by name: a tests/<area>/conftest.py would shadow tests/conftest.py,
# which test modules import as `conftest`)
@pytest.fixture(scope="session")
def postgres():
    """One real PostgreSQL for the session, started on first use."""
    server = start()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    """The central's engine: its own SQLite database (None), or the session's PostgreSQL (fresh database each)."""
    return request.getfixturevalue("postgres") if request.param == "postgresql" else None
