"""Queue calls (journeys) from Asterisk queue_log events, to the queue_log documentation (FORMATS.md §8).

A queue call is one ENTERQUEUE: the caller's uniqueid and the queue. Its journey is every event of that uniqueid and
queue from its ENTERQUEUE to the next one: the members rung (RINGNOANSWER with the ring time in ms, RINGCANCELED),
the CONNECT (holdtime|bridged uniqueid|ringtime, or holdtime|bridged uniqueid on older Asterisk), the end of the talk
(COMPLETECALLER/COMPLETEAGENT holdtime|calltime|origposition, TRANSFER/BLINDTRANSFER ...|holdtime|calltime|
origposition, ATTENDEDTRANSFER method|data|holdtime|calltime|origposition) or the exit without an agent (ABANDON,
EXITWITHTIMEOUT, EXITEMPTY position|origposition|waittime, EXITWITHKEY key|position|origposition|waittime).

Materialised, not computed on the fly: at 3,000,000 queue calls a year the KPIs must read one indexed row per call,
not re-sort ten events each. Kept current incrementally and robustly: a journey is a pure function of ALL the stored
events of its uniqueid (build()), and whenever an event of a uniqueid is stored, that uniqueid's journeys are built
again from scratch in the same transaction (refresh()). So the order lines arrive in does not matter, a line stored
twice is not stored twice (ingest/parse.py: queue events are identified by all their fields), a re-processing
rebuilds what it re-derived, and a crash leaves events and journeys consistent. What does not fit the documented
sequence is kept and flagged (PROBLEMS), never raised: the KPIs count only calls whose ENTERQUEUE was seen.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Iterable

from appliance.callcentre import hours
from appliance.store.base import IMMEDIATE, db
from appliance.store.callcentre import QUEUE_CALL_COLUMNS

log = logging.getLogger(__name__)
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

EXITS = {"ABANDON": "abandoned", "EXITWITHTIMEOUT": "timeout", "EXITEMPTY": "exit_empty", "EXITWITHKEY": "exit_key"}
ENDS = ("COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
RINGS = ("RINGNOANSWER", "RINGCANCELED")
# the events of a caller's journey (all others, with a uniqueid or not, are the members' and the system's)
CALL_EVENTS = frozenset(("ENTERQUEUE", "CONNECT", "DID", *RINGS, *ENDS, *EXITS))
# Events logged in the same second are ordered as they happen in a queue call: entering, ringing and answering,
# ending; then by journal order.
_RANK = {"ENTERQUEUE": 0, **{e: 2 for e in ENDS}, **{e: 2 for e in EXITS}}
# data-quality flags of a journey (QueueCall.problems): kept, counted by `callbox queue quality`, never raised
PROBLEMS = {
    "no_enterqueue": "events of a call whose ENTERQUEUE was never seen (a log rotated away, a capture begun mid-call): "
                     "not counted in the KPIs",
    "out_of_order": "its lines arrived in another order than their times (sorted by time; the KPIs are unaffected)",
    "two_connects": "more than one CONNECT: the first one counts",
    "two_ends": "more than one end or exit event: the first one counts",
    "connect_and_exit": "both a CONNECT and an exit event (ABANDON, EXIT*): answered",
    "end_without_connect": "COMPLETE*/TRANSFER without a CONNECT: not counted as answered",
    "bad_params": "an event whose parameters are not what the documentation gives: ignored",
}
_BATCH = 500   # uniqueids per SELECT (SQLite's default variable limit is far above)


@dataclass
class Journey:
    """One queue call as it is stored (store/callcentre.py QueueCall has the meaning of each field)."""
    id: int
    driver: str
    call_key: str
    queue: str
    entered_utc: int
    seen_enter: int = 0
    caller: str = ""
    url: str = ""
    did: str = ""
    position: int | None = None
    outcome: str = ""
    wait_s: int | None = None
    agent: str = ""
    ring_s: int | None = None
    bridged: str = ""
    end_event: str = ""
    talk_s: int | None = None
    transfer_to: str = ""
    exit_key: str = ""
    exit_position: int | None = None
    end_utc: int | None = None
    rings: list = field(default_factory=list)
    rna: int = 0
    problems: list[str] = field(default_factory=list)
    closed: int | None = None      # classified by the opening hours later (opening.classify)

    def flag(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def row(self) -> tuple:
        values = {**self.__dict__, "rings": _json(self.rings), "problems": ",".join(self.problems)}
        return tuple(values[c] for c in QUEUE_CALL_COLUMNS)


def _int(text: str) -> int:
    return int(text)   # the driver checked the documented numeric parameters (drivers/asterisk_queue_log.py)


def _enter(j: Journey, at: int, params: list[str]) -> None:
    j.seen_enter, j.entered_utc = 1, at
    j.url, j.caller = (params + ["", ""])[:2]
    j.position = _int(params[2]) if len(params) > 2 and params[2] else None


def _connect(j: Journey, agent: str, params: list[str]) -> None:
    # holdtime|bridgedchanneluniqueid|ringtime; holdtime|bridgedchanneluniqueid before ringtime was added
    wait, ring = _int(params[0]), _int(params[2]) if len(params) > 2 else None
    if j.outcome == "answered":
        j.flag("two_connects")
        return
    if j.outcome:
        j.flag("connect_and_exit")   # answered wins: an agent talked to the caller
    j.outcome, j.agent, j.wait_s, j.ring_s = "answered", agent, wait, ring
    j.bridged = params[1] if len(params) > 1 else ""
    j.exit_key, j.exit_position = "", None


def _end(j: Journey, at: int, event: str, agent: str, params: list[str]) -> None:
    # COMPLETE*: holdtime|calltime|origposition; TRANSFER, BLINDTRANSFER: extension|context|holdtime|calltime|
    # origposition; ATTENDEDTRANSFER: method|method-data(1 or 2)|holdtime|calltime|origposition: calltime 2nd last
    talk = _int(params[1] if event.startswith("COMPLETE") else params[-2])
    if j.end_event:
        j.flag("two_ends")
        return
    if j.outcome != "answered":
        j.flag("end_without_connect")
    j.end_event, j.end_utc, j.talk_s = event, at, talk
    if event in ("TRANSFER", "BLINDTRANSFER"):
        j.transfer_to = f"{params[0]}@{params[1]}"
    elif event == "ATTENDEDTRANSFER":
        j.transfer_to = ":".join(params[:-3])
    if not j.agent:
        j.agent = agent


def _exit(j: Journey, at: int, event: str, params: list[str]) -> None:
    if j.outcome == "answered":
        j.flag("connect_and_exit")
        return
    if j.outcome:
        j.flag("two_ends")
        return
    key, params = (params[0], params[1:]) if event == "EXITWITHKEY" else ("", params)   # key|position|...
    j.outcome, j.exit_position, j.wait_s, j.end_utc = EXITS[event], _int(params[0]), _int(params[2]), at
    j.exit_key = key


def _apply(j: Journey, at: int, agent: str, event: str, params: list[str]) -> None:
    if event == "ENTERQUEUE":
        _enter(j, at, params)
    elif event in RINGS:   # RINGNOANSWER ringtime ms; RINGCANCELED without params, or with the ringtime (newer)
        j.rings.append([agent, event, _int(params[0]) if params and params[0] else None, at])
        j.rna += event == "RINGNOANSWER"
    elif event == "CONNECT":
        _connect(j, agent, params)
    elif event in ENDS:
        _end(j, at, event, agent, params)
    elif event in EXITS:
        _exit(j, at, event, params)


def build(driver: str, events: Iterable[tuple]) -> list[Journey]:
    """The journeys of one uniqueid's events: (id, at_utc, call_key, queue, agent, event, params JSON) rows."""
    dids: list[str] = []
    by_queue: dict[str, list[tuple]] = {}
    for ev in events:
        if ev[5] == "DID":   # FreePBX logs the DID before ENTERQUEUE, under the queue or NONE: the call's, any queue
            dids.extend(json.loads(ev[6])[:1])
        elif ev[5] in CALL_EVENTS:
            by_queue.setdefault(ev[3], []).append(ev)
    journeys: list[Journey] = []
    for queue, evs in sorted(by_queue.items()):
        ordered = sorted(evs, key=lambda e: (e[1], _RANK.get(e[5], 1), e[0]))
        late = [e[0] for e in ordered] != sorted(e[0] for e in ordered)
        current: Journey | None = None
        for ev_id, at, key, _, agent, event, params in ordered:
            if event == "ENTERQUEUE" or current is None:
                current = Journey(ev_id, driver, key, queue, at, did=dids[0] if dids else "")
                journeys.append(current)
                if event != "ENTERQUEUE":
                    current.flag("no_enterqueue")
            try:
                _apply(current, at, agent, event, json.loads(params))
            except (ValueError, IndexError, TypeError):   # stored by another driver version: never stop the worker
                current.flag("bad_params")
        if late:
            for j in journeys:
                if j.queue == queue:
                    j.flag("out_of_order")
    return journeys


