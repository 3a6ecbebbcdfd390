"""Web users (USR-1..4): accounts, roles and scopes, scrypt passwords, sessions, login throttling, the audit log."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
import unicodedata
from dataclasses import dataclass

from appliance.access import audit_text
from appliance.store import versioned
from appliance.store.users import AuditEntry, Session, SetupToken, Throttle, User, users_db

log = logging.getLogger(__name__)
ROLES = ("administrator", "supervisor", "operator", "staff")
SCOPES = ("own", "department", "branch", "tenant", "all")
DEFAULT_SCOPE = {"administrator": "all", "supervisor": "department", "operator": "branch", "staff": "own"}
PERSON_SCOPES = ("own", "department", "branch")     # need the user's directory person
SCRYPT = (2 ** 14, 8, 1)    # n, r, p: 16 MiB and ~55 ms per hash on the box (measured), OWASP's minimum
MIN_PASSWORD = 10
SESSION_S = 12 * 3600
SETUP_TOKEN_S = 24 * 3600
# Login throttling. Failures count per (username, address) pair and per address, never per username alone:
# an attacker's wrong guesses from one address must not lock the real user out at another.
MAX_FAILURES = 5            # failures of one pair before a lockout; each further failure doubles it
LOCK_BASE_S = 30
PAIR_LOCK_MAX_S = 300       # a short cap: a user who mistyped (or was guessed at) from their own desk waits <= 5 min
ADDR_MAX_FAILURES = 20      # failures from one address, whatever the usernames (guessing many accounts)
LOCK_MAX_S = 3600
FORGET_S = 900              # a key's failures are forgotten this long after its last failure or lockout


class UserError(ValueError):
    """A bad account change (unknown role, scope not allowed, weak password...); the message says which."""


class LockedOut(Exception):
    """Too many failed logins for this username from this address, or from this address; try again after
    `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins: try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the rest of the appliance sees it (never the password hash)."""
    id: int
    username: str
    role: str
    scope: str
    tenant: str
    person: str
    language: str = ""      # web UI language code ("" = the browser's)

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"


def _now() -> int:
    return int(time.time())


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _kdf(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # NFC: the same Turkish or Polish password typed with composed or decomposed letters is the same password
    data = unicodedata.normalize("NFC", password).encode("utf-8")
    return hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, maxmem=256 * r * n * 2, dklen=32)


def check_password(password: str) -> None:
    """Raise UserError unless the password is acceptable (long enough, not just spaces)."""
    if len(password) < MIN_PASSWORD or not password.strip():
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")


def hash_password(password: str) -> str:
    """scrypt with a random 16-byte salt: 'scrypt$n$r$p$salt$hash'."""
    check_password(password)
    n, r, p = SCRYPT
    salt = secrets.token_bytes(16)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(_kdf(password, salt, n, r, p))}"


def verify_password(password: str, stored: str) -> bool:
    """True if `password` matches the stored hash (constant-time comparison)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        return hmac.compare_digest(_kdf(password, base64.b64decode(salt), int(n), int(r), int(p)),
                                   base64.b64decode(digest))
    except ValueError:
        return False


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def _key(username: str) -> str:
    return unicodedata.normalize("NFC", username.strip()).casefold()


def check_username(username: str) -> str:
    """The username, stripped; UserError if empty, too long or with spaces or control characters."""
    name = unicodedata.normalize("NFC", username.strip())
    if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise UserError(f"bad username {username!r}: 1 to 64 characters, no spaces")
    return name


def check_scope(role: str, scope: str, tenant: str, person: str) -> None:
    """Raise UserError unless the role exists and may have this scope, with what the scope needs."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if scope not in SCOPES:
        raise UserError(f"unknown scope {scope!r}: one of {', '.join(SCOPES)}")
    if scope == "all" and role != "administrator":
        raise UserError("only an administrator may have scope 'all' (every tenant)")
    if scope != "all" and not tenant:
        raise UserError(f"scope {scope!r} needs a tenant")
    if scope in PERSON_SCOPES and not person:
        raise UserError(f"scope {scope!r} needs the user's person in the directory (--person)")


def _account(row: User) -> Account:
    return Account(row.id, row.username, row.role, row.scope, row.tenant, row.person, row.language or "")


def set_language(username: str, language: str) -> None:
    """Store the user's web UI language ("" = follow the browser); not audited: it grants nothing."""
    User.update(language=language).where(User.key == _key(username)).execute()


def audit(actor: str, action: str, target: str = "", detail: str = "", address: str = "") -> None:
    """Record an administrative or security event in the audit log (and the app log, in English); `detail` plain
    text or a text's key and fields (audit_text.encode), which the web says in the reader's language."""
    AuditEntry.create(at_utc=_now(), actor=actor, action=action, target=target, detail=detail, address=address)
    log.info("audit: %s %s %s %s", actor, action, target, audit_text.english(detail))


def audit_log(limit: int = 200) -> list[dict]:
    """The newest audit entries first."""
    rows = AuditEntry.select().order_by(AuditEntry.at_utc.desc(), AuditEntry.id.desc()).limit(limit)
    return [{"at_utc": e.at_utc, "actor": e.actor, "action": e.action, "target": e.target,
             "detail": e.detail, "address": e.address} for e in rows]


def has_users() -> bool:
    return User.select().exists()


def get(username: str) -> Account | None:
    row = User.get_or_none(User.key == _key(username))
    return _account(row) if row else None


def list_users() -> list[Account]:
    return [_account(u) for u in User.select().order_by(User.key)]


def add_user(username: str, password: str, role: str, scope: str | None = None, tenant: str = "",
             person: str = "", actor: str = "-") -> Account:
    """Create an account (scope defaults to the role's); UserError if the name is taken or anything is invalid."""
    name, scope = check_username(username), scope or DEFAULT_SCOPE.get(role, "")
    tenant, person = ("", "") if scope == "all" else (tenant.strip(), person.strip())
    if scope == "tenant":
        person = ""
    check_scope(role, scope, tenant, person)
    hashed, now = hash_password(password), _now()
    with users_db.atomic():
        if User.select().where(User.key == _key(name)).exists():
            raise UserError(f"user {name!r} already exists")
        row = User.create(username=name, key=_key(name), password_hash=hashed, role=role, scope=scope,
                          tenant=tenant, person=person, created_utc=now, password_changed_utc=now)
        audit(actor, "user_added", name,
              audit_text.encode("access", role=role, scope=scope, tenant=tenant, person=person))
    return _account(row)


def _row(username: str) -> User:
    row = User.get_or_none(User.key == _key(username))
    if row is None:
        raise UserError(f"no user {username!r}")
    return row


def set_password(username: str, password: str, actor: str = "-") -> None:
    """Change the password and end all the user's sessions."""
    hashed = hash_password(password)
    with users_db.atomic():
        row = _row(username)
        row.password_hash, row.password_changed_utc = hashed, _now()
        row.save()
        Session.delete().where(Session.user_id == row.id).execute()
        audit(actor, "password_changed", row.username)


def set_access(username: str, role: str, scope: str, tenant: str = "", person: str = "", actor: str = "-") -> None:
    """Change a user's role and scope (checked as for a new user)."""
    tenant, person = ("", "") if scope == "all" else (tenant.strip(), person.strip())
    check_scope(role, scope, tenant, person)
    with users_db.atomic():
        row = _row(username)
        detail = audit_text.encode("access_changed", old_role=row.role, old_scope=row.scope, old_tenant=row.tenant,
                                   old_person=row.person, role=role, scope=scope, tenant=tenant, person=person)
        row.role, row.scope, row.tenant, row.person = role, scope, tenant, person
        row.save()
        audit(actor, "access_changed", row.username, detail)


def _last_box_admin(row: User) -> bool:
    if row.disabled or row.role != "administrator" or row.scope != "all":
        return False
    others = User.select().where(User.id != row.id, User.role == "administrator", User.scope == "all",
                                 User.disabled == False)  # noqa: E712 (peewee expression)
    return not others.exists()


def is_last_box_admin(username: str) -> bool:
    """Is this the only enabled administrator with scope all (who alone can manage accounts)?"""
    return _last_box_admin(_row(username))


def set_disabled(username: str, disabled: bool, actor: str = "-") -> bool:
    """Disable (no login; every session ends at once) or enable an account. False if it already was so;
    UserError for the last enabled administrator of the whole box (nobody could manage accounts)."""
    with users_db.atomic():
        row = _row(username)
        if bool(row.disabled) == disabled:
            return False
        if disabled and _last_box_admin(row):
            raise UserError(f"{row.username} is the last enabled administrator with scope all: "
                            "enable or add another one first")
        row.disabled = disabled
        row.save()
        if disabled:
            Session.delete().where(Session.user_id == row.id).execute()
        audit(actor, "user_disabled" if disabled else "user_enabled", row.username)
    return True


def disabled_usernames() -> set[str]:
    """The usernames of the disabled accounts."""
    return {u.username for u in User.select(User.username).where(User.disabled == True)}  # noqa: E712


def _throttles(keys: list[str], now: int) -> list[Throttle]:
    rows = []
    for key in keys:
        row = Throttle.get_or_none(Throttle.key == key)
        if row is None or now - max(row.last_utc, row.locked_until) > FORGET_S:
            row = Throttle(key=key, failures=0, last_utc=now, locked_until=0)
        rows.append(row)
    return rows


def _limits(key: str) -> tuple[int, int]:
    """(failures before a lockout, longest lockout in seconds) of a throttle key."""
    return (MAX_FAILURES, PAIR_LOCK_MAX_S) if key.startswith("pair:") else (ADDR_MAX_FAILURES, LOCK_MAX_S)


def authenticate(username: str, password: str, address: str, now: int | None = None) -> Account | None:
    """The account if the password is right; None if not. LockedOut while this username is locked at this
    address, or the address is (the password is not even checked then). Failures and lockouts go to the
    audit log."""
    now = _now() if now is None else now
    keys = [f"pair:{_key(username)}|{address}", f"addr:{address}"]
    rows = _throttles(keys, now)
    locked = max(r.locked_until for r in rows)
    if locked > now:
        raise LockedOut(locked - now)
    user = User.get_or_none(User.key == _key(username))
    ok = verify_password(password, user.password_hash if user else _dummy_hash())
    if ok and user is not None and not user.disabled:
        Throttle.delete().where(Throttle.key == keys[0]).execute()
        return _account(user)
    with users_db.atomic():
        audit("-", "login_failed", username[:64], "", address)
        for row in rows:
            row.failures, row.last_utc = row.failures + 1, now
            most, cap = _limits(row.key)
            if row.failures >= most:
                row.locked_until = now + min(cap, LOCK_BASE_S * 2 ** min(row.failures - most, 20))
                audit("-", "lockout", row.key,
                      audit_text.encode("lockout", failures=row.failures, seconds=row.locked_until - now), address)
            Throttle.replace(key=row.key, failures=row.failures, last_utc=row.last_utc,
                             locked_until=row.locked_until).execute()
    return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(account: Account, address: str = "", now: int | None = None) -> tuple[str, str]:
    """A new session: (cookie token, CSRF token). Expired sessions are swept here."""
    now = _now() if now is None else now
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with users_db.atomic():
        Session.delete().where(Session.expires_utc <= now).execute()
        Session.create(token_hash=_digest(token), user_id=account.id, csrf=csrf, created_utc=now,
                       expires_utc=now + SESSION_S, address=address)
    return token, csrf


def session(token: str, now: int | None = None) -> tuple[Account, str] | None:
    """(account, CSRF token) of a live session, or None (unknown, expired, or the user is disabled)."""
    now = _now() if now is None else now
    if not token:
        return None
    # every request of a session asks this: the answer is kept until users.db changes (a login, a logout, a
    # user disabled or changed: appliance/store/versioned.py); the expiry is checked on every request
    found = versioned.cached("users.session", _digest(token), lambda: _session(_digest(token)), users_db)
    if found is None or found[0] <= now:
        return None
    return found[1], found[2]


def _session(digest: str) -> tuple[int, Account, str] | None:
    """(expiry, account, CSRF token) of the session, or None (unknown, or its user is gone or disabled)."""
    row = Session.get_or_none(Session.token_hash == digest)
    if row is None:
        return None
    user = User.get_or_none(User.id == row.user_id)
    if user is None or user.disabled:
        return None
    return row.expires_utc, _account(user), row.csrf


def end_session(token: str) -> None:
    Session.delete().where(Session.token_hash == _digest(token)).execute()


def setup_token(now: int | None = None) -> str | None:
    """While no user exists: a new one-time token for the first-administrator link (older ones are voided)."""
    now = _now() if now is None else now
    with users_db.atomic():
        if has_users():
            return None
        SetupToken.delete().where(SetupToken.used_utc.is_null()).execute()
        token = secrets.token_urlsafe(32)
        SetupToken.create(token_hash=_digest(token), created_utc=now, expires_utc=now + SETUP_TOKEN_S)
    return token


# The first-boot wizard's setup code: 12 characters a person reads off a console or label and types (no 0/O, 1/I/L),
# 60 bits: not guessable over HTTP in the 24 h it is valid
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def normalise_code(text: str) -> str:
    """A setup code as typed ("abcd efgh-jkmn") in the form it is stored under ("ABCDEFGHJKMN")."""
    return "".join(c for c in text.upper() if c.isalnum())


def setup_code(now: int | None = None) -> str | None:
    """While no user exists: a new one-time setup code for the first-boot wizard, as shown ("ABCD-EFGH-JKMN"); it is
    valid beside the first-administrator link's token (both voided by the next setup_token())."""
    now = _now() if now is None else now
    with users_db.atomic():
        if has_users():
            return None
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        SetupToken.create(token_hash=_digest(code), created_utc=now, expires_utc=now + SETUP_TOKEN_S)
    return "-".join(code[i:i + 4] for i in range(0, 12, 4))


def setup_token_valid(token: str, now: int | None = None) -> bool:
    now = _now() if now is None else now
    row = SetupToken.get_or_none(SetupToken.token_hash == _digest(token))
    return row is not None and row.used_utc is None and row.expires_utc > now and not has_users()


def create_first_admin(token: str, username: str, password: str, address: str = "",
                       now: int | None = None) -> Account:
    """Use the one-time token to create the first administrator (scope all); UserError if it is not valid."""
    now = _now() if now is None else now
    with users_db.atomic():
        if not setup_token_valid(token, now):
            raise UserError("this setup link is not valid (used, expired, or an administrator exists)")
        account = add_user(username, password, "administrator", "all", actor="setup-link")
        SetupToken.update(used_utc=now).where(SetupToken.token_hash == _digest(token)).execute()
        audit(account.username, "first_admin_created", account.username, "", address)
    return account
