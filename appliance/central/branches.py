"""The branches enrolled on a central: adding one (a one-time token), enrolling it (the token for a certificate),
revoking it, and the check every sync request passes (its certificate is the one issued to it, not revoked)."""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
import unicodedata
from pathlib import Path

from appliance.store.central_db import transaction
from appliance.store import directory as sd
from appliance.store.sync import CentralBranch, same_name

log = logging.getLogger(__name__)
TOKEN_VALID_S = 24 * 3600
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")   # the identity: a certificate's name, the calls' key
MAX_LABEL = 100


class BranchError(ValueError):
    """A branch command or an enrolment that cannot be done; the message says why."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _label(text: str) -> str:
    label = unicodedata.normalize("NFC", text.strip())
    if len(label) > MAX_LABEL or any(unicodedata.category(ch) == "Cc" for ch in label):
        raise BranchError(f"display name {text!r}: at most {MAX_LABEL} characters, no control characters")
    return label


def directory_branch(unit_name: str, required: bool) -> int | None:
    """The id of the central directory's branch written as `unit_name` (any tenant); None when there is none (or
    several) and it is not `required`, else BranchError."""
    found = [b.id for b in sd.Branch.select(sd.Branch.id, sd.Branch.name) if same_name(b.name, unit_name)]
    if len(found) == 1:
        return found[0]
    if required:
        raise BranchError(f"{'several branches' if found else 'no branch'} named {unit_name!r} in this central's "
                          "directory" + (" (rename one)" if found else ""))
    return None


def add(data_dir: Path, name: str, now: int | None = None, label: str = "", unit_name: str | None = None) -> str:
    """Enrol `name` (or give a branch not yet enrolled, or revoked, a new token): the one-time token, valid 24 h.

    `name` is the box's identity (ASCII), `label` its display name (Unicode; default the name); the box is linked
    to the central directory's branch `unit_name` (default: the one written as its display name, if any), whose
    branch users then see its calls. The token is SECRET.FINGERPRINT: the secret (stored hashed) and the SHA-256
    of the central's server certificate, which the branch pins at enrolment."""
    if not NAME.match(name):
        raise BranchError(f"branch name {name!r}: letters, digits, '_', '.', '-' (at most 64, no space); a name "
                          "like 'İzmir' is the display name (--label)")
    label = _label(label)
    unit = directory_branch(unit_name, True) if unit_name else directory_branch(label or name, False)
    # late: the CA (cryptography, ~7 MB of PSS) only when a branch is added or enrols, not in the web's every page
    from appliance.central import ca
    ca.ensure(data_dir)
    now = int(time.time()) if now is None else now
    secret = secrets.token_hex(24)      # hex: never begins with "-", which a command line would take for an option
    with transaction():
        row = CentralBranch.get_or_none(CentralBranch.name == name)
        if row is not None and row.cert_serial and not row.revoked:
            raise BranchError(f"branch {name!r} is already enrolled (revoke it first to enrol it again)")
        if row is None:
            CentralBranch.create(name=name, token_hash=_hash(secret), token_expires_utc=now + TOKEN_VALID_S,
                                 created_utc=now, label=label, unit=unit, missed_built=1)   # no calls yet
        else:
            kept: dict[str, object] = {"label": label} if label else {}
            if unit is not None:
                kept["unit"] = unit
            CentralBranch.update(token_hash=_hash(secret), token_expires_utc=now + TOKEN_VALID_S, cert_serial="",
                                 revoked=0, **kept).where(CentralBranch.name == name).execute()
    log.info("branch %s added: enrolment token valid until %d", name, now + TOKEN_VALID_S)
    return f"{secret}.{ca.server_fingerprint(data_dir)}"


def change(name: str, label: str | None = None, unit_name: str | None = None, silent_s: int = 3600) -> dict:
    """A branch box's display name and its directory branch (`unit_name` "" unlinks it): its listing row after."""
    values: dict = {}
    if label is not None:
        values["label"] = _label(label)
    if unit_name is not None:
        values["unit"] = directory_branch(unit_name, True) if unit_name.strip() else None
    with transaction():
        if not CentralBranch.select().where(CentralBranch.name == name).exists():
            raise BranchError(f"no branch {name!r}")
        if values:
            CentralBranch.update(**values).where(CentralBranch.name == name).execute()
    log.info("branch %s changed: %s", name, values)
    return next(r for r in listing(silent_s) if r["branch"] == name)


