"""Call data on the web: GET /api/calls for scripts and the home page's last calls, always through access.scope.

Both show only the calls the logged-in user may see, each with the person, department and branch it was
attributed to at its start. Raw PBX lines (quarantined lines) are only shown to users who may see every
call of the box (scope.sees_whole_box). The status page's other parts come from webui.status unchanged.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Iterator

import bottle
from bottle import request, response
from peewee import OperationalError

from appliance import localtime
from appliance.access import scope
from appliance.reports import listing as output
from appliance.reports import received, received_search
from appliance.reports import search as call_search
from webui import db, offload, status
from webui.auth import current_user

log = logging.getLogger(__name__)
CHUNK = 500
SCOPED_RULES = {"/", "/api/status"}    # served here and by webui.home instead of by webui.status: call rows


def _attributed(c: db.Call, att) -> dict[str, Any]:
    return {"person": att.name if att else None, "person_id": att.external_id if att else None,
            "department": att.department if att else None, "branch": att.branch if att else None}


def call_dicts(calls: list[db.Call], pbx_tenant: str) -> list[dict[str, Any]]:
    """The JSON objects of `callbox calls --json` for these calls, plus person, department and branch. On a
    central (calls that carry `box`), also `box`: the branch box a received call came from, "" for this box's own
    (received_search.as_dict)."""
    if any(getattr(c, "box", "") for c in calls):
        own = [c for c in calls if not getattr(c, "box", "")]
        mine = iter(call_dicts(own, pbx_tenant))
        return [next(mine) if not getattr(c, "box", "") else received_search.as_dict(c, getattr(c, "attribution"))
                for c in calls]
    return [{**row, **_attributed(c, att), **({"box": ""} if hasattr(c, "box") else {})}
            for row, c, att in zip(output.with_legs(calls), calls, scope.attributions(calls, pbx_tenant))]


def parse_bound(name: str, value: str | None, tz: tzinfo) -> int | None:
    """An ISO 8601 query parameter as epoch seconds (naive = PBX local time); ValueError naming it."""
    if not value:
        return None
    if "T" in value and " " in value:      # an unencoded '+' of the UTC offset arrives as a space
        value = value.replace(" ", "+")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not an ISO 8601 date or time "
                         "(e.g. 2017-07-01 or 2017-07-01T08:00:00+02:00)") from None
    epoch = localtime.to_utc(dt.replace(microsecond=0), tz)[0]
    return epoch + (1 if dt.microsecond else 0)       # a bound inside a second includes none of it


def calls_of(user, pbx_tenant: str, since: int | None, until: int | None, box: str = "") -> Iterator[db.Call]:
    """The calls of [since, until) the user may see, oldest first; on a central with its branch boxes' calls (those
    the user sees; `box`: that branch box's only), each carrying `box` (received_search)."""
    include_own, seen = received_search.choice(user, pbx_tenant, box)
    own = scope.calls_query(user, pbx_tenant, since, until).iterator() if include_own else iter(())
    if seen is None:
        yield from own
        return
    theirs = received_search.received_rows(call_search.Criteria(since, until), seen, desc=False)
    for call, att in received_search.merged(((c, None) for c in own), theirs, "start", False):
        if not hasattr(call, "box"):
            setattr(call, "box", "")
        elif getattr(call, "box"):
            setattr(call, "attribution", att)
        yield call


def _stream(user, pbx_tenant: str, since: int | None, until: int | None, box: str = "") -> Iterator[str]:
    """The JSON list in pieces, so a month of calls never sits in memory at once."""
    db.callbox_db.connect(reuse_if_open=True)
    try:
        yield "["
        first, batch = True, []
        for call in calls_of(user, pbx_tenant, since, until, box):
            batch.append(call)
            if len(batch) >= CHUNK:
                yield ("" if first else ",") + ",".join(json.dumps(d, ensure_ascii=False)
                                                        for d in call_dicts(batch, pbx_tenant))
                first, batch = False, []
        if batch:
            yield ("" if first else ",") + ",".join(json.dumps(d, ensure_ascii=False)
                                                    for d in call_dicts(batch, pbx_tenant))
        yield "]"
    finally:
        db.callbox_db.close()


KEPT_BODY_CHARS = 256 * 1024     # a reply kept for the next request of the same range is at most this long


def _kept(pieces: Iterator[str], key: tuple, version: tuple | None) -> Iterator[str]:
    """The pieces as they come; the whole reply is kept (webui.db.versioned) when it stays small: a script polling
    the same day's calls gets it without a query until the database changes."""
    seen: list[str] | None = []
    size = 0
    for piece in pieces:
        if seen is not None:
            size += len(piece)
            if size <= KEPT_BODY_CHARS:
                seen.append(piece)
            else:
                seen = None
        yield piece
    if seen is not None:
        db.versioned.keep("api.calls", key, "".join(seen), version)


