"""The write path of call rows: the typed price between rating and the store (which package may import which is
the layer contract, tests/test_layers.py)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from appliance import config, store
from appliance.ingest.worker import build_processor, process_all
from appliance.journal import JournalWriter
from appliance.paths import Paths
from appliance.rating import numbering
from appliance.rating.pricing import Pricer
from appliance.records import CallPrice, PRICE_COLUMNS, UNPRICED
from test_pipeline import ipo


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


@pytest.mark.parametrize("sources", [("tcp:10.0.0.5:1",), ("tcp:10.0.0.5:1", "tcp:10.0.0.6:1")])
def test_an_unpriced_call_row_is_its_first_legs_with_the_tenants_unpriced_columns(tmp_path, sources):
    """Unpriced new calls are copied from their first leg by SQLite (ingest/batch.py): one tenant's batch by the
    batch's range, several tenants' by their lists of ids; a later leg still sums into its call."""
    paths = Paths(tmp_path)
    cfg = config.Config(text="[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Istanbul\ntenant = acme\n"
                             "tenant_by_source =\n    tcp:10.0.0.5: = acme\n    tcp:10.0.0.6: = globex\n")
    with JournalWriter(paths.journal) as w:
        for i in range(7):
            w.append(ipo(f"2024/03/05 10:0{i}:00", called=f"0532111111{i}", call_id=1000100 + i,
                         cont=1 if i == 3 else 0), sources[i % len(sources)])
        w.append(ipo("2024/03/05 10:03:00", called="05321111113", call_id=1000103, p1="E202"),
                 sources[3 % len(sources)])
    store.open_db(paths.db)
    try:
        assert process_all(paths, build_processor(cfg), batch=3) == 8
        calls = store.db.execute_sql(f"SELECT {', '.join(store.CALL_COLUMNS)} FROM call ORDER BY id").fetchall()
        legs = store.db.execute_sql(f"SELECT {', '.join(store.LEG_COLUMNS)} FROM leg WHERE id = call_id "
                                    "ORDER BY id").fetchall()
        tenants = ["acme", "globex"]
        assert len(calls) == len(legs) == 7
        for i, (call, leg) in enumerate(zip(calls, legs)):
            first = leg[:1] + leg[2:-2]   # without call_id, jseg, joff
            summed = (2, 40) if i == 3 else (1, 20)
            assert call[:len(first)] == first[:10] + (summed[1],) + first[11:]
            assert call[len(first):] == (summed[0],) + tuple(UNPRICED) + (tenants[i % len(sources)],)
            assert [type(v) for v in call] == [type(v) for v in calls[0]]
        assert sorted(t for t, in store.db.execute_sql("SELECT code FROM call_tenant")) == tenants[:len(sources)]
    finally:
        store.close_db()
