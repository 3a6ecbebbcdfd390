"""Callshop tables (appliance/shop/): the cashier's sessions and the status of each booth call in them.

A booth call belongs to the session open when it started (computed from the call table); a row here records what
the cashier did with it (paid, unserved) and, once the session is closed, every call's frozen sell price and status."""
from __future__ import annotations

from peewee import ForeignKeyField, IntegerField, TextField

from appliance.store.base import Base


class ShopSession(Base):
    """A cashier's shift: open from opened_utc until closed_utc (NULL while open); the closing figures once closed."""
    id = IntegerField(primary_key=True)
    operator = TextField()
    opened_utc = IntegerField()
    closed_utc = IntegerField(null=True, index=True)
    price_list = TextField(default="")   # the list's code the session sells at
    currency = TextField(default="")
    calls = IntegerField(null=True)
    minutes = TextField(null=True)       # talk minutes, exact decimal text
    cash = TextField(null=True)
    unpaid = IntegerField(null=True)
    unserved = IntegerField(null=True)


class ShopCall(Base):
    """A booth call's status in its session (no row: unpaid), and its sell price when paid or the session closed."""
    id = IntegerField(primary_key=True)
    session = ForeignKeyField(ShopSession, on_delete="CASCADE")
    call_id = IntegerField(unique=True)  # appliance.store.Call.id: a call belongs to one session
    status = TextField()                 # paid, unpaid, unserved
    sell = TextField(null=True)          # exact decimal text; NULL: the list has no price for it
    currency = TextField(default="")
    changed_utc = IntegerField()


class ShopTopUp(Base):
    """A top-up of the shop's prepaid account with its provider (SHOP-4)."""
    id = IntegerField(primary_key=True)
    at_utc = IntegerField(index=True)
    amount = TextField()                 # exact decimal text
    currency = TextField()
    note = TextField(default="")


class ShopBooth(Base):
    """A booth's "in use by" mark (the cashier gave it to someone) and whether the PBX lets it dial (AMI lock)."""
    extension = TextField(primary_key=True)
    in_use_by = TextField(default="")    # "" = free
    since_utc = IntegerField(null=True)
    unlocked = IntegerField(default=0)   # 1: unlocked over AMI ([shop] lock_family) and not locked again since


class ShopPayment(Base):
    """One checkout: the calls paid and the additional items sold ([shop] items), the amount taken (rounded up to
    [shop] round_to), what was given and the change: what the receipt prints. Money as exact decimal text."""
    id = IntegerField(primary_key=True)
    session = ForeignKeyField(ShopSession, on_delete="CASCADE")
    paid_utc = IntegerField()
    operator = TextField(default="")
    calls = TextField(default="[]")      # JSON: [{"id", "booth", "number", "destination", "talk_s", "sell"}]
    items = TextField(default="[]")      # JSON: [{"name", "qty", "price", "amount"}]
    charges = TextField()                # the calls' sell prices
    items_total = TextField(default="0")
    to_take = TextField()                # charges + items, rounded up to [shop] round_to
    given = TextField()
    change = TextField()
    currency = TextField(default="")
    deposit = TextField(default="0")     # the booths' deposits settled by this checkout (part of what was given)


class ShopDeposit(Base):
    """Money a customer leaves before calling from a booth (a prepaid deposit), held until a checkout settles it."""
    id = IntegerField(primary_key=True)
    session = ForeignKeyField(ShopSession, on_delete="CASCADE")
    booth = TextField()
    amount = TextField()                 # exact decimal text
    at_utc = IntegerField()
    settled_by = IntegerField(null=True)   # the ShopPayment that used it


STATUSES = ("paid", "unpaid", "unserved")
MODELS_SHOP = (ShopSession, ShopCall, ShopTopUp, ShopBooth, ShopPayment, ShopDeposit)
