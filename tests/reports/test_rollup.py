"""Roll-ups give the same reports as the call table: random calls, random breakdowns, every kind of scope, with
directory changes inside a day, dirty days and stale months, and the worker/re-rating/re-processing hooks."""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance import store
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.reports import engine as reports
from appliance.reports import rollup
from appliance.store import directory as sd
from appliance.store import rollups

TZ = ZoneInfo("Europe/Warsaw")              # DST: offsets differ across the days below
DAY0 = int(datetime(2024, 3, 29, tzinfo=TZ).timestamp())   # spans the 31 March 2024 change
MOVE = DAY0 + 86400 + 12 * 3600 + 17         # mid-day: a person changes department, an extension changes hands
ADMIN = Account(1, "admin", "administrator", "all", "", "")
USERS = (ADMIN, Account(2, "t", "supervisor", "tenant", "default", ""),
         Account(3, "own", "staff", "own", "default", "ayse"),
         Account(4, "dep", "supervisor", "department", "default", "piotr"),
         Account(5, "br", "operator", "branch", "default", "olga"),
         Account(6, "x", "supervisor", "all", "", ""))   # scope all without being an admin: nothing
DIM_NAMES = ("extension", "person", "department", "branch", "tenant", "hour", "day", "weekday", "month", "year",
             "tariff", "trunk", "trunk_group", "duration_band", "answer_band", "direction", "kind", "destination",
             "currency")


def build_directory() -> None:
    t = sd.tenant_id("default", create=True)
    sd.tenant_id("beta", create=True)
    unit = {n: sd.create_named(t, k, n) for k, n in (("branch", "İzmir"), ("branch", "Kraków"),
                                                     ("department", "Sales"), ("department", "Support"))}
    pid = {k: directory.add_person(t, k, f, l) for k, f, l in (
        ("ayse", "Ayşe", "Demir"), ("piotr", "Piotr", "Wąsowski"), ("olga", "Ольга", "Петрова"), ("jan", "Jan", ""))}
    for key, branch, dept, ext in (("ayse", "İzmir", "Sales", "201"), ("piotr", "Kraków", "Support", "202"),
                                   ("olga", "İzmir", "Support", "203"), ("jan", "Kraków", "Sales", "204")):
        directory.move_person(t, pid[key], None, unit[branch], unit[dept])
        directory.assign_extension(t, pid[key], ext, None)
    directory.move_person(t, pid["ayse"], MOVE, unit["Kraków"], unit["Support"])
    directory.assign_extension(t, pid["olga"], "204", MOVE + 3600, replace=True)
    directory.set_trunk(t, "T1", "Vodafone", None)
    directory.set_trunk(t, "T1", "Türk Telekom", MOVE - 7200)


# days from DAY0: mostly the five days around the directory changes, some across February..April (whole months
# for the month cube, March with the changes inside it)
def calls_st(day, extension, tenants=("", "default", "beta"), currencies=("EUR", "PLN")):
    return st.tuples(day, st.integers(0, 86399), st.sampled_from(("in", "out", "internal")), extension,
                     st.sampled_from(("T1", "T2", "")), st.integers(0, 70), st.integers(0, 4000), st.booleans(),
                     st.one_of(st.none(), st.decimals("0", "99.999", places=3).map(str)),
                     st.sampled_from(tenants), st.sampled_from(("local", "mobile", "")), st.sampled_from(currencies))


call_st = calls_st(st.one_of(st.integers(0, 4), st.integers(-35, 40)),
                   st.sampled_from(("201", "202", "203", " 204", "299")))
# the month cube's case: February..April, March split by the changes on day 1 (ayşe, 201) and day 1-2 (204)
month_call_st = calls_st(st.sampled_from((-31, -20, -1, 1, 2, 4, 20, 35)), st.sampled_from(("201", " 204", "202")),
                         ("", "default", "default", "beta"), ("EUR", "EUR", "PLN"))


