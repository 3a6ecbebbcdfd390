"""Tax per customer country ([customers] tax_rates): a customer with a country is taxed at its rate (or *), one
without at their own rate; a country the table lacks is refused; the rate, the country and the rounding rule are in
the invoice's JSON and its PDF (read back with pdftotext); the tax is computed exactly (integer kuruş here)."""
from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from customers_helpers import MAY_2026, NUMBERS, add_call, kurus, store_prices

from appliance.config import Config, ConfigError
from appliance.customers import customers, invoices, tax
from appliance.customers.customers import CustomerError
from appliance.customers.invoices import InvoiceError, Item
from appliance.pdf.invoice import invoice_pdf

T = MAY_2026[0] + 3600
RATES = tax.parse_rates("TR = 20\nDE = 19  # Umsatzsteuer\nAZ = 18\n")


def test_tax_rate_lines_are_read_and_a_bad_one_is_named():
    assert RATES == {"TR": Decimal("20"), "DE": Decimal("19"), "AZ": Decimal("18")}
    assert tax.parse_rates("* = 0\nbg = 20.5") == {"*": Decimal("0"), "BG": Decimal("20.5")}
    for bad in ("TR 20", "TR = 120", "TR = 20\nTR = 18", "TUR = 20", "TR = 2e1", "TR = -1"):
        with pytest.raises(ConfigError, match="line"):
            tax.parse_rates(bad)
    cfg = Config(text="[customers]\ntax_rates =\n  TR = 20\n  * = 0\n")
    assert tax.rates(cfg) == {"TR": Decimal("20"), "*": Decimal("0")}


@pytest.mark.parametrize("country,rate", [("TR", 20), ("DE", 19), ("AZ", 18)])
def test_the_country_gives_the_rate_and_the_tax_is_exact(db, country, rate):
    store_prices()
    c = customers.add("acme", "Acme", extensions=["301"], tax_rate="7", country=country.lower())
    assert c.country == country
    talks = [61, 130, 95, 3599, 31]
    nums = [NUMBERS["Germany"], NUMBERS["Germany mobile"], NUMBERS["Türkiye İstanbul"]]
    for i, t in enumerate(talks):
        add_call("301", nums[i % 3], T + 4000 * i, t)
    inv = invoices.issue(c, *MAY_2026, [Item("Fee", Decimal("10.01"))], tax_rates=RATES)
    net = sum(kurus(nums[i % 3], t) for i, t in enumerate(talks)) + 1001
    tax_kurus = (net * rate * 2 + 100) // 200          # net x rate / 100, half up, in integers
    assert (Decimal(inv.net), Decimal(inv.tax), Decimal(inv.total)) == (
        Decimal(net) / 100, Decimal(tax_kurus) / 100, Decimal(net + tax_kurus) / 100)
    j = invoices.as_json(inv)
    assert (j["tax_rate"], j["country"], j["rounding"]["minor_unit"]) == (str(rate), country, "0.01")
    assert "half up" in j["rounding"]["tax"] and "rounded up" in j["rounding"]["line"]


def test_without_a_country_their_own_rate_and_a_missing_country_is_refused(db):
    store_prices()
    own = customers.add("own", "Own", extensions=["301"], tax_rate="8")
    add_call("301", NUMBERS["Germany"], T, 61)
    assert invoices.issue(own, *MAY_2026, tax_rates=RATES).tax_rate == "8"
    far = customers.add("far", "Far", extensions=["302"], country="JP")
    add_call("302", NUMBERS["Germany"], T, 61)
    with pytest.raises(InvoiceError, match="no tax rate for country JP"):
        invoices.issue(far, *MAY_2026, tax_rates=RATES)
    inv = invoices.issue(far, *MAY_2026, tax_rates={**RATES, "*": Decimal("0")})
    assert (inv.tax_rate, inv.tax, inv.country) == ("0", "0.00", "JP")
    with pytest.raises(CustomerError, match="two letters"):
        customers.edit("far", country="Japan")
    with pytest.raises(CustomerError, match="e-mail"):
        customers.edit("far", email="accounts at far")
    assert customers.edit("far", email="a@far.jp; b@far.jp", country="").email == "a@far.jp, b@far.jp"


def test_the_pdf_states_the_country_rate_and_the_rounding(db, tmp_path):
    store_prices()
    c = customers.add("gunes", "Güneş", extensions=["301"], country="TR", lang="tr")
    add_call("301", NUMBERS["Germany"], T, 61)
    inv = invoices.issue(c, *MAY_2026, tax_rates=RATES)
    path = tmp_path / "inv.pdf"
    path.write_bytes(invoice_pdf(inv))
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Vergi 20 % (TR)" in text, text
    assert "Yuvarlama: her arama 0,01 birimine yukarı yuvarlanır" in text
