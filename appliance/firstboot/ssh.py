"""SSH access to the appliance (issue 19, APP-4): off until an administrator turns it on from the web with public
keys. No password ever works: the image's sshd takes key logins for one dedicated user (USER), never root.

The web runs unprivileged and never starts a server: it checks the keys here and writes them to <data>/ssh/ (the data
partition: the root is read-only), authorized_keys first, then the state file ("on" or "off"). On the image the
root-owned callbox-ssh.path sees the state change and callbox-ssh.service (image/rootfs/usr/lib/callbox/apply-ssh)
checks the keys again, copies them to /run/callbox-ssh/authorized_keys, makes the host keys once (on the data
partition, root's alone) and starts or stops ssh.service; it writes what it did to <data>/ssh/applied.json, which
the web shows (with the host keys' fingerprints, to compare at the first connection).

Accepted: ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa of at least MIN_RSA_BITS bits, one a line as
`ssh-keygen` writes them (type, base64 key, optional comment), no options before the type. The key's bytes are
decoded and checked against its type (the RSA modulus gives its size), so a truncated or mistyped paste is refused
with the line it is on."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from appliance import files

FOLDER = "ssh"
KEYS = "authorized_keys"
STATE = "state"
APPLIED = "applied.json"
USER = "maint"                  # the image's SSH user (image/30-app.sh); root never logs in
MIN_RSA_BITS = 3072
MAX_KEYS = 20
MAX_LINE = 16384                # an RSA key of 16384 bits is under 3 kB; anything longer is not a key
ECDSA = {"ecdsa-sha2-nistp256": ("nistp256", 256, 65), "ecdsa-sha2-nistp384": ("nistp384", 384, 97),
         "ecdsa-sha2-nistp521": ("nistp521", 521, 133)}     # {key type: (curve, bits, uncompressed point's length)}
TYPES = ("ssh-ed25519", *ECDSA, "ssh-rsa")
COMMENT = re.compile(r"[^\x00-\x1f\x7f]*")


class BadKey(ValueError):
    """A pasted line that is not an accepted public key: `reason` (a code the web words: format, type, rsa_short,
    damaged, count, long), `line` (1-based) and the details `kind` and `bits`."""

    def __init__(self, reason: str, line: int = 0, kind: str = "", bits: int = 0):
        super().__init__(f"line {line}: {reason} {kind} {bits or ''}".strip())
        self.reason, self.line, self.kind, self.bits = reason, line, kind, bits


@dataclass(frozen=True)
class Key:
    kind: str                   # ssh-ed25519, ecdsa-sha2-nistp256, ..., ssh-rsa
    blob: str                   # the base64 key as pasted
    comment: str
    bits: int

    def line(self) -> str:
        return f"{self.kind} {self.blob} {self.comment}".rstrip()

    def fingerprint(self) -> str:
        """As `ssh-keygen -l` prints it: SHA256: and the unpadded base64 of the key bytes' SHA-256."""
        digest = hashlib.sha256(base64.b64decode(self.blob)).digest()
        return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def _strings(blob: bytes) -> list[bytes]:
    """The SSH wire format's length-prefixed strings of `blob`; ValueError unless it is exactly that."""
    out, at = [], 0
    while at < len(blob):
        if at + 4 > len(blob):
            raise ValueError("truncated length")
        (size,) = struct.unpack(">I", blob[at:at + 4])
        if at + 4 + size > len(blob):
            raise ValueError("truncated string")
        out.append(blob[at + 4:at + 4 + size])
        at += 4 + size
    return out


def _bits(kind: str, blob: bytes) -> int:
    """The key size of `blob`, checked against `kind`; ValueError when its bytes are not such a key."""
    parts = _strings(blob)
    if not parts or parts[0] != kind.encode("ascii"):
        raise ValueError("the key's bytes name another type")
    if kind == "ssh-ed25519":
        if len(parts) != 2 or len(parts[1]) != 32:
            raise ValueError("not an Ed25519 key")
        return 256
    if kind in ECDSA:
        curve, bits, point = ECDSA[kind]
        if len(parts) != 3 or parts[1] != curve.encode("ascii") or len(parts[2]) != point or parts[2][0] != 4:
            raise ValueError("not an ECDSA key")
        return bits
    if len(parts) != 3 or not parts[1] or not parts[2]:      # ssh-rsa: exponent, modulus (mpints)
        raise ValueError("not an RSA key")
    exponent, modulus = (int.from_bytes(p, "big") for p in parts[1:])
    if parts[1][0] & 0x80 or parts[2][0] & 0x80 or exponent < 3 or not exponent & 1 or not modulus & 1:
        raise ValueError("not an RSA key")
    return modulus.bit_length()


def parse_line(text: str, number: int = 1) -> Key:
    """One pasted line as a Key; BadKey saying why not."""
    if len(text) > MAX_LINE:
        raise BadKey("long", number)
    fields = text.strip().split(None, 2)
    if len(fields) < 2:
        raise BadKey("format", number)
    kind, blob = fields[0], fields[1]
    comment = fields[2].strip() if len(fields) == 3 else ""
    if kind not in TYPES:
        # options before the key (from=..., command=...) or another type (ssh-dss, security keys, certificates)
        known = kind.startswith(("ssh-", "ecdsa-", "sk-")) and re.fullmatch(r"[a-z0-9@.-]+", kind)
        raise BadKey("type" if known else "format", number, kind=kind if known else "")
    try:
        raw = base64.b64decode(blob, validate=True)
        bits = _bits(kind, raw)
    except (binascii.Error, ValueError):
        raise BadKey("damaged", number, kind=kind) from None
    if kind == "ssh-rsa" and bits < MIN_RSA_BITS:
        raise BadKey("rsa_short", number, kind=kind, bits=bits)
    if not COMMENT.fullmatch(comment):
        raise BadKey("format", number)
    return Key(kind, base64.b64encode(raw).decode("ascii"), comment, bits)


def parse(text: str) -> list[Key]:
    """Every key of a paste (blank lines and # comments skipped; a key given twice kept once), in order; BadKey for
    the first line that is not an accepted key, or more than MAX_KEYS keys."""
    keys: list[Key] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key = parse_line(line, number)
        if all(k.blob != key.blob for k in keys):
            keys.append(key)
        if len(keys) > MAX_KEYS:
            raise BadKey("count", number)
    return keys


def _write(path: Path, text: str) -> None:
    files.replace(path, text, mode=0o600)


def save(data_dir: Path, enabled: bool, keys: list[Key]) -> Path:
    """Write the keys, then the state (the file callbox-ssh.path watches); the folder. Enabling needs a key."""
    if enabled and not keys:
        raise BadKey("none")
    folder = Path(data_dir) / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    _write(folder / KEYS, "".join(k.line() + "\n" for k in keys))
    _write(folder / STATE, "on\n" if enabled else "off\n")
    return folder


def load(data_dir: Path) -> dict:
    """{"enabled", "keys" (Key list), "applied" (what apply-ssh last did: {} before it ran, or off the image)}."""
    folder = Path(data_dir) / FOLDER
    try:
        enabled = (folder / STATE).read_text(encoding="utf-8").strip() == "on"
    except OSError:
        enabled = False
    keys = []
    try:
        keys = parse((folder / KEYS).read_text(encoding="utf-8"))
    except (OSError, BadKey):
        pass
    try:
        applied = json.loads((folder / APPLIED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        applied = {}
    return {"enabled": enabled, "keys": keys, "applied": applied if isinstance(applied, dict) else {}}
