"""appliance.call_search: every criterion alone and combined, always inside the user's scope; a call's path; totals."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.reports import search as call_search
from appliance.reports.search import Criteria, SearchError, criteria_from
from appliance.store import directory as sd

TZ = ZoneInfo("Europe/Istanbul")
T0 = int(datetime(2024, 3, 10, 9, 0, tzinfo=timezone.utc).timestamp())
ADMIN = Account(1, "admin", "administrator", "all", "", "")
AYSE = Account(2, "ayse", "staff", "own", "default", "P1")


def _call(i: int, **kw) -> store.Call:
    row = dict(id=i, driver="test", call_key=str(i), start_utc=T0 + 3600 * i, utc_offset=3 * 3600, direction="out",
               extension="201", party=f"0555123{i:04d}", trunk="T1", ring_s=5, talk_s=60 * i, answered=True,
               transferred=False, account_code="", legs=1, cost=None, currency="", number="", tenant="")
    row.update(kw)
    return store.Call.create(**row)


@pytest.fixture
def world(db):
    tid = sd.tenant_id("default", create=True)
    ayse = directory.add_person(tid, "P1", "Ayşe", "Yılmaz")
    igor = directory.add_person(tid, "P2", "Игорь", "Ёлкин")
    directory.assign_extension(tid, ayse, "201", None)
    directory.assign_extension(tid, igor, "202", T0 + 3600 * 5)    # 202 is Igor's only from call 5 on
    calls = [
        _call(1, cost="0.10", currency="TRY", number="+905551230001"),
        _call(2, direction="in", party="02125550000", answered=False, talk_s=0),
        _call(3, extension="202", cost="2.50", currency="TRY", account_code="4711", trunk="T2"),
        _call(4, direction="internal", party="203", transferred=True),
        _call(5, extension="202", party="0049301234", cost="12.345", currency="TRY"),
        _call(6, extension="202", party="05321112233", cost="0.10", currency="TRY"),
        _call(7, tenant="other", party="05559990000"),
    ]
    for c in calls:
        for leg in range(2 if c.id == 4 else 1):
            store.Leg.create(id=c.id * 10 + leg, call_id=c.id, driver="test", call_key=c.call_key,
                             start_utc=c.start_utc + 20 * leg, utc_offset=c.utc_offset, direction=c.direction,
                             extension=["201", "202"][leg], party=c.party, trunk=c.trunk, ring_s=4 + leg,
                             talk_s=30, answered=True, transferred=leg == 0 and c.transferred,
                             account_code="", jseg=1, joff=c.id * 100 + leg)
    return calls


def ids(criteria: Criteria, user: Account = ADMIN) -> list[int]:
    return [c.id for c in call_search.query(user, "default", criteria)]


def test_each_criterion(world):
    assert ids(Criteria()) == [7, 6, 5, 4, 3, 2, 1]                           # newest first
    assert ids(Criteria(since=T0 + 3600 * 3, until=T0 + 3600 * 5)) == [4, 3]    # [since, until)
    assert ids(Criteria(extension="202")) == [6, 5, 3]
    assert ids(Criteria(direction="in")) == [2]
    assert ids(Criteria(answered=False)) == [2]
    assert ids(Criteria(number="0555")) == [7, 3, 1]
    assert ids(Criteria(number="05551230001")) == [1]
    assert ids(Criteria(number="1112", number_match="contains")) == [6]
    assert ids(Criteria(number="+90555", number_match="prefix")) == [1]        # the E.164 number too
    assert ids(Criteria(min_talk_s=300)) == [7, 6, 5]
    assert ids(Criteria(max_talk_s=60)) == [2, 1]
    assert ids(Criteria(min_cost=Decimal("2.50"))) == [5, 3]                   # a bound equal to a cost matches
    assert ids(Criteria(max_cost=Decimal("0.1"))) == [6, 1]
    assert ids(Criteria(trunk="T2")) == [3]
    assert ids(Criteria(account_code="4711")) == [3]


def test_person_by_name_in_any_script_and_as_of_the_call(world):
    assert ids(Criteria(person="ayşe")) == [4, 2, 1]          # not call 7: extension 201 of another tenant
    assert ids(Criteria(person="AYŞE")) == [4, 2, 1]
    assert ids(Criteria(person="ёлкин")) == [6, 5]          # 202 was not Igor's at call 3
    assert ids(Criteria(person="P2")) == [6, 5]
    assert ids(Criteria(person="nobody")) == []


def test_criteria_combine_and_scope_always_applies(world):
    assert ids(Criteria(extension="202", min_cost=Decimal("1"), max_cost=Decimal("5"))) == [3]
    assert ids(Criteria(direction="out", answered=True, trunk="T1", max_talk_s=200)) == [1]
    # Ayşe (own calls) sees the default tenant's calls on her extension 201 only, whatever she asks for
    assert ids(Criteria(), AYSE) == [4, 2, 1]
    assert ids(Criteria(extension="202"), AYSE) == []
    assert ids(Criteria(person="P2"), AYSE) == []


def test_paging(world):
    page = call_search.search(ADMIN, "default", Criteria(), page=2, per_page=3)
    assert [c.id for c in page.calls] == [4, 3, 2] and page.total == 7 and page.pages == 3
    assert call_search.search(ADMIN, "default", Criteria(), page=99, per_page=3).page == 3


def test_form_parsing_and_errors():
    c = criteria_from({"since": "2024-03-01", "until": "2024-03-31", "answered": "no", "min_cost": "1,5",
                       "direction": "out", "min_talk_s": "30"}, TZ)
    assert c.since == int(datetime(2024, 3, 1, tzinfo=TZ).timestamp())
    assert c.until == int(datetime(2024, 4, 1, tzinfo=TZ).timestamp())      # the whole last day
    assert c.answered is False and c.min_cost == Decimal("1.5") and c.min_talk_s == 30
    assert call_search.is_empty(criteria_from({}, TZ))
    for form, name in (({"since": "March"}, "since"), ({"min_talk_s": "-3"}, "min_talk_s"),
                       ({"max_cost": "abc"}, "max_cost"), ({"direction": "sideways"}, "direction"),
                       ({"answered": "maybe"}, "answered"), ({"number_match": "regex"}, "number_match"),
                       ({"since": "2024-03-02", "until": "2024-03-01"}, "until")):
        with pytest.raises(SearchError) as e:
            criteria_from(form, TZ)
        assert e.value.field == name and str(e.value).startswith(name)


def test_call_path_has_every_leg_and_respects_scope(world):
    path = call_search.call_path(ADMIN, "default", 4, extra=lambda leg: {"leg": leg.id})
    assert [r["leg"].extension for r in path.legs] == ["201", "202"]
    assert [r["offset_s"] for r in path.legs] == [0, 20] and path.legs[1]["extra"] == {"leg": 41}
    assert path.legs[0]["attribution"].external_id == "P1" and path.legs[0]["leg"].transferred
    assert call_search.call_path(AYSE, "default", 4) is not None
    assert call_search.call_path(AYSE, "default", 6) is None       # not hers: as if it did not exist
    assert call_search.call_path(ADMIN, "default", 999) is None


def test_totals_are_exact_and_scoped(world):
    t = call_search.totals(ADMIN, "default", Criteria())
    assert t.calls == 7 and t.missed == 1 and t.by_direction == {"in": 1, "internal": 1, "out": 5}
    assert t.cost == {"TRY": Decimal("15.045")}                   # 0.10 + 2.50 + 12.345 + 0.10, no float
    mine = call_search.totals(AYSE, "default", Criteria())
    assert mine.calls == 3 and mine.cost == {"TRY": Decimal("0.10")}


def test_month_bounds_follow_the_pbx_zone():
    since, until, year, month = call_search.month_bounds(T0, TZ)
    assert (year, month) == (2024, 3)
    assert since == int(datetime(2024, 3, 1, tzinfo=TZ).timestamp())
    assert until == int(datetime(2024, 4, 1, tzinfo=TZ).timestamp())


def test_a_broad_search_counts_up_to_the_cap_and_says_there_are_more(world, monkeypatch):
    every = call_search.search(ADMIN, "default", Criteria(), per_page=3)
    assert not every.capped and every.total > 4
    monkeypatch.setattr(call_search, "COUNT_CAP", 4)
    page = call_search.search(ADMIN, "default", Criteria(), page=99, per_page=3)
    assert (page.capped, page.total, page.pages, page.page) == (True, 4, 2, 2)
    assert [c.id for c in page.calls] == [c.id for c in call_search.query(ADMIN, "default", Criteria())][3:6]


def test_the_search_exports_every_match_as_csv_inside_the_scope(world, tmp_path):
    """Issue 20: the call search could not be exported. /calls.csv gives every match (not one page), newest first,
    with the page's criteria and scope, and PBX text that looks like a formula neutralised."""
    import csv
    import io

    import webtest
    from web_helpers import add_user, login
    from webui.app import make_app
    _call(8, extension="201", party="=cmd|' /C calc'!A0")
    client = webtest.TestApp(make_app(tmp_path))
    add_user("admin")
    add_user("ayse", role="staff", scope="own", person="P1")
    login(client, "admin")
    resp = client.get("/calls.csv", {"extension": "202"})
    assert resp.content_type == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert [int(r["id"]) for r in rows] == ids(Criteria(extension="202"))
    assert {r["person"] for r in rows} >= {"Игорь Ёлкин"} and rows[0]["cost"] == "0.10"
    assert 'href="/calls.csv?extension=202"' in client.get("/calls", {"extension": "202"}).text
    login(client, "ayse")
    mine = list(csv.DictReader(io.StringIO(client.get("/calls.csv").text)))
    assert {int(r["id"]) for r in mine} == set(ids(Criteria(), AYSE)) and 8 in {int(r["id"]) for r in mine}
    assert next(r for r in mine if r["id"] == "8")["party"] == "'=cmd|' /C calc'!A0"
    assert client.get("/calls.csv", {"min_talk_s": "x"}, status=400)


