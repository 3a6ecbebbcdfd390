"""Report export to file servers (REP-10): [upload] targets (FTP, FTPS, SFTP, SMB), delivered through the outbox."""
from __future__ import annotations

import io
import logging
import re
import string
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qsl, unquote, urlsplit

from appliance import config, localtime, paths
from appliance.delivery import outbox

log = logging.getLogger(__name__)
ConfigError = config.ConfigError
KIND = "upload"
PORTS = {"ftp": 21, "ftps": 21, "sftp": 22, "smb": 445}
OPTIONS = {"ftp": {"password_file"}, "ftps": {"password_file", "ca_file"},
           "sftp": {"password_file", "key_file", "known_hosts"}, "smb": {"password_file", "domain", "encrypt"}}
FIELDS = ("name", "date", "branch", "target")
NAME = re.compile(r"\w[\w.-]*\Z")


class UploadError(Exception):
    """A failed upload. The message names the server and what went wrong, for an admin; it never holds a secret."""


@dataclass(frozen=True)
class Target:
    """One configured file server, as [upload] targets names it. Files hold its secrets; the URL never does."""
    name: str
    scheme: str                 # ftp, ftps, sftp or smb
    host: str
    port: int
    user: str
    absolute: bool              # the directory starts at / rather than at the login (home) directory
    dirs: tuple[str, ...]       # the directory the template's paths start from (smb: the share first)
    password_file: str = ""
    key_file: str = ""
    known_hosts: str = ""       # "" = [upload] known_hosts
    ca_file: str = ""
    domain: str = ""            # smb: the Windows domain (or workgroup) of the user
    encrypt: str = "yes"        # smb: demand SMB3 encryption ("no": as the server decides)


@dataclass(frozen=True)
class Login:
    """Where and as whom to connect. Secrets are already read from their files and never shown (repr=False)."""
    scheme: str
    host: str
    port: int
    user: str
    timeout: float
    password: str = field(default="", repr=False)
    key_file: str = ""          # sftp: private key (OpenSSH or PEM format, unencrypted)
    known_hosts: str = ""       # sftp: the server's key must be in this file
    ca_file: str = ""           # ftps: PEM CA(s) that signed the server's certificate; "" = the system's CAs
    domain: str = ""            # smb: the user's Windows domain or workgroup
    encrypt: bool = True        # smb: refuse a session the server will not encrypt

    @property
    def where(self) -> str:
        return f"{self.scheme}://{self.user + '@' if self.user else ''}{self.host}:{self.port}"


def parse_targets(text: str, where: str = "[upload] targets") -> dict[str, Target]:
    """The targets of `NAME = URL` lines; ConfigError naming the line for a bad one."""
    found: dict[str, Target] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, url = (s.strip() for s in line.partition("="))
        at = f"{where}: line {n} {name!r}"
        if not sep or not name or not url:
            raise ConfigError(f"{where}: line {n}: expected NAME = URL")
        if not NAME.match(name):
            raise ConfigError(f"{at}: a target name is letters, digits, '_', '-' and '.'")
        if name in found:
            raise ConfigError(f"{at}: the name is given twice")
        found[name] = _parse_url(name, url, at)
    return found


def _parse_url(name: str, url: str, at: str) -> Target:
    u = urlsplit(url)
    if u.scheme not in PORTS:
        raise ConfigError(f"{at}: {u.scheme or url!r} is not one of ftp://, ftps://, sftp://, smb://")
    if u.password is not None:
        raise ConfigError(f"{at}: no password in the URL; put it in a file named by ?password_file=")
    try:
        port = u.port or PORTS[u.scheme]
    except ValueError as e:
        raise ConfigError(f"{at}: {e}") from None
    if not u.hostname:
        raise ConfigError(f"{at}: the URL has no host")
    options = dict(parse_qsl(u.query, keep_blank_values=True))
    unknown = set(options) - OPTIONS[u.scheme]
    if unknown:
        raise ConfigError(f"{at}: unknown option(s) {', '.join(sorted(unknown))} for {u.scheme} "
                          f"(known: {', '.join(sorted(OPTIONS[u.scheme]))})")
    user = unquote(u.username or "")
    if u.scheme == "sftp" and not (user and (options.get("password_file") or options.get("key_file"))):
        raise ConfigError(f"{at}: sftp needs a user (sftp://USER@HOST/...) and password_file= or key_file=")
    if u.scheme == "smb" and not (user and options.get("password_file")):
        raise ConfigError(f"{at}: smb needs a user (smb://USER@HOST/SHARE/...) and password_file=")
    if options.get("encrypt", "yes") not in ("yes", "no"):
        raise ConfigError(f"{at}: encrypt={options['encrypt']!r}: yes or no")
    absolute, dirs = _base(u.scheme, unquote(u.path))
    if u.scheme == "smb" and not dirs:
        raise ConfigError(f"{at}: the URL names no share (smb://USER@HOST/SHARE/...)")
    return Target(name, u.scheme, u.hostname, port, user, absolute, dirs, **options)


def _base(scheme: str, path: str) -> tuple[bool, tuple[str, ...]]:
    """curl's reading of a URL's path: for FTP it is under the login directory (//dir or /%2Fdir for an
    absolute one); for SFTP it is absolute, /~/dir under the home directory; for SMB it is the share, then
    the directory in it."""
    if scheme == "smb":
        absolute = True
    elif scheme == "sftp":
        home = path == "/~" or path.startswith("/~/")
        absolute, path = not home and bool(path.strip("/")), path[2:] if home else path
    else:
        absolute, path = path.startswith("//"), path[1:]
    return absolute, tuple(p for p in path.split("/") if p)


