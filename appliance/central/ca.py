"""The central's small certificate authority: its own server certificate and each branch's client certificate.

Branches authenticate with mutual TLS: at enrolment a branch makes its own key (it never leaves the branch) and
sends a certificate request with its one-time token; the central signs it with this CA, naming the branch. The
branch pins this CA (the central's server certificate is signed by it). The central verifies every connection
against the CA and then checks the certificate's serial against the one it issued to that branch, so a revoked or
superseded certificate is refused at once, without CRLs (the central is the only one that checks them).
ECDSA P-256 keys: cheap handshakes on a small board.
"""
from __future__ import annotations

import datetime
import hashlib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from appliance import paths
from appliance.sync.keys import new_key, write_key

CA_DAYS = 7300            # twenty years: the central's life
CERT_DAYS = 3650          # a branch's or the server's certificate: ten years (revocation is by serial)


@dataclass(frozen=True)
class CaFiles:
    folder: Path

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def server_key(self) -> Path:
        return self.folder / "server.key"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.crt"


def files(data_dir: Path) -> CaFiles:
    return CaFiles(Path(data_dir) / "central")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def load_key(path: Path, what: str) -> ec.EllipticCurvePrivateKey:
    paths.check_private(path, what)
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def ensure(data_dir: Path) -> CaFiles:
    """The CA and the server certificate, made the first time (keys 0600)."""
    f = files(data_dir)
    if not f.ca_cert.exists():
        key = new_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Callbox central CA {socket.gethostname()}"[:64]),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Callbox")])
        now = _now()
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1))
                .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                                             key_cert_sign=True, crl_sign=True, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        write_key(f.ca_key, key)
        f.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if not f.server_cert.exists():
        key = new_key()
        host = socket.gethostname()
        san = x509.SubjectAlternativeName([x509.DNSName(host), x509.DNSName("localhost")])
        cert = _sign(data_dir, key.public_key(), host, ExtendedKeyUsageOID.SERVER_AUTH, san)
        f.server_key.unlink(missing_ok=True)
        write_key(f.server_key, key)
        f.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return f


def _sign(data_dir: Path, public, name: str, usage, san=None) -> x509.Certificate:
    f = files(data_dir)
    ca_key = load_key(f.ca_key, "central CA key")
    ca = x509.load_pem_x509_certificate(f.ca_cert.read_bytes())
    now = _now()
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
                                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Callbox")]))
               .issuer_name(ca.subject).public_key(public).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1))   # a branch clock a little behind
               .not_valid_after(now + datetime.timedelta(days=CERT_DAYS))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def sign_request(data_dir: Path, csr_pem: str, branch: str) -> tuple[str, str]:
    """A client certificate for `branch` from its certificate request (the name in the request is ignored: the token
    decides it): (certificate PEM, serial hex). ValueError for a request that is not one or not signed by its key."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as e:
        raise ValueError(f"bad certificate request: {e}") from None
    if not csr.is_signature_valid:
        raise ValueError("bad certificate request: its signature does not verify")
    cert = _sign(data_dir, csr.public_key(), branch, ExtendedKeyUsageOID.CLIENT_AUTH)
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii"), format(cert.serial_number, "x")


def der_fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def server_fingerprint(data_dir: Path) -> str:
    """SHA-256 (hex) of the server certificate: the part of an enrolment token that lets the branch pin it."""
    return der_fingerprint(ssl.PEM_cert_to_DER_cert(files(data_dir).server_cert.read_text("ascii")))


def server_context(data_dir: Path) -> ssl.SSLContext:
    """The receiver's TLS context: TLS 1.2+, the server certificate, client certificates checked against the CA
    when offered (the enrolment request has none; every other request needs one)."""
    f = ensure(data_dir)
    paths.check_private(f.server_key, "central server key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(f.server_cert), str(f.server_key))
    context.load_verify_locations(str(f.ca_cert))
    context.verify_mode = ssl.CERT_OPTIONAL
    return context
