"""The shop's prepaid account with its provider (SHOP-4): top-ups over time, the buy cost of the booth calls since the
first one at the price list's buy prices (USD converted at the call's date), the balance per day, the low-balance
warning; checked against a calculation by hand."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from shop_helpers import INI, NUMBERS, add_call, config, store_prices

from appliance import store
from appliance.cli.main import main
from appliance.pricing import lists
from appliance.shop import account, booths
from appliance.shop.account import AccountError


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


def test_balance_is_top_ups_less_the_buy_cost_of_booth_calls_since(db):
    store_prices()     # buy: Germany 0.02 USD 30/6, Germany mobile 0.05 USD 60/60, İstanbul 0.01 TRY 1/1
    lists.add_rate("USD", "TRY", date(2026, 5, 1), Decimal("32.50"))
    lists.add_rate("USD", "TRY", date(2026, 5, 3), Decimal("33"))
    shop = booths.shop_settings(config())
    seller = booths.seller(shop)
    add_call("201", NUMBERS["Germany"], at("2026-04-30T10:00"), 600)            # before the first top-up
    account.top_up(Decimal("100"), "TRY", at("2026-05-01T09:00"), "bank transfer 1")
    add_call("201", NUMBERS["Germany"], at("2026-05-01T10:00"), 61)             # 66 s * 0.02 / 60 * 32.50
    add_call("202", NUMBERS["Germany mobile"], at("2026-05-02T10:00"), 130)     # 180 s * 0.05 / 60 * 32.50
    add_call("203", NUMBERS["Türkiye İstanbul"], at("2026-05-03T10:00"), 95)    # 95 s * 0.01 / 60, in TRY
    add_call("201", NUMBERS["Germany mobile"], at("2026-05-03T11:00"), 3600)    # 60 min * 0.05 * 33
    add_call("204", NUMBERS["Germany"], at("2026-05-03T12:00"), 600)            # not a booth
    add_call("201", NUMBERS["Germany"], at("2026-05-03T13:00"), 0)              # not connected
    account.top_up(Decimal("50"), "TRY", at("2026-05-03T09:00"))
    # by hand, in kuruş rounded up per call: 0.715 -> 72; 4.875 -> 488; 0.015833 -> 2; 99.00 -> 9900
    spent = Decimal(72 + 488 + 2 + 9900) / 100
    st = account.statement(shop, seller)
    assert (st["currency"], st["topups"], st["spent"], st["calls"]) == ("TRY", "150", str(spent), 4)
    assert Decimal(st["balance"]) == 150 - spent == Decimal("45.38")
    assert [(d["date"], d["topups"], d["spent"], d["balance"]) for d in st["days"]] == [
        ("2026-05-01", "100", "0.72", "99.28"), ("2026-05-02", "0", "4.88", "94.40"),
        ("2026-05-03", "50", "99.02", "45.38")]
    assert account.statement(shop, seller, until=at("2026-05-02T00:00"))["balance"] == "99.28"
    with pytest.raises(AccountError, match="the account is in TRY: top it up in TRY, not USD"):
        account.top_up(Decimal("10"), "USD")
    with pytest.raises(AccountError, match="a top-up is more than 0"):
        account.top_up(Decimal("0"), "TRY")


def test_the_cli_warns_below_the_low_balance(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(INI + "low_balance = 60\n", encoding="utf-8")
    store.open_db(data / "callbox.db")
    try:
        store_prices()
        lists.add_rate("USD", "TRY", date(2026, 1, 1), Decimal("33"))
        add_call("201", NUMBERS["Germany mobile"], at("2026-05-03T11:00"), 3600)   # 99.00 TRY
    finally:
        store.close_db()
    assert main(["shop", "topup", "150", "--currency", "TRY", "--at", "2026-05-01T09:00", "--data", str(data)]) == 0
    capsys.readouterr()
    assert main(["shop", "balance", "--json", "--data", str(data)]) == 0
    out = capsys.readouterr()
    got = json.loads(out.out)
    assert (got["balance"], got["low"]) == ("51.00", True)
    assert "below [shop] low_balance 60" in out.err
    assert main(["shop", "topup", "1,5", "--currency", "TRY", "--data", str(data)]) == 2
