"""The schedules page (/schedules, administrators of the whole box): report schedules (REP-10) listed with their
next and last run, added from a form, removed, sent now.

A schedule belongs to no tenant and may upload every call of the box, so only administrators with scope all
manage them (webui.auth BOX_ADMIN), as with `callbox schedule`. Each recipient still gets the report in their
own scope when it runs (appliance/delivery/schedules.py). Adding, removing and asking for a run ("Send now") write the
schedule tables only, through webui.db.write_access (the web process opens callbox.db read-only); the
jobs process runs them, a requested run at its next check (within a minute), as `callbox schedule run-now`.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import bottle
from bottle import request, response
from peewee import OperationalError

from appliance import config, localtime
from appliance.delivery import schedules, upload
from appliance.reports.ranges import DATE_RANGES
from webui import TEMPLATE_LOOKUP, db, row_id
from webui.auth import csrf_token, current_user
from webui.i18n import N_, _, fmt_at
from webui.reports.common import RANGE_LABELS

log = logging.getLogger(__name__)
FIELDS = ("name", "when", "report", "range", "recipients", "upload", "upload_name", "upload_as", "branch")
OUTCOMES = {"ok": N_("sent"), "partial": N_("partly sent"), "failed": N_("failed"), "nothing": N_("nothing to send")}
# What the outbox made of the last run's copies (schedules.delivery): an outcome "ok" only says they were queued.
DELIVERY = {"queued": N_("queued"), "sent": N_("sent"), "failed": N_("failed")}


def warnings(cfg: config.Config, upload_targets=()) -> list[str]:
    """The configuration problems that make deliveries fail, as the schedules and alerts pages say them."""
    out = []
    for problem in schedules.not_configured(cfg, upload_targets):
        if problem == "mail":
            out.append(_("E-mail is not set up ([mail] host and from_address): every e-mail fails."))
        elif problem == "upload":
            out.append(_("The [upload] settings have an error: every upload fails."))
        else:
            out.append(_("Upload target {name} is not in [upload] targets: its uploads fail.").format(
                name=problem.partition(":")[2]))
    return out


def _rows(tz) -> list[dict]:
    names = db.saved_report_names()

    def local(t: int | None) -> str:
        return fmt_at(t, tz, empty="")
    return [{"id": s.id, "name": s.name, "rule": s.rule, "report": names.get(s.report_id), "report_id": s.report_id,
             "range": s.range, "formats": s.formats.replace(",", ", "), "recipients": json.loads(s.recipients),
             "upload": s.upload_target, "enabled": s.enabled, "next": local(s.next_run_utc),
             "last": local(s.last_run_utc), "outcome": s.last_outcome, "requested": bool(s.run_requested_by),
             "delivery": schedules.delivery(s.last_detail or "[]")}
            for s in db.schedules_by_name()]


def _messages() -> dict[str, str]:
    return {"added": _("The schedule was added; the jobs process sends it at its next time."),
            "removed": _("The schedule was removed."), "gone": _("No such schedule."),
            "requested": _("The jobs process sends it within a minute; its outcome shows under Last run.")}


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /schedules, POST /schedules/add (the form's fields), POST /schedules/remove and /schedules/run (id)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    tz = localtime.zone(cfg.section("pbx").timezone)

    def render(status_code: int = 200, error: str = "", form: dict | None = None, msg: str = "") -> str:
        user = current_user()
        rows: list[dict] = []
        reports: list[dict] = []
        ready = db.read_access(data_dir)
        if ready:
            with db.connection():
                try:
                    rows, reports = _rows(tz), db.list_reports(user.username, user.role)
                except OperationalError:    # a database from before the schedule tables: the worker adds them
                    log.warning("schedule tables not ready in %s", data_dir)
                    ready = False
        try:
            targets = sorted(upload.targets(cfg))
        except config.ConfigError:
            targets = []
        response.status = status_code
        response.set_header("Cache-Control", "no-store")
        return bottle.template("schedules", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), ready=ready,
                               rows=rows, reports=reports, targets=targets, ranges=DATE_RANGES[:-1],
                               formats=schedules.FORMATS, error=error, done=_messages().get(msg, ""),
                               form=form or {"formats": list(schedules.FORMATS)},
                               outcome=lambda v: _(OUTCOMES[v]) if v in OUTCOMES else v,
                               delivery=lambda v: _(DELIVERY[v]) if v in DELIVERY else v,
                               range_label=lambda v: _(RANGE_LABELS[v]) if v in RANGE_LABELS else v,
                               warnings=warnings(cfg, [r["upload"] for r in rows]))

    @app.get("/schedules")
    def page():
        return render(msg=request.query.get("msg", ""))

    @app.post("/schedules/add")
    def add():
        user = current_user()
        forms = request.forms.decode()
        form = {k: forms.get(k, "").strip() for k in FIELDS}
        form["formats"] = [f for f in forms.getall("formats") if f in schedules.FORMATS]
        recipients = tuple(line.strip() for line in form["recipients"].splitlines() if line.strip())
        try:
            if row_id(form["report"]) is None:
                raise schedules.ScheduleError(_("Choose a saved report or template."))
            with db.write_access(data_dir, db.MODELS_SCHEDULES):
                s = schedules.add(cfg, data_dir, form["name"], form["when"], int(form["report"]),
                                  range_name=form["range"], formats=tuple(form["formats"]), recipients=recipients,
                                  upload_target=form["upload"], upload_name_template=form["upload_name"],
                                  upload_as=form["upload_as"], branch=form["branch"],
                                  created_by=f"web:{user.username}")
        except schedules.ScheduleError as e:
            return render(400, str(e), form)
        log.info("schedule %d %r added by %s", s.id, s.name, user.username)
        bottle.redirect("/schedules?msg=added", 303)

    def act(action, done: str) -> None:
        """POST id: action(schedule id, username) in the schedule tables; back to the page saying what it did."""
        user = current_user()
        raw = request.forms.get("id", "")
        msg = "gone"
        if row_id(raw) is not None:
            with db.write_access(data_dir, db.MODELS_SCHEDULES):
                if action(int(raw), user.username):
                    msg = done
            log.info("schedule %s %s by %s: %s", raw, done, user.username, msg)
        bottle.redirect(f"/schedules?msg={msg}", 303)

    @app.post("/schedules/remove")
    def remove():
        act(lambda sid, _user: db.remove_schedule(sid), "removed")

    @app.post("/schedules/run")
    def run():
        act(db.request_run, "requested")

    return app
