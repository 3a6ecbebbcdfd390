"""Wallboard links (CC-1): a big screen opens /wallboard/<token> and sees that board only, read-only, with no login
and no session to time out, until an administrator revokes the link. Only the token's SHA-256 is stored (users.db);
each link is added and revoked in the audit log."""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from appliance.access import audit_text
from appliance.access.users import audit
from appliance.store.users import WallboardLink, users_db

NAME = re.compile(r"^[\w .-]{1,40}$")
QUEUE = re.compile(r"^[^,\s|]{1,80}$")


class WallboardError(ValueError):
    """A name or queue that cannot be used, or a link that does not exist; the message says which."""


@dataclass(frozen=True)
class Board:
    name: str
    queues: tuple[str, ...]       # () = every queue
    created_utc: int
    revoked_utc: int | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _board(row: WallboardLink) -> Board:
    return Board(row.name, tuple(q for q in row.queues.split(",") if q), row.created_utc, row.revoked_utc)


def add(name: str, queues: tuple[str, ...] = (), actor: str = "-") -> str:
    """A new link for a board of `queues` (none: every queue); returns its token (shown once: it is not kept)."""
    if not NAME.match(name):
        raise WallboardError(f"wallboard name {name!r}: 1 to 40 letters, digits, spaces, '.', '_' or '-'")
    bad = [q for q in queues if not QUEUE.match(q)]
    if bad:
        raise WallboardError(f"queue {bad[0]!r}: a queue name has no comma, space or '|'")
    token = secrets.token_urlsafe(24)
    with users_db.atomic():
        old = WallboardLink.get_or_none(WallboardLink.name == name)
        if old is not None and old.revoked_utc is None:
            raise WallboardError(f"a wallboard {name!r} exists: revoke it first, or choose another name")
        if old is not None:
            old.delete_instance()
        WallboardLink.create(name=name, token_hash=_digest(token), queues=",".join(dict.fromkeys(queues)),
                             created_utc=int(time.time()))
        audit(actor, "wallboard_add", name, audit_text.encode("wallboard_queues", queues=", ".join(queues))
              if queues else audit_text.encode("every_queue"))
    return token


def revoke(name: str, actor: str = "-") -> None:
    with users_db.atomic():
        n = (WallboardLink.update(revoked_utc=int(time.time()))
             .where(WallboardLink.name == name, WallboardLink.revoked_utc.is_null()).execute())
        if not n:
            raise WallboardError(f"no wallboard {name!r} in use")
        audit(actor, "wallboard_revoke", name)


def boards() -> list[Board]:
    return [_board(r) for r in WallboardLink.select().order_by(WallboardLink.name)]


def find(token: str) -> Board | None:
    """The board a link's token opens, or None (unknown or revoked)."""
    if not token:
        return None
    row = WallboardLink.get_or_none(WallboardLink.token_hash == _digest(token))
    return None if row is None or row.revoked_utc is not None else _board(row)
