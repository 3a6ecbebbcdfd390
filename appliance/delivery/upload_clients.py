"""File-server clients for report export: FTP, FTPS (explicit TLS), SFTP and SMB; a temporary name, then a rename."""
from __future__ import annotations

import errno
import ftplib
import logging
import posixpath
import socket
import shutil
import ssl
from typing import BinaryIO

import paramiko

from appliance.delivery.upload import Login, UploadError

log = logging.getLogger(__name__)
CHUNK = 1 << 16     # bytes read from the file and handed to the client at a time (SFTP: paramiko's own 32 KiB)


def temp_name(name: str) -> str:
    """The name a file is written under before the rename: hidden on Unix, clearly unfinished everywhere."""
    return f".{name}.part"


def put(login: Login, absolute: bool, dirs: list[str], name: str, source: BinaryIO, size: int) -> None:
    """Write the `size` bytes `source` holds from its position as dirs/name (from the login directory, or from /
    when absolute), creating the directories. Read and sent a chunk (CHUNK) at a time: never whole in RAM."""
    if login.scheme == "sftp":
        _sftp_put(login, absolute, dirs, name, source, size)
    elif login.scheme == "smb":
        _smb_put(login, dirs, name, source)
    else:
        _ftp_put(login, absolute, dirs, name, source)


def _describe(e: BaseException, login: Login) -> str:
    if isinstance(e, ssl.SSLCertVerificationError):
        return (f"the server's TLS certificate is not trusted ({e.verify_message}); if it is self-signed or from "
                f"a private CA, name that CA's PEM file with ca_file= in the target's URL")
    if isinstance(e, (socket.timeout, TimeoutError)):
        return f"no answer within {login.timeout:g} s"
    if isinstance(e, ConnectionRefusedError):
        return "connection refused (is the server running, is the port right?)"
    if isinstance(e, socket.gaierror):
        return f"unknown host name ({e.strerror})"
    if isinstance(e, EOFError):
        return "the server closed the connection"
    return f"{e.strerror or e}" if isinstance(e, OSError) else f"{e}"


