"""A booth live from the PBX's channels (appliance/shop/live.py with appliance/ami/channels.py): dialling, then
talking from the answer with the price of the seconds since; and the cashier's "in use by" mark, with the booth
unlocked and locked again over AMI (DBPut / DBDel against the loopback AMI server) where [shop] lock_family is set."""
from __future__ import annotations

from dataclasses import replace

import pytest
from ami_server import AmiServer
from shop_helpers import NUMBERS, config, independent_sell, store_prices
from test_ami_client import settings, wait_for

from appliance.ami.channels import Channel
from appliance.ami.client import Client
from appliance.config import Config, ConfigError
from appliance.rating import numbering
from appliance.shop import booths, live, marks
from appliance.shop.sessions import ShopError

T0 = 1_780_000_000


@pytest.fixture
def shop(db):
    store_prices()
    s = booths.shop_settings(config())
    return s, booths.seller(s)


def e164(dialled: str) -> str:
    return numbering.normalize(dialled, numbering.plan_from_options({"country": "TR", "area_codes": "212"}))


@pytest.mark.parametrize("since_answer", [0, 30, 31, 95])
def test_a_booth_is_dialling_then_talking_from_its_channel(shop, since_answer):
    s, seller = shop
    ch = Channel("1.1", "PJSIP/202-00000001", "PJSIP/202", "0049301234567", created=T0)
    now = {b.extension: b for b in live.booth_states(s, seller, [], T0 + 3, {"202": ch}, e164)}
    assert (now["202"].state, now["202"].number, now["202"].live, now["201"].state) == (
        "dialling", NUMBERS["Germany"], True, "free")
    up = replace(ch, answered=T0 + 5)
    b = {b.extension: b for b in live.booth_states(s, seller, [], T0 + 5 + since_answer, {"202": up}, e164)}["202"]
    assert (b.state, b.running_s, b.since_utc) == ("talking", since_answer, T0 + 5)
    assert b.running_sell == independent_sell(NUMBERS["Germany"], since_answer)
    assert b.as_json()["live"] is True


def test_in_use_by_without_a_pbx_lock(shop):
    s, _seller = shop
    marks.give(s, "201", "  Mehmet   Bey ", now=T0)
    assert marks.marks()["201"].in_use_by == "Mehmet Bey" and not marks.marks()["201"].unlocked
    states = live.booth_states(s, _seller, [], T0, in_use={"201": "Mehmet Bey"})
    assert states[0].in_use_by == "Mehmet Bey" and states[0].as_json()["in_use_by"] == "Mehmet Bey"
    marks.free(s, "201")
    assert marks.marks()["201"].in_use_by == ""
    with pytest.raises(ShopError, match="250 is not a booth"):
        marks.give(s, "250", "x")
    with pytest.raises(ShopError, match="write who uses the booth"):
        marks.give(s, "201", "  ")


def test_the_booth_is_unlocked_and_locked_over_ami(shop):
    s = replace(shop[0], lock_family="callshop")
    with pytest.raises(ShopError, match="no AMI link"):
        marks.give(s, "202", "Ali")
    with AmiServer() as srv:
        client = Client(settings(srv.port))
        client.start()
        try:
            assert wait_for(lambda: client.status == "ready"), client.last_error
            act = lambda name, fields: client.action(name, fields)   # noqa: E731
            marks.give(s, "202", "Ali", act)
            assert srv.astdb == {("callshop", "202"): "open"} and marks.marks()["202"].unlocked == 1
            marks.free(s, "202", act)
            assert srv.astdb == {} and marks.marks()["202"].in_use_by == ""
            marks.free(s, "202", act)                  # locked already (no key): not an error
            srv.hold_actions.set()                     # the PBX does not answer: refused, nothing marked
            with pytest.raises(ShopError, match="the PBX did not unlock booth 203"):
                marks.give(s, "203", "Veli", act)
            assert "203" not in marks.marks()
        finally:
            client.stop()


def test_a_bad_lock_family_is_refused():
    with pytest.raises(ConfigError, match=r"\[shop\] lock_family: 'call shop'"):
        booths.shop_settings(Config(text="[shop]\nlock_family = call shop\n"))
    assert booths.shop_settings(Config(text="[shop]\nlock_family = call-shop_1\n")).lock_family == "call-shop_1"
