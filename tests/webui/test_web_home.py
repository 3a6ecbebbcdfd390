"""The home page per role, call search (/calls) and a call's path (/calls/<id>) in-process, scoped."""
from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton

from appliance import config, store
from appliance.directory import organisation as directory
from appliance.reports import search as call_search
from appliance.store import directory as sd
from web_helpers import logged_in
from webui.app import make_app

CFG = "[pbx]\ntenant = default\ntimezone = Europe/Istanbul\n"


@pytest.fixture
def app(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    tid = sd.tenant_id("default", create=True)
    ayse = directory.add_person(tid, "P1", "Ayşe", "Yılmaz")
    directory.assign_extension(tid, ayse, "201", None)
    now = int(time.time())
    month_start = call_search.month_bounds(now, ZoneInfo("Europe/Istanbul"))[0]
    first = max(now - 1800, month_start)       # all three calls in this month, even just after its start
    for i, (ext, party, cost) in enumerate([("201", "05551112233", "1.50"), ("202", "<b>02125550000</b>", "0.25"),
                                            ("201", "00493012345", "12.345")]):
        store.Call.create(id=i + 1, driver="test", call_key=str(i), start_utc=first + 60 * i, utc_offset=10800,
                          direction="out", extension=ext, party=party, trunk="T1", ring_s=3, talk_s=65, answered=True,
                          transferred=i == 2, account_code="", legs=2 if i == 2 else 1, cost=cost, currency="TRY")
        for leg in range(2 if i == 2 else 1):
            store.Leg.create(id=(i + 1) * 10 + leg, call_id=i + 1, driver="test", call_key=str(i),
                             start_utc=first + 60 * i + 30 * leg, utc_offset=10800, direction="out",
                             extension=["201", "203"][leg], party=party, trunk="T1", ring_s=3 + leg, talk_s=30,
                             answered=True, transferred=leg == 0 and i == 2, account_code="", jseg=1, joff=i * 10 + leg)
    store.close_db()
    yield make_app(tmp_path, config.Config(text=CFG))
    store.close_db()


def test_staff_home_shows_their_own_month_and_cost(app):
    html = logged_in(app, "ayse", "staff", "own", person="P1")[0].get("/").text
    assert "Your calls in" in html and "13.845" in html                  # 1.50 + 12.345: hers only
    assert "05551112233" in html and "02125550000" not in html          # only her extension's calls
    assert "Capture" not in html and "Health" not in html                 # no box status for staff


def test_admin_home_shows_the_box_health_and_totals(app):
    html = logged_in(app, "root", "administrator", "all")[0].get("/").text
    assert "Health" in html and "Free disk" in html and "Calls in" in html
    assert "&lt;b&gt;02125550000&lt;/b&gt;" in html and "<b>0212" not in html
    assert "14.095" in html                                              # 1.50 + 0.25 + 12.345, exact


def test_call_search_and_path(app):
    client = logged_in(app, "sup", "supervisor", "tenant")[0]
    html = client.get("/calls", {"extension": "201"}).text
    assert "05551112233" in html and "00493012345" in html and "02125550000" not in html
    assert "2 calls" in html and "Ayşe Yılmaz" in html
    assert "00493012345" in client.get("/calls", {"min_cost": "12.345"}).text
    assert "05551112233" not in client.get("/calls", {"min_cost": "12.345"}).text
    bad = client.get("/calls", {"since": "yesterday"}, status=400).text
    assert "From" in bad and "is not a date" in bad
    path = client.get("/calls/3").text
    assert "Path: 2 legs" in path and ">203<" in path and "+0:00:30" in path
    turkish = client.get("/calls/3?lang=tr").text
    assert "Yol: 2 bacak" in turkish and "₺12,345" in turkish


def test_a_call_outside_the_scope_is_not_found(app):
    client = logged_in(app, "ayse", "staff", "own", person="P1")[0]
    assert client.get("/calls/1").status_int == 200
    client.get("/calls/2", status=404)                  # extension 202 is not hers
    client.get("/calls/999", status=404)
    client.get("/calls/abc", status=404)
    assert "02125550000" not in client.get("/calls").text


def test_the_home_page_shows_the_month_at_a_glance_in_the_users_scope(app):
    """Issue 20: a home page worth opening: this month's top people and destinations by cost, the cost per
    department and the calls per hour, scoped; last month beside this one when it had calls."""
    import re
    html = logged_in(app, "root", "administrator", "all")[0].get("/").text
    assert "This month at a glance" in html and "Calls per hour this month" in html
    glance = html[html.index("This month at a glance"):]
    people = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td>", glance[:glance.index("</table>")])
    assert people[0] == ("Ayşe Yılmaz (P1)", "2") and ("(no person)", "1") in people      # 13.845 before 0.25
    assert 'id="chart-data"' in html
    staff = logged_in(app, "ayse", "staff", "own", person="P1")[0].get("/").text
    glance = staff[staff.index("This month at a glance"):]
    assert "Ayşe Yılmaz (P1)" in glance and "(no person)" not in glance                   # her calls only


def test_the_call_search_sorts_by_a_column_and_exports_in_that_order(app):
    """Issue 20: the call search could not be sorted. A column's heading sorts by it (a number the largest first, a
    text A to Z, again to reverse), across pages and in the CSV; one call is '1 call', not '1 calls'."""
    import csv
    import io
    import re
    client = logged_in(app, "root", "administrator", "all")[0]

    def order(html: str) -> list[str]:
        return re.findall(r'<a href="/calls/(\d+)">', html)
    assert order(client.get("/calls").text) == ["3", "2", "1"]                    # newest first
    html = client.get("/calls", {"sort": "cost"}).text
    assert 'aria-sort="descending"' in html and order(html) == ["3", "1", "2"]   # 12.345, 1.50, 0.25
    assert 'href="/calls?sort=cost&amp;desc=0"' in html                           # again: the other way
    assert order(client.get("/calls", {"sort": "cost", "desc": "0"}).text) == ["2", "1", "3"]
    assert order(client.get("/calls", {"sort": "party"}).text) == ["3", "1", "2"]  # 0049…, 0555…, <b>…
    assert order(client.get("/calls", {"sort": "legs"}).text)[0] == "3"
    assert order(client.get("/calls", {"sort": "nonsense"}).text) == ["3", "2", "1"]
    html = client.get("/calls", {"sort": "cost", "extension": "201"}).text
    assert 'href="/calls.csv?extension=201&amp;sort=cost&amp;desc=1"' in html
    rows = list(csv.DictReader(io.StringIO(client.get("/calls.csv", {"sort": "cost", "desc": "0"}).text)))
    assert [r["id"] for r in rows] == ["2", "1", "3"]
    assert "1 call · page 1 of 1" in client.get("/calls", {"extension": "202"}).text


def test_home_lists_the_missed_callers_nobody_called_back(tmp_path):
    """Issue 20: the home page's missed calls not called back (last 7 days, one per number, newest first): a caller
    reached afterwards, by an answered call in or out with the same number (last 9 digits), leaves the list; one
    called back before the miss, or only missed again, stays; an anonymous caller is never listed."""
    store.open_db(tmp_path / "callbox.db")
    now = int(time.time())
    calls = [  # (minutes ago, direction, extension, party, answered)
        (300, "in", "201", "+90 532 111 22 33", False),     # missed, then called back below
        (200, "out", "202", "05321112233", True),           # the callback (same last 9 digits)
        (250, "out", "201", "0532 999 88 77", True),        # a call before the miss does not count
        (100, "in", "201", "05329998877", False),           # missed: waiting
        (90, "in", "202", "05324445566", False),            # missed twice: listed once, the newest
        (80, "in", "203", "05324445566", False),
        (70, "in", "203", "", False),                       # anonymous: nobody can call back
        (60, "in", "201", "05327776655", True),             # answered: not missed
        (11 * 24 * 60, "in", "201", "05320001122", False),  # older than 7 days
    ]
    for i, (ago, direction, ext, party, answered) in enumerate(calls):
        store.Call.create(id=i + 1, driver="test", call_key=str(i), start_utc=now - 60 * ago, utc_offset=10800,
                          direction=direction, extension=ext, party=party, trunk="T1", ring_s=12,
                          talk_s=30 if answered else 0, answered=answered, transferred=False, account_code="",
                          legs=1)
    store.close_db()
    app = make_app(tmp_path, config.Config(text=CFG))
    try:
        html = logged_in(app, "admin")[0].get("/", {"lang": "en"}).text
    finally:
        store.close_db()
    section = html.split('id="not-called-back"', 1)[1].split("</section>", 1)[0]
    assert "Missed calls not called back (last 7 days)" in section
    rows = section.split("<tbody>", 1)[1].count("<tr>")
    assert rows == 2 and section.index("05324445566") < section.index("05329998877")   # newest first
    assert 'href="/calls/6"' in section and 'href="/calls/5"' not in section          # the newest of a number
    assert "111 22 33" not in section and "05327776655" not in section and "05320001122" not in section


def test_the_home_tables_sort_by_any_column_and_show_the_top_rows(app):
    """Issue 20: the home page's boxes and its last calls sort by any column (money and durations by value, not as
    text), each on its own (NAME_sort, NAME_desc, NAME_top), and show their top N; aria-sort names the order."""
    import re
    client = logged_in(app, "root", "administrator", "all")[0]

    def box(html: str, name: str) -> list[tuple[str, str]]:
        table = html.split(f'id="{name}"', 1)[1].split("</table>", 1)[0]
        return re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td>", table)
    html = client.get("/").text
    assert box(html, "people")[0][0] == "Ayşe Yılmaz (P1)"                      # by cost: 13.845 before 0.25
    html = client.get("/", {"people_sort": "2", "people_desc": "0", "last_sort": "9", "last_desc": "1"}).text
    assert [p for p, _n in box(html, "people")] == ["(no person)", "Ayşe Yılmaz (P1)"]   # the least cost first
    head = html.split('id="people"', 1)[1].split("</thead>", 1)[0]
    assert head.count("aria-sort") == 1 and 'aria-sort="ascending"' in head
    assert "people_sort=2&amp;people_desc=1" in head and "last_sort=9" in head   # again: the other way; last kept
    last = html.split('id="last"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<a href="/calls/(\d+)"', last) == ["3", "1", "2"]       # 12.345, 1.50, 0.25: by value
    assert 'aria-sort="descending"' in last.split("</thead>", 1)[0]
    top = client.get("/", {"people_top": "1"}).text
    assert box(top, "people") == [("Ayşe Yılmaz (P1)", "2")] and "The first 1 of 2 rows." in top
    assert "Rows shown" in top.split('id="people"', 1)[1].split("</div>", 1)[0]
    names = [p for p, _n in box(client.get("/", {"people_sort": "0"}).text, "people")]
    assert names == ["Ayşe Yılmaz (P1)", "(no person)"]              # A to Z by the name shown, no person last


def test_the_calls_per_hour_chart_speaks_the_readers_language(app):
    """Issue 20 audit (make run, nb): the home chart's legend read 'Calls' in every language: the chart was made in
    the cached overview, off the request (English), and kept a minute for every language; and a box of one row
    offered 'Rows shown: 5 all'."""
    import json
    import re
    client = logged_in(app, "root", "administrator", "all")[0]
    client.get("/", {"lang": "en"})                                   # the overview is cached now, in English
    html = client.get("/", {"lang": "nb"}).text
    chart = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)[1])
    assert list(chart["series"]) == ["Samtaler"], chart["series"]
    departments = html.split('id="departments"', 1)[1].split("</div>", 1)[0]
    assert "top-n" not in departments                                 # one row: nothing to cut