def _select_events(driver: str, keys: list[str]) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for i in range(0, len(keys), _BATCH):
        chunk = keys[i:i + _BATCH]
        rows = db.execute_sql("SELECT id, at_utc, call_key, queue, agent, event, params FROM queue_event "
                              f"WHERE call_key IN ({', '.join('?' * len(chunk))}) AND driver = ?", (*chunk, driver))
        for row in rows:
            found.setdefault(row[2], []).append(row)
    return found


def refresh(driver: str, keys: Iterable[str]) -> int:
    """Build the journeys of these uniqueids again from their stored events (in the caller's transaction);
    return how many are stored now."""
    keys = sorted({k for k in keys if k})
    if not keys:
        return 0
    events = _select_events(driver, keys)
    rows = [j.row() for k in keys for j in build(driver, events.get(k, ()))]
    hours.mark(db.connection(), driver, keys)     # the hours they entered in before (the KPI roll-ups)
    for i in range(0, len(keys), _BATCH):
        chunk = keys[i:i + _BATCH]
        db.execute_sql(f"DELETE FROM queue_call WHERE driver = ? AND call_key IN ({', '.join('?' * len(chunk))})",
                       (driver, *chunk))
    if rows:
        db.connection().executemany(f"INSERT INTO queue_call ({', '.join(QUEUE_CALL_COLUMNS)}) "
                                    f"VALUES ({', '.join('?' * len(QUEUE_CALL_COLUMNS))})", rows)
        hours.mark(db.connection(), driver, keys)     # and after
    return len(rows)


