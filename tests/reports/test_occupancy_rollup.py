"""Concurrent calls and the busy hour from the occupancy roll-up (issue 14) equal the sweep over the calls: random
calls of every direction, local steps from a minute to a day in zones with whole and half-hour offsets, calls
stored after the build (dirty days), calls longer than the look-back; the scopes and traffic types the roll-up
does not hold read the calls."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance import store
from appliance.reports import concurrency as rc
from appliance.reports import occupancy, rollup, traffic_rollup
from appliance.store import rollups
from test_offers_rollup import midnight
from test_rollup import ADMIN, DAY0, USERS, build_directory, call_st, clear, insert

ZONES = (ZoneInfo("Europe/Warsaw"), ZoneInfo("Asia/Kolkata"), ZoneInfo("America/St_Johns"))
TRAFFIC = (rc.Traffic(), rc.Traffic("in"), rc.Traffic("out"), rc.Traffic("system"), rc.Traffic(kind="mobile"))


@pytest.fixture
def org(db):
    build_directory()
    yield db


WINDOWS = ((0, 2), (1, 2), (-20, 26), (0, 5))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-300, 1000), st.integers(0, 400)), max_size=30), st.integers(0, 8))
def test_the_minutes_equal_the_sweep_minute_by_minute(calls, width):
    intervals = [(s, s + d) for s, d in calls]
    bounds = list(range(-120, -120 + 60 * (width + 10) + 1, 60))
    expect = [(m, p, b) for m, (p, b) in zip(bounds, rc.sweep(intervals, bounds)) if p]
    assert list(occupancy.minutes(intervals, bounds[0], bounds[-1])) == expect


def raw(user, since, until, tz, step, traffic):
    bounds = rc.local_bounds(since, until, step, tz)
    return rc.sweep(rc.intervals(user, "default", bounds[0], bounds[-1], traffic), bounds)


def check(user, since, until, tz, step, traffic):
    fast = occupancy.swept(user, "default", rc.local_bounds(since, until, step, tz), traffic, True)
    expect = raw(user, since, until, tz, step, traffic)
    if fast is not None:
        assert fast == expect
    buckets = rc.concurrency(user, "default", since, until, tz, step, traffic)
    assert [(b.max_concurrent, b.busy_s) for b in buckets] == expect
    return fast


some_system = st.lists(call_st.map(lambda c: (*c[:2], "system", *c[3:])), max_size=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(call_st, max_size=40), system=some_system, later=st.lists(call_st, max_size=4),
       user=st.sampled_from(USERS), traffic=st.sampled_from(TRAFFIC), window=st.sampled_from(WINDOWS),
       step=st.sampled_from((60, 900, 3600, 86400)), tz=st.sampled_from(ZONES), long=st.booleans())
def test_concurrency_from_the_occupancy_rollup_equals_the_calls(org, calls, system, later, user, traffic,
                                                                window, step, tz, long):
    clear()
    traffic_rollup.clear()
    insert(calls + system)
    rollup.refresh()
    insert(later, 1000)   # stored after the build: their days dirty, read from the calls
    if later:
        rollups.mark_refs(1000)
    if long:   # a call longer than the look-back: the report reads the calls near it
        insert([(window[0], 3600, "out", "201", "T1", 5, 2 * 86400, True, None, "", "local", "EUR")], 2000)
        rollups.mark_refs(2000)
    since, until = midnight(window[0]), midnight(window[1])
    fast = check(user, since, until, tz, step, traffic)
    if user is ADMIN and traffic.kind is None and not long:
        assert fast is not None


def test_the_rollup_is_read_for_the_box_and_follows_changes(org):
    calls = [(d, 3600 * h + 7, direction, "201", "T1", 5, 600 * h, True, None, "", "local", "EUR")
             for d in (0, 1, 2) for h in (9, 10, 23) for direction in ("in", "out", "system")]
    insert(calls)
    rollup.refresh()
    tz = ZoneInfo("Asia/Kolkata")
    for step in (60, 3600):
        assert check(ADMIN, midnight(0), midnight(3), tz, step, rc.Traffic()) is not None
    store.db.execute_sql("UPDATE call SET talk_s = talk_s + 4000 WHERE direction = 'in'")   # re-processed
    rollups.after_reprocess(1, 100_000)
    assert check(ADMIN, midnight(0), midnight(3), tz, 900, rc.Traffic("in")) is not None   # dirty: from the calls
    rollup.refresh()
    assert check(ADMIN, midnight(0), midnight(3), tz, 900, rc.Traffic("in")) is not None
    busy = rc.busy_hour(ADMIN, "default", midnight(0), midnight(3), tz)
    assert busy.peak is not None and busy.peak.max_concurrent == 4   # 23 h: 3 calls of 3.8 h still up, and a new one
    assert store.db.execute_sql("SELECT COUNT(*) FROM rollup_occupancy").fetchone()[0] > 0
    assert DAY0   # the days above are DAY0's


def test_a_dirty_days_calls_reaching_into_the_next_day_are_read_from_the_calls(org):
    calls = [(d, 3600 * h, "out", "201", "T1", 5, 1200, True, None, "", "local", "EUR")
             for d in range(4) for h in (9, 22)]
    insert(calls)
    rollup.refresh()
    late = store.db.execute_sql("SELECT id FROM call ORDER BY start_utc LIMIT 1 OFFSET 3").fetchone()[0]
    store.db.execute_sql("UPDATE call SET talk_s = 30000 WHERE id = ?", (late,))   # day 1, 22:00, now to 06:20
    rollups.mark_calls(store.db.connection(), [late])
    for step in (900, 3600):
        assert check(ADMIN, midnight(0), midnight(4), ZoneInfo("Europe/Warsaw"), step, rc.Traffic()) is not None
