"""Web users' tables (accounts, sessions, login throttles, setup tokens, audit log) in their own database file.

They live in <data>/users.db, not callbox.db, on purpose: the web process writes these (logins, sessions)
but opens callbox.db read-only, so no route can write a call row even by mistake (USR-4), and session
writes never compete with the worker, the one writer of call rows. Do not add MODELS_USERS to store.MODELS.
"""
from __future__ import annotations

import logging
from pathlib import Path

from peewee import BooleanField, CompositeKey, IntegerField, Model, SqliteDatabase, TextField

log = logging.getLogger(__name__)
users_db = SqliteDatabase(None)
FILE_NAME = "users.db"
BUSY_TIMEOUT_MS = 5000


class UsersBase(Model):
    class Meta:
        database = users_db
        legacy_table_names = False


class User(UsersBase):
    """A web user. `scope` says whose calls they see: own, department, branch, tenant or all."""
    id = IntegerField(primary_key=True)
    username = TextField()
    key = TextField(unique=True)            # casefolded username: logins and uniqueness ignore case
    password_hash = TextField()             # scrypt$n$r$p$salt$hash (base64)
    role = TextField()
    scope = TextField()
    tenant = TextField(default="")          # tenant code ("" for scope all)
    person = TextField(default="")          # the directory person's external id (own/department/branch)
    disabled = BooleanField(default=False)
    language = TextField(default="")        # web UI language code ("" = the browser's, webui.i18n)
    created_utc = IntegerField()
    password_changed_utc = IntegerField()


class Session(UsersBase):
    """A logged-in browser or script. Only the SHA-256 of the cookie's random token is stored."""
    token_hash = TextField(primary_key=True)
    user_id = IntegerField(index=True)
    csrf = TextField()
    created_utc = IntegerField()
    expires_utc = IntegerField(index=True)
    address = TextField(default="")


class Throttle(UsersBase):
    """Failed logins for one key ("pair:<name>|<ip>" or "addr:<ip>") and the lockout they earned."""
    key = TextField(primary_key=True)
    failures = IntegerField(default=0)
    last_utc = IntegerField(default=0)
    locked_until = IntegerField(default=0)


class SetupToken(UsersBase):
    """The one-time link that creates the first administrator (stored hashed; single use; expires)."""
    id = IntegerField(primary_key=True)
    token_hash = TextField(unique=True)
    created_utc = IntegerField()
    expires_utc = IntegerField()
    used_utc = IntegerField(null=True)


class AuditEntry(UsersBase):
    """Who did what, when: accounts added or changed, passwords changed, failed logins and lockouts."""
    id = IntegerField(primary_key=True)
    at_utc = IntegerField(index=True)
    actor = TextField()                     # a username, "cli:<unix user>", or "-" (not logged in)
    action = TextField()
    target = TextField(default="")
    detail = TextField(default="")
    address = TextField(default="")


class WallboardLink(UsersBase):
    """A wallboard's own link (/wallboard/<token>): read-only, no session, until revoked. Stored hashed."""
    id = IntegerField(primary_key=True)
    name = TextField(unique=True)
    token_hash = TextField(unique=True)
    queues = TextField(default="")          # comma-separated queues shown ("" = every queue)
    created_utc = IntegerField()
    revoked_utc = IntegerField(null=True)


class UserRight(UsersBase):
    """A right granted to one user beyond their role and scope (appliance/access/rights.py: listen = may play and
    download call recordings)."""
    user_id = IntegerField()
    right = TextField()
    granted_utc = IntegerField()

    class Meta:
        primary_key = CompositeKey("user_id", "right")


MODELS_USERS = (User, Session, Throttle, SetupToken, AuditEntry, WallboardLink, UserRight)


def open_users_db(path: Path) -> SqliteDatabase:
    """Initialise users_db at `path` (normally <data>/users.db, WAL), creating the file and tables if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    users_db.init(str(path), pragmas={"journal_mode": "wal", "synchronous": "normal",
                                      "busy_timeout": BUSY_TIMEOUT_MS})
    with users_db.connection_context():
        users_db.create_tables(MODELS_USERS, safe=True)
        have = {row[1] for row in users_db.execute_sql('PRAGMA table_info("user")')}
        if "language" not in have:      # users.db of an older release
            users_db.execute_sql("ALTER TABLE \"user\" ADD COLUMN language TEXT NOT NULL DEFAULT ''")
    return users_db


def close_users_db() -> None:
    if not users_db.is_closed():
        users_db.close()


def open_if_present(data_dir: Path) -> bool:
    """Open <data>/users.db if this process has not (the jobs process); False when the box has no users.db (no
    user yet): it is never created here."""
    if users_db.database is None and (Path(data_dir) / FILE_NAME).exists():
        open_users_db(Path(data_dir) / FILE_NAME)
    return users_db.database is not None