def insert(calls: list[tuple], first_id: int = 1) -> None:
    rows = []
    for i, (day, sec, direction, ext, trunk, ring, talk, answered, cost, tenant, kind, cur) in enumerate(calls):
        local_guess = DAY0 + day * 86400 + sec
        start = local_guess
        offset = int(datetime.fromtimestamp(start, TZ).utcoffset().total_seconds())
        rows.append((first_id + i, "t", "", start, offset, direction, ext, "0532", trunk, ring, talk, answered,
                     False, "", 1, kind, "", cost, cur if cost else "", kind, "plan" if cost else "", False, False,
                     tenant))
        store.db.connection().execute("INSERT INTO leg (id, call_id, driver, call_key, start_utc, utc_offset, "
                                      "direction, extension, party, trunk, ring_s, talk_s, answered, transferred, "
                                      "account_code, jseg, joff) VALUES (?, ?, 't', '', ?, ?, ?, ?, '', ?, ?, ?, ?, 0, "
                                      "'', 0, 0)", (first_id + i, first_id + i, start, offset, direction, ext, trunk,
                                                    ring, talk, answered))
    store.db.connection().executemany(
        f"INSERT INTO call ({', '.join(store.CALL_COLUMNS)}) VALUES ({', '.join('?' * len(store.CALL_COLUMNS))})",
        rows)
    store.db.connection().executemany(   # as the worker does (ingest.parse): scope.sees_whole_box reads it
        "INSERT OR IGNORE INTO call_tenant (code) VALUES (?)", [(c[9],) for c in calls])


@pytest.fixture
def org(db):
    build_directory()
    yield db


def clear() -> None:
    for t in ("call", "call_tenant", "leg", "rollup_dirty", "rollup_state", "rollup_month_dirty") + tuple(
            rollup.table(c) for c in (*rollup.CUBES, *rollup.MONTH_CUBES)):
        store.db.execute_sql(f"DELETE FROM {t}")


spec_st = st.builds(
    lambda dims, measures, rng, filt, tr: reports.Spec(
        tuple(dims), tuple(measures), *rng, filters={**filt, **({"time_range": tr} if tr else {})}),
    st.lists(st.sampled_from(DIM_NAMES), max_size=2, unique=True),
    st.lists(st.sampled_from(tuple(reports.MEASURES)), min_size=1, max_size=4, unique=True),
    st.sampled_from((("all", None, None), ("custom", "2024-03-30", "2024-04-01"),
                     ("custom", "2024-03-29T10:00", "2024-03-31T13:30"), ("custom", "2024-02-15", "2024-05-01"),
                     ("custom", "2024-03-01", "2024-04-01"))),
    st.sampled_from(({}, {"direction": ["out"]}, {"department": ["Sales"]}, {"extension": ["201", "204"]},
                     {"person": ["olga"]}, {"trunk_group": ["Vodafone"]}, {"month": ["2024-04"]})),
    st.sampled_from((None, "business_hours", "lunch_break")))


