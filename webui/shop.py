"""The callshop cashier's pages (SHOP-1, SHOP-2; operators and administrators): the booths and their state, the open
session's calls by booth, pay selected calls (the total and the amount to take shown before confirming, then the
change due), mark unserved or unpaid, open and close the session; the session list and a session's closing report.

Booth state is live from the PBX where it reports channels (Asterisk over AMI: [ami] host; the same link as the
operator panel's), otherwise from the call records (appliance/shop/live.py); the page's script polls /shop/booths
every second for the state, running time and price. The cashier gives a booth to someone ("in use by", and over AMI
unlocks it where [shop] lock_family is set) and frees it (appliance/shop/marks.py).
Booths and their calls are the box's, not a department's: who may keep the till sees every booth call. Writes go to
the shop's own tables through webui.db.write_access; an operator acts on their own session, an administrator on any.
"""
from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import bottle
from bottle import request, response

from appliance import config, localtime
from appliance.ami.feed import read_settings
from appliance.rating import numbering
from appliance.shop import account, booths, checkout, deposits, live, marks, sessions
from webui import db, row_id
from webui.auth import csrf_token, current_user
from webui.i18n import N_, _, fmt_duration, fmt_iso, fmt_money, fmt_number, language
from webui.panel import feed_for
from webui.reports.common import render

log = logging.getLogger(__name__)
STATUS_LABELS = {"paid": N_("paid"), "unpaid": N_("unpaid"), "unserved": N_("unserved")}
WARNINGS = {"low": N_("One more minute would exceed the deposit."), "exceeded": N_("The deposit is exceeded.")}
PROBLEMS = {"no_list": N_("no price list is stored: import one on the Price lists page"),
            "several": N_("several price lists are stored ({codes}): name one in [shop] price_list")}


def problem_text(seller) -> str:
    """Why the booth calls cannot be priced, in the user's language where the reason is one of PROBLEMS."""
    if seller.why and seller.why[0] in PROBLEMS:
        return _(PROBLEMS[seller.why[0]]).format(**seller.why[1])
    return seller.problem


STATE_LABELS = {"free": N_("free"), "dialling": N_("dialling"), "talking": N_("in a call"), "to_pay": N_("to pay")}


def _ids(values: list[str]) -> list[int]:
    ids = [row_id(v) for v in values]
    if not ids or None in ids:
        raise bottle.HTTPError(400, _("Choose one or more calls."))
    return [i for i in ids if i is not None]


def _allowed(session) -> None:
    user = current_user()
    if user is not None and not user.is_admin and session.operator != user.username:
        raise bottle.HTTPError(403, _("This session is another cashier's."))


def _e164(cfg: config.Config):
    """The numbering module's dialled -> E.164 for the live booths' numbers (identity without [numbers] country)."""
    options = {k: v for k, v in vars(cfg.section("numbers")).items() if v != ""}
    if not options.get("country"):
        return str
    try:
        plan = numbering.plan_from_options(options)
    except ValueError as e:
        log.error("[numbers] %s: the live booths' numbers are not priced", e)
        return str
    return lambda dialled: numbering.normalize(dialled, plan, "out")


