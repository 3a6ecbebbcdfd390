"""The dialer's campaigns for supervisors (issue 16, CC-6; administrators and supervisors): the list with progress, a
new campaign from a CSV upload or a CRM URL (a bad file is refused as a whole, naming file, line and column), one
campaign's progress and results with its invalid and do-not-call numbers, pause / resume / close, the CSV export,
and the do-not-call list. A supervisor sees their tenant's campaigns; scope all sees every one. Writes go to the
dialer's tables only, through webui.db.write_access."""
from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import bottle
from bottle import request, response

from appliance import config
from appliance.dialer import campaigns, report, rules, sources
from appliance.dialer.campaigns import CampaignError
from webui import db, row_id
from webui.auth import csrf_token, current_user
from webui.dialer import MODE_LABELS, OUTCOME_LABELS, STATE_LABELS, tenant_of
from webui.i18n import N_, _, fmt_iso
from webui.reports.common import render

log = logging.getLogger(__name__)
CAMPAIGN_STATE_LABELS = {"active": N_("Active"), "paused": N_("Paused"), "closed": N_("Closed")}
DONE = {"paused": N_("Campaign paused: calls ringing now finish, no new ones."), "active": N_("Campaign running."),
        "closed": N_("Campaign closed."), "dnc_added": N_("Added to the do-not-call list."),
        "dnc_removed": N_("Removed from the do-not-call list.")}
PROBLEMS = {"empty": N_("empty"), "not a valid phone number": N_("not a valid phone number")}
SAME = re.compile(r"the same number as line (\d+)$")
KIND = re.compile(r"not dialled: (.+) number$")


def problem_text(problem: str) -> str:
    """An invalid number's why (appliance.dialer.rules' English, as the CSV export keeps it) in the page's language."""
    if problem in PROBLEMS:
        return _(PROBLEMS[problem])
    if m := SAME.match(problem):
        return _("the same number as line %(line)s") % {"line": m[1]}
    if m := KIND.match(problem):
        return _("not dialled: %(kind)s number") % {"kind": m[1]}
    return problem


