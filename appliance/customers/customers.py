"""Customers: create, edit, find; which calls are theirs (outgoing calls from their extensions or with their account
codes); each call's sell price at their price list, in their currency.

A call in a currency other than the price list's is converted at the exchange rate of the call's local date and
rounded up to the customer currency's minor unit, per call, like the sell price itself (appliance/pricing/rules.py).
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Sequence

from peewee import fn

from appliance.customers.tax import parse_country
from appliance.pricing import lists
from appliance.pricing.rules import PriceError, PriceList, Rates, parse_currency, parse_money, round_up
from appliance.store.base import IMMEDIATE
from appliance.store.calls import Call, local_iso
from appliance.store.customers import ACCOUNTS, MATCH_KINDS, Customer, CustomerMatch

log = logging.getLogger(__name__)
_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
ZERO = Decimal(0)
LIMIT = Decimal(10) ** 12   # an amount beyond is a typing error (and would leave Decimal's 28 digits behind)
# the invoice PDF's languages: appliance.pdf.LANGS (above this package; tests/customers checks they are equal)
LANGS = ("en", "tr", "bg", "az", "cs", "nb")


class CustomerError(ValueError):
    """A refused customer change, or a customer the box cannot price: the message says which and why."""


@dataclass(frozen=True)
class PricedCall:
    """A customer's call with its sell price in their currency (None: not priceable, `problem` says why)."""
    id: int
    start: str                   # local ISO time with offset
    start_utc: int
    extension: str
    number: str
    destination: str
    talk_s: int
    sell: Decimal | None
    problem: str = ""
    utc_offset: int = 0


def _db():
    return Customer._meta.database


def _amount(text: str, what: str, percent: bool = False) -> str:
    try:
        d = parse_money(str(text).strip() or "0")   # digits and a dot: no exponent, no sign, no NaN
        if (percent and d > 100) or d >= LIMIT:
            raise ValueError
    except ValueError:
        raise CustomerError(f"{what}: {text!r} is not {'a percentage like 20' if percent else 'an amount like 50'}"
                            ) from None
    return str(d)


def _fields(values: dict) -> dict:
    """The checked columns of `values` (only those given)."""
    out: dict = {}
    if "name" in values:
        out["name"] = " ".join(str(values["name"]).split())
        if not out["name"]:
            raise CustomerError("a customer needs a name")
    if "account" in values:
        if values["account"] not in ACCOUNTS:
            raise CustomerError(f"account {values['account']!r}: one of {', '.join(ACCOUNTS)}")
        out["account"] = values["account"]
    if "currency" in values:
        try:
            out["currency"] = parse_currency(values["currency"]) if str(values["currency"]).strip() else ""
        except ValueError as e:
            raise CustomerError(f"currency: {e}") from None
    if "lang" in values:
        if values["lang"] not in LANGS:
            raise CustomerError(f"language {values['lang']!r}: one of {', '.join(LANGS)}")
        out["lang"] = values["lang"]
    if "low_balance" in values:
        out["low_balance"] = _amount(values["low_balance"], "low balance")
    if "monthly_fee" in values:   # "" = no fixed-price contract
        fee = str(values["monthly_fee"]).strip()
        out["monthly_fee"] = _amount(fee, "monthly fee") if fee else ""
    if "tax_rate" in values:
        out["tax_rate"] = _amount(values["tax_rate"], "tax rate", percent=True)
    if "country" in values:
        try:
            out["country"] = parse_country(str(values["country"]))
        except ValueError as e:
            raise CustomerError(str(e)) from None
    if "email" in values:
        out["email"] = _emails(str(values["email"]))
    for key in ("price_list", "address"):
        if key in values:
            out[key] = str(values[key]).strip()
    if out.get("price_list") and out["price_list"] not in lists.codes():
        raise CustomerError(f"no price list {out['price_list']!r}; stored: {', '.join(lists.codes()) or 'none'}")
    return out


def _emails(text: str) -> str:
    """'a@x.tr, b@y.tr' checked (an address like NAME@DOMAIN, no spaces), as ', '-joined text."""
    found = [a.strip() for a in text.replace(";", ",").split(",") if a.strip()]
    for a in found:
        local, at, domain = a.rpartition("@")
        if not at or not local or "." not in domain or any(c.isspace() or c in "<>\"" for c in a):
            raise CustomerError(f"e-mail {a!r}: write an address like accounts@acme.com.tr")
    return ", ".join(found)


def _matches(customer: Customer, extensions: list[str] | None, accounts: list[str] | None) -> None:
    for kind, values in (("extension", extensions), ("account", accounts)):
        if values is None:
            continue
        values = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        for v in values:
            other = (CustomerMatch.select(CustomerMatch, Customer).join(Customer)
                     .where(CustomerMatch.kind == kind, CustomerMatch.value == v, Customer.id != customer.id).first())
            if other is not None:
                raise CustomerError(f"{kind} {v} is already customer {other.customer.code}'s")
        CustomerMatch.delete().where(CustomerMatch.customer == customer.id, CustomerMatch.kind == kind).execute()
        for v in values:
            CustomerMatch.create(customer=customer.id, kind=kind, value=v)


