"""Tax rates per customer country ([customers] tax_rates): `COUNTRY = PERCENT` lines (ISO 3166 alpha-2), `*` for
every other country. A customer with a country is taxed at its rate; one without keeps their own tax rate.

Rounding, as invoices state it (appliance/customers/invoices.py): each line is exact (a call's sell price is already
rounded up to the currency's minor unit, per call; an item is given in whole minor units), the net is their exact
sum, and the tax is net x rate / 100 rounded half up to the minor unit once, on the net (not per line)."""
from __future__ import annotations

import re
from decimal import Decimal

from appliance.config import Config, ConfigError
from appliance.money import parse_money

_COUNTRY = re.compile(r"[A-Z]{2}")
ROUNDING = {"line": "each call's sell price rounded up to the minor unit, per call; items exact",
            "net": "the exact sum of the lines",
            "tax": "net x tax_rate / 100, rounded half up to the minor unit once, on the net",
            "total": "net + tax"}


def parse_country(text: str) -> str:
    """'tr' -> 'TR'; '' -> ''; ValueError for anything but two letters."""
    code = text.strip().upper()
    if code and not _COUNTRY.fullmatch(code):
        raise ValueError(f"country {text!r}: two letters (ISO 3166), e.g. TR")
    return code


def parse_rates(text: str, where: str = "[customers] tax_rates") -> dict[str, Decimal]:
    """`COUNTRY = PERCENT` lines -> {country: rate}; ConfigError naming a bad line."""
    out: dict[str, Decimal] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#")[0].strip()
        if not line:
            continue
        country, sep, rate = (p.strip() for p in line.partition("="))
        try:
            key = "*" if country == "*" else parse_country(country)
            value = parse_money(rate)
            if not sep or not key or value > 100 or key in out:
                raise ValueError
        except ValueError:
            raise ConfigError(f"{where}: line {n} {line!r}: write COUNTRY = PERCENT (TR = 20), once per country, "
                              "the rate 0 to 100") from None
        out[key] = value
    return out


def rates(cfg: Config) -> dict[str, Decimal]:
    return parse_rates(cfg.section("customers").tax_rates, f"{cfg.name}: [customers] tax_rates")


def rate_for(country: str, table: dict[str, Decimal], own: str) -> Decimal:
    """The rate of a customer in `country` ("" = their own rate `own`); ValueError when the table has neither it
    nor *."""
    if not country:
        return Decimal(own or "0")
    if country in table:
        return table[country]
    if "*" in table:
        return table["*"]
    raise ValueError(f"no tax rate for country {country} in [customers] tax_rates (add {country} = PERCENT or * = "
                     "PERCENT)")