def test_the_home_page_sets_this_month_beside_last_and_names_departments_and_destinations(tmp_path):
    """Issue 20 (audit): the home page's line for last month (its calls, talk and cost, "1 call" by the language's
    plural rules), the cost per department and the top destinations, in the reader's language; a call of nobody's
    extension under "(no department)"."""
    store.open_db(tmp_path / "callbox.db")
    tid = sd.tenant_id("default", create=True)
    ayse = directory.add_person(tid, "P1", "Ayşe", "Yılmaz")
    directory.move_person(tid, ayse, None, department_id=sd.create_named(tid, "department", "Satış"))
    directory.assign_extension(tid, ayse, "201", None)
    now = int(time.time())
    month_start = call_search.month_bounds(now, ZoneInfo("Europe/Istanbul"))[0]
    first = max(now - 1800, month_start)
    calls = [(first, "201", "05551112233", "Mobil", "1.50"), (first + 60, "202", "00493012345", "Almanya", "4.25"),
             (month_start - 86400, "201", "02125550000", "İstanbul", "0.30")]     # last month: one call of 65 s
    for i, (start, ext, party, destination, cost) in enumerate(calls):
        store.Call.create(id=i + 1, driver="test", call_key=str(i), start_utc=start, utc_offset=10800,
                          direction="out", extension=ext, party=party, trunk="T1", ring_s=3, talk_s=65,
                          answered=True, transferred=False, account_code="", legs=1, cost=cost, currency="TRY",
                          destination=destination)
    store.close_db()
    app = make_app(tmp_path, config.Config(text=CFG))
    try:
        client = logged_in(app, "admin")[0]
        html, english, norwegian = (client.get("/", {"lang": lang}).text for lang in ("tr", "en", "nb"))
    finally:
        store.close_db()
    # one call: the catalogue's plural rules, not "1 calls" (English) nor "1 samtaler" (Norwegian)
    assert re.search(r": 1 call, 0:01:05 talk", english) and ": 1 samtale, 0:01:05 samtaletid" in norwegian
    last = datetime.fromtimestamp(month_start - 86400, ZoneInfo("Europe/Istanbul"))
    month = format_skeleton("yMMMM", last, locale="tr")
    assert f"{month}: 1 çağrı" in html and "₺0,30" in html, month                 # last month beside this one
    tables = {t: re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td>", html.split(f'id="{t}"', 1)[1]
                            .split("</table>", 1)[0]) for t in ("destinations", "departments")}
    assert tables["destinations"] == [("Almanya", "1"), ("Mobil", "1")]             # by cost, the largest first
    assert tables["departments"] == [("(departman yok)", "1"), ("Satış", "1")], tables
