"""Tariff plans as stored: a checked PlanVersion saved to the tariff tables, loaded back, and compiled for rate()."""
from __future__ import annotations

import logging
import time
from datetime import date
from decimal import Decimal

from appliance.rating import tariffs
from appliance.rating.tariffs import Band, Destination, Holiday, PlanVersion, Rate
from appliance.store.base import IMMEDIATE
from appliance.store.tariffs import (CHILDREN, TariffBand, TariffDestination, TariffHoliday, TariffPlan,
                                     TariffProvider, TariffRate, TariffVersion)

log = logging.getLogger(__name__)


def _executemany(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    # peewee's insert_many is 15-19x slower than the connection's executemany (STACK.md §5)
    sql = f'INSERT INTO "{model._meta.table_name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
    model._meta.database.connection().executemany(sql, rows)   # the models' database: a web write binds them


def save_version(v: PlanVersion) -> tuple[int, bool]:
    """Store a plan version (check it first with tariffs.check); the same provider, plan and valid_from again
    replaces its contents and keeps its id. Returns (version id, replaced)."""
    with TariffVersion._meta.database.atomic(IMMEDIATE):
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
            for model in CHILDREN:
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
