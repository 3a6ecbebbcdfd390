"""Bills over a central's received calls, on SQLite and PostgreSQL: a person of a branch box (their id in that
branch's directory) or one extension there, for a month, `callbox bill --branch BOX` and the function; only that
branch box's outgoing calls of the period, their prices exact as the branch stored them."""
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.billing import received
from appliance.billing.usage import BillingError, parse_period
from appliance.central import apply as applier
from appliance.store import central_db
from appliance.store.sync import CentralBranch
from appliance.sync import wire
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import cli

TZ = ZoneInfo("Europe/Istanbul")
MAY = 1_777_582_800        # 2026-05-01 00:00 at +03:00


def _call(start: int, person: str, ext: str, cost: str | None, direction: str = "out", kind: str = "mobile",
          tenant: str = "default") -> dict:
    return {"driver": "t", "call_key": "k", "start_utc": start, "utc_offset": 10800, "direction": direction,
            "extension": ext, "party": "1", "trunk": "T1", "ring_s": 3, "talk_s": 61, "answered": 1,
            "transferred": 0, "account_code": "", "kind": kind, "number": "+905321112233", "cost": cost,
            "currency": "TRY" if cost else "", "destination": "Mobile", "tariff": "op / plan @ 1", "capped": 0,
            "tenant": tenant, "person": person, "department": "Satış", "org_branch": "İzmir", "legs": "[]"}


def _send(branch: str, seq: int, rows: list[dict]) -> None:
    body = wire.encode(branch, seq, "t", 0, rows)
    applier.apply(branch, wire.decode(body, wire.headers(body, seq)))


@pytest.fixture
def central(tmp_path, engine):  # noqa: F811 (the fixture)
    store.open_db(tmp_path / "callbox.db")
    if engine is not None:
        pw = password_file(tmp_path)
        url = engine.url(engine.fresh_database())
        central_db.open_central(url, pw.name, tmp_path)
        (tmp_path / "callbox.ini").write_text(f"[central]\ndatabase = {url}\npassword_file = {pw.name}\n",
                                              encoding="utf-8")
    (tmp_path / "callbox.ini").open("a", encoding="utf-8").write("[pbx]\ntimezone = Europe/Istanbul\n")
    for name in ("izmir", "ankara"):
        CentralBranch.create(name=name, created_utc=0, cert_serial="1")
    ayse, mehmet = "Ayşe Yılmaz (P1)", "Mehmet Öz (P2)"
    _send("izmir", 1, [
        {"op": "upsert", "rid": 1, "call": _call(MAY + 3600, ayse, "201", "1.250000")},
        {"op": "upsert", "rid": 2, "call": _call(MAY + 7200, ayse, "202", "0.333333", kind="local")},
        {"op": "upsert", "rid": 3, "call": _call(MAY + 7300, ayse, "201", None)},                 # not priced
        {"op": "upsert", "rid": 4, "call": _call(MAY + 7400, ayse, "201", None, direction="in")},  # not billed
        {"op": "upsert", "rid": 5, "call": _call(MAY - 60, ayse, "201", "9.000000")},              # April
        {"op": "upsert", "rid": 6, "call": _call(MAY + 9000, mehmet, "203", "2.000000")},
    ])
    _send("izmir", 2, [{"op": "upsert", "rid": 1, "call": _call(MAY + 3600, ayse, "201", "1.300000")}])  # re-rated
    _send("ankara", 1, [{"op": "upsert", "rid": 1, "call": _call(MAY + 100, ayse, "201", "5.000000")}])
    yield tmp_path
    store.close_db()


def test_a_branch_persons_bill_has_that_branch_boxs_outgoing_calls_of_the_month(central):
    may = parse_period("2026-05", TZ)
    b = received.bill("izmir", may, person="P1", tz=TZ)
    assert b.branch == "izmir" and b.name == "Ayşe Yılmaz" and b.currency == "TRY"
    assert [line.call_id for line in b.lines] == [1, 2, 3]
    assert b.total == Decimal("1.633333")                    # the re-rated price, not the first one
    assert b.subtotals["mobile"]["calls"] == 2 and b.subtotals["local"]["amount"] == Decimal("0.333333")
    assert b.lines[2].note == "not priced" and b.lines[0].note == received.NOTE
    assert received.bill("ankara", may, person="P1").total == Decimal("5.000000")
    assert received.bill("izmir", may, extension="202").total == Decimal("0.333333")
    assert received.people("izmir", may) == [("P1", "Ayşe Yılmaz"), ("P2", "Mehmet Öz")]
    assert received.bill("izmir", may, person="P1", tenants=("other",)).lines == []
    with pytest.raises(BillingError, match="no branch box"):
        received.bill("bursa", may, person="P1")


def test_callbox_bill_with_branch(central):
    store.close_db()
    rc, out, err = cli("bill", "--data", str(central), "--branch", "izmir", "--person", "P1", "--period", "2026-05",
                       "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["branch"] == "izmir" and doc["total"] == "1.633333" and doc["currency"] == "TRY"
    assert [(line["call_id"], line["amount"], line["utc_offset"]) for line in doc["lines"]] == [
        (1, "1.300000", "+0300"), (2, "0.333333", "+0300"), (3, "0", "+0300")]
    assert doc["period"]["since"] == "2026-05-01T00:00:00+03:00"
    rc, out, err = cli("bill", "--data", str(central), "--branch", "bursa", "--person", "P1", "--period", "2026-05")
    assert rc == 2 and "no branch box 'bursa'" in err
    rc, out, err = cli("bill", "--data", str(central), "--branch", "izmir", "--extension", "203", "--period",
                       "2026-05")
    assert rc == 0 and "of branch box izmir" in out and "Total 2.000000 TRY" in out
