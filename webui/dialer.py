"""The agent's dialer page (issue 16, CC-6): join a campaign of their tenant at one of their extensions, the contact
with its custom fields, "Call" (preview) or Ready / Not ready (progressive), the call's state, and the result (from
[dialer] results) and note once answered.

The page never dials: "Call" and "Ready" are written to the dialer's tables (webui.db.write_access), and the dialing
loop in the jobs process (appliance/dialer/engine.py) originates within a tick. Every role with an extension in the
directory may work campaigns, as on the operator panel.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import bottle
from bottle import request

from appliance import config
from appliance.callcentre import scope as cs
from appliance.dialer import campaigns, engine, report
from appliance.dialer.campaigns import CampaignError
from webui import db, row_id
from webui.auth import csrf_token, current_user
from webui.i18n import N_, _, fmt_iso
from webui.reports.common import render

log = logging.getLogger(__name__)
REFRESH_S = 3
STATE_LABELS = {"pending": N_("Waiting"), "reserved": N_("Ready to call"), "queued": N_("Calling…"),
                "dialing": N_("Ringing…"), "connected": N_("Answered: set the result"), "done": N_("Done"),
                "exhausted": N_("No more attempts"), "dnc": N_("Do not call"), "invalid": N_("Invalid number")}
OUTCOME_LABELS = {"answered": N_("Answered"), "busy": N_("Busy"), "no_answer": N_("No answer"),
                  "failed": N_("Failed"), "": "–"}
MODE_LABELS = {"preview": N_("Preview"), "progressive": N_("Progressive")}
ERRORS = {"inactive": N_("This campaign is not active."), "join": N_("Join a campaign first."),
          "stale": N_("That contact is no longer yours (the page was out of date); nothing was changed."),
          "hours": N_("Outside the campaign's calling hours: nothing was dialled."),
          "dnc": N_("The number is on the do-not-call list: it was not dialled."),
          "result": N_("Pick a result from the list."), "note": N_("The note is too long (at most 4000 characters)."),
          "extension": N_("Pick one of your extensions.")}
DONE = {"joined": N_("You work this campaign now."), "left": N_("You left the campaign."),
        "ready": N_("Ready: the next number is dialled when you are free."), "not_ready": N_("Not ready."),
        "call": N_("Calling: the customer's phone rings; yours rings when they answer."),
        "result": N_("Result saved.")}


def tenant_of(user) -> str | None:
    """Whose campaigns the user sees: None (every one) with scope all, else their tenant's."""
    return None if user.scope == "all" else user.tenant


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /dialer; POST /dialer/join, /dialer/leave, /dialer/ready, /dialer/call, /dialer/result."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    try:
        results = campaigns.read_settings(cfg).results
    except config.ConfigError as e:
        log.error("%s: the dialer's result list is the default", e)
        results = campaigns.Settings(results=("Done",)).results

    def extensions(user) -> list[str]:
        return sorted(db.read(data_dir, lambda: cs.own_extensions(user)))

    @app.get("/dialer")
    def page():
        user = current_user()
        now = time.time()

        def work():
            agent = campaigns.agent_of(user.username)
            ct = campaigns.held(user.username)
            last = None
            if agent is not None:
                last = (campaigns.Attempt.select().where(campaigns.Attempt.agent == user.username,
                                                         campaigns.Attempt.state == "done")
                        .order_by(campaigns.Attempt.id.desc()).first())
            open_ = [c for c in campaigns.visible(tenant_of(user)) if c.state == "active"]
            joined = agent.campaign if agent is not None else None
            window = engine.next_window(joined, now) if joined is not None else None
            return agent, joined, ct, last, open_, window, (report.contact_fields(ct) if ct else {})
        agent, joined, ct, last, open_, window, fields = db.read(data_dir, work)
        exts = extensions(user)
        tz_now = window is not None and window.timestamp() <= now + 1
        # not while the agent writes the result; back to plain /dialer (a done message is shown once)
        refresh = None if ct is not None and ct.state == "connected" else f"{REFRESH_S}; url=/dialer"
        return render("dialer", title=_("Dialer"), refresh=refresh, csrf=csrf_token(), extensions=exts, agent=agent,
                      joined=joined, contact=ct, fields=fields, last=last, campaigns=open_, open_now=tz_now,
                      window=window, results=results, states=STATE_LABELS, outcomes=OUTCOME_LABELS,
                      modes=MODE_LABELS, when=lambda t: fmt_iso(t.isoformat()),
                      at=lambda s, c: fmt_iso(datetime.fromtimestamp(s, engine.ZoneInfo(c.timezone)).isoformat()),
                      supervisor=user.role in ("administrator", "supervisor"),
                      done=DONE.get(request.query.get("done", ""), ""),
                      error=ERRORS.get(request.query.get("error", ""), ""))

    def back(**kw):
        bottle.redirect("/dialer?" + urlencode(kw), 303)

    def write(fn, done: str):
        try:
            with db.write_access(data_dir, db.MODELS_DIALER):
                fn()
        except CampaignError as e:
            log.info("dialer: %s: %s", current_user().username, e)
            back(error=e.code or "stale")
        back(done=done)

    @app.post("/dialer/join")
    def join():
        user = current_user()
        form = request.forms.decode()
        ext = form.get("extension", "")
        if ext not in extensions(user):
            back(error="extension")
        cid = row_id(form.get("campaign", "")) or 0

        def work():
            c = campaigns.Campaign.get_or_none(campaigns.Campaign.id == cid)
            seen = tenant_of(user)
            if c is None or (seen is not None and c.tenant != seen):
                raise CampaignError("no such campaign", "inactive")
            campaigns.join(user.username, ext, c)
        write(work, "joined")

    @app.post("/dialer/leave")
    def leave():
        write(lambda: campaigns.leave(current_user().username), "left")

    @app.post("/dialer/ready")
    def ready():
        on = request.forms.get("ready") == "1"
        write(lambda: campaigns.set_ready(current_user().username, on), "ready" if on else "not_ready")

    @app.post("/dialer/call")
    def call():
        cid = row_id(request.forms.get("contact", "")) or 0
        write(lambda: campaigns.ask_call(current_user().username, cid), "call")

    @app.post("/dialer/result")
    def result():
        form = request.forms.decode()
        cid = row_id(form.get("contact", "")) or 0
        write(lambda: campaigns.set_result(current_user().username, cid, form.get("result", ""),
                                           form.get("note", ""), results), "result")

    return app
