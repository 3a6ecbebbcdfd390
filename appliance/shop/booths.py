"""The callshop's settings ([shop]): booths, the price list they are sold at, the checkout's rounding step; and the
seller that prices a booth call at the sell side (appliance/pricing/)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from appliance.config import Config, ConfigError
from appliance.money import parse_money
from appliance.pricing import lists
from appliance.pricing.rules import PriceError, PriceList, Rates, SellPrice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shop:
    """[shop]: extension -> booth name (in the order given), the price list's code ("" = the only one), the step the
    checkout total is rounded up to (0 = none)."""
    booths: dict[str, str]
    price_list: str = ""
    round_to: Decimal = Decimal(0)
    low_balance: Decimal = Decimal(0)
    lock_family: str = ""     # the AstDB family booths are unlocked in over AMI ("" = no lock: an "in use by" mark)
    items: tuple[tuple[str, Decimal], ...] = ()   # additional items sold at the checkout: (name, price)


def parse_booths(text: str, where: str = "[shop] booths") -> dict[str, str]:
    """`EXTENSION = NAME` lines -> {extension: name}; ConfigError naming a bad line."""
    booths: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        ext, sep, name = line.partition("=")
        ext, name = ext.strip(), " ".join(name.split())
        problem = ("expected EXTENSION = NAME" if not sep or not ext or not name else
                   f"extension {ext!r} has a space" if any(c.isspace() for c in ext) else
                   f"extension {ext} is given twice" if ext in booths else "")
        if problem:
            raise ConfigError(f"{where}: line {n} {line!r}: {problem}")
        booths[ext] = name
    return booths


def shop_settings(cfg: Config) -> Shop:
    """The [shop] section, checked; ConfigError naming the key at fault."""
    s = cfg.section("shop")
    step, low = _amount(cfg, "round_to", s.round_to, "0.05"), _amount(cfg, "low_balance", s.low_balance, "50")
    family = s.lock_family.strip()
    if family and not all(c.isalnum() or c in "_-" for c in family):
        raise ConfigError(f"{cfg.name}: [shop] lock_family: {family!r}: letters, digits, _ and - only")
    return Shop(parse_booths(s.booths), s.price_list.strip(), step, low, family, parse_items(s.items))


def parse_items(text: str, where: str = "[shop] items") -> tuple[tuple[str, Decimal], ...]:
    """`NAME = PRICE` lines (Internet 30 min = 10.00) -> ((name, price), ...); ConfigError naming a bad line."""
    out: dict[str, Decimal] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, price = line.rpartition("=")
        name = " ".join(name.split())
        try:
            value = parse_money(price)
            if not sep or not name or name in out:
                raise ValueError
        except ValueError:
            raise ConfigError(f"{where}: line {n} {line!r}: expected NAME = PRICE (Çay = 5.00), each name once"
                              ) from None
        out[name] = value
    return tuple(out.items())


def _amount(cfg: Config, key: str, value: str, example: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip() or "0")
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise ConfigError(f"{cfg.name}: [shop] {key}: {value!r} is not an amount like {example}") from None
    return amount


def round_total(total: Decimal, step: Decimal) -> Decimal:
    """The checkout's amount to take: `total` rounded up to a multiple of `step` (0: unchanged)."""
    if step <= 0:
        return total
    return (total / step).to_integral_value(rounding=ROUND_CEILING) * step


class Seller:
    """Prices booth calls at the shop's price list and the stored exchange rates (loaded once)."""

    def __init__(self, price_list: PriceList | None, rates: Rates, problem: str = "", why: tuple = ()):
        self.price_list, self.rates, self.problem = price_list, rates, problem
        self.why = why     # (key, fields) of a problem the web says in the user's language: no_list | several

    @property
    def currency(self) -> str:
        return self.price_list.currency if self.price_list else ""

    def _list(self, number: str) -> PriceList:
        if self.price_list is None:
            raise PriceError(self.problem)
        if not number.startswith("+"):
            raise PriceError(f"{number or 'no number'}: not an international number (set [numbers] country)")
        return self.price_list

    def sell(self, number: str, talk_s: int, start_utc: int, utc_offset: int) -> SellPrice:
        """The sell price of a booth call to `number` (E.164 as the numbering module stored it); PriceError why
        there is none."""
        return self._list(number).sell(number, talk_s, _day(start_utc, utc_offset), self.rates)

    def buy(self, number: str, talk_s: int, start_utc: int, utc_offset: int, currency: str) -> Decimal:
        """The provider's charge for the call (the list's buy price) in `currency`; PriceError why there is none."""
        return self._list(number).buy(number, talk_s, _day(start_utc, utc_offset), self.rates, currency)


def _day(start_utc: int, utc_offset: int) -> date:
    return datetime.fromtimestamp(start_utc, timezone(timedelta(seconds=utc_offset))).date()


def seller(shop: Shop) -> Seller:
    """The shop's Seller from the stored lists (the database open); without a usable list it says why."""
    codes = lists.codes()
    code = shop.price_list or (codes[0] if len(codes) == 1 else "")
    if not code:
        if not codes:
            return Seller(None, Rates(), "no price list stored (callbox pricelist import)", ("no_list", {}))
        return Seller(None, Rates(), f"several price lists are stored ({', '.join(codes)}): name one in [shop] "
                      "price_list", ("several", {"codes": ", ".join(codes)}))
    try:
        return Seller(lists.load(code), lists.rates())
    except PriceError as e:
        return Seller(None, Rates(), str(e))
