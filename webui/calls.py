"""Call search (/calls: any combination of criteria, paged) and a call's full path (/calls/<id>), REP-12.

The query logic is appliance.reports.search; every query goes through appliance.access.scope, so a user
finds and opens only the calls they may see (another call's page is a 404, as for one that does not exist).
"""
from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

import bottle
from bottle import request, response

from appliance import config, localtime
from appliance.registry import driver_parser
from appliance.reports import listing as output
from appliance.reports import search as call_search
from webui import TEMPLATE_LOOKUP, db, row_id
from webui.auth import current_user
from webui.i18n import _

log = logging.getLogger(__name__)
FIELDS = ("since", "until", "extension", "person", "number", "number_match", "direction", "answered",
          "min_talk_s", "max_talk_s", "min_cost", "max_cost", "trunk", "account_code")
MAX_PAGE = 10 ** 6        # the page's OFFSET stays a 64-bit integer


def _render(name: str, status_code: int = 200, **values) -> str:
    response.status = status_code
    response.set_header("Cache-Control", "no-store")
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, **values)


def problem(e: call_search.SearchError) -> str:
    """The search error in the user's language, naming the field."""
    problems = {"seconds": _("is not a whole number of seconds"), "amount": _("is not an amount"),
                "date": _("is not a date (YYYY-MM-DD, optionally THH:MM)"),
                "direction": _("is not in, out, internal or system"), "number_match": _("is not prefix or contains"),
                "answered": _("is not yes or no"), "order": _("is not after the start")}
    return f"{field_label(e.field)}: «{e.value}» {problems[e.problem]}"


def field_label(name: str) -> str:
    """The search form's label of a field."""
    labels = {"since": _("From"), "until": _("Until"), "extension": _("Extension"), "person": _("Person"),
              "number": _("Number"), "number_match": _("Match"), "direction": _("Direction"),
              "answered": _("Answered"), "min_talk_s": _("Talk time at least (s)"),
              "max_talk_s": _("Talk time at most (s)"), "min_cost": _("Cost at least"),
              "max_cost": _("Cost at most"), "trunk": _("Trunk"), "account_code": _("Account code")}
    return labels.get(name, name)


def _page_number(text: str) -> int:
    return min(row_id(text) or 1, MAX_PAGE)


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /calls and GET /calls/<id>."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)

    reader = output.extra_reader(data_dir / "journal", lambda name: driver_parser(cfg, name)[:2])

    def extra_fields(leg: db.Leg) -> dict:
        try:
            return reader(leg)
        except Exception:     # a driver that cannot be loaded any more: the stored columns still stand
            log.warning("extra fields of leg %d not readable", leg.id, exc_info=True)
            return {}

    @app.get("/calls")
    def search():
        form = request.query.decode()
        values = {k: form.get(k, "") for k in FIELDS}
        page, error, code = None, "", 200
        try:
            criteria = call_search.criteria_from(values, tz)
        except call_search.SearchError as e:
            criteria, error, code = None, problem(e), 400
        if criteria is not None and db.read_access(data_dir):
            with db.connection():
                page = call_search.search(current_user(), pbx.tenant, criteria, _page_number(form.get("page", "")))
        query = {k: v for k, v in values.items() if v}
        return _render("calls", code, values=values, label=field_label, page=page, error=error,
                       link=lambda n: "/calls?" + urlencode({**query, "page": n}))

    @app.get("/calls/<cid>")
    def call(cid: str):
        path = None
        if row_id(cid) is not None and db.read_access(data_dir):
            with db.connection():
                path = call_search.call_path(current_user(), pbx.tenant, int(cid), extra_fields)
        if path is None:
            raise bottle.HTTPError(404, _("No call {id} that you may see.").format(id=cid))
        return _render("call", path=path)

    return app
