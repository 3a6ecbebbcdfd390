"""The checkout with additional items ([shop] items) and the receipt (80 mm PDF): calls and items paid together, the
total rounded up to [shop] round_to, the change; the session's closing cash counts the items; refusals (too little
given, an unknown item, a closed session); the receipt's page 80 mm wide and its figures read back (pdftotext)."""
from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from decimal import Decimal

import pytest
from shop_helpers import NUMBERS, add_call, config, independent_sell, store_prices

from appliance.config import Config, ConfigError
from appliance.pdf.receipt import receipt_pdf
from appliance.shop import booths, checkout, sessions
from appliance.shop.sessions import ShopError

T0 = 1_780_000_000


@pytest.fixture
def shop(db):
    store_prices()
    s = replace(booths.shop_settings(config()), items=booths.parse_items("Internet 30 min = 10.00\nÇay = 4.50"))
    return s, booths.seller(s)


def test_items_are_read_and_a_bad_line_is_named():
    assert booths.parse_items("Çay = 4.50\n# x\nInternet 30 min=10") == (("Çay", Decimal("4.50")),
                                                                         ("Internet 30 min", Decimal("10")))
    for bad in ("Çay", "Çay = 4,50", "= 3", "Çay = 1\nÇay = 2"):
        with pytest.raises(ConfigError, match=r"\[shop\] items: line"):
            booths.parse_items(bad)
    assert booths.shop_settings(Config(text="[shop]\nitems = Su = 2.00\n")).items == (("Su", Decimal("2.00")),)


def test_calls_and_items_paid_together_rounded_with_the_change(shop, tmp_path):
    s, seller = shop
    session = sessions.open_session(s, seller, "ayşe", now=T0)
    a = add_call("201", NUMBERS["Germany"], T0 + 10, 61)
    b = add_call("202", NUMBERS["Germany mobile"], T0 + 20, 130)
    add_call("203", NUMBERS["Türkiye İstanbul"], T0 + 30, 95)             # left unpaid
    charges = independent_sell(NUMBERS["Germany"], 61) + independent_sell(NUMBERS["Germany mobile"], 130)
    items = Decimal("10.00") + 2 * Decimal("4.50")
    exact = charges + items                                               # 0.44 + 2.55 + 19.00 = 21.99
    to_take = Decimal(-(-int(exact * 100) // 25) * 25) / 100              # round_to 0.25 in the INI: 22.00
    with pytest.raises(ShopError, match="less than the amount to take"):
        checkout.pay(session.id, [a, b], {"Internet 30 min": 1, "Çay": 2}, to_take - Decimal("0.01"), s, seller, "ayşe")
    with pytest.raises(ShopError, match="no item 'Kahve'"):
        checkout.pay(session.id, [a], {"Kahve": 1}, Decimal(50), s, seller, "ayşe")
    p = checkout.pay(session.id, [a, b], {"Internet 30 min": 1, "Çay": 2}, Decimal(50), s, seller, "ayşe",
                     now=T0 + 500)
    j = checkout.as_json(p)
    assert (Decimal(j["charges"]), Decimal(j["items_total"]), Decimal(j["to_take"]), Decimal(j["change"])) == (
        charges, items, to_take, 50 - to_take)
    assert [c["id"] for c in j["calls"]] == [a, b]
    assert j["items"][1] == {"name": "Çay", "qty": 2, "price": "4.50", "amount": "9.00"}
    assert {c.id: c.status for c in sessions.session_calls(session, s, seller)}[a] == "paid"
    only_items = checkout.pay(session.id, [], {"Çay": 1}, Decimal(5), s, seller, "ayşe")
    assert Decimal(only_items.to_take) == Decimal("4.50") and Decimal(only_items.change) == Decimal("0.50")
    closed = sessions.close(session.id, s, seller, now=T0 + 1000)
    assert Decimal(closed["cash"]) == charges + items + Decimal("4.50")   # the calls paid and every item sold
    assert set(closed) == {"session", "calls", "minutes", "cash", "unpaid", "unserved", "currency"}   # the contract
    with pytest.raises(ShopError, match="is closed"):
        checkout.pay(session.id, [], {"Çay": 1}, Decimal(5), s, seller, "ayşe")

    data = receipt_pdf(p, "Kabin Ltd", "tr")
    (tmp_path / "r.pdf").write_bytes(data)
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r"Page size:\s+([\d.]+) x", info).group(1))
    assert abs(width - 80 / 25.4 * 72) < 0.5                                 # 80 mm
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Kabin Ltd" in text and "2 × Çay" in text and "+49301234567" in text

    def figure(label: str) -> Decimal:
        return Decimal(re.search(rf"{label}\D*([\d.]+,\d\d)", text).group(1).replace(".", "").replace(",", "."))
    assert (figure("Arama ücretleri"), figure(r"Alınacak \(TRY\)"), figure("Ödenen"), figure("Para üstü")) == (
        charges, to_take, Decimal(50), 50 - to_take)
    assert json.loads(p.items)[0]["name"] == "Internet 30 min"


def test_a_deposit_runs_down_warns_before_it_is_exceeded_and_settles_at_the_checkout(shop):
    from appliance.shop import deposits, live
    s, seller = shop
    session = sessions.open_session(s, seller, "ayşe", now=T0)
    with pytest.raises(ShopError, match="more than 0"):
        deposits.add(session.id, s, "201", "0")
    with pytest.raises(ShopError, match="not a booth"):
        deposits.add(session.id, s, "299", "5")
    deposits.add(session.id, s, "202", "5.00", now=T0 + 1)
    first = add_call("202", NUMBERS["Germany mobile"], T0 + 10, 130)        # 2.55, ended: owed
    add_call("202", NUMBERS["Germany mobile"], T0 + 200, 3600)              # going on: 0.85 a started minute

    def booth(now):
        calls = sessions.session_calls(session, s, seller)
        return {b.extension: b for b in live.booth_states(s, seller, calls, now, deposits=deposits.held(session.id))}

    b = booth(T0 + 200 + 30)                                               # 30 s: 1.00 (the minimum)
    assert (b["202"].deposit, b["202"].balance, b["202"].warning) == (Decimal("5.00"), Decimal("1.45"), "")
    assert b["201"].balance is None and b["202"].as_json()["balance"] == "1.45"
    b = booth(T0 + 200 + 61)                                               # 2 minutes: 1.70; a third: 2.55 > 2.45
    assert (b["202"].balance, b["202"].warning) == (Decimal("0.75"), "low")
    b = booth(T0 + 200 + 181)                                              # 4 minutes: 3.40 > 2.45 left
    assert (b["202"].balance, b["202"].warning) == (Decimal("-0.95"), "exceeded")
    # the checkout of the booth's ended call: the deposit counts as given, the rest comes back as change
    p = checkout.pay(session.id, [first], {}, Decimal(0), s, seller, "ayşe")
    assert (p.to_take, p.deposit, p.change) == ("2.75", "5.00", "2.25")    # 2.55 -> 2.75 (round_to 0.25)
    assert deposits.held(session.id) == {}
