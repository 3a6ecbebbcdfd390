"""Issue 20: a call to voicemail by name (IP Office: outgoing to "?GRABOWA" over no trunk) is shown as voicemail on
the calls page; the home page's cards and the report page counted it as outgoing. Now both count it apart."""
from __future__ import annotations

import time
from zoneinfo import ZoneInfo

import pytest

from appliance import config, store
from appliance.reports import search as call_search
from web_helpers import logged_in
from webui.app import make_app

CFG = "[pbx]\ntenant = default\ntimezone = Europe/Istanbul\n"


@pytest.fixture
def app(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    now = int(time.time())
    first = max(now - 1800, call_search.month_bounds(now, ZoneInfo("Europe/Istanbul"))[0])
    for i, (party, trunk) in enumerate([("05551112233", "T1"), ("?GRABOWA", ""), ("?MŁYN", "")]):
        store.Call.create(id=i + 1, driver="avaya_ipoffice", call_key=str(i), start_utc=first + 60 * i,
                          utc_offset=10800, direction="out", extension="201", party=party, trunk=trunk, ring_s=3,
                          talk_s=65, answered=True, transferred=False, account_code="", legs=1, cost=None, currency="")
    store.close_db()
    yield make_app(tmp_path, config.Config(text=CFG))
    store.close_db()


def test_the_home_cards_and_the_direction_report_count_voicemail_apart(app):
    client = logged_in(app, "root", "administrator", "all")[0]
    home = client.get("/", {"lang": "tr"}).html
    cards = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
             for dt in home.select("dl.cards dt")}
    assert cards["Çağrılar"] == "3" and cards["Giden"] == "1" and cards["Sesli mesaj"] == "2", cards
    page = client.get("/reports", {"run": "1", "dim1": "direction", "m": ["calls", "calls_out"], "range": "this_month",
                                   "lang": "tr"}).html
    rows = [[td.get_text(strip=True) for td in tr.select("td")][:3] for tr in page.select("table tbody tr")]
    assert ["giden", "1", "1"] in rows and ["sesli mesaj", "2", "0"] in rows, rows