def _link(cfg: config.Config, data_dir: Path):
    """The AMI feed (shared with the operator panel) and the booth extension -> interface map; (None, {}) without."""
    try:
        settings, panel = read_settings(cfg, data_dir)
    except config.ConfigError as e:
        log.error("%s: the cashier page's booths come from the call records only", e)
        return None, {}
    return feed_for(settings), panel


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /shop, /shop/booths (JSON), /shop/sessions, /shop/sessions/<sid>; POST /shop/checkout (the preview),
    /shop/pay, /shop/status, /shop/open, /shop/close, /shop/booth (give a booth to someone, free it)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    tz = localtime.zone(cfg.section("pbx").timezone)
    try:
        shop = booths.shop_settings(cfg)
    except config.ConfigError as e:   # the web must come up: the page says the shop is not set up
        log.error("%s: the cashier page shows no booths", e)
        shop = booths.Shop({})
    feed, panel = _link(cfg, data_dir) if shop.booths else (None, {})
    to_e164 = _e164(cfg)

    def states(seller, calls, session=None):
        """Every booth now: live from AMI while the link is up, else from the records; with the in-use marks and,
        in the open session, the deposits."""
        now = int(time.time())
        channels = None
        if feed is not None and feed.available:
            found = feed.channels.of({panel.interface_of(ext) for ext in shop.booths})
            channels = {ext: found[panel.interface_of(ext)] for ext in shop.booths if panel.interface_of(ext) in found}
        in_use = {ext: m.in_use_by for ext, m in marks.marks().items() if m.in_use_by}
        held = deposits.held(session.id) if session is not None else {}
        return live.booth_states(shop, seller, calls, now, channels, to_e164, localtime.offset_at(now, tz), in_use,
                                 held)

    def ami_action():
        if feed is None:
            return None
        return lambda name, fields: feed.client.action(name, fields)

    def read(fn):
        return db.read(data_dir, lambda: fn(booths.seller(shop)))

    def page(**values):
        base = dict(shop=shop, csrf=csrf_token(), warnings=WARNINGS, money=fmt_money, duration=fmt_duration,
                    number=fmt_number, when=fmt_iso,
                    at=lambda t: "" if t is None else fmt_iso(datetime.fromtimestamp(t, tz).isoformat()),
                    statuses=STATUS_LABELS)
        return render(values.pop("template", "shop"), values.pop("code", 200), **{**base, **values})

    @app.get("/shop")
    def cashier():
        def work(seller):
            open_ = sessions.open_now()
            calls = sessions.session_calls(open_, shop, seller) if open_ else []
            return open_, calls, seller, states(seller, calls, open_)
        open_, calls, seller, now_ = read(work)
        by_booth = {ext: [c for c in calls if c.extension == ext] for ext in shop.booths}
        return page(title=_("Cashier"), session=open_, by_booth=by_booth, states={b.extension: b.state for b in now_},
                    live={b.extension: b for b in now_}, state_labels=STATE_LABELS, problem=problem_text(seller),
                    live_link=feed is not None and feed.available, locking=bool(shop.lock_family),
                    is_admin=current_user() is not None and current_user().is_admin)

    @app.get("/shop/booths")
    def booth_json():
        """Each booth now, for the cashier page's script (static/shop.js polls it every second)."""
        def work(seller):
            open_ = sessions.open_now()
            calls = sessions.session_calls(open_, shop, seller) if open_ else []
            return states(seller, calls, open_)
        response.set_header("Cache-Control", "no-store")
        return {"booths": [dict(b.as_json(), label=_(STATE_LABELS[b.state]),
                                use=_("in use by {name}").format(name=b.in_use_by) if b.in_use_by else "",
                                left="" if b.balance is None else _("deposit {deposit}, left {balance}").format(
                                    deposit=fmt_money(b.deposit, b.currency), balance=fmt_money(b.balance, b.currency)),
                                alert=_(WARNINGS[b.warning]) if b.warning else "",
                                running=fmt_duration(b.running_s) if b.state == "talking" else "",
                                price="" if b.running_sell is None else fmt_money(b.running_sell, b.currency))
                           for b in read(work)]}

    def quantities() -> dict[str, int]:
        """The checkout form's item quantities (qty_N for the Nth of [shop] items; empty = 0)."""
        out = {}
        for n, (name, _price) in enumerate(shop.items):
            text = request.forms.get(f"qty_{n}", "").strip() or "0"
            if not text.isdigit() or int(text) > checkout.MAX_QTY:
                raise bottle.HTTPError(400, _("Write each quantity as a whole number from 0 to {n}.").format(
                    n=checkout.MAX_QTY))
            out[name] = int(text)
        return out

    @app.post("/shop/checkout")   # a POST that writes nothing: the selection form carries the CSRF token
    def checkout_page():
        ids = [i for i in (row_id(v) for v in request.forms.getall("call")) if i is not None]

        def work(seller):
            open_ = sessions.open_now()
            return open_, ([c for c in sessions.session_calls(open_, shop, seller) if c.id in ids] if open_ else [])
        open_, chosen = read(work)
        if open_ is None or len(chosen) != len(set(ids)):
            raise bottle.HTTPError(400, _("Those calls are not calls of the open session."))
        payable = [c for c in chosen if c.status != "paid" and c.sell is not None]
        total = sum((c.sell or Decimal(0) for c in payable), Decimal(0))
        held = read(lambda _seller: deposits.held(open_.id))
        credit = sum((held[b] for b in {c.extension for c in chosen} if b in held), Decimal(0))
        return page(template="shop_checkout", title=_("Checkout"), session=open_, chosen=chosen, payable=payable,
                    total=total, to_take=booths.round_total(total, shop.round_to), currency=open_.currency,
                    items=shop.items, credit=credit)

    @app.post("/shop/pay")
    def pay():
        ids = [i for i in (row_id(v) for v in request.forms.getall("call")) if i is not None]
        qty = quantities()
        try:
            given = Decimal(request.forms.get("given", "").strip().replace(",", "."))
            if not given.is_finite() or given < 0:
                raise InvalidOperation
        except InvalidOperation:
            raise bottle.HTTPError(400, _("Write the amount paid, e.g. 20 or 12.50.")) from None
        with db.write_access(data_dir, db.MODELS_SHOP):
            seller = booths.seller(shop)
            open_ = sessions.open_now()
            if open_ is None:
                raise bottle.HTTPError(409, _("No session is open."))
            _allowed(open_)
            try:
                paid = checkout.pay(open_.id, ids, qty, given, shop, seller, current_user().username)
            except sessions.ShopError as e:
                if "less than the amount to take" in str(e):
                    raise bottle.HTTPError(400, _("The amount paid is less than the amount to take.")) from None
                raise bottle.HTTPError(409, _("Refused: {reason}").format(reason=str(e))) from None
            receipt = checkout.as_json(paid)
        log.info("shop: session %s: %s paid calls %s and items %s, %s %s (payment %s)", open_.id,
                 current_user().username, ids, receipt["items"], receipt["to_take"], receipt["currency"], paid.id)
        return page(template="shop_paid", title=_("Paid"), paid=ids, receipt=receipt,
                    credit=Decimal(receipt["deposit"]),
                    total=Decimal(receipt["charges"]), items_total=Decimal(receipt["items_total"]),
                    to_take=Decimal(receipt["to_take"]), given=given, change=Decimal(receipt["change"]),
                    currency=receipt["currency"])

    @app.get("/shop/receipt/<pid>.pdf")
    def receipt_pdf(pid: str):
        """A payment's receipt, 80 mm wide (a thermal receipt printer's paper), in the page's language."""
        from appliance.pdf.receipt import receipt_pdf as make   # fpdf2 only when a receipt is printed
        found = row_id(pid)
        p = read(lambda _seller: checkout.payment(found) if found is not None else None)
        if p is None:
            raise bottle.HTTPError(404, _("No such receipt."))
        data = db.read(data_dir, lambda: make(p, cfg.section("box").company, language(), tz))
        response.content_type = "application/pdf"
        response.set_header("Content-Disposition", f'inline; filename="receipt-{p.id}.pdf"')
        return data

    @app.post("/shop/status")
    def status():
        ids, status_ = _ids(request.forms.getall("call")), request.forms.get("status", "")
        with db.write_access(data_dir, db.MODELS_SHOP):
            open_ = sessions.open_now()
            if open_ is None:
                raise bottle.HTTPError(409, _("No session is open."))
            _allowed(open_)
            try:
                sessions.set_status(open_.id, ids, status_, shop, booths.seller(shop))
            except sessions.ShopError as e:
                raise bottle.HTTPError(409, _("Refused: {reason}").format(reason=str(e))) from None
        bottle.redirect("/shop", 303)

    @app.post("/shop/open")
    def open_session():
        with db.write_access(data_dir, db.MODELS_SHOP):
            try:
                s = sessions.open_session(shop, booths.seller(shop), current_user().username)
            except sessions.ShopError as e:
                raise bottle.HTTPError(409, _("Refused: {reason}").format(reason=str(e))) from None
        log.info("shop: session %s opened by %s", s.id, s.operator)
        bottle.redirect("/shop", 303)

    @app.post("/shop/close")
    def close_session():
        sid = row_id(request.forms.get("session", ""))
        if sid is None:
            raise bottle.HTTPError(400, _("No such session."))
        with db.write_access(data_dir, db.MODELS_SHOP):
            try:
                _allowed(sessions.get_session(sid))
                sessions.close(sid, shop, booths.seller(shop))
            except sessions.ShopError as e:
                raise bottle.HTTPError(409, _("Refused: {reason}").format(reason=str(e))) from None
        log.info("shop: session %s closed by %s", sid, current_user().username)
        bottle.redirect(f"/shop/sessions/{sid}", 303)

    @app.post("/shop/booth")
    def booth_mark():
        """Give a booth to someone (the "in use by" mark; unlocked over AMI where configured) or free it."""
        ext, what, who = (request.forms.getunicode(k, "").strip() for k in ("booth", "action", "who"))
        if what not in ("give", "free"):
            raise bottle.HTTPError(400, _("Give the booth or free it."))
        with db.write_access(data_dir, db.MODELS_SHOP):
            try:
                if what == "give":
                    marks.give(shop, ext, who, ami_action())
                else:
                    marks.free(shop, ext, ami_action())
            except sessions.ShopError as e:
                raise bottle.HTTPError(409, _("Refused: {reason}").format(reason=str(e))) from None
        log.info("shop: booth %s %s by %s", ext, "given" if what == "give" else "freed", current_user().username)
        bottle.redirect("/shop", 303)

    @app.post("/shop/deposit")
    def deposit():
        """A prepaid deposit for a booth in the open session."""
        ext, amount = (request.forms.getunicode(k, "").strip().replace(",", ".") for k in ("booth", "amount"))
        with db.write_access(data_dir, db.MODELS_SHOP):
            open_ = sessions.open_now()
            if open_ is None:
                raise bottle.HTTPError(409, _("No session is open."))
            _allowed(open_)
            try:
                deposits.add(open_.id, shop, ext, amount)
            except sessions.ShopError as e:
                raise bottle.HTTPError(409, _("Refused: {reason}").format(reason=str(e))) from None
        bottle.redirect("/shop", 303)

    @app.get("/shop/account")
    def provider_account():
        """The shop's prepaid account with its provider over time (SHOP-4; administrators: it shows buy costs)."""
        st = read(lambda seller: account.statement(shop, seller))
        low = bool(st["currency"]) and shop.low_balance > 0 and Decimal(st["balance"]) < shop.low_balance
        return page(template="shop_account", title=_("Provider account"), st=st, low=low, low_mark=shop.low_balance)

    @app.get("/shop/sessions")
    def session_list():
        state, since, until = (request.query.get(k, "").strip() for k in ("state", "since", "until"))
        try:
            bounds = [None if not d else int(datetime.combine(date.fromisoformat(d) + timedelta(days=extra),
                                                              datetime.min.time(), tz).timestamp())
                      for d, extra in ((since, 0), (until, 1))]   # until: that whole day
        except (ValueError, OverflowError):   # 9999-12-31 has no next day
            raise bottle.HTTPError(400, _("Write dates as YYYY-MM-DD.")) from None
        rows = read(lambda _seller: sessions.sessions(*bounds))
        rows = [r for r in rows if not state or (state == "open") == (r.closed_utc is None)]
        return page(template="shop_sessions", title=_("Sessions"), rows=rows, state=state, since=since, until=until,
                    report=sessions.closing_report)

    @app.get("/shop/sessions/<sid>")
    def session_report(sid: str):
        found = row_id(sid)

        def work(seller):
            s = sessions.get_session(found) if found is not None else None
            return s, sessions.session_calls(s, shop, seller) if s else []
        try:
            s, calls = read(work)
        except sessions.ShopError:
            s = None
        if s is None:
            raise bottle.HTTPError(404, _("No such session."))
        figs = sessions.figures(calls)
        figs["cash"] += read(lambda _seller: sessions.items_sold(s.id))   # the items sold with the calls
        return page(template="shop_session", title=_("Session {id}").format(id=s.id), session=s, calls=calls,
                    report=sessions.closing_report(s), figures=figs)

    return app
