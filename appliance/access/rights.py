"""Rights a user holds beyond their role and scope, granted one by one by an administrator (audited).

`listen`: may play and download the recordings of the calls they may see (APP-5); nobody has it by default, as a
recording holds what was said, not only who called whom."""
from __future__ import annotations

import time

from appliance.access import users
from appliance.store.users import User, UserRight

RIGHTS = {"listen": "may play and download the recordings of the calls they may see"}


def _user(username: str) -> User:
    row = User.get_or_none(User.key == username.casefold())
    if row is None:
        raise users.UserError(f"no user {username!r}")
    return row


def grant(username: str, right: str, actor: str) -> None:
    if right not in RIGHTS:
        raise users.UserError(f"unknown right {right!r}: one of {', '.join(RIGHTS)}")
    row = _user(username)
    UserRight.insert(user_id=row.id, right=right, granted_utc=int(time.time())).on_conflict_ignore().execute()
    users.audit(actor, "right_granted", row.username, right)


def revoke(username: str, right: str, actor: str) -> None:
    row = _user(username)
    UserRight.delete().where(UserRight.user_id == row.id, UserRight.right == right).execute()
    users.audit(actor, "right_revoked", row.username, right)


def has(account: users.Account | None, right: str) -> bool:
    """Does this (enabled, logged-in) account hold `right`?"""
    if account is None:
        return False
    return UserRight.select().where(UserRight.user_id == account.id, UserRight.right == right).exists()


def of(username: str) -> list[str]:
    return sorted(r.right for r in UserRight.select().where(UserRight.user_id == _user(username).id))