FORM_FIELDS = ("code", "name", "mode", "timezone", "windows", "max_attempts", "retry_busy_min",
               "retry_no_answer_min", "retry_failed_min", "crm_url")


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /dialer/campaigns, /dialer/campaigns/<cid>, /dialer/campaigns/<cid>/export.csv; POST /dialer/campaigns,
    /dialer/campaigns/<cid>/state, /dialer/dnc, /dialer/dnc/remove."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")
    try:
        settings = campaigns.read_settings(cfg)
    except config.ConfigError as e:
        log.error("%s: the dialer's defaults are used", e)
        settings = campaigns.Settings(results=("Done",))

    def plan():
        try:
            return campaigns.plan_of(cfg), ""
        except config.ConfigError as e:
            return None, str(e)

    def listing(code: int = 200, error: str = "", form: dict | None = None):
        user = current_user()

        def work():
            return ([(c, report.progress(c)) for c in campaigns.visible(tenant_of(user))], campaigns.dnc_list())
        rows, dnc = db.read(data_dir, work)
        defaults = {"mode": "preview", "timezone": pbx.timezone or "UTC", "windows": "mon-fri 09:00-18:00",
                    "max_attempts": "3", "retry_busy_min": "10", "retry_no_answer_min": "60",
                    "retry_failed_min": "30"}
        return render("dialer_campaigns", code, title=_("Campaigns"), csrf=csrf_token(), rows=rows, dnc=dnc,
                      error=error or plan()[1], form={**defaults, **(form or {})}, modes=MODE_LABELS,
                      campaign_states=CAMPAIGN_STATE_LABELS, done=DONE.get(request.query.get("done", ""), ""))

    def found(cid: str):
        user = current_user()
        c = db.read(data_dir, lambda: campaigns.Campaign.get_or_none(campaigns.Campaign.id == (row_id(cid) or 0)))
        seen = tenant_of(user)
        if c is None or (seen is not None and c.tenant != seen):
            raise bottle.HTTPError(404, _("No such campaign."))
        return c

    @app.get("/dialer/campaigns")
    def campaign_list():
        return listing()

    @app.post("/dialer/campaigns")
    def create():
        user = current_user()
        f = request.forms
        form = {k: (f.getunicode(k) or "").strip() for k in FORM_FIELDS}
        numbers, problem = plan()
        if numbers is None:
            return listing(400, problem, form)
        upload = request.files.get("file")
        try:
            if upload is not None and upload.filename:
                data = upload.file.read(64 << 20)
                source = sources.read_csv(data, upload.raw_filename, settings.max_contacts)
            elif form["crm_url"]:
                source = sources.fetch_crm(form["crm_url"], settings.crm_timeout_s, settings.max_contacts)
            else:
                return listing(400, _("Choose a CSV file or give a CRM URL."), form)
            keys = ("max_attempts", "retry_busy_min", "retry_no_answer_min", "retry_failed_min")
            retries = rules.Retries(*(int(form[k] or 0) for k in keys))
            with db.write_access(data_dir, db.MODELS_DIALER):
                got = campaigns.create(form["code"], form["name"], source, numbers, mode=form["mode"],
                                       timezone=form["timezone"], windows=form["windows"], retries=retries,
                                       tenant=user.tenant if user.scope != "all" else pbx.tenant,
                                       by=user.username)
        except sources.SourceError as e:
            return listing(400, _("The file was refused as a whole, nothing was stored: %(where)s, line %(line)s"
                                  "%(column)s: %(message)s") % {
                "where": e.where, "line": e.line, "message": e.message,
                "column": "" if e.column == "" else ", " + _("column %(column)s") % {"column": e.column}}, form)
        except (CampaignError, rules.RuleError, ValueError) as e:
            return listing(400, str(e), form)
        log.info("dialer: campaign %s made by %s: %d contacts, %d invalid, %d on the do-not-call list",
                 got.campaign.code, user.username, got.contacts, len(got.invalid), len(got.dnc))
        bottle.redirect(f"/dialer/campaigns/{got.campaign.id}", 303)

    @app.get("/dialer/campaigns/<cid>")
    def detail(cid):
        c = found(cid)

        def work():
            return (report.progress(c), report.listed(c, ("invalid",)), report.listed(c, ("dnc",)),
                    report.listed(c, ("connected", "dialing", "queued", "reserved")))
        progress, invalid, dnc, now = db.read(data_dir, work)
        return render("dialer_campaign", title=c.name, csrf=csrf_token(), c=c, p=progress, invalid=invalid, dnc=dnc,
                      busy=now, problem_text=problem_text, modes=MODE_LABELS, states=STATE_LABELS,
                      outcomes=OUTCOME_LABELS,
                      campaign_states=CAMPAIGN_STATE_LABELS, created=fmt_iso(datetime.fromtimestamp(
                          c.created_utc, campaigns.ZoneInfo(c.timezone)).isoformat()),
                      done=DONE.get(request.query.get("done", ""), ""))

    @app.post("/dialer/campaigns/<cid>/state")
    def set_state(cid):
        c = found(cid)
        state = request.forms.get("state", "")
        if state not in CAMPAIGN_STATE_LABELS:
            raise bottle.HTTPError(400, _("Unknown state."))
        with db.write_access(data_dir, db.MODELS_DIALER):
            campaigns.set_state(c, state)
        bottle.redirect(f"/dialer/campaigns/{c.id}?done={state}", 303)

    @app.get("/dialer/campaigns/<cid>/export.csv")
    def export(cid):
        c = found(cid)
        text = db.read(data_dir, lambda: report.export_csv(c))
        response.set_header("Content-Type", "text/csv; charset=utf-8")
        response.set_header("Content-Disposition", f'attachment; filename="campaign-{c.code}.csv"')
        response.set_header("Cache-Control", "no-store")
        return "\ufeff" + text      # the BOM: spreadsheets then read the UTF-8 names right

    @app.post("/dialer/dnc")
    def dnc_add():
        f = request.forms
        numbers, problem = plan()
        if numbers is None:
            return listing(400, problem)
        try:
            with db.write_access(data_dir, db.MODELS_DIALER):
                campaigns.dnc_add(f.getunicode("number") or "", numbers, (f.getunicode("note") or "").strip(),
                                  by=current_user().username)
        except CampaignError as e:
            return listing(400, str(e))
        bottle.redirect("/dialer/campaigns?" + urlencode({"done": "dnc_added"}) + "#dnc", 303)

    @app.post("/dialer/dnc/remove")
    def dnc_remove():
        numbers, problem = plan()
        if numbers is None:
            return listing(400, problem)
        with db.write_access(data_dir, db.MODELS_DIALER):
            campaigns.dnc_remove(request.forms.getunicode("number") or "", numbers)
        bottle.redirect("/dialer/campaigns?" + urlencode({"done": "dnc_removed"}) + "#dnc", 303)

    return app
