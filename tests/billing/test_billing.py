"""Bills per subscriber (RAT-8), plan comparison (RAT-1), line charges (RAT-6), transfers (RAT-4)."""
from __future__ import annotations

import argparse
import json
import math
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance import store
from appliance.billing import bills as billing
from appliance.billing import linecharges
from appliance.billing.usage import BillingError, Site, custom, parse_period
from appliance.cli import billing as cli_billing
from appliance.cli import main as cli
from appliance.directory import organisation as directory
from appliance.rating import plans as stored_plans
from appliance.rating import tariff_csv
from appliance.rating.rate import rate
from appliance.store import billing as store_billing
from appliance.store import directory as sd
from conftest import REPO

TZ = ZoneInfo("Europe/Istanbul")
TARIFF = (REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv").read_text(encoding="utf-8")
TURKCELL, IZMIR, VODAFONE = "+905321234567", "+902324123456", "+905421234567"
D = Decimal


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp())


class Site_:
    """A site in the database: the example tariff, a small directory, and calls priced by the engine."""

    def __init__(self):
        self.import_plan(TARIFF)
        self.t = sd.tenant_id("acme", create=True)
        t = self.t
        cc = {n: sd.create_named(t, "cost_centre", n) for n in ("Satış-100", "Склад-200")}
        self.ayse = directory.add_person(t, "ayse", "Ayşe", "Işık")
        directory.move_person(t, self.ayse, None, cost_centre_id=cc["Satış-100"])
        directory.assign_extension(t, self.ayse, "214", None)
        directory.assign_extension(t, self.ayse, "224", None)       # one person, two extensions
        self.oleg = directory.add_person(t, "oleg", "Олег", "Петров")
        directory.move_person(t, self.oleg, None, cost_centre_id=cc["Склад-200"])
        directory.assign_extension(t, self.oleg, "215", None)
        self.jan = directory.add_person(t, "jan", "Jan", "Wąsowicz")
        directory.assign_extension(t, self.jan, "215", at("2024-04-15T00:00"), replace=True)   # 215 changes hands
        self.next_id = 1

    def import_plan(self, text: str) -> None:
        for v in tariff_csv.read_csv(text):
            stored_plans.save_version(v)
        self.plans = {p.label: p for p in stored_plans.compiled_plans()}

    def site(self, transfer: str = "first") -> Site:
        return Site(self.t, TZ, transfer)

    def call(self, when: str, ext: str, number: str, kind: str, talk: int, trunk: str = "Line 1",
             legs: tuple[str, ...] = (), ring: int = 5, plan: str = "Türk Telekom / Örnek İşyeri Tarifesi") -> int:
        cid, start = self.next_id, at(when)
        self.next_id += 10
        p = rate(number, kind, start, talk, TZ, self.plans[plan])
        store.Call.create(id=cid, driver="avaya_ipoffice", call_key=str(cid), start_utc=start,
                          utc_offset=int(TZ.utcoffset(datetime.fromtimestamp(start)).total_seconds()),
                          direction="out", extension=ext, party=number, trunk=trunk, ring_s=ring, talk_s=talk,
                          answered=True, transferred=bool(legs), account_code="", legs=max(1, len(legs)),
                          kind=kind, number=number, cost=str(p.cost), currency=p.currency, destination=p.destination,
                          tariff=f"{p.plan} @ {p.version}")
        for i, leg_ext in enumerate(legs):
            store.Leg.create(id=cid + i, call_id=cid, driver="avaya_ipoffice", call_key=str(cid), start_utc=start,
                             utc_offset=0, direction="out", extension=leg_ext, party=number, trunk=trunk, ring_s=ring,
                             talk_s=talk // len(legs), answered=True, transferred=i < len(legs) - 1,
                             account_code="", jseg=0, joff=i)
        return cid


@pytest.fixture
def site(db):
    return Site_()


def april(s: Site_):
    s.call("2024-04-02T10:00", "214", TURKCELL, "mobile", 60)      # 0.05 + 0.45 + 5 x 0.09 = 0.95
    s.call("2024-04-02T10:05", "224", IZMIR, "local", 120)         # 2 peak minutes at 0.35 = 0.70
    s.call("2024-04-06T10:00", "214", TURKCELL, "mobile", 60)      # Saturday: 0.05 + 0.30 + 5 x 0.06 = 0.65
    s.call("2024-04-10T09:00", "215", IZMIR, "local", 60)          # bayram (holiday) band: 0.25, Oleg's
    s.call("2024-04-22T11:00", "215", VODAFONE, "mobile", 30)      # Jan's since the 15th
    s.call("2024-05-02T10:00", "214", IZMIR, "local", 60)          # next month


