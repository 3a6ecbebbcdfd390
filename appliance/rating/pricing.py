"""Pricing stored calls: the site's numbering plan ([numbers]) and tariff plan ([rating]) applied to one call.

The worker prices each call as it stores it, `callbox rerate` prices stored calls again, and the
explanation of a price is recomputed when it is shown (it is deterministic, so it is not stored).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import tzinfo

from appliance import store
from appliance.config import Config, ConfigError
from appliance.rating import numbering
from appliance.rating.rate import CompiledPlan, Price, Unrated, rate
from appliance.records import PRICE_COLUMNS, CallPrice
from appliance.store import billing as store_billing
from appliance.store import rollups

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pricer:
    """Classifies a call's number and prices outgoing calls with one tariff plan (if any)."""

    numbers: numbering.NumberingPlan      # the site's numbering plan ([numbers])
    plan: CompiledPlan | None
    tz: tzinfo
    cap_s: int = 0             # talk time priced at most (lines that fail to release); 0 = no cap

    def _rate(self, direction: str, party: str, start_utc: int, talk_s: int,
              known: numbering.Classification | None = None) -> tuple:
        c = known or numbering.classify_call(party, self.numbers, direction)
        if direction != "out" or self.plan is None or c.kind == "internal":
            return c, None
        try:
            return c, rate(c.number, c.kind, start_utc, self.capped(talk_s) or talk_s, self.tz, self.plan)
        except Unrated as e:
            return c, e

    def capped(self, talk_s: int) -> int:
        """The talk time priced instead of `talk_s` when it is over the cap, else 0."""
        return self.cap_s if self.cap_s and talk_s > self.cap_s else 0

    def price(self, direction: str, party: str, start_utc: int, talk_s: int,
              known: numbering.Classification | None = None) -> CallPrice:
        """The call's price columns: class, number as called, cost (exact decimal text, or None when not charged or
        not priceable), currency, destination, tariff ("provider / plan @ version"), capped (0 or 1).
        `known`: the classification already stored (a tariff change does not change what a number is)."""
        c, p = self._rate(direction, party, start_utc, talk_s, known)
        capped = int(bool(self.capped(talk_s)))   # an int binds faster than a bool (CallPrice.capped)
        if isinstance(p, Price):
            return CallPrice(c.kind, c.number, str(p.cost), p.currency, p.destination, f"{p.plan} @ {p.version}",
                             capped)
        return CallPrice(c.kind, c.number, None, "", "", "", capped)

    def explain(self, direction: str, party: str, start_utc: int, talk_s: int) -> dict:
        """Why the call costs what it does, or why it has no price."""
        c, p = self._rate(direction, party, start_utc, talk_s)
        base = {"dialled": party, "number": c.number, "kind": c.kind, "operator": c.operator, "region": c.region}
        if self.capped(talk_s):
            base["capped"] = f"talked {talk_s} s, over [rating] max_call_min: priced as {self.cap_s} s"
        if isinstance(p, Price):
            return {**base, **p.explain.as_dict()}
        if isinstance(p, Unrated):
            return {**base, "unrated": str(p)}
        reason = (f"{direction} calls are not charged" if direction != "out" else "internal call"
                  if c.kind == "internal" else "no tariff plan stored (callbox tariff import)")
        return {**base, "not_charged": reason}


def build(cfg: Config, tz: tzinfo) -> Pricer | None:
    """The site's Pricer, or None when no numbering plan is configured ([numbers] country). The database
    must be open (tariff plans are stored there)."""
    from appliance.store import tariffs as store_tariffs
    options = {k: v for k, v in vars(cfg.section("numbers")).items() if v != ""}
    if not options.get("country"):
        return None
    try:
        site_numbers = numbering.plan_from_options(options)
    except ValueError as e:
        raise ConfigError(f"{cfg.name}: [numbers] {e}") from None
    rating = cfg.section("rating")
    wanted = rating.plan.strip()
    plans = store_tariffs.compiled_plans()
    chosen = [p for p in plans if wanted in (p.label, p.label.partition(" / ")[2])] if wanted else plans
    if wanted and not chosen:
        raise ConfigError(f"{cfg.name}: [rating] plan {wanted!r} is not stored (callbox tariff import FILE); "
                          f"stored: {', '.join(p.label for p in plans) or 'none'}")
    if len(chosen) > 1:
        raise ConfigError(f"{cfg.name}: [rating] plan is not set and several plans are stored: "
                          f"{', '.join(p.label for p in plans)}")
    if not chosen:
        log.warning("no tariff plan stored: calls are classified, not priced")
    return Pricer(site_numbers, chosen[0] if chosen else None, tz, rating.max_call_min * 60)


def rerate(pricer: Pricer, since: int | None = None, until: int | None = None, batch: int = 5000,
           reclassify: bool = False, pbx_tenant: str = "", force: bool = False) -> int:
    """Price the stored calls with start in [since, until) again; idempotent. Returns the count. The stored
    classification is reused unless `reclassify` (after a change of [numbers]). Calls in billed periods
    (appliance/billing/billed.py; `pbx_tenant` is the tenant of calls stored without one) keep their price unless
    `force`."""
    sets = ", ".join(f"{c} = ?" for c in PRICE_COLUMNS)
    done, last = 0, -1
    calls = store.calls(since, until)
    if not force and store_billing.BilledPeriod.select().exists():
        calls = calls.where(~store_billing.in_billed(pbx_tenant))
    with store.db.atomic():
        while True:   # pages by id: never update the rows a cursor is still reading
            rows = list(calls.select(
                store.Call.id, store.Call.direction, store.Call.party, store.Call.start_utc, store.Call.talk_s,
                store.Call.kind, store.Call.number
            ).where(store.Call.id > last).order_by(store.Call.id).limit(batch).tuples())
            if not rows:
                rollups.after_rerate(since, until)   # the re-priced days in the report roll-ups
                return done
            store.db.connection().executemany(
                f"UPDATE call SET {sets} WHERE id = ?",
                [(*pricer.price(direction, party, start, talk,
                                None if reclassify or not kind else numbering.Classification(number, kind)), call_id)
                 for call_id, direction, party, start, talk, kind, number in rows])
            done, last = done + len(rows), rows[-1][0]
