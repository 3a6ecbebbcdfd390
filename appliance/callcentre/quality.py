"""Data quality of the queue data: what the KPIs leave out or were sorted out, counted and explained per queue.

Per queue, the queue calls of the period carrying a flag (journeys.PROBLEMS: an unseen ENTERQUEUE, lines out of order,
contradicting events); for the box, the queue_log lines quarantined (malformed, NUL-filled after a crash), the lines
received twice and not stored again (a rotation re-read), and Asterisk's restarts and reloads (QUEUESTART,
CONFIGRELOAD), after which a call may lack its end.
"""
from __future__ import annotations

from appliance.callcentre.journeys import PROBLEMS
from appliance.store.base import db

DRIVER = "asterisk_queue_log"
RELOADS = ("QUEUESTART", "CONFIGRELOAD")


def quality(since: int | None = None, until: int | None = None, queue: str | None = None) -> dict:
    """{"queues": [{"queue", "flagged", "problems": {flag: calls}}], "reloads", "quarantined", "duplicates",
    "definitions"}; calls by the time they entered (or their first event), lines by the time they were received."""
    args: list = []
    where = ["problems != ''"]
    for cond, value in (("entered_utc >= ?", since), ("entered_utc < ?", until), ("queue = ?", queue)):
        if value is not None:
            where.append(cond)
            args.append(value)
    queues: dict[str, dict[str, int]] = {}
    flagged: dict[str, int] = {}
    for q, problems, n in db.execute_sql(f"SELECT queue, problems, COUNT(*) FROM queue_call WHERE {' AND '.join(where)}"
                                         " GROUP BY queue, problems", args):
        flagged[q] = flagged.get(q, 0) + n
        for p in problems.split(","):
            queues.setdefault(q, {})[p] = queues.get(q, {}).get(p, 0) + n
    reload_args: list = []
    reload_where = [f"event IN ({', '.join('?' * len(RELOADS))})"]
    reload_args += RELOADS
    received: list = []
    received_where = ["driver = ?"]
    received.append(DRIVER)
    for cond, value in ((">= ?", since), ("< ?", until)):
        if value is not None:
            reload_where.append(f"at_utc {cond}")
            reload_args.append(value)
            received_where.append(f"received_ns {cond}")
            received.append(value * 10**9)
    reloads = db.execute_sql(f"SELECT COUNT(*) FROM queue_event WHERE {' AND '.join(reload_where)}",
                             reload_args).fetchone()[0]
    quarantined = db.execute_sql(f"SELECT COUNT(*) FROM quarantine WHERE {' AND '.join(received_where)}",
                                 received).fetchone()[0]
    # a duplicate row has no time of its own: every one of the box (they are rare: a file read twice)
    duplicates = db.execute_sql("SELECT COUNT(*) FROM duplicate WHERE driver = ?", (DRIVER,)).fetchone()[0]
    return {"queues": [{"queue": q, "flagged": flagged[q], "problems": dict(sorted(queues[q].items()))}
                       for q in sorted(queues)],
            "reloads": reloads, "quarantined": quarantined, "duplicates": duplicates, "definitions": PROBLEMS}
