"""Stored price lists, markup rules and exchange rates (appliance/store/pricing.py) to and from pricing.rules."""
from __future__ import annotations

import logging
import time
from datetime import date
from decimal import Decimal

from appliance.pricing.rules import Markup, PriceError, PriceList, PriceRow, Rate, Rates
from appliance.store.base import IMMEDIATE
from appliance.store.pricing import ExchangeRate, MarkupRule
from appliance.store.pricing import PriceList as ListRow
from appliance.store.pricing import PriceRow as RowRow

log = logging.getLogger(__name__)


def save_lists(lists: dict[str, list[PriceRow]]) -> list[dict]:
    """Store each list (an existing one's rows are replaced; its markup rules stay). One transaction."""
    out = []
    with ListRow._meta.database.atomic(IMMEDIATE):
        for code, rows in lists.items():
            found = ListRow.get_or_none(ListRow.code == code)
            if found is None:
                found = ListRow.create(code=code, imported_utc=int(time.time()))
            else:
                RowRow.delete().where(RowRow.price_list == found.id).execute()
                ListRow.update(imported_utc=int(time.time())).where(ListRow.id == found.id).execute()
            RowRow.insert_many([dict(price_list=found.id, position=i, destination=r.destination, prefix=r.prefix,
                                     buy=str(r.buy), buy_currency=r.buy_currency,
                                     sell=None if r.sell is None else str(r.sell), sell_currency=r.sell_currency,
                                     first_s=r.first_s, step_s=r.step_s, connection_fee=str(r.connection_fee),
                                     minimum=str(r.minimum), group=r.group)
                                for i, r in enumerate(rows)]).execute()
            out.append({"list": code, "rows": len(rows), "currency": rows[0].sell_currency if rows else "",
                        "without_sell": sum(r.sell is None for r in rows)})
    return out


def codes() -> list[str]:
    """The stored lists' codes, sorted."""
    return [r.code for r in ListRow.select(ListRow.code).order_by(ListRow.code)]


def _row(r: RowRow) -> PriceRow:
    return PriceRow(r.destination, r.prefix, Decimal(r.buy), r.buy_currency,
                    None if r.sell is None else Decimal(r.sell), r.sell_currency, r.first_s, r.step_s,
                    Decimal(r.connection_fee), Decimal(r.minimum), r.group)


def rows_of(code: str) -> list[PriceRow]:
    found = ListRow.get_or_none(ListRow.code == code)
    if found is None:
        raise PriceError(f"no price list {code!r}; stored: {', '.join(codes()) or 'none (callbox pricelist import)'}")
    return [_row(r) for r in RowRow.select().where(RowRow.price_list == found.id).order_by(RowRow.position)]


def load(code: str) -> PriceList:
    """The stored list `code` with its markup rules; PriceError when there is none."""
    rows = rows_of(code)
    rules = tuple(Markup(m.group, None if m.percent is None else Decimal(m.percent),
                         None if m.fixed is None else Decimal(m.fixed), Decimal(m.minimum))
                  for m in MarkupRule.select().join(ListRow).where(ListRow.code == code))
    return PriceList(code, rows, rules)


def set_markup(code: str, rule: Markup) -> None:
    """Set (or replace) the list's markup rule for `rule.group`."""
    with ListRow._meta.database.atomic(IMMEDIATE):
        found = ListRow.get_or_none(ListRow.code == code)
        if found is None:
            raise PriceError(f"no price list {code!r}; stored: {', '.join(codes()) or 'none'}")
        MarkupRule.delete().where(MarkupRule.price_list == found.id, MarkupRule.group == rule.group).execute()
        MarkupRule.create(price_list=found.id, group=rule.group,
                          percent=None if rule.percent is None else str(rule.percent),
                          fixed=None if rule.fixed is None else str(rule.fixed), minimum=str(rule.minimum))


def add_rate(base: str, quote: str, valid_from: date, rate: Decimal) -> bool:
    """Store a dated exchange rate (True: it replaced the pair's rate from that day)."""
    if rate <= 0:
        raise PriceError(f"an exchange rate is more than 0, not {rate}")
    if base == quote:
        raise PriceError(f"{base}->{quote}: a rate between two currencies")
    with ExchangeRate._meta.database.atomic(IMMEDIATE):
        replaced = ExchangeRate.delete().where(ExchangeRate.base == base, ExchangeRate.quote == quote,
                                               ExchangeRate.valid_from == valid_from.isoformat()).execute()
        ExchangeRate.create(base=base, quote=quote, valid_from=valid_from.isoformat(), rate=str(rate))
    return bool(replaced)


def rates() -> Rates:
    """Every stored exchange rate."""
    return Rates([Rate(r.base, r.quote, date.fromisoformat(r.valid_from), Decimal(r.rate))
                  for r in ExchangeRate.select()])


def stored() -> list[dict]:
    """Each stored list: code, rows, sell currency, when imported (UTC seconds), sorted by code (the web's list)."""
    out = []
    for p in ListRow.select().order_by(ListRow.code):
        first = RowRow.select(RowRow.sell_currency).where(RowRow.price_list == p.id).first()
        out.append({"code": p.code, "rows": RowRow.select().where(RowRow.price_list == p.id).count(),
                    "currency": first.sell_currency if first else "", "imported_utc": p.imported_utc})
    return out


def markups(code: str) -> list[Markup]:
    """The list's markup rules, by group."""
    return sorted(load(code).markups(), key=lambda m: m.group)


def rate_list() -> list[Rate]:
    """Every stored exchange rate, by pair and date."""
    return sorted(rates().all(), key=lambda r: (r.base, r.quote, r.valid_from))
