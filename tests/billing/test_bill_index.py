"""Issue 14: a subscriber's bill reads their calls of the period through the (TRIM(extension), start_utc) index,
not the whole period's calls, with the same lines as the exact extension test gives."""
from __future__ import annotations

import pytest
from test_billing import TURKCELL, TZ, Site_, april

from appliance import store
from appliance.billing import bills as billing
from appliance.billing import usage
from appliance.billing.usage import parse_period


@pytest.fixture
def site(db):
    return Site_()


def _plan(site: Site_, extensions: set[str], transfer: str = "first") -> str:
    p = parse_period("2024-04", TZ)
    sql, params = usage._query(site.site(transfer), p.since, p.until, extensions).sql()
    return " ".join(str(r[-1]) for r in store.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())


@pytest.mark.parametrize("extensions", [{"214"}, {"214", "224"}])
def test_a_subscribers_calls_are_found_by_the_extension_index(site, extensions):
    april(site)
    assert "call_extension_start" in _plan(site, extensions)


def test_padded_extensions_are_billed_as_the_exact_test_bills_them(site):
    """Calls stored with a space around the extension are not the extension's (the test stays exact), whatever
    the index finds."""
    april(site)
    site.call("2024-04-03T10:00", " 214", TURKCELL, "mobile", 60)
    site.call("2024-04-04T10:00", "214 ", TURKCELL, "mobile", 60)
    p = parse_period("2024-04", TZ)
    got = [(u.call_id, u.extension) for u in usage.usage(site.site(), p.since, p.until, {"214"})]
    C = store.Call
    exact = [c.id for c in C.select(C.id).where(C.extension == "214", C.direction == "out", C.start_utc >= p.since,
                                                C.start_utc < p.until).order_by(C.start_utc, C.id)]
    assert [cid for cid, _ in got] == exact and len(exact) == 2
    padded = [u.call_id for u in usage.usage(site.site(), p.since, p.until, {" 214"})]
    assert len(padded) == 1 and padded[0] not in exact
    b = billing.bill(site.site(), p, extension="214")
    assert str(b.total) == "1.60" and len(b.lines) == 2
