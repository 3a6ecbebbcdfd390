"""Trunk traffic and problem trunks from the roll-ups (issue 14) give exactly the figures of the calls one by one:
random calls, every kind of scope and traffic filter, directory changes inside a day, calls stored after the
build, re-rating and re-processing; cubes of an older layout are rebuilt; and the web says "being prepared, N %"
instead of reading years of calls while the roll-ups are built."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance import store
from appliance.reports import rollup
from appliance.reports import trunks as report_trunks
from appliance.reports.concurrency import Traffic
from appliance.store import rollups
from test_rollup import ADMIN, DAY0, TZ, USERS, call_st, clear, insert

GROUPS = report_trunks.TrunkGroups
TRAFFIC = (Traffic(), Traffic("out"), Traffic("in"), Traffic(trunk="T1"), Traffic(group="Vodafone"),
           Traffic(group="Türk Telekom"), Traffic(kind="mobile"), Traffic(group=""))


def _midnight(day: int) -> int:
    return int((datetime.fromtimestamp(DAY0, TZ) + timedelta(days=day)).replace(tzinfo=TZ).timestamp())


# whole local days around the directory changes (and the DST change of 31 March), a longer one, and exact times
WINDOWS = ((0, 2), (1, 3), (-35, 41), (0, 5))


def check(user, traffic, since: int, until: int) -> None:
    groups = GROUPS("default")
    fast = report_trunks._trunk_traffic(user, "default", since, until, traffic, report_trunks.Rules(), groups, TZ,
                                        True)
    raw = report_trunks.raw_trunk_traffic(user, "default", since, until, traffic, groups=groups)
    assert fast.to_dict() == raw.to_dict()
    assert report_trunks._counts(user, "default", since, until, traffic, 2, groups, TZ) == \
        report_trunks.raw_counts(user, "default", since, until, traffic, 2, groups)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(call_st, max_size=40), later=st.lists(call_st, max_size=5), user=st.sampled_from(USERS),
       traffic=st.sampled_from(TRAFFIC), window=st.sampled_from(WINDOWS), exact=st.booleans())
def test_trunk_traffic_from_the_cube_equals_the_calls(org, calls, later, user, traffic, window, exact):
    clear()
    insert(calls)
    rollup.refresh()
    insert(later, 1000)   # stored after the build: their days dirty, read from the calls
    if later:
        rollups.mark_refs(1000)
    since, until = _midnight(window[0]), _midnight(window[1])
    if exact:   # not local midnights: the engine reads the calls (grouped in SQL)
        since, until = since + 7 * 3600 + 17, until - 3600
    check(user, traffic, since, until)


def test_trunk_traffic_reads_the_trunk_cube_and_stays_exact_after_rerating_and_reprocessing(org):
    calls = [(d, 3600 * h + 7, direction, ext, trunk, 5, talk, answered, cost, "", "local", "EUR")
             for d in (0, 1, 2) for h in (9, 13) for direction, ext, trunk, talk, answered, cost in (
                 ("out", "201", "T1", 4, True, "0.10"), ("in", "202", "T2", 300, True, None),
                 ("out", "203", "T1", 0, False, None), ("out", "204", "T2", 61, True, "1.005"))]
    insert(calls)
    rollup.refresh()
    since, until = _midnight(0), _midnight(3)
    acc, source = report_trunks.engine.sums(report_trunks._spec(("trunk_group", "trunk"), Traffic()),
                                            report_trunks.engine.window_of(since, until, TZ), ADMIN, "default")
    assert source == "rollup:trunk"
    check(ADMIN, Traffic(), since, until)
    t1 = report_trunks.raw_trunk_traffic(ADMIN, "default", since, until).to_dict()
    assert sum(r["short"] for r in t1["rows"] if r["trunk"] == "T1") == 6   # answered under 10 s, in both groups
    store.db.execute_sql("UPDATE call SET cost = '2.50' WHERE cost = '0.10'")   # a re-rating, then its hook
    rollups.after_rerate(None, None)
    check(ADMIN, Traffic(), since, until)    # the days dirty: read from the calls
    rollup.refresh()
    check(ADMIN, Traffic(), since, until)
    store.db.execute_sql("UPDATE call SET talk_s = 3 WHERE trunk = 'T2'")   # re-processed legs, then the hook
    store.db.execute_sql("UPDATE leg SET talk_s = 3 WHERE trunk = 'T2'")
    rollups.after_reprocess(1, 10_000)
    check(ADMIN, Traffic(), since, until)
    rollup.refresh()
    check(ADMIN, Traffic(), since, until)
    total = report_trunks.trunk_traffic(ADMIN, "default", since, until, tz=TZ).total
    assert total.short == 6 + 12 and str(total.cost["EUR"]) == "21.03"   # 6 × 2.50 + 6 × 1.005


def test_cubes_of_an_older_layout_are_built_again_before_they_are_read(org):
    insert([(1, 40000, "out", "201", "T1", 5, 3, True, "1.50", "", "local", "EUR")])
    rollup.refresh()
    store.db.execute_sql("UPDATE rollup_trunk SET short = 0")   # as built before the `short` column
    store.db.execute_sql("DELETE FROM rollup_state WHERE key = 'version'")
    assert not rollup.is_built()
    since, until = _midnight(0), _midnight(3)
    check(ADMIN, Traffic(), since, until)       # read from the calls meanwhile
    rollup.refresh_some()
    assert rollup.is_built()
    assert store.db.execute_sql("SELECT SUM(short) FROM rollup_trunk").fetchone()[0] == 1
    check(ADMIN, Traffic(), since, until)


def test_a_report_whose_roll_ups_are_not_built_says_how_far_they_are(org, monkeypatch):
    monkeypatch.setattr(rollup, "PREPARED_RAW_CALLS", 10)
    insert([(d, 40000 + i, "out", "201", "T1", 5, 30, True, None, "", "local", "EUR")
            for d in range(-30, 10) for i in range(2)])
    since, until = _midnight(-30), _midnight(10)
    with pytest.raises(rollup.Preparing) as e:
        report_trunks.trunk_traffic(ADMIN, "default", since, until, tz=TZ, wait=False)
    assert e.value.percent == 0                 # nothing built yet
    assert report_trunks.trunk_traffic(ADMIN, "default", since, until, tz=TZ).total.calls == 80   # waits
    report_trunks.trunk_traffic(ADMIN, "default", _midnight(0), _midnight(2), tz=TZ, wait=False)   # few calls: read
    assert rollup.refresh_some(20) >= 20        # the idle worker: 20 of the 40 days (and a month)
    with pytest.raises(rollup.Preparing) as e:
        report_trunks.problems(ADMIN, "default", since, until, tz=TZ, wait=False)
    assert 40 <= e.value.percent <= 60
    while rollup.refresh_some():
        pass
    assert report_trunks.trunk_traffic(ADMIN, "default", since, until, tz=TZ, wait=False).total.calls == 80
    store.db.execute_sql("INSERT INTO rollup_dirty (day) SELECT DISTINCT day FROM rollup_day")   # a re-rating of all
    assert rollup.progress() < 100
    with pytest.raises(rollup.Preparing):
        report_trunks.trunk_traffic(ADMIN, "default", since, until, tz=TZ, wait=False)


@pytest.fixture
def org(db):
    from test_rollup import build_directory
    build_directory()
    yield db


@pytest.mark.parametrize("page", ["/reports/trunks", "/reports"])
def test_the_web_says_being_prepared_with_the_progress_in_the_users_language(tmp_path, page, monkeypatch):
    import webtest
    from web_helpers import add_user, login
    from webui.app import make_app
    store.open_db(tmp_path / "callbox.db")
    try:
        insert([(d, 40000 + i, "out", "201", "T1", 5, 30, True, None, "", "local", "EUR")
                for d in range(0, 20) for i in range(3)])
    finally:
        store.close_db()
    monkeypatch.setattr(rollup, "PREPARED_RAW_CALLS", 5)
    (tmp_path / "callbox.ini").write_text("[pbx]\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    client = webtest.TestApp(make_app(tmp_path))
    add_user("admin")
    login(client, "admin")
    query = {"run": "1", "range": "custom", "since": "2024-03-29", "until": "2024-04-25", "dim1": "trunk_group",
             "lang": "tr"}
    body = client.get(page, query).text
    assert 'class="banner preparing"' in body and "hazırlanıyor" in body
    assert client.get(page + ".csv", query, status=503).headers["Retry-After"] == "60"
    store.open_db(tmp_path / "callbox.db")
    try:
        rollup.refresh()
    finally:
        store.close_db()
    body = client.get(page, {**query, "lang": "en"}).text
    assert "banner preparing" not in body and "<table" in body
