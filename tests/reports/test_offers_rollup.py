"""Missed calls from the offer roll-ups (issue 14) give exactly the report of the legs one by one: random
multi-leg incoming calls (forks, hunt loops, transfers, voicemail, IP Office segments), both groupings, every kind
of scope (a department's supervisor, a person), directory changes inside a day (an extension changing hands),
calls stored after the build (dirty days), edge days of exact times; and the web says "being prepared" instead of
reading years of legs while they are being built."""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance import store
from appliance.access import scope
from appliance.reports import missed as report_missed
from appliance.reports import offers, rollup, traffic_rollup
from appliance.store import rollups
from test_rollup import ADMIN, DAY0, MOVE, TZ, USERS, build_directory, clear

EXTS = ("201", "202", "203", " 204", "299", "V9511", "")
leg_st = st.tuples(st.integers(0, 90), st.integers(0, 40), st.integers(0, 200), st.booleans(), st.sampled_from(EXTS))
# (day from DAY0, second of the day, tenant, driver, legs); day 1 holds the directory changes (MOVE)
call_st = st.tuples(st.one_of(st.integers(0, 3), st.integers(-20, 25), st.integers(-40, 40)),
                    st.one_of(st.integers(0, 86399),
                              st.integers(MOVE - DAY0 - 86400 - 600, MOVE - DAY0 - 86400 + 4200)),
                    st.sampled_from(("", "default", "beta")), st.sampled_from(("t", "avaya_ipoffice")),
                    st.lists(leg_st, min_size=1, max_size=5))


def insert(calls, first_id: int = 1) -> None:
    conn, leg_id = store.db.connection(), first_id * 10
    for i, (day, sec, tenant, driver, legs) in enumerate(calls):
        cid, start = first_id + i, DAY0 + day * 86400 + sec
        offset = int(datetime.fromtimestamp(start, TZ).utcoffset().total_seconds())
        row = dict.fromkeys(store.CALL_COLUMNS, "")
        row.update(id=cid, driver=driver, start_utc=start, utc_offset=offset, direction="in", extension=legs[0][4],
                   ring_s=legs[0][1], talk_s=legs[0][2], answered=legs[0][3], transferred=False, legs=len(legs),
                   cost=None, capped=False, unknown_number=False, tenant=tenant)
        conn.execute(f"INSERT INTO call ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
        for at, ring, talk, answered, ext in legs:
            leg_id += 1
            conn.execute("INSERT INTO leg (id, call_id, driver, call_key, start_utc, utc_offset, direction, extension, "
                         "party, trunk, ring_s, talk_s, answered, transferred, account_code, jseg, joff) VALUES "
                         "(?, ?, ?, '', ?, ?, 'in', ?, '', '', ?, ?, ?, 0, '', 0, 0)",
                         (leg_id, cid, driver, start if driver != "t" else start + at, offset, ext, ring, talk,
                          answered))


def midnight(day: int) -> int:
    return int(datetime.fromtimestamp(DAY0 + day * 86400 + 7200, TZ).replace(hour=0, minute=0, second=0).timestamp())


@pytest.fixture
def org(db):
    build_directory()
    yield db


def clear_all() -> None:
    clear()
    traffic_rollup.clear()


def check(user, by: str, since: int, until: int, expect_fast: bool | None = None) -> None:
    raw = report_missed.raw_missed(user, "default", since, until, by)
    fast = offers.missed(user, "default", since, until, by, True)
    if expect_fast is not None:
        assert (fast is not None) == expect_fast
    assert report_missed.missed(user, "default", since, until, by).to_dict() == raw.to_dict()
    if fast is not None:
        assert fast.to_dict() == raw.to_dict()


WINDOWS = ((0, 2), (1, 2), (-20, 26), (0, 4), (-28, 33), (-40, 41))   # -28..33: March and April (month sums)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(call_st, max_size=30), later=st.lists(call_st, max_size=4), user=st.sampled_from(USERS),
       by=st.sampled_from(report_missed.BY), window=st.sampled_from(WINDOWS), exact=st.booleans())
