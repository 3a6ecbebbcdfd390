"""The call-centre supervisor's first page (issue 15, CC-2): the queue summary, each queue's KPIs over a date range
as appliance/callcentre/kpis.py defines them, and its data-quality line.

Scope: administrators and supervisors (auth.SUPERVISORS); who may see every call of the box sees every queue, a
department or branch supervisor the queues of their unit ([callcentre] queue_units, appliance/callcentre/scope.py);
anyone else gets 403 and the reason.

On a central box ([central] listen or database) the page also shows its branch boxes' queues (their queue calls,
synced like their calls: appliance/callcentre/received.py), with the branch box as a column and a filter; who sees
which branch box is the received calls' scope (HQ every one, a user scoped to a branch that branch's box), so a
branch supervisor on the central sees their box's queues even when no queue of the central's own is theirs.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import bottle
from bottle import request

from appliance import config, localtime
from appliance.callcentre import agents, kpis, quality
from appliance.callcentre import received as cc_received
from appliance.callcentre import received_agents as cc_agents
from appliance.callcentre import scope as cs
from appliance.reports import received, received_calls
from appliance.reports.attribution import rollup_scope
from appliance.reports.ranges import RangeError, resolve
from webui import db
from webui.auth import current_user
from webui.i18n import N_, _, fmt_duration, fmt_number
from webui.reports import common as rp

log = logging.getLogger(__name__)
# the columns shown, in the order of kpis.FIELDS: heading, kind (count, seconds, percent)
COLUMNS = {"offered": (N_("Offered"), "count"), "answered": (N_("Answered"), "count"),
           "abandoned": (N_("Abandoned"), "count"), "timeout": (N_("Timed out"), "count"),
           "exit_empty": (N_("Exit: no agents"), "count"), "exit_key": (N_("Exit: key pressed"), "count"),
           "short_abandoned": (N_("Short abandons"), "count"), "unterminated": (N_("Unterminated"), "count"),
           "asa_s": (N_("ASA"), "seconds"), "service_level_pct": (N_("Service level"), "percent"),
           "lost_pct": (N_("Lost"), "percent"), "talk_s": (N_("Talk"), "seconds"), "aht_s": (N_("AHT"), "seconds"),
           "over_5min": (N_("Over 5 min"), "count"), "max_wait_s": (N_("Longest wait"), "seconds"),
           "outside_hours": (N_("Outside opening hours"), "count")}
# an agent's own figures (agents.FIELDS but the pauses by reason, shown apart)
AGENT_COLUMNS = {"answered": (N_("Answered"), "count"), "talk_s": (N_("Talk"), "seconds"),
                 "ring_no_answer": (N_("Rung, not answered"), "count"),
                 "answer_rate_pct": (N_("Answer rate"), "percent"), "login_s": (N_("Logged in"), "seconds"),
                 "pause_s": (N_("Paused"), "seconds"), "occupancy_pct": (N_("Occupancy"), "percent")}
PROBLEM_LABELS = {"no_enterqueue": N_("entry never logged"), "out_of_order": N_("lines out of order"),
                  "two_connects": N_("answered twice"), "two_ends": N_("ended twice"),
                  "connect_and_exit": N_("answered and left"), "end_without_connect": N_("ended unanswered"),
                  "bad_params": N_("unreadable event")}
assert list(COLUMNS) == list(kpis.FIELDS[1:]) and set(PROBLEM_LABELS) == set(quality.PROBLEMS)
assert list(AGENT_COLUMNS) == list(agents.FIELDS[1:-1])


def no_queues() -> str:
    return _("No queue belongs to your department or branch ([callcentre] queue_units): the call-centre pages show "
             "a supervisor the queues of their unit, and every queue to who may see every call of this box.")


def queue_units(cfg: config.Config) -> cs.QueueUnits:
    """[callcentre] queue_units; none (only who sees the whole box sees queues) when it cannot be read, and why."""
    try:
        return cs.queue_units(cfg)
    except config.ConfigError as e:
        log.error("%s: queues are shown only to users who see every call of the box", e)
        return cs.QueueUnits()


def rulebook(cfg: config.Config) -> kpis.RuleBook:
    """[callcentre]'s KPI rules; the defaults when they cannot be read (the web must come up), and why."""
    try:
        return kpis.rulebook(cfg)
    except config.ConfigError as e:
        log.error("%s: the call-centre pages use the default thresholds", e)
        return kpis.RuleBook()


class Problem(ValueError):
    """A form value the page cannot use; the message says which."""


def cell(kind: str, value) -> str:
    if value is None:
        return "–"
    if kind == "seconds":
        return fmt_duration(round(value))
    if kind == "percent":
        return fmt_number(value, 1) + " %"
    return fmt_number(value)


