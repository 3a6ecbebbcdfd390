"""HQ on a central box (APP-1): its branch boxes' calls searched with `branch` as a filter and a column
(/central/calls, every user, scoped: HQ sees every branch, a user scoped to their branch sees the branch box of that
branch's name), and the branch health page for administrators of the whole box (/central/branches: last contact,
backlog, newest call, journal use and what of it is archived here, release, link state) and each box's people,
departments and tariff versions as it last sent them (/central/branches/NAME: users who see every call, and a
user scoped to their branch the box of that branch; others a 404, as for a box that does not exist). Reports
and bills include the branches' calls through the report engine (appliance/reports/received.py). The data is SQLite
or PostgreSQL ([central] database).
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import bottle
from bottle import request, response

from appliance import config, localtime
from appliance.reports import received_calls
from appliance.reports.attribution import rollup_scope
from webui import TEMPLATE_LOOKUP, db, row_id
from webui.auth import current_user, may_change_shared
from webui.i18n import N_, _

log = logging.getLogger(__name__)
FIELDS = ("since", "until", "branch", "extension", "number", "direction")
MAX_PAGE = 10 ** 5


def _render(name: str, status_code: int = 200, **values) -> str:
    response.status = status_code
    response.set_header("Cache-Control", "no-store")
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, **values)


def _day(text: str, tz, field: str) -> int | None:
    """A YYYY-MM-DD[THH:MM] of the form in the box's zone, as UTC epoch seconds; ValueError naming the field."""
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(field) from None
    return localtime.to_utc(dt.replace(tzinfo=None) if dt.tzinfo is None else dt, tz)[0]


def _sees_box(rscope, name: str) -> bool:
    """May a user of scope `rscope` open branch box `name`'s page (its people and tariffs)? One who sees every call,
    or one scoped to their branch that box of their branch; not a tenant's user (a box's directory is not one
    tenant's) nor one who sees their own or their department's calls."""
    return ((rscope.accepts is None and rscope.tenant_in is None and not rscope.nothing)
            or (rscope.accepts is not None and name in rscope.branch_boxes))


LABELS = {"since": N_("From"), "until": N_("Until"), "branch": N_("Branch box"), "extension": N_("Extension"),
          "number": N_("Number"), "direction": N_("Direction")}


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /central/calls (the branches' calls) and GET /central/branches (their health)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    silent_s = cfg.section("central").silent_min * 60

    @app.get("/central/calls")
    def calls():
        field_labels = {k: _(v) for k, v in LABELS.items()}   # in the request's language (not the start's)
        form = request.query.decode()
        values = {k: form.get(k, "").strip() for k in FIELDS}
        page, names, labels, error, code, pages = None, [], {}, "", 200, []
        if values["direction"] not in ("", "in", "out", "internal"):
            values["direction"] = ""
        try:
            since, until = _day(values["since"], tz, "since"), _day(values["until"], tz, "until")
            if until is not None and len(values["until"]) == 10:
                until += 86400        # a day: the whole of it
        except ValueError as e:
            since = until = None
            error, code = _("{field}: «{value}» is not a date (YYYY-MM-DD)").format(
                field=field_labels[str(e)], value=values[str(e)]), 400
        problem = db.use_central(cfg, data_dir)
        if problem:
            error, code = _("The central's database cannot be reached: {reason}").format(reason=problem), 503
        elif not error and db.read_access(data_dir):
            with db.connection():
                rscope = rollup_scope(current_user(), pbx.tenant)
                names = received_calls.branch_names(rscope)
                pages = [n for n in names if _sees_box(rscope, n)]
                criteria = received_calls.Criteria(since, until, values["branch"], values["extension"],
                                                   values["number"], values["direction"])
                number = min(row_id(form.get("page", "")) or 1, MAX_PAGE)
                page = received_calls.search(rscope, criteria, number)
                labels = received_calls.labels()
        query = {k: v for k, v in values.items() if v}
        return _render("central_calls", code, values=values, label=field_labels, labels=labels, page=page,
                       box_pages=pages,
                       names=names, error=error,
                       link=lambda n: "/central/calls?" + urlencode({**query, "page": n}))

    @app.get("/central/calls/<box>/<rid>")
    def call(box: str, rid: str):
        """A branch box's call as it sent it (its legs, cost, attribution), for a user whose scope sees it; others a
        404, as for a call that does not exist."""
        problem, found, labels = db.use_central(cfg, data_dir), None, {}
        if problem:
            return _render("central_call", 503, call=None, labels={}, problem=_(
                "The central's database cannot be reached: {reason}").format(reason=problem))
        if row_id(rid) is not None and db.read_access(data_dir):
            with db.connection():
                found = received_calls.detail(rollup_scope(current_user(), pbx.tenant), box, int(rid))
                labels = received_calls.labels() if found else {}
        if found is None:
            raise bottle.HTTPError(404, _("No call {id} that you may see.").format(id=rid))
        return _render("central_call", call=found, labels=labels, problem="")

    @app.get("/central/branches")
    def branches():
        problem, rows = db.use_central(cfg, data_dir), []
        if not problem and db.read_access(data_dir):
            with db.connection():   # callbox.db's (SQLite) or, on PostgreSQL, branch_health's own
                rows = db.branch_health(silent_s)
            for r in rows:      # its raw journal archived here, by segments and bytes
                r["archived_segments"], r["archived_bytes"] = db.journal_archive(data_dir, r["branch"])
        return _render("central_branches", rows=rows, problem=problem, silent_min=silent_s // 60)

    @app.get("/central/branches/<name>")
    def branch(name: str):
        problem, box, directory, tariffs, code = db.use_central(cfg, data_dir), None, None, None, 200
        if not problem and db.read_access(data_dir):
            with db.connection():
                sees = _sees_box(rollup_scope(current_user(), pbx.tenant), name)
                box = next((r for r in db.branch_health(silent_s) if r["branch"] == name), None) if sees else None
                if box is not None:
                    directory, tariffs = db.branch_snapshots(name)
        if problem:
            code = 503
        elif box is None:
            problem, code = _("No branch box {name}.").format(name=name), 404
        return _render("central_branch", code, box_name=name, box=box, directory=directory, tariffs=tariffs,
                       problem=problem, health=may_change_shared(current_user()))

    return app
