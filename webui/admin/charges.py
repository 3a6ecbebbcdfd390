"""The billing page of a tenant's administrators (/charges, issue 20: no shell for daily work): what the CLI's
`callbox compare`, `allowance import`, `linecharge import|show` and `period close|reopen|list` do.

- the provider comparison (RAT-1): a month's outgoing traffic priced under every stored plan;
- allowances (RAT-7) and line charges (RAT-6): the tenant's lists, replaced whole by a CSV upload read by the
  CLI's readers (a file with a bad row is refused whole, the row named); a month's line charges shared out;
- billed periods: close a month (its calls keep their price when tariffs change), reopen one, the list.

The tenant is a choice of the tenants the user sees (appliance.access.scope.visible_tenants: an administrator of a
tenant only theirs). The comparison and the shares read many calls: they run in the gevent threadpool."""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import bottle
from bottle import request, response
from peewee import OperationalError

from appliance import config, localtime
from appliance.access import scope
from appliance.billing import allowances, billed, linecharges, usage
from appliance.billing import bills as billing
from webui import TEMPLATE_LOOKUP, db, offload
from webui.auth import csrf_token, current_user
from webui.i18n import _, fmt_number, ngettext
from webui.reports.bill import BASES, KINDS, UNITS, last_month
from webui.sorting import Column, Sorted, amount, sort_list

log = logging.getLogger(__name__)
MAX_UPLOAD = 2 * 1024 * 1024
MODELS = db.MODELS_BILLING + db.MODELS_BILLED


def _tenant(code: str, default: str) -> tuple[db.Tenant | None, list[db.Tenant]]:
    """The chosen tenant among those the user sees (404 for another), else theirs or the box's."""
    user = current_user()
    tenants = scope.visible_tenants(user)
    by_code = {t.code: t for t in tenants}
    if code and code not in by_code:
        raise bottle.HTTPError(404, _("No tenant {code!r} that you may see.").format(code=code))
    chosen = by_code.get(code) or by_code.get(user.tenant) or by_code.get(default) or (tenants[0] if tenants else None)
    return chosen, tenants


def _figures(cfg: config.Config, tenant: str, period_text: str) -> dict:
    """The comparison, the line charges' shares and the stored lists for the tenant and month (threadpool)."""
    tz = localtime.zone(cfg.section("pbx").timezone)

    def work() -> dict:
        with db.connection():
            site = usage.site_from_config(cfg, tz, tenant)
            out: dict = {"allowances": db.allowances(site.tenant_id), "periods": billed.periods(tenant),
                         "compare": [], "shares": [], "error": ""}
            try:
                period = usage.parse_period(period_text, tz)
                out["compare"] = billing.compare(site, period)
                out["shares"] = linecharges.month_distribution(site, period)
            except usage.BillingError as e:
                out["error"] = str(e)
            out["charges"] = db.line_charges(site.tenant_id, period_text) if not out["error"] else []
            return out

    return offload.blocking(work)


