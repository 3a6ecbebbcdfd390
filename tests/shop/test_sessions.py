"""The cashier's session (SHOP-1, SHOP-2) over stored calls: which calls belong to it, pay / unserved / unpaid, the
refusals with their reasons, the closing figures; and the same through `callbox shop`."""
from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from shop_helpers import INI, NUMBERS, add_call, config, independent_sell, store_prices

from appliance import store
from appliance.cli.main import main
from appliance.config import ConfigError
from appliance.shop import booths, sessions
from appliance.shop.sessions import ShopError

T0 = 1_780_000_000


@pytest.fixture
def shop(db):
    store_prices()
    s = booths.shop_settings(config())
    return s, booths.seller(s)


def test_booths_are_read_from_their_lines_and_a_bad_line_is_named():
    assert booths.parse_booths("201 = Kabin 1\n\n# spare\n202 =  Kabin   2 ") == {"201": "Kabin 1", "202": "Kabin 2"}
    with pytest.raises(ConfigError, match=r"\[shop\] booths: line 2 '201 = again': extension 201 is given twice"):
        booths.parse_booths("201 = a\n201 = again")
    with pytest.raises(ConfigError, match="line 1 '201': expected EXTENSION = NAME"):
        booths.parse_booths("201")


def test_a_session_holds_the_booth_calls_that_start_while_it_is_open(shop):
    s, seller = shop
    before = add_call("201", NUMBERS["Germany"], T0 - 10, 60)
    session = sessions.open_session(s, seller, "ayşe", now=T0)
    ours = [add_call("201", NUMBERS["Germany"], T0 + 5, 61), add_call("202", NUMBERS["Germany mobile"], T0 + 9, 61),
            add_call("203", NUMBERS["Türkiye İstanbul"], T0 + 20, 0)]
    add_call("204", NUMBERS["Germany"], T0 + 30, 60)                 # not a booth
    add_call("201", NUMBERS["Germany"], T0 + 40, 60, direction="in")  # an incoming call is not sold
    calls = sessions.session_calls(session, s, seller)
    assert [c.id for c in calls] == ours and before not in [c.id for c in calls]
    assert [(c.booth, c.destination, c.sell, c.currency, c.status) for c in calls] == [
        ("Kabin 1", "Germany", Decimal("0.44"), "TRY", "unpaid"),    # 66 s: 0.385 + 0.05 = 0.435, rounded up
        ("Kabin 2", "Germany mobile", Decimal("1.70"), "TRY", "unpaid"),
        ("Kabin 3", "Türkiye İstanbul", Decimal("0"), "TRY", "unpaid")]
    with pytest.raises(ShopError, match="session 1 of ayşe is open since .*: close it first"):
        sessions.open_session(s, seller, "mehmet")