class _FTP_TLS(ftplib.FTP_TLS):
    """Data connections resume the control connection's TLS session: FileZilla Server and vsftpd
    (require_ssl_reuse) refuse a data channel that does not, and ftplib does not do it by itself."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


def _ftp_put(login: Login, absolute: bool, dirs: list[str], name: str, source: BinaryIO) -> None:
    step = "connecting"
    try:
        if login.scheme == "ftps":
            ftp: ftplib.FTP = _FTP_TLS(context=ssl.create_default_context(cafile=login.ca_file or None),
                                       timeout=login.timeout)
        else:
            ftp = ftplib.FTP(timeout=login.timeout)
        with ftp:
            ftp.connect(login.host, login.port)
            if isinstance(ftp, _FTP_TLS):
                step = "starting TLS (AUTH TLS)"
                ftp.auth()
            step = "logging in"
            _ftp_login(ftp, login)
            if isinstance(ftp, _FTP_TLS):
                step = "protecting the data channel (PROT P)"
                ftp.prot_p()
            try:
                ftp.sendcmd("OPTS UTF8 ON")   # Windows IIS sends and takes UTF-8 names only after this
            except ftplib.error_perm:
                pass
            step = "creating the directories"
            _ftp_cwd(ftp, absolute, dirs)
            step = f"writing {temp_name(name)}"
            ftp.storbinary(f"STOR {temp_name(name)}", source, blocksize=CHUNK)
            step = f"renaming {temp_name(name)} to {name}"
            _ftp_rename(ftp, name)
    except UploadError:
        raise
    except ftplib.all_errors as e:   # OSError covers ssl.SSLError and socket timeouts
        raise UploadError(f"{login.where}: {step}: {_describe(e, login)}") from None


def _ftp_login(ftp: ftplib.FTP, login: Login) -> None:
    try:
        ftp.login(login.user or "anonymous", login.password)
    except ftplib.error_perm as e:
        raise UploadError(f"{login.where}: login refused for user {login.user or 'anonymous'!r} ({e}); check the "
                          f"user name and the password file") from None


def _ftp_cwd(ftp: ftplib.FTP, absolute: bool, dirs: list[str]) -> None:
    if absolute:
        ftp.cwd("/")
    for d in dirs:
        try:
            ftp.cwd(d)
        except ftplib.error_perm:
            ftp.mkd(d)
            ftp.cwd(d)


def _ftp_rename(ftp: ftplib.FTP, name: str) -> None:
    try:
        ftp.rename(temp_name(name), name)
    except ftplib.error_perm:
        # Windows servers (IIS) refuse to rename onto an existing file: remove the old version, then rename.
        try:
            ftp.delete(name)
        except ftplib.error_perm:
            raise UploadError(f"cannot rename {temp_name(name)} to {name}") from None
        ftp.rename(temp_name(name), name)


class _RefuseUnknown(paramiko.MissingHostKeyPolicy):
    """No blind trust: a server whose key is not in known_hosts is refused, with what an admin needs to add it."""

    def __init__(self, known_hosts: str):
        self.known_hosts = known_hosts

    def missing_host_key(self, client, hostname, key):
        raise UploadError(
            f"sftp://{hostname}: host key not in {self.known_hosts}: refused. The server offered {key.get_name()} "
            f"{key.fingerprint}; if its administrator confirms that fingerprint, add this line to the file: "
            f"{hostname} {key.get_name()} {key.get_base64()}")


def _ssh_connect(login: Login) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    try:
        client.get_host_keys().load(login.known_hosts)   # get_host_keys, not load_host_keys: never written back
    except OSError as e:
        raise UploadError(f"{login.where}: cannot read the known_hosts file {login.known_hosts} ({e.strerror}); "
                          f"create it with the server's key: ssh-keyscan -p {login.port} {login.host}, checked "
                          f"against the fingerprint its administrator gives you") from None
    client.set_missing_host_key_policy(_RefuseUnknown(login.known_hosts))
    try:
        client.connect(login.host, login.port, username=login.user, password=login.password or None,
                       key_filename=login.key_file or None, timeout=login.timeout, banner_timeout=login.timeout,
                       auth_timeout=login.timeout, channel_timeout=login.timeout,
                       allow_agent=False, look_for_keys=False)
    except paramiko.BadHostKeyException as e:
        client.close()
        raise UploadError(f"{login.where}: the server's host key CHANGED (now {e.key.get_name()} "
                          f"{e.key.fingerprint}, known_hosts has {e.expected_key.fingerprint}): refused. If the "
                          f"server was reinstalled, replace its line in {login.known_hosts}") from None
    except paramiko.AuthenticationException as e:
        client.close()
        raise UploadError(f"{login.where}: login refused for user {login.user!r} ({e}); check the user name, "
                          f"the password file or the key file") from None
    except BaseException:
        client.close()
        raise
    return client


def _sftp_put(login: Login, absolute: bool, dirs: list[str], name: str, source: BinaryIO, size: int) -> None:
    step = "connecting"
    try:
        with _ssh_connect(login) as client, client.open_sftp() as sftp:
            step = "creating the directories"
            d = _sftp_dirs(sftp, absolute, dirs)
            tmp, final = posixpath.join(d, temp_name(name)), posixpath.join(d, name)
            step = f"writing {tmp}"
            sftp.putfo(source, tmp, file_size=size, confirm=True)
            step = f"renaming {tmp} to {final}"
            _sftp_rename(sftp, tmp, final)
    except UploadError:
        raise
    except (OSError, EOFError, paramiko.SSHException) as e:
        raise UploadError(f"{login.where}: {step}: {_describe(e, login)}") from None


def _sftp_dirs(sftp: paramiko.SFTPClient, absolute: bool, dirs: list[str]) -> str:
    d = "/" if absolute else ""
    for part in dirs:
        d = posixpath.join(d, part)
        try:
            sftp.stat(d)
        except FileNotFoundError:
            sftp.mkdir(d)
    return d


def _sftp_rename(sftp: paramiko.SFTPClient, tmp: str, final: str) -> None:
    try:
        sftp.posix_rename(tmp, final)   # OpenSSH's extension: replaces an existing file atomically
    except OSError:
        # A server without it: SFTP's own rename refuses an existing target, so remove the old version first.
        try:
            sftp.remove(final)
        except FileNotFoundError:
            pass
        sftp.rename(tmp, final)


def _smb_put(login: Login, dirs: list[str], name: str, source: BinaryIO) -> None:
    """SMB 2/3 with NTLM (smbprotocol): dirs[0] is the share. The session must be encrypted unless the target
    says encrypt=no; signing is always required."""
    import smbclient   # late: only SMB targets load it
    from smbprotocol import exceptions as smb_errors
    share, *sub = dirs
    cache: dict = {}   # this upload's own connection, closed at the end (smbclient pools them otherwise)
    user = f"{login.domain}\\{login.user}" if login.domain else login.user
    kw = {"port": login.port, "connection_cache": cache, "connection_timeout": login.timeout}
    d = f"\\\\{login.host}\\{share}"
    step = "connecting"
    try:
        smbclient.register_session(login.host, username=user, password=login.password,
                                   encrypt=True if login.encrypt else None, **kw)
        step = "opening the share"
        smbclient.stat(d, **kw)
        for part in sub:
            d += "\\" + part
            step = f"creating the directory {d}"
            smbclient.makedirs(d, exist_ok=True, **kw)
        tmp, final = f"{d}\\{temp_name(name)}", f"{d}\\{name}"
        step = f"writing {tmp}"
        with smbclient.open_file(tmp, mode="wb", **kw) as f:
            shutil.copyfileobj(source, f, CHUNK)
        step = f"renaming {tmp} to {final}"
        smbclient.replace(tmp, final, **kw)   # replaces an older version of the file, as the other clients do
    except (smb_errors.LogonFailure, smb_errors.WrongPassword, smb_errors.SMBAuthenticationError) as e:
        raise UploadError(f"{login.where}: login refused for user {user!r} ({type(e).__name__}); check the user "
                          f"name, domain= and the password file") from None
    except (smb_errors.SMBException, OSError, ValueError) as e:   # ValueError: smbprotocol's connect failures
        if step == "opening the share" and getattr(e, "errno", None) == errno.ENOENT:
            raise UploadError(f"{login.where}: the server has no share {share!r}") from None
        hint = ""
        if step == "connecting" and login.encrypt and isinstance(e, smb_errors.SMBException):
            hint = ("; encryption is demanded and needs SMB 3: for an older server on a trusted network, add "
                    "encrypt=no to the target's URL")
        raise UploadError(f"{login.where}: {step}: {_describe(e, login)}{hint}") from None
    finally:
        smbclient.reset_connection_cache(fail_on_error=False, connection_cache=cache)