def tables(figures: dict, query) -> dict[str, Sorted | list[Sorted]]:
    """The page's tables, each sorted by any column and cut to its top N (webui.sorting; the comparison the
    cheapest first unless asked): the comparison, each line charge's shares, the allowances, the billed periods."""
    def by_class(r) -> str:
        return ", ".join(_(KINDS.get(k, k)) for k in r.per_class)
    compare = [Column(_("Plan"), lambda r: r.plan), Column(_("Total"), lambda r: r.total, True),
               Column(_("Calls"), lambda r: r.calls, True), Column(_("Not priced"), lambda r: r.unrated, True),
               Column(_("By class"), by_class)]
    share = [Column(_("Person or cost centre"), lambda r: r[0]), Column(_("Share"), lambda r: r[1], True)]
    allowance = [Column(_("Subscriber"), lambda a: a.subscriber), Column(_("Allowance"), lambda a: a.name),
                 Column(_("Amount"), lambda a: amount(a.amount), True),
                 Column(_("Applies to"), lambda a: _("every call") if a.match == "*" else a.match),
                 Column(_("Period"), lambda a: _("month") if a.period == "month" else _("week")),
                 Column(_("Valid from"), lambda a: str(a.valid_from or ""), True),
                 Column(_("Valid to"), lambda a: str(a.valid_to or ""), True)]
    period = [Column(_("Period"), lambda p: p.label), Column(_("Closed"), lambda p: p.closed_at, True),
              Column(_("By"), lambda p: p.closed_by)]
    shares = []
    for i, d in enumerate(figures.get("shares") or []):
        rows = [(who, v) for who, v in d.by_person.items()]
        rows += [(_("Cost centre") + " " + (cc or _("(no cost centre)")), v) for cc, v in d.by_cost_centre.items()]
        rows += [(_("No use of the line this month"), d.unallocated)] if d.unallocated else []
        shares.append(sort_list(f"share{i}", rows, share, query, "/charges"))
    return {"compare": sort_list("compare", sorted(figures.get("compare") or [], key=lambda r: (r.currency, r.total)),
                                 compare, query, "/charges"), "shares": shares,
            "allowances": sort_list("allowances", figures.get("allowances") or [], allowance, query, "/charges"),
            "periods": sort_list("periods", figures.get("periods") or [], period, query, "/charges")}


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /charges[?tenant=&period=]; POST /charges/allowances, /charges/linecharges (CSV uploads),
    /charges/close and /charges/reopen (billed periods)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")

    def offset_at(t: int) -> int:
        """The PBX zone's UTC offset in seconds at `t`."""
        offset = datetime.fromtimestamp(t, localtime.zone(pbx.timezone)).utcoffset()
        return int(offset.total_seconds()) if offset else 0

    def page(status: int = 200, error: str = "", done: str = "", form=None) -> str:
        form = form if form is not None else request.query.decode()
        values: dict = {"ready": db.read_access(data_dir), "tenant": None, "tenants": [], "error": error, "done": done,
                        "period": form.get("period", "").strip() or last_month(localtime.zone(pbx.timezone))}
        if values["ready"]:
            try:
                with db.connection():
                    values["tenant"], values["tenants"] = _tenant(form.get("tenant", "").strip(), pbx.tenant)
            except OperationalError:
                log.warning("directory tables not ready in %s", data_dir)
                values["ready"] = False
        code = values["tenant"].code if values["tenant"] is not None else pbx.tenant
        values["code"] = code
        figures = _figures(cfg, code, values["period"]) if values["ready"] else {}
        if figures.get("error") and not values["error"]:
            values["error"], status = figures["error"], 400
        response.status = status
        response.set_header("Cache-Control", "no-store")
        query = {**{k: v for k, v in request.query.decode().items() if k.endswith(("_sort", "_desc", "_top"))},
                 "tenant": code, "period": values["period"]}      # after a POST too: the links keep the month
        return bottle.template("charges", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), figures=figures,
                               tables=tables(figures, query),
                               kind_label=lambda k: _(KINDS.get(k, k)), unit_label=lambda u: _(UNITS.get(u, u)),
                               basis_label=lambda b: _(BASES.get(b, b)), offset_at=offset_at, **values)

    @app.get("/charges")
    def show():
        return page()

    def upload(what: str):
        form = request.forms.decode()
        if not db.read_access(data_dir):
            return page(503, _("No database yet: the worker creates it."), form=form)
        with db.connection():
            tenant, _tenants = _tenant(form.get("tenant", "").strip(), pbx.tenant)
        code = tenant.code if tenant is not None else pbx.tenant
        got = request.files.get("file")
        if got is None:
            return page(400, _("Choose a CSV file to upload."), form=form)
        data = got.file.read(MAX_UPLOAD + 1)
        name = got.raw_filename or "upload.csv"
        if len(data) > MAX_UPLOAD:
            return page(400, _("The file is larger than %d MB.") % (MAX_UPLOAD // 2**20), form=form)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            return page(400, _("%s: not UTF-8 (byte %d); save it as UTF-8 CSV.") % (name, e.start), form=form)
        reader = allowances.read_csv if what == "allowances" else linecharges.read_csv
        try:
            rows = reader(text, name)
        except ValueError as e:           # the readers' errors name the file, the line and the column
            return page(400, str(e), form=form)
        with db.write_access(data_dir, MODELS + db.MODELS_DIRECTORY):
            tid = db.tenant_id(code, create=True)
            n = (db.replace_allowances if what == "allowances" else db.replace_line_charges)(
                tid, rows)
        log.info("%s of tenant %s replaced from %s (%d rows) by %s", what, code, name, n, current_user().username)
        done = (ngettext("{n} allowance stored from {file}.", "{n} allowances stored from {file}.", n)
                if what == "allowances" else
                ngettext("{n} line charge stored from {file}.", "{n} line charges stored from {file}.", n))
        done = done.format(n=fmt_number(n), file=name)
        return page(201, done=done, form=form)

    @app.post("/charges/allowances")
    def upload_allowances():
        return upload("allowances")

    @app.post("/charges/linecharges")
    def upload_linecharges():
        return upload("linecharges")

    @app.post("/charges/close")
    def close():
        form = request.forms.decode()
        tz = localtime.zone(pbx.timezone)
        if not db.read_access(data_dir):
            return page(503, _("No database yet: the worker creates it."), form=form)
        with db.connection():
            tenant, _tenants = _tenant(form.get("tenant", "").strip(), pbx.tenant)
        code = tenant.code if tenant is not None else pbx.tenant
        try:
            p = usage.parse_period(form.get("period", ""), tz)
            with db.write_access(data_dir, MODELS):
                billed.close(code, p.label, p.since, p.until, by=f"web:{current_user().username}")
        except (usage.BillingError, db.PeriodError) as e:
            return page(400, str(e), form=form)
        return page(201, done=_("Period {period} is billed: its calls keep their price.").format(period=p.label),
                    form=form)

    @app.post("/charges/reopen")
    def reopen():
        form = request.forms.decode()
        if not db.read_access(data_dir):
            return page(503, _("No database yet: the worker creates it."), form=form)
        with db.connection():
            tenant, _tenants = _tenant(form.get("tenant", "").strip(), pbx.tenant)
        code = tenant.code if tenant is not None else pbx.tenant
        label = form.get("label", "").strip()
        try:
            with db.write_access(data_dir, MODELS):
                billed.reopen(code, label, by=f"web:{current_user().username}")
        except db.PeriodError as e:
            return page(400, str(e), form=form)
        return page(done=_("Period {period} reopened: its calls may be re-rated again.").format(period=label),
                    form=form)

    return app
