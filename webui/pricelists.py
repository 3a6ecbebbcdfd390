"""The price list page (RAT-10, SHOP-3; administrators): the stored sell-price lists, one list's rows with its markup
rules, the exchange rates; import a CSV (refused whole, naming the line and column of a bad cell) and export one.

Price lists are shared by every tenant (the shop and every customer sell at them), so like tariff plans they are
shown to every administrator and imported only by administrators of the whole box (auth.SHARED_WRITES)."""
from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import quote

import bottle
from bottle import request, response

from appliance.pricing import lists, pricelist_csv
from appliance.pricing.rules import PriceError, parse_currency
from webui import db
from webui.auth import csrf_token, current_user, may_change_shared
from webui.i18n import _, fmt_number
from webui.reports.common import render

log = logging.getLogger(__name__)
MAX_UPLOAD = 10 * 1024 * 1024


def routes(data_dir: Path) -> bottle.Bottle:
    """GET /pricelists[?list=CODE], /pricelists/export.csv[?list=CODE]; POST /pricelists/import."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)

    def read(fn):
        return db.read(data_dir, fn)

    def page(code: int = 200, error: str = ""):
        wanted = request.query.getunicode("list", "") or ""

        def work():
            found = lists.stored()
            code = wanted if any(p["code"] == wanted for p in found) else (found[0]["code"] if found else "")
            return (found, (code, lists.rows_of(code)) if code else None, lists.markups(code) if code else [],
                    lists.rate_list())
        stored, shown, rules, rates = read(work)
        return render("pricelists", code, title=_("Price lists"), stored=stored, shown=shown, rules=rules,
                      rates=rates, error=error, csrf=csrf_token(), number=fmt_number,
                      may_import=may_change_shared(current_user()))

    @app.get("/pricelists")
    def show():
        return page()

    @app.post("/pricelists/import")
    def upload():
        f = request.files.get("file")
        if f is None:
            return page(400, _("Choose a CSV file."))
        data = f.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return page(400, _("The file is larger than %d MB.") % (MAX_UPLOAD // 2**20))
        name = f.raw_filename or "upload.csv"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            message = _("{file} line {line}: not UTF-8 text; save it as 'CSV UTF-8'.")
            return page(400, message.format(file=name, line=line))
        try:
            currency = request.forms.getunicode("currency", "").strip()
            found = pricelist_csv.read_csv(text, name, parse_currency(currency) if currency else "")
            with db.write_access(data_dir, db.MODELS_PRICING):
                out = lists.save_lists(found)
        except (PriceError, ValueError) as e:   # PriceError names the file, line and column
            return page(400, _("Refused: {reason}").format(reason=str(e)))
        log.info("price lists %s imported by %s from %s", [o["list"] for o in out], current_user().username, name)
        bottle.redirect("/pricelists?list=" + quote(out[0]["list"]), 303)

    @app.get("/pricelists/export.csv")
    def export():
        wanted = request.query.getunicode("list", "") or ""
        try:
            codes = read(lambda: [wanted] if wanted else lists.codes())
            text = read(lambda: pricelist_csv.write_csv({c: lists.rows_of(c) for c in codes}))
        except PriceError:
            raise bottle.HTTPError(404, _("No such price list.")) from None
        name = f"pricelist-{wanted or 'all'}.csv"
        response.content_type = "text/csv; charset=utf-8"
        response.set_header("Cache-Control", "no-store")
        response.set_header("Content-Disposition", f"attachment; filename=\"{re.sub(r'[^A-Za-z0-9._-]', '_', name)}\"; "
                                                   f"filename*=UTF-8''{quote(name)}")
        return "\ufeff" + text   # with a BOM, Excel reads the file as UTF-8

    return app
