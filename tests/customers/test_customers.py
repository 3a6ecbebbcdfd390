"""Customers (RAT-11): their calls (extensions, account codes) at their price list's sell price, in their currency at
the call's date; the prepaid account's balance after each call with the low and exhausted warnings."""
from __future__ import annotations

from decimal import Decimal

import pytest
from customers_helpers import MAY_2026, NUMBERS, add_call, kurus, store_prices

from appliance import pdf
from appliance.customers import accounts, customers
from appliance.customers.customers import CustomerError

T = MAY_2026[0] + 3600


@pytest.fixture
def priced(db):
    store_prices()


def test_the_languages_are_the_pdfs():
    assert customers.LANGS == pdf.LANGS


def test_a_customers_calls_are_its_extensions_and_account_codes_at_its_sell_price(priced):
    acme = customers.add("acme", "Acme Ltd", extensions=["301", "302"], accounts=["7001"])
    ours = [add_call("301", NUMBERS["Germany"], T, 61), add_call("302", NUMBERS["Germany mobile"], T + 60, 130),
            add_call("399", NUMBERS["Türkiye İstanbul"], T + 120, 95, account="7001")]
    add_call("303", NUMBERS["Germany"], T + 5, 60)                       # another extension
    add_call("301", NUMBERS["Germany"], T + 6, 60, direction="in")       # not an outgoing call
    add_call("301", NUMBERS["Germany"], T + 7, 0)                        # did not talk
    calls = customers.calls_of(acme, *MAY_2026)
    assert [c.id for c in calls] == ours
    assert [c.sell for c in calls] == [Decimal(kurus(c.number, c.talk_s)) / 100 for c in calls]
    assert [c.destination for c in calls] == ["Germany", "Germany mobile", "Türkiye İstanbul"]
    assert calls[0].start == "2026-05-01T04:00:00+03:00"


def test_a_customer_billed_in_another_currency_converts_each_call_at_its_date(priced):
    eu = customers.add("eu", "EU GmbH", extensions=["310"], currency="EUR")
    before = add_call("310", NUMBERS["Germany mobile"], MAY_2026[0] + 15 * 86400 - 11000, 61)  # 15 May local
    after = add_call("310", NUMBERS["Germany mobile"], MAY_2026[0] + 15 * 86400 + 3600, 61)    # 16 May local
    calls = {c.id: c.sell for c in customers.calls_of(eu, *MAY_2026)}
    # 1.70 TRY: at 40 TRY/EUR 0.0425 -> 0.05 EUR (rounded up); at 50 TRY/EUR 0.034 -> 0.04 EUR
    assert calls == {before: Decimal("0.05"), after: Decimal("0.04")}


def test_bad_customers_are_refused_with_the_reason(priced):
    customers.add("acme", "Acme", extensions=["301"])
    with pytest.raises(CustomerError, match="customer acme exists already"):
        customers.add("acme", "Again")
    with pytest.raises(CustomerError, match="extension 301 is already customer acme's"):
        customers.add("other", "Other", extensions=["301"])
    with pytest.raises(CustomerError, match="no price list 'nope'"):
        customers.add("x", "X", price_list="nope")
    with pytest.raises(CustomerError, match="tax rate: '120' is not a percentage"):
        customers.add("y", "Y", tax_rate="120")
    with pytest.raises(CustomerError, match="code 'bad code': lowercase"):
        customers.add("Bad Code", "Z")
    c = customers.edit("acme", extensions=["305"], name="Acme Ltd", account="prepaid", low_balance="20")
    assert (c.name, c.account, customers.matches(c)) == ("Acme Ltd", "prepaid", {"extension": ["305"], "account": []})


def test_a_prepaid_balance_after_each_call_with_low_and_exhausted(priced):
    c = customers.add("pre", "Prepaid Kiosk", extensions=["320"], account="prepaid", low_balance="2.00")
    with pytest.raises(CustomerError, match="more than 0"):
        accounts.top_up(c, "-5")
    add_call("320", NUMBERS["Germany"], T - 60, 600)                 # before the first top-up: not debited
    accounts.top_up(c, "5.00", at_utc=T, note="cash")
    a = add_call("320", NUMBERS["Germany mobile"], T + 10, 130)      # 2.55
    b = add_call("320", NUMBERS["Germany"], T + 400, 61)             # 0.44
    st = accounts.statement(c, until=T + 1000)
    assert [(e["kind"], e.get("id"), e["amount"], e["balance"]) for e in st["lines"]] == [
        ("topup", None, "5.00", "5.00"), ("call", a, "-2.55", "2.45"), ("call", b, "-0.44", "2.01")]
    assert (st["balance"], st["low"], st["exhausted"]) == ("2.01", False, False)
    add_call("320", NUMBERS["Germany mobile"], T + 900, 60)          # 1.00
    st = accounts.statement(c, until=T + 1000)
    assert (st["balance"], st["spent"], st["low"], st["exhausted"]) == ("1.01", "3.99", True, False)
    add_call("320", NUMBERS["Germany mobile"], T + 950, 120)         # 1.70
    st = accounts.statement(c, until=T + 1000)
    assert (st["balance"], st["low"], st["exhausted"]) == ("-0.69", True, True)
    post = customers.add("post", "Postpaid", extensions=["321"])
    with pytest.raises(CustomerError, match="postpaid"):
        accounts.top_up(post, "5")


def test_a_fixed_price_contracts_margin_is_the_fee_less_the_buy_cost_flagged_when_negative(priced):
    from datetime import date

    from appliance.customers import margins
    from appliance.pricing import lists
    lists.add_rate("USD", "TRY", date(2026, 1, 1), Decimal("30"))
    lists.add_rate("USD", "TRY", date(2026, 5, 16), Decimal("40"))
    customers.add("flat", "Flat Rate Ltd", extensions=["330"], monthly_fee="10.00")
    customers.add("plain", "No contract", extensions=["331"])
    add_call("330", NUMBERS["Germany"], T, 3599)                                # 1 May: 3600 s at 0.02 USD/min
    add_call("330", NUMBERS["Germany mobile"], MAY_2026[0] + 20 * 86400, 61)   # 21 May: 120 s at 0.05
    add_call("331", NUMBERS["Germany"], T, 600)
    m = margins.margins(*MAY_2026)
    assert [r["customer"] for r in m] == ["flat"]
    # by hand: 60 min x 0.02 USD x 30 = 36.00 TRY; 2 min x 0.05 USD x 40 = 4.00 TRY
    assert (m[0]["fee"], m[0]["buy"], m[0]["margin"], m[0]["negative"], m[0]["calls"]) == (
        "10.00", "40.00", "-30.00", True, 2)
    by_hand = kurus(NUMBERS["Germany"], 3599) + kurus(NUMBERS["Germany mobile"], 61)
    assert Decimal(m[0]["sell"]) == Decimal(by_hand) / 100
    customers.edit("flat", monthly_fee="45")
    assert (margins.margins(*MAY_2026)[0]["margin"], margins.margins(*MAY_2026)[0]["negative"]) == ("5.00", False)