RECENT_S = 31 * 86400   # the last calls are looked for in this window first (an index range, not a sort)


def _last_calls(user, pbx_tenant: str) -> list:
    """The newest calls the user may see: in the last RECENT_S first, all time only if that has too few."""
    newest = db.newest_call_start()
    if newest is not None:
        rows = list(scope.calls_query(user, pbx_tenant, since=newest - RECENT_S, limit=status.CALLS_SHOWN,
                                      newest_first=True))
        if len(rows) == status.CALLS_SHOWN:
            return rows
    return list(scope.calls_query(user, pbx_tenant, limit=status.CALLS_SHOWN, newest_first=True))


def _scoped_calls(user, pbx_tenant: str, with_totals: bool) -> tuple[bool, list[dict[str, Any]], tuple[int, int]]:
    """(sees the whole box, the newest calls as dicts, the user's (calls, legs) or zeros), in one read transaction."""
    with db.connection(), db.callbox_db.atomic():
        whole = scope.sees_whole_box(user, pbx_tenant)
        rows = _last_calls(user, pbx_tenant)
        calls = [dict(d, start_utc=c.start_utc) for c, d in zip(rows, call_dicts(rows, pbx_tenant))]
        totals = scope.totals(user, pbx_tenant) if with_totals and not whole else (0, 0)
    return whole, calls, totals


def scoped_snapshot(data_dir: Path, user, pbx_tenant: str, with_totals: bool = True) -> dict[str, Any]:
    """The status page's data with only the calls `user` may see. The box's own state (capture and its PBX
    link addresses, link events, journal usage, raw lines, line counts) only for who sees the whole box; others
    get the counts of their own calls (without `with_totals`, zeros: the home page shows the month's instead)."""
    # without calls stored no other tenant's can exist: what sees_whole_box answers then, without the database
    whole = scope.sees_whole_box_while_empty(user, pbx_tenant)
    calls: list[dict[str, Any]] = []
    totals = (0, 0)
    if db.read_access(data_dir):
        try:    # every page load of every user asks: read once per change of the database (webui.db.versioned),
            # then in the threadpool, not on the hub (webui.offload.reading)
            whole, calls, totals = offload.reading(lambda: db.versioned.cached(
                "api.scoped_calls", (scope.kept_key(user), pbx_tenant, with_totals),
                lambda: _scoped_calls(user, pbx_tenant, with_totals)))
            calls = [dict(c) for c in calls]
        except OperationalError:        # the worker has created the file but not the tables yet
            log.warning("database in %s not ready", data_dir, exc_info=True)
    data = status.snapshot(data_dir, with_calls=False, box_wide=whole)     # the calls came scoped, above
    data["calls"] = calls
    if not whole:      # nothing of the whole box: no PBX link addresses, box-wide counts, journal or raw lines
        data.update(counts={"calls": totals[0], "legs": totals[1]}, quarantined=[], events=[],
                    capture=None, journal=None)
    data["whole_box"] = whole
    return data


def routes(data_dir: Path, pbx_tenant: str, tz: tzinfo) -> bottle.Bottle:
    """GET /api/calls, and /api/status with its call rows scoped (webui.home serves /)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)

    @app.get("/api/calls")
    def calls():
        response.set_header("Cache-Control", "no-store")
        try:
            since = parse_bound("since", request.query.get("since"), tz)
            until = parse_bound("until", request.query.get("until"), tz)
        except ValueError as e:
            raise bottle.HTTPResponse(json.dumps({"error": str(e)}), 400, {"Content-Type": "application/json"})
        response.content_type = "application/json; charset=utf-8"
        if not db.read_access(data_dir):
            return "[]"
        user = current_user()
        box = (request.query.decode().get("branch") or "").strip()
        if received.any_received():   # a central: its branch boxes' calls change in another database
            return _stream(user, pbx_tenant, since, until, box)
        key = (scope.kept_key(user), pbx_tenant, since, until)     # users of one scope get the same reply
        body, version = db.versioned.lookup("api.calls", key)
        if body is not None:
            return body
        return _kept(_stream(user, pbx_tenant, since, until), key, version)

    @app.get("/api/status")
    def api():
        response.set_header("Cache-Control", "no-store")
        return scoped_snapshot(data_dir, current_user(), pbx_tenant)

    return app
