"""The invoice pages (REP-9; administrators of the whole box): the list with the form that issues a customer's
invoice for a month; an invoice with its lines, its PDF and the form that issues its credit note. No route changes
or deletes an issued invoice (the database refuses it too: appliance/store/customers.py)."""
from __future__ import annotations

import logging
import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import bottle
from bottle import request, response

from appliance import config, localtime
from appliance.customers import customers, invoices, tax
from webui import db, offload, row_id
from webui.auth import csrf_token, current_user
from webui.i18n import _, fmt_day, fmt_duration, fmt_iso, fmt_money
from webui.reports.common import render

log = logging.getLogger(__name__)
MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_bounds(text: str, tz) -> tuple[int, int]:
    """'YYYY-MM' -> [first day, first day of the next month) in UTC seconds, local days in `tz`."""
    m = MONTH.fullmatch(text.strip())
    if m is None or not 1 <= int(m.group(2)) <= 12 or not 1 <= int(m.group(1)) <= 9998:
        raise bottle.HTTPError(400, _("Write the month as YYYY-MM."))
    y, mo = int(m.group(1)), int(m.group(2))
    first, last = date(y, mo, 1), date(y + mo // 12, mo % 12 + 1, 1)
    since, until = (localtime.to_utc(datetime.combine(d, datetime.min.time()), tz)[0] for d in (first, last))
    return since, until


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /invoices, /invoices/<iid>, /invoices/<iid>.pdf; POST /invoices/issue, /invoices/<iid>/credit."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    tz = localtime.zone(cfg.section("pbx").timezone)
    try:
        tax_rates = tax.rates(cfg)
    except config.ConfigError as e:   # the web must come up: a customer with a country cannot be invoiced until fixed
        log.error("%s: invoices of customers with a country are refused", e)
        tax_rates = {}

    def read(fn):
        return db.read(data_dir, fn)

    def page(template: str, code: int = 200, **values):
        base = dict(csrf=csrf_token(), money=fmt_money, duration=fmt_duration, when=fmt_iso, label=invoices.label,
                    error="", at=lambda t: fmt_iso(datetime.fromtimestamp(t, tz).isoformat()),
                    day=lambda t: fmt_day(datetime.fromtimestamp(t, tz).date()))
        return render(template, code, **{**base, **values})

    def listing(code: int = 200, error: str = ""):
        rows, people = read(lambda: ([(i, i.customer.code, i.customer.name) for i in invoices.invoices()],
                                     customers.all_customers()))
        last = datetime.now(tz).replace(day=1).toordinal() - 1
        return page("invoices", code, title=_("Invoices"), rows=rows, customers=people, error=error,
                    month=date.fromordinal(last).strftime("%Y-%m"))

    def found(iid: str):
        inv = read(lambda: invoices.by_id(row_id(iid) or 0))
        if inv is None:
            raise bottle.HTTPError(404, _("No such invoice."))
        return inv

    @app.get("/invoices")
    def invoice_list():
        return listing()

    @app.post("/invoices/issue")
    def issue():
        since, until = month_bounds(request.forms.getunicode("month", ""), tz)
        texts = [t.strip() for t in request.forms.getunicode("items", "").splitlines() if t.strip()]
        try:
            items = [invoices.parse_item(t) for t in texts]
            with db.write_access(data_dir, db.MODELS_CUSTOMERS):
                c = customers.get(request.forms.getunicode("customer", ""))
                inv = invoices.issue(c, since, until, items, tax_rates=tax_rates)
        except (customers.CustomerError, invoices.InvoiceError) as e:
            return listing(400, _("Refused: {reason}").format(reason=str(e)))
        log.info("invoice %s issued to %s by %s", invoices.label(inv), c.code, current_user().username)
        bottle.redirect(f"/invoices/{inv.id}", 303)

    # the PDF's rule first: bottle tries rules in order, and <iid> would take "1.pdf"
    @app.get("/invoices/<iid>.pdf")
    def pdf(iid: str):
        inv = found(iid)
        lang = request.query.get("lang", "")
        lang = lang if lang in customers.LANGS else inv.lang   # the customer's language unless asked

        def work():
            from appliance.pdf.invoice import invoice_pdf   # fpdf2 loads only for a PDF
            with db.connection():
                return invoice_pdf(invoices.by_id(inv.id), lang, tz)
        data = offload.blocking(work)
        name = f"{invoices.label(inv)}.pdf"
        response.content_type = "application/pdf"
        response.set_header("Cache-Control", "no-store")
        response.set_header("Content-Disposition", f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}")
        return data

    @app.get("/invoices/<iid>")
    def show(iid: str, code: int = 200, error: str = ""):
        inv = found(iid)
        lines, credit, of, c = read(lambda: (invoices.lines_of(inv), invoices.credited(inv),
                                             invoices.by_id(inv.credits) if inv.credits else None, inv.customer))
        return page("invoice", code, title=invoices.label(inv), inv=inv, c=c, lines=lines,
                    credit=credit, of=of, error=error)

    @app.post("/invoices/<iid>/credit")
    def credit(iid: str):
        inv = found(iid)
        try:
            with db.write_access(data_dir, db.MODELS_CUSTOMERS):
                cn = invoices.credit(inv, request.forms.getunicode("reason", ""))
        except invoices.InvoiceError as e:
            return show(iid, 400, _("Refused: {reason}").format(reason=str(e)))
        log.info("credit note %s for %s issued by %s", invoices.label(cn), invoices.label(inv),
                 current_user().username)
        bottle.redirect(f"/invoices/{cn.id}", 303)

    return app
