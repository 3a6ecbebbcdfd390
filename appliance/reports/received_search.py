"""The call search (/calls, its CSV, /api/calls) on a central: this box's own calls and its branch boxes' received
calls (central_call) together, with the branch box (`box`: "" for this box's own calls) as a column and a filter
(issue 18). Who sees which branch box is the reports' rule (received.scope_sql: HQ every box, a user scoped to a
branch that branch's box, a user scoped to their own or their department's calls none); the criteria are the
search's own (search.Criteria), applied to the received rows by their columns (a note never matches a received
call: notes are written on this box's calls). SQLite or PostgreSQL ([central] database).

A received call is shown as a `Call` (its id on its branch, `box` set) and attributed as the branch attributed it
(person, department, branch as of the call): the central's directory does not know the branch boxes' people.
"""
from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from appliance.access.users import Account
from appliance.reports import received
from appliance.reports import search as call_search
from appliance.reports.attribution import rollup_scope
from appliance.store import Call, local_iso
from appliance.store.central_db import connection, execute, is_postgres

COLUMNS = ("branch", "rid", "driver", "call_key", "start_utc", "utc_offset", "direction", "extension", "party",
           "trunk", "ring_s", "talk_s", "answered", "transferred", "account_code", "kind", "number", "cost",
           "currency", "destination", "tariff", "capped", "tenant", "person", "department", "org_branch", "legs")
_COST = "CAST(NULLIF(cost, '') AS NUMERIC)"
ORDER = {"start": "start_utc", "direction": "direction", "extension": "extension", "party": "party",
         "trunk": "trunk", "ring": "ring_s", "talk": "talk_s", "cost": _COST, "legs": "json_array_length(legs)"}
CHUNK = 1000


@dataclass(frozen=True)
class Received:
    """A branch box's call as the search shows it: its person as the branch attributed it."""
    external_id: str
    name: str
    department: str | None
    branch: str | None


def attribution(person: str, department: str, org_branch: str) -> Received | None:
    """The attribution of a received call from the branch's "Name (ID)" label; None when it had none."""
    if not person:
        return None
    name, _, rest = person.rpartition(" (")
    if not name or not rest.endswith(")"):
        name, rest = "", person + ")"
    return Received(rest[:-1], name, department or None, org_branch or None)


def choice(user: Account, pbx_tenant: str, box: str) -> tuple[bool, tuple[list[str], list] | None]:
    """(this box's own calls included?, the conditions on central_call of the received calls included or None)
    for the search of `user` narrowed to branch box `box` ("" = this box and every branch box they see)."""
    if not received.any_received():     # not a central (or nothing received yet): this box's calls as ever
        return True, None
    seen = received.scope_sql(rollup_scope(user, pbx_tenant))
    if not box:
        return True, seen
    if seen is None:
        return False, None
    return False, (seen[0] + ["branch = ?"], seen[1] + [box])


def _conditions(c: call_search.Criteria, seen: tuple[list[str], list]) -> tuple[list[str], list] | None:
    """The criteria as conditions on central_call (after `seen`'s); None when no received call can match."""
    if c.note.strip():
        return None
    cond, args = ["1 = 1"] + list(seen[0]), list(seen[1])    # a WHERE even when nothing narrows it

    def add(sql: str, *values) -> None:
        cond.append(sql)
        args.extend(values)
    if c.since is not None:
        add("start_utc >= ?", c.since)
    if c.until is not None:
        add("start_utc < ?", c.until)
    if c.extension:
        add("TRIM(extension) = ?", c.extension)
    if c.person:      # the branch's label "Name (ID)": a part of the name, or the id (case ignored)
        add("(LOWER(person) LIKE ? OR person LIKE ?)", f"%{_like(c.person.lower())}%", f"%({_like(c.person)})")
    if c.number:
        num = _like(c.number.replace(" ", ""))
        pattern = f"{num}%" if c.number_match == "prefix" else f"%{num}%"
        add("(party LIKE ? OR number LIKE ?)", pattern, pattern)
    if c.direction:
        add("direction = ?", c.direction)
    if c.answered is not None:
        add("answered = ?", int(c.answered))
    if c.min_talk_s is not None:
        add("talk_s >= ?", c.min_talk_s)
    if c.max_talk_s is not None:
        add("talk_s <= ?", c.max_talk_s)
    if c.min_cost is not None:
        add(f"{_COST} >= CAST(? AS NUMERIC)", str(c.min_cost))
    if c.max_cost is not None:
        add(f"{_COST} <= CAST(? AS NUMERIC)", str(c.max_cost))
    if c.trunk:
        add("trunk = ?", c.trunk)
    if c.account_code:
        add("account_code = ?", c.account_code)
    return cond, args


def _like(text: str) -> str:
    return text.replace("\\", "").replace("%", "").replace("_", "")


def _as_call(row: tuple) -> tuple[Call, Received | None]:
    d = dict(zip(COLUMNS, row))
    legs = json.loads(d.pop("legs") or "[]")
    box, person, department, org_branch = d.pop("branch"), d.pop("person"), d.pop("department"), d.pop("org_branch")
    call = Call(id=d.pop("rid"), legs=len(legs), **d)
    call.answered, call.transferred = bool(call.answered), bool(call.transferred)
    setattr(call, "box", box)
    setattr(call, "refs", [f"{leg.get('jseg')}:{leg.get('joff')}" for leg in legs])
    return call, attribution(person, department, org_branch)


