"""The web process: the Bottle app (one sub-app per page area, merged here) and its gevent server.

Nothing here monkey-patches: `python -m webui` (webui/__main__.py) does that first, and tests import
`make_app` in-process without gevent's patches.
"""
from __future__ import annotations

import logging
import signal
import socket
import sys
from pathlib import Path

import bottle
import gevent
from gevent.pool import Pool
from gevent.pywsgi import WSGIHandler, WSGIServer

from appliance import config, localtime
from webui import api, auth, calls, db, home, i18n, offload, status  # noqa: F401  i18n: `_` in templates
from webui.admin import alerts, directory, outbox, schedules, setup, tariff_edit, tariffs, users
from webui.reports import bill, breakdown, timeranges, traffic

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_CONNECTIONS = 50     # a few browsers on a small box; the pool also lets stop() end idle keep-alives
STOP_TIMEOUT_S = 2


def make_app(data_dir: Path, cfg: config.Config | None = None) -> bottle.Bottle:
    """The whole web UI for the data directory `data_dir` (callbox.db, users.db, journal/, run/).

    Every route needs a logged-in user except /login, /static and the first-administrator link (webui.auth).
    While no user exists, app.config["callbox.setup_token"] holds the one-time link's token."""
    data_dir = Path(data_dir)
    cfg = cfg or config.load(None, data_dir)
    pbx = cfg.section("pbx")
    app = bottle.Bottle()
    app.config["callbox.setup_token"] = auth.open_users(data_dir)
    auth.install_guard(app, pbx.tenant)
    app.merge(auth.routes())
    app.merge(users.routes())
    # The status page's call rows must go through appliance.access.scope: webui.api serves / and /api/status.
    app.merge(r for r in status.routes(data_dir).routes if r.rule not in api.SCOPED_RULES)
    app.merge(api.routes(data_dir, pbx.tenant, localtime.zone(pbx.timezone)))
    app.merge(home.routes(data_dir, cfg))
    app.merge(calls.routes(data_dir, cfg))
    app.merge(setup.routes(data_dir))
    app.merge(directory.routes(data_dir, cfg))
    app.merge(tariffs.routes(data_dir))
    app.merge(tariff_edit.routes(data_dir))
    app.merge(outbox.routes(data_dir))
    app.merge(schedules.routes(data_dir, cfg))
    app.merge(bill.routes(data_dir, cfg))
    app.merge(alerts.routes(data_dir, cfg))
    app.merge(breakdown.routes(data_dir, cfg))
    app.merge(timeranges.routes(data_dir))
    app.merge(traffic.routes(data_dir, cfg))

    @app.get("/static/<name:path>")
    def static(name: str):
        return bottle.static_file(name, root=str(STATIC))

    app.wsgi = _with_security_headers(app.wsgi)     # an instance attribute: Bottle.__call__ finds this one
    return app


# Every response, errors and static files included. No inline script or style anywhere (the chart's data is a
# <script type="application/json"> block, which is not run); no framing; no sniffing; no referrer off the site.
SECURITY_HEADERS = (
    ("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)


def _with_security_headers(wsgi):
    """Bottle's own 500 page bypasses its after_request hooks, so the headers are added at the WSGI level."""

    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            have = {name.lower() for name, _value in headers}
            extra = [(n, v) for n, v in SECURITY_HEADERS if n.lower() not in have]
            return start_response(status, list(headers) + extra, exc_info)
        return wsgi(environ, start)

    return app


class NoDelayHandler(WSGIHandler):
    """gevent.pywsgi sends headers and body in two send() calls and leaves Nagle on: with delayed ACK
    that costs ~40 ms on every keep-alive request (STACK.md §2). TCP_NODELAY on each accepted socket."""

    def __init__(self, sock, *args, **kwargs):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, *args, **kwargs)


def serve(host: str, port: int, data_dir: Path, cfg: config.Config | None = None) -> None:
    """Serve the web UI on host:port until SIGTERM or SIGINT (needs gevent's monkey.patch_all() first)."""
    offload.native_locks()   # reports and bills run in gevent's threadpool: the locks it shares must be native
    server = WSGIServer((host, port), make_app(Path(data_dir), cfg), log=None, handler_class=NoDelayHandler,
                        spawn=Pool(MAX_CONNECTIONS))
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, server.stop, STOP_TIMEOUT_S)
    log.info("web UI on http://%s:%d/ (data %s)", host, port, data_dir)
    token = server.application.config.get("callbox.setup_token")
    if token:    # on the console only, not in the log file: whoever opens it first becomes administrator
        print(f"No user yet. Create the first administrator at http://{host}:{port}/first-admin/{token} "
              f"(single use, valid 24 h), or run: callbox user add --admin NAME", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        db.close()
    log.info("web UI stopped")
