"""Accounts, scrypt passwords, login throttling, sessions, the setup token and `callbox user` (appliance.users)."""
from __future__ import annotations

import io
import json
import time

import pytest

from appliance import store
from appliance.access import users
from appliance.cli import main as cli
from appliance.cli import user as cli_user
from appliance.store import directory as sd
from appliance.store.users import AuditEntry, close_users_db, open_users_db

PASSWORD = "Şifre-Пароль-żółw"


@pytest.fixture
def udb(tmp_path):
    open_users_db(tmp_path / "users.db")
    yield
    close_users_db()


def test_scrypt_hash_is_salted_verifiable_and_fast_enough():
    a, b = users.hash_password(PASSWORD), users.hash_password(PASSWORD)
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert users.verify_password(PASSWORD, a) and not users.verify_password(PASSWORD + "x", a)
    assert not users.verify_password(PASSWORD, "plain") and not users.verify_password(PASSWORD, "md5$1$2$3$4$5")
    decomposed = PASSWORD.replace("Ş", "S\u0327").replace("ż", "z\u0307")   # the same letters, typed otherwise
    assert users.verify_password(decomposed, a)
    t = time.process_time()           # CPU time: a loaded machine stretches the wall time, not this (~55 ms)
    users.verify_password(PASSWORD, a)
    assert time.process_time() - t < 0.1


@pytest.mark.parametrize("password", ["short", " " * 12, ""])
def test_weak_passwords_are_refused(password):
    with pytest.raises(users.UserError, match="at least 10"):
        users.hash_password(password)


def test_accounts_roles_and_scopes(udb):
    admin = users.add_user("Admin", PASSWORD, "administrator")
    assert (admin.role, admin.scope, admin.tenant, admin.is_admin) == ("administrator", "all", "", True)
    staff = users.add_user("ayşe", PASSWORD, "staff", tenant="default", person="ayse")
    assert (staff.scope, staff.person, staff.is_admin) == ("own", "ayse", False)
    for args, message in ((("x1", PASSWORD, "staff", "all", "default"), "only an administrator"),
                          (("x2", PASSWORD, "boss", "own", "default", "p"), "unknown role"),
                          (("x3", PASSWORD, "staff", "world", "default"), "unknown scope"),
                          (("x4", PASSWORD, "supervisor", "department", "default"), "needs the user's person"),
                          (("x5", PASSWORD, "supervisor", "tenant", ""), "needs a tenant"),
                          (("AYŞE", PASSWORD, "staff", "tenant", "default"), "already exists"),
                          (("two words", PASSWORD, "staff", "tenant", "default"), "bad username")):
        with pytest.raises(users.UserError, match=message):
            users.add_user(*args)
    assert [u.username for u in users.list_users()] == ["Admin", "ayşe"]
    actions = [e["action"] for e in users.audit_log()]
    assert actions == ["user_added", "user_added"]


def test_failed_logins_lock_out_the_user_at_that_address_only_growing_to_a_short_cap(udb):
    users.add_user("admin", PASSWORD, "administrator")
    now = 1_000_000
    for i in range(users.MAX_FAILURES):
        assert users.authenticate("admin", "wrong password", "10.0.0.9", now + i) is None
    with pytest.raises(users.LockedOut) as e:
        users.authenticate("admin", PASSWORD, "10.0.0.9", now + 5)       # the attacker's address: locked
    assert e.value.retry_after == users.LOCK_BASE_S - 1
    # the real administrator at their own desk is not locked out by the attacker's guesses (issue 13)
    assert users.authenticate("admin", PASSWORD, "10.0.0.1", now + 5).username == "admin"
    assert users.authenticate("other", "wrong", "10.0.0.9", now + 5) is None   # other names: the address is free
    later = now + 4 + users.LOCK_BASE_S
    assert users.authenticate("admin", "wrong again", "10.0.0.9", later) is None
    with pytest.raises(users.LockedOut) as e:                            # the sixth failure: twice as long
        users.authenticate("admin", PASSWORD, "10.0.0.9", later + 1)
    assert e.value.retry_after == 2 * users.LOCK_BASE_S - 1
    t = later + 2 * users.LOCK_BASE_S
    for _ in range(8):                                                   # it keeps doubling, up to the short cap
        assert users.authenticate("admin", "wrong again", "10.0.0.9", t) is None
        with pytest.raises(users.LockedOut) as e:
            users.authenticate("admin", PASSWORD, "10.0.0.9", t)
        assert e.value.retry_after <= users.PAIR_LOCK_MAX_S
        t += e.value.retry_after
    assert e.value.retry_after == users.PAIR_LOCK_MAX_S
    assert users.authenticate("admin", PASSWORD, "10.0.0.9", t).username == "admin"
    audit = [e["action"] for e in users.audit_log()]
    assert audit.count("login_failed") == 15 and audit.count("lockout") == 10