def targets(cfg: config.Config) -> dict[str, Target]:
    """The configured targets, checked: ConfigError for a bad line or a bad path template."""
    section = cfg.section("upload")
    found = parse_targets(section.targets)
    render_path(section.path, name="report.csv", when_utc=0, tz=timezone.utc, branch="b", target="t")
    return found


def render_path(template: str, *, name: str, when_utc: float, tz: tzinfo, branch: str = "",
                target: str = "") -> str:
    """The relative path of a file from the [upload] path template; fields {name}, {date} (local date and
    time, e.g. {date:%Y-%m}), {branch} ('all' when empty) and {target}. ConfigError for a bad template."""
    used = set()
    try:
        for _, fieldname, _, _ in string.Formatter().parse(template):
            if fieldname is not None:
                used.add(fieldname)
    except ValueError as e:
        raise ConfigError(f"[upload] path {template!r}: {e}") from None
    bad = used - set(FIELDS)
    if bad or "" in used:
        raise ConfigError(f"[upload] path {template!r}: unknown field(s) {', '.join(sorted(bad)) or '{}'} "
                          f"(known: {', '.join(FIELDS)})")
    if "name" not in used:
        raise ConfigError(f"[upload] path {template!r}: must contain {{name}}")
    values = {"name": name, "branch": _component(branch or "all"), "target": target,
              "date": datetime.fromtimestamp(when_utc, tz)}
    path = template.format(**values)
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise ConfigError(f"[upload] path {template!r} gives {path!r}: empty, '.' or '..' parts")
    return path


def _component(text: str) -> str:
    """A field value as one path component: separators and control characters become '-'."""
    return "".join("-" if c in "/\\" or not c.isprintable() else c for c in text).strip() or "-"


def check_filename(filename: str) -> None:
    """ValueError unless `filename` is a plain file name (no directory part, no control characters)."""
    if (not filename or filename in (".", "..") or any(c in "/\\" or not c.isprintable() for c in filename)):
        raise ValueError(f"upload file name {filename!r} must be a plain name without / or \\")


def send(cfg: config.Config, data_dir: Path, target: str, path: str, data: bytes | BinaryIO) -> None:
    """Upload `data` (bytes, or a file open for reading in binary, read from where it stands to its end, in chunks:
    a backup of GBs never sits in RAM) now to `path` (relative, '/'-separated) under the target's directory,
    creating directories, through a temporary name renamed at the end. UploadError with an admin-fit message."""
    section = cfg.section("upload")
    t = targets(cfg).get(target)
    if t is None:
        raise UploadError(f"no upload target {target!r} in [upload] targets")
    *dirs, name = path.split("/")
    if any(p in ("", ".", "..") for p in path.split("/")):
        raise UploadError(f"{target}: bad path {path!r}")
    login = _login(t, Path(data_dir), section)
    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    size = _remaining(source)
    started = time.monotonic()
    from appliance.delivery import upload_clients  # late: paramiko (0.13 s to import) loads only to upload
    upload_clients.put(login, t.absolute, [*t.dirs, *dirs], name, source, size)
    log.info("upload: %s: %d bytes to %s (%.2f s)", t.name, size, "/".join((*t.dirs, *dirs, name)),
             time.monotonic() - started)


def _remaining(f: BinaryIO) -> int:
    """The bytes from the file's position to its end (the position is kept)."""
    here = f.tell()
    end = f.seek(0, io.SEEK_END)
    f.seek(here)
    return end - here


def _login(t: Target, data_dir: Path, section) -> Login:
    def path(p: str) -> str:
        return str(data_dir / p) if p else ""   # an absolute p stays as it is
    try:
        password = paths.read_secret(Path(path(t.password_file)), f"{t.name}: password_file") if t.password_file else ""
        if t.key_file:
            paths.check_private(Path(path(t.key_file)), f"{t.name}: key_file")
    except paths.SecretFileError as e:
        raise UploadError(str(e)) from None
    return Login(t.scheme, t.host, t.port, t.user, float(section.timeout_s), password,
                 key_file=path(t.key_file), known_hosts=path(t.known_hosts or section.known_hosts),
                 ca_file=path(t.ca_file), domain=t.domain, encrypt=t.encrypt != "no")


def queue(target: str, filename: str, data: bytes, *, key: str | None = None, branch: str = "",
          now: float | None = None) -> int:
    """Queue `data` for upload as `filename` to the named target through the outbox; returns the item id.
    The file's path comes from [upload] path at delivery, with the date of now (or `now`)."""
    check_filename(filename)
    payload = {"target": target, "filename": filename, "branch": branch,
               "queued_utc": time.time() if now is None else now, "data": bytes(data)}
    return outbox.enqueue(KIND, payload, key=key, summary=f"{target}: {filename}")


def deliver(cfg: config.Config, data_dir: Path, payload: dict) -> None:
    """The outbox's deliverer for "upload" items: render the path and send."""
    tz = localtime.zone(cfg.raw_section("pbx").get("timezone", "").strip())
    path = render_path(cfg.section("upload").path, name=payload["filename"], when_utc=payload["queued_utc"],
                       tz=tz, branch=payload.get("branch", ""), target=payload["target"])
    send(cfg, data_dir, payload["target"], path, payload["data"])


outbox.register(KIND, deliver)
