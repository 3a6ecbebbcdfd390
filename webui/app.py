"""The web process: the Bottle app (one sub-app per page area, merged here) and its gevent server.

Nothing here monkey-patches: `python -m webui` (webui/__main__.py) does that first, and tests import
`make_app` in-process without gevent's patches.
"""
from __future__ import annotations

import logging
import signal
import socket
from pathlib import Path

import bottle
import gevent
from gevent.pool import Pool
from gevent.pywsgi import WSGIHandler, WSGIServer

from appliance import store
from webui import setup, status

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_CONNECTIONS = 50     # a few browsers on a small box; the pool also lets stop() end idle keep-alives
STOP_TIMEOUT_S = 2


def make_app(data_dir: Path) -> bottle.Bottle:
    """The whole web UI for the data directory `data_dir` (callbox.db, journal/, run/)."""
    app = bottle.Bottle()
    app.merge(status.routes(Path(data_dir)))
    app.merge(setup.routes(Path(data_dir)))

    @app.get("/static/<name:path>")
    def static(name: str):
        return bottle.static_file(name, root=str(STATIC))

    return app


class NoDelayHandler(WSGIHandler):
    """gevent.pywsgi sends headers and body in two send() calls and leaves Nagle on: with delayed ACK
    that costs ~40 ms on every keep-alive request (STACK.md §2). TCP_NODELAY on each accepted socket."""

    def __init__(self, sock, *args, **kwargs):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, *args, **kwargs)


def serve(host: str, port: int, data_dir: Path) -> None:
    """Serve the web UI on host:port until SIGTERM or SIGINT (needs gevent's monkey.patch_all() first)."""
    server = WSGIServer((host, port), make_app(Path(data_dir)), log=None, handler_class=NoDelayHandler,
                        spawn=Pool(MAX_CONNECTIONS))
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, server.stop, STOP_TIMEOUT_S)
    log.info("web UI on http://%s:%d/ (data %s)", host, port, data_dir)
    try:
        server.serve_forever()
    finally:
        store.close_db()
    log.info("web UI stopped")
