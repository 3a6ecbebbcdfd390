"""RAT-4, one rule everywhere: with [rating] transfer_charge = target a transferred call's cost is the target's on
the bill, in every report (call table and roll-ups), on the home page and in CSV exports; with first, the first's."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from appliance import config, store
from appliance.access.users import Account
from appliance.billing import bills as billing
from appliance.billing.usage import parse_period
from appliance.reports import engine as reports
from appliance.reports import rollup
from appliance.reports.search import Criteria, totals
from test_billing import IZMIR, TURKCELL, TZ, Site_, at
from webui import home

D = Decimal
ADMIN = Account(1, "admin", "administrator", "all", "acme", "")
AYSE = Account(2, "ayse", "staff", "own", "acme", "ayse")
OLEG = Account(3, "oleg", "staff", "own", "acme", "oleg")
APRIL = reports.Spec(dims=("person",), measures=("calls", "talk_out", "cost"), range="custom",
                     since="2024-04-01", until="2024-05-01")
# what each person pays in April, by rule: Ayşe's 0.95 Turkcell call is transferred to Oleg (215)
PAYS = {"first": {"ayse": D("1.65"), "oleg": D("0.25")}, "target": {"ayse": D("0.70"), "oleg": D("1.20")}}


@pytest.fixture
def transferred(db):
    s = Site_()
    s.call("2024-04-02T10:00", "214", TURKCELL, "mobile", 60, legs=("214", "215"))   # Ayşe -> Oleg: 0.95
    s.call("2024-04-02T10:05", "224", IZMIR, "local", 120)                            # Ayşe's own: 0.70
    s.call("2024-04-10T09:00", "215", IZMIR, "local", 60)                             # Oleg's own: 0.25
    return s


def by_person(result: reports.Result) -> dict[str, tuple[int, int, Decimal]]:
    return {row[0].split(" (")[-1].rstrip(")"): tuple(row[1:]) for row in result.rows}


@pytest.mark.parametrize("charge", ["first", "target"])
def test_bill_report_home_and_csv_attribute_a_transferred_call_alike(transferred, tmp_path, charge):
    pays = PAYS[charge]
    period = parse_period("2024-04", TZ)
    for who in ("ayse", "oleg"):
        assert billing.bill(transferred.site(charge), period, person=who).total == pays[who]
    for use_rollup in (False, True):
        if use_rollup:
            rollup.rebuild()
        result = reports.run(APRIL, ADMIN, "acme", tz=TZ, use_rollup=use_rollup, transfer_charge=charge)
        assert result.source.startswith("rollup" if use_rollup else "raw")
        rows = by_person(result)
        # the calls and talk time stay with whoever made them; the cost goes where the bill puts it
        assert rows["ayse"][:2] == (2, 180) and rows["oleg"][:2] == (1, 60)
        assert (rows["ayse"][2], rows["oleg"][2]) == (pays["ayse"], pays["oleg"])
        assert result.totals[-1] == D("1.90")
        exported = {r["person"].split(" (")[-1].rstrip(")"): D(r["cost"])
                    for r in csv.DictReader(io.StringIO(reports.to_csv(result, totals=False)))}
        assert exported == pays
        for user in (AYSE, OLEG):   # each one's own report: their own row, at the bill's amount
            own = by_person(reports.run(APRIL, user, "acme", tz=TZ, use_rollup=use_rollup, transfer_charge=charge))
            assert own[user.person][2] == pays[user.person]
    # the home page's month totals, for each person and for the whole box
    cfg = config.Config(text=f"[pbx]\ntenant = acme\ntimezone = Europe/Istanbul\n"
                             f"[rating]\ntransfer_charge = {charge}\n")
    now = at("2024-04-20T12:00")
    store.close_db()   # the web opens the database read-only itself
    try:
        for user, want in ((AYSE, pays["ayse"]), (OLEG, pays["oleg"]), (ADMIN, D("1.90"))):
            page = home.home_data(tmp_path, cfg, user, now)
            assert page["totals"].cost == {"TRY": want}, user.username
    finally:
        home._cache.clear()
        store.close_db()
        store.open_db(tmp_path / "callbox.db")


def test_search_totals_keep_the_stored_attribution_when_filtered(transferred):
    since, until = at("2024-04-01T00:00"), at("2024-05-01T00:00")
    assert totals(OLEG, "acme", Criteria(since=since, until=until), "target").cost == {"TRY": D("1.20")}
    # a search by number is a search of calls as made: the transfer rule does not re-attribute it
    filtered = totals(OLEG, "acme", Criteria(since=since, until=until, number="+9053"), "target")
    assert filtered.cost == {}
