"""The customer alerts of the alert pass: a prepaid balance below its threshold (or exhausted) and a fixed-price
contract's negative month raise alert_raised once, with the e-mail, and clear with alert_cleared."""
from __future__ import annotations

from customers_helpers import MAY_2026, NUMBERS, add_call, store_prices

from appliance.alerts import customers as alert_customers
from appliance.config import Config
from appliance.customers import accounts, customers

T = MAY_2026[0] + 10 * 86400


class Sent(list):
    def traps(self):
        return [(a.trap, a.values["source"]) for a in self if a.kind == "trap"]


def run(cfg, now):
    sent = Sent()
    alert_customers.check(cfg, cfg.section("alerts"), now, sent.append)
    return sent


def test_a_low_prepaid_balance_and_a_negative_contract_raise_once_and_clear(db):
    store_prices()
    cfg = Config(text="[alerts]\nemail = noc@example.com\n[pbx]\ntimezone = UTC\n")
    kiosk = customers.add("kiosk", "Kiosk", extensions=["320"], account="prepaid", low_balance="2.00")
    customers.add("flat", "Flat", extensions=["330"], monthly_fee="0.05")
    assert run(cfg, T) == []                                              # no top-up yet, no calls
    accounts.top_up(kiosk, "3.00", at_utc=T)
    add_call("320", NUMBERS["Germany mobile"], T + 10, 130)                # 2.55: balance 0.45 < 2.00
    add_call("330", NUMBERS["Türkiye İstanbul"], T + 10, 600)              # buy 0.10 > fee 0.05
    sent = run(cfg, T + 700)
    assert sorted(sent.traps()) == [("alert_raised", "customer flat"), ("alert_raised", "customer kiosk")]
    texts = {a.values["source"]: a.values["text"] for a in sent if a.kind == "trap"}
    assert "prepaid balance 0.45 TRY is below 2.00" in texts["customer kiosk"]
    assert "calls cost 0.10 TRY, more than the fixed fee 0.05" in texts["customer flat"]
    assert [a.to for a in sent if a.kind == "email"] == [("noc@example.com",)] * 2
    assert run(cfg, T + 800) == []                                         # once
    accounts.top_up(kiosk, "10", at_utc=T + 900)
    customers.edit("flat", monthly_fee="1")
    assert sorted(run(cfg, T + 1000).traps()) == [("alert_cleared", "customer flat"),
                                                  ("alert_cleared", "customer kiosk")]
