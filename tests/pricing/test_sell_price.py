"""The sell-price rule of issue 17 by worked examples, and a month of a booth's calls checked against an
independent calculation (Fractions and whole minor units, not the module's Decimal code)."""
from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest

from appliance.pricing.rules import (Markup, PriceError, PriceList, PriceRow, Rate, Rates, charged_seconds,
                                     minor_unit, sell_price)
from appliance.shop.booths import Seller, round_total

D = Decimal


def row(prefix="49", sell="0.50", first_s=30, step_s=6, fee="0", minimum="0", buy="0.10", buy_currency="TRY",
        currency="TRY", group="", destination="Germany"):
    return PriceRow(destination, prefix, D(buy), buy_currency, None if sell is None else D(sell), currency, first_s,
                    step_s, D(fee), D(minimum), group)


@pytest.mark.parametrize("talk, first_s, step_s, charged", [
    (0, 30, 6, 0),        # no talk: nothing charged
    (1, 30, 6, 30),       # under the first period: the first period
    (30, 30, 6, 30),      # exactly the first period
    (31, 30, 6, 36),      # one second over: one step more
    (36, 30, 6, 36),      # exactly one step over
    (37, 30, 6, 42),
    (60, 60, 60, 60),     # per minute
    (61, 60, 60, 120),
    (119, 60, 60, 120),
    (7, 0, 1, 7),         # per second from the first second
    (7, 0, 10, 10),
    (3601, 60, 1, 3601),
])
def test_charged_seconds_at_the_boundaries(talk, first_s, step_s, charged):
    assert charged_seconds(talk, first_s, step_s) == charged


def test_sell_is_per_minute_times_charged_plus_fee_rounded_up_to_the_minor_unit():
    r = row(sell="0.47", first_s=60, step_s=1)
    assert sell_price(r, r.sell, 60).sell == D("0.47")             # exact: not bumped by rounding up
    p = sell_price(r, r.sell, 61)                                  # 0.47 * 61 / 60 = 0.4778333...
    assert (p.charged_s, p.sell) == (61, D("0.48"))
    assert p.before_rounding == D("0.47") * 61 / 60
    with_fee = row(sell="0.50", fee="0.10")
    assert sell_price(with_fee, with_fee.sell, 31).sell == D("0.40")   # 36 s: 0.30 + fee 0.10
    assert sell_price(with_fee, with_fee.sell, 0).sell == D("0")        # never connected: no fee either


def test_minimum_charge_applies_to_the_whole_call_with_its_fee():
    r = row(sell="0.60", first_s=6, step_s=6, fee="0.05", minimum="0.25")
    assert sell_price(r, r.sell, 6).sell == D("0.25")      # 0.06 + 0.05 = 0.11 < 0.25
    assert sell_price(r, r.sell, 20).sell == D("0.29")     # 24 s: 0.24 + 0.05 = 0.29 > 0.25
    assert sell_price(r, r.sell, 0).sell == D("0")         # not connected: not even the minimum


def test_minor_units_come_from_the_currency():
    assert (minor_unit("TRY"), minor_unit("JPY"), minor_unit("KWD")) == (D("0.01"), D("1"), D("0.001"))
    r = row(sell="10", first_s=1, step_s=1, currency="JPY")
    assert sell_price(r, r.sell, 45).sell == D("8")        # 7.5 yen rounds up to 8
    assert round_total(D("1.21"), D("0.05")) == D("1.25") and round_total(D("1.25"), D("0.05")) == D("1.25")
    assert round_total(D("1.21"), D("0")) == D("1.21")


def test_longest_prefix_wins_on_the_e164_number():
    pl = PriceList("callshop", [row("49", "0.20"), row("4915", "0.40", destination="Germany mobile"),
                                row("1", "0.10", destination="NANP"), row("1242", "0.90", destination="Bahamas")])
    rates = Rates()
    assert pl.sell("+4915112345678", 60, date(2026, 1, 5), rates).destination == "Germany mobile"
    assert pl.sell("+493012345678", 60, date(2026, 1, 5), rates).sell == D("0.20")   # 60 s at 0.20 a minute
    assert pl.sell("+12423221234", 60, date(2026, 1, 5), rates).destination == "Bahamas"
    assert pl.sell("+12125550100", 60, date(2026, 1, 5), rates).destination == "NANP"
    with pytest.raises(PriceError, match=r"no prefix of price list 'callshop' matches \+33"):
        pl.sell("+33123456789", 60, date(2026, 1, 5), rates)


