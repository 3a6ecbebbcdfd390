"""What the wizard shows of a link: the last lines it brought (from the journal, as capture wrote them), the drivers
that read them, ranked, and the chosen driver's reading of them (direction, extension, number, duration)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from appliance import journal, registry
from appliance.config import Config, ConfigError
from appliance.records import EVENT, CallRecord, NotACallRecord, QueueEvent

log = logging.getLogger(__name__)
SHOWN = 200        # lines looked at (the ranking reads them all)
PREVIEWED = 20     # records shown parsed


def recent(journal_dir: Path, prefixes: tuple[str, ...], count: int = SHOWN) -> list:
    """The last `count` PBX lines (journal entries, events left out) whose source starts with one of `prefixes`."""
    entries = journal.tail(journal_dir, count * 4, skip_flags=EVENT)    # other links' lines may be between them
    return [e for e in entries if e.source.startswith(prefixes)][-count:]


def _local(received_ns: int) -> datetime:
    return datetime.fromtimestamp(received_ns / 1e9, timezone.utc).astimezone()


def parsed(cfg: Config, driver_name: str, entries: list, count: int = PREVIEWED) -> list[dict]:
    """The driver's reading of `entries` (the last `count` records): for each line read, its journal reference and
    start, direction, extension, number, duration (s); "ignored" for a line that is no call (a header, another kind
    of record); or "error", the reason it was not read. One parser for all of them,
    in order: a driver that spreads a call over several lines sees them all."""
    driver, parser, _pbx = registry.driver_parser(cfg, driver_name)
    clock = getattr(parser, "clock", None)
    rows = []
    for entry in entries:
        text = entry.data.rstrip(b"\r\n").decode(driver.ENCODING, "replace")
        row = {"ref": entry.ref_text, "line": text[:300]}
        try:
            if clock is not None:
                clock(_local(entry.received_ns))
            record = parser.parse(text)
        except NotACallRecord as e:
            rows.append({**row, "error": str(e) or "not a call record"})
            continue
        except Exception as e:   # a driver bug on a stranger's line: shown, never a broken page
            rows.append({**row, "error": f"driver error: {type(e).__name__}: {e}"})
            continue
        if record is None:
            rows.append({**row, "ignored": True})
        elif isinstance(record, CallRecord):
            rows.append({**row, "start": record.start.isoformat(sep=" ", timespec="seconds"),
                         "direction": record.direction, "extension": record.extension, "number": record.party,
                         "duration": record.talk_s})
        elif isinstance(record, QueueEvent):
            rows.append({**row, "start": record.time.isoformat(sep=" ", timespec="seconds"), "direction": "queue",
                         "extension": record.agent, "number": record.queue, "event": record.event, "duration": None})
    return rows[-count:]


def look(cfg: Config, journal_dir: Path, prefixes: tuple[str, ...], driver_name: str = "") -> dict:
    """The wizard's live view: {"lines": [{ref, source, text, received}], "ranking": [{driver, name, confidence}],
    "driver": the driver previewed (the one asked for, else the best ranked), "records": its reading, "error"}."""
    entries = recent(journal_dir, prefixes)
    raw = [e.data.rstrip(b"\r\n") for e in entries]
    ranking = [{**r, "name": registry.load(r["driver"]).NAME} for r in (registry.rank(raw) if raw else [])]
    chosen = driver_name or (ranking[0]["driver"] if ranking else "")
    out = {"lines": [{"ref": e.ref_text, "source": e.source, "text": line.decode("utf-8", "replace"),
                      "received": _local(e.received_ns).isoformat(sep=" ", timespec="seconds")}
                     for e, line in zip(entries[-20:], raw[-20:])],
           "count": len(entries), "ranking": ranking, "driver": chosen, "records": [], "error": ""}
    if chosen:
        try:
            out["records"] = parsed(cfg, chosen, entries)
        except (registry.UnknownDriver, ConfigError) as e:
            out["error"] = str(e)
    return out
