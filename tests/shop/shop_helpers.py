"""Shared by the shop tests: a price list, booths and stored booth calls."""
from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

from appliance import store
from appliance.config import Config
from appliance.pricing import lists, pricelist_csv
from browser_helpers import PASSWORD, callbox

PRICES = """destination,prefix,buy,sell,first_s,step_s,buy_currency,sell_currency,connection_fee,minimum
Germany,49,0.02,0.35,30,6,USD,TRY,0.05,0.20
Germany mobile,4915,0.05,0.85,60,60,USD,TRY,,1.00
Türkiye İstanbul,90212,0.01,0.12,1,1,TRY,TRY,,
"""
NUMBERS = {"Germany": "+49301234567", "Germany mobile": "+4915112345678", "Türkiye İstanbul": "+902125550101"}
INI = """[pbx]
driver = avaya_ipoffice
timezone = UTC
[numbers]
country = TR
area_codes = 212
extensions = 2[0-9]{2}
[shop]
booths =
  201 = Kabin 1
  202 = Kabin 2
  203 = Kabin 3
round_to = 0.25
"""
_ids = itertools.count(1000)


def config() -> Config:
    return Config(text=INI)


def store_prices() -> None:
    lists.save_lists(pricelist_csv.read_csv(PRICES))


def add_call(extension: str, number: str, start_utc: int, talk_s: int, direction: str = "out") -> int:
    """A stored call as the worker would store it (number E.164 from the numbering module)."""
    cid = next(_ids)
    store.Call.create(id=cid, driver="avaya_ipoffice", call_key=str(cid), start_utc=start_utc, utc_offset=0,
                      direction=direction, extension=extension, party=number, trunk="9005", ring_s=2, talk_s=talk_s,
                      answered=talk_s > 0, transferred=False, account_code="", legs=1, number=number)
    return cid


def independent_sell(number: str, talk_s: int) -> Decimal:
    """PRICES applied by hand (whole kuruş, integer arithmetic), for the sums the tests compare."""
    if talk_s == 0:
        return Decimal(0)
    if number.startswith("+4915"):          # 60/60, 0.85 a minute, at least 1.00
        kurus = max(-(-talk_s // 60) * 85, 100)
    elif number.startswith("+49"):          # 30/6, 0.35 a minute + 0.05, at least 0.20
        charged = 30 if talk_s <= 30 else 30 + -(-(talk_s - 30) // 6) * 6
        kurus = max(-(-(charged * 35) // 60) + 5, 20)
    else:                                   # 1/1, 0.12 a minute
        kurus = -(-(talk_s * 12) // 60)
    return Decimal(kurus) / 100


def cashier_box(tmp_path: Path, ini: str = INI) -> Path:
    """A box's data directory (tmp_path/data) with `ini`, the price list PRICES imported, and the cashier "kasiyer"
    (an operator of the whole tenant, password PASSWORD)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(ini, encoding="utf-8")
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    callbox(data, "pricelist", "import", str(tmp_path / "prices.csv"))
    callbox(data, "user", "add", "kasiyer", "--role", "operator", "--scope", "tenant", "--password-stdin",
            stdin=PASSWORD + "\n")
    return data


class BoothPolls:
    """Counts the cashier page's answers from /shop/booths (static/shop.js polls it: every 0.5 s live from the PBX,
    every 1 s otherwise), so that a test says "within N polls of the page" where a wall-clock bound would fail on a
    loaded machine: `until(page, js)` waits for `js` (a generous deadline that only bounds a hang) and returns how
    many polls were answered meanwhile. Counted in the page (its fetch wrapped before any page script runs), not
    from Playwright's response events, which reach the test late while it waits in a subprocess."""

    COUNT = """(() => {
        const fetch = window.fetch;
        window.boothPolls = 0;
        window.fetch = (...args) => fetch(...args).then((r) => {
            if (String(args[0]).endsWith("/shop/booths") && r.ok) { window.boothPolls += 1; }
            return r;
        });
    })();"""

    def __init__(self, page):
        page.add_init_script(self.COUNT)

    def until(self, page, js: str, timeout_s: float = 60.0) -> int:
        before = page.evaluate("window.boothPolls")
        page.wait_for_function(js, timeout=timeout_s * 1000, polling=50)
        return page.evaluate("window.boothPolls") - before