def check_equal(calls, later, spec, user, dirty, stale) -> reports.Result:
    """Build the cubes over `calls`, store `later` (dirty), mark days dirty and months stale (their month cube
    rows made wrong, as a stale month's may be); the report must equal the call table's."""
    clear()
    insert(calls)
    rollup.refresh()
    for ym in stale:
        store.db.execute_sql("INSERT INTO rollup_month_dirty (ym) VALUES (?)", (ym,))
        store.db.execute_sql("UPDATE rollup_ext_month SET calls = calls + 1 WHERE ym = ?", (ym,))
    insert(later, 1000)   # stored after the build: only their days marked dirty, not refreshed
    if later:
        rollups.mark_refs(1000)
    for d in dirty:
        store.db.execute_sql("INSERT OR IGNORE INTO rollup_dirty (day) VALUES (?)",
                             ((DAY0 + d * 86400 + 7200 + 3600) // 86400,))
    raw = reports.run(spec, user, "default", DAY0, tz=TZ, use_rollup=False)
    fast = reports.run(spec, user, "default", DAY0, tz=TZ)
    assert raw.source in ("raw", "none")
    assert (fast.columns, fast.rows, fast.totals) == (raw.columns, raw.rows, raw.totals)
    return fast


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(call_st, max_size=40), later=st.lists(call_st, max_size=5), spec=spec_st,
       user=st.sampled_from(USERS), dirty=st.lists(st.integers(-35, 40), max_size=2),
       stale=st.lists(st.sampled_from((202402, 202403, 202404)), max_size=1))
def test_rollup_equals_raw(org, calls, later, spec, user, dirty, stale):
    fast = check_equal(calls, later, spec, user, dirty, stale)
    if user.scope in ("all", "tenant") and fast.source != "none" and spec.range == "all" and not spec.filters and \
            not {"tariff", "trunk", "trunk_group"} & set(spec.dims) and len(spec.dims) <= 1:
        assert fast.source.startswith("rollup")


month_spec_st = st.builds(   # breakdowns the month cube serves: by extension or its attribution, month, year
    lambda dims, measures, rng, filt: reports.Spec(dims, tuple(measures), *rng, filters=filt),
    st.tuples(st.sampled_from(("person", "department", "branch")),
              st.sampled_from(("month", "year", "extension", "tenant", "direction", "currency"))).flatmap(
        lambda ab: st.sampled_from(((ab[0],), ab, ab[::-1]))),
    st.lists(st.sampled_from(tuple(reports.MEASURES)), min_size=1, max_size=3, unique=True),
    st.sampled_from((("all", None, None), ("custom", "2024-02-15", "2024-05-01"),
                     ("custom", "2024-03-01", "2024-04-01"), ("custom", "2024-02-01", "2024-04-03"))),
    st.sampled_from(({}, {"direction": ["out"]}, {"department": ["Sales"]}, {"extension": ["201", "204"]},
                     {"person": ["olga"]}, {"branch": ["Kraków"]})))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(month_call_st, min_size=4, max_size=30), later=st.lists(call_st, max_size=1), spec=month_spec_st,
       user=st.sampled_from(USERS[:5]), dirty=st.lists(st.integers(-35, 40), max_size=1),
       stale=st.lists(st.sampled_from((202402, 202403, 202404)), max_size=1))
def test_month_cube_equals_raw(org, calls, later, spec, user, dirty, stale):
    """Whole months from the month cube (March holds the directory changes: split by day, then by call)."""
    fast = check_equal(calls, later, spec, user, dirty, stale)
    if not (later or dirty or stale) and fast.source != "none":
        assert fast.source == "rollup:ext_month"