def test_pay_unserved_close_and_the_refusals(shop):
    s, seller = shop
    session = sessions.open_session(s, seller, "ayşe", now=T0)
    a, b = add_call("201", NUMBERS["Germany"], T0 + 5, 61), add_call("202", NUMBERS["Germany mobile"], T0 + 9, 130)
    c, d = add_call("203", NUMBERS["Türkiye İstanbul"], T0 + 20, 95), add_call("201", "+33123456789", T0 + 30, 60)
    paid, total, currency = sessions.pay(session.id, [a, b], s, seller)
    assert (paid, total, currency) == ([a, b], Decimal("0.44") + Decimal("2.55"), "TRY")
    with pytest.raises(ShopError, match=f"call {a} is already paid"):
        sessions.pay(session.id, [c, a], s, seller)
    assert sessions.session_calls(session, s, seller)[2].status == "unpaid"   # refused as a whole: c not paid
    with pytest.raises(ShopError, match=f"call {d} has no sell price: no prefix of price list 'default' matches"):
        sessions.pay(session.id, [d], s, seller)
    with pytest.raises(ShopError, match="call 999999 is not a call of session 1"):
        sessions.pay(session.id, [999999], s, seller)
    assert sessions.set_status(session.id, [c], "unserved", s, seller) == [c]
    assert sessions.set_status(session.id, [c], "unpaid", s, seller) == [c]   # statuses change while open
    sessions.set_status(session.id, [c], "unserved", s, seller)
    figures = sessions.close(session.id, s, seller, now=T0 + 100)
    assert figures == {"session": session.id, "calls": 4, "minutes": "5.77",
                       "cash": "2.99", "unpaid": 1, "unserved": 1, "currency": "TRY"}
    with pytest.raises(ShopError, match="session 1 is already closed"):
        sessions.close(session.id, s, seller)
    with pytest.raises(ShopError, match="session 1 is closed: its calls cannot change"):
        sessions.pay(session.id, [c], s, seller)
    # the next session cannot take the closed session's calls
    later = sessions.open_session(s, seller, "mehmet", now=T0 + 200)
    with pytest.raises(ShopError, match=f"call {c} is not a call of session {later.id}: it belongs to session 1"):
        sessions.pay(later.id, [c], s, seller)
    # closed figures are frozen: a dearer list later does not change them
    store.db.execute_sql("UPDATE price_row SET sell = '9.99'")
    again = sessions.session_calls(sessions.get_session(session.id), s, booths.seller(s))
    assert [x.sell for x in again][:2] == [Decimal("0.44"), Decimal("2.55")]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_cli_contract(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    store.open_db(data / "callbox.db")
    try:
        store_prices()
    finally:
        store.close_db()
    code, out, _ = run(capsys, "shop", "session", "open", "--data", str(data), "--operator", "ayşe", "--json")
    assert code == 0 and json.loads(out) == {"session": 1}
    store.open_db(data / "callbox.db")
    now = int(time.time())
    try:
        ids = [add_call("201", NUMBERS["Germany"], now, 61), add_call("202", NUMBERS["Germany mobile"], now, 130),
               add_call("203", NUMBERS["Türkiye İstanbul"], now, 95)]
    finally:
        store.close_db()
    code, out, _ = run(capsys, "shop", "calls", "--data", str(data), "--session", "1", "--json")
    listed = json.loads(out)
    assert [set(c) >= {"id", "booth", "number", "destination", "talk_s", "sell", "currency", "status"}
            for c in listed] == [True] * 3
    assert [(c["id"], c["sell"], c["status"]) for c in listed] == [
        (ids[0], "0.44", "unpaid"), (ids[1], "2.55", "unpaid"), (ids[2], "0.19", "unpaid")]
    code, out, _ = run(capsys, "shop", "pay", "--data", str(data), "--session", "1", str(ids[0]), str(ids[1]), "--json")
    assert code == 0 and json.loads(out) == {"paid": ids[:2], "total": "2.99", "currency": "TRY"}
    code, _, err = run(capsys, "shop", "pay", "--data", str(data), "--session", "1", str(ids[0]), "--json")
    assert code == 2 and err == f"callbox: refused: call {ids[0]} is already paid (0.44 TRY)\n"
    assert run(capsys, "shop", "unserved", "--data", str(data), "--session", "1", str(ids[2]))[0] == 0
    code, out, _ = run(capsys, "shop", "session", "close", "1", "--data", str(data), "--json")
    assert json.loads(out) == {"session": 1, "calls": 3, "minutes": "4.77", "cash": "2.99", "unpaid": 0,
                               "unserved": 1, "currency": "TRY"}
    code, out, _ = run(capsys, "shop", "session", "list", "--data", str(data), "--since", "2020-01-01", "--json")
    assert [(r["session"], r["operator"], r["cash"]) for r in json.loads(out)] == [(1, "ayşe", "2.99")]
    assert json.loads(run(capsys, "shop", "session", "list", "--data", str(data), "--until", "2020-01-01",
                          "--json")[1]) == []
    code, _, err = run(capsys, "shop", "session", "close", "1", "--data", str(data), "--json")
    assert code == 2 and "refused: session 1 is already closed" in err
    code, _, err = run(capsys, "shop", "pay", "--data", str(data), "--session", "1", str(ids[2]))
    assert code == 2 and "refused: session 1 is closed: its calls cannot change" in err
    assert sum(independent_sell(n, t) for n, t in ((NUMBERS["Germany"], 61), (NUMBERS["Germany mobile"], 130))) \
        == Decimal("2.99")
