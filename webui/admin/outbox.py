"""The outbox page (administrators of the whole box): e-mails, uploads and traps waiting, failed or delivered.

Items are not tied to a tenant (a report may go to any address), so only administrators with scope all see
them (webui.auth BOX_ADMIN). Discard and retry-now write the outbox table only, through
webui.db.write_access (the web process opens callbox.db read-only).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import bottle
from bottle import request, response
from peewee import OperationalError

from appliance.delivery import outbox
from webui import TEMPLATE_LOOKUP, db, row_id
from webui.auth import csrf_token, current_user
from webui.i18n import _, fmt_at

log = logging.getLogger(__name__)
FILTERS = ("", "pending", "failed", "delivered", "discarded")
LIMIT = 500


def utc_text(epoch: int | None) -> str:
    """A UTC moment as the user's language writes a date and time with seconds, or '' for no time."""
    return fmt_at(epoch, fmt="medium") if epoch else ""


def _messages() -> dict[str, tuple[str, str]]:
    return {"discarded": ("ok", _("The item was discarded; it stays listed as a record.")),
            "retry": ("ok", _("The item will be tried again within a minute.")),
            "gone": ("warn", _("That item is no longer waiting (delivered or discarded meanwhile).")),
            "bad": ("warn", _("No such item."))}


def _page(data_dir: Path, state: str, msg: str) -> str:
    items: list[db.OutboxItem] = []
    counts = {s: 0 for s in (*db.OUTBOX_STATES, "failed")}
    ready = db.read_access(data_dir)
    if ready:
        with db.connection():
            try:
                items, counts = outbox.items(state or None, LIMIT), db.outbox_counts()
            except OperationalError:    # a database from before the outbox: the worker adds the table
                log.warning("outbox table not ready in %s", data_dir)
                ready = False
    response.set_header("Cache-Control", "no-store")
    return bottle.template("outbox", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), items=items,
                           counts=counts, state=state, ready=ready, banner=_messages().get(msg),
                           now=int(datetime.now(timezone.utc).timestamp()), utc_text=utc_text, limit=LIMIT)


def routes(data_dir: Path) -> bottle.Bottle:
    """GET /outbox[?state=], POST /outbox/discard and /outbox/retry (form field id)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)

    @app.get("/outbox")
    def page():
        state = request.query.get("state", "")
        if state not in FILTERS:
            raise bottle.HTTPError(400, _("Unknown state filter."))
        return _page(data_dir, state, request.query.get("msg", ""))

    def act(action, done: str):
        raw = request.forms.get("id", "")
        back = request.forms.get("state", "")
        back = back if back in FILTERS else ""
        if row_id(raw) is None:
            msg = "bad"
        else:
            with db.write_access(data_dir, db.MODELS_OUTBOX):
                msg = done if action(int(raw)) else "gone"
            user = current_user()
            log.info("outbox: %s item #%s by %s: %s", done, raw, user.username if user else "?", msg)
        bottle.redirect(f"/outbox?state={back}&msg={msg}" if back else f"/outbox?msg={msg}", 303)

    @app.post("/outbox/discard")
    def discard():
        act(outbox.discard, "discarded")

    @app.post("/outbox/retry")
    def retry():
        act(outbox.retry_now, "retry")

    return app
