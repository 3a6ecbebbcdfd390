"""Free allowances and minute packages (RAT-7): worked examples, call-start order, never double-counted."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance import store
from appliance.billing import allowances
from appliance.billing import bills as billing
from appliance.billing.usage import BillingError, parse_period
from appliance.ingest.rerate import rerate
from appliance.rating import numbering, pricing
from appliance.store import billing as store_billing
from test_billing import IZMIR, TURKCELL, TZ, VODAFONE, Site_, april, at

D = Decimal
HEADER = "subscriber,name,unit,amount,match,period,valid_from,valid_to\n"


@pytest.fixture
def site(db):
    return Site_()


def define(s: Site_, text: str) -> None:
    store_billing.replace_allowances(s.t, allowances.read_csv(HEADER + text, "test.csv"))


def amounts(s: Site_, who: str, period: str = "2024-04") -> tuple[list[str], str]:
    b = billing.bill(s.site(), parse_period(period, TZ), person=who)
    return [str(line.amount) for line in b.lines], str(b.total)


ALLOWANCE_EXAMPLES = [   # ayse's April: Turkcell 0.95 (60 s), local 0.70 (120 s), Turkcell Saturday 0.65 (60 s)
    ("ayse,Mobil 2 dk,minutes,2,class:mobile,month,,", ["0.00", "0.70", "0.00"], "0.70"),
    ("ayse,Mobil 1.5 dk,minutes,1.5,class:mobile,month,,", ["0.00", "0.70", "0.32"], "1.02"),   # 30 of 60 s free
    ("ayse,Turkcell,minutes,100,destination:turkcell,month,,", ["0.00", "0.70", "0.00"], "0.70"),
    ("ayse,Bir arama,calls,1,*,month,,", ["0.00", "0.70", "0.65"], "1.35"),
    ("ayse,1 TL,money,1,*,month,,", ["0.00", "0.65", "0.65"], "1.30"),               # 0.95 + 0.05 of 0.70
    ("ayse,Haftalık,calls,1,*,week,,", ["0.00", "0.70", "0.65"], "1.35"),             # all in ISO week 14
    ("ayse,Geç,minutes,10,*,month,2024-04-03,", ["0.95", "0.70", "0.00"], "1.65"),    # valid from the 3rd
    ("oleg,Oleg's,money,100,*,month,,", ["0.95", "0.70", "0.65"], "2.30"),            # someone else's
    ("ayse,Local 1 dk,minutes,1,class:local,month,,\nayse,1 TL,money,1,*,month,,",
     ["0.00", "0.30", "0.65"], "0.95"),   # in definition order: the money pays the Turkcell call and 0.05 of
    # the local call, after the local minute took half of it (60 of 120 s: 0.35)
]


@pytest.mark.parametrize("rows,lines,total", ALLOWANCE_EXAMPLES)
def test_allowance_worked_examples(site, rows, lines, total):
    april(site)
    define(site, rows + "\n")
    assert amounts(site, "ayse") == (lines, total)


def test_different_limits_for_different_people(site):
    april(site)
    site.call("2024-04-23T10:00", "215", VODAFONE, "mobile", 60)
    define(site, "jan,Mobil,minutes,1,class:mobile,month,,\noleg,Mobil,minutes,100,class:mobile,month,,\n")
    b = billing.bill(site.site(), parse_period("2024-04", TZ), person="jan")
    first, second = b.lines   # 30 s free; of the 60 s call (23 April, a holiday: 0.65) 30 s: 0.325 -> 0.33
    assert first.amount == 0 and second.cost == D("0.65") and second.discount == D("0.33")
    assert amounts(site, "oleg") == (["0.25"], "0.25")   # his minutes are for mobiles, his call was local


def test_a_bill_for_part_of_a_month_counts_the_allowance_from_the_month_start(site):
    april(site)
    define(site, "ayse,Mobil 1 dk,minutes,1,class:mobile,month,,\n")
    # the 2 April call used the minute: the 6 April call (week 14, and a one-day bill) pays in full
    assert amounts(site, "ayse", "2024-04-06") == (["0.65"], "0.65")
    b = billing.bill(site.site(), parse_period("2024-04-06", TZ), person="ayse")
    assert [u.as_dict()["used"] for u in b.allowances] == ["1.00"]
    # May has its own minute
    site.call("2024-05-03T10:00", "214", TURKCELL, "mobile", 60)
    assert amounts(site, "ayse", "2024-05") == (["0.35", "0.00"], "0.35")


def test_allowances_go_in_call_start_order_not_in_id_order(site):
    late = site.call("2024-04-20T10:00", "214", IZMIR, "local", 60)      # stored first, starts later
    early = site.call("2024-04-02T10:00", "214", IZMIR, "local", 60)
    assert late < early
    define(site, "ayse,Bir arama,calls,1,*,month,,\n")
    b = billing.bill(site.site(), parse_period("2024-04", TZ), person="ayse")
    assert [(line.call_id, str(line.amount)) for line in b.lines] == [(early, "0.00"), (late, "0.25")]   # a Saturday


@pytest.mark.parametrize("row,error", [
    ("ayse,x,hours,1,*,month,,", "line 2: unit 'hours'"),
    ("ayse,x,minutes,-5,*,month,,", "line 2: amount '-5'"),
    ("ayse,x,minutes,1,class:cheap,month,,", "line 2: match 'class:cheap'"),
    ("ayse,x,minutes,1,*,year,,", "line 2: period 'year'"),
    (",x,minutes,1,*,month,,", "line 2: subscriber is empty"),
    ("ayse,x,minutes,1,*,month,2024-02-30,", "line 2 valid_from: '2024-02-30'"),
])
def test_bad_allowance_rows_are_named(row, error):
    with pytest.raises(BillingError, match=error):
        allowances.read_csv(HEADER + row + "\n", "test.csv")


def _rerate(s: Site_) -> None:
    p = pricing.Pricer(numbering.plan_from_options({"country": "TR", "area_codes": "232"}),
                       s.plans["Türk Telekom / Örnek İşyeri Tarifesi"], TZ)
    rerate(p)


@settings(max_examples=20, deadline=None)
@given(calls=st.lists(st.tuples(st.integers(0, 29 * 86400), st.sampled_from(["214", "224"]),
                                st.sampled_from([(TURKCELL, "mobile"), (IZMIR, "local")]), st.integers(0, 900)),
                      max_size=25),
       unit=st.sampled_from(["minutes", "calls", "money"]), amount=st.integers(1, 20))
def test_allowances_are_never_double_counted(tmp_path_factory, calls, unit, amount):
    store.open_db(tmp_path_factory.mktemp("allow") / "callbox.db")
    try:
        s = Site_()
        for offset, ext, (number, kind), talk in calls:
            when = datetime.fromtimestamp(at("2024-04-01T00:00") + offset, TZ).replace(tzinfo=None).isoformat()
            s.call(when, ext, number, kind, talk)
        define(s, f"ayse,A,{unit},{amount},class:mobile,month,,\n")
        period = parse_period("2024-04", TZ)
        first = billing.bill(s.site(), period, person="ayse").as_dict()
        assert billing.bill(s.site(), period, person="ayse").as_dict() == first      # computing twice
        _rerate(s)
        _rerate(s)
        assert billing.bill(s.site(), period, person="ayse").as_dict() == first      # re-rating, then again
        b = billing.bill(s.site(), period, person="ayse")
        free = sum(line.discount for line in b.lines)
        assert sum(line.cost or 0 for line in b.lines) - free == b.total
        (use,) = b.allowances
        assert use.used <= amount and all(0 <= line.discount <= (line.cost or 0) for line in b.lines)
        if unit == "money":
            assert free == use.used
        # week by week, every call keeps the discount the month bill gave it
        month_lines = {line.call_id: line.discount for line in b.lines}
        for week in ("2024-W14", "2024-W15", "2024-W16", "2024-W17", "2024-W18"):
            wk = billing.bill(s.site(), parse_period(week, TZ), person="ayse")
            for line in wk.lines:
                if period.since <= at(line.local_time.replace(tzinfo=None).isoformat()) < period.until:
                    assert line.discount == month_lines[line.call_id]
    finally:
        store.close_db()
