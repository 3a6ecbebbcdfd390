"""The shop's provider account in the alert pass (SHOP-4): below [shop] low_balance it raises alert_raised once (the
SNMP trap and the e-mail to [alerts] email, through the outbox like every alert), and clears with alert_cleared after
a top-up; not watched with low_balance 0 or before the first top-up."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from shop_helpers import INI, NUMBERS, add_call, store_prices

from appliance.alerts import customers as alert_customers
from appliance.config import Config
from appliance.pricing import lists
from appliance.shop import account


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


def run(cfg, now):
    sent = []
    alert_customers.check(cfg, cfg.section("alerts"), now, sent.append)
    return sent


def test_the_provider_account_below_its_threshold_raises_once_then_clears(db):
    store_prices()
    lists.add_rate("USD", "TRY", date(2026, 5, 1), Decimal("32.50"))
    cfg = Config(text=INI + "low_balance = 50\n[alerts]\nemail = noc@example.com\n")
    t = at("2026-05-01T09:00")
    assert run(cfg, t) == []                                            # no top-up yet: nothing to watch
    account.top_up(Decimal("60"), "TRY", t)
    assert run(cfg, t + 60) == []                                       # 60 > 50
    add_call("202", NUMBERS["Germany mobile"], t + 120, 1800)           # 30 min x 0.05 USD x 32.50 = 48.75
    sent = run(cfg, t + 2000)
    traps = [(a.trap, a.values["source"], a.values["value"]) for a in sent if a.kind == "trap"]
    assert traps == [("alert_raised", "shop provider account", 11)]      # 60 - 48.75 = 11.25
    [mail] = [a for a in sent if a.kind == "email"]
    assert mail.to == ("noc@example.com",) and "balance 11.25 TRY is below 50" in mail.body
    assert run(cfg, t + 2100) == []                                     # once
    account.top_up(Decimal("100"), "TRY", t + 2200)
    assert [(a.trap, a.values["source"]) for a in run(cfg, t + 2300) if a.kind == "trap"] == [
        ("alert_cleared", "shop provider account")]
    assert run(Config(text=INI + "low_balance = 0\n"), t + 2400) == []   # not watched
