"""Pricing calls: the site's numbering plan ([numbers]) and tariff plan ([rating]) applied to one call.

The worker prices each call as it stores it, `callbox rerate` (appliance/ingest/rerate.py) prices stored calls
again, and the explanation of a price is recomputed when it is shown (it is deterministic, so it is not stored).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import tzinfo

from appliance.config import Config, ConfigError
from appliance.rating import numbering, stuck, tariffs
from appliance.rating import plans as stored_plans
from appliance.rating.plan_choice import choose_plan
from appliance.rating.rate import Price, Unrated, rate
from appliance.rating.tariffs import CompiledPlan
from appliance.records import CallPrice
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pricer:
    """Classifies a call's number and prices outgoing calls with one tariff plan (if any)."""

    numbers: numbering.NumberingPlan      # the site's numbering plan ([numbers])
    plan: CompiledPlan | None
    tz: tzinfo
    cap_s: int = 0             # talk time priced at most (lines that fail to release); 0 = no cap
    problem: str = ""          # why no plan prices calls although plans are stored (choose_plan)
    lines: stuck.LineRules | None = None   # caps per trunk and the analogue trunks (RAT-5); None: cap_s for all

    def _rate(self, direction: str, party: str, start_utc: int, talk_s: int,
              known: numbering.Classification | None = None, priced_s: int | None = None) -> tuple:
        c = known or numbering.classify_call(party, self.numbers, direction)
        if direction != "out" or self.plan is None or c.kind == "internal":
            return c, None
        try:
            return c, rate(c.number, c.kind, start_utc, talk_s if priced_s is None else priced_s, self.tz,
                           self.plan, c.known)
        except Unrated as e:
            return c, e

    def cap_for(self, trunk: str = "") -> int:
        """The talk time priced at most on this trunk (0: no cap)."""
        return self.lines.cap_for(trunk) if self.lines is not None else self.cap_s

    def capped(self, talk_s: int, trunk: str = "") -> int:
        """The talk time priced instead of `talk_s` when it is over the trunk's cap, else 0."""
        cap = self.cap_for(trunk)
        return cap if cap and talk_s > cap else 0

    def limit(self, talk_s: int, trunk: str = "", released_s: int | None = None) -> tuple[int, int]:
        """(talk time priced, why it is shorter: 0, stuck.CAP or stuck.OVERLAP). `released_s`: the talk time the
        call can have had because the next call on its analogue trunk began then (stuck.overlaps)."""
        priced, why = talk_s, 0
        cap = self.capped(talk_s, trunk)
        if cap:
            priced, why = cap, stuck.CAP
        if released_s is not None and released_s < priced:
            priced, why = released_s, stuck.OVERLAP
        return priced, why

    def price(self, direction: str, party: str, start_utc: int, talk_s: int,
              known: numbering.Classification | None = None, trunk: str = "",
              released_s: int | None = None) -> CallPrice:
        """The call's price columns: class, number as called, cost (exact decimal text, or None when not charged or
        not priceable), currency, destination, tariff ("provider / plan @ version"), capped (0, or why the talk
        time priced is shorter: stuck.CAP, stuck.OVERLAP), unknown_number (1: phonenumbers does not know the
        number; priced by prefix, the class the plan's).
        `known`: the classification already stored (a tariff change does not change what a number is)."""
        priced, capped = self.limit(talk_s, trunk, released_s)   # an int binds faster than a bool (CallPrice)
        c, p = self._rate(direction, party, start_utc, talk_s, known, priced)
        unknown = 0 if c.known else 1
        if isinstance(p, Price):
            return CallPrice(p.explain.kind, c.number, str(p.cost), p.currency, p.destination,
                             f"{p.plan} @ {p.version}", capped, unknown)
        return CallPrice(c.kind, c.number, None, "", "", "", capped, unknown)

    def explain(self, direction: str, party: str, start_utc: int, talk_s: int, trunk: str = "",
                released_s: int | None = None) -> dict:
        """Why the call costs what it does, or why it has no price."""
        priced, why = self.limit(talk_s, trunk, released_s)
        c, p = self._rate(direction, party, start_utc, talk_s, None, priced)
        base = {"dialled": party, "number": c.number, "kind": c.kind, "operator": c.operator, "region": c.region,
                "number_known": c.known}
        if why == stuck.CAP:
            base["capped"] = (f"talked {talk_s} s, over the cap of trunk {trunk!r} ([rating] trunk_caps, "
                              f"max_call_min): priced as {priced} s")
        elif why == stuck.OVERLAP:
            base["capped"] = (f"talked {talk_s} s, but the next call on analogue trunk {trunk!r} began after "
                              f"{priced} s ([rating] analogue_trunks): priced as {priced} s")
        if isinstance(p, Price):
            return {**base, **p.explain.as_dict()}
        if isinstance(p, Unrated):
            return {**base, "unrated": str(p)}
        reason = (f"{direction} calls are not charged" if direction != "out" else "internal call"
                  if c.kind == "internal" else self.problem or "no tariff plan stored (callbox tariff import)")
        return {**base, "not_charged": reason}


def build(cfg: Config, tz: tzinfo, strict: bool = True) -> Pricer | None:
    """The site's Pricer, or None when no numbering plan is configured ([numbers] country). The database
    must be open (tariff plans are stored there).

    A plan that cannot be chosen (appliance.rating.plan_choice) raises ConfigError when `strict` (a person runs
    `callbox rerate`); else the Pricer has no plan and says why in `problem`: the worker keeps storing calls,
    classified and unpriced, and the alert pass raises the tariff_plan condition (appliance/alerts/conditions.py)."""
    options = {k: v for k, v in vars(cfg.section("numbers")).items() if v != ""}
    if not options.get("country"):
        return None
    try:
        site_numbers = numbering.plan_from_options(options)
    except ValueError as e:
        raise ConfigError(f"{cfg.name}: [numbers] {e}") from None
    chosen, problem = choose_plan(cfg)
    if problem and strict:
        raise ConfigError(problem)
    plan = None
    if chosen is not None:
        pid, provider, name, _label = chosen
        plan = tariffs.compile_plan(stored_plans.load_versions(provider, name), pid)
    elif not problem:
        log.warning("no tariff plan stored: calls are classified, not priced")
    rating = cfg.section("rating")
    try:
        lines = stuck.rules_from(rating)
    except ValueError as e:
        raise ConfigError(f"{cfg.name}: {e}") from None
    return Pricer(site_numbers, plan, tz, rating.max_call_min * 60, problem, lines)