def test_markup_converts_the_buy_price_at_the_rate_of_the_calls_local_date():
    rates = Rates([Rate("USD", "TRY", date(2026, 1, 1), D("30")), Rate("USD", "TRY", date(2026, 3, 1), D("32")),
                   Rate("TRY", "EUR", date(2026, 1, 1), D("0.025"))])
    pl = PriceList("shop", [row("44", None, buy="0.02", buy_currency="USD", first_s=60, step_s=60),
                            row("33", None, buy="0.04", buy_currency="EUR", first_s=60, step_s=60, group="eu")],
                   (Markup("", percent=D("50")), Markup("eu", fixed=D("0.10"), minimum=D("2.00"))))
    feb = pl.sell("+442071234567", 60, date(2026, 2, 28), rates)
    assert (feb.per_minute, feb.marked_up, feb.sell) == (D("0.90"), True, D("0.90"))   # 0.02 * 30 * 1.5
    assert pl.sell("+442071234567", 61, date(2026, 3, 1), rates).sell == D("1.92")  # 0.02 * 32 * 1.5 * 2 min
    # EUR->TRY only as the inverse pair: 0.04 / 0.025 = 1.60 + 0.10 = 1.70, below the minimum of 2.00 a minute
    assert pl.sell("+33142345678", 30, date(2026, 2, 1), rates).per_minute == D("2.00")
    with pytest.raises(PriceError, match=r"no exchange rate USD->TRY on or before 2025-12-31"):
        pl.sell("+442071234567", 60, date(2025, 12, 31), rates)
    # the call's date is the PBX's local date: 22:30 UTC on 28 February is 1 March in Istanbul (+03:00)
    start = int(datetime(2026, 2, 28, 22, 30, tzinfo=timezone.utc).timestamp())
    seller = Seller(pl, rates)
    assert seller.sell("+442071234567", 60, start, 3 * 3600).per_minute == D("0.96")
    assert seller.sell("+442071234567", 60, start, 0).per_minute == D("0.90")


def test_a_row_without_sell_and_no_markup_is_refused_with_the_reason():
    pl = PriceList("bare", [row("44", None)])
    with pytest.raises(PriceError, match="no sell price and list 'bare' no markup rule"):
        pl.sell("+442071234567", 60, date(2026, 1, 1), Rates())


# ---- a month of a booth's calls, priced independently ----

def _cents_up(value: Fraction, digits: int) -> int:
    return math.ceil(value * 10 ** digits)


def _independent(talk: int, first_s: int, step_s: int, per_min: Fraction, fee: Fraction, minimum: Fraction) -> int:
    """The rule as the issue writes it, in whole kuruş with exact fractions: 0 for no talk."""
    if talk == 0:
        return 0
    charged = first_s if talk <= first_s else first_s + math.ceil((talk - first_s) / step_s) * step_s
    return _cents_up(max(per_min * charged / 60 + fee, minimum), 2)


def test_a_month_of_a_booths_calls_matches_an_independent_calculation():
    rnd = random.Random(17)
    rows = [row("49", "0.35", 30, 6, fee="0.05", minimum="0.20", destination="Germany"),
            row("4915", "0.85", 60, 60, minimum="1.00", destination="Germany mobile"),
            row("90", "0.12", 1, 1, destination="Turkey"),
            row("1", None, 60, 30, buy="0.01", buy_currency="USD", destination="USA")]
    pl = PriceList("booths", rows, (Markup("", percent=D("40"), minimum=D("0.30")),))
    usd = {date(2026, 5, 1): Fraction(3250, 100), date(2026, 5, 16): Fraction(3310, 100)}
    rates = Rates([Rate("USD", "TRY", d, D(f"{float(v):.2f}")) for d, v in usd.items()])
    seller = Seller(pl, rates)
    numbers = {"Germany": "+49301234567", "Germany mobile": "+4915112345678", "Turkey": "+902125550101",
               "USA": "+12125550100"}
    tz_offset = 3 * 3600
    total_module, total_independent, calls = D(0), 0, 0
    day = datetime(2026, 5, 1, tzinfo=timezone(timedelta(seconds=tz_offset)))
    while day.month == 5:
        for _ in range(rnd.randint(3, 12)):
            dest = rnd.choice(list(numbers))
            talk = rnd.choice([0, 1, 29, 30, 31, 59, 60, 61, rnd.randint(1, 1800)])
            start = day + timedelta(hours=rnd.randint(8, 21), minutes=rnd.randint(0, 59))
            start_utc = int(start.timestamp())
            price = seller.sell(numbers[dest], talk, start_utc, tz_offset)
            r = next(x for x in rows if x.destination == dest)
            if r.sell is None:   # the markup, at the rate of the call's local date
                rate = usd[max(d for d in usd if d <= start.date())]
                per_min = max(Fraction(str(r.buy)) * rate * Fraction(140, 100), Fraction(30, 100))
            else:
                per_min = Fraction(str(r.sell))
            expected = _independent(talk, r.first_s, r.step_s, per_min, Fraction(str(r.connection_fee)),
                                    Fraction(str(r.minimum)))
            assert price.sell == D(expected) / 100, (dest, talk, start)
            total_module += price.sell
            total_independent += expected
            calls += 1
        day += timedelta(days=1)
    assert calls > 150 and total_module == D(total_independent) / 100 and total_module > 0
