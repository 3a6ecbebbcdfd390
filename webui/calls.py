"""Call search (/calls: any combination of criteria, paged) and a call's full path (/calls/<id>), REP-12.

The query logic is appliance.reports.search; every query goes through appliance.access.scope, so a user
finds and opens only the calls they may see (another call's page is a 404, as for one that does not exist).
"""
from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import bottle
from bottle import request, response

from appliance import config, localtime
from appliance.callcentre import journeys as cc_journeys
from appliance.directory import hunt_groups
from appliance.registry import driver_parser
from appliance.reports import csv_cells
from appliance.reports import listing as output
from appliance.reports import received_calls, received_search
from appliance.reports import search as call_search
from appliance.reports.attribution import rollup_scope
from webui import extra_fields as pbx_fields
from webui import targets  # noqa: F401  (direction_text, voicemail_channel: the templates' words)
from webui import TEMPLATE_LOOKUP, api, db, i18n, offload, row_id
from webui.auth import current_user
from webui.i18n import _

log = logging.getLogger(__name__)
FIELDS = ("since", "until", "branch", "extension", "person", "number", "number_match", "direction", "answered",
          "min_talk_s", "max_talk_s", "min_cost", "max_cost", "trunk", "account_code", "note")
LARGEST_FIRST = {"start", "ring", "talk", "cost", "legs"}    # a sort by these begins with the newest / largest
MAX_PAGE = 10 ** 6        # the page's OFFSET stays a 64-bit integer
# The export's columns: the fields of /api/calls (and `callbox calls --json`) a spreadsheet can hold
CSV_COLUMNS = ("id", "start", "direction", "extension", "person", "person_id", "department", "branch", "party",
               "number", "kind", "destination", "trunk", "ring_s", "talk_s", "answered", "transferred", "cost",
               "currency", "tariff", "account_code", "legs", "tenant")
CENTRAL_COLUMNS = ("box",) + CSV_COLUMNS    # on a central: the branch box first ("" = this box's own call)


def sort_of(form) -> tuple[str, bool]:
    """The page's order: ?sort=COLUMN (call_search.SORTS) and ?desc=1|0; by default the newest first."""
    sort = form.get("sort", "")
    sort = sort if sort in call_search.SORTS else "start"
    return sort, form.get("desc", "1" if sort in LARGEST_FIRST else "0") == "1"


def sort_links(query: dict, sort: str, desc: bool) -> dict[str, str]:
    """Per sortable column, the search sorted by it: a number or time the largest first, a text A to Z first;
    the column sorted now in the other direction."""
    return {c: "/calls?" + urlencode({**query, "sort": c, "desc": int(not desc if c == sort else c in LARGEST_FIRST)})
            for c in call_search.SORTS}


def _found(user, pbx_tenant: str, criteria: call_search.Criteria, sort: str, desc: bool,
           box: str) -> tuple[bool, Iterator]:
    """(on a central with branch calls the user sees?, every call of the search in its order): on a central this
    box's own calls (unless branch box `box` is chosen) and the received calls, each carrying `box`."""
    include_own, seen = received_search.choice(user, pbx_tenant, box)
    own = call_search.query(user, pbx_tenant, criteria, sort, desc).iterator() if include_own else iter(())
    if seen is None:
        return False, own

    def merged():
        for call, att in received_search.merged(((c, None) for c in own),
                                                received_search.received_rows(criteria, seen, sort, desc), sort, desc):
            if not hasattr(call, "box"):
                setattr(call, "box", "")
            elif getattr(call, "box"):
                setattr(call, "attribution", att)
            yield call
    return True, merged()


