"""Issue 20 'Everything from the web': the PBX cause-code report (REP-8) on /alerts/codes, as `callbox alert codes`
counts it: per day, week, month or hour and by code, trunk, extension ...; the Q.850 causes' meanings in the
user's language; for administrators of the whole box."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import webtest

from appliance import config, store
from appliance.alerts import codes
from appliance.store import alerts as sa
from test_web_directory import as_user
from webui.admin import cause_codes
from webui.app import make_app

CFG = "[pbx]\ntimezone = Europe/Istanbul\n"
TZ = ZoneInfo("Europe/Istanbul")


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp())


@pytest.fixture
def client(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    for i, (when, code, trunk) in enumerate((("2024-03-01T09:10", "17", "T1"), ("2024-03-01T09:20", "17", "T1"),
                                             ("2024-03-01T10:00", "34", "T2"), ("2024-03-02T23:30", "17", "T2"),
                                             ("2024-02-28T12:00", "17", "T1"))):
        sa.LegCode.create(leg_id=i + 1, at_utc=at(when), driver="cisco_cucm", code_type="q850", code=code,
                          trunk=trunk, extension="201", tenant="")
    store.close_db()
    yield webtest.TestApp(make_app(tmp_path, config.Config(text=CFG)))
    store.close_db()


def cells(html: str) -> list[list[str]]:
    body = html.split('<table id="codes">', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [r.split("</tr>", 1)[0] for r in body.split("<tr>")[1:]]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_the_codes_are_counted_per_day_and_by_what_is_chosen(client):
    as_user(client, "admin")
    html = client.get("/alerts/codes?since=2024-03-01&until=2024-03-02&by=day&group=code").text
    assert cells(html) == [["1 Mar 2024", "q850 17", "user busy", "2"], ["1 Mar 2024", "q850 34",
                                                                         "no circuit available", "1"],
                           ["2 Mar 2024", "q850 17", "user busy", "1"]]      # 28 Feb is outside the range
    html = client.get("/alerts/codes?since=2024-02-01&until=2024-03-31&by=month&group=trunk").text
    assert cells(html) == [["February 2024", "T1", "1"], ["March 2024", "T1", "2"], ["March 2024", "T2", "2"]]
    turkish = client.get("/alerts/codes?since=2024-03-01&until=2024-03-01&by=all&group=code&lang=tr").text
    assert cells(turkish)[0][2] == "kullanıcı meşgul" and "Tüm aralık" in turkish
    assert "The last day is before the first." in client.get("/alerts/codes?since=2024-03-05&until=2024-03-01&lang=en",
                                                             status=400).text
    assert 'href="/alerts/codes"' in client.get("/alerts").text


def test_the_meanings_are_the_commands(client):
    assert cause_codes.Q850 == codes.Q850


def test_only_administrators_of_the_whole_box(client):
    as_user(client, "tadmin", scope="tenant")
    client.get("/alerts/codes", status=403)


def test_the_table_sorts_by_any_column(client):
    as_user(client, "admin")
    base = "/alerts/codes?since=2024-02-01&until=2024-03-31&by=all&group=trunk&group=code"
    html = client.get(base + "&sort=count").text           # a count: the largest first
    assert [r[-1] for r in cells(html)] == ["3", "1", "1"]
    assert 'aria-sort="descending"' in html
    again = re.search(r'aria-sort="descending"><a href="([^"]*)"', html)[1].replace("&amp;", "&")
    assert "desc=0" in again and [r[-1] for r in cells(client.get(again).text)] == ["1", "1", "3"]
    assert [r[1] for r in cells(client.get(base + "&sort=trunk&desc=1").text)] == ["T2", "T2", "T1"]
