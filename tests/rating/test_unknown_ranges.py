"""Issue 21: numbers from ranges the numbering library does not know are read by the dialling plan, priced by prefix
and flagged; a month of such calls totals what an independent calculation gives."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from appliance import store
from appliance.paths import Paths
from appliance.rating.numbering import classify_call, plan_from_options
from test_pipeline import import_, ipo, run_cli

PLAN = """setting,value
provider,Operator PL
plan,Biznes
valid_from,2026-01-01
currency,PLN

band,days,from,to
offpeak,mon-fri,00:00,08:00
peak,mon-fri,08:00,18:00
offpeak,mon-fri,18:00,24:00
weekend,sat-sun,00:00,24:00

destination,prefixes,classes
UK fixed,+44,international_fixed
UK mobile,+447,international_mobile
Germany,+49,
Poland,+48,
Poland mobile,+4850 +4851 +4853 +4857 +4860 +4866 +4869 +4872 +4873 +4878 +4879 +4888,

destination,band,connection_fee,minimum,steps
UK fixed,weekend,0,0,60:0.30
UK fixed,*,0,0,60:0.40
UK mobile,weekend,0.10,0,"30:0.50,6:0.10"
UK mobile,*,0.10,0,"30:0.60,6:0.12"
Germany,*,0,0,60:0.35
Poland,*,0,0,1:0.12/min
Poland mobile,*,0,0.25,60:0.25
"""
CONFIG = """[pbx]
timezone = Europe/Warsaw
[numbers]
country = PL
access_codes = 0
"""
# (digits as the PBX prints them, destination expected, the library knows the number)
NUMBERS = (
    ("00441139986199", "UK fixed", False),       # Leeds 0113 998: a range newer than the library's data
    ("00447700974856", "UK mobile", False),      # 07700 97: not in the library either; +447 is the mobile prefix
    ("00442071234567", "UK fixed", True),
    ("00447911123456", "UK mobile", True),
    ("004930123456", "Germany", True),
    ("0221234567", "Poland", True),              # Warsaw; access code 0 printed
    ("0371234567", "Poland", False),             # +48 37: a national range the library does not know
    ("0600123456", "Poland mobile", True),
    ("0012125550100", None, True),               # +1 212: no destination in the plan: stays unpriced
)
CENT = Decimal("0.01")


def _units(seconds: int, period: int) -> int:
    return -(-seconds // period)


def expected_cost(destination: str, talk: int, weekend: bool) -> Decimal:
    """The plan above, computed by hand (every call lies inside one band)."""
    if talk == 0:
        return Decimal(0)
    if destination == "UK fixed":
        cost = _units(talk, 60) * Decimal("0.30" if weekend else "0.40")
    elif destination == "UK mobile":
        first, later = (Decimal("0.50"), Decimal("0.10")) if weekend else (Decimal("0.60"), Decimal("0.12"))
        cost = Decimal("0.10") + first + _units(max(talk - 30, 0), 6) * later
    elif destination == "Germany":
        cost = _units(talk, 60) * Decimal("0.35")
    elif destination == "Poland":
        cost = Decimal(talk) * Decimal("0.12") / 60
    else:
        cost = max(_units(talk, 60) * Decimal("0.25"), Decimal("0.25"))
    return cost.quantize(CENT, ROUND_HALF_UP)


def month_of_calls():
    """June 2026: one call a day per number, weekdays at 10:00 (peak) and weekends at 11:00, varied talk times."""
    calls, call_id = [], 1
    for d in range(30):
        day = date(2026, 6, 1) + timedelta(days=d)
        weekend = day.weekday() >= 5
        for i, (digits, destination, known) in enumerate(NUMBERS):
            talk = 0 if (d + i) % 11 == 0 else 1 + (d * 97 + i * 61) % 900
            if d == 3 and digits == "00441139986199":
                talk = 760                           # the call of the issue
            hour = "11" if weekend else "10"
            calls.append((day, f"{day:%Y/%m/%d} {hour}:{i:02d}:00", digits, destination, known, talk, weekend,
                          call_id))
            call_id += 1
    return calls


@pytest.fixture
def priced_month(tmp_path, capsys):
    ini, plan, src, data = (tmp_path / n for n in ("callbox.ini", "plan.csv", "smdr.log", "d"))
    ini.write_text(CONFIG)
    plan.write_text(PLAN)
    rc, _, err = run_cli(capsys, "tariff", "import", "--data", str(data), str(plan))
    assert rc == 0, err
    calls = month_of_calls()
    src.write_bytes(b"".join(ipo(start, talk=f"{talk // 3600:02d}:{talk // 60 % 60:02d}:{talk % 60:02d}",
                                 called=digits, call_id=cid)
                             for _, start, digits, _, _, talk, _, cid in calls))
    import_(capsys, data, src, config_file=ini)
    rc, out, err = run_cli(capsys, "calls", "--data", str(data), "--config", str(ini), "--json")
    assert rc == 0, err
    stored = {int(c["call_key"]): c for c in map(json.loads, out.splitlines())}
    return calls, stored, data


def test_unknown_ranges_are_priced_by_prefix_flagged_and_the_month_totals_exactly(priced_month):
    calls, stored, data = priced_month
    total, independent, flagged = Decimal(0), Decimal(0), 0
    for _, _, digits, destination, known, talk, weekend, cid in calls:
        c = stored[cid]
        assert c["explain"]["number_known"] is known, digits
        if destination is None:
            assert c["cost"] is None and "unrated" in c["explain"], digits
            continue
        assert c["number"].startswith("+") and c["destination"] == destination, (digits, c)
        assert Decimal(c["cost"]) == expected_cost(destination, talk, weekend), (digits, talk, c["explain"])
        total += Decimal(c["cost"])
        independent += expected_cost(destination, talk, weekend)
        flagged += not known
    assert total == independent and total > 0
    assert flagged == 90                       # three unknown numbers, every day of June
    store.open_db(Paths(data).db)
    try:
        assert store.counts()["unknown_numbers"] == 90
    finally:
        store.close_db()


def test_the_issue_call_reads_as_international_and_names_the_prefixes_class(priced_month):
    calls, stored, _ = priced_month
    leeds = next(stored[cid] for day, _, digits, _, _, _, _, cid in calls
                 if day == date(2026, 6, 4) and digits == "00441139986199")
    assert (leeds["number"], leeds["kind"], leeds["talk_s"]) == ("+441139986199", "international_fixed", 760)
    assert leeds["cost"] == "5.20" and leeds["explain"]["matched"] == "+44"   # 13 started minutes at 0.40
    new_mobile = next(stored[cid] for _, _, digits, _, _, _, _, cid in calls if digits == "00447700974856")
    # the library calls it fixed (not valid: not MOBILE); the plan's +447 prefix prices and names it mobile
    assert new_mobile["kind"] == "international_mobile" and new_mobile["explain"]["matched"] == "+447"


@pytest.mark.parametrize("options, dialled, number, kind, known", [
    # the plan's international prefix decides, with or without the access code printed
    ({"country": "PL", "access_codes": "0"}, "0044 113 998 6199", "+441139986199", "international_fixed", False),
    ({"country": "PL", "access_codes": "0"}, "00044 7700 974856", "+447700974856", "international_fixed", False),
    # Turkey: access code 0 and trunk prefix 0; 0 + 441139986199 is no Turkish subscriber's length
    ({"country": "TR", "access_codes": "0", "area_codes": "212"}, "00441139986199", "+441139986199",
     "international_fixed", False),
    # the country's own international prefix (011 in the US)
    ({"country": "US", "access_codes": "9", "area_codes": "212"}, "9011441139986199", "+441139986199",
     "international_fixed", False),
    # the national trunk prefix decides a domestic number the library does not know
    ({"country": "TR", "access_codes": "9", "area_codes": "232"}, "905991234567", "+905991234567", "unknown", False),
    ({"country": "PL", "access_codes": "0"}, "0371234567", "+48371234567", "unknown", False),
    # what the library knows is unchanged
    ({"country": "TR", "access_codes": "0", "area_codes": "212"}, "002121234567", "+902121234567", "local", True),
    ({"country": "PL", "access_codes": "0"}, "0600123456", "+48600123456", "mobile", True),
    # an international prefix before no country code stays as read before
    ({"country": "PL", "access_codes": "0"}, "00999123456", "+480999123456", "unknown", False),
])
def test_the_dialling_plan_reads_prefixes_before_the_library(options, dialled, number, kind, known):
    c = classify_call(dialled, plan_from_options(options))
    assert (c.number, c.kind, c.known) == (number, kind, known)