def csv_rows(user, pbx_tenant: str, criteria: call_search.Criteria, sort: str = "start",
             desc: bool = True, box: str = "") -> Iterator[str]:
    """Every call of the search the user may see, newest first, as CSV text in pieces (a year of calls never sits
    in memory at once); PBX text neutralised against spreadsheet formulas (csv_cells). On a central, its branch
    boxes' calls too, the branch box (`box`) the first column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    db.callbox_db.connect(reuse_if_open=True)
    try:
        central, calls = _found(user, pbx_tenant, criteria, sort, desc, box)
        columns = CENTRAL_COLUMNS if central else CSV_COLUMNS
        writer.writerow(columns)
        batch = []
        for call in calls:
            batch.append(call)
            if len(batch) >= api.CHUNK:
                writer.writerows(csv_cells.row(d.get(c) for c in columns)
                                 for d in api.call_dicts(batch, pbx_tenant))
                batch = []
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        writer.writerows(csv_cells.row(d.get(c) for c in columns) for d in api.call_dicts(batch, pbx_tenant))
        yield out.getvalue()
    finally:
        db.callbox_db.close()


def branch_choices(user, pbx_tenant: str) -> tuple[list[str], dict[str, str]]:
    """On a central: the branch boxes whose calls the user sees, and their display names."""
    rscope = rollup_scope(user, pbx_tenant)
    names = received_calls.branch_names(rscope)
    return names, (received_calls.labels() if names else {})


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
              "max_cost": _("Cost at most"), "trunk": _("Trunk"), "account_code": _("Account code"),
              "note": _("Note contains")}
    return labels.get(name, name)


def _page_number(text: str) -> int:
    return min(row_id(text) or 1, MAX_PAGE)


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /calls and GET /calls/<id>."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    central_cfg = cfg.section("central")
    central = bool(central_cfg.listen or central_cfg.database)

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
        sort, desc = sort_of(form)
        box, boxes, box_labels = values["branch"].strip(), [], {}
        if criteria is not None and db.read_access(data_dir):
            user, number = current_user(), _page_number(form.get("page", ""))
            if central and not db.use_central(cfg, data_dir):   # its branch boxes' calls too
                with db.connection():
                    boxes, box_labels = branch_choices(user, pbx.tenant)
            chosen = box if boxes else ""

            def work() -> call_search.Page:
                with db.connection():
                    return received_search.search(user, pbx.tenant, criteria, chosen, number, sort=sort, desc=desc)
            # a search asked before is kept and shown at once; a new one is read in the threadpool, not on the hub
            page = offload.reading(work)
        query = {k: v for k, v in values.items() if v}
        ordered = {**query, "sort": sort, "desc": int(desc)} if sort != "start" or not desc else query
        return _render("calls", code, values=values, label=field_label, page=page, error=error,
                       link=lambda n: "/calls?" + urlencode({**ordered, "page": n}), sort=sort, desc=desc,
                       sort_links=sort_links(query, sort, desc), boxes=boxes, box_labels=box_labels,
                       csv_link="/calls.csv" + ("?" + urlencode(ordered) if ordered else ""))

    @app.get("/calls.csv")
    def export():
        """The whole search (not one page) as CSV, with the page's criteria."""
        form = request.query.decode()
        values = {k: form.get(k, "") for k in FIELDS}
        try:
            criteria = call_search.criteria_from(values, tz)
        except call_search.SearchError as e:
            raise bottle.HTTPError(400, problem(e)) from None
        if not db.read_access(data_dir):
            raise bottle.HTTPError(503, _("no database yet: the worker creates it"))
        box = values["branch"].strip() if central and not db.use_central(cfg, data_dir) else ""
        response.content_type = "text/csv; charset=utf-8"
        response.set_header("Content-Disposition", 'attachment; filename="callbox-calls.csv"')
        response.set_header("Cache-Control", "no-store")
        return csv_rows(current_user(), pbx.tenant, criteria, *sort_of(form), box=box)

    @app.get("/calls/<cid>")
    def call(cid: str):
        path, queued = None, []
        if row_id(cid) is not None and db.read_access(data_dir):
            with db.connection():
                path = call_search.call_path(current_user(), pbx.tenant, int(cid), extra_fields)
                if path is not None:     # its way through the queues, where queue_log tells it (issue 15)
                    queued = cc_journeys.of_call(path.call.call_key)
        if path is None:
            raise bottle.HTTPError(404, _("No call {id} that you may see.").format(id=cid))
        names = i18n.hunt_groups()   # the hunt group the PBX says the call came through (IP Office, Cisco)
        hunt = next((g for row in path.legs if (g := hunt_groups.reported(row["extra"], names))), None)
        return _render("call", path=path, queued=queued, hunt=hunt, pbx_fields=pbx_fields.fields)

    return app