BILL_EXAMPLES = [   # (who, period, total, {class: amount}, line count)
    ("ayse", "2024-04", "2.30", {"local": "0.70", "mobile": "1.60"}, 3),
    ("ayse", "2024-W14", "2.30", {"local": "0.70", "mobile": "1.60"}, 3),
    ("ayse", "2024-04-06", "0.65", {"mobile": "0.65"}, 1),
    ("ayse", "2024-05", "0.35", {"local": "0.35"}, 1),
    ("oleg", "2024-04", "0.25", {"local": "0.25"}, 1),
    ("jan", "2024-04", "0.50", {"mobile": "0.50"}, 1),
    ("jan", "2024-03", "0", {}, 0),
]


@pytest.mark.parametrize("who,period,total,classes,count", BILL_EXAMPLES)
def test_bill_worked_examples(site, who, period, total, classes, count):
    april(site)
    b = billing.bill(site.site(), parse_period(period, TZ), person=who)
    assert (str(b.total), len(b.lines)) == (total, count)
    assert {k: v["amount"] for k, v in b.as_dict()["subtotals"].items()} == classes


def test_a_bill_line_carries_local_time_number_destination_and_unit_prices(site):
    april(site)
    d = billing.bill(site.site(), parse_period("2024-04", TZ), person="ayse").as_dict()
    assert (d["subscriber"], d["name"], d["currency"], d["total"]) == ("ayse", "Ayşe Işık", "TRY", "2.30")
    first = d["lines"][0]
    assert (first["date"], first["time"], first["utc_offset"]) == ("2024-04-02", "10:00:00", "+0300")
    assert (first["number"], first["destination"], first["duration_s"], first["cost"]) == (TURKCELL, "Turkcell",
                                                                                           60, "0.95")
    assert first["connection_fee"] == "0.05"
    assert [(s["period_s"], s["units"], s["unit_price"]) for s in first["unit_prices"]] == [(30, 1, "0.45"),
                                                                                            (6, 5, "0.09")]
    assert d["period"]["since"] == "2024-04-01T00:00:00+03:00"
    assert json.loads(json.dumps(d)) == d


def test_a_persons_bill_reads_the_directory_of_its_extensions_only(site, monkeypatch):
    """Issue 14: one staff member's bill built the tenant's whole directory in memory (99 ms at 1,000 people)."""
    from appliance.billing import usage
    asked = []
    real = usage.directory.Index

    def index(tenant_id, extensions=None):
        asked.append(None if extensions is None else set(extensions))
        return real(tenant_id, extensions)
    monkeypatch.setattr(usage.directory, "Index", index)
    april(site)
    assert str(billing.bill(site.site(), parse_period("2024-04", TZ), person="ayse").total) == "2.30"
    assert asked and all(a is not None and a <= {"214", "215", "224"} for a in asked)


def test_an_extension_bill_follows_the_extension_not_the_person(site):
    april(site)
    b = billing.bill(site.site(), parse_period("2024-04", TZ), extension="215")
    assert [line.amount for line in b.lines] == [D("0.25"), D("0.50")] and b.total == D("0.75")
    with pytest.raises(BillingError, match="no person 'nobody'"):
        billing.bill(site.site(), parse_period("2024-04", TZ), person="nobody")


@pytest.mark.parametrize("text,error", [("2024-13", "month must be"), ("April", "expected YYYY-MM"),
                                        ("2024-W60", "week")])
def test_bad_periods_are_named(text, error):
    with pytest.raises(BillingError, match=error):
        parse_period(text, TZ)
    with pytest.raises(BillingError, match="ends"):
        custom("2024-04-02", "2024-04-01", TZ)


def test_a_dst_month_is_bounded_by_local_midnights():
    oslo = ZoneInfo("Europe/Oslo")
    p = parse_period("2024-03", oslo)      # DST starts on 31 March: the month is one hour short
    assert p.until - p.since == 31 * 86400 - 3600


# ---- RAT-1: the same traffic under every plan ----

