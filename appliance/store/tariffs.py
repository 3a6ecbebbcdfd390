"""Tariff tables: providers, plans, dated versions and their bands, holidays, destinations and rates.

appliance/rating/plans.py turns a stored version into a tariffs.PlanVersion and back."""
from __future__ import annotations

from peewee import ForeignKeyField, IntegerField, TextField

from appliance.store.base import Base


class TariffProvider(Base):
    """A telephone operator (Türk Telekom, O2 Czech Republic, Telenor)."""
    id = IntegerField(primary_key=True)
    name = TextField(unique=True)


class TariffPlan(Base):
    """A provider's tariff plan; what prices calls is one of its versions."""
    id = IntegerField(primary_key=True)
    provider = ForeignKeyField(TariffProvider, on_delete="CASCADE")
    name = TextField()

    class Meta:
        indexes = ((("provider", "name"), True),)


class TariffVersion(Base):
    """A plan's prices from valid_from (PBX local date) until the next version's valid_from."""
    id = IntegerField(primary_key=True)   # stable when the same version is imported again
    plan = ForeignKeyField(TariffPlan, on_delete="CASCADE")
    valid_from = TextField()             # ISO date
    currency = TextField()
    rounding = TextField()
    decimals = IntegerField()
    band_boundary = TextField()
    imported_utc = IntegerField()

    class Meta:
        indexes = ((("plan", "valid_from"), True),)


class TariffBand(Base):
    id = IntegerField(primary_key=True)
    version = ForeignKeyField(TariffVersion, on_delete="CASCADE")
    position = IntegerField()
    name = TextField()
    days = TextField()                   # as in the CSV: "mon-fri", "sat-sun hol"
    start_min = IntegerField()
    end_min = IntegerField()


class TariffHoliday(Base):
    id = IntegerField(primary_key=True)
    version = ForeignKeyField(TariffVersion, on_delete="CASCADE")
    day = TextField()                    # ISO date
    from_min = IntegerField()
    name = TextField()


class TariffDestination(Base):
    id = IntegerField(primary_key=True)
    version = ForeignKeyField(TariffVersion, on_delete="CASCADE")
    position = IntegerField()
    name = TextField()
    prefixes = TextField()               # space-separated, as in the CSV (a 50,000-prefix deck is ~5,000 rows)
    classes = TextField()


class TariffRate(Base):
    id = IntegerField(primary_key=True)
    version = ForeignKeyField(TariffVersion, on_delete="CASCADE")
    position = IntegerField()
    destination = TextField()
    band = TextField()
    connection_fee = TextField()         # money as exact decimal text, never REAL
    minimum = TextField()
    steps = TextField()                  # the CSV step syntax: "60:0.50,1:0.0083"


MODELS_TARIFFS = (TariffProvider, TariffPlan, TariffVersion, TariffBand, TariffHoliday, TariffDestination,
                  TariffRate)
CHILDREN = (TariffBand, TariffHoliday, TariffDestination, TariffRate)   # a version's contents