def test_a_capped_search_of_a_person_scope_pages_along_the_start_index_with_the_same_rows(world, monkeypatch):
    """Many matches in an own / department / branch scope: the first pages are read walking the start index
    (the scope's extension ranges a filter only, SQLite's unary +), the same rows in the same order."""
    igor = Account(3, "igor", "staff", "own", "default", "P2")        # 202 is his from call 5 on: calls 5 and 6
    sql = call_search.query(igor, "default", Criteria(), by_start=True).sql()[0]
    assert "(TRIM(+" in sql and '+"t1"."start_utc" >=' in sql
    assert "(TRIM(+" not in call_search.query(igor, "default", Criteria()).sql()[0]
    monkeypatch.setattr(call_search, "COUNT_CAP", 2)       # Ayşe sees 3 calls (201, default tenant): capped
    for desc, order in ((True, [4, 2]), (False, [1, 2])):
        pages = [call_search.search(AYSE, "default", Criteria(), page=n, per_page=1, desc=desc) for n in (1, 2)]
        assert [p.calls[0].id for p in pages] == order and all(p.capped for p in pages)
        assert [c.id for c in call_search.query(AYSE, "default", Criteria(), desc=desc, by_start=True)] == \
            [c.id for c in call_search.query(AYSE, "default", Criteria(), desc=desc)]
    assert [c.id for c in call_search.query(igor, "default", Criteria(), by_start=True)] == [6, 5]