def test_compare_prices_the_traffic_under_every_plan(site):
    april(site)
    cheap = TARIFF.replace("provider,Türk Telekom", "provider,Ucuz Hat").replace("60:0.35", "60:0.20")
    site.import_plan(cheap.replace("Şehir içi,*,0,0,60:0.25", "Şehir içi,*,0,0,60:0.10"))
    rows = {r.plan: r for r in billing.compare(site.site(), parse_period("2024-04", TZ))}
    tt, cheap_row = rows["Türk Telekom / Örnek İşyeri Tarifesi"], rows["Ucuz Hat / Örnek İşyeri Tarifesi"]
    assert (tt.total, tt.calls, tt.unrated) == (D("3.05"), 5, 0)
    assert tt.per_class == {"local": D("0.95"), "mobile": D("2.10")}
    assert cheap_row.total == D("2.60") and cheap_row.per_class["local"] == D("0.50")   # 2 x 0.20 + 0.10
    assert cheap_row.as_dict()["total"] == "2.60"


# ---- RAT-6: line charges ----

@pytest.mark.parametrize("amount,weights,expected", [
    ("100.00", {"a": 1, "b": 1, "c": 1}, {"a": "33.34", "b": "33.33", "c": "33.33"}),
    ("10", {"a": 2, "b": 1}, {"a": "6.67", "b": "3.33"}),
    ("0.05", {"a": 1, "b": 1}, {"a": "0.03", "b": "0.02"}),
    ("99.995", {"a": 1, "b": 3}, {"a": "24.999", "b": "74.996"}),   # a finer amount keeps its own minor unit
])
def test_distribute_worked_examples(amount, weights, expected):
    assert {k: str(v) for k, v in linecharges.distribute(D(amount), weights).items()} == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10 ** 9), st.lists(st.integers(0, 10 ** 6), min_size=1, max_size=30).filter(any))
def test_distributed_shares_sum_exactly_and_are_fair(cents, weights):
    amount = D(cents).scaleb(-2)
    shares = linecharges.distribute(amount, dict(enumerate(weights)))
    assert sum(shares.values()) == amount
    for k, w in enumerate(weights):
        exact = D(cents) * w / sum(weights)
        assert abs(shares[k] * 100 - exact) < 1     # within one cent of the exact share


def test_a_line_charge_is_shared_by_cost_to_people_and_cost_centres(site):
    april(site)
    store_billing.replace_line_charges(site.t, [dict(trunk="Line 1", amount=D("120.00"), currency="TRY",
                                                     basis="cost", valid_from="2024-01", valid_to="",
                                                     description="PRI")])
    (d,) = linecharges.month_distribution(site.site(), parse_period("2024-04", TZ))
    # April costs on Line 1: ayse 2.30, oleg 0.25, jan 0.50 (3.05 in all)
    assert d.by_person == {"ayse": D("90.49"), "jan": D("19.67"), "oleg": D("9.84")}
    assert d.by_cost_centre == {"": D("19.67"), "Satış-100": D("90.49"), "Склад-200": D("9.84")}
    b = billing.bill(site.site(), parse_period("2024-04", TZ), person="ayse")
    assert b.line_charges[0]["share"] == D("90.49") and b.total == D("92.79")
    assert billing.bill(site.site(), parse_period("2024-W14", TZ), person="ayse").line_charges == []


def test_a_line_charge_by_duration_and_a_month_without_use(site):
    april(site)
    store_billing.replace_line_charges(site.t, [dict(trunk="Line 1", amount=D("10"), currency="TRY",
                                                     basis="duration", valid_from="", valid_to="", description="")])
    (d,) = linecharges.month_distribution(site.site(), parse_period("2024-04", TZ))
    assert d.by_person == {"ayse": D("7.27"), "jan": D("0.91"), "oleg": D("1.82")}   # 240 s, 30 s, 60 s of 330
    (d,) = linecharges.month_distribution(site.site(), parse_period("2024-06", TZ))
    assert d.by_person == {} and d.unallocated == D("10")


# ---- RAT-4: transferred calls ----

def test_a_transferred_call_is_charged_to_the_target_when_configured(site):
    site.call("2024-04-02T10:00", "214", TURKCELL, "mobile", 60, legs=("214", "215"))   # Ayşe -> Oleg
    period = parse_period("2024-04", TZ)
    first = billing.bill(site.site("first"), period, person="ayse")
    assert first.total == D("0.95") and billing.bill(site.site("first"), period, person="oleg").lines == []
    ayse = billing.bill(site.site("target"), period, person="ayse")
    oleg = billing.bill(site.site("target"), period, person="oleg")
    (line,) = ayse.lines
    assert (line.cost, line.amount, line.ring_s, line.talk_s) == (None, D(0), 5, 60)   # times kept, no cost
    assert line.note == "transferred: charged to oleg" and ayse.total == 0
    assert oleg.total == D("0.95") and oleg.lines[0].extension == "215"


