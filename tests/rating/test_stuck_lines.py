"""RAT-5: lines that fail to release. Caps per trunk, and calls still up when the next call on their analogue
trunk began: priced shorter, flagged, listed and explained."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from appliance import store
from appliance.alerts import conditions
from appliance.billing import bills as billing
from appliance.billing.usage import parse_period
from appliance.config import Config
from appliance.ingest.stuck import mark_overlaps
from appliance.rating import numbering, stuck
from appliance.rating.pricing import Pricer
from appliance.rating.rate import rate
from test_billing import IZMIR, TURKCELL, TZ, Site_, at
from test_pipeline import run_cli

RULES = stuck.LineRules(caps=(("Line 2*", 600),), cap_s=3600, analogue=("Line 1*",))
CONFIG = ("[pbx]\ntenant = acme\ntimezone = Europe/Istanbul\n[numbers]\ncountry = TR\narea_codes = 232\n"
          "[rating]\nmax_call_min = 60\ntrunk_caps = Line 2* = 10\nanalogue_trunks = Line 1*\n")


@pytest.fixture
def site(db):
    s = Site_()
    s.pricer = Pricer(numbering.plan_from_options({"country": "TR", "area_codes": "232"}),
                      s.plans["Türk Telekom / Örnek İşyeri Tarifesi"], TZ, 3600, "", RULES)
    return s


def cost(number: str, kind: str, when: str, talk: int, site: Site_) -> str:
    return str(rate(number, kind, at(when), talk, TZ, site.plans["Türk Telekom / Örnek İşyeri Tarifesi"]).cost)


def test_the_cap_is_the_trunk_s_then_the_global_one(site):
    p = site.pricer
    assert p.price("out", "05321234567", at("2024-04-02T10:00"), 900, None, "Line 2.3").capped == stuck.CAP
    assert p.price("out", "05321234567", at("2024-04-02T10:00"), 900, None, "Line 1.0").capped == 0
    assert p.price("out", "05321234567", at("2024-04-02T10:00"), 4000, None, "Line 1.0").capped == stuck.CAP
    capped = p.price("out", "05321234567", at("2024-04-02T10:00"), 900, None, "Line 2.3")
    assert capped.cost == cost(TURKCELL, "mobile", "2024-04-02T10:00", 600, site)
    assert p.explain("out", "05321234567", at("2024-04-02T10:00"), 900, "Line 2.3")["capped"].endswith("600 s")
    with pytest.raises(ValueError, match="trunk_caps"):
        stuck.parse_caps("Line 1 = many")


def test_overlapping_calls_on_an_analogue_trunk_are_found():
    calls = [(1, "Line 1.0", 1000, 5, 3000),     # still up at 1500: the line did not release
             (2, "Line 1.0", 1500, 5, 60),
             (3, "Line 1.0", 1600, 5, 60),       # ends before the next: fine
             (4, "Line 1.0", 1700, 5, 30),
             (5, "Line 3.0", 1000, 5, 3000),     # not analogue: several calls at once are normal
             (6, "Line 3.0", 1500, 5, 60)]
    assert stuck.overlaps(calls, RULES) == {1: 495}


def test_a_stuck_analogue_call_is_priced_to_the_next_seizure_flagged_listed_and_billed_so(site, tmp_path, capsys):
    stuck_id = site.call("2024-04-02T10:00", "214", TURKCELL, "mobile", 3000, trunk="Line 1.0")
    site.call("2024-04-02T10:20", "215", IZMIR, "local", 60, trunk="Line 1.0")
    normal = site.call("2024-04-02T10:00", "224", IZMIR, "local", 3000, trunk="Line 3.0")
    assert mark_overlaps(site.pricer) == 1 and mark_overlaps(site.pricer) == 0     # once
    call = store.Call.get_by_id(stuck_id)
    assert call.capped == stuck.OVERLAP and call.talk_s == 3000                      # the PBX's figure kept
    assert call.cost == cost(TURKCELL, "mobile", "2024-04-02T10:00", 20 * 60 - 5, site)
    assert store.Call.get_by_id(normal).capped == 0
    (tmp_path / "callbox.ini").write_text(CONFIG)
    rc, out, err = run_cli(capsys, "calls", "--data", str(tmp_path), "--config", str(tmp_path / "callbox.ini"),
                           "--capped", "--json")
    assert rc == 0, err
    (listed,) = [json.loads(line) for line in out.splitlines()]
    assert listed["id"] == stuck_id and listed["stuck"] == "overlap" and listed["cost"] == call.cost
    assert "next call on analogue trunk 'Line 1.0' began after 1195 s" in listed["explain"]["capped"]
    store.open_db(tmp_path / "callbox.db")
    (line,) = [x for x in billing.bill(site.site(), parse_period("2024-04", TZ), person="ayse").lines
               if x.call_id == stuck_id]
    assert line.amount == Decimal(call.cost)
    assert sum(Decimal(u["amount"]) for u in line.unit_prices) + line.connection_fee == Decimal(call.cost)


def test_the_alert_is_raised_by_a_stuck_call_and_cleared_a_day_later(site):
    site.call("2024-04-02T10:00", "214", TURKCELL, "mobile", 3000, trunk="Line 1.0")
    site.call("2024-04-02T10:20", "215", IZMIR, "local", 60, trunk="Line 1.0")
    mark_overlaps(site.pricer)
    cfg = Config(text="[alerts]\nemail = noc@example.com\n").section("alerts")
    sent: list = []
    assert conditions.stuck_lines(cfg, at("2024-04-02T12:00"), sent.append) > 0
    assert any("Line 1.0" in str(a.values) for a in sent if a.kind == "trap")
    sent.clear()
    assert conditions.stuck_lines(cfg, at("2024-04-02T12:05"), sent.append) == 0          # raised once
    assert conditions.stuck_lines(cfg, at("2024-04-03T12:00"), sent.append) > 0            # cleared


def test_the_alerts_page_lists_them_for_the_box_s_administrators(site, tmp_path):
    from datetime import datetime, timedelta   # the page shows the last 30 days: calls of yesterday
    from web_helpers import logged_in           # the web UI in-process: only this test needs it
    from webui.app import make_app
    day = (datetime.now(TZ) - timedelta(days=1)).replace(hour=10, minute=0, tzinfo=None)
    site.call(day.isoformat(timespec="minutes"), "214", TURKCELL, "mobile", 3000, trunk="Line 1.0")
    site.call((day + timedelta(minutes=20)).isoformat(timespec="minutes"), "215", IZMIR, "local", 60,
              trunk="Line 1.0")
    site.call(day.isoformat(timespec="minutes"), "224", IZMIR, "local", 900, trunk="Line 2.1")   # over 10 min
    mark_overlaps(site.pricer)
    store.db.execute_sql("UPDATE call SET capped = 1 WHERE trunk = 'Line 2.1'")   # as the worker prices it
    store.close_db()
    app = make_app(tmp_path, Config(text=CONFIG))
    try:
        client, _ = logged_in(app, "root", scope="all")
        html = client.get("/alerts").text
        assert "Lines that failed to release" in html and "next call began on the line" in html
        assert "over the trunk&#039;s cap" in html or "over the trunk's cap" in html
        assert html.count("Line 1.0") == 1 and "0:19:55" in html and "0:10:00" in html
        staff, _ = logged_in(app, "ayse", role="staff", scope="own", tenant="acme", person="ayse")
        assert staff.get("/alerts", expect_errors=True).status_int in (302, 303, 403)
    finally:
        store.close_db()


def test_a_billed_period_keeps_its_prices_unless_forced(site):
    from appliance.store import billing as store_billing   # a billed period: only this test needs one
    stuck_id = site.call("2024-04-02T10:00", "214", TURKCELL, "mobile", 3000, trunk="Line 1.0")
    site.call("2024-04-02T10:20", "215", IZMIR, "local", 60, trunk="Line 1.0")
    store_billing.BilledPeriod.create(tenant="acme", label="2024-04", since=at("2024-04-01T00:00"),
                                      until=at("2024-05-01T00:00"), closed_at=0)
    assert mark_overlaps(site.pricer, pbx_tenant="acme") == 0 and store.Call.get_by_id(stuck_id).capped == 0
    assert mark_overlaps(site.pricer, pbx_tenant="acme", force=True) == 1
