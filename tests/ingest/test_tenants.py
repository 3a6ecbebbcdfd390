"""Several tenants on one box: PBX sources mapped to tenants, calls stored with theirs, no query mixes them."""
from __future__ import annotations

import sqlite3
from zoneinfo import ZoneInfo

import pytest
import webtest
from hypothesis import given
from hypothesis import strategies as st

from appliance import config, store
from appliance.access import users
from appliance.billing import usage
from appliance.config import ConfigError
from appliance.directory import organisation as directory
from appliance.ingest.reprocess import reprocess
from appliance.ingest.worker import build_processor, process_all
from appliance.journal import JournalWriter
from appliance.paths import Paths
from appliance.store import directory as sd
from web_helpers import add_user, login
from test_pipeline import ipo
from webui.app import make_app

TZ = ZoneInfo("Europe/Istanbul")
A, B, SERIAL = "tcp:10.0.0.5:51234", "tcp:10.0.0.6:51000", "serial:/dev/ttyUSB0"
INI = """[pbx]
driver = avaya_ipoffice
timezone = Europe/Istanbul
tenant = acme
unmapped_tenant = acme
tenant_by_source =
    tcp:10.0.0.5: = acme
    tcp:10.0.0.6: = globex
    tcp:10.0.0.6:4000 = initech
"""


def journal_two_pbxs(paths: Paths) -> None:
    """Both PBXs number their calls alike: the same IP Office Call IDs at the same minute."""
    with JournalWriter(paths.journal) as w:
        w.append(ipo("2024/03/05 10:00:00", called="05321111111", call_id=1000100), A)
        w.append(ipo("2024/03/05 10:00:00", called="05322222222", call_id=1000100), B)   # not A's call
        w.append(ipo("2024/03/05 11:00:00", called="05323333333", call_id=1000101, cont=1), B)
        w.append(ipo("2024/03/05 11:00:00", called="05323333333", call_id=1000101, p1="E202"), B)
        w.append(ipo("2024/03/05 12:00:00", called="05324444444", call_id=1000102), SERIAL)  # unmapped: [pbx]
        w.append(ipo("2024/03/05 13:00:00", called="05325555555", call_id=1000103), "tcp:10.0.0.6:4000")


def stored() -> dict[str, tuple[str, int]]:
    return {party: (tenant, legs) for party, tenant, legs in
            store.db.execute_sql("SELECT party, tenant, legs FROM call").fetchall()}


@pytest.fixture
def world(tmp_path):
    """Two PBXs of two tenants journaled and processed; a directory where both have an extension 201."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    cfg = config.load(None, data)
    paths = Paths(data)
    journal_two_pbxs(paths)
    store.open_db(paths.db)
    process_all(paths, build_processor(cfg))
    for code, (first, last) in (("acme", ("Ayşe", "Işık")), ("globex", ("Ольга", "Петрова"))):
        tid = sd.tenant_id(code, create=True)
        pid = directory.add_person(tid, f"p-{code}", first, last)
        directory.assign_extension(tid, pid, "201", None)
    calls = stored()
    store.close_db()
    yield {"app": make_app(data, cfg), "calls": calls, "data": data, "cfg": cfg}
    store.close_db()


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    monkeypatch.setattr(users, "SCRYPT", (2 ** 8, 8, 1))


def test_each_call_gets_the_tenant_of_its_pbx_and_keys_group_within_a_tenant(world):
    assert world["calls"] == {"05321111111": ("acme", 1), "05322222222": ("globex", 1),
                              "05323333333": ("globex", 2), "05324444444": ("acme", 1),
                              "05325555555": ("initech", 1)}


def test_an_unmapped_source_is_never_filed_under_the_default_tenant_by_accident(tmp_path):
    """Issue 13: without [pbx] unmapped_tenant, a source tenant_by_source does not map is quarantined with the
    reason (its lines stay in the journal), and stored once it is mapped and reprocessed."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(INI.replace("unmapped_tenant = acme\n", ""), encoding="utf-8")
    paths = Paths(data)
    journal_two_pbxs(paths)
    store.open_db(paths.db)
    try:
        process_all(paths, build_processor(config.load(None, data)))
        assert "05324444444" not in stored() and len(stored()) == 4
        (reason,) = [r for r, in store.db.execute_sql("SELECT reason FROM quarantine")]
        assert "'serial:/dev/ttyUSB0' matches no [pbx] tenant_by_source prefix" in reason
        (data / "callbox.ini").write_text(INI.replace("unmapped_tenant = acme", "unmapped_tenant = globex"),
                                          encoding="utf-8")
        reprocess(paths.journal, build_processor(config.load(None, data)), None, None)
        assert stored()["05324444444"] == ("globex", 1) and len(stored()) == 5
        assert store.db.execute_sql("SELECT COUNT(*) FROM quarantine").fetchone() == (0,)
    finally:
        store.close_db()


@pytest.mark.parametrize("source, tenant", [
    ("tcp:10.0.0.5:1", "acme"), ("tcp:10.0.0.6:4000", "initech"), ("tcp:10.0.0.6:40001", "initech"),
    ("tcp:10.0.0.6:3999", "globex"), ("tcp:10.0.0.50:1", "dflt"), ("serial:/dev/ttyUSB0", "dflt"), ("", "dflt")])
def test_the_longest_matching_prefix_wins(source, tenant):
    mapping = config.parse_tenant_map("tcp:10.0.0.5: = acme\ntcp:10.0.0.6: = globex\n tcp:10.0.0.6:4000 = initech")
    assert config.tenant_of(source, mapping, "dflt") == tenant