# ---- the invoice test: a month priced by the engine against a calculation written here ----

SIMPLE = """setting,value
provider,Test
plan,Flat
valid_from,2024-01-01
currency,TRY
rounding,half-up
decimals,2

destination,prefixes,classes
Local,,local
Mobile,,mobile

destination,band,connection_fee,minimum,steps
Local,*,0,0,60:0.35
Mobile,*,0.05,0,"30:0.45,6:0.09"
"""


def _independent(kind: str, talk: int) -> Decimal:
    if talk == 0:
        return D(0)
    if kind == "local":
        return math.ceil(talk / 60) * D("0.35")
    return D("0.05") + D("0.45") + math.ceil(max(talk - 30, 0) / 6) * D("0.09")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 29 * 86400), st.sampled_from(["214", "224", "215"]),
                          st.sampled_from(["local", "mobile"]), st.integers(0, 3600)), max_size=40))
def test_a_month_bill_matches_an_independent_calculation(tmp_path_factory, calls):
    store.open_db(tmp_path_factory.mktemp("inv") / "callbox.db")
    try:
        s = Site_()
        s.import_plan(SIMPLE)
        expected = {"ayse": D(0), "oleg": D(0), "jan": D(0)}
        for offset, ext, kind, talk in calls:
            start = at("2024-04-01T00:00") + offset
            when = datetime.fromtimestamp(start, TZ).replace(tzinfo=None).isoformat()
            s.call(when, ext, TURKCELL if kind == "mobile" else IZMIR, kind, talk, plan="Test / Flat")
            who = "ayse" if ext != "215" else "oleg" if start < at("2024-04-15T00:00") else "jan"
            expected[who] += _independent(kind, talk)
        for who, total in expected.items():
            assert billing.bill(s.site(), parse_period("2024-04", TZ), person=who).total == total
    finally:
        store.close_db()


# ---- the CLI ----

def run(capsys, monkeypatch, *argv):
    real = cli.build_parser

    def build():
        p = real()
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        if "bill" not in sub.choices:     # until cli.build_parser registers it
            cli_billing.register(sub)
        return p
    monkeypatch.setattr(cli, "build_parser", build)
    try:
        rc = cli.main(list(argv))
    finally:
        store.close_db()
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_bill_compare_and_line_charges_on_an_imported_site(tmp_path, capsys, monkeypatch):
    from test_pricing import priced_site
    data, ini = priced_site(tmp_path, capsys)
    base = ("--data", str(data), "--config", str(ini))
    rc, out, err = run(capsys, monkeypatch, "bill", *base, "--extension", "201", "--period", "2024-04", "--json")
    assert rc == 0, err
    b = json.loads(out)
    assert (b["subscriber"], b["total"], b["currency"]) == ("ext:201", "2.30", "TRY")   # 0.95 + 0.70 + 0.65
    assert [line["cost"] for line in b["lines"]] == ["0.95", "0.70", "0.65"]
    rc, out, err = run(capsys, monkeypatch, "compare", *base, "--since", "2024-04-01", "--until", "2024-05-01",
                       "--json")
    assert rc == 0 and json.loads(out)["plans"][0]["total"] == "2.30"
    charges = tmp_path / "lines.csv"
    charges.write_text("trunk,amount,currency,basis,valid_from,valid_to,description\n"
                       "9001,50.00,TRY,cost,2024-01,,Hat 1\n", encoding="utf-8")
    assert run(capsys, monkeypatch, "linecharge", "import", *base, str(charges))[0] == 0
    rc, out, err = run(capsys, monkeypatch, "linecharge", "show", *base, "--period", "2024-04", "--json")
    assert rc == 0, err
    assert json.loads(out)[0]["by_person"] == {"ext:201": "50.00"}
    allow = tmp_path / "allow.csv"
    allow.write_text("subscriber,name,unit,amount,match,period,valid_from,valid_to\n"
                     "ext:201,Mobil 1 dk,minutes,1,class:mobile,month,,\n", encoding="utf-8")
    for _ in range(2):   # importing again replaces: still one allowance
        assert run(capsys, monkeypatch, "allowance", "import", *base, str(allow))[0] == 0
    rc, out, err = run(capsys, monkeypatch, "bill", *base, "--extension", "201", "--period", "2024-04", "--json")
    assert json.loads(out)["total"] == "51.35"            # 0.70 + 0.65 + the whole line charge
    rc, out, err = run(capsys, monkeypatch, "bill", *base, "--person", "x", "--period", "April")
    assert rc == 2 and "expected YYYY-MM" in err
