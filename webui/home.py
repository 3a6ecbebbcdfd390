"""The home page (/), per role: everyone's recent calls and this month's totals in their scope; for whoever
sees the whole box, also its health (PBX links, last record, quarantine, journal, disk) and capture status."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import bottle
from bottle import request, response
from peewee import DatabaseError, OperationalError

from appliance import config, health, localtime
from appliance.access import scope
from appliance.rating import transfers
from appliance.reports import search as call_search
from webui import TEMPLATE_LOOKUP, api, db, offload, overview, status
from webui.auth import current_user
from webui.i18n import _, fmt_at, term
from webui.sorting import Column, amount, sort_list

log = logging.getLogger(__name__)
# The page refreshes itself every few seconds: the month's totals (a month of rows, costs summed exactly in
# Python) and the health probes are kept this long per user instead of being recomputed on every refresh.
TOTALS_TTL_S = 60
HEALTH_TTL_S = 5
_cache: dict[tuple, tuple[float, Any]] = {}


def _cached(key: tuple, ttl: float, now: float, compute):
    hit = _cache.get(key)
    if hit is not None and 0 <= now - hit[0] < ttl:
        return hit[1]
    value = compute()
    if len(_cache) > 1000:       # many users or data dirs (tests): start again rather than grow
        _cache.clear()
    _cache[key] = (now, value)
    return value


def _month(data_dir: Path, user, pbx_tenant: str, tz, now: float, charge: str = "first") -> dict[str, Any]:
    since, until, year, month = call_search.month_bounds(now, tz)
    totals = call_search.Totals()
    if db.read_access(data_dir):
        try:
            def work() -> call_search.Totals:    # in the threadpool: kept per minute (TOTALS_TTL_S), not here
                with db.connection():
                    return call_search.totals(user, pbx_tenant, call_search.Criteria(since=since, until=until),
                                              charge)
            totals = offload.blocking(work)
        except OperationalError:        # the worker has created the file but not the tables yet
            log.warning("database in %s not ready", data_dir, exc_info=True)
    return {"totals": totals, "year": year, "month": month}


def _health(data_dir: Path, cfg: config.Config, now: float) -> health.Health | None:
    try:
        return health.snapshot(data_dir, cfg, now)
    except Exception:       # the page must still show the calls when a health probe breaks
        log.exception("health snapshot failed")
        return None


def _without_calls(data_dir: Path, user, now: float, tz) -> dict[str, Any]:
    """The page's data when the database cannot be read: no calls, no totals, the box's health (with the
    database's error) only for an administrator of the whole box (sees_whole_box needs the calls)."""
    try:
        data = status.snapshot(data_dir, with_calls=False)
    except DatabaseError:
        data = {"counts": {}, "quarantined": [], "capture": status.capture_status(data_dir / "run" / "capture.json"),
                "journal": {}}
    _, _, year, month = call_search.month_bounds(now, tz)
    whole = user.scope == "all" and user.is_admin
    return {**data, "calls": [], "whole_box": whole, "quarantined": data.get("quarantined", []) if whole else [],
            "totals": call_search.Totals(), "year": year, "month": month}


def home_data(data_dir: Path, cfg: config.Config, user, now: float | None = None) -> dict[str, Any]:
    """Everything the home page shows to `user`."""
    now = time.time() if now is None else now
    pbx = cfg.section("pbx")
    try:
        data = api.scoped_snapshot(data_dir, user, pbx.tenant, with_totals=False)
        data.update(_cached(("month", str(data_dir), scope.kept_key(user)), TOTALS_TTL_S, now,
                            lambda: _month(data_dir, user, pbx.tenant, localtime.zone(pbx.timezone), now,
                                           transfers.rule(cfg))))
    except DatabaseError as e:   # "database disk image is malformed": the page still opens and says so
        log.error("home page without calls: %s", e)
        data = _without_calls(data_dir, user, now, localtime.zone(pbx.timezone))
    data["health"] = (_cached(("health", str(data_dir)), HEALTH_TTL_S, now, lambda: _health(data_dir, cfg, now))
                      if data["whole_box"] else None)
    data["sync"] = (_cached(("sync", str(data_dir)), HEALTH_TTL_S, now,
                            lambda: db.sync_status(data_dir, cfg.section("sync").central))
                    if data["whole_box"] else None)
    data["overview"] = _cached(("overview", str(data_dir), scope.kept_key(user)), TOTALS_TTL_S, now,
                               lambda: _overview(data_dir, cfg, user, now))
    return data


def _overview(data_dir: Path, cfg: config.Config, user, now: float) -> overview.Overview | None:
    pbx = cfg.section("pbx")
    try:
        return overview.build(data_dir, user, pbx.tenant, localtime.zone(pbx.timezone), now, transfers.rule(cfg))
    except overview.rp.NoData:
        return None
    except (DatabaseError, ValueError) as e:     # the page still opens: the overview is a help, not the point
        log.warning("home page overview: %s", e)
        return None


def tables(data: dict[str, Any], query) -> dict[str, Any]:
    """The page's tables, each sorted by any column and cut to its top N (webui.sorting; ?NAME_sort, _desc, _top):
    the month's boxes (the TOP first by cost unless asked), the missed callers (the newest first) and the last
    calls."""
    o = data.get("overview")
    out: dict[str, Any] = {"boxes": [], "callers": None, "hours": None}
    if o is not None:
        # charted here, not in the cached overview: its legend in this reader's language (it was English)
        out["hours"] = overview.rp.result_chart(o.hours) if o.hours is not None else None
        for name, title, dim, rows in (("people", _("Top people by cost"), "person", o.people),
                                       ("destinations", _("Top destinations by cost"), "destination", o.destinations),
                                       ("departments", _("Cost per department"), "department", o.departments)):
            if rows:
                heading = {"person": _("Person"), "destination": _("Destination"), "department": _("Department")}[dim]
                cols = [Column(heading, lambda r, d=dim: None if r[0] in (None, "") else overview.rp.dim_text(d, r[0])),
                        Column(_("Calls"), lambda r: r[1], True), Column(_("Cost"), lambda r: amount(r[2]), True)]
                out["boxes"].append((title, dim, sort_list(name, rows, cols, query, "/", overview.TOP)))
        if o.not_called_back:
            cols = [Column(_("Start (local)"), lambda c: c.start_utc, True), Column(_("Number"), lambda c: c.party),
                    Column(_("Extension"), lambda c: c.extension), Column(_("Ring"), lambda c: c.ring_s, True)]
            out["callers"] = sort_list("callers", o.not_called_back, cols, query, "/", overview.TOP)
    cols = [Column(_("Start (local)"), lambda c: c["start_utc"], True),
            Column(_("Direction"), lambda c: term(c["direction"])),
            Column(_("Extension"), lambda c: c["extension"]), Column(_("Party"), lambda c: c["party"]),
            Column(_("Trunk"), lambda c: c["trunk"]), Column(_("Ring"), lambda c: c["ring_s"], True),
            Column(_("Talk"), lambda c: c["talk_s"], True), Column(_("Answered"), lambda c: int(c["answered"])),
            Column(_("Transferred"), lambda c: int(c["transferred"])),
            Column(_("Cost"), lambda c: amount(c.get("cost")), True),
            Column(_("Legs"), lambda c: c["legs"], True)]
    out["last"] = sort_list("last", data.get("calls") or [], cols, query, "/")
    return out


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET / (the home page)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)

    @app.get("/")
    def page():
        response.set_header("Cache-Control", "no-store")
        user = current_user()
        zone = localtime.zone(cfg.section("pbx").timezone)
        data = home_data(data_dir, cfg, user)
        return bottle.template("home", template_lookup=TEMPLATE_LOOKUP, hms=status.hms, user=user,
                               updated=fmt_at(int(time.time()), zone, "medium"), refresh=status.REFRESH_S,
                               rp_dim=overview.rp.dim_text, **data, **tables(data, request.query))

    return app