@given(st.dictionaries(st.text("ab:", min_size=1, max_size=4), st.sampled_from(["t1", "t2", "t3"]), max_size=6),
       st.text("ab:", max_size=6))
def test_tenant_of_is_the_longest_prefix_match(pairs, source):
    mapping = config.parse_tenant_map("\n".join(f"{p} = {t}" for p, t in pairs.items()))
    matches = [p for p in pairs if source.startswith(p)]
    want = pairs[max(matches, key=len)] if matches else "none"
    assert config.tenant_of(source, mapping, "none") == want


def api_calls(world, username: str) -> list[dict]:
    client = webtest.TestApp(world["app"])
    login(client, username)
    return client.get("/api/calls").json


def test_users_of_each_tenant_see_only_their_tenants_calls(world):
    add_user("acme-admin", "administrator", "tenant", "acme")
    add_user("globex-admin", "administrator", "tenant", "globex")
    add_user("olga", "staff", "own", "globex", "p-globex")
    add_user("ayse", "staff", "own", "acme", "p-acme")
    parties = {name: sorted(r["party"] for r in api_calls(world, name))
               for name in ("acme-admin", "globex-admin", "olga", "ayse")}
    assert parties["acme-admin"] == ["05321111111", "05324444444"]
    assert parties["globex-admin"] == ["05322222222", "05323333333"]
    assert parties["olga"] == ["05322222222", "05323333333"]     # extension 201 of globex, not acme's 201
    assert parties["ayse"] == ["05321111111", "05324444444"]
    rows = api_calls(world, "olga")
    assert {(r["tenant"], r["person"]) for r in rows} == {("globex", "Ольга Петрова")}


def test_the_pbx_tenants_admin_no_longer_sees_raw_lines_of_the_whole_box(world):
    add_user("acme-admin", "administrator", "tenant", "acme")
    add_user("root", "administrator", "all")
    for name, whole in (("acme-admin", False), ("root", True)):
        client = webtest.TestApp(world["app"])
        login(client, name)
        assert client.get("/api/status").json["whole_box"] is whole, name


def test_bills_only_count_the_sites_tenant(world):
    store.open_db(Paths(world["data"]).db)   # the fixture's web app left it read-only
    own = {u.party for u in usage.usage(usage.site_from_config(world["cfg"], TZ), 0, 2 ** 31)}
    other = {u.party for u in usage.usage(usage.site_from_config(world["cfg"], TZ, "globex"), 0, 2 ** 31)}
    assert own == {"05321111111", "05324444444"}
    assert other == {"05322222222", "05323333333"}


@pytest.mark.parametrize("line, problem", [
    ("tcp:10.0.0.5:", "expected SOURCE_PREFIX = TENANT_CODE"),
    ("= acme", "expected SOURCE_PREFIX = TENANT_CODE"),
    ("tcp:10.0.0.5: =", "expected SOURCE_PREFIX = TENANT_CODE"),
    ("tcp:10.0.0.5: = Acme Ltd", "tenant code 'Acme Ltd' has a space"),
    ("tcp:10.0.0.6: = globex", "prefix 'tcp:10.0.0.6:' is given twice"),
])
def test_a_bad_mapping_line_is_a_config_error_naming_it(tmp_path, line, problem):
    cfg = config.Config(text=f"[pbx]\ndriver = avaya_ipoffice\ntenant_by_source =\n"
                             f"    tcp:10.0.0.6: = globex\n    {line}\n")
    store.open_db(tmp_path / "callbox.db")
    try:
        with pytest.raises(ConfigError) as e:
            build_processor(cfg)
    finally:
        store.close_db()
    assert "[pbx] tenant_by_source: line 2" in str(e.value) and repr(line) in str(e.value)
    assert problem in str(e.value)


def test_an_old_database_gets_the_column_and_its_calls_stay_the_pbx_tenants(tmp_path):
    paths = Paths(tmp_path)
    cfg = config.Config(text=INI)
    with JournalWriter(paths.journal) as w:
        w.append(ipo("2024/03/05 10:00:00", called="05321111111", call_id=1000100, cont=1), A)
    store.open_db(paths.db)
    process_all(paths, build_processor(cfg))
    store.db.execute_sql("ALTER TABLE call DROP COLUMN tenant")   # as a release before tenants left it
    store.close_db()
    with sqlite3.connect(paths.db) as conn:
        assert "tenant" not in {r[1] for r in conn.execute("PRAGMA table_info(call)")}
    with JournalWriter(paths.journal) as w:   # the call's second leg arrives after the upgrade
        w.append(ipo("2024/03/05 10:00:00", called="05321111111", call_id=1000100, p1="E202"), A)
        w.append(ipo("2024/03/05 10:00:00", called="05322222222", call_id=1000100), B)
    store.open_db(paths.db)
    try:
        process_all(paths, build_processor(cfg))
        # the old call keeps no tenant code (= [pbx] tenant) and still takes its own PBX's next leg, not B's
        assert stored() == {"05321111111": ("", 2), "05322222222": ("globex", 1)}
    finally:
        store.close_db()
    (tmp_path / "callbox.ini").write_text(INI, encoding="utf-8")
    upgraded = {"app": make_app(tmp_path, config.load(None, tmp_path))}
    add_user("acme-admin", "administrator", "tenant", "acme")
    add_user("globex-admin", "administrator", "tenant", "globex")
    try:
        assert {r["party"] for r in api_calls(upgraded, "acme-admin")} == {"05321111111"}
        assert {r["party"] for r in api_calls(upgraded, "globex-admin")} == {"05322222222"}
    finally:
        store.close_db()
