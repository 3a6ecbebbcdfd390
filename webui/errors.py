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
          500: N_("Something went wrong"), 507: N_("No room on the box")}
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


def read_body() -> None:
    """Before anything reads the form (webui.auth's CSRF check does): store a multipart form (an upload), which
    bottle spools to /tmp (a 64 MB RAM disk on the image), the body and then each file. A full /tmp (or any other
    error storing it) is a 507 page saying so, not a 500 (a backup's restore: with what to do instead). Any other
    body is left unread: a raw upload (an update bundle, with its CSRF token in a header) is streamed by its route
    to the data partition, and bottle refuses a url-encoded form over its MEMFILE_MAX without storing it."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.content_type.startswith("multipart/form-data"):
        return
    try:
        request.POST            # the body and each of its files (bottle caches both for the route)
    except OSError as e:
        log.error("%s: the request's body could not be stored: %s", request.path, e)
        message = _("The box has no room for this upload ({error}).").format(error=e.strerror or e)
        if request.path.endswith("/restore"):
            message += " " + _("Restore a backup made without the journal here (the journal is its largest part), "
                               "or restore this one with the command callbox backup restore.")
        raise bottle.HTTPError(507, message) from None


def install(app: bottle.Bottle) -> None:
    """The error pages, and the body check before every other hook (read_body)."""
    for status in TITLES:
        app.error(status)(page)