def test_missed_calls_from_the_offer_rollups_equal_the_legs(org, calls, later, user, by, window, exact):
    clear_all()
    insert(calls)
    rollup.refresh()
    insert(later, 1000)   # stored after the build: their days dirty, read from the legs
    if later:
        rollups.mark_refs(10_000)
    since, until = midnight(window[0]), midnight(window[1])
    if exact:   # not local midnights: the edge days call by call
        since, until = since + 7 * 3600 + 17, until - 3600
    check(user, by, since, until)


def test_a_person_whose_two_phones_rang_counts_the_call_once_and_a_change_of_hands_splits_the_day(org):
    day1 = MOVE - DAY0 - 86400
    calls = [(1, day1 - 600, "", "t", [(0, 20, 0, False, "201"), (0, 20, 0, False, "204")]),   # olga? no: jan's 204
             (1, day1 + 7200, "", "t", [(0, 15, 0, False, "204"), (0, 15, 0, False, "203")]),   # olga owns both now
             (1, day1 + 8000, "", "t", [(0, 5, 30, True, "204")]),
             (1, day1 - 7200, "", "t", [(0, 5, 30, True, "204")]),
             (2, 3600, "", "avaya_ipoffice", [(0, 5, 60, True, "201"), (0, 20, 0, False, "202")])]
    insert(calls)
    rollup.refresh()
    for user in USERS:
        for by in report_missed.BY:
            check(user, by, midnight(0), midnight(4), expect_fast=user.scope not in ("all",) or user.is_admin)
    olga = report_missed.missed(ADMIN, "default", midnight(0), midnight(4), "person").to_dict()
    row = next(r for r in olga["rows"] if r["key"] == "olga")
    assert row["offered"] == 2 and row["missed_direct"] == 1 and row["extensions"] == ["203", "204"]
    jan = next(r for r in olga["rows"] if r["key"] == "jan")
    assert jan["offered"] == 2 and jan["missed"] == 1   # 204 was his until the change


def test_the_rollups_follow_dirty_days_and_are_built_on_an_older_database(org):
    calls = [(d, 9 * 3600 + d, "", "t", [(0, 12, 0, False, "201"), (12, 4, 50, True, "202")]) for d in range(4)]
    insert(calls)
    rollup.refresh()
    store.db.execute_sql("UPDATE leg SET answered = 0")   # re-processed legs, then the hook
    rollups.after_reprocess(1, 100_000)
    check(ADMIN, "extension", midnight(0), midnight(4), expect_fast=True)   # dirty: from the legs
    rollup.refresh()
    check(ADMIN, "extension", midnight(0), midnight(4), expect_fast=True)
    assert report_missed.missed(ADMIN, "default", midnight(0), midnight(4)).total.missed == 4
    # a database rolled up before these roll-ups: built by the idle refreshes, the legs read meanwhile
    traffic_rollup.clear()
    store.db.execute_sql("DELETE FROM rollup_state WHERE key = ?", (traffic_rollup.STATE,))
    assert offers.missed(ADMIN, "default", midnight(0), midnight(4), "extension", True) is None
    assert traffic_rollup.progress() == 0
    while rollup.refresh_some():
        pass
    assert traffic_rollup.built()
    check(ADMIN, "person", midnight(0), midnight(4), expect_fast=True)


def test_the_web_hears_being_prepared_instead_of_reading_many_legs(org, monkeypatch):
    insert([(d, 36000, "", "t", [(0, 9, 0, False, "201")]) for d in range(3)])
    monkeypatch.setattr(rollup, "PREPARED_RAW_CALLS", 1)
    with pytest.raises(rollup.Preparing):
        report_missed.missed(ADMIN, "default", midnight(0), midnight(3), wait=False)
    assert report_missed.missed(ADMIN, "default", midnight(0), midnight(3)).total.missed == 3   # the CLI waits
    rollup.refresh()
    assert report_missed.missed(ADMIN, "default", midnight(0), midnight(3), wait=False).total.missed == 3


