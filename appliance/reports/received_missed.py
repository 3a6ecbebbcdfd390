"""The missed-calls report's facts of a central's received incoming calls (issue 18; store/central_missed.py): worked
out per call when it arrives (`rows_of`, the rule of missed.outcome over the legs the branch sent, as
received_traffic.raw_missed_tally applies it call by call), then summed in SQL per branch box and extension or
person (`tally`), on SQLite or PostgreSQL. `backfill` fills them once for the calls a central of an older release
received.
"""
from __future__ import annotations

import json

from appliance.reports import missed as report_missed
from appliance.reports.received_search import attribution
from appliance.store.central_db import central_db, connection, execute, is_postgres, sql, transaction
from appliance.store.central_missed import MISSED_COLUMNS, CentralMissed
from appliance.store.sync import CentralBranch

Seen = tuple[list[str], list]
CALL_FIELDS = ("direction", "start_utc", "driver", "extension", "person", "tenant", "legs")
_STATE = {None: report_missed.ANSWERED, "direct": report_missed.MISSED_DIRECT,
          "transferred": report_missed.MISSED_TRANSFERRED}
CHUNK = 500


def rows_of(branch: str, rid: int, call: dict, seg_cache: dict[str, bool]) -> list[tuple]:
    """The central_missed rows (MISSED_COLUMNS) of received call `rid` of `branch` (its fields CALL_FIELDS); none
    when it is not incoming."""
    if call["direction"] != "in":
        return []
    legs = sorted(json.loads(call["legs"] or "[]"), key=lambda leg: leg.get("id", 0))
    segments = report_missed._segments(call["driver"], seg_cache)
    result = report_missed.outcome(report_missed.timeline(report_missed._ordered(
        [(leg["start_utc"], leg["ring_s"], leg["talk_s"], bool(leg["answered"]), leg["extension"] or "")
         for leg in legs], segments), segments))
    who = attribution(call["person"], "", "")
    own = (call["extension"] or "").strip()
    start, tenant = call["start_utc"], call["tenant"] or ""
    out = []
    for ext, (state, ring) in result.per_extension.items():
        owner = who if who is not None and ext == own else None
        out.append(dict(branch=branch, rid=rid, tenant=tenant, start_utc=start, ext=ext,
                        owner=owner.external_id if owner else "", name=owner.name if owner else "", state=state,
                        ring_s=ring))
    out.append(dict(branch=branch, rid=rid, tenant=tenant, start_utc=start, ext="", owner="", name="",
                    state=_STATE[result.missed] if result.per_extension else "", ring_s=result.wait_s))
    return [tuple(r[c] for c in MISSED_COLUMNS) for r in out]


def replace(branch: str, rids: list[int], rows: list[tuple]) -> None:
    """The missed rows of calls `rids` of `branch` are now `rows` (in the caller's transaction)."""
    for lo in range(0, len(rids), CHUNK):
        CentralMissed.delete().where(CentralMissed.branch == branch,
                                     CentralMissed.rid.in_(rids[lo:lo + CHUNK])).execute()
    one = "(" + ", ".join("?" * len(MISSED_COLUMNS)) + ")"
    for lo in range(0, len(rows), CHUNK):     # plain multi-row INSERTs: peewee's would cost more than the rule
        part = rows[lo:lo + CHUNK]
        central_db.execute_sql(sql(f"INSERT INTO central_missed ({', '.join(MISSED_COLUMNS)}) VALUES "
                                   + ", ".join([one] * len(part))), [v for r in part for v in r])


def backfill() -> int:
    """Fill the missed rows of the boxes whose calls arrived before them (central_branch.missed_built = 0), each box
    in one transaction with its row locked (its batches wait); the number of calls done."""
    done = 0
    with connection():
        names = [b.name for b in CentralBranch.select(CentralBranch.name).where(CentralBranch.missed_built == 0)]
    for name in names:
        with connection(), transaction():
            q = CentralBranch.select().where(CentralBranch.name == name)
            (q.for_update() if is_postgres() else q).get()
            cache: dict[str, bool] = {}
            CentralMissed.delete().where(CentralMissed.branch == name).execute()
            last = -1
            while True:
                calls = execute(f"SELECT rid, {', '.join(CALL_FIELDS)} FROM central_call WHERE branch = ? "
                                "AND direction = 'in' AND rid > ? ORDER BY rid LIMIT 2000", [name, last])
                if not calls:
                    break
                rows = [r for c in calls for r in rows_of(name, c[0], dict(zip(CALL_FIELDS, c[1:])), cache)]
                replace(name, [], rows)
                done += len(calls)
                last = calls[-1][0]
            CentralBranch.update(missed_built=1).where(CentralBranch.name == name).execute()
    return done


def unbuilt() -> list[str]:
    """The boxes whose missed rows do not cover all their calls yet (backfill has not run since an upgrade)."""
    with connection():
        return [b.name for b in CentralBranch.select(CentralBranch.name).where(CentralBranch.missed_built == 0)]


def tally(t: report_missed.Tally, seen: Seen, since: int, until: int) -> None:
    """Add the received incoming calls of [since, until) within `seen` to `t`, a row per branch box and extension (or
    person), from the missed rows in SQL: the figures received_traffic.raw_missed_tally reads call by call."""
    cond = [f"({c})" for c in seen[0]] + ["start_utc >= ?", "start_utc < ?"]
    args = list(seen[1]) + [since, until]
    where = " AND ".join(cond)
    key = "ext" if t.by == "extension" else "CASE WHEN owner != '' THEN owner ELSE 'ext:' || ext END"
    with connection():
        sums = execute(f"SELECT branch, {key}, state, COUNT(*), SUM(ring_s) FROM central_missed WHERE {where} "
                       f"AND ext != '' GROUP BY branch, {key}, state", args)
        firsts = execute(f"SELECT branch, k, name FROM (SELECT branch, {key} AS k, name, ROW_NUMBER() OVER "
                         f"(PARTITION BY branch, {key} ORDER BY start_utc, rid) AS n FROM central_missed "
                         f"WHERE {where} AND ext != '') f WHERE n = 1", args)
        exts = execute(f"SELECT DISTINCT branch, {key}, ext FROM central_missed WHERE {where} AND ext != ''", args)
        totals = execute(f"SELECT state, COUNT(*), SUM(ring_s) FROM central_missed WHERE {where} AND ext = '' "
                         "AND state != '' GROUP BY state", args)
    rows: dict[tuple[str, str], report_missed.MissedRow] = {}
    for branch, k, name in firsts:
        rows[(branch, k)] = report_missed.MissedRow(k, name, branch=branch)
    for branch, k, ext in exts:
        rows[(branch, k)].extensions.append(ext)
    for branch, k, state, n, ring in sums:
        _add(rows[(branch, k)], state, int(n), int(ring or 0))
    for state, n, ring in totals:
        _add(t.total, state, int(n), int(ring or 0))
    for (branch, k), row in rows.items():
        t.rows[f"{branch}\x00{k}"] = row


def _add(row: report_missed.MissedRow, state: str, n: int, ring: int) -> None:
    """`n` calls of one state (missed.MissedRow.add's rule, summed)."""
    row.offered += n
    if state == report_missed.ANSWERED:
        row.answered += n
    elif state == report_missed.ELSEWHERE:
        row.answered_elsewhere += n
    else:
        row.missed_direct += n if state == report_missed.MISSED_DIRECT else 0
        row.missed_transferred += n if state == report_missed.MISSED_TRANSFERRED else 0
        row.ring_missed_s += ring
