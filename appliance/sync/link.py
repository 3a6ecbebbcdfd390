"""The branch's HTTPS link to its central: enrolment (pinning the central's certificate) and mutual-TLS requests.

Enrolment trusts nothing it has not checked: the token carries the SHA-256 of the central's server certificate, and
the certificate request is sent only on a connection whose certificate has that fingerprint. After it, every
request verifies the central against the CA it sent (pinned in <data>/sync/ca.crt) and presents the branch's own
certificate; the name in the URL is not checked (the pinned CA, private to this central, stands for it).
"""
from __future__ import annotations

import hashlib
import http.client
import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

TIMEOUT_S = 30.0


class LinkError(OSError):
    """The central could not be reached or refused; the message says which and why."""

    def __init__(self, message: str, status: int = 0, doc: dict | None = None):
        super().__init__(message)
        self.status, self.doc = status, doc or {}


@dataclass(frozen=True)
class Files:
    folder: Path

    @property
    def key(self) -> Path:
        return self.folder / "client.key"

    @property
    def cert(self) -> Path:
        return self.folder / "client.crt"

    @property
    def ca(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def enrolment(self) -> Path:
        return self.folder / "central.json"


def files(data_dir: Path) -> Files:
    return Files(Path(data_dir) / "sync")


def split_url(url: str) -> tuple[str, int]:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"central URL {url!r}: expected https://HOST:PORT")
    return parts.hostname, parts.port or 443


def _json(response: http.client.HTTPResponse) -> dict:
    raw = response.read()
    try:
        doc = json.loads(raw or b"{}")
    except ValueError:
        doc = {"error": raw[:200].decode("utf-8", "replace")}
    return doc if isinstance(doc, dict) else {"error": str(doc)[:200]}


def enrol(url: str, token: str, csr_pem: str, timeout: float = TIMEOUT_S) -> dict:
    """POST the request with the token to the central whose certificate the token names: {"branch", "cert", "ca"}."""
    _secret, dot, fingerprint = token.strip().partition(".")
    if not dot or len(fingerprint) != 64:
        raise ValueError("enrolment token: expected the whole token `callbox central branch add` printed")
    host, port = split_url(url)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE    # checked below, by the fingerprint, before anything is sent
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=timeout)
    try:
        conn.connect()
        der = conn.sock.getpeercert(binary_form=True) or b""   # type: ignore[union-attr]
        if hashlib.sha256(der).hexdigest() != fingerprint.lower():
            raise LinkError(f"{url} is not the central that made this token (its certificate's fingerprint differs)")
        body = json.dumps({"token": token.strip(), "csr": csr_pem}).encode()
        conn.request("POST", "/sync/enroll", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        doc = _json(response)
    except OSError as e:
        if isinstance(e, LinkError):
            raise
        raise LinkError(f"{url}: {e}") from None
    finally:
        conn.close()
    if response.status != 200:
        raise LinkError(f"{url}: {doc.get('error', response.status)}", response.status, doc)
    return doc


class Link:
    """Requests to the enrolled central with the branch's certificate; one connection per request (a batch is
    seconds apart: keeping it open buys nothing, and a fresh one recovers from any cut)."""

    def __init__(self, url: str, f: Files, timeout: float = TIMEOUT_S):
        self.url = url
        self.host, self.port = split_url(url)
        self.timeout = timeout
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.check_hostname = False        # the pinned, private CA stands for the name
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.load_verify_locations(str(f.ca))
        self.context.load_cert_chain(str(f.cert), str(f.key))

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> dict:
        """The central's JSON answer; LinkError (with status and answer) for a refusal or a failed connection."""
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=self.timeout)
        try:
            conn.request(method, path, body, headers or {})
            response = conn.getresponse()
            doc = _json(response)
        except (OSError, http.client.HTTPException) as e:
            raise LinkError(f"{self.url}: {e or type(e).__name__}") from None
        finally:
            conn.close()
        if response.status != 200:
            raise LinkError(f"{self.url}: {response.status} {doc.get('error', '')}".strip(), response.status, doc)
        return doc