def test_whole_months_are_read_from_the_month_sums_and_those_are_filled_on_an_older_database(org):
    """March (with the change of hands on 30 March) and April are summed per month; a database rolled up before the
    month sums has them filled by the next idle refresh, and reads the days meanwhile."""
    calls = [(d, 9 * 3600 + 7 * d, "", "t", [(0, 12, 0, False, ext), (12, 4, 50, d % 3 == 0, "202")][:1 + d % 2])
             for d in range(-40, 40, 2) for ext in ("201", "204")]
    calls += [(1, MOVE - DAY0 - 86400 + s, "", "t", [(0, 9, 0, False, "204"), (0, 9, 0, s > 0, "203")])
              for s in (-3600, 3600)]
    insert(calls)
    rollup.refresh()
    assert offers.months_summed()
    whole = [(midnight(d) + 7200) // 86400 for d in range(-28, 33)]
    assert offers._units(whole, set())[0] == [202403, 202404]
    # the range's last days without an offer (the data ends on 27 April): April still read by month
    assert offers._units(whole[:-3], set(), (whole[0], whole[-1] + 1))[0] == [202403, 202404]
    assert offers._units(whole[:-3], set())[0] == [202403]   # without the range's days: no way to know
    for by in report_missed.BY:
        for window in ((-28, 33), (-40, 41), (-27, 33)):
            check(ADMIN, by, midnight(window[0]), midnight(window[1]), expect_fast=True)
    store.db.execute_sql("DELETE FROM rollup_offer_month")
    store.db.execute_sql("DELETE FROM rollup_state WHERE key = ?", (offers.STATE_MONTHS,))
    check(ADMIN, "extension", midnight(-28), midnight(33), expect_fast=True)   # from the days
    while rollup.refresh_some():
        pass
    assert offers.months_summed() and store.db.execute_sql("SELECT COUNT(*) FROM rollup_offer_month").fetchone()[0]
    for by in report_missed.BY:
        check(ADMIN, by, midnight(-28), midnight(33), expect_fast=True)


LATE_LEG = ("INSERT INTO leg (id, call_id, driver, call_key, start_utc, utc_offset, direction, extension, party, "
            "trunk, ring_s, talk_s, answered, transferred, account_code, jseg, joff) SELECT ?, id, driver, '', "
            "start_utc + 8, utc_offset, 'in', ?, '', '', 6, 40, 1, 0, '', 0, 0 FROM call WHERE id = ?")


def call_exts() -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for cid, ext in store.db.execute_sql("SELECT call_id, call_ext FROM rollup_offer").fetchall():
        out.setdefault(cid, set()).add(ext)
    return out


def test_a_late_leg_that_gives_the_call_another_extension_moves_it_into_a_department_scope(org):
    """The offers carry their call's own extension (a scope by person finds them by it, rollup_offer_scope): a leg
    stored after the roll-up that makes the call another extension's marks its day dirty (read from the legs) and
    the refresh stores the new extension."""
    insert([(d, 10 * 3600, "default", "t", [(0, 10, 0, False, "299")]) for d in (2, 3)]
           + [(3, 11 * 3600, "", "t", [(0, 5, 40, True, " 202")])])
    rollup.refresh()
    assert call_exts() == {1: {"299"}, 2: {"299"}, 3: {"202"}}
    dep = USERS[3]   # piotr's department (Support): 202, 203 and, after the move, 201
    assert report_missed.missed(dep, "default", midnight(2), midnight(4)).total.offered == 1
    store.db.execute_sql(LATE_LEG, (500, "202", 1))   # call 1 then rang 202, which answered: the call is 202's
    store.db.execute_sql("UPDATE call SET extension = '202', legs = 2 WHERE id = 1")
    rollups.mark_refs(500)
    for user in USERS:
        for by in report_missed.BY:
            check(user, by, midnight(2), midnight(4))   # its day dirty: that day from the legs
    rollup.refresh()
    assert call_exts() == {1: {"202"}, 2: {"299"}, 3: {"202"}}
    for user in USERS:
        for by in report_missed.BY:
            check(user, by, midnight(2), midnight(4), expect_fast=scope.basis(user) != "none")
    report = report_missed.missed(dep, "default", midnight(2), midnight(4), "extension").to_dict()
    assert report["total"]["offered"] == 2 and [r["key"] for r in report["rows"]] == ["202"]


def test_offers_stored_before_they_carried_their_calls_extension_are_built_again(org, monkeypatch):
    """An older database's offers (no call_ext): the idle refreshes build the missed-calls roll-ups again, oldest
    day first, the web hearing "being prepared" meanwhile; then every scope reads them."""
    insert([(d, 9 * 3600 + d, "", "t", [(0, 12, 0, False, "203"), (12, 4, 50, d % 2 == 0, "202")])
            for d in range(-30, 10, 3)])
    rollup.refresh()
    store.db.execute_sql("UPDATE rollup_offer SET call_ext = ''")
    store.db.execute_sql("DELETE FROM rollup_state WHERE key = ?", (offers.STATE_SCOPED,))
    assert offers.missed(USERS[3], "default", midnight(-30), midnight(10), "extension", True) is None   # the legs
    assert rollup.refresh_some() and offers.scoped() and not traffic_rollup.built()   # 14 days of 40 done
    assert 0 < traffic_rollup.progress() < 100
    monkeypatch.setattr(rollup, "PREPARED_RAW_CALLS", 1)
    with pytest.raises(rollup.Preparing):
        report_missed.missed(USERS[3], "default", midnight(-30), midnight(10), wait=False)
    check(USERS[3], "extension", midnight(-30), midnight(10), expect_fast=False)   # the CLI reads the legs
    while rollup.refresh_some():
        pass
    assert traffic_rollup.built() and "" not in set().union(*call_exts().values())
    for user in USERS:
        for by in report_missed.BY:
            check(user, by, midnight(-30), midnight(10), expect_fast=scope.basis(user) != "none")


def test_the_day_and_month_sums_share_their_columns_in_the_schemas_order():
    from appliance.store.rollups_org import RollupOrgMonth, RollupUnitMonth   # noqa: PLC0415 (this test only)
    from appliance.store.traffic_rollups import OfferDay, OfferMonth   # noqa: PLC0415 (this test only)

    def columns(model) -> list[str]:
        return [f.column_name for f in model._meta.sorted_fields]
    sums = ["tenant", "extension", "state", "multi", "calls", "ring_s", "min_start", "max_start"]
    assert columns(OfferDay) == ["id", "day", *sums] and columns(OfferMonth) == ["id", "ym", *sums]
    org = ["calls", "answered", "ring_s", "talk_s", "cost_micro", "priced", "short", "min_start", "max_start"]
    unit = ["id", "ym", "tenant", "department_id", "branch_id"]
    assert columns(RollupUnitMonth) == [*unit, "direction", "currency", *org]
    assert columns(RollupOrgMonth) == [*unit, "trunk", "trunk_group", "direction", "currency", *org]


@pytest.mark.parametrize("table, unit, where, index", [
    ("rollup_offer_ext", "day", "o.day >= 1 AND o.day < 31 AND o.tenant = '' AND o.extension = '201'",
     "rollup_offer_ext_extension"),
    ("rollup_offer_month", "ym", f"o.ym IN ({', '.join(str(202401 + m) for m in range(12))}) AND (o.tenant = '' AND "
     "o.extension IN ('201', '202', '203', '204'))", "rollup_offer_month_extension"),
    ("rollup_offer_ext", "day", "o.day IN (1, 2) AND o.tenant IN ('beta')", "rollup_offer_ext_day"),
    ("rollup_offer_month", "ym", f"o.ym IN ({', '.join(str(202401 + m) for m in range(12))}) AND o.tenant IN ('beta')",
     "rollup_offer_month_ym")])
def test_an_extension_that_changed_hands_is_read_by_its_index_a_tenant_by_its_days(db, table, unit, where, index):
    """A report by person reads the months and days of an extension that changed hands in its range by the index led
    by the extension; a tenant's report still reads its days or months by their own index, not every year's rows."""
    plan = " ".join(r[-1] for r in db.execute_sql(f"EXPLAIN QUERY PLAN SELECT o.{unit}, SUM(o.calls) FROM {table} o "
                                                  f"WHERE {where} GROUP BY o.{unit}, o.state"))
    assert f"INDEX {index} " in plan
