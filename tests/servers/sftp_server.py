"""A real SFTP server on loopback for tests: paramiko's server side serving one directory, logging what clients do."""
from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import paramiko
from paramiko.sftp import SFTP_FAILURE, SFTP_OK


class SFTPServer:
    """Serves `root` as / to users logging in with a password (`users`) or a key (`keys`: user -> public key).

    `ops` records (operation, path...) tuples in order; a write making a file longer than `quota` bytes fails;
    `posix_rename=False` makes the server refuse OpenSSH's posix-rename extension, as some servers do."""

    def __init__(self, root: Path, users: dict[str, str] | None = None, keys: dict[str, paramiko.PKey] | None = None,
                 quota: int | None = None, posix_rename: bool = True):
        self.root, self.users, self.keys = Path(root), users or {}, keys or {}
        self.quota, self.posix_rename = quota, posix_rename
        self.host_key = paramiko.ECDSAKey.generate()
        self.ops: list[tuple] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.transports: list[paramiko.Transport] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def known_hosts_line(self) -> str:
        return f"[127.0.0.1]:{self.port} {self.host_key.get_name()} {self.host_key.get_base64()}\n"

    def __enter__(self) -> SFTPServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)   # wakes the accept() (a close alone does not on Linux)
        self.sock.close()
        for t in self.transports:
            t.close()
        self.thread.join(5)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            t = paramiko.Transport(conn)
            t.add_server_key(self.host_key)
            t.set_subsystem_handler("sftp", paramiko.SFTPServer, _Files)
            self.transports.append(t)
            try:
                t.start_server(server=_Auth(self))
            except (paramiko.SSHException, EOFError, OSError):
                t.close()


class _Auth(paramiko.ServerInterface):
    def __init__(self, server: SFTPServer):
        self.server = server

    def get_allowed_auths(self, username):
        return "password,publickey"

    def check_auth_password(self, username, password):
        ok = self.server.users.get(username) == password
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username, key):
        ok = self.server.keys.get(username) == key
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _Handle(paramiko.SFTPHandle):
    quota: int | None = None

    def stat(self):
        return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))

    def chattr(self, attr):
        return SFTP_OK

    def write(self, offset, data):
        if self.quota is not None and offset + len(data) > self.quota:
            return SFTP_FAILURE
        return super().write(offset, data)


class _Files(paramiko.SFTPServerInterface):
    """The served directory; relative paths are relative to / (the home directory is the root)."""

    def __init__(self, auth: _Auth, *args, **kwargs):
        super().__init__(auth, *args, **kwargs)
        self.server = auth.server

    def canonicalize(self, path):
        return os.path.normpath("/" + path).replace("//", "/")

    def _real(self, path) -> str:
        return str(self.server.root / self.canonicalize(path).lstrip("/"))

    def _log(self, *op):
        self.server.ops.append(op)

    def _os(self, fn, *args):
        try:
            fn(*args)
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)
        return SFTP_OK

    def list_folder(self, path):
        real = self._real(path)
        try:
            return [paramiko.SFTPAttributes.from_stat(os.stat(os.path.join(real, n)), n) for n in os.listdir(real)]
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)

    def stat(self, path):
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(self._real(path)))
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)

    lstat = stat

    def open(self, path, flags, attr):
        self._log("open", self.canonicalize(path), "w" if flags & (os.O_WRONLY | os.O_RDWR) else "r")
        try:
            fd = os.open(self._real(path), flags, 0o644)
        except OSError as e:
            return paramiko.SFTPServer.convert_errno(e.errno)
        mode = ("ab" if flags & os.O_APPEND else "wb") if flags & os.O_WRONLY else \
            "r+b" if flags & os.O_RDWR else "rb"
        handle = _Handle(flags)
        handle.quota = self.server.quota
        handle.filename = path
        handle.readfile = handle.writefile = os.fdopen(fd, mode)
        return handle

    def remove(self, path):
        self._log("remove", self.canonicalize(path))
        return self._os(os.remove, self._real(path))

    def rename(self, oldpath, newpath):
        self._log("rename", self.canonicalize(oldpath), self.canonicalize(newpath))
        if os.path.exists(self._real(newpath)):
            return SFTP_FAILURE   # SFTP v3 rename does not replace (OpenSSH's sftp-server behaves so)
        return self._os(os.rename, self._real(oldpath), self._real(newpath))

    def posix_rename(self, oldpath, newpath):
        if not self.server.posix_rename:
            return paramiko.sftp.SFTP_OP_UNSUPPORTED
        self._log("posix_rename", self.canonicalize(oldpath), self.canonicalize(newpath))
        return self._os(os.replace, self._real(oldpath), self._real(newpath))

    def mkdir(self, path, attr):
        self._log("mkdir", self.canonicalize(path))
        return self._os(os.mkdir, self._real(path))

    def rmdir(self, path):
        return self._os(os.rmdir, self._real(path))

    def chattr(self, path, attr):
        return SFTP_OK
