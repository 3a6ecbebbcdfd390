"""A real SMB server on loopback for tests: Debian's samba smbd, run in the foreground on a free port with its
own configuration, state and password database under a temporary directory.

smbd authenticates against its own database, but every SMB user must also be a Unix account: the server
creates the system account USER once (no home, no shell, no password of its own; needs root, as CI has).
Files are written as root (`force user`), so the share may live under the tests' private temporary directory.

`Relay` sits between a client and the server and keeps every byte the client sent: a test can look for
plain text on the wire.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

USER = "callbox-smbtest"
SMBD = "/usr/sbin/smbd"


def available() -> str:
    """Why this machine cannot run the server, or "" when it can."""
    if not os.path.exists(SMBD):
        return (f"{SMBD} is not installed: run `make test` as root (it installs samba, provisioning/system-deps.txt), "
                f"or apt-get install -y --no-install-recommends samba")
    if os.geteuid() != 0:
        return "smbd and its Unix account need root: run the SMB tests as root"
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _has_account() -> bool:
    return subprocess.run(["getent", "passwd", USER], capture_output=True).returncode == 0


def _unix_account() -> None:
    """USER made once. Two test processes (pytest -n 2) may both find it missing and both run useradd: the one that
    comes second fails ("already exists", or the passwd file locked), and finds it there afterwards."""
    if _has_account():
        return
    made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                          capture_output=True, text=True)
    if made.returncode != 0 and not _has_account():
        raise RuntimeError(f"useradd {USER} failed ({made.returncode}): {made.stderr.strip()}")


class SMBServer:
    """smbd serving `share` (a directory) as \\\\127.0.0.1\\NAME to USER with `password`; `encrypt` is smbd's
    "server smb encrypt" (if_required: a client may ask for encryption; required; off); `max_protocol` SMB2_10
    plays an old server, which cannot encrypt."""

    def __init__(self, workdir: Path, share: Path, password: str, name: str = "reports",
                 encrypt: str = "if_required", max_protocol: str = "SMB3"):
        self.dir, self.share, self.password, self.name = Path(workdir), Path(share), password, name
        self.port = _free_port()
        for sub in ("private", "lock", "state", "cache", "pid", "ncalrpc", "log"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.share.mkdir(parents=True, exist_ok=True)
        d = self.dir
        self.conf = d / "smb.conf"
        self.conf.write_text(f"""[global]
  workgroup = CALLBOXTEST
  server role = standalone server
  smb ports = {self.port}
  bind interfaces only = yes
  interfaces = 127.0.0.1
  disable netbios = yes
  server min protocol = SMB2_02
  server max protocol = {max_protocol}
  server smb encrypt = {encrypt}
  private dir = {d}/private
  lock directory = {d}/lock
  state directory = {d}/state
  cache directory = {d}/cache
  pid directory = {d}/pid
  ncalrpc dir = {d}/ncalrpc
  log file = {d}/log/log.%m
  passdb backend = tdbsam:{d}/private/passdb.tdb
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes

[{name}]
  path = {share}
  read only = no
  valid users = {USER}
  force user = root
""", encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> SMBServer:
        if problem := available():
            pytest.fail(problem)   # as for slapd: a missing server is a failure, never a silent skip
        _unix_account()
        subprocess.run([shutil.which("smbpasswd") or "/usr/bin/smbpasswd", "-c", str(self.conf), "-s", "-a", USER],
                       input=f"{self.password}\n{self.password}\n", text=True, check=True, capture_output=True)
        # its own session: smbd ends by signalling its whole process group, which must not be the tests'
        self.proc = subprocess.Popen([SMBD, "--foreground", "--no-process-group", "--debug-stdout",
                                      f"--configfile={self.conf}"], start_new_session=True,
                                     stdout=open(self.dir / "log" / "smbd.out", "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"smbd exited {self.proc.returncode}: "
                                   f"{(self.dir / 'log' / 'smbd.out').read_text(errors='replace')[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("smbd did not listen within 20 s")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Relay:
    """A TCP relay on a free loopback port to `port`, keeping what clients sent (`sent`)."""

    def __init__(self, port: int):
        self.target = port
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sent = bytearray()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, record: bool) -> None:
        try:
            while data := src.recv(65536):
                if record:
                    with self._lock:
                        self.sent += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
