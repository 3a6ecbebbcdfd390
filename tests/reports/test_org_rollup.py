"""Issue 14: department × month over years and a department supervisor's trunk traffic from the organisation
month cube, and cube rows attributed in SQL (attribution_sql): the same reports as the call table gives, with
directory changes inside the months (a person moving department mid-day, an extension changing hands, a trunk
changing provider), every kind of scope, dirty days, stale months and a directory changed after the build."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rollup import (ADMIN, DAY0, TZ, USERS, build_directory, call_st, clear, insert, month_call_st, month_spec_st,
                         spec_st)

from appliance import store
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.reports import engine as reports
from appliance.reports import org_reports, org_rollup, rollup
from appliance.reports import trunks as report_trunks
from appliance.reports.concurrency import Traffic
from appliance.store import directory as sd
from appliance.store import rollups

DEP = Account(4, "dep", "supervisor", "department", "default", "piotr")   # Support
BRANCH = Account(5, "br", "operator", "branch", "default", "olga")        # İzmir
org_spec_st = st.builds(   # breakdowns the organisation month cube serves
    lambda dims, measures, rng, filt: reports.Spec(tuple(dims), tuple(measures), *rng, filters=filt),
    st.lists(st.sampled_from(("department", "branch", "month", "year", "trunk_group", "trunk", "tenant", "direction",
                              "currency")), min_size=1, max_size=2, unique=True),
    st.lists(st.sampled_from(tuple(reports.MEASURES)), min_size=1, max_size=3, unique=True),
    st.sampled_from((("all", None, None), ("custom", "2024-02-15", "2024-05-01"),
                     ("custom", "2024-03-01", "2024-04-01"), ("custom", "2024-02-01", "2024-04-03"))),
    st.sampled_from(({}, {"direction": ["out"]}, {"department": ["Sales"]}, {"branch": ["Kraków"]},
                     {"trunk_group": ["Vodafone"]}, {"trunk": ["T1"]}, {"currency": ["EUR"]})))


@pytest.fixture
def org(db):
    org_rollup._summed.clear()
    build_directory()
    yield db


def build(calls, later=(), dirty=(), stale=()) -> None:
    """Cubes over `calls` (the organisation cube for the [pbx] tenant "default"); `later` stored after (dirty);
    `dirty` days marked; `stale` months marked stale with their cube rows made wrong, as a stale month's may be."""
    clear()
    insert(calls)
    rollup.refresh(pbx_tenant="default")
    for ym in stale:
        store.db.execute_sql("INSERT INTO rollup_month_dirty (ym) VALUES (?)", (ym,))
        for t in ("rollup_ext_month", "rollup_org_month"):
            store.db.execute_sql(f"UPDATE {t} SET calls = calls + 1 WHERE ym = ?", (ym,))
    insert(later, 1000)
    if later:
        rollups.mark_refs(1000)
    for d in dirty:
        store.db.execute_sql("INSERT OR IGNORE INTO rollup_dirty (day) VALUES (?)",
                             ((DAY0 + d * 86400 + 7200 + 3600) // 86400,))


def same(spec, user) -> reports.Result:
    raw = reports.run(spec, user, "default", DAY0, tz=TZ, use_rollup=False)
    fast = reports.run(spec, user, "default", DAY0, tz=TZ)
    assert (fast.columns, fast.rows, fast.totals) == (raw.columns, raw.rows, raw.totals)
    return fast


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.one_of(month_call_st, call_st), min_size=4, max_size=30),
       later=st.lists(call_st, max_size=1), spec=org_spec_st, user=st.sampled_from(USERS),
       dirty=st.lists(st.integers(-35, 40), max_size=1), stale=st.lists(st.sampled_from((202402, 202403)), max_size=1))
def test_org_month_cube_equals_raw(org, calls, later, spec, user, dirty, stale):
    build(calls, later, dirty, stale)
    fast = same(spec, user)
    by_unit = {"department", "branch"} & (set(spec.dims) | set(spec.filters))
    if user is ADMIN and by_unit or user.username in ("dep", "br"):
        assert fast.source.startswith("rollup:org_month")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.one_of(month_call_st, call_st), min_size=4, max_size=30),
       later=st.lists(call_st, max_size=1), spec=st.one_of(month_spec_st, spec_st), user=st.sampled_from(USERS),
       dirty=st.lists(st.integers(-35, 40), max_size=1), stale=st.lists(st.sampled_from((202402, 202403)), max_size=1))
def test_cube_rows_attributed_in_sql_equal_attributed_one_by_one(org, monkeypatch, calls, later, spec, user, dirty,
                                                                 stale):
    """Without the organisation cube: the extension cubes' rows attributed in SQL give what the Python path gives
    (and the call table)."""
    monkeypatch.setattr(org_reports, "READ_ORG", False)
    build(calls, later, dirty, stale)
    fast = same(spec, user)
    monkeypatch.setattr(reports, "FAST_ATTRIBUTION", False)
    slow = reports.run(spec, user, "default", DAY0, tz=TZ)
    assert (slow.rows, slow.totals, slow.source) == (fast.rows, fast.totals, fast.source)