def window(form, tz, prefix: str = "") -> tuple[int | None, int | None]:
    """The date range of a call-centre form: its range, since and until fields (named with `prefix`); Problem."""
    try:
        w = resolve(form.get(prefix + "range") or "today", tz, time.time(), form.get(prefix + "since") or None,
                    form.get(prefix + "until") or None)
    except RangeError as e:
        raise Problem(str(e)) from None
    return w.since, w.until


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /callcentre: the queue summary; GET /callcentre/agent: an agent's own figures."""
    app = bottle.Bottle()
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    book = rulebook(cfg)
    units = queue_units(cfg)
    central_cfg = cfg.section("central")
    is_central = bool(central_cfg.listen or central_cfg.database)

    @app.get("/callcentre")
    def summary():
        user = current_user()
        form = request.query.decode()
        box = (form.get("branch") or "").strip()
        base = dict(title=_("Call centre"), form=form, ranges=rp.RANGE_LABELS, columns=COLUMNS, rows=[], cell=cell,
                    problems={}, labels=PROBLEM_LABELS, error="", rules=book.default, central=is_central,
                    branch=box, branch_rows=[], branch_names=[], branch_labels={})
        try:
            since, until = window(form, tz)
        except Problem as e:
            return rp.render("callcentre", 400, **{**base, "error": str(e)})
        problem = db.use_central(cfg, data_dir) if is_central else ""
        if problem:
            base["error"] = _("The central's database cannot be reached: {reason}").format(reason=problem)

        def branch_part():
            """The branch boxes the user sees, their display names, and the KPIs of their queues; None: none."""
            rscope = rollup_scope(user, pbx.tenant)
            seen = received.scope_sql(rscope)
            if seen is None:
                return None
            names = received_calls.branch_names(rscope)
            return (names, received_calls.labels(),
                    cc_received.branch_kpis(book, since, until, seen, box) if not box or box in names else [])

        def work():
            seen = cs.visible_queues(user, pbx.tenant, units)
            branches = branch_part() if is_central and not problem and user is not None else None
            if seen is not None and not seen:
                return None if branches is None else ([], {}, branches)
            if box:          # a branch box chosen: its queues only
                return [], {}, branches
            return ([r for r in kpis.queue_kpis(book, since, until) if seen is None or r["queue"] in seen],
                    {q["queue"]: q["problems"] for q in quality.quality(since, until)["queues"]
                     if seen is None or q["queue"] in seen}, branches)
        try:
            found = rp.offload(data_dir, work)
        except rp.NoData:
            return rp.render("callcentre", **base)
        if found is None:
            raise bottle.HTTPError(403, no_queues())
        rows, problems, branches = found
        if branches is not None:
            names, labels, branch_rows = branches
            base.update(branch_names=names, branch_labels=labels, branch_rows=branch_rows)
        return rp.render("callcentre", **{**base, "rows": rows, "problems": problems})

    @app.get("/callcentre/agent")
    def agent_page():
        """An agent's own figures (any role): the queue members of their extensions, and the calls they answered."""
        user = current_user()
        form = request.query.decode()
        box = (form.get("branch") or "").strip()
        base = dict(title=_("My queue calls"), form=form, ranges=rp.RANGE_LABELS, columns=AGENT_COLUMNS, rows=[],
                    calls=[], cell=cell, error="", extensions=(), central=is_central, boxes=[], box_labels={},
                    branch=box)
        try:
            since, until = window(form, tz)
        except Problem as e:
            return rp.render("callcentre_agent", 400, **{**base, "error": str(e)})
        problem = db.use_central(cfg, data_dir) if is_central else ""
        if problem:
            base["error"] = _("The central's database cannot be reached: {reason}").format(reason=problem)

        def work():
            mine = cs.own_extensions(user)
            rows, calls, boxes, labels = [], [], [], {}
            if not box:      # this box's own members (a branch box chosen: that box's only)
                rows = [{"branch": ""} | r for r in agents.agent_kpis(book, since, until)
                        if agents.extension_of(r["agent"]) in mine]
                calls = [{"branch": ""} | c for c in agents.recent_calls([r["agent"] for r in rows], since, until)]
            if is_central and not problem:   # and those of the branch boxes where the user's person works
                with db.connection():
                    boxes = list(cc_agents.person_boxes(user))
                    labels = received_calls.labels() if boxes else {}
                    theirs, their_calls = cc_agents.own_figures(
                        book, since, until, tuple(b for b in boxes if not box or b == box), mine)
                rows += theirs
                calls = sorted(calls + their_calls, key=lambda c: -c["entered_utc"])[:50]
            return sorted(mine), rows, calls, boxes, labels
        try:
            extensions, rows, calls, boxes, labels = rp.offload(data_dir, work)
        except rp.NoData:
            return rp.render("callcentre_agent", **base)
        base.update(boxes=boxes, box_labels=labels)
        for c in calls:     # queue_log times are UTC: shown at the PBX's local time then
            c["offset"] = localtime.offset_at(c["entered_utc"], tz)
        return rp.render("callcentre_agent", **{**base, "rows": rows, "calls": calls, "extensions": extensions})

    return app
