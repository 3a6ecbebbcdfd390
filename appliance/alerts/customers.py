"""Customer alerts (RAT-11, RAT-12, SHOP-4): a prepaid customer's balance below its low-balance threshold or exhausted,
a fixed-price contract whose calls this month cost more than its fee, and the callshop's prepaid account with its
provider below [shop] low_balance. Each raises alert_raised once (the trap, and
the e-mail to [alerts] email) and clears with alert_cleared, through the alert state (appliance/alerts/state.py)."""
from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from appliance import config
from appliance.alerts.state import ENGLISH, Readers, Send, commit, said, watch
from appliance.customers import accounts, customers, margins
from appliance.localtime import zone
from appliance.shop import account as shop_account
from appliance.shop import booths
from appliance.store.base import IMMEDIATE, db

log = logging.getLogger(__name__)


def _balance(cfg_alerts, c, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    st = accounts.statement(c, now + 1)
    n = said(f"customer {c.code}", "balance_exhausted" if st["exhausted"] else "balance_low", "balance_ok",
             int(Decimal(st["balance"])), code=c.code, name=c.name, balance=st["balance"], currency=st["currency"],
             low=st["low_balance"])
    with db.atomic(IMMEDIATE):
        low = st["low"] or st["exhausted"]
        return commit(watch(cfg_alerts, f"customer_balance:{c.code}", low, now, n, readers=readers), sender)


def _margin(cfg_alerts, c, since: int, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    m = margins.margin(c, since, now + 1)
    n = said(f"customer {c.code}", "margin", "margin_ok", int(Decimal(m["margin"])), code=c.code, name=c.name,
             buy=m["buy"], currency=m["currency"], fee=m["fee"], margin=m["margin"])
    with db.atomic(IMMEDIATE):
        return commit(watch(cfg_alerts, f"customer_margin:{c.code}", m["negative"], now, n, readers=readers), sender)


def _shop(cfg: config.Config, cfg_alerts, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """The shop's provider account below [shop] low_balance (0: not watched; no top-up yet: nothing to watch)."""
    try:
        shop = booths.shop_settings(cfg)
    except config.ConfigError as e:
        log.warning("shop provider account alert: %s", e)
        return 0
    if shop.low_balance <= 0 or not shop.booths:
        return 0
    st = shop_account.statement(shop, booths.seller(shop), now + 1)
    if not st["currency"]:
        return 0
    balance = Decimal(st["balance"])
    n = said("shop provider account", "shop_low", "shop_ok", int(balance), balance=st["balance"],
             currency=st["currency"], low=shop.low_balance)
    with db.atomic(IMMEDIATE):
        return commit(watch(cfg_alerts, "shop_balance", balance < shop.low_balance, now, n, readers=readers), sender)


def check(cfg: config.Config, cfg_alerts, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """Every prepaid customer's balance, every fixed-price contract's month so far and the shop's provider account;
    e-mails and traps queued."""
    first = datetime.fromtimestamp(now, zone(cfg.section("pbx").timezone)).replace(day=1, hour=0, minute=0, second=0)
    queued = _shop(cfg, cfg_alerts, now, sender, readers)
    for c in customers.all_customers():
        try:
            if c.account == "prepaid":
                queued += _balance(cfg_alerts, c, now, sender, readers)
            if c.monthly_fee:
                queued += _margin(cfg_alerts, c, int(first.timestamp()), now, sender, readers)
        except customers.CustomerError as e:   # no price list: said on the customer's page and by the CLI
            log.warning("customer alerts: %s", e)
    return queued
