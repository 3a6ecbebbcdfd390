"""The box's label (/label, issue 19): a plain page in large type to print or photograph and stick on the box: its
host name, web addresses, MAC addresses and serial number, the TLS certificate's fingerprint, and while the first
boot is pending (no user yet) the one-time setup code, when [web] label_setup_code allows it (else: "on the console")
or when the page is asked for from the box itself. Public while the box has no user, as the first-boot wizard (it
shows nothing of the data); once set up, for logged-in users only."""
from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import bottle
from bottle import request

import appliance
from appliance import config
from appliance.access import users
from appliance.firstboot import label
from webui import TEMPLATE_LOOKUP, db, tls
from webui.auth import COOKIE

log = logging.getLogger(__name__)


def _local(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _served() -> tuple[int, bool]:
    """The port and TLS of the web UI as this request reached it (the --port the web was started with, which the
    configuration may not say)."""
    parts = request.urlparts
    secure = parts.scheme == "https"
    return parts.port or (443 if secure else 80), secure


def setup_code(app: bottle.Bottle) -> str:
    """The setup code while it is still good (no user yet, not expired), else ""."""
    code = app.config.get("callbox.setup_code") or ""
    if not code:
        return ""
    with db.users_db.connection_context():
        return code if users.setup_token_valid(users.normalise_code(code)) else ""


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    app = bottle.Bottle()
    web = cfg.section("web")

    @app.get("/label")
    def page():
        bottle.response.set_header("Cache-Control", "no-store")
        with db.users_db.connection_context():      # set up: the box's addresses and serial for its users only
            anonymous = users.has_users() and users.session(request.get_cookie(COOKIE) or "") is None
        if anonymous:
            bottle.redirect("/login?next=/label", 303)
        code = setup_code(request.app)
        pending = bool(code)
        if code and not (web.label_setup_code or _local(request.environ.get("REMOTE_ADDR", ""))):
            code = ""
        cert = tls.files(web, data_dir)[0]
        try:
            fingerprint = tls.fingerprint(cert) if web.tls and cert.exists() else ""
        except tls.TLSError:
            fingerprint = ""
        box = cfg.section("box")
        return bottle.template("label", template_lookup=TEMPLATE_LOOKUP, code=code, pending=pending,
                               fingerprint=fingerprint, company=box.company, branch=box.branch,
                               version=appliance.__version__, **label.identity(*_served()))

    return app
