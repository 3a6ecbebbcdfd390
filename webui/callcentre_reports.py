"""The call-centre reports on the web (issue 15, CC-3): /callcentre/reports lists them, /callcentre/reports/<name>
shows one over a date range and the queues chosen, sorted by any column, with its chart, a comparison with the period
just before or any earlier one, and its CSV and PDF (?export=csv|pdf).

The reports are appliance/callcentre/reports.py's; this module gives them headings, formats and charts. Scope as the
queue summary's (webui/callcentre.py): who sees the whole box every queue, a department or branch supervisor their
unit's queues ([callcentre] queue_units), anyone else 403.
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import bottle
from babel import dates
from bottle import request

from appliance import config, localtime
from appliance.callcentre import kpis, opening, received_reports, reports, targets
from appliance.callcentre import scope as cs
from appliance.callcentre.agents import directory_names
from appliance.callcentre.tables import Ask, Col
from appliance.callcentre.tables import Table as Data
from appliance.pdf.chart import Chart
from appliance.reports import received, received_calls
from appliance.reports.attribution import rollup_scope
from webui import db
from webui.auth import current_user
from webui.callcentre import Problem, no_queues, queue_units, rulebook, window
from webui.i18n import N_, _, fmt_datetime, fmt_duration, fmt_number, language
from webui.reports import common as rp
from webui.reports import export
from webui.report_labels import COLUMN_LABELS, NOTES, REPORT_TEXTS, value_text

log = logging.getLogger(__name__)
EXPORTS = ("csv", "pdf")
GROUP_LABELS = {"queues": N_("Queues"), "agents": N_("Agents"), "callers": N_("Callers and calls")}
assert set(REPORT_TEXTS) == set(reports.REPORTS) and set(GROUP_LABELS) == set(reports.GROUPS)


def cell(col: Col, value, names: dict[str, str], tz) -> tuple[str, bool]:
    """A value as shown: (text, numeric)."""
    if value is None:
        return "–", col.kind not in ("text", "agent", "time")
    kind = col.kind
    if kind == "count":
        return fmt_number(value), True
    if kind == "seconds":
        return fmt_duration(round(value)), True
    if kind == "percent":
        return fmt_number(value, 1) + " %", True
    if kind == "number":
        return fmt_number(value, 2), True
    if kind == "time":
        return (fmt_datetime(value, localtime.offset_at(value, tz)) if value != "" else ""), False
    if kind == "hour":
        return (f"{value}:00" if value != "" else ""), False
    if kind == "weekday":
        return (dates.get_day_names("wide", locale=language())[int(value) - 1] if value != "" else ""), False
    if kind == "agent":
        return (f"{names[value]} ({value})" if value in names else value), False
    return value_text(col.name, value), False


def _box_names(data: Data, labels: dict[str, str]) -> Data:
    """The report with its branch box column shown by the boxes' display names ("this box" for the central's own)."""
    at = data.names().index("branch")
    rows = [r[:at] + [labels.get(r[at], r[at]) if r[at] else _("this box")] + r[at + 1:] for r in data.rows]
    return replace(data, rows=rows)


def _sorted(data: Data, sort: str, desc: bool) -> list[list]:
    return rp.sort_rows(data.names(), data.rows, sort, desc)


def shown(data: Data, names: dict[str, str], tz, sort: str = "", desc: bool = False,
          sort_link=None) -> rp.Table:
    """The report as the page shows it (webui/templates/report_table.tpl)."""
    keep = [i for i, c in enumerate(data.columns) if c.name != data.link]     # the link's id is not shown
    at = data.names().index(data.link) if data.link else None
    rows = [([cell(data.columns[i], r[i], names, tz) for i in keep],
             f"/callcentre/evaluate/{r[at]}" if at is not None and r[at] is not None else "")
            for r in _sorted(data, sort, desc)]      # a branch box's queue call (no id here) is evaluated there
    table = rp.Table([heading(data.columns[i].name) for i in keep], rows)
    if data.totals is not None and data.rows:
        keys = ("text", "agent", "time", "hour", "weekday")
        foot = [("", False) if v in ("", None) and c.kind in keys else cell(c, v, names, tz)
                for c, v in ((data.columns[i], data.totals[i]) for i in keep)]
        foot[0] = (_("Total"), False)
        table.totals = foot
    if sort_link is not None:
        cols = data.names()
        table.sort_links = [sort_link(cols[i], (not desc) if cols[i] == sort else data.columns[i].kind not in
                                      ("text", "agent")) for i in keep]
        table.sorted_by = (keep.index(cols.index(sort)), desc) if sort in cols and cols.index(sort) in keep else None
    return table


def heading(name: str) -> str:
    if name in COLUMN_LABELS:
        return _(COLUMN_LABELS[name])
    if name.startswith("h") and name[1:].isdigit():       # the heat map's hours
        return f"{name[1:]}"
    if name.endswith("_before") and name[:-len("_before")] in COLUMN_LABELS:
        return _("{measure}, period before").format(measure=_(COLUMN_LABELS[name[:-len("_before")]]))
    return name


def chart(data: Data, names: dict[str, str], tz) -> Chart | None:
    """The chart the report suggests: its measures over the rows' first key (every row: a chart never drops one)."""
    if data.chart is None or not data.rows:
        return None
    kind, measures = data.chart
    cols = data.names()
    k = 1 if cols[0] == "rank" else 0          # a ranking is drawn by who is ranked
    key = data.columns[k]
    labels = [cell(key, r[k], names, tz)[0] + ("" if data.keys < k + 2 else " · " + str(r[k + 1]))
              for r in data.rows]
    series = {heading(m): [rp.exact(r[cols.index(m)]) for r in data.rows] for m in measures if m in cols}
    return Chart(kind, labels, series) if series else None


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /callcentre/reports: the list; GET /callcentre/reports/<name>: one report (?export=csv|pdf)."""
    app = bottle.Bottle()
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    book = rulebook(cfg)
    try:
        hours = opening.hours(cfg)
    except config.ConfigError as e:
        log.error("%s: every queue is taken as always open", e)
        hours = opening.Hours()
    try:
        goals = targets.of_config(cfg)
    except config.ConfigError as e:
        log.error("%s: the rankings judge no target", e)
        goals = (targets.Targets(), targets.Targets())
    units = queue_units(cfg)
    reasons = tuple(r.strip() for r in cfg.section("callcentre").wrapup_pause_reasons.split(",") if r.strip())

    central_cfg = cfg.section("central")
    central = bool(central_cfg.listen or central_cfg.database)

    def branch_boxes(user, name: str):
        """On a central, for a report that covers the branch boxes (received_reports.REPORTS): (the SQL conditions
        of the branch boxes' queue calls the user sees, those boxes, their display names); None otherwise."""
        if not central or name not in received_reports.REPORTS or user is None or db.use_central(cfg, data_dir) \
                or not db.read_access(data_dir):
            return None
        with db.connection():
            rscope = rollup_scope(user, pbx.tenant)
            seen = received.scope_sql(rscope)
            if seen is None:
                return None
            names = received_calls.branch_names(rscope)
            return seen, names, received_calls.labels()

    @app.get("/callcentre/reports")
    def index():
        groups = {g: [(n, REPORT_TEXTS[n]) for n, (gg, _f) in reports.REPORTS.items() if gg == g]
                  for g in reports.GROUPS}
        return rp.render("callcentre_reports", title=_("Call-centre reports"), groups=groups, labels=GROUP_LABELS)

    @app.get("/callcentre/reports/<name>")
    def report(name: str):
        if name not in reports.REPORTS:
            raise bottle.HTTPError(404, _("No such report."))
        user = current_user()
        form = request.query.decode()
        title, about = (_(t) for t in REPORT_TEXTS[name])
        sort, desc = form.get("sort") or "", form.get("desc") == "1"
        base = dict(title=title, about=about, report=name, form=form, ranges=rp.RANGE_LABELS, table=None, chart=None,
                    error="", queues=[], chosen=set(), comparable=reports.comparable(name), note="", exports=EXPORTS,
                    boxes=[], box_labels={})
        try:
            since, until = window(form, tz)
            before = window(form, tz, "before_") if form.get("compare") == "custom" else None
        except Problem as e:
            return rp.render("callcentre_report", 400, **{**base, "error": str(e)})
        chosen = frozenset(q for q in form.getall("queue") if q) if hasattr(form, "getall") else frozenset()
        box = (form.get("branch") or "").strip()
        boxes = branch_boxes(user, name)     # on a central: the branch boxes this report covers for the user

        def work():
            seen = cs.visible_queues(user, pbx.tenant, units)
            if seen is not None and not seen and boxes is None:
                return None
            own = not box and (seen is None or bool(seen))
            every = [q for q in kpis.queue_names() if seen is None or q in seen]
            wanted = seen if not chosen else frozenset(q for q in chosen if seen is None or q in seen)
            ask = Ask(book, since, until, tz, wanted, form.get("caller") or "", reasons)

            def run(a: Ask) -> Data:
                if boxes is None:
                    return reports.run(name, a, hours, goals)
                return received_reports.run(name, a, boxes[0], box, own, hours, goals)
            data = run(ask)
            if form.get("compare") and reports.comparable(name):
                earlier = reports.earlier(ask, *(before or (None, None)))
                data = reports.compare(data, run(earlier))
            agents = [r[i] for r in data.rows for i, c in enumerate(data.columns) if c.kind == "agent" and r[i]]
            # agents named by the directory as of the period's end (an extension that changed hands is named by who
            # held it then), or now for an open or running period
            at = int(time.time()) if until is None else min(int(time.time()), until - 1)
            return every, data, directory_names(sorted(set(agents)), pbx.tenant, at)
        try:
            found = rp.offload(data_dir, work)
        except rp.NoData:
            return rp.render("callcentre_report", **base)
        except ValueError as e:       # a comparison with an open range
            return rp.render("callcentre_report", 400, **{**base, "error": str(e)})
        if found is None:
            raise bottle.HTTPError(403, no_queues())
        every, data, names = found

        def sort_link(column: str, descending: bool) -> str:
            query = [(k, v) for k, v in form.allitems() if k not in ("sort", "desc", "export")]
            return "?" + urlencode(query + [("sort", column), ("desc", "1" if descending else "0")])
        seen_data = data if boxes is None else _box_names(data, boxes[2])
        table = shown(seen_data, names, tz, sort, desc, sort_link)
        picture = chart(seen_data, names, tz)
        kind = form.get("export")
        if kind in EXPORTS:
            stem = export.filename("callcentre", name, form.get("range") or "today")
            if kind == "csv":
                cols = [heading(c.name) + (" (s)" if c.kind == "seconds" else " (%)" if c.kind == "percent" else "")
                        for c in data.columns]
                return export.attachment(export.table_csv(cols, _sorted(data, sort, desc)), stem + ".csv",
                                         "text/csv; charset=utf-8")
            return export.attachment(export.table_pdf(title, about, table, picture), stem + ".pdf",
                                     "application/pdf")
        return rp.render("callcentre_report", **{**base, "table": table, "chart": picture, "queues": every,
                                                 "boxes": boxes[1] if boxes else [],
                                                 "box_labels": boxes[2] if boxes else {},
                                                 "chosen": chosen, "comparable": reports.comparable(name),
                                                 "note": _(NOTES[data.note]) if data.note in NOTES else ""})

    return app
