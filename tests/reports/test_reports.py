"""The report engine: named ranges, time ranges, measures, scope, saved reports and templates, CSV, the CLI,
and the benchmark tools at a small size."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.access.users import Account
from appliance.cli.main import main
from appliance.reports import engine as reports
from appliance.reports import ranges as report_ranges
from appliance.store import reports as store_reports
from test_rollup import ADMIN, DAY0, TZ, build_directory, insert

IST = ZoneInfo("Europe/Istanbul")


def ts(*a, tz=TZ) -> int:
    return int(datetime(*a, tzinfo=tz).timestamp())


@pytest.mark.parametrize("name, first, end", [
    ("today", (2024, 3, 31), (2024, 4, 1)), ("yesterday", (2024, 3, 30), (2024, 3, 31)),
    ("this_week", (2024, 3, 25), (2024, 4, 1)), ("last_week", (2024, 3, 18), (2024, 3, 25)),
    ("this_month", (2024, 3, 1), (2024, 4, 1)), ("last_month", (2024, 2, 1), (2024, 3, 1)),
    ("this_year", (2024, 1, 1), (2025, 1, 1)), ("last_year", (2023, 1, 1), (2024, 1, 1))])
def test_named_date_ranges_in_local_time(name, first, end):
    now = ts(2024, 3, 31, 23, 30)          # a Sunday, the day summer time starts in Warsaw (23 hours long)
    w = report_ranges.resolve(name, TZ, now)
    assert (w.since, w.until) == (ts(*first), ts(*end))
    assert w.whole_days and w.end_day - w.first_day == (datetime(*end) - datetime(*first)).days


def test_custom_ranges_and_errors():
    w = report_ranges.resolve("custom", TZ, 0, "2024-03-01", "2024-03-02")
    assert w.whole_days and w.since == ts(2024, 3, 1)
    w = report_ranges.resolve("custom", TZ, 0, "2024-03-01T08:00", "2024-03-01T09:00+00:00")
    assert not w.whole_days and (w.since, w.until) == (ts(2024, 3, 1, 8), ts(2024, 3, 1, 9, tz=ZoneInfo("UTC")))
    for args, msg in ((("soon",), "unknown date range"), (("custom", "2024-03-02", "2024-03-01"), "ends"),
                      (("custom", "yesterday", "2024-03-01"), "ISO 8601"), (("custom",), "needs since")):
        with pytest.raises(report_ranges.RangeError, match=msg):
            report_ranges.resolve(args[0], TZ, 0, *args[1:])


def test_time_ranges_defaults_admin_and_errors(db):
    assert {"business_hours", "lunch_break", "after_hours", "weekend"} <= set(report_ranges.time_ranges())
    t = report_ranges.set_time_range("lunch_break", "1-5", "12:30", "13:15", "Öğle arası")
    assert report_ranges.time_range("lunch_break") == t and not t.whole_hours()
    report_ranges.set_time_range("night", "1-7", "22:00", "06:00")
    assert report_ranges.time_range("night").as_dict()["days"] == "1,2,3,4,5,6,7"
    assert report_ranges.delete_time_range("lunch_break")
    assert report_ranges.time_range("lunch_break").start_min == 12 * 60
    for args, msg in ((("x", "8", "10:00", "11:00"), "ISO weekdays"), (("x", "1-5", "25:00", "11:00"), "HH:MM"),
                      (("Bad Name", "1", "10:00", "11:00"), "lowercase")):
        with pytest.raises(report_ranges.RangeError, match=msg):
            report_ranges.set_time_range(*args)
    with pytest.raises(report_ranges.RangeError, match="unknown time range"):
        report_ranges.time_range("siesta")


@pytest.fixture
def calls(db):
    build_directory()
    insert([  # (day, second of day, direction, ext, trunk, ring, talk, answered, cost, tenant, kind, currency)
        (0, 9 * 3600, "in", "201", "T1", 12, 300, True, None, "", "", "EUR"),
        (0, 12 * 3600 + 60, "out", "201", "T1", 4, 61, True, "0.10", "", "mobile", "EUR"),
        (0, 20 * 3600, "out", "202", "T2", 7, 0, False, "0.000001", "", "local", "EUR"),
        (1, 10 * 3600, "in", "203", "T2", 40, 0, False, None, "", "", "EUR"),
        (1, 11 * 3600, "internal", "202", "", 3, 30, True, None, "", "internal", "EUR"),
        (2, 11 * 3600, "out", "201", "T1", 2, 10, True, "5", "beta", "local", "EUR")])
    yield db


def run(spec, user=ADMIN, **kw):
    return reports.run(spec, user, "default", DAY0, tz=TZ, **kw)


def test_measures_split_by_direction_and_exact_cost(calls):
    r = run(reports.Spec(("tenant",), tuple(reports.MEASURES), "all"))
    assert r.columns[0] == "tenant" and [row[0] for row in r.rows] == ["beta", "default"]
    d = dict(zip(r.columns, r.rows[1]))
    assert (d["calls"], d["calls_in"], d["calls_out"], d["calls_internal"]) == (5, 2, 2, 1)
    assert (d["answered"], d["unanswered"], d["ring_in"], d["ring_out"], d["talk_in"], d["talk_out"]) == \
        (3, 2, 52, 11, 300, 61)
    assert d["duration"] == d["ring"] + d["talk"] == 66 + 391
    assert d["cost"] == Decimal("0.100001") and d["priced"] == 2
    assert dict(zip(r.columns, r.totals))["cost"] == Decimal("5.100001")


def test_filters_bands_and_time_ranges(calls):
    r = run(reports.Spec(("answer_band",), ("calls",), "all", filters={"direction": ["in"]}))
    assert r.rows == [["0-5s", 0], ["11-20s", 1], ["unanswered", 1]][1:]
    r = run(reports.Spec(("duration_band",), ("calls",), "all", filters={"time_range": "lunch_break"}))
    assert r.rows == [["1-3min", 1]]
    r = run(reports.Spec(("person",), ("calls",), "all", filters={"department": ["Support"]}))
    assert r.rows == [["Piotr Wąsowski (piotr)", 2], ["Ольга Петрова (olga)", 1]]


def test_bands_sort_in_their_own_order_not_as_text(db):
    """Issue 20: "1-3min" sorted before "1-59s" and "10-30min" before "3-10min"."""
    build_directory()
    insert([(0, 9 * 3600 + i, "out", "201", "T1", ring, talk, talk > 0, None, "", "", "EUR")
            for i, (ring, talk) in enumerate([(3, 0), (8, 30), (15, 120), (25, 400), (40, 1000), (70, 2000)])])
    insert([(1, 9 * 3600 + i, "in", "201", "T1", ring, 60, True, None, "", "", "EUR")
            for i, ring in enumerate([3, 8, 15, 25, 40, 70])], first_id=100)
    for use_rollup in (False, None):
        r = run(reports.Spec(("duration_band",), ("calls",), "all", filters={"direction": ["out"]}),
                use_rollup=use_rollup)
        assert [row[0] for row in r.rows] == ["0s", "1-59s", "1-3min", "3-10min", "10-30min", "30min+"]
        r = run(reports.Spec(("answer_band", "direction"), ("calls",), "all"), use_rollup=use_rollup)
        assert [row[0] for row in r.rows] == ["0-5s", "6-10s", "11-20s", "21-30s", "31-60s", "60s+", ""]


def test_scope_limits_every_report(calls):
    own = Account(3, "own", "staff", "own", "default", "ayse")
    r = run(reports.Spec(("extension",), ("calls",), "all"), own)
    assert r.rows == [["201", 2]]                                # not beta's 201, not others'
    nobody = Account(6, "x", "supervisor", "all", "", "")
    assert run(reports.Spec((), ("calls",), "all"), nobody).rows == []


def test_several_currencies_get_a_column(calls):
    store.db.execute_sql("UPDATE call SET currency = 'PLN' WHERE tenant = 'beta'")
    r = run(reports.Spec((), ("cost",), "all"))
    assert r.columns == ["currency", "cost"] and r.rows == [["", None], ["EUR", Decimal("0.100001")],
                                                            ["PLN", Decimal("5.00")]]   # "": calls without a price


def test_bad_specs(calls):
    for spec, msg in ((reports.Spec(("colour",)), "unknown dimension"), (reports.Spec((), ("weight",)), "measure"),
                      (reports.Spec((), ("calls",), filters={"x": ["1"]}), "unknown filter"),
                      (reports.Spec((), ("calls",), "custom"), "needs since")):
        with pytest.raises(reports.ReportError, match=msg):
            run(spec)


def test_csv(calls):
    text = reports.to_csv(run(reports.Spec(("person",), ("calls", "cost"), "all", filters={"direction": ["out"]})))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["person", "calls", "cost"] and rows[-1] == ["total", "3", "5.100001"]
    assert ["Ayşe Demir (ayse)", "1", "0.10"] in rows


def test_csv_headers_give_the_unit_of_seconds(calls):
    """Issue 20: a CSV's 'talk_out' column did not say it counts seconds (the page shows h:mm:ss)."""
    result = run(reports.Spec(("direction",), ("calls", "duration", "talk_out", "ring_in", "cost"), "all"))
    header = next(csv.reader(io.StringIO(reports.to_csv(result))))
    assert header == ["direction", "calls", "duration_s", "talk_out_s", "ring_in_s", "cost"]
    assert result.columns[2:4] == ["duration", "talk_out"]              # the engine's own names stay


