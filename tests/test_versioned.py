"""Results kept while the database has not changed (appliance/store/versioned.py): every change is seen.

Correctness, not speed: a kept value is given again only while no connection has committed anything since, and
the places that keep one (sessions, call searches, reports) answer from the new data after a change.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from appliance import store
from appliance.access import users
from appliance.access.users import Account
from appliance.reports import engine
from appliance.reports import search as call_search
from appliance.store import directory as sd
from appliance.store import versioned
from appliance.store.users import close_users_db, open_users_db

T0 = int(datetime(2024, 3, 10, 9, 0, tzinfo=timezone.utc).timestamp())
ADMIN = Account(1, "admin", "administrator", "all", "", "")


def _call(i: int, **kw) -> store.Call:
    row = dict(id=i, driver="test", call_key=str(i), start_utc=T0 + 60 * i, utc_offset=0, direction="out",
               extension="201", party=f"0555123{i:04d}", trunk="T1", ring_s=5, talk_s=60, answered=True,
               transferred=False, account_code="", legs=1, cost=None, currency="", number="", tenant="")
    row.update(kw)
    return store.Call.create(**row)


class Builds:
    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return self.n


def test_a_value_is_kept_until_any_connection_commits(db, tmp_path):
    sd.tenant_id("default", create=True)
    build = Builds()
    assert versioned.cached("t", "k", build) == 1
    assert versioned.cached("t", "k", build) == 1          # nothing changed: kept
    assert versioned.cached("t", "other", build) == 2      # another key is its own value
    _call(1)                                               # a commit by the store's own connection
    assert versioned.cached("t", "k", build) == 3
    other = sqlite3.connect(tmp_path / "callbox.db")       # ... or by another one (the worker, the jobs process)
    with other:
        other.execute("UPDATE call SET talk_s = 61 WHERE id = 1")
    other.close()
    assert versioned.cached("t", "k", build) == 4
    assert versioned.cached("t", "k", build) == 4


def test_nothing_is_kept_inside_a_transaction_or_for_a_database_without_a_file(db, tmp_path, monkeypatch):
    build = Builds()
    with db.atomic():
        assert [versioned.cached("t", "k", build) for _ in range(2)] == [1, 2]
    assert versioned.cached("t", "k", build, sqlite3_memory()) == 3
    assert versioned.cached("t", "k", build, sqlite3_memory()) == 4


def test_a_value_is_not_kept_longer_than_max_age(db, monkeypatch):
    build = Builds()
    clock = [1000.0]
    monkeypatch.setattr(versioned.time, "monotonic", lambda: clock[0])
    assert versioned.cached("t", "k", build) == 1
    clock[0] += versioned.MAX_AGE_S + 1
    assert versioned.cached("t", "k", build) == 2


def sqlite3_memory():
    from peewee import SqliteDatabase
    return SqliteDatabase(":memory:")


def test_a_search_and_its_count_see_a_new_call(db):
    sd.tenant_id("default", create=True)
    for i in range(1, 4):
        _call(i)
    c = call_search.Criteria(extension="201")
    first = call_search.search(ADMIN, "default", c)
    assert first.total == 3 and [x.id for x in first.calls] == [3, 2, 1]
    first.calls.clear()                                    # a caller's list is its own
    assert [x.id for x in call_search.search(ADMIN, "default", c).calls] == [3, 2, 1]
    _call(4)
    again = call_search.search(ADMIN, "default", c)
    assert again.total == 4 and [x.id for x in again.calls] == [4, 3, 2, 1]


def test_a_report_sees_a_new_call_and_callers_get_their_own_rows(db):
    sd.tenant_id("default", create=True)
    _call(1)
    spec = engine.Spec(("direction",), ("calls",), "custom", "2024-03-01", "2024-04-01")
    first = engine.run(spec, ADMIN, "default", use_rollup=False)
    assert first.rows == [["out", 1]]
    first.rows[0][1] = 99                                  # a caller changing its copy changes nobody else's
    assert engine.run(spec, ADMIN, "default", use_rollup=False).rows == [["out", 1]]
    _call(2, direction="in")
    _call(3)
    assert sorted(engine.run(spec, ADMIN, "default", use_rollup=False).rows) == [["in", 1], ["out", 2]]


def test_a_session_ends_at_once_on_logout_disable_and_password_change(tmp_path):
    open_users_db(tmp_path / "users.db")
    try:
        users.add_user("root", "a long password 2026", "administrator")
        account = users.add_user("admin", "a long password 2026", "administrator")
        token, csrf = users.create_session(account)
        assert users.session(token) == (account, csrf)
        assert users.session(token) == (account, csrf)             # kept: asked by every request
        users.end_session(token)
        assert users.session(token) is None
        token, csrf = users.create_session(account)
        assert users.session(token) == (account, csrf)
        users.set_disabled("admin", True)
        assert users.session(token) is None
        users.set_disabled("admin", False)
        token, csrf = users.create_session(account)
        assert users.session(token) == (account, csrf)
        users.set_password("admin", "another long password", actor="admin")
        assert users.session(token) is None
    finally:
        close_users_db()


@pytest.fixture(autouse=True)
def _fresh():
    versioned._kept.clear()
    yield
    versioned._kept.clear()


def test_nothing_is_kept_while_this_process_writes_on_a_connection_of_its_own(db):
    build = Builds()
    assert versioned.cached("t", "k", build) == 1
    with versioned.writing():        # webui.db.write_access: its reads see its own uncommitted changes
        assert [versioned.cached("t", "k", build) for _ in range(2)] == [2, 3]
        assert versioned.lookup("t", "k") == (None, None)
    assert versioned.cached("t", "k", build) == 1      # the kept one: nothing was committed


def test_trunk_traffic_sees_a_new_call_and_callers_get_their_own_report(db):
    from appliance.reports import trunks
    sd.tenant_id("default", create=True)
    _call(1, trunk="T1")
    since, until = T0, T0 + 86400
    first = trunks.trunk_traffic(ADMIN, "default", since, until)
    assert [(r.trunk, r.calls) for r in first.rows] == [("*", 1), ("T1", 1)] and first.total.calls == 1
    first.rows.clear()                                     # a caller changing its report changes nobody else's
    first.total.calls = 99
    again = trunks.trunk_traffic(ADMIN, "default", since, until)
    assert again.total.calls == 1 and len(again.rows) == 2
    _call(2, trunk="T2")
    _call(3, trunk="T2")
    after = trunks.trunk_traffic(ADMIN, "default", since, until)
    assert [(r.trunk, r.calls) for r in after.rows] == [("*", 3), ("T2", 2), ("T1", 1)]
    assert trunks.problems(ADMIN, "default", since, until) == trunks.problems(ADMIN, "default", since, until)


def test_kept_only_gives_what_is_kept_and_stops_at_anything_else(db):
    sd.tenant_id("default", create=True)
    build = Builds()
    assert versioned.cached("t", "k", build) == 1
    with versioned.kept_only():
        assert versioned.cached("t", "k", build) == 1                  # kept: given
        with pytest.raises(versioned.NotKept):
            versioned.cached("t", "other", build)                       # not kept: not built either
        with pytest.raises(versioned.NotKept):
            store.Call.select().count()                                 # no query of the database at all
        with versioned.kept_only():
            pass
        with pytest.raises(versioned.NotKept):                          # a nested block leaves it on
            sd.tenant_id("default")
    assert build.n == 1
    assert versioned.cached("t", "other", build) == 2 and sd.tenant_id("default") is not None   # after: as ever
    with pytest.raises(versioned.NotKept):
        try:                                   # the code in the block cannot take it for an error of its own
            with versioned.kept_only():
                store.Call.select().count()
        except Exception:
            pytest.fail("NotKept taken for an Exception")


def test_users_of_one_scope_share_what_is_kept_and_others_do_not(db):
    """Whole-box and tenant users see the same calls whatever their role: one search or report serves them all;
    an own-scope user gets their own (the scope key, appliance.access.scope.kept_key), and a new call reaches
    every one of them."""
    sd.tenant_id("default", create=True)
    for i in range(1, 4):
        _call(i)
    c = call_search.Criteria(extension="201")
    spec = engine.Spec(("direction",), ("calls",), "custom", "2024-03-01", "2024-04-01")
    tenant_admin = Account(2, "tadmin", "administrator", "tenant", "default", "")
    supervisor = Account(3, "sup", "supervisor", "tenant", "default", "")
    admin2 = Account(4, "admin2", "administrator", "all", "", "")
    staff = Account(5, "staff", "staff", "own", "default", "p1")       # a person the directory does not know
    other_tenant = Account(6, "other", "supervisor", "tenant", "other", "")
    assert call_search.search(tenant_admin, "default", c).total == 3
    assert engine.run(spec, ADMIN, "default", use_rollup=False).rows == [["out", 3]]
    with versioned.kept_only():                # the other users of each scope: from what is kept
        assert [x.id for x in call_search.search(supervisor, "default", c).calls] == [3, 2, 1]
        assert engine.run(spec, admin2, "default", use_rollup=False).rows == [["out", 3]]
        for user in (staff, other_tenant, ADMIN):
            with pytest.raises(versioned.NotKept):
                call_search.search(user, "default", c)
    assert call_search.search(staff, "default", c).total == 0
    assert call_search.search(other_tenant, "default", c).total == 0
    assert call_search.search(ADMIN, "default", c).total == 3
    _call(4)
    assert call_search.search(supervisor, "default", c).total == 4
    assert call_search.search(tenant_admin, "default", c).total == 4
    assert call_search.search(staff, "default", c).total == 0
    assert engine.run(spec, admin2, "default", use_rollup=False).rows == [["out", 4]]
