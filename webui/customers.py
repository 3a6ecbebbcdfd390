"""The customer pages (RAT-11; administrators of the whole box): the list with a form for a new customer; a customer
with its settings (edit), its prepaid account (top up, the statement with the balance after each call) and its
invoices. Customers bill calls of any tenant of the box, so only who sees the whole box manages them.
Writes go to the customer tables only, through webui.db.write_access."""
from __future__ import annotations

import logging
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import bottle
from bottle import request, response

from appliance import config, localtime
from appliance.customers import accounts, customers, invoices, margins
from appliance.pricing import lists
from webui import db, offload, row_id
from webui.auth import csrf_token, current_user
from webui.i18n import N_, _, fmt_duration, fmt_iso, fmt_money
from webui.invoices import month_bounds
from webui.reports.common import render

log = logging.getLogger(__name__)
ACCOUNT_LABELS = {"prepaid": N_("prepaid"), "postpaid": N_("postpaid")}
LANG_NAMES = {"en": "English", "tr": "Türkçe", "bg": "Български", "az": "Azərbaycanca", "cs": "Čeština",
              "nb": "Norsk bokmål"}
FIELDS = ("name", "price_list", "currency", "account", "low_balance", "tax_rate", "lang", "address", "monthly_fee",
          "country", "email")


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [v for v in text.replace(",", " ").split() if v]


def form_values() -> tuple[dict, list[str] | None, list[str] | None]:
    """The customer form: its values, extensions and account codes (only the fields sent; None: not sent)."""
    f = request.forms
    values = {k: f.getunicode(k, "").strip() for k in FIELDS if f.getunicode(k) is not None}
    return values, _split(f.getunicode("extensions")), _split(f.getunicode("account_codes"))


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /customers, /customers/<cid>, /customers/<cid>/calls.pdf; POST /customers, /customers/<cid>/edit,
    /customers/<cid>/topup."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    tz = localtime.zone(cfg.section("pbx").timezone)

    def read(fn):
        return db.read(data_dir, fn)

    def page(template: str, code: int = 200, **values):
        base = dict(csrf=csrf_token(), money=fmt_money, duration=fmt_duration, when=fmt_iso, accounts=ACCOUNT_LABELS,
                    langs=LANG_NAMES, label=invoices.label, error="",
                    at=lambda t: fmt_iso(datetime.fromtimestamp(t, tz).isoformat()))
        return render(template, code, **{**base, **values})

    def listing(code: int = 200, error: str = "", form: dict | None = None):
        rows = read(lambda: [(c, customers.matches(c)) for c in customers.all_customers()])
        return page("customers", code, title=_("Customers"), rows=rows, price_lists=read(lists.codes), error=error,
                    form=form or {})

    def found(cid: str):
        c = read(lambda: customers.by_id(row_id(cid) or 0))
        if c is None:
            raise bottle.HTTPError(404, _("No such customer."))
        return c

    def detail(c, code: int = 200, error: str = ""):
        def work():
            st, margin, problem = None, None, ""
            try:
                if c.account == "prepaid":
                    st = accounts.statement(c)
                if c.monthly_fee:   # this month so far (RAT-12)
                    first = datetime.now(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
                    margin = margins.margin(c, int(first.timestamp()), int(time.time()) + 1)
            except customers.CustomerError as e:
                problem = str(e)
            return customers.matches(c), st, margin, problem, invoices.invoices(c), lists.codes()
        m, st, margin, problem, invs, codes = read(work)
        last = date.fromordinal(datetime.now(tz).replace(day=1).toordinal() - 1).strftime("%Y-%m")
        return page("customer", code, title=c.name, c=c, m=m, st=st, margin=margin, problem=problem,
                    invoices=invs, price_lists=codes, error=error, month=last)

    @app.get("/customers")
    def customer_list():
        return listing()

    @app.post("/customers")
    def create():
        values, exts, codes = form_values()
        code = request.forms.getunicode("code", "").strip()
        try:
            with db.write_access(data_dir, db.MODELS_CUSTOMERS):
                c = customers.add(code, values.pop("name", ""), exts or [], codes or [],
                                  **{k: v for k, v in values.items() if v or k in ("address", "monthly_fee")})
        except customers.CustomerError as e:
            kept = {**values, "code": code, "extensions": " ".join(exts or []),
                    "account_codes": " ".join(codes or [])}
            return listing(400, _("Refused: {reason}").format(reason=str(e)), kept)
        log.info("customer %s added by %s", c.code, current_user().username)
        bottle.redirect(f"/customers/{c.id}", 303)

    @app.get("/customers/<cid>")
    def show(cid: str):
        return detail(found(cid))

    @app.post("/customers/<cid>/edit")
    def edit(cid: str):
        c = found(cid)
        values, exts, codes = form_values()
        try:
            with db.write_access(data_dir, db.MODELS_CUSTOMERS):
                customers.edit(c.code, exts, codes, **values)
        except customers.CustomerError as e:
            return detail(c, 400, _("Refused: {reason}").format(reason=str(e)))
        log.info("customer %s changed by %s", c.code, current_user().username)
        bottle.redirect(f"/customers/{c.id}", 303)

    @app.post("/customers/<cid>/topup")
    def topup(cid: str):
        c = found(cid)
        amount = request.forms.getunicode("amount", "").strip().replace(",", ".")
        try:
            with db.write_access(data_dir, db.MODELS_CUSTOMERS):
                t = accounts.top_up(c, amount, int(time.time()), request.forms.getunicode("note", ""))
        except customers.CustomerError as e:
            return detail(c, 400, _("Refused: {reason}").format(reason=str(e)))
        log.info("customer %s topped up %s by %s", c.code, Decimal(t.amount), current_user().username)
        bottle.redirect(f"/customers/{c.id}", 303)

    @app.get("/customers/<cid>/calls.pdf")
    def call_list(cid: str):
        """The customer's call list of ?month=YYYY-MM as PDF (REP-9), in their language unless ?lang= asks."""
        c = found(cid)
        month = request.query.getunicode("month", "") or ""
        since, until = month_bounds(month, tz)
        lang = request.query.get("lang", "")
        lang = lang if lang in customers.LANGS else c.lang

        def work():
            from appliance.pdf.call_list import call_list_pdf   # fpdf2 loads only for a PDF
            with db.connection():
                pricer = customers.Pricer(c)
                return call_list_pdf(c, customers.calls_of(c, since, until, pricer), pricer.currency, month, lang)
        try:
            data = offload.blocking(work)
        except customers.CustomerError as e:
            raise bottle.HTTPError(409, _("Refused: {reason}").format(reason=str(e))) from None
        response.content_type = "application/pdf"
        response.set_header("Cache-Control", "no-store")
        response.set_header("Content-Disposition", f'attachment; filename="calls-{c.code}-{month}.pdf"')
        return data

    return app
