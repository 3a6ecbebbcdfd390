"""HQ on a central box (APP-1): its branch boxes' calls searched with `branch` as a filter and a column
(/central/calls, every user, scoped: HQ sees every branch, a user scoped to their branch sees the branch box of that
branch's name), and the branch health page for administrators of the whole box (/central/branches: last contact,
backlog, newest call, journal use and what of it is archived here, release, link state). Reports and bills include
the branches' calls through the report engine (appliance/reports/received.py). The data is SQLite or PostgreSQL
([central] database).
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
from webui.auth import current_user
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
        page, names, labels, error, code = None, [], {}, "", 200
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
                criteria = received_calls.Criteria(since, until, values["branch"], values["extension"],
                                                   values["number"], values["direction"])
                number = min(row_id(form.get("page", "")) or 1, MAX_PAGE)
                page = received_calls.search(rscope, criteria, number)
                labels = received_calls.labels()
        query = {k: v for k, v in values.items() if v}
        return _render("central_calls", code, values=values, label=field_labels, labels=labels, page=page,
                       names=names, error=error,
                       link=lambda n: "/central/calls?" + urlencode({**query, "page": n}))

    @app.get("/central/branches")
    def branches():
        problem, rows = db.use_central(cfg, data_dir), []
        if not problem and db.read_access(data_dir):
            with db.connection():   # callbox.db's (SQLite) or, on PostgreSQL, branch_health's own
                rows = db.branch_health(silent_s)
            for r in rows:      # its raw journal archived here, by segments and bytes
                r["archived_segments"], r["archived_bytes"] = db.journal_archive(data_dir, r["branch"])
        return _render("central_branches", rows=rows, problem=problem, silent_min=silent_s // 60)

    return app
