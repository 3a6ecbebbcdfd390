"""The box's status: capture and PBX link state, counters, journal usage, the last calls and quarantined lines.

webui.home shows it (templates/status.tpl, a part of home.tpl) to whoever sees the whole box; webui.api
serves it scoped as /api/status. User-visible text lives in the templates; this module only gathers data.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import bottle
from peewee import OperationalError

from appliance import journal
from webui import db
from webui import event_text  # noqa: F401  (link_detail: the template's words for e['text'])

log = logging.getLogger(__name__)

STALE_S = 10.0          # capture rewrites run/capture.json every few seconds; older means it is not running
REFRESH_S = 5
CALLS_SHOWN = 20
QUARANTINE_SHOWN = 10
EVENTS_SHOWN = 10
COUNT_KEYS = ("calls", "legs", "quarantined", "unknown_numbers", "lines", "ignored")


def hms(seconds: int) -> str:
    """Duration as h:mm:ss."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _utc_ns(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def capture_status(path: Path, now: float | None = None) -> dict[str, Any]:
    """The capture process's status file, plus `state`: running, stale, missing or unreadable."""
    out: dict[str, Any] = {"state": "missing", "age_s": None, "pid": None, "url": "", "lines": None,
                           "bytes": None, "last_line_at": None, "backlog": None, "links": [], "listener": None}
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
        raw = json.loads(path.read_text(encoding="utf-8"))
        links = [{"source": str(src), "state": str(v.get("state", "")), "since": str(v.get("since", "")),
                  "detail": str(v.get("detail", "")),       # its key and fields, as a link event's (event_text)
                  "text": json.dumps(v["text"], ensure_ascii=False) if isinstance(v.get("text"), dict) else ""}
                 for src, v in sorted((raw.get("links") or {}).items())]
        out.update({k: raw.get(k) for k in ("pid", "url", "lines", "bytes", "last_line_at", "backlog")})
        listener = raw.get("listener")       # tcp-listen: connections now, refused and dropped since the start
        if isinstance(listener, dict):
            out["listener"] = {k: int(listener.get(k) or 0) for k in ("connections", "refused", "dropped")}
    except FileNotFoundError:
        return out
    except (OSError, ValueError, AttributeError, TypeError):   # half-written or not the expected shape
        log.warning("cannot read %s", path, exc_info=True)
        return dict(out, state="unreadable")
    out.update(state="stale" if age > STALE_S else "running", age_s=round(age, 1), links=links)
    return out


def _call(c: db.Call) -> dict[str, Any]:
    return {"id": c.id, "start": db.local_iso(c.start_utc, c.utc_offset), "start_utc": c.start_utc,
            "direction": c.direction, "driver": c.driver, "extension": c.extension, "party": c.party, "trunk": c.trunk,
            "ring_s": c.ring_s, "talk_s": c.talk_s, "answered": bool(c.answered),
            "transferred": bool(c.transferred), "legs": c.legs}


def _quarantined(q: db.Quarantine) -> dict[str, Any]:
    return {"ref": f"{q.jseg}:{q.joff}", "received": _utc_ns(q.received_ns), "source": q.source,
            "reason": q.reason, "line": q.line}


def _event(e: db.LinkEvent) -> dict[str, Any]:
    return {"at": _utc_ns(e.at_ns), "source": e.source, "event": e.event, "detail": e.detail,
            "ref": f"{e.jseg}:{e.joff}", "text": e.text}


def _from_store(data_dir: Path, with_calls: bool = True, box_wide: bool = True) -> dict[str, Any]:
    empty: dict[str, Any] = {"counts": dict.fromkeys(COUNT_KEYS, 0), "calls": [], "quarantined": [],
                             "events": []}
    if not db.read_access(data_dir) or not (with_calls or box_wide):
        return empty
    was_closed = db.callbox_db.is_closed()
    if was_closed:
        db.callbox_db.connect()
    try:
        with db.callbox_db.atomic():     # one read transaction: counts and rows from the same snapshot
            counts = db.counts()
            return {"counts": counts,
                    "calls": ([_call(c) for c in db.calls(limit=CALLS_SHOWN, newest_first=True)]
                              if with_calls else []),
                    "quarantined": [_quarantined(q) for q in db.quarantined(QUARANTINE_SHOWN, newest_first=True)],
                    "events": [_event(e) for e in db.last_events(EVENTS_SHOWN)]}
    except OperationalError:        # the worker has created the file but not the tables yet
        log.warning("database %s not ready", data_dir / "callbox.db", exc_info=True)
        return empty
    finally:
        if was_closed:
            db.callbox_db.close()


def _journal_usage(directory: Path) -> dict[str, int]:
    segments, size = journal.usage(directory)
    return {"segments": segments, "bytes": size}


def snapshot(data_dir: Path, with_calls: bool = True, box_wide: bool = True) -> dict[str, Any]:
    """Everything the status page shows, JSON-serialisable (the last calls unscoped, unless not wanted). Without
    `with_calls` and `box_wide` (a user who sees part of the box), the store is not read at all: its box-wide
    counts (a scan of every call) would only be thrown away."""
    # read once per change of the database (webui.db.versioned): every home page of whoever sees the whole box asks
    data = dict(db.versioned.cached("status.store", (str(data_dir), with_calls, box_wide),
                                    lambda: _from_store(data_dir, with_calls, box_wide)))
    data["capture"] = capture_status(data_dir / "run" / "capture.json")
    data["journal"] = _journal_usage(data_dir / "journal")
    data["generated_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return data


def routes(data_dir: Path) -> bottle.Bottle:
    """GET /api/status unscoped (webui.app merges webui.api's scoped one instead)."""
    app = bottle.Bottle()

    @app.get("/api/status")
    def api():
        bottle.response.set_header("Cache-Control", "no-store")
        return snapshot(data_dir)

    return app