def _traffic(user, since: str, until: str):
    from datetime import datetime
    a, b = (int(datetime.fromisoformat(x).replace(tzinfo=TZ).timestamp()) for x in (since, until))
    report = report_trunks.trunk_traffic(user, "default", a, b, Traffic(), tz=TZ)
    raw = report_trunks.raw_trunk_traffic(user, "default", a, b, Traffic())
    assert report.to_dict() == raw.to_dict()
    groups = report_trunks.TrunkGroups("default")
    counts = report_trunks._counts(user, "default", a, b, Traffic(), 2, groups, TZ)
    assert counts == report_trunks.raw_counts(user, "default", a, b, Traffic(), 2, groups)
    return report


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.one_of(month_call_st, call_st), min_size=4, max_size=30), user=st.sampled_from(USERS[:5]))
def test_a_supervisors_trunk_traffic_from_the_cube_equals_the_calls(org, calls, user):
    build(calls)
    for since, until in (("2024-03-01", "2024-04-01"), ("2024-02-01", "2024-05-01")):
        _traffic(user, since, until)


def _move_piotr_to_sales() -> None:
    t = sd.tenant_id("default")
    piotr = sd.Person.get(sd.Person.external_id == "piotr")
    sales = next(i for i, n in sd.names(t, "department").items() if n == "Sales")
    izmir = next(i for i, n in sd.names(t, "branch").items() if n == "İzmir")
    directory.move_person(t, piotr.id, DAY0 - 20 * 86400, izmir, sales)   # in February, before his calls


def test_a_directory_change_after_the_build_is_never_read_from_the_old_cube(org):
    """The cube holds the attribution of the directory it was built with: after a change (piotr moves to Sales in
    February) reports read the other sources until the idle worker has summed the months again."""
    build([(d, 36000, "out", ext, "T1", 5, 60, True, "0.50", "", "local", "EUR")
           for d in (-31, -20, 1, 2, 20, 35) for ext in ("201", "202", " 204")])
    spec = reports.Spec(("department", "month"), ("calls", "cost"), "all")
    assert same(spec, ADMIN).source == "rollup:org_month"
    _move_piotr_to_sales()
    assert not same(spec, ADMIN).source.startswith("rollup:org")
    assert not same(spec, DEP).source.startswith("rollup:org")
    steps = 0
    while rollup.refresh_some(pbx_tenant="default"):
        steps += 1
        same(spec, ADMIN)   # months summed again and months still stale, side by side
    assert steps == 2 and rollup.stale_months() == set()   # February..April: 2 + 1 months
    assert same(spec, ADMIN).source == "rollup:org_month" and same(spec, DEP).source == "rollup:org_month"
    assert rollup.refresh_some(pbx_tenant="default") == 0


def test_a_refresh_without_the_pbx_tenant_flags_the_cube_invalid(org):
    build([(d, 36000, "out", "201", "T1", 5, 60, True, "0.50", "", "local", "EUR") for d in (-31, 1, 35)])
    spec = reports.Spec(("department", "month"), ("calls",), "all")
    assert same(spec, ADMIN).source == "rollup:org_month"
    rollup.refresh()   # `callbox rollup refresh` of an older release, a tool: the [pbx] tenant unknown
    assert same(spec, ADMIN).source == "rollup:ext_month"
    assert [rollup.refresh_some(pbx_tenant="default") for _ in range(3)] == [2, 2, 0]   # February..May
    assert same(spec, ADMIN).source == "rollup:org_month"


@pytest.mark.parametrize("user", [ADMIN, DEP, BRANCH])
def test_department_by_month_worked_example(org, user):
    """MONTH_CALLS of test_rollup: ayşe (201) moves Sales -> Support on 30 March at 12:00:17; 204 is jan's (Sales)
    until an hour later, then olga's (Support)."""
    from test_rollup import DEPT_MONTH, month_calls
    clear()
    month_calls()
    rollup.refresh(pbx_tenant="default")
    r = same(reports.Spec(("department", "month"), ("calls",), "all"), user)
    assert r.source == "rollup:org_month"
    if user is ADMIN:
        assert r.rows == DEPT_MONTH


def test_a_month_whose_calls_change_is_summed_again_at_most_every_few_minutes(org, monkeypatch):
    """While calls arrive, the current month's organisation rows are summed again every AGAIN_S (about 1 s of worker
    CPU at 170,000 calls a month), not after every batch; reports read that month from the other sources
    meanwhile."""
    clock = [1000.0]
    monkeypatch.setattr(org_rollup.time, "monotonic", lambda: clock[0])
    build([(d, 36000, "out", "201", "T1", 5, 60, True, "0.50", "", "local", "EUR") for d in (-31, 1, 20)])
    spec = reports.Spec(("department", "month"), ("calls",), "all")
    insert([(20, 40000, "out", "202", "T2", 5, 60, True, "0.50", "", "local", "EUR")], 1000)   # April
    rollups.mark_refs(1000)
    assert rollup.refresh_some(pbx_tenant="default") == 2   # the day, its month cube; not its organisation rows
    assert org_rollup.stale() == {202404}
    r = same(spec, ADMIN)
    assert r.source == "rollup:org_month" and ["Support", "2024-04", 2] in r.rows   # 201 (ayşe) and 202
    assert rollup.refresh_some(pbx_tenant="default") == 0
    clock[0] += org_rollup.AGAIN_S
    assert rollup.refresh_some(pbx_tenant="default") == 1 and org_rollup.stale() == set()
    assert same(spec, ADMIN).source == "rollup:org_month"
