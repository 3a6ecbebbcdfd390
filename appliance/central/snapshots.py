"""A branch box's directory and tariffs on the central (store/sync_snapshot.py): stored as the branch sent them,
and read back as its people, departments and tariff versions (`callbox central branch directory|tariffs`,
/central/branches/NAME). The calls keep their attribution as of the call (sent with each call); this is the branch's
directory itself, with its validity periods, as it is now.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone

from appliance.store.central_db import transaction
from appliance.store.sync import CentralBranch
from appliance.store.sync_snapshot import KINDS, CentralSnapshot
from appliance.sync.snapshot import Snapshot

log = logging.getLogger(__name__)


class SnapshotRefused(ValueError):
    """A snapshot the central does not store (HTTP 403): the message is the reason."""


def store(branch: str, snap: Snapshot, now: int | None = None) -> bool:
    """Keep `snap` from the authenticated `branch` in place of its previous one, in one transaction; False when the
    central already held that version (nothing written)."""
    if snap.branch != branch:
        raise SnapshotRefused(f"branch {branch!r} sent the {snap.kind} of branch {snap.branch!r}")
    now = int(time.time()) if now is None else now
    doc = json.dumps(snap.tables, ensure_ascii=False, separators=(",", ":"))
    with transaction():
        old = CentralSnapshot.get_or_none(CentralSnapshot.branch == branch, CentralSnapshot.kind == snap.kind)
        if old is not None and old.version == snap.version:
            return False
        (CentralSnapshot.insert(branch=branch, kind=snap.kind, version=snap.version, doc=doc, rows=snap.rows,
                                received_utc=now)
         .on_conflict(conflict_target=[CentralSnapshot.branch, CentralSnapshot.kind],
                      preserve=[CentralSnapshot.version, CentralSnapshot.doc, CentralSnapshot.rows,
                                CentralSnapshot.received_utc]).execute())
    log.info("branch %s: its %s stored (%d rows, version %s)", branch, snap.kind, snap.rows, snap.version[:12])
    return True


def held(branch: str) -> dict[str, str]:
    """The version of each kind the central holds for `branch` ("" for none): told to the branch in every answer."""
    have = {r.kind: r.version for r in CentralSnapshot.select(CentralSnapshot.kind, CentralSnapshot.version)
            .where(CentralSnapshot.branch == branch)}
    return {kind: have.get(kind, "") for kind in KINDS}


def _tables(branch: str, kind: str) -> tuple[dict[str, list[dict]], int]:
    """({table: rows as dicts}, received_utc) of the branch's snapshot of `kind`; ({}, 0) when none arrived."""
    if not CentralBranch.select().where(CentralBranch.name == branch).exists():
        raise SnapshotRefused(f"no branch box {branch!r}")
    row = CentralSnapshot.get_or_none(CentralSnapshot.branch == branch, CentralSnapshot.kind == kind)
    if row is None:
        return {}, 0
    t = json.loads(row.doc)
    return {name: [dict(zip(v["columns"], r)) for r in v["rows"]] for name, v in t.items()}, row.received_utc


def _current(rows: list[dict], at: int) -> list[dict]:
    return [r for r in rows if (r.get("valid_from") is None or r["valid_from"] <= at)
            and (r.get("valid_to") is None or at < r["valid_to"])]


def _iso(epoch) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def directory(branch: str, at: int | None = None) -> dict:
    """The branch box's directory as it last sent it: {"branch", "received", "people": [{"id", "external_id",
    "name", "email", "branch", "department", "cost_centre", "extensions", "ended"}], "departments": [{"name",
    "people"}], "branches": [names]}, people and placements as of `at` (default now; a person who left is listed,
    with "ended", without a placement)."""
    at = int(time.time()) if at is None else at
    t, received = _tables(branch, "directory")
    names = {kind: {r["id"]: r["name"] for r in t.get(kind, [])} for kind in ("branch", "department", "cost_centre")}
    placed = {p["person_id"]: p for p in _current(t.get("placement", []), at)}
    extensions: dict[int, list[str]] = {}
    for e in sorted(_current(t.get("extension_assignment", []), at), key=lambda e: e["extension"]):
        extensions.setdefault(e["person_id"], []).append(e["extension"])
    people = []
    for p in t.get("person", []):
        place = placed.get(p["id"], {})
        people.append({"id": p["id"], "external_id": p["external_id"],
                       "name": " ".join(x for x in (p["first_name"], p["last_name"]) if x), "email": p["email"],
                       "branch": names["branch"].get(place.get("branch_id"), ""),
                       "department": names["department"].get(place.get("department_id"), ""),
                       "cost_centre": names["cost_centre"].get(place.get("cost_centre_id"), ""),
                       "extensions": extensions.get(p["id"], []), "ended": _iso(p.get("ended_utc"))})
    people.sort(key=lambda p: (p["department"].casefold(), p["name"].casefold(), p["id"]))
    counts: dict[str, int] = {}
    for p in people:
        if p["department"]:
            counts[p["department"]] = counts.get(p["department"], 0) + 1
    departments = [{"name": n, "people": counts.get(n, 0)}
                   for n in sorted(set(names["department"].values()), key=str.casefold)]
    return {"branch": branch, "received": _iso(received) if received else None, "people": people,
            "departments": departments, "branches": sorted(names["branch"].values(), key=str.casefold)}


def tariffs(branch: str) -> dict:
    """The branch box's tariffs as it last sent them: {"branch", "received", "versions": [{"provider", "plan",
    "valid_from", "currency", "rounding", "decimals", "destinations", "rates", "bands", "holidays"}]}, each plan's
    versions newest first."""
    t, received = _tables(branch, "tariffs")
    providers = {r["id"]: r["name"] for r in t.get("tariff_provider", [])}
    plans = {r["id"]: (providers.get(r["provider_id"], ""), r["name"]) for r in t.get("tariff_plan", [])}
    per_version = ("tariff_destination", "tariff_rate", "tariff_band", "tariff_holiday")
    count: dict[str, dict[int, int]] = {name: {} for name in per_version}
    for name, per in count.items():
        for r in t.get(name, []):
            per[r["version_id"]] = per.get(r["version_id"], 0) + 1
    versions = [{"provider": plans.get(v["plan_id"], ("", ""))[0], "plan": plans.get(v["plan_id"], ("", ""))[1],
                 "valid_from": v["valid_from"], "currency": v["currency"], "rounding": v["rounding"],
                 "decimals": v["decimals"], "destinations": count["tariff_destination"].get(v["id"], 0),
                 "rates": count["tariff_rate"].get(v["id"], 0), "bands": count["tariff_band"].get(v["id"], 0),
                 "holidays": count["tariff_holiday"].get(v["id"], 0)} for v in t.get("tariff_version", [])]
    versions.sort(key=lambda v: (v["provider"].casefold(), v["plan"].casefold(), _neg(v["valid_from"])))
    return {"branch": branch, "received": _iso(received) if received else None, "versions": versions}


def _neg(day: str) -> tuple:
    """Sorts ISO dates newest first."""
    return tuple(-ord(c) for c in day)
