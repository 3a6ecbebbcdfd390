"""Which stored tariff plan prices the calls: [rating] plan, or the only plan stored.

Apart from pricing (appliance/rating/pricing.py) so the alert pass can ask without loading the numbering plan
(phonenumbers and the numbering rules take a while to import).
"""
from __future__ import annotations

from appliance.config import Config
from appliance.rating import plans as stored_plans
from appliance.store.tariffs import TariffVersion

Choice = tuple[int, str, str, str]   # plan id, provider, plan, "provider / plan"


def _stored_labels() -> list[Choice]:
    """(plan id, provider, plan, "provider / plan") of every stored plan that has a version."""
    return [(pid, provider, name, f"{provider} / {name}") for pid, provider, name in stored_plans.plans()
            if TariffVersion.select().where(TariffVersion.plan == pid).exists()]


def choose_plan(cfg: Config) -> tuple[Choice | None, str]:
    """The stored plan that prices calls ([rating] plan, or the only one stored) and what is wrong with the
    choice: "" when nothing, else why no plan prices calls (the named plan is not stored, or several are stored
    and none is named). No plan stored at all is not a problem: calls are classified, not priced."""
    wanted = cfg.section("rating").plan.strip()
    stored = _stored_labels()
    chosen = [p for p in stored if wanted in (p[3], p[2])] if wanted else stored
    names = ", ".join(p[3] for p in stored) or "none"
    if wanted and not chosen:
        return None, (f"{cfg.name}: [rating] plan {wanted!r} is not stored (callbox tariff import FILE); "
                      f"stored: {names}")
    if len(chosen) > 1:
        return None, (f"{cfg.name}: [rating] plan " + (f"{wanted!r} names several stored plans" if wanted else
                      "is not set and several plans are stored") + f": {names}")
    return (chosen[0] if chosen else None), ""


def plan_problem(cfg: Config) -> str:
    """Why the worker stores calls unpriced although a numbering plan is configured: "" when they are priced
    (or when no tariff plan is stored at all). The database must be open."""
    if not cfg.section("numbers").country:
        return ""
    return choose_plan(cfg)[1]
