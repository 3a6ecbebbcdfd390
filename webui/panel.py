"""The agent's operator panel (issue 16, CC-4): log in and out of queues, pause with a reason and unpause (AMI
QueueAdd/QueueRemove/QueuePause), their state and time in state, who is calling now (before they answer), today's
answered and not-answered calls, the calls their queues lost today, and the caller's earlier calls.

Live from AMI ([ami] host, appliance/ami) when the link is up; otherwise what queue_log gives (a few seconds late),
and the page says so. Any logged-in user with extensions in the directory has a panel: their own only. An AMI action
waits in its greenlet (gevent sockets, [ami] action_timeout_s) and never blocks other requests.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import bottle
from bottle import request

from appliance import config, localtime
from appliance.ami.client import AmiError
from appliance.ami.feed import Feed, PanelSettings, read_settings
from appliance.callcentre import kpis
from appliance.callcentre import panel as cp
from appliance.callcentre import scope as cs
from appliance.customers import customers
from appliance.messages import notes
from appliance.reports.ranges import resolve
from webui import notes as wn
from webui.auth import current_user
from webui.crm import crm_name
from webui.i18n import N_, _, fmt_duration
from webui.reports import common as rp

log = logging.getLogger(__name__)
STATE_LABELS = {"ready": N_("Ready"), "ringing": N_("Ringing now"), "talking": N_("Talking"), "paused": N_("Paused"),
                "unavailable": N_("Unavailable"), "wrapup": N_("After-call work"), "logged_out": N_("Logged out")}
OUTCOME_LABELS = {"answered": N_("Answered"), "abandoned": N_("Abandoned"), "timeout": N_("Timed out"),
                  "exit_empty": N_("Exit: no agents"), "exit_key": N_("Exit: key pressed"), "": N_("Unterminated")}
DONE = {"note": N_("The note is saved."), "login": N_("Logged in to the queue."),
        "logout": N_("Logged out of the queue."), "pause": N_("Paused."),
        "unpause": N_("Unpaused.")}
ERRORS = {"down": N_("Live data unavailable: the AMI link is down, nothing was changed."),
          "refused": N_("The PBX refused it (the box's log says why); nothing was changed.")}
REFRESH_S = 5
_feeds: dict = {}             # one AMI link per process and settings (make_app may run more than once)
_feeds_lock = threading.Lock()


def feed_for(settings) -> Feed | None:
    if settings is None:
        return None
    with _feeds_lock:
        found = _feeds.get(settings)
        if found is None:
            found = _feeds[settings] = Feed(settings).start()
        return found


def stop_feeds() -> None:
    """Stop every AMI link of this process (tests; the process's end stops them anyway)."""
    with _feeds_lock:
        feeds = list(_feeds.values())
        _feeds.clear()
    for f in feeds:
        f.stop()


def _since_text(since: float | None, now: float) -> str:
    return fmt_duration(max(0, int(now - since))) if since else "–"


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /panel, POST /panel/queue (log in/out of a queue), POST /panel/pause (pause with a reason, unpause)."""
    app = bottle.Bottle()
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    link_error = ""
    try:
        link, panel = read_settings(cfg, data_dir)
    except config.ConfigError as e:     # the web must come up: no live data, and why
        log.error("%s: the operator panel shows queue_log only", e)
        link, panel, link_error = None, PanelSettings(), str(e)
    feed_for(link)                      # connect now: the first agent to open the panel finds it live
    # in the header of a box with queues: AMI set up, or queue_log the driver (as webui.app's queue_pages)
    bottle.BaseTemplate.defaults["ami_panel"] = link is not None or bool(link_error)
    try:
        book = kpis.rulebook(cfg)
    except config.ConfigError:
        book = kpis.RuleBook()

    def extensions(user) -> frozenset[str]:
        try:
            return rp.offload(data_dir, lambda: cs.own_extensions(user))
        except rp.NoData:
            return frozenset()

    def interfaces(exts) -> set[str]:
        return {panel.interface_of(e) for e in exts}

    @app.get("/panel")
    def page():
        user = current_user()
        now = time.time()
        exts = extensions(user)
        feed = feed_for(link)
        live = feed is not None and feed.available
        mine = interfaces(exts)
        members = feed.state.members_of(mine) if live else []
        callers = feed.state.calls_for(mine) if live else []
        day = resolve("today", tz, now).since
        found = {"states": [], "answered": 0, "ring_no_answer": 0, "calls": [], "queues": [], "members": []}
        lost, history, caller_notes, customer = [], [], [], None
        writing = request.query.get("note") == "1"    # the note form: no refresh while the agent writes
        # the caller they write about stays on the page after the call ended
        number = callers[0].number if callers else (request.query.getunicode("number", "") or "" if writing else "")
        try:
            def work():
                d = cp.agent_day(book, exts, int(now), day)
                queues = sorted(set(d["queues"]) | {m.queue for m in members})
                cid = notes.customer_of(number) if number else None
                return (d, cp.lost_today(queues, day), cp.caller_history(number, int(now)),
                        notes.of_number(number, wn.tenant_of(user, pbx.tenant)) if number else [],
                        customers.by_id(cid) if cid else None)
            if exts:
                found, lost, history, caller_notes, customer = rp.offload(data_dir, work)
        except rp.NoData:
            pass
        crm_answer = crm_name(number) if number else None
        joined = {m.queue for m in members}
        offset = int(datetime.fromtimestamp(now, tz).utcoffset().total_seconds())
        why = link_error or (feed.client.last_error or feed.client.status if feed is not None else "")
        status = _("Live from the PBX (AMI).") if live else (
            _("AMI is not configured: showing what queue_log gives, a few seconds late.") if not why else
            _("Live data unavailable (the AMI link is down: %(why)s): showing what queue_log gives, a few seconds "
              "late.") % {"why": why})
        return rp.render("panel", title=_("Operator panel"), refresh=None if writing else REFRESH_S, writing=writing,
                         live=live, status=status,
                         extensions=sorted(exts), members=members, callers=callers, day=found, lost=lost,
                         history=history, number=number, caller_notes=caller_notes, customer=customer,
                         crm_answer=crm_answer, now=now, offset=offset, since_text=_since_text,
                         labels=STATE_LABELS, outcomes=OUTCOME_LABELS, reasons=panel.pause_reasons,
                         can_join=[q for q in panel.queues if q not in joined] if live else [],
                         done=DONE.get(request.query.get("done", ""), ""),
                         error=ERRORS.get(request.query.get("error", ""), ""))

    def back(**kw):
        bottle.redirect("/panel?" + urlencode(kw) if kw else "/panel", 303)

    def act(name: str, fields_list: list[dict]) -> str:
        """Send the actions; "" when done, else an ERRORS code (the reason goes to the log, not into a URL)."""
        feed = feed_for(link)
        if feed is None or not feed.available:
            return "down"
        for fields in fields_list:
            try:
                feed.client.action(name, fields)
            except AmiError as e:
                log.warning("panel: %s %s by %s: %s", name, fields, current_user().username, e)
                return "refused"
        return ""

    @app.post("/panel/queue")
    def queue_action():
        user = current_user()
        form = request.forms.decode()
        queue, what = form.get("queue", "").strip(), form.get("do", "")
        mine = sorted(interfaces(extensions(user)))
        feed = feed_for(link)
        joined = {m.queue for m in feed.state.members_of(set(mine))} if feed is not None else set()
        if not mine:
            raise bottle.HTTPError(403, _("No extension of yours is in the directory."))
        if what not in ("login", "logout") or queue not in set(panel.queues) | joined:
            raise bottle.HTTPError(400, _("Unknown queue."))
        if what == "login":
            error = act("QueueAdd", [{"Queue": queue, "Interface": i, "MemberName": user.username} for i in mine])
        else:
            error = act("QueueRemove", [{"Queue": queue, "Interface": i} for i in mine])
        back(error=error) if error else back(done=what)

    @app.post("/panel/pause")
    def pause_action():
        user = current_user()
        form = request.forms.decode()
        mine = sorted(interfaces(extensions(user)))
        if not mine:
            raise bottle.HTTPError(403, _("No extension of yours is in the directory."))
        if form.get("do") == "unpause":
            error = act("QueuePause", [{"Interface": i, "Paused": "false"} for i in mine])
        else:
            reason = form.get("reason", "")
            if reason not in panel.pause_reasons:
                raise bottle.HTTPError(400, _("Pick a pause reason from the list."))
            error = act("QueuePause", [{"Interface": i, "Paused": "true", "Reason": reason} for i in mine])
        back(error=error) if error else back(done=form.get("do") or "pause")

    return app