def test_refresh_after_change(org):
    insert([(1, 40000, "out", "201", "T1", 5, 100, True, "1.50", "", "local", "EUR")])
    assert rollup.refresh() >= 1 and rollup.is_built()
    spec = reports.Spec(("day",), ("calls", "cost"), "all")
    assert reports.run(spec, ADMIN, "default", tz=TZ).rows == [["2024-03-30", 1, pytest.approx(1.5)]]
    store.db.execute_sql("UPDATE call SET cost = '2.25'")   # as a re-rating would, then its hook
    rollups.after_rerate(None, None)
    assert rollup.dirty_days() == {(DAY0 + 86400 + 40000) // 86400}
    assert reports.run(spec, ADMIN, "default", tz=TZ).rows == [["2024-03-30", 1, pytest.approx(2.25)]]   # raw day
    assert rollup.refresh_some() == 2 and rollup.dirty_days() == set()   # the day, then its month
    r = reports.run(spec, ADMIN, "default", tz=TZ)
    assert r.source == "rollup:day" and str(r.rows[0][2]) == "2.25"


def test_failed_refresh_falls_back_to_raw(org, monkeypatch):
    insert([(1, 40000, "out", "201", "T1", 5, 100, True, "1.50", "", "local", "EUR")])
    rollup.refresh()
    monkeypatch.setattr(rollup, "_rebuild_days", lambda *a: (_ for _ in ()).throw(RuntimeError("disk full")))
    store.db.execute_sql("INSERT INTO rollup_dirty (day) VALUES (1)")
    assert rollup.refresh_some() == 0
    assert not rollup.is_built()
    assert reports.run(reports.Spec((), ("calls",), "all"), ADMIN, "default", tz=TZ).source == "raw"


def test_a_refresh_waits_for_another_writer_instead_of_failing(org):
    """During a flood the worker logged "roll-up refresh failed (database is locked)" (issue 14): its transaction
    began deferred, read, and another process (jobs) committed before its first write, which then found its
    snapshot stale: SQLite fails that at once, busy_timeout or not. It takes the write lock first and waits."""
    insert([(1, 40000, "out", "201", "T1", 5, 100, True, "1.50", "", "local", "EUR")])
    rollup.refresh()
    store.db.execute_sql("UPDATE call SET cost = '2.25'")   # as a re-rating would, then its hook
    rollups.after_rerate(None, None)
    store.db.execute_sql("CREATE TABLE other_writer (x)")
    other = sqlite3.connect(store.db.database, isolation_level=None, check_same_thread=False)
    other.execute(f"PRAGMA busy_timeout = {store.BUSY_TIMEOUT_MS}")
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    holding, writing, committed = threading.Event(), threading.Event(), threading.Event()

    def other_process():   # a write transaction committed while the refresh is under way
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO other_writer VALUES (1)")
        holding.set()
        writing.wait(2)   # the refresh is about to write (or it waits for this lock: then after 2 s)
        other.execute("COMMIT")
        committed.set()

    def before_statement(sql: str) -> None:   # the refresh's first write waits for the other's commit
        if sql.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE", "REPLACE")) and not writing.is_set():
            writing.set()
            committed.wait(10)

    thread = threading.Thread(target=other_process)
    thread.start()
    assert holding.wait(10)
    store.db.connection().set_trace_callback(before_statement)
    try:
        done = rollup.refresh_some()
    finally:
        store.db.connection().set_trace_callback(None)
        thread.join()
        other.close()
    assert committed.is_set() and done == 2 and rollup.is_built() and rollup.dirty_days() == set()


def test_a_refresh_kept_waiting_too_long_is_postponed_not_thrown_away(org, caplog):
    """Another process holding the write lock past the busy timeout: the refresh wrote nothing, its days stay
    dirty and the cubes built (no rebuild of every day, as a failure would ask); the next drain does it."""
    insert([(1, 40000, "out", "201", "T1", 5, 100, True, "1.50", "", "local", "EUR")])
    rollup.refresh()
    store.db.execute_sql("UPDATE call SET cost = '2.25'")
    rollups.after_rerate(None, None)
    dirty = rollup.dirty_days()
    store.db.execute_sql("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(store.db.database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE call SET ring_s = ring_s")
        assert rollup.refresh_some() == 0
        other.execute("COMMIT")
    finally:
        other.close()
    assert rollup.is_built() and rollup.dirty_days() == dirty
    assert [r.levelname for r in caplog.records if r.name == rollup.log.name] == ["WARNING"]
    assert "postponed" in caplog.text
    assert rollup.refresh_some() == 2 and rollup.dirty_days() == set()


def test_status_and_rebuild(org):
    insert([(d, 40000, "in", "202", "T2", 5, 100, True, None, "", "", "EUR") for d in range(3)])
    assert rollup.rebuild() == 3
    s = rollup.status()
    assert s["built"] and s["dirty_days"] == 0 and s["rows"]["day"] == 3
    assert s["stale_months"] == 0 and s["rows"]["ext_month"] == 1   # March, one extension


# (day from DAY0, local second): 201 is ayşe's (Sales until MOVE, 30 March 12:00:17, then Support); 204 is jan's
# (Sales) until MOVE + 1 h, then olga's (Support)
MONTH_CALLS = ((-48, 36000, "201"), (-19, 36000, "201"), (1, 9 * 3600, "201"), (1, 20 * 3600, "201"),
               (12, 36000, "201"), (-19, 50000, " 204"), (1, 23 * 3600, " 204"))
DEPT_MONTH = [["Sales", "2024-02", 1], ["Sales", "2024-03", 3], ["Support", "2024-03", 2], ["Support", "2024-04", 1]]


def month_calls() -> None:
    insert([(d, sec, "out", ext, "T1", 5, 60, True, "0.50", "", "local", "EUR") for d, sec, ext in MONTH_CALLS])


def test_whole_months_come_from_the_month_cube_split_by_directory_changes(org):
    month_calls()
    rollup.refresh()
    for rng in (("all", None, None), ("custom", "2024-02-01", "2024-05-01"), ("custom", "2024-01-20", "2024-04-11")):
        spec = reports.Spec(("department", "month"), ("calls",), *rng)
        fast = reports.run(spec, ADMIN, "default", tz=TZ)
        assert fast.source == "rollup:ext_month" and fast.rows == DEPT_MONTH
        assert reports.run(spec, ADMIN, "default", tz=TZ, use_rollup=False).rows == DEPT_MONTH
    spec = reports.Spec(("branch", "year"), ("calls", "cost"), "all")
    assert reports.run(spec, ADMIN, "default", tz=TZ).rows == [["Kraków", "2024", 3, Decimal("1.50")],
                                                               ["İzmir", "2024", 4, Decimal("2.00")]]
    dep = Account(4, "dep", "supervisor", "department", "default", "piotr")   # Support
    spec = reports.Spec(("person", "month"), ("calls",), "all")
    assert reports.run(spec, dep, "default", tz=TZ).rows == [["Ayşe Demir (ayse)", "2024-03", 1],
                                                             ["Ayşe Demir (ayse)", "2024-04", 1],
                                                             ["Ольга Петрова (olga)", "2024-03", 1]]


def test_a_dirty_day_keeps_its_month_out_of_the_month_cube_until_refreshed(org):
    month_calls()
    rollup.refresh()
    insert([(12, 40000, "out", "201", "T1", 5, 60, True, "0.50", "", "local", "EUR")], 1000)
    rollups.mark_refs(1000)
    spec = reports.Spec(("department", "month"), ("calls",), "all")
    want = DEPT_MONTH[:3] + [["Support", "2024-04", 2]]
    r = reports.run(spec, ADMIN, "default", tz=TZ)
    assert r.rows == want and r.source == "rollup:ext_month+raw"
    assert rollup.refresh_some() == 2 and rollup.stale_months() == set()   # the day, then April
    r = reports.run(spec, ADMIN, "default", tz=TZ)
    assert r.rows == want and r.source == "rollup:ext_month"
    assert store.db.execute_sql("SELECT SUM(calls) FROM rollup_ext_month WHERE ym = 202404").fetchone()[0] == 2


def test_cubes_built_before_the_month_cubes_get_them_a_few_months_per_idle_step(org):
    month_calls()
    rollup.refresh()
    store.db.execute_sql("DELETE FROM rollup_ext_month")
    store.db.execute_sql("DELETE FROM rollup_state WHERE key = 'months'")
    spec = reports.Spec(("department", "month"), ("calls",), "all")
    assert reports.run(spec, ADMIN, "default", tz=TZ).source == "rollup:ext"   # not read before it is complete
    assert rollup.refresh_some() == rollup.IDLE_MONTHS == 2
    assert rollup.stale_months() == {202402}                                  # newest first
    r = reports.run(spec, ADMIN, "default", tz=TZ)
    assert r.rows == DEPT_MONTH and r.source == "rollup:ext_month"            # Feb from the day cube meanwhile
    assert rollup.refresh_some() == 1 and rollup.refresh_some() == 0
    assert rollup.status()["rows"]["ext_month"] == 4   # 201 in Feb, Mar, Apr; 204 in Mar


def test_stored_calls_mark_their_days_in_the_same_transaction_and_the_idle_worker_refreshes(tmp_path, capsys):
    from appliance import config
    from appliance.paths import Paths
    from appliance.ingest.worker import Worker
    from test_pipeline import IPO, import_
    data = tmp_path / "d"
    import_(capsys, data, IPO)                         # the real IP Office month: 1442 legs
    store.open_db(Paths(data).db)
    try:
        days = rollup.dirty_days()
        stored = {r[0] for r in store.db.execute_sql("SELECT DISTINCT (start_utc + utc_offset) / 86400 FROM call")}
        assert days == stored and len(days) > 7 and not rollup.is_built()
        worker = Worker(Paths(data), config.Config(text="[pbx]\ndriver = avaya_ipoffice\n"))
        steps = 0
        while rollup.dirty_days():
            assert worker.step() == 0                  # nothing to parse: each idle step refreshes a few days
            steps += 1
        assert steps == -(-len(days) // rollup.IDLE_DAYS) and rollup.is_built()
        spec = reports.Spec(("day",), ("calls",), "all")
        assert reports.run(spec, ADMIN, "default", tz=TZ).source == "rollup:day"
        assert reports.run(spec, ADMIN, "default", tz=TZ).rows == \
            reports.run(spec, ADMIN, "default", tz=TZ, use_rollup=False).rows
    finally:
        store.close_db()