def test_one_address_guessing_many_usernames_is_locked_out(udb):
    users.add_user("admin", PASSWORD, "administrator")
    now = 1_000_000
    for i in range(users.ADDR_MAX_FAILURES):
        assert users.authenticate(f"guess{i}", "wrong password", "10.0.0.9", now + i) is None
    with pytest.raises(users.LockedOut) as e:
        users.authenticate("admin", PASSWORD, "10.0.0.9", now + users.ADDR_MAX_FAILURES)
    assert e.value.retry_after == users.LOCK_BASE_S - 1
    assert users.authenticate("admin", PASSWORD, "10.0.0.1", now + users.ADDR_MAX_FAILURES).username == "admin"


def test_unknown_users_cost_a_hash_too(udb):
    users.add_user("admin", PASSWORD, "administrator")
    users.authenticate("nobody", "x" * 12, "a")                          # builds the dummy hash once
    t = time.perf_counter()
    assert users.authenticate("nobody2", "x" * 12, "b") is None
    assert time.perf_counter() - t > 0.01


def test_sessions_expire_and_end_with_a_password_change(udb):
    account = users.add_user("admin", PASSWORD, "administrator")
    token, csrf = users.create_session(account, "127.0.0.1", now=1000)
    assert users.session(token, now=1001) == (account, csrf)
    assert users.session(token, now=1000 + users.SESSION_S) is None
    assert users.session(token + "x", now=1001) is None and users.session("", now=1001) is None
    token, _ = users.create_session(account)
    assert users.session(token) is not None
    users.set_password("ADMIN", "another long password", actor="admin")
    assert users.session(token) is None
    assert users.authenticate("admin", "another long password", "x").username == "admin"
    assert AuditEntry.select().where(AuditEntry.action == "password_changed").count() == 1


def test_setup_token_is_single_use_and_expires(udb):
    token = users.setup_token(now=100)
    assert users.setup_token_valid(token, now=101) and not users.setup_token_valid(token, now=100 + users.SETUP_TOKEN_S)
    with pytest.raises(users.UserError, match="not valid"):
        users.create_first_admin("guess", "boss", PASSWORD, now=101)
    newer = users.setup_token(now=102)                                    # a restart voids the older link
    assert not users.setup_token_valid(token, now=103)
    assert users.create_first_admin(newer, "boss", PASSWORD, now=103).scope == "all"
    with pytest.raises(users.UserError, match="not valid"):
        users.create_first_admin(newer, "eve", PASSWORD, now=104)
    assert users.setup_token(now=105) is None


def run_cli(argv: list[str], stdin: str = "", monkeypatch=None) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    parser = cli.Parser(prog="callbox")
    cli_user.register(parser.add_subparsers(dest="command", required=True, parser_class=cli.Parser))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_add_list_passwd_and_set(tmp_path, monkeypatch, capsys):
    data = ["--data", str(tmp_path)]
    assert run_cli(["user", "add", "root", "--admin", "--password-stdin", *data], PASSWORD + "\n", monkeypatch) == 0
    assert "added root: administrator, scope all" in capsys.readouterr().out
    store.open_db(tmp_path / "callbox.db")
    t = sd.tenant_id("default", create=True)
    from appliance.directory import organisation as directory
    directory.add_person(t, "ayse", "Ayşe", "Demir")
    store.close_db()
    with pytest.raises(cli.UsageError, match="no person 'nobody'"):
        run_cli(["user", "add", "sup", "--role", "supervisor", "--person", "nobody", "--password-stdin", *data],
                PASSWORD + "\n", monkeypatch)
    with pytest.raises(cli.UsageError, match="no tenant 'acme'"):
        run_cli(["user", "add", "t", "--role", "staff", "--scope", "tenant", "--tenant", "acme", *data])
    assert run_cli(["user", "add", "sup", "--role", "supervisor", "--person", "ayse", "--password-stdin", *data],
                   PASSWORD + "\n", monkeypatch) == 0
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "typed password 1")
    assert run_cli(["user", "passwd", "sup", *data]) == 0
    assert run_cli(["user", "set", "sup", "--scope", "tenant", *data]) == 0
    capsys.readouterr()
    assert run_cli(["user", "list", "--json", *data]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [{"username": "root", "role": "administrator", "scope": "all", "tenant": "", "person": ""},
                    {"username": "sup", "role": "supervisor", "scope": "tenant", "tenant": "default", "person": ""}]
    open_users_db(tmp_path / "users.db")
    try:
        assert users.authenticate("sup", "typed password 1", "x") is not None
        actors = {e["actor"] for e in users.audit_log()}
        assert all(a.startswith("cli") for a in actors)
    finally:
        close_users_db()


def test_cli_errors_exit_2_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    parser_before = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_user(parser_before()))
    assert cli.main(["user", "add", "x", "--admin", "--password-stdin", "--data", str(tmp_path)]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert cli.main(["user", "passwd", "ghost", "--data", str(tmp_path)]) == 2


def _with_user(parser):
    """cli.build_parser with `user` added, as it will be once cli.py registers cli_user."""
    sub = next(a for a in parser._actions if a.dest == "command")
    if "user" not in sub.choices:
        cli_user.register(sub)
    return parser