def test_saved_reports_and_templates(calls):
    spec = reports.Spec(("direction",), ("calls",), "all").as_dict()
    mine = store_reports.save_report("Ayşe", "Benim", spec)
    tpl = store_reports.publish_template("admin", "Monthly", spec, roles=["staff"])
    private = store_reports.publish_template("admin", "Managers", spec, usernames=["boss"])
    own = Account(3, "ayşe", "staff", "own", "default", "ayse")
    assert [r["name"] for r in store_reports.list_reports("AYŞE", "staff")] == ["Benim", "Monthly"]
    saved, result = reports.run_saved(tpl, own, "default", DAY0, tz=TZ)
    assert saved["template"] and result.rows == [["in", 1], ["out", 1]]   # re-run with her own scope
    with pytest.raises(store_reports.ReportAccessError):
        reports.run_saved(private, own, "default", DAY0, tz=TZ)
    with pytest.raises(store_reports.ReportAccessError):
        store_reports.get_report(mine, "someone", "staff")
    assert not store_reports.delete_report(tpl, "ayşe") and store_reports.delete_report(mine, "ayşe")
    assert store_reports.delete_report(tpl, "admin", is_admin=True)


def test_cli_report(calls, tmp_path, capsys):
    store.close_db()
    store.open_db(tmp_path / "callbox.db")   # the fixture's database: the CLI opens <data>/callbox.db
    args = ["--data", str(tmp_path), "--set", "pbx.timezone=Europe/Warsaw"]
    assert main(["report", *args, "--range", "all", "--dims", "direction", "--measures", "calls,cost", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["columns"] == ["direction", "calls", "cost"] and out["source"] == "raw"   # not built yet
    assert out["rows"] == [["in", 2, None], ["internal", 1, None], ["out", 3, "5.100001"]]
    assert out["totals"][-1] == "5.100001"
    assert main(["report", *args, "--since", "2024-03-29", "--until", "2024-03-30", "--filter", "extension=201",
                 "--csv", "--raw"]) == 0
    assert capsys.readouterr().out.splitlines() == ["calls,duration_s,cost", "2,377,0.10"]
    assert main(["report", *args, "--dims", "colour"]) == 2
    assert "unknown dimension" in capsys.readouterr().err
    assert main(["timerange", "set", *args, "night", "--days", "1-7", "--start", "22:00", "--end", "06:00"]) == 0
    assert main(["rollup", "rebuild", *args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == {"days": 3}


def test_generator_and_bench_small(tmp_path):
    from appliance.tools import bench_reports, gen_calls
    a = gen_calls.generate(tmp_path / "a.db", 10_000, seed=3)
    rows = store.db.execute_sql("SELECT COUNT(*), COUNT(DISTINCT TRIM(extension)), MIN(start_utc), MAX(start_utc),"
                                " SUM(CAST(cost AS REAL)) FROM call").fetchone()
    people = store.db.execute_sql("SELECT COUNT(*) FROM person").fetchone()[0]
    store.close_db()
    gen_calls.generate(tmp_path / "b.db", 10_000, seed=3)
    again = store.db.execute_sql("SELECT COUNT(*), COUNT(DISTINCT TRIM(extension)), MIN(start_utc), MAX(start_utc),"
                                 " SUM(CAST(cost AS REAL)) FROM call").fetchone()
    store.close_db()
    assert a["calls"] == rows[0] == 10_000 and rows == again            # reproducible
    assert rows[1] == 1000 and people >= 1000 and rows[3] - rows[2] > 4 * 365 * 86400
    out = bench_reports.run(10_000, tmp_path / "bench", runs=1)
    store.close_db()
    assert out["raw_equals_rollup"] and out["by_year_rows"] == 5 and out["dept_month_rows"] > 0
    assert out["dept_month_source"] == "rollup:ext_month" and out["by_year_source"] == "rollup:day"


def test_cli_report_save_gives_the_user_a_saved_report_to_schedule(calls, tmp_path, capsys):
    import re

    from appliance.access import users
    from appliance.store.users import FILE_NAME, close_users_db, open_users_db
    store.close_db()
    open_users_db(tmp_path / FILE_NAME)
    users.add_user("ayla", "correct horse battery", "administrator", None, "default", "", actor="test")
    close_users_db()
    args = ["--data", str(tmp_path), "--set", "pbx.timezone=Europe/Warsaw"]
    assert main(["report", *args, "--range", "all", "--dims", "direction", "--json", "--as", "ayla",
                 "--save", "By direction"]) == 0
    out, err = capsys.readouterr()
    report_id = int(re.search(r"saved report (\d+) 'By direction' for ayla", err).group(1))
    assert main(["report", *args, "--saved", str(report_id), "--json", "--as", "ayla"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == json.loads(out)["rows"]
    assert main(["report", *args, "--range", "all", "--save", "x"]) == 2           # whose? --as is needed
    assert "--save needs --as USER" in capsys.readouterr().err


def test_empty_values_are_named_and_weekdays_are_days_on_the_page(db, tmp_path):
    """Issue 20: a call of no directory person's extension came under an empty department label, weekdays as 1..7."""
    import webtest
    from web_helpers import add_user, login
    from webui.app import make_app
    build_directory()
    insert([(0, 9 * 3600, "out", "201", "T1", 3, 60, True, None, "", "", "EUR"),       # Ayşe, a department
            (0, 10 * 3600, "out", "299", "", 3, 60, True, None, "", "", "EUR")])        # nobody's, no trunk
    (tmp_path / "callbox.ini").write_text("[pbx]\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    client = webtest.TestApp(make_app(tmp_path))
    add_user("admin")
    login(client, "admin")
    query = {"run": "1", "range": "custom", "since": "2024-03-29", "until": "2024-03-30", "m": "calls"}
    page = client.get("/reports", {**query, "dim1": "department", "dim2": "trunk"}).text
    assert "(no department)" in page and "(no trunk)" in page
    page = client.get("/reports", {**query, "dim1": "weekday", "lang": "tr"}).text
    assert "Cuma" in page                                   # 29 March 2024 was a Friday
    assert "(departman yok)" in client.get("/reports", {**query, "dim1": "department"}).text


def test_a_report_table_sorts_by_any_column_and_shows_the_top_rows(db, tmp_path):
    """Issue 20: report tables could not be sorted or cut to the top N."""
    import re as regex

    import webtest
    from web_helpers import add_user, login
    from webui.app import make_app
    build_directory()
    insert([(0, 9 * 3600 + i, "out", ext, "T1", 3, talk, True, None, "", "", "EUR")
            for i, (ext, talk) in enumerate([("201", 60), ("202", 600), ("202", 30), ("203", 300), ("204", 10)])])
    (tmp_path / "callbox.ini").write_text("[pbx]\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    client = webtest.TestApp(make_app(tmp_path))
    add_user("admin")
    login(client, "admin")
    query = {"run": "1", "range": "custom", "since": "2024-03-29", "until": "2024-03-30", "dim1": "extension",
             "m": ["calls", "talk"]}

    def extensions(page: str) -> list[str]:
        return regex.findall(r"<tr>\s*<td>(20\d)</td>", page)
    assert extensions(client.get("/reports", query).text) == ["201", "202", "203", "204"]
    page = client.get("/reports", {**query, "sort": "talk", "desc": "1"}).text
    assert extensions(page) == ["202", "203", "201", "204"] and 'aria-sort="descending"' in page
    assert 'href="/reports?run=1&amp;dim1=extension' in page and "sort=talk&amp;desc=0" in page   # toggles
    page = client.get("/reports", {**query, "sort": "talk", "desc": "1", "top": "2"}).text
    assert extensions(page) == ["202", "203"] and "2 more are in the totals" in page
    assert ">0:16:40<" in page                                  # the totals still count every call: 1,000 s
