"""Sell prices (RAT-10, SHOP-3): a price list's rows, the charged seconds, the sell price of one call, markups and
exchange rates. Pure functions over Decimal: money never passes through a float.

The rule (issue 17): charged seconds are 0 when talk is 0; `first_s` when talk <= `first_s`; else
`first_s + ceil((talk - first_s) / step_s) * step_s`. A call's sell price is `sell * charged / 60` plus the
connection fee, at least the minimum charge, rounded up to the currency's minor unit per call. A call that did not
talk (charged 0 s) costs nothing: it was never connected, so neither the connection fee nor the minimum applies.
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from babel.numbers import get_currency_precision

from appliance.money import parse_money  # noqa: F401  (re-exported: callers take it from this module)

log = logging.getLogger(__name__)

ZERO = Decimal(0)
SIXTY = Decimal(60)
HUNDRED = Decimal(100)
_CURRENCY = re.compile(r"[A-Z]{3}")
_PREFIX = re.compile(r"[1-9][0-9]{0,14}")   # E.164 digits without the +: a country code first, never a 0


class PriceError(ValueError):
    """A bad price list, rate or markup, or a call the list cannot price: the message says which and why."""


@dataclass(frozen=True)
class PriceRow:
    """One destination prefix of a price list: buy and sell per minute (sell None: the markup fills it)."""
    destination: str
    prefix: str                    # E.164 digits without the +
    buy: Decimal
    buy_currency: str
    sell: Decimal | None
    sell_currency: str
    first_s: int
    step_s: int
    connection_fee: Decimal = ZERO  # in the sell currency, per connected call
    minimum: Decimal = ZERO         # the least a connected call costs, in the sell currency
    group: str = ""                 # destination group, for markup rules ("" = the list's default rule)


@dataclass(frozen=True)
class Markup:
    """Fills a missing sell price per minute: buy (converted) plus `percent` % or plus `fixed`, at least `minimum`."""
    group: str                     # "" = every group without a rule of its own
    percent: Decimal | None = None
    fixed: Decimal | None = None
    minimum: Decimal = ZERO        # per minute, in the sell currency

    def apply(self, buy: Decimal) -> Decimal:
        up = buy * (1 + self.percent / HUNDRED) if self.percent is not None else buy + (self.fixed or ZERO)
        return max(up, self.minimum)


@dataclass(frozen=True)
class Rate:
    """1 `base` = `rate` `quote` from `valid_from` (a local date) until the next rate of the pair."""
    base: str
    quote: str
    valid_from: date
    rate: Decimal


@dataclass(frozen=True)
class SellPrice:
    """The sell price of one call and how it came about."""
    destination: str
    prefix: str
    charged_s: int
    per_minute: Decimal            # the sell price per minute used (given, or filled by the markup)
    marked_up: bool
    before_rounding: Decimal
    sell: Decimal                  # rounded up to the currency's minor unit
    currency: str


def parse_currency(text: str) -> str:
    t = text.strip().upper()
    if not _CURRENCY.fullmatch(t):
        raise ValueError(f"{text!r} is not an ISO 4217 currency code (TRY, USD, EUR)")
    return t


def parse_prefix(text: str) -> str:
    t = text.strip().removeprefix("+")
    if not _PREFIX.fullmatch(t):
        raise ValueError(f"{text!r} is not an international prefix: E.164 digits without the + (49, 90532)")
    return t


def parse_seconds(text: str, least: int) -> int:
    t = text.strip()
    if not t.isdigit() or int(t) < least:
        raise ValueError(f"{text!r} is not a whole number of seconds of at least {least}")
    return int(t)


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest amount: 0.01 TRY, 1 JPY, 0.001 KWD (CLDR, through Babel)."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def charged_seconds(talk_s: int, first_s: int, step_s: int) -> int:
    """The seconds charged for `talk_s` seconds of talk under first period `first_s` and step `step_s`."""
    if talk_s <= 0:
        return 0
    if talk_s <= first_s:
        return first_s
    return first_s + -(-(talk_s - first_s) // step_s) * step_s


def round_up(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded up to the currency's minor unit."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_CEILING)


class Rates:
    """Dated exchange rates: the rate of a pair as of a day (the last one from on or before it; the inverse pair's
    reciprocal when only that one is stored)."""

    def __init__(self, rates: list[Rate] | tuple[Rate, ...] = ()):
        self._pairs: dict[tuple[str, str], list[Rate]] = {}
        for r in sorted(rates, key=lambda r: r.valid_from):
            self._pairs.setdefault((r.base, r.quote), []).append(r)

    def all(self) -> list[Rate]:
        """Every rate held."""
        return [r for pair in self._pairs.values() for r in pair]

    def _on(self, base: str, quote: str, day: date) -> Decimal | None:
        found = self._pairs.get((base, quote), [])
        i = bisect_right([r.valid_from for r in found], day)
        return found[i - 1].rate if i else None

    def convert(self, amount: Decimal, base: str, quote: str, day: date) -> Decimal:
        """`amount` in `base` as `quote` on `day` (unrounded); PriceError when no rate is known then."""
        if base == quote:
            return amount
        direct = self._on(base, quote, day)
        if direct is not None:
            return amount * direct
        inverse = self._on(quote, base, day)
        if inverse is not None:
            return amount / inverse
        raise PriceError(f"no exchange rate {base}->{quote} on or before {day.isoformat()} "
                         "(callbox pricelist rate)")


class PriceList:
    """A price list ("tariff code"): its rows by prefix (the longest matching prefix wins) and its markup rules."""

    def __init__(self, code: str, rows: list[PriceRow] | tuple[PriceRow, ...], markups: tuple[Markup, ...] = ()):
        self.code, self.rows = code, tuple(rows)
        self._by_prefix = {r.prefix: r for r in self.rows}
        self._lengths = sorted({len(p) for p in self._by_prefix}, reverse=True)
        self._markups = {m.group: m for m in markups}

    @property
    def currency(self) -> str:
        """The currency the list sells in (one per list, checked on import); "" for an empty list."""
        return self.rows[0].sell_currency if self.rows else ""

    def match(self, e164: str) -> PriceRow | None:
        """The row of the longest prefix of `e164` ("+4930..." or "4930..."), or None."""
        digits = e164.removeprefix("+")
        for n in self._lengths:
            row = self._by_prefix.get(digits[:n])
            if row is not None and n <= len(digits):
                return row
        return None

    def markups(self) -> list[Markup]:
        """The list's markup rules."""
        return list(self._markups.values())

    def markup_for(self, group: str) -> Markup | None:
        return self._markups.get(group) or self._markups.get("")

    def per_minute(self, row: PriceRow, day: date, rates: Rates) -> tuple[Decimal, bool]:
        """The row's sell price per minute on `day`: as given, or its buy price converted at that day's rate and
        marked up (True)."""
        if row.sell is not None:
            return row.sell, False
        rule = self.markup_for(row.group)
        if rule is None:
            raise PriceError(f"{row.destination} (+{row.prefix}) has no sell price and list {self.code!r} no markup "
                             f"rule for group {row.group!r} (callbox pricelist markup)")
        return rule.apply(rates.convert(row.buy, row.buy_currency, row.sell_currency, day)), True

    def buy(self, e164: str, talk_s: int, day: date, rates: Rates, currency: str) -> Decimal:
        """What the provider charges for a call to `e164`: buy x charged / 60 under the row's charging (no fee or
        minimum: those are the sell side's), in `currency` at the rate of `day`, rounded up to its minor unit."""
        row = self.match(e164)
        if row is None:
            raise PriceError(f"no prefix of price list {self.code!r} matches {e164 or 'an empty number'}")
        charged = charged_seconds(talk_s, row.first_s, row.step_s)
        return round_up(rates.convert(row.buy * charged / SIXTY, row.buy_currency, currency, day), currency)

    def sell(self, e164: str, talk_s: int, day: date, rates: Rates) -> SellPrice:
        """The sell price of a call to `e164` that talked `talk_s` seconds on local date `day`."""
        row = self.match(e164)
        if row is None:
            raise PriceError(f"no prefix of price list {self.code!r} matches {e164 or 'an empty number'}")
        per_minute, marked = self.per_minute(row, day, rates)
        return sell_price(row, per_minute, talk_s, marked)


def sell_price(row: PriceRow, per_minute: Decimal, talk_s: int, marked_up: bool = False) -> SellPrice:
    """The rule of the module docstring for one call under `row`, priced at `per_minute`."""
    charged = charged_seconds(talk_s, row.first_s, row.step_s)
    if charged == 0:
        amount = ZERO
    else:
        amount = max(per_minute * charged / SIXTY + row.connection_fee, row.minimum)
    return SellPrice(row.destination, row.prefix, charged, per_minute, marked_up, amount,
                     round_up(amount, row.sell_currency), row.sell_currency)
