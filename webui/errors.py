"""Error pages in the user's language, within the site's frame (bottle's own are English and unstyled); a script
(an /api/ path, or Accept: application/json) gets {"error": message} instead."""
from __future__ import annotations

import json
import logging

import bottle
from bottle import request, response

from webui import TEMPLATE_LOOKUP
from webui.i18n import N_, _

log = logging.getLogger(__name__)
TITLES = {400: N_("Bad request"), 403: N_("Not allowed"), 404: N_("Not found"), 405: N_("Method not allowed"),
          500: N_("Something went wrong")}
# What bottle itself says, in English: replaced by the page's own words
GENERIC = {404: N_("There is no page at this address."), 405: N_("This address does not take that kind of request."),
           500: N_("The request failed on the box; its log has the details.")}


def _message(err: bottle.HTTPError, translate) -> str:
    body = err.body if isinstance(err.body, str) else ""
    if err.status_code in GENERIC and (not body or body.startswith(("Not found:", "Method not allowed"))
                                       or err.status_code == 500):
        return translate(GENERIC[err.status_code])
    return body


def page(err: bottle.HTTPError) -> str:
    if err.status_code == 500 and err.traceback:     # in the web's log too, as the page tells the user
        log.error("500 on %s: %s", request.path, err.traceback)
    response.set_header("Cache-Control", "no-store")
    if request.path.startswith("/api/") or "application/json" in request.get_header("Accept", ""):
        response.content_type = "application/json"
        return json.dumps({"error": _message(err, str)})      # scripts: English, as webui.auth answers them
    message = _message(err, _)
    return bottle.template("error", template_lookup=TEMPLATE_LOOKUP,
                           title=_(TITLES[err.status_code]), status=err.status_code, message=message)


def install(app: bottle.Bottle) -> None:
    for status in TITLES:
        app.error(status)(page)
