"""The calls a central received from its branches, as the dicts `callbox calls` prints, beside its own calls."""
from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from appliance.store import local_iso
from appliance.store.sync import CentralBranch, CentralCall

CHUNK = 1000


def is_central() -> bool:
    """Has this box ever enrolled a branch (then its calls carry `branch`)?"""
    return CentralBranch.select().exists()


def received_dicts(since: int | None, until: int | None) -> Iterator[dict]:
    """The branches' calls with start in [since, until), oldest first: the contract's fields of `callbox calls`,
    plus branch (the branch box), person, department and org_branch (attribution on the branch, as of the call).
    `id` is the call's id on its branch, `raw` its legs' references in that branch's journal."""
    C = CentralCall
    q = C.select()
    if since is not None:
        q = q.where(C.start_utc >= since)
    if until is not None:
        q = q.where(C.start_utc < until)
    for c in q.order_by(C.start_utc, C.branch, C.rid).iterator():
        legs = json.loads(c.legs or "[]")
        yield {"id": c.rid, "start": local_iso(c.start_utc, c.utc_offset), "direction": c.direction,
               "extension": c.extension, "party": c.party, "trunk": c.trunk, "ring_s": c.ring_s, "talk_s": c.talk_s,
               "answered": bool(c.answered), "transferred": bool(c.transferred), "account_code": c.account_code,
               "driver": c.driver, "call_key": c.call_key, "legs": len(legs),
               "raw": [f"{leg['jseg']}:{leg['joff']}" for leg in legs], "kind": c.kind, "number": c.number,
               "cost": c.cost, "currency": c.currency, "destination": c.destination, "tariff": c.tariff,
               "capped": bool(c.capped), "tenant": c.tenant, "branch": c.branch, "person": c.person,
               "department": c.department, "org_branch": c.org_branch}


def _start(d: dict) -> float:
    return datetime.fromisoformat(d["start"]).timestamp()


def with_branches(own: Iterator[dict], since: int | None, until: int | None) -> Iterator[dict]:
    """This box's own calls (branch "") and its branches' calls, merged oldest first."""
    mine = ({**d, "branch": ""} for d in own)
    return heapq.merge(mine, received_dicts(since, until), key=_start)


def totals() -> dict[str, dict]:
    """Per branch: calls, talk seconds and the cost per currency (exact decimal text), as the central holds them."""
    out: dict[str, dict] = {}
    for branch, talk, cost, currency in CentralCall.select(CentralCall.branch, CentralCall.talk_s, CentralCall.cost,
                                                           CentralCall.currency).tuples().iterator():
        t = out.setdefault(branch, {"calls": 0, "talk_s": 0, "cost": {}})
        t["calls"] += 1
        t["talk_s"] += talk
        if cost:
            t["cost"][currency] = str(Decimal(t["cost"].get(currency, "0")) + Decimal(cost))
    return out
