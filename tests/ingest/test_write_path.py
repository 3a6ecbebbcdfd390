"""The write path of call rows: the typed price between rating and the store (which package may import which is
the layer contract, tests/test_layers.py)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from appliance import store
from appliance.rating import numbering
from appliance.rating.pricing import Pricer
from appliance.records import CallPrice, PRICE_COLUMNS, UNPRICED


def test_the_price_columns_are_the_call_rows_columns_in_order():
    i = store.CALL_COLUMNS.index(PRICE_COLUMNS[0])
    assert store.CALL_COLUMNS[i:i + len(PRICE_COLUMNS)] == PRICE_COLUMNS
    assert PRICE_COLUMNS == ("kind", "number", "cost", "currency", "destination", "tariff", "capped", "unknown_number")
    assert UNPRICED == ("", "", None, "", "", "", 0, 0) and type(UNPRICED.capped) is int


def test_a_price_is_a_call_price_with_an_int_flag():
    pricer = Pricer(numbering.plan_from_options({"country": "TR", "area_codes": "232"}), None,
                    ZoneInfo("Europe/Istanbul"), cap_s=3600)
    long_call = pricer.price("out", "05321234567", 1711900000, 4000)
    assert isinstance(long_call, CallPrice) and long_call.kind == "mobile" and long_call.cost is None
    assert type(long_call.capped) is int and long_call.capped == 1   # sqlite3 binds an exact int directly
    assert type(pricer.price("in", "05321234567", 1711900000, 60).capped) is int
    assert tuple(long_call) == (long_call.kind, long_call.number, None, "", "", "", 1, 0)
    assert type(long_call.unknown_number) is int