def rebuild_all(batch: int = 20000) -> int:
    """Every journey again from every stored queue event (an upgraded database, `callbox queue rebuild`)."""
    total = 0
    with db.atomic(IMMEDIATE):
        db.execute_sql("DELETE FROM queue_call")
        pairs = db.execute_sql("SELECT DISTINCT driver, call_key FROM queue_event WHERE call_key != '' "
                               "ORDER BY driver, call_key").fetchall()
        by_driver: dict[str, list[str]] = {}
        for driver, key in pairs:
            by_driver.setdefault(driver, []).append(key)
        for driver, keys in by_driver.items():
            for i in range(0, len(keys), batch):
                total += refresh(driver, keys[i:i + batch])
        db.execute_sql("INSERT OR REPLACE INTO queue_state (key, value) VALUES ('built', '1')")
        db.execute_sql("DELETE FROM queue_state WHERE key = 'hours_built'")   # the roll-ups: summed again when idle
    log.info("queue calls rebuilt from the queue events: %d", total)
    return total


def ensure_built() -> None:
    """Build every journey once on a database whose queue events predate the journeys (an upgrade)."""
    if db.execute_sql("SELECT value FROM queue_state WHERE key = 'built'").fetchone() is None:
        rebuild_all()


def of_call(call_key: str) -> list[dict]:
    """The queue calls of a call of the CDR (its uniqueid/linkedid is the caller's uniqueid in queue_log), in the order
    they entered: each queue, the wait, who was rung and for how long, who answered, the talk, how it ended."""
    if not call_key:
        return []
    rows = db.execute_sql(
        "SELECT id, queue, entered_utc, outcome, wait_s, agent, talk_s, end_event, transfer_to, rings FROM queue_call "
        "WHERE call_key = ? AND seen_enter = 1 ORDER BY entered_utc, id", (call_key,)).fetchall()
    names = ("id", "queue", "entered_utc", "outcome", "wait_s", "agent", "talk_s", "end_event", "transfer_to")
    out = []
    for *values, rings in rows:
        item = dict(zip(names, values))
        item["rings"] = [{"agent": a, "event": e, "ms": ms} for a, e, ms, *_ in json.loads(rings)]
        out.append(item)
    return out
