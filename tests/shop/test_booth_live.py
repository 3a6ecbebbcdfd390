"""Each booth now (appliance/shop/live.py): free, talking with the running time and the running sell price of the
seconds so far (checked against the price list applied by hand), or to pay when its record arrived after the call."""
from __future__ import annotations

from decimal import Decimal

import pytest
from shop_helpers import NUMBERS, add_call, config, independent_sell, store_prices

from appliance.shop import booths, live, sessions

T0 = 1_780_000_000


@pytest.fixture
def shop(db):
    store_prices()
    s = booths.shop_settings(config())
    return s, booths.seller(s)


@pytest.mark.parametrize("elapsed", [1, 30, 31, 36, 37, 95])
def test_a_booth_in_a_call_shows_the_running_time_and_price(shop, elapsed):
    s, seller = shop
    session = sessions.open_session(s, seller, "ayşe", now=T0)
    going = add_call("201", NUMBERS["Germany"], T0 + 10, 600)                 # still talking at T0 + 10 + elapsed
    add_call("202", NUMBERS["Germany mobile"], T0 + 1, 5)                     # ended: to pay
    calls = sessions.session_calls(session, s, seller)
    now = {b.extension: b for b in live.booth_states(s, seller, calls, T0 + 10 + elapsed)}
    b = now["201"]
    assert (b.state, b.call_id, b.running_s, b.currency) == ("talking", going, elapsed, "TRY")
    assert b.running_sell == independent_sell(NUMBERS["Germany"], elapsed)
    assert (now["202"].state, now["202"].unpaid, now["203"].state) == ("to_pay", 1, "free")
    assert Decimal(b.as_json()["running_sell"]) == independent_sell(NUMBERS["Germany"], elapsed)


def test_after_the_call_the_booth_is_to_pay_and_free_once_paid(shop):
    s, seller = shop
    session = sessions.open_session(s, seller, "ayşe", now=T0)
    c = add_call("201", NUMBERS["Türkiye İstanbul"], T0 + 10, 60)
    state = lambda now: live.booth_states(s, seller, sessions.session_calls(session, s, seller), now)[0]  # noqa
    assert (state(T0 + 69).state, state(T0 + 69).running_sell) == ("talking", Decimal("0.12"))
    assert state(T0 + 70).state == "to_pay"
    sessions.pay(session.id, [c], s, seller)
    assert state(T0 + 70).state == "free"
