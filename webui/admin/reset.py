"""The factory reset page (/reset, administrators of the whole box): with the administrator's own password, wipe the
box's data and secrets (appliance.firstboot.reset) and start again as a new box: the web restarts and shows a new
setup code on the console, capture and the worker restart on the factory configuration."""
from __future__ import annotations

import logging
from pathlib import Path

import bottle
from bottle import request, response

from appliance.access import users
from appliance.firstboot import reset as wipe
from webui import TEMPLATE_LOOKUP
from webui.auth import COOKIE, csrf_token, current_user
from webui.i18n import _

log = logging.getLogger(__name__)
CONFIRM = "RESET"


def _page(status: int = 200, error: str = "", done: bool = False) -> str:
    response.status = status
    response.set_header("Cache-Control", "no-store")
    return bottle.template("reset", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), error=error, done=done,
                           confirm=CONFIRM)


def routes(data_dir: Path) -> bottle.Bottle:
    app = bottle.Bottle()

    @app.get("/reset")
    def page():
        return _page()

    @app.post("/reset")
    def reset():
        account = current_user()
        assert account is not None      # the guard let us through
        forms = request.forms.decode()
        if forms.get("confirm", "").strip().upper() != CONFIRM:
            return _page(400, _("Type {word} to confirm.").format(word=CONFIRM))
        try:
            again = users.authenticate(account.username, forms.get("password", ""),
                                       request.environ.get("REMOTE_ADDR", ""))
        except users.LockedOut as e:
            return _page(429, _("Too many failed logins. Try again in {seconds} s.").format(seconds=e.retry_after))
        if again is None:
            return _page(403, _("Wrong password."))
        log.warning("factory reset by %s from %s", account.username, request.environ.get("REMOTE_ADDR", ""))
        wipe.factory_reset(data_dir, wipe.FACTORY_INI)
        response.delete_cookie(COOKIE, path="/")
        restart = request.app.config.get("callbox.restart")
        if restart is not None:         # the web starts again as on a new box: no user, a new setup code
            restart()
        return _page(done=True)

    return app