def add(code: str, name: str, extensions: Sequence[str] = (), accounts: Sequence[str] = (), **values) -> Customer:
    """Create a customer; CustomerError when the code is taken or a value is bad."""
    code = code.strip().lower()
    if not _CODE.fullmatch(code):
        raise CustomerError(f"code {code!r}: lowercase letters, digits and . _ - (up to 40), e.g. acme")
    checked = _fields({"name": name, **values})
    with _db().atomic(IMMEDIATE):
        if Customer.get_or_none(Customer.code == code) is not None:
            raise CustomerError(f"customer {code} exists already (callbox customer edit)")
        c = Customer.create(code=code, created_utc=int(time.time()), **checked)
        _matches(c, list(extensions), list(accounts))
    return c


def edit(code: str, extensions: list[str] | None = None, accounts: list[str] | None = None, **values) -> Customer:
    """Change the given values of a customer (None: unchanged); the extensions and account codes are replaced."""
    checked = _fields(values)
    with _db().atomic(IMMEDIATE):
        c = get(code)
        if checked:
            Customer.update(**checked).where(Customer.id == c.id).execute()
        _matches(c, extensions, accounts)
    return get(code)


def get(code: str) -> Customer:
    found = Customer.get_or_none(Customer.code == code.strip().lower())
    if found is None:
        raise CustomerError(f"no customer {code!r} (callbox customer list)")
    return found


def by_id(cid: int) -> Customer | None:
    return Customer.get_or_none(Customer.id == cid)


def all_customers() -> list[Customer]:
    return list(Customer.select().order_by(Customer.code))


def matches(customer: Customer) -> dict[str, list[str]]:
    """{'extension': [...], 'account': [...]} of the customer."""
    out: dict[str, list[str]] = {k: [] for k in MATCH_KINDS}
    for m in CustomerMatch.select().where(CustomerMatch.customer == customer.id).order_by(CustomerMatch.value):
        out[m.kind].append(m.value)
    return out


class Pricer:
    """Prices a customer's calls at their price list and the stored exchange rates (loaded once)."""

    def __init__(self, customer: Customer):
        codes = lists.codes()
        code = customer.price_list or (codes[0] if len(codes) == 1 else "")
        if not code:
            raise CustomerError(f"customer {customer.code}: no price list stored (callbox pricelist import)"
                                if not codes else f"customer {customer.code}: several price lists are stored "
                                f"({', '.join(codes)}): give the customer one (--price-list)")
        try:
            self.price_list: PriceList = lists.load(code)
        except PriceError as e:
            raise CustomerError(f"customer {customer.code}: {e}") from None
        self.rates: Rates = lists.rates()
        self.currency = customer.currency or self.price_list.currency

    def sell(self, number: str, talk_s: int, day: date) -> Decimal:
        """The call's sell price in the customer's currency; PriceError why there is none."""
        if not number.startswith("+"):
            raise PriceError(f"{number or 'no number'}: not an international number (set [numbers] country)")
        price = self.price_list.sell(number, talk_s, day, self.rates)
        if price.currency == self.currency:
            return price.sell
        return round_up(self.rates.convert(price.sell, price.currency, self.currency, day), self.currency)

    def buy(self, number: str, talk_s: int, day: date) -> Decimal:
        """What the provider charges for the call (the list's buy price) in the customer's currency."""
        if not number.startswith("+"):
            raise PriceError(f"{number or 'no number'}: not an international number (set [numbers] country)")
        return self.price_list.buy(number, talk_s, day, self.rates, self.currency)


def local_day(start_utc: int, utc_offset: int) -> date:
    return datetime.fromtimestamp(start_utc, timezone(timedelta(seconds=utc_offset))).date()


def calls_of(customer: Customer, since: int, until: int, pricer: Pricer | None = None) -> list[PricedCall]:
    """The customer's outgoing calls that talked, started in [since, until), oldest first, priced."""
    m = matches(customer)
    if not m["extension"] and not m["account"]:
        return []
    pricer = pricer or Pricer(customer)
    whose = None
    if m["extension"]:
        whose = fn.TRIM(Call.extension).in_(m["extension"])
    if m["account"]:
        by_code = fn.TRIM(Call.account_code).in_(m["account"])
        whose = by_code if whose is None else (whose | by_code)
    q = Call.select().where(Call.direction == "out", Call.talk_s > 0, Call.start_utc >= since,
                            Call.start_utc < until, whose).order_by(Call.start_utc, Call.id)
    out = []
    for c in q:
        sell, problem, destination = None, "", ""
        try:
            sell = pricer.sell(c.number, c.talk_s, local_day(c.start_utc, c.utc_offset))
            row = pricer.price_list.match(c.number)   # sell() found it
            destination = row.destination if row else ""
        except PriceError as e:
            problem = str(e)
        out.append(PricedCall(c.id, local_iso(c.start_utc, c.utc_offset), c.start_utc, c.extension.strip(),
                              c.number, destination or "", c.talk_s, sell, problem, c.utc_offset))
    return out
