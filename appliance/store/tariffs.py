"""Tariff tables (providers, plans, dated versions and their bands, holidays, destinations, rates) and their I/O."""
from __future__ import annotations

import logging
import time
from datetime import date
from decimal import Decimal

from peewee import ForeignKeyField, IntegerField, TextField

from appliance.rating import tariffs
from appliance.rating.tariffs import Band, Destination, Holiday, PlanVersion, Rate
from appliance.store import Base

log = logging.getLogger(__name__)


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
_CHILDREN = (TariffBand, TariffHoliday, TariffDestination, TariffRate)


def _executemany(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    # peewee's insert_many is 15-19x slower than the connection's executemany (STACK.md §5)
    sql = f'INSERT INTO "{model._meta.table_name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
    model._meta.database.connection().executemany(sql, rows)   # the models' database: a web write binds them


def save_version(v: PlanVersion) -> tuple[int, bool]:
    """Store a plan version (check it first with tariffs.check); the same provider, plan and valid_from again
    replaces its contents and keeps its id. Returns (version id, replaced)."""
    with TariffVersion._meta.database.atomic():
        provider, _ = TariffProvider.get_or_create(name=v.provider)
        plan, _ = TariffPlan.get_or_create(provider=provider, name=v.plan)
        fields = {"currency": v.currency, "rounding": v.rounding, "decimals": v.decimals,
                  "band_boundary": v.band_boundary, "imported_utc": int(time.time())}
        row = TariffVersion.get_or_none(plan=plan, valid_from=v.valid_from.isoformat())
        if row is None:
            vid = TariffVersion.insert(plan=plan, valid_from=v.valid_from.isoformat(), **fields).execute()
            replaced = False
        else:
            vid, replaced = row.id, True
            TariffVersion.update(**fields).where(TariffVersion.id == vid).execute()
            for model in _CHILDREN:
                model.delete().where(model.version == vid).execute()
        _executemany(TariffBand, ("version_id", "position", "name", "days", "start_min", "end_min"),
                     [(vid, i, b.name, tariffs.format_days(b.days), b.start_min, b.end_min)
                      for i, b in enumerate(v.bands)])
        _executemany(TariffHoliday, ("version_id", "day", "from_min", "name"),
                     [(vid, h.day.isoformat(), h.from_min, h.name) for h in v.holidays])
        _executemany(TariffDestination, ("version_id", "position", "name", "prefixes", "classes"),
                     [(vid, i, d.name, " ".join(d.prefixes), " ".join(d.classes))
                      for i, d in enumerate(v.destinations)])
        _executemany(TariffRate, ("version_id", "position", "destination", "band", "connection_fee", "minimum",
                                  "steps"),
                     [(vid, i, r.destination, r.band, f"{r.connection_fee:f}", f"{r.minimum:f}",
                       tariffs.format_steps(r.steps)) for i, r in enumerate(v.rates)])
    log.info("tariff %s / %s from %s stored as version %d%s", v.provider, v.plan, v.valid_from, vid,
             " (replaced)" if replaced else "")
    return vid, replaced


def _children(model, vid: int, order) -> list[tuple]:
    return list(model.select().where(model.version == vid).order_by(order).tuples())


def _version(row):
    vid, provider, plan, valid_from, currency, rounding, decimals, boundary = row
    bands = tuple(Band(r[3], tariffs.parse_days(r[4]), r[5], r[6])
                  for r in _children(TariffBand, vid, TariffBand.position))
    holidays = tuple(Holiday(date.fromisoformat(r[2]), r[4], r[3])
                     for r in _children(TariffHoliday, vid, TariffHoliday.id))
    dests = tuple(Destination(r[3], tuple(r[4].split()), tuple(r[5].split()))
                  for r in _children(TariffDestination, vid, TariffDestination.position))
    rates = tuple(Rate(r[3], r[4], tariffs.parse_steps(r[7]), Decimal(r[5]), Decimal(r[6]))
                  for r in _children(TariffRate, vid, TariffRate.position))
    return PlanVersion(provider, plan, date.fromisoformat(valid_from), currency, dests, rates, bands, holidays,
                       rounding, decimals, boundary, id=vid)


def load_versions(provider: str | None = None, plan: str | None = None) -> list[PlanVersion]:
    """Stored plan versions (optionally of one provider and/or plan), by provider, plan and valid_from."""
    q = (TariffVersion.select(TariffVersion.id, TariffProvider.name, TariffPlan.name, TariffVersion.valid_from,
                              TariffVersion.currency, TariffVersion.rounding, TariffVersion.decimals,
                              TariffVersion.band_boundary)
         .join(TariffPlan).join(TariffProvider)
         .order_by(TariffProvider.name, TariffPlan.name, TariffVersion.valid_from))
    if provider is not None:
        q = q.where(TariffProvider.name == provider)
    if plan is not None:
        q = q.where(TariffPlan.name == plan)
    return [_version(row) for row in q.tuples()]


def plans() -> list[tuple[int, str, str]]:
    """(plan id, provider, plan) of every stored plan."""
    q = TariffPlan.select(TariffPlan.id, TariffProvider.name, TariffPlan.name).join(TariffProvider)
    return list(q.order_by(TariffProvider.name, TariffPlan.name).tuples())   # type: ignore[arg-type]  # rows


def compiled_plans() -> list:
    """Every stored plan compiled for rate(), with its store ids."""
    return [tariffs.compile_plan(load_versions(provider, name), plan_id) for plan_id, provider, name in plans()
            if TariffVersion.select().where(TariffVersion.plan == plan_id).exists()]


def delete_version(version_id: int) -> None:
    """Remove one version and its contents (a plan with no version left stays, empty)."""
    TariffVersion.delete().where(TariffVersion.id == version_id).execute()
