"""Named time ranges: /reports/timeranges lists, adds and deletes them (administrators: webui.auth ADMIN_ONLY).

Every tenant's reports use the same ranges, so only administrators of the whole box change them (webui.auth
SHARED_WRITES); a tenant's administrator sees them read-only. Written through webui.db.write_access (the web
process opens callbox.db read-only).
"""
from __future__ import annotations

from pathlib import Path

import bottle
from bottle import request
from peewee import OperationalError

from appliance.reports import ranges as report_ranges
from webui import db
from webui.auth import csrf_token, current_user, may_change_shared
from webui.i18n import _
from webui.reports import common as rp


def routes(data_dir: Path) -> bottle.Bottle:
    """GET/POST /reports/timeranges and POST /reports/timeranges/delete (administrators: webui.auth ADMIN_ONLY)."""
    app = bottle.Bottle()

    def show(code: int = 200, error: str = "", done: str = "", v: dict | None = None):
        try:
            found = rp.offload(data_dir, lambda: (report_ranges.time_ranges(), db.time_range_names()))
        except (rp.NoData, OperationalError):
            found = (rp.default_ranges(), set())
        ranges, custom = found
        return rp.render("report_timeranges", code, ranges=ranges, custom=custom, error=error, done=done,
                         csrf=csrf_token(), v=v or {}, defaults=report_ranges.DEFAULT_TIME_RANGES,
                         may_change=may_change_shared(current_user()),
                         shown=lambda t: _(rp.TIME_RANGE_LABELS.get(t.label, t.label)))

    @app.get("/reports/timeranges")
    def timeranges():
        return show(done=request.query.get("done", ""))

    @app.post("/reports/timeranges")
    def save_timerange():
        f = request.forms.decode()
        v = {k: f.get(k, "").strip() for k in ("name", "label", "days", "start", "end")}
        try:
            with db.write_access(data_dir, rp.WRITES):
                report_ranges.set_time_range(v["name"], v["days"], v["start"], v["end"], v["label"])
        except report_ranges.RangeError as e:
            return show(400, str(e), v=v)
        bottle.redirect("/reports/timeranges?done=saved", 303)

    @app.post("/reports/timeranges/delete")
    def delete_timerange():
        name = request.forms.decode().get("name", "")
        with db.write_access(data_dir, rp.WRITES):
            report_ranges.delete_time_range(name)
        bottle.redirect("/reports/timeranges?done=deleted", 303)

    return app
