"""HTTPS for the web UI: the box's own certificate, made on first start, and the plain-HTTP port's redirect.

A box on an office LAN has no public name a public CA could vouch for, so on first start it makes a self-signed
certificate (ECDSA P-256: cheap handshakes on a small board) and prints its SHA-256 fingerprint on the console;
/setup shows it too, so the administrator can compare it with what the browser shows the first time. An
administrator may put a certificate of their own CA in its place (cert_file, key_file) and restart the web.
"""
from __future__ import annotations

import datetime
import hashlib
import ipaddress
import logging
import os
import re
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from appliance import paths

log = logging.getLogger(__name__)

VALID_DAYS = 3650       # ten years: the box's life; a box never renews by itself
HOST_HEADER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")


class TLSError(ValueError):
    """The web's certificate or key cannot be used; the message names the file."""


def files(web: Any, data_dir: Path) -> tuple[Path, Path]:
    """The [web] section's cert_file and key_file; relative paths are under the data directory."""
    return Path(data_dir) / web.cert_file, Path(data_dir) / web.key_file


def names(host: str) -> tuple[list[str], list[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    """The DNS names and addresses the certificate is for: this box's host name, localhost, loopback, the listen
    address when it is one address, and the addresses the host name resolves to."""
    dns = list(dict.fromkeys(n for n in (socket.gethostname(), socket.getfqdn(), "localhost") if n))
    ips: list[Any] = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    candidates = [host]
    try:
        candidates += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    except OSError:
        pass                # no resolver on a box without network yet: loopback and the listen address will do
    for text in candidates:
        try:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            continue
        if not ip.is_unspecified and ip not in ips:
            ips.append(ip)
    return dns, ips


def make_certificate(cert: Path, key: Path, host: str, now: datetime.datetime | None = None) -> None:
    """A new self-signed certificate and its private key (0600) for `host` (names()), written to cert and key."""
    from cryptography import x509      # late: only the web process, and only on a start that makes one
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = now or datetime.datetime.now(datetime.timezone.utc)
    private = ec.generate_private_key(ec.SECP256R1())
    dns, ips = names(host)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns[0][:64]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Callbox")])
    public = private.public_key()
    built = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(public)
             .serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(hours=1))   # a client clock a little behind
             .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
             .add_extension(x509.SubjectAlternativeName([*map(x509.DNSName, dns), *map(x509.IPAddress, ips)]),
                            critical=False)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                          crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
             .sign(private, hashes.SHA256()))
    key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    cert.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    # 0600 whatever the umask; O_EXCL: never over an existing key. Both reach the flash before the web serves with
    # them: the first start of a box is often followed by a power cut, after which an ext4 file written without
    # fsync can be empty (seen in `make image-test`).
    with open(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
        f.write(key_pem)
        f.flush()
        os.fsync(f.fileno())
    with open(cert, "wb") as f:
        f.write(built.public_bytes(serialization.Encoding.PEM))
        f.flush()
        os.fsync(f.fileno())
    for folder in dict.fromkeys((key.parent, cert.parent)):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# make_certificate in a child process of its own: cryptography's Rust core, once loaded, stays mapped for the life of
# the process that loads it (~8 MB of the web's PSS on an idle box, issue 14), for one certificate made once
_MAKE = ("import sys; from pathlib import Path; from webui.tls import make_certificate; "
         "make_certificate(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])")


def make_certificate_apart(cert: Path, key: Path, host: str) -> None:
    """make_certificate(cert, key, host) in a short-lived `python -c` of this interpreter, so that the calling
    process (the web) never maps cryptography; TLSError with the child's last line when it fails."""
    done = subprocess.run([sys.executable, "-c", _MAKE, os.path.abspath(cert), os.path.abspath(key), host],
                          capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise TLSError(f"[web] cert_file {cert}: the certificate could not be made: {why}")


def ensure_certificate(web: Any, data_dir: Path) -> bool:
    """Make the certificate when neither of [web] cert_file and key_file exists (True when made); TLSError when only
    one exists, and SecretFileError (appliance.paths) when others may read the key."""
    cert, key = files(web, data_dir)
    empty = [p for p in (cert, key) if p.exists() and p.stat().st_size == 0]
    if empty and all(p in empty or not p.exists() for p in (cert, key)):
        # nothing of a certificate, only the names of files a power cut emptied before they reached the flash (a
        # release before this one did not fsync them): made again, as on a first start
        log.warning("[web] cert_file and key_file are empty (a power cut during the first start?): making new ones")
        for p in empty:
            p.unlink()
    if not cert.exists() and not key.exists():
        make_certificate_apart(cert, key, web.host)
        return True
    for path, what in ((cert, "cert_file"), (key, "key_file")):
        if not path.exists():
            raise TLSError(f"[web] {what} {path} is missing (remove both files to have a new certificate made)")
    paths.check_private(key, "[web] key_file")
    return False


def fingerprint(cert: Path) -> str:
    """The SHA-256 fingerprint of the PEM certificate `cert` as browsers show it (AB:CD:...); TLSError if unreadable."""
    try:
        der = ssl.PEM_cert_to_DER_cert(cert.read_text(encoding="ascii"))
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise TLSError(f"[web] cert_file {cert}: {getattr(e, 'strerror', None) or e}") from None
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def server_context(web: Any, data_dir: Path) -> ssl.SSLContext:
    """The server's TLS context: TLS 1.2 or later, the certificate chain and key of [web]."""
    cert, key = files(web, data_dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as e:
        raise TLSError(f"[web] cert_file {cert} with key_file {key}: {getattr(e, 'strerror', None) or e}") from None
    return context


def redirect_app(https_port: int):
    """The WSGI app of the plain-HTTP port: every request is sent to the same path over HTTPS (308 keeps a POST a
    POST), on the host the browser asked for."""

    def app(environ, start_response):
        host = environ.get("HTTP_HOST", "")
        match = HOST_HEADER.match(host)
        name = match.group(1) if match else environ.get("SERVER_NAME", "localhost")
        if ":" in name and not name.startswith("["):
            name = f"[{name}]"      # an IPv6 listen address
        port = "" if https_port == 443 else f":{https_port}"
        query = environ.get("QUERY_STRING", "")
        target = f"https://{name}{port}{_path(environ)}{'?' + query if query else ''}"
        method = environ.get("REQUEST_METHOD", "GET")
        status = "301 Moved Permanently" if method in ("GET", "HEAD") else "308 Permanent Redirect"
        body = f"This web UI is served over HTTPS: {target}\n".encode("utf-8")
        start_response(status, [("Location", target), ("Content-Type", "text/plain; charset=utf-8"),
                                ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]

    return app


def _path(environ) -> str:
    """The request's path as the client sent it (PATH_INFO is decoded; quote it back)."""
    raw = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
    path = quote(raw, safe="/:@!$&'()*+,;=-._~%")
    return "/" + path.lstrip("/")    # never //host: a path must not become another site's address


_PLAIN = b"This port speaks HTTPS: put https:// before the address.\n"
PLAIN_ON_TLS_PORT = (b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(_PLAIN), _PLAIN))


def install_certificate(web: Any, data_dir: Path, cert_pem: bytes, key_pem: bytes) -> str:
    """Put an uploaded certificate (PEM, chain allowed) and its private key (PEM, unencrypted) in place of [web]
    cert_file and key_file, after checking that they load together; returns the new SHA-256 fingerprint, TLSError
    saying what is wrong (the files stay as they were). The running web uses them from its next start."""
    cert, key = files(web, data_dir)
    cert.parent.mkdir(parents=True, exist_ok=True)
    new_cert, new_key = cert.with_name(f".{cert.name}.new"), key.with_name(f".{key.name}.new")
    try:
        for path, data in ((new_key, key_pem), (new_cert, cert_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(str(new_cert), str(new_key), password=lambda: b"")
        except (OSError, ssl.SSLError) as e:
            raise TLSError(f"the certificate and key do not load together: {getattr(e, 'reason', None) or e} "
                           "(PEM files, the key not encrypted)") from None
        sha256 = fingerprint(new_cert)
        os.replace(new_key, key)
        os.replace(new_cert, cert)
        return sha256
    finally:
        for path in (new_cert, new_key):
            path.unlink(missing_ok=True)
