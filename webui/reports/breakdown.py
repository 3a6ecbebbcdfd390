"""The breakdown report page (REP-1..5, REP-13): /reports (any breakdown, chart, CSV/PDF), saved reports (REP-2).

Every report runs reports.run(spec, current_user(), pbx_tenant): the user's scope applies to every row,
total and export. Queries run off the gevent hub (common.offload). Saved reports and templates are written
through webui.db.write_access (the web process opens callbox.db read-only). Named time ranges are
webui.reports.timeranges, the traffic pages webui.reports.traffic.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode
from pathlib import Path

import bottle
from bottle import request
from peewee import OperationalError

from appliance import config, localtime
from appliance.rating import transfers
from appliance.reports import engine as reports
from appliance.reports import ranges as report_ranges
from appliance.reports import rollup
from appliance.reports.dims import DIMS, MEASURES
from webui import db, row_id
from webui.auth import csrf_token, current_user
from webui.i18n import _, hunt_groups
from webui.reports import common as rp
from webui.reports import export as rx

log = logging.getLogger(__name__)
ROLES = ("administrator", "supervisor", "operator", "staff")


def _lists(user) -> tuple[list[dict], list[dict]]:
    """(the user's saved reports and the templates published to them, every template for an admin)."""
    mine = db.list_reports(user.username, user.role)
    return mine, (db.list_templates() if user.is_admin else [])


def _shown(ranges: dict) -> dict[str, str]:
    """name -> shown label of every named time range."""
    return {n: _(rp.TIME_RANGE_LABELS.get(t.label, t.label)) for n, t in sorted(ranges.items())}


def _run(data_dir: Path, spec: reports.Spec | None, saved_id: int | None, user, pbx_tenant: str, tz,
         charge: str = "first"):
    """(spec, result or None, saved dict or None, saved lists, time ranges), all in one trip off the hub."""
    groups = hunt_groups()     # [directory] hunt_groups as the page shows them (read here: off the hub is no request)

    def work():
        saved, result, found = None, None, spec
        if saved_id is not None:
            saved, result = reports.run_saved(saved_id, user, pbx_tenant, tz=tz, transfer_charge=charge, wait=False,
                                              hunt_groups=groups)
            found = reports.Spec.from_dict(saved["spec"])
        elif spec is not None:
            result = reports.run(spec, user, pbx_tenant, tz=tz, transfer_charge=charge, wait=False,
                                 hunt_groups=groups)
        return found, result, saved, _lists(user), report_ranges.time_ranges()
    return rp.offload(data_dir, work)


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """/reports, /reports.csv, /reports.pdf, and saved reports and templates (/reports/saved...)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    charge = transfers.rule(cfg)   # RAT-4: the rule bills apply

    def page(code: int = 200, error: str = ""):
        form = request.query.decode()
        user = current_user()
        saved_id = row_id(form.get("saved", ""))
        spec = rp.spec_from(form) if form.get("run") else None
        result = saved = None
        preparing = ""
        try:
            spec, result, saved, lists, ranges = _run(data_dir, spec, saved_id, user, pbx.tenant, tz, charge)
        except rp.NoData:
            lists, ranges = ([], []), rp.default_ranges()
        except rollup.Preparing as e:
            preparing = rp.preparing_text(e)
            lists, ranges = _safe_lists(user)
        except (reports.ReportError, report_ranges.RangeError, db.ReportAccessError, OperationalError) as e:
            code, error = 404 if isinstance(e, LookupError) else 400, str(e)
            lists, ranges = _safe_lists(user)
        table = chart = None
        if result is not None:
            base = rp.spec_query(spec) + ("&top=" + form["top"] if form.get("top", "").isdigit() else "")
            table = rp.result_table(result, rp.calls_link(spec, result, tz), form.get("sort", ""),
                                    form.get("desc") == "1", _top(form.get("top", "")),
                                    lambda column, down: f"/reports?run=1&{base}&" + urlencode(
                                        {"sort": column, "desc": "1" if down else "0"}))
            chart = rp.result_chart(result, form.get("chart"))
        return rp.render("reports", code, user=user, v=rp.form_values(spec or reports.Spec()), result=result,
                         table=table, chart=chart, saved=saved, mine=lists[0], templates=lists[1], error=error,
                         query=rp.spec_query(spec) if spec else "", csrf=csrf_token(), roles=ROLES,
                         dims=_dims(spec), measures=list(MEASURES), ranges=_shown(ranges), rp=rp, tz=tz,
                         done=request.query.get("done", ""), preparing=preparing)

    def _dims(spec) -> list[str]:
        """The dimensions offered: "Hunt group" only when [directory] hunt_groups names a group (or the report
        shown is by it: a saved one, a group since removed), as the form's hunt group filter."""
        chosen = set(spec.dims) if spec is not None else set()
        return [d for d in DIMS if d != "hunt_group" or hunt_groups() or d in chosen]

    def _top(text: str) -> int | None:
        return max(1, min(int(text), 10 ** 6)) if text.isdigit() else None

    def _safe_lists(user):
        try:
            return rp.offload(data_dir, lambda: (_lists(user), report_ranges.time_ranges()))
        except (rp.NoData, OperationalError):
            return ([], []), rp.default_ranges()

    @app.get("/reports")
    def reports_page():
        return page()

    def export(kind: str):
        spec = rp.spec_from(request.query.decode())
        user, groups = current_user(), hunt_groups()
        try:
            result = rp.offload(data_dir, lambda: reports.run(spec, user, pbx.tenant, tz=tz, transfer_charge=charge,
                                                              wait=False, hunt_groups=groups))
        except rp.NoData:
            raise bottle.HTTPError(503, _("no database yet: the worker creates it")) from None
        except rollup.Preparing as e:
            raise bottle.HTTPError(503, rp.preparing_text(e), headers={"Retry-After": "60"}) from None
        except (reports.ReportError, report_ranges.RangeError) as e:     # e.g. an unknown time_range
            raise bottle.HTTPError(400, str(e)) from None
        name = rx.filename("callbox-report", *spec.dims, result.range_label.replace("/", "_"))
        if kind == "csv":
            return rx.attachment(reports.to_csv(result), name + ".csv", "text/csv; charset=utf-8")
        columns = [rp.label(c) + (f" ({result.currency})" if c == "cost" and result.currency else "")
                   for c in result.columns]
        totals = None
        if result.ndims and result.rows:
            totals = [_("Total")] + [""] * (result.ndims - 1) + [
                _cell_text(c, v) for c, v in zip(result.columns[result.ndims:], result.totals[result.ndims:])]
        rows = [[_cell_text(c, v) for c, v in zip(result.columns, r)] for r in result.rows]
        align = ["RIGHT" if c in rp.MEASURES else "LEFT" for c in result.columns]
        body = rx.pdf_bytes(_("Report") + ": " + " × ".join(rp.label(d) for d in spec.dims),
                            _subtitle(spec, result, tz), columns, rows, rp.result_charts(result), totals, align)
        return rx.attachment(body, name + ".pdf", "application/pdf")

    @app.get("/reports.csv")
    def export_csv():
        return export("csv")

    @app.get("/reports.pdf")
    def export_pdf():
        return export("pdf")

    @app.post("/reports/saved")
    def save():
        forms = request.forms.decode()
        spec = rp.spec_from(forms)
        user = current_user()
        template = forms.get("as_template") == "1"
        if template and not user.is_admin:
            raise bottle.HTTPError(403, _("for administrators only"))
        try:
            _check(spec)
            with db.write_access(data_dir, rp.WRITES):
                if template:
                    rid = db.publish_template(user.username, forms.get("name", ""), spec.as_dict(),
                                              [r for r in forms.getall("role") if r in ROLES],
                                              forms.get("users", "").split(","))
                else:
                    rid = db.save_report(user.username, forms.get("name", ""), spec.as_dict())
        except ValueError as e:
            return page(400, str(e))
        bottle.redirect(f"/reports?saved={rid}", 303)

    @app.post("/reports/saved/delete")
    def delete():
        rid = request.forms.get("id", "")
        user = current_user()
        if row_id(rid) is None:
            raise bottle.HTTPError(404, _("no saved report {id}").format(id=rid))
        with db.write_access(data_dir, rp.WRITES):
            gone = db.delete_report(int(rid), user.username, user.is_admin)
        if not gone:
            raise bottle.HTTPError(404, _("no saved report {id}").format(id=rid))
        bottle.redirect("/reports?done=deleted", 303)

    return app


def _check(spec: reports.Spec) -> None:
    """A spec that could not run is not saved (the engine's own checks, without running it)."""
    reports._check(spec)
    if spec.range not in report_ranges.DATE_RANGES:
        raise reports.ReportError(f"unknown date range {spec.range!r}")


def _cell_text(column: str, value):
    """A PDF cell: dimensions and durations as shown on the page (h:mm:ss, not seconds), other numbers as
    numbers."""
    if value is None or (column in rp.MEASURES and column not in rp.SECONDS):
        return value
    return rp.cell(column, value)[0]


def _subtitle(spec: reports.Spec, result: reports.Result, tz) -> str:
    parts = [_(rp.RANGE_LABELS.get(spec.range, spec.range))]
    if result.since is not None and result.until is not None:
        parts.append(rp.period_text(result.since, result.until, tz))
    for k, v in spec.filters.items():
        values = v if isinstance(v, str) else ", ".join(rp.dim_text(k, x) if k == "hunt_group" else str(x) for x in v)
        parts.append(f"{rp.label(k) if k != 'time_range' else _('Time range')}: {values}")
    return " · ".join(parts)