def revoke(name: str) -> None:
    """Cut `name` off: its certificate and any unused token are refused from now on. Its calls stay."""
    with transaction():
        n = CentralBranch.update(revoked=1, token_hash="").where(CentralBranch.name == name).execute()
    if not n:
        raise BranchError(f"no branch {name!r}")
    log.warning("branch %s revoked", name)


def enrol(data_dir: Path, token: str, csr_pem: str, now: int | None = None) -> tuple[str, str]:
    """Use a token once: (branch name, client certificate PEM). BranchError for an unknown, used or expired token."""
    now = int(time.time()) if now is None else now
    secret = token.split(".", 1)[0]
    with transaction():
        row = next((r for r in CentralBranch.select().where(CentralBranch.token_hash != "")
                    if hmac.compare_digest(r.token_hash, _hash(secret))), None)
        if row is None:
            raise BranchError("unknown or already used enrolment token")
        if row.revoked or row.token_expires_utc < now:
            raise BranchError(f"the enrolment token of branch {row.name!r} has expired (callbox central branch add "
                              "gives a new one)")
        from appliance.central import ca   # late: as in add()
        cert, serial = ca.sign_request(data_dir, csr_pem, row.name)
        CentralBranch.update(token_hash="", cert_serial=serial).where(CentralBranch.name == row.name).execute()
    log.info("branch %s enrolled (certificate %s)", row.name, serial)
    return row.name, cert


def authorised(peer: dict | None) -> str:
    """The branch a verified client certificate (ssl getpeercert()) belongs to; BranchError when there is none, or it
    is not the one issued to that branch, or the branch is revoked."""
    if not peer:
        raise BranchError("no client certificate (enrol the branch: callbox sync enroll)")
    name = next((v for rdn in peer.get("subject", ()) for k, v in rdn if k == "commonName"), "")
    row = CentralBranch.get_or_none(CentralBranch.name == name)
    if row is None:
        raise BranchError(f"unknown branch {name!r}")
    if row.revoked:
        raise BranchError(f"branch {name!r} is revoked")
    try:
        serial = int(str(peer.get("serialNumber", "")), 16)
    except ValueError:
        serial = -1
    if not row.cert_serial or serial != int(row.cert_serial, 16):
        raise BranchError(f"branch {name!r}: not the certificate issued to it (superseded or revoked)")
    return name


def note_health(name: str, health: dict, now: int | None = None) -> None:
    """Keep what a branch's request said of it (backlog, journal, quarantine, tariff and directory versions),
    noting when its tariffs or directory changed."""
    if not health:
        return
    now = int(time.time()) if now is None else now
    with transaction():
        row = CentralBranch.get_or_none(CentralBranch.name == name)
        if row is None:
            return
        values = dict(health)
        for column in ("tariffs", "directory"):
            if column in values and values[column] != getattr(row, column):
                values[f"{column}_changed_utc"] = now
                log.info("branch %s: %s now %s", name, column, values[column])
        CentralBranch.update(**values).where(CentralBranch.name == name).execute()


def listing(silent_s: int, now: int | None = None) -> list[dict]:
    """Every branch with its health, for `callbox central branch list`: enrolled, revoked, the link ("up": heard
    from within `silent_s`, "silent", "never" heard from, "revoked"), its last batch, newest call and release."""
    now = int(time.time()) if now is None else now

    def link(r: CentralBranch) -> str:
        return ("revoked" if r.revoked else "never" if not r.last_seen_utc
                else "up" if now - r.last_seen_utc < silent_s else "silent")
    units = {b.id: b.name for b in sd.Branch.select(sd.Branch.id, sd.Branch.name)}
    return [{"branch": r.name, "label": r.label or r.name,
             "directory_branch": units.get(r.unit, "") if r.unit is not None else "",
             "enrolled": bool(r.cert_serial), "revoked": bool(r.revoked), "link": link(r),
             "last_seen_utc": r.last_seen_utc or None, "last_seq": r.last_seq,
             "last_batch_utc": r.last_batch_utc or None, "last_record_utc": r.last_record_utc or None,
             "version": r.version, "pending": r.pending, "journal_bytes": r.journal_bytes,
             "quarantined": r.quarantined, "tariffs": r.tariffs, "tariffs_changed_utc": r.tariffs_changed_utc or None,
             "directory": r.directory, "directory_changed_utc": r.directory_changed_utc or None}
            for r in CentralBranch.select().order_by(CentralBranch.name)]
