"""Call notes (APP-5, issue 16): written on the call page, the customer page and the operator panel, searched on
/notes; a customer's numbers and notes address on the customer page. Writes go to the note tables only
(webui.db.write_access); the e-mail copy is queued by the jobs process's rule, never here.

Who sees which notes: a call's notes with the call (only who may see the call opens its page); a customer's on the
customer page (administrators of the whole box, as the page); a caller's on the panel and on /notes, those of the
user's tenant (every tenant's for users who see the whole box).
"""
from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import bottle
from bottle import request

from appliance import config, localtime
from appliance.access import scope
from appliance.customers import customers
from appliance.messages import notes
from appliance.reports.ranges import resolve
from webui import db, row_id
from webui.auth import csrf_token, current_user
from webui.i18n import _, fmt_at
from webui.reports.common import RANGE_LABELS, render

log = logging.getLogger(__name__)
RANGES = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month", "this_year")
CONFIG_KEY = "callbox.notes"    # the data directory, for the templates' helpers below (on the main app: install)


def tenant_of(user) -> str | None:
    """The tenant whose notes `user` sees (None: every tenant's)."""
    return None if user.scope == "all" else user.tenant


def customer_box(cid: int) -> dict:
    """The customer page's notes and contact (customer_notes.tpl)."""
    def work():
        return {"notes": notes.of_customer(cid), "contact": notes.contact(cid)}
    return db.read(_data_dir(), work)


def call_notes(call_id: int) -> list:
    """The call's notes, oldest first (call_notes.tpl: the page's reader made sure the user sees the call)."""
    return db.read(_data_dir(), lambda: notes.of_call(call_id))


def _data_dir() -> Path:
    return request.app.config[CONFIG_KEY]


def install(app: bottle.Bottle, data_dir: Path, cfg: config.Config) -> None:
    """Add the note routes to the web app and keep the data directory where the pages' templates find it."""
    app.config[CONFIG_KEY] = Path(data_dir)
    app.merge(routes(data_dir, cfg))


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /notes; POST /calls/<cid>/notes, /customer-notes/<cid>, /customer-notes/<cid>/contact, /panel/notes."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)

    def write(fn):
        try:
            with db.write_access(data_dir, db.MODELS_NOTES):
                return fn()
        except notes.NoteError as e:
            raise bottle.HTTPError(400, _("Refused: {reason}").format(reason=str(e))) from None

    def text() -> str:
        return request.forms.getunicode("text", "") or ""

    @app.post("/calls/<cid>/notes")
    def call_note(cid: str):
        user = current_user()
        call = None
        if row_id(cid) is not None:
            call = db.read(data_dir, lambda: db.Call.select().where(
                scope.visible(user, pbx.tenant), db.Call.id == int(cid)).first())
        if call is None:
            raise bottle.HTTPError(404, _("No call {id} that you may see.").format(id=cid))
        write(lambda: notes.add(user.username, text(), number=call.number or call.party, call_id=call.id,
                                tenant=user.tenant))
        log.info("note on call %s by %s", call.id, user.username)
        bottle.redirect(f"/calls/{call.id}#notes", 303)

    def customer(cid: str):
        c = db.read(data_dir, lambda: customers.by_id(row_id(cid) or 0))
        if c is None:
            raise bottle.HTTPError(404, _("No such customer."))
        return c

    @app.post("/customer-notes/<cid>")
    def customer_note(cid: str):
        c, user = customer(cid), current_user()
        number = (request.forms.getunicode("number", "") or "").strip()
        write(lambda: notes.add(user.username, text(), number=number, customer_id=c.id, tenant=user.tenant))
        log.info("note on customer %s by %s", c.code, user.username)
        bottle.redirect(f"/customers/{c.id}#notes", 303)

    @app.post("/customer-notes/<cid>/contact")
    def contact(cid: str):
        c, f = customer(cid), request.forms
        numbers = re.split(r"[,;\n]", f.getunicode("numbers", "") or "")   # a number may hold spaces
        write(lambda: notes.set_contact(c.id, numbers, f.getunicode("notes_email", "") or "",
                                        f.getunicode("sms_number", "") or ""))
        log.info("numbers and addresses of customer %s changed by %s", c.code, current_user().username)
        bottle.redirect(f"/customers/{c.id}#notes", 303)

    @app.post("/panel/notes")
    def panel_note():
        user = current_user()
        number = (request.forms.getunicode("number", "") or "").strip()
        write(lambda: notes.add(user.username, text(), number=number, tenant=user.tenant))
        log.info("note on caller %s by %s", number, user.username)
        bottle.redirect("/panel?done=note", 303)

    @app.get("/notes")
    def search():
        user = current_user()
        q = request.query.decode()
        values = {k: (q.get(k) or "").strip() for k in ("text", "number", "range")}
        since = until = None
        if values["range"] in RANGES:
            r = resolve(values["range"], tz, time.time())
            since, until = r.since, r.until
        else:
            values["range"] = ""
        found = db.read(data_dir, lambda: (notes.search(values["text"], values["number"], since=since, until=until,
                                                        tenant=tenant_of(user)),
                                           {c.id: c for c in customers.all_customers()}))
        rows, names = found
        return render("notes", title=_("Call notes"), values=values, rows=rows, names=names, csrf=csrf_token(),
                      ranges=[(r, RANGE_LABELS[r]) for r in RANGES],
                      at=lambda t: fmt_at(t, tz))

    return app
