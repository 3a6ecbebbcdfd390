"""Stored calls, legs and quarantined lines as the plain dicts the CLI prints (its JSON contract)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from appliance import journal, store
from appliance.capture.framing import strip_terminator
from appliance.rating.stuck import REASONS as STUCK_REASONS

CHUNK = 1000


def _ref(row) -> str:
    return f"{row.jseg}:{row.joff}"


def _common(row) -> dict:
    return {"start": store.local_iso(row.start_utc, row.utc_offset), "direction": row.direction,
            "extension": row.extension, "party": row.party, "trunk": row.trunk, "ring_s": row.ring_s,
            "talk_s": row.talk_s, "answered": bool(row.answered), "transferred": bool(row.transferred),
            "account_code": row.account_code, "driver": row.driver, "call_key": row.call_key}


def call_dicts(since: int | None, until: int | None, explain: Callable | None = None,
               capped_only: bool = False) -> Iterator[dict]:
    """One dict per logical call, oldest first, with the journal references of all its legs and its price;
    `explain(call)` gives the price's explanation (recomputed: it is not stored)."""
    batch = []
    query = store.calls(since, until)
    for call in (query.where(store.Call.capped > 0) if capped_only else query).iterator():
        batch.append(call)
        if len(batch) >= CHUNK:
            yield from with_legs(batch, explain)
            batch = []
    yield from with_legs(batch, explain)


def with_legs(calls: list, explain: Callable | None = None) -> Iterator[dict]:
    """The contract's dict of each call: its fields, the journal references of its legs, its price."""
    legs = store.legs_of([c.id for c in calls])
    for c in calls:
        refs = [_ref(leg) for leg in legs.get(c.id, [])]
        yield {"id": c.id, **_common(c), "legs": c.legs, "raw": refs, "kind": c.kind, "number": c.number,
               "cost": c.cost, "currency": c.currency, "destination": c.destination, "tariff": c.tariff,
               "capped": bool(c.capped), "stuck": STUCK_REASONS.get(c.capped, ""),
               "number_known": None if c.unknown_number is None else not c.unknown_number, "tenant": c.tenant,
               "explain": explain(c) if explain else None}


def stuck_dicts(since: int, rules, limit: int = 200) -> list[dict]:
    """The calls since `since` priced shorter than printed (RAT-5), newest first: when, trunk, extension, number,
    talk time printed and priced, why (cap, overlap), cost. `rules`: the site's appliance.rating.stuck.LineRules."""
    C = store.Call
    out = []
    for c in (C.select().where(C.start_utc >= since, C.capped > 0)
              .order_by(C.start_utc.desc(), C.id.desc()).limit(limit)):
        priced = store.released_s(c) if c.capped == 2 else rules.cap_for(c.trunk)
        out.append({"id": c.id, "start": store.local_iso(c.start_utc, c.utc_offset), "trunk": c.trunk,
                    "extension": c.extension, "number": c.number or c.party, "talk_s": c.talk_s,
                    "priced_s": c.talk_s if priced is None else min(priced, c.talk_s),
                    "reason": STUCK_REASONS.get(c.capped, ""), "cost": c.cost, "currency": c.currency})
    return out


def leg_dicts(since: int | None, until: int | None, extra: Callable[[store.Leg], dict]) -> Iterator[dict]:
    """One dict per leg, oldest first; `extra` re-derives the driver-specific fields from the journal."""
    for leg in store.legs(since, until).iterator():
        yield {"id": leg.id, "call_id": leg.call_id, **_common(leg), "legs": 1, "raw": [_ref(leg)],
               "extra": extra(leg)}


def extra_reader(journal_dir: Path, parser_for: Callable[[str], tuple]) -> Callable[[store.Leg], dict]:
    """A function giving a leg's driver-specific fields by parsing its journal entry again ({} once pruned)."""
    parsers: dict[str, tuple] = {}

    def extra(leg: store.Leg) -> dict:
        entry = journal.read_at(journal_dir, (leg.jseg, leg.joff))
        if entry is None:
            return {}
        if leg.driver not in parsers:
            parsers[leg.driver] = parser_for(leg.driver)
        module, parser = parsers[leg.driver]
        try:
            record = parser.parse(strip_terminator(entry.data).decode(module.ENCODING, "replace"))
        except Exception:   # the driver changed since: the stored columns still stand
            return {}
        return dict(record.extra) if record else {}
    return extra


def quarantine_dicts() -> Iterator[dict]:
    for q in store.quarantined().iterator():
        received = datetime.fromtimestamp(q.received_ns // 10**9, timezone.utc).replace(
            microsecond=q.received_ns % 10**9 // 1000).isoformat(timespec="milliseconds")
        yield {"id": q.id, "ref": _ref(q), "received": received, "source": q.source, "driver": q.driver,
               "reason": q.reason, "line": q.line}


def call_line(row: dict) -> str:
    """A human-readable line for the terminal."""
    flags = ("A" if row["answered"] else "-") + ("T" if row["transferred"] else "-")
    return (f"{row['start']}  {row['direction']:<8} {row['extension']:>6} {row['party']:<20} "
            f"ring {row['ring_s']:>4}s talk {row['talk_s']:>6}s {flags} legs {row['legs']}")
