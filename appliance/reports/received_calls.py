"""A central's call search over its branches' calls (central_call), with `branch` (the branch box) as a filter and
a column, each user seeing only what their scope allows (received.scope_sql: HQ every branch, a branch user their
branch box). On SQLite or PostgreSQL ([central] database)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from appliance.reports.attribution import RollupScope
from appliance.reports.received import scope_sql
from appliance.store import local_iso
from appliance.store.central_db import connection, execute
from appliance.store.sync import CentralBranch, box_labels

PAGE = 100
COLUMNS = ("branch", "rid", "start_utc", "utc_offset", "direction", "extension", "person", "department", "party",
           "number", "talk_s", "answered", "cost", "currency", "destination", "org_branch", "trunk", "driver")


@dataclass(frozen=True)
class Criteria:
    since: int | None = None          # UTC epoch seconds, start >= since
    until: int | None = None          # start < until
    branch: str = ""                  # the branch box ("" = every branch the user sees)
    extension: str = ""
    number: str = ""                  # the dialled or calling number contains this
    direction: str = ""


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    number: int
    more: bool


def search(rscope: RollupScope, c: Criteria, page: int = 1) -> Page:
    """One page of the received calls matching `c` that `rscope` sees, newest first."""
    seen = scope_sql(rscope)
    if seen is None:
        return Page([], page, False)
    cond, args = list(seen[0]), list(seen[1])
    cond.append("direction != 'system'")
    for sql, value in (("start_utc >= ?", c.since), ("start_utc < ?", c.until)):
        if value is not None:
            cond.append(sql)
            args.append(value)
    for column, text in (("branch", c.branch), ("TRIM(extension)", c.extension.strip()),
                         ("direction", c.direction)):
        if text:
            cond.append(f"{column} = ?")
            args.append(text)
    if c.number.strip():
        cond.append("(number LIKE ? OR party LIKE ?)")
        like = "%" + c.number.strip().replace("\\", "").replace("%", "").replace("_", "") + "%"
        args += [like, like]
    sql = (f"SELECT {', '.join(COLUMNS)} FROM central_call WHERE {' AND '.join(f'({x})' for x in cond)} "
           f"ORDER BY start_utc DESC, branch, rid LIMIT {PAGE + 1} OFFSET {(max(1, page) - 1) * PAGE}")
    with connection():
        rows = [dict(zip(COLUMNS, r)) for r in execute(sql, args)]
    for r in rows:
        r["start"] = local_iso(r.pop("start_utc"), r.pop("utc_offset"))
        r["answered"] = bool(r["answered"])
    return Page(rows[:PAGE], max(1, page), len(rows) > PAGE)


def branch_names(rscope: RollupScope) -> list[str]:
    """The branch boxes whose calls the user sees (the search's branch choices)."""
    if scope_sql(rscope) is None:
        return []
    if rscope.accepts is not None:
        return list(rscope.branch_boxes)
    with connection():
        return [r.name for r in CentralBranch.select(CentralBranch.name).order_by(CentralBranch.name)]


def labels() -> dict[str, str]:
    """Each branch box's display name by its identity."""
    with connection():
        return box_labels()


DETAIL = ("branch", "rid", "driver", "call_key", "start_utc", "utc_offset", "direction", "extension", "party", "trunk",
          "ring_s", "talk_s", "answered", "transferred", "account_code", "kind", "number", "cost", "currency",
          "destination", "tariff", "capped", "tenant", "person", "department", "org_branch", "legs")


def detail(rscope: RollupScope, box: str, rid: int) -> dict | None:
    """Branch box `box`'s call `rid` as the box last sent it (its legs decoded, each with its start after the
    call's as "offset_s"), when `rscope` sees it; None otherwise (as for a call that does not exist)."""
    seen = scope_sql(rscope)
    if seen is None:
        return None
    cond = [f"({c})" for c in seen[0]] + ["branch = ?", "rid = ?"]
    with connection():
        rows = execute(f"SELECT {', '.join(DETAIL)} FROM central_call WHERE {' AND '.join(cond)}",
                       [*seen[1], box, rid])
    if not rows:
        return None
    call = dict(zip(DETAIL, rows[0]))
    call["legs"] = [leg | {"offset_s": max(0, int(leg.get("start_utc") or call["start_utc"]) - call["start_utc"])}
                    for leg in json.loads(call["legs"] or "[]")]
    for flag in ("answered", "transferred", "capped"):
        call[flag] = bool(call[flag])
    return call