def as_dict(call: Call, att: Received | None) -> dict:
    """A received call as /api/calls and the CSV give a call (`callbox calls --json`'s fields, its person then),
    with `box`: the branch box; `raw` its legs' references in that box's journal."""
    return {"id": call.id, "start": local_iso(call.start_utc, call.utc_offset), "direction": call.direction,
            "extension": call.extension, "party": call.party, "trunk": call.trunk, "ring_s": call.ring_s,
            "talk_s": call.talk_s, "answered": bool(call.answered), "transferred": bool(call.transferred),
            "account_code": call.account_code, "driver": call.driver, "call_key": call.call_key, "legs": call.legs,
            "raw": getattr(call, "refs", []), "kind": call.kind, "number": call.number, "cost": call.cost,
            "currency": call.currency, "destination": call.destination, "tariff": call.tariff,
            "capped": bool(call.capped), "stuck": "", "number_known": None, "tenant": call.tenant, "explain": None,
            "person": att.name if att else None, "person_id": att.external_id if att else None,
            "department": att.department if att else None, "branch": att.branch if att else None,
            "box": getattr(call, "box", "")}


def received_rows(c: call_search.Criteria, seen: tuple[list[str], list] | None, sort: str = "start",
                  desc: bool = True, limit: int | None = None) -> Iterator[tuple[Call, Received | None]]:
    """The received calls matching `c` within `seen`, in the search's order (calls without a price last by
    cost), `limit` at most; read in chunks."""
    where = _conditions(c, seen) if seen is not None else None
    if where is None:
        return
    key = ORDER.get(sort, "start_utc")
    if key.startswith("json_array_length") and is_postgres():
        key = "json_array_length(CAST(legs AS json))"
    way = "DESC" if desc else "ASC"
    order = (["(cost IS NULL OR cost = '') ASC"] if sort == "cost" else []) + [f"{key} {way}"]
    if key != "start_utc":
        order.append("start_utc DESC")
    order += [f"branch {way}", f"rid {way}"]
    sql = (f"SELECT {', '.join(COLUMNS)} FROM central_call WHERE {' AND '.join(f'({x})' for x in where[0])} "
           f"ORDER BY {', '.join(order)}")
    done = 0
    while limit is None or done < limit:
        n = CHUNK if limit is None else min(CHUNK, limit - done)
        with connection():
            rows = execute(f"{sql} LIMIT {n} OFFSET {done}", where[1])
        yield from (_as_call(r) for r in rows)
        done += len(rows)
        if len(rows) < n:
            return


def count(c: call_search.Criteria, seen: tuple[list[str], list] | None, cap: int) -> int:
    where = _conditions(c, seen) if seen is not None else None
    if where is None:
        return 0
    with connection():
        return execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM central_call WHERE "
                       f"{' AND '.join(f'({x})' for x in where[0])} LIMIT {cap + 1}) AS found", where[1])[0][0]


def _key(sort: str):
    """The merge's key of a (call, attribution) pair: the search's order (None last by cost)."""
    def cost(call: Call):
        return (call.cost is None or call.cost == "", float(call.cost) if call.cost not in (None, "") else 0.0)
    keys = {"start": lambda x: x.start_utc, "direction": lambda x: x.direction, "extension": lambda x: x.extension,
            "party": lambda x: x.party, "trunk": lambda x: x.trunk, "ring": lambda x: x.ring_s,
            "talk": lambda x: x.talk_s, "legs": lambda x: x.legs}
    if sort == "cost":
        return lambda pair: cost(pair[0])
    one = keys.get(sort, keys["start"])
    return lambda pair: (one(pair[0]), pair[0].start_utc)


def merged(own: Iterable[tuple[Call, object]], theirs: Iterable[tuple[Call, object]], sort: str,
           desc: bool) -> Iterator[tuple[Call, object]]:
    """Two lists each in the search's order, as one."""
    key = _key(sort)
    if sort == "cost":   # unpriced last either way: merge on (unpriced, amount) with the amount's direction
        return heapq.merge(own, theirs, key=lambda p: (key(p)[0], -key(p)[1] if desc else key(p)[1]))
    return heapq.merge(own, theirs, key=key, reverse=desc)


def search(user: Account, pbx_tenant: str, c: call_search.Criteria, box: str = "", page: int = 1,
           per_page: int = call_search.PER_PAGE, sort: str = "start", desc: bool = True) -> call_search.Page:
    """search.search on a central: this box's calls (unless a branch box is chosen) and the received calls the
    user sees, in one order; a box's calls carry `box`."""
    include_own, seen = choice(user, pbx_tenant, box)
    if seen is None and include_own:
        return call_search.search(user, pbx_tenant, c, page, per_page, sort, desc)
    per_page = max(1, min(per_page, call_search.MAX_PER_PAGE))
    cap = call_search.COUNT_CAP
    own_q = call_search.query(user, pbx_tenant, c, sort, desc) if include_own else None
    total = (own_q.limit(cap + 1).count() if own_q is not None else 0) + count(c, seen, cap)
    capped, total = total > cap, min(total, cap)
    page = max(1, min(page, max(1, -(-total // per_page))))
    want = page * per_page
    own: list = []
    if own_q is not None:
        calls = list(own_q.limit(want))
        own = list(zip(calls, call_search.scope.attributions(calls, pbx_tenant)))
        for call in calls:
            setattr(call, "box", "")
    rows = list(itertools.islice(merged(own, received_rows(c, seen, sort, desc, want), sort, desc),
                                 want - per_page, want))
    return call_search.Page([r[0] for r in rows], [r[1] for r in rows], total, page, per_page, capped)
