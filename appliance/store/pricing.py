"""Sell-price tables (appliance/pricing/): price lists ("tariff codes") and their rows, markup rules, exchange rates.

Money and rates are exact decimal text, never REAL."""
from __future__ import annotations

from peewee import ForeignKeyField, IntegerField, TextField

from appliance.store.base import Base


class PriceList(Base):
    """A price list ("tariff code"): what a booth group (or, later, a customer) is sold calls at."""
    id = IntegerField(primary_key=True)
    code = TextField(unique=True)
    imported_utc = IntegerField()


class PriceRow(Base):
    """One prefix of a price list, as the CSV row gave it (appliance/pricing/rules.py PriceRow)."""
    id = IntegerField(primary_key=True)
    price_list = ForeignKeyField(PriceList, on_delete="CASCADE")
    position = IntegerField()
    destination = TextField()
    prefix = TextField()                 # E.164 digits without the +
    buy = TextField()
    buy_currency = TextField()
    sell = TextField(null=True)          # NULL: the list's markup rule fills it
    sell_currency = TextField()
    first_s = IntegerField()
    step_s = IntegerField()
    connection_fee = TextField()
    minimum = TextField()
    group = TextField(default="")

    class Meta:
        indexes = ((("price_list", "prefix"), True),)


class MarkupRule(Base):
    """A list's markup for a destination group ("" = the default): percent or fixed per minute, with a minimum."""
    id = IntegerField(primary_key=True)
    price_list = ForeignKeyField(PriceList, on_delete="CASCADE")
    group = TextField()
    percent = TextField(null=True)
    fixed = TextField(null=True)
    minimum = TextField()

    class Meta:
        indexes = ((("price_list", "group"), True),)


class ExchangeRate(Base):
    """1 base = rate quote from valid_from (ISO local date) on."""
    id = IntegerField(primary_key=True)
    base = TextField()
    quote = TextField()
    valid_from = TextField()
    rate = TextField()

    class Meta:
        indexes = ((("base", "quote", "valid_from"), True),)


MODELS_PRICING = (PriceList, PriceRow, MarkupRule, ExchangeRate)
