"""The web process: the Bottle app (one sub-app per page area, merged here) and its gevent server.

Nothing here monkey-patches: `python -m webui` (webui/__main__.py) does that first, and tests import
`make_app` in-process without gevent's patches.
"""
from __future__ import annotations

import gc
import logging
import signal
import socket
import ssl
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import bottle
import gevent
import gevent.event
from gevent.pool import Pool
from gevent.pywsgi import WSGIHandler, WSGIServer

from appliance import config, localtime
from appliance.directory import hunt_groups
from appliance.supervisor import RELOAD
from webui import (api, auth, callcentre, callcentre_evaluate, callcentre_reports, calls, central, crm,  # noqa: F401
                   customers, db, dialer, dialer_campaigns,
                   errors, firstboot, home, i18n, invoices, label, messages, notes, offload, panel, pricelists,
                   recordings,
                   shop, status, tls, wallboard)   # i18n: `_` in templates
from webui.admin import (alerts, backup, cause_codes, charges, directory, directory_edit, outbox, pbx_wizard, reset,
                         schedules, settings_check, setup, ssh, tariff_edit, tariffs, update, users)
from webui.reports import bill, breakdown, timeranges, traffic

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
STOP_TIMEOUT_S = 2
RESTART_AFTER_S = 1.0


def hunt_group_names(cfg: config.Config):
    """A function giving [directory] hunt_groups as {number: name}, parsed again only when the setting changed (the
    /settings forms apply their changes to `cfg`); {} with a warning in the log when it does not parse."""
    seen: dict[str, dict[str, str]] = {}

    def names() -> dict[str, str]:
        text = cfg.section("directory").hunt_groups
        if text not in seen:
            try:
                parsed = hunt_groups.parse(text)
            except config.ConfigError as e:
                log.warning("%s: %s", cfg.name, e)
                parsed = {}
            seen.clear()
            seen[text] = parsed
        return seen[text]
    return names


def make_app(data_dir: Path, cfg: config.Config | None = None) -> bottle.Bottle:
    """The whole web UI for the data directory `data_dir` (callbox.db, users.db, journal/, run/).

    Every route needs a logged-in user except /login, /static and the first-administrator link (webui.auth).
    While no user exists, app.config["callbox.setup_token"] holds the one-time link's token."""
    data_dir = Path(data_dir)
    cfg = cfg or config.load(None, data_dir)
    pbx = cfg.section("pbx")
    app = bottle.Bottle()
    # the queue pages (the operator panel; an agent's own queue calls for staff and operators) are in the nav of a
    # box whose PBX logs queues or that speaks AMI (issues 15, 16)
    bottle.BaseTemplate.defaults["queue_pages"] = (pbx.driver == "asterisk_queue_log"
                                                   or bool(cfg.section("ami").host))
    app.config["callbox.setup_token"] = auth.open_users(data_dir)
    app.config["callbox.setup_code"] = auth.setup_code(data_dir)
    app.config["callbox.hunt_groups"] = hunt_group_names(cfg)   # webui.i18n shows a call to one as the group
    app.add_hook("before_request", errors.read_body)   # first: the guard reads the form (its CSRF token)
    auth.install_guard(app, pbx.tenant)
    app.merge(auth.routes())
    app.merge(firstboot.routes(data_dir, cfg, pbx_wizard.config_file(cfg, data_dir)))
    app.merge(label.routes(data_dir, cfg))     # the box's printable label: public, as the first-boot wizard
    app.merge(users.routes(data_dir, cfg))
    # The status page's call rows must go through appliance.access.scope: webui.api serves / and /api/status.
    app.merge(r for r in status.routes(data_dir).routes if r.rule not in api.SCOPED_RULES)
    app.merge(api.routes(data_dir, pbx.tenant, localtime.zone(pbx.timezone)))
    app.merge(home.routes(data_dir, cfg))
    app.merge(calls.routes(data_dir, cfg))
    app.merge(setup.routes(data_dir, cfg))
    app.merge(pbx_wizard.routes(data_dir, cfg))
    app.merge(backup.routes(data_dir, cfg, pbx_wizard.config_file(cfg, data_dir)))
    app.merge(reset.routes(data_dir))
    app.merge(update.routes(data_dir))
    app.merge(ssh.routes(data_dir))
    app.merge(directory.routes(data_dir, cfg))
    app.merge(directory_edit.routes(data_dir, cfg))
    app.merge(settings_check.routes(data_dir, cfg))
    app.merge(tariffs.routes(data_dir, pbx.timezone))
    app.merge(tariff_edit.routes(data_dir))
    app.merge(outbox.routes(data_dir))
    app.merge(schedules.routes(data_dir, cfg))
    app.merge(bill.routes(data_dir, cfg))
    app.merge(charges.routes(data_dir, cfg))
    app.merge(alerts.routes(data_dir, cfg))
    app.merge(cause_codes.routes(data_dir, cfg))
    app.merge(breakdown.routes(data_dir, cfg))
    app.merge(timeranges.routes(data_dir))
    app.merge(traffic.routes(data_dir, cfg))
    app.merge(callcentre.routes(data_dir, cfg))
    app.merge(callcentre_reports.routes(data_dir, cfg))
    app.merge(callcentre_evaluate.routes(data_dir, cfg))
    app.merge(shop.routes(data_dir, cfg))
    app.merge(customers.routes(data_dir, cfg))
    app.merge(invoices.routes(data_dir, cfg))
    app.merge(pricelists.routes(data_dir))
    app.merge(wallboard.routes(data_dir, cfg))
    notes.install(app, data_dir, cfg)
    app.merge(messages.routes(data_dir, cfg))
    app.merge(panel.routes(data_dir, cfg))
    app.merge(dialer.routes(data_dir, cfg))       # the campaign dialer (CC-6): agents
    app.merge(dialer_campaigns.routes(data_dir, cfg))   # and supervisors
    recordings.install(app, data_dir, cfg)
    crm.install(app, cfg)
    app.merge(central.routes(data_dir, cfg))   # HQ on a central box: its branch boxes' calls and health
    central_cfg = cfg.section("central")
    app.config["callbox.central"] = bool(central_cfg.listen or central_cfg.database)   # the nav shows HQ pages

    errors.install(app)

    @app.get("/favicon.ico")
    def favicon():       # pages name no icon (base.tpl: data:,); a browser still asks for this one on a plain error
        bottle.response.status = 204
        bottle.response.set_header("Cache-Control", "max-age=86400")
        return ""

    @app.get("/static/<name:path>")
    def static(name: str):
        return bottle.static_file(name, root=str(STATIC))

    hsts = cfg.section("web").hsts_max_age_s
    app.wsgi = _with_security_headers(app.wsgi, hsts)  # an instance attribute: Bottle.__call__ finds this one
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


def _with_security_headers(wsgi, hsts_max_age_s: int = 0):
    """Bottle's own 500 page bypasses its after_request hooks, so the headers are added at the WSGI level.
    Strict-Transport-Security only over HTTPS, and only when [web] hsts_max_age_s asks for it."""
    hsts = (("Strict-Transport-Security", f"max-age={hsts_max_age_s}"),) if hsts_max_age_s else ()

    def app(environ, start_response):
        secure = hsts if environ.get("wsgi.url_scheme") == "https" else ()

        def start(status, headers, exc_info=None):
            have = {name.lower() for name, _value in headers}
            extra = [(n, v) for n, v in (*SECURITY_HEADERS, *secure) if n.lower() not in have]
            return start_response(status, list(headers) + extra, exc_info)
        return wsgi(environ, start)

    return app


class BoundedHandler(WSGIHandler):
    """One connection, bounded so that no client can hold it (issue 13: 50 idle connections used to block the
    web for minutes): the request line and headers within header_timeout_s (a deadline, not per read, so a
    byte now and then does not extend it), the wait for a kept-alive connection's next request within
    keepalive_timeout_s, every read of a body and write of a reply within io_timeout_s, and at most
    keepalive_requests requests per connection. Also TCP_NODELAY: gevent.pywsgi sends headers and body in two
    send() calls, and with Nagle and delayed ACK that costs ~40 ms per keep-alive request (STACK.md §2)."""

    web: Any = None         # the [web] section; serve() sets it on a subclass

    def __init__(self, sock, address, server, rfile=None):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self.web.io_timeout_s)
        super().__init__(sock, address, server, rfile)
        self.served = 0
        self.deadline = gevent.Timeout()      # not started: each request starts its own

    def handle_one_request(self):
        seconds = self.web.keepalive_timeout_s if self.served else self.web.header_timeout_s
        self.deadline = gevent.Timeout.start_new(seconds)
        try:
            return super().handle_one_request()
        except gevent.Timeout as t:
            if t is not self.deadline:
                raise
            self.close_connection = True
            return None                  # closed without a word: a slow client gets nothing to wait for
        except socket.timeout:       # io_timeout_s: a body that stopped coming or a reply nobody reads
            self.close_connection = True
            return None
        finally:
            self.deadline.cancel()

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)
        finally:
            self.deadline.cancel()      # the headers are in: the application may take its time
            self.served += 1
            if self.served >= self.web.keepalive_requests:
                self.close_connection = True

    def handle_error(self, t, v, tb):
        """A client that went away mid-reply is no error of ours: gevent ignores that on plain sockets (EPIPE,
        ECONNRESET) but printed a traceback for each such TLS client, a flood an attacker could make."""
        if issubclass(t, (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionError)):
            self.close_connection = True
            return
        super().handle_error(t, v, tb)

    def start_response(self, status, headers, exc_info=None):
        if self.close_connection and not any(name.lower() == "connection" for name, _value in headers):
            headers = [*headers, ("Connection", "close")]      # HTTP/1.1: say so, gevent only closes
        return super().start_response(status, headers, exc_info)


class BoundedServer(WSGIServer):
    """gevent's WSGI server with a limit of connections per client address: one address cannot take the
    whole pool (the connections over it are answered 503 and closed at once). With TLS, the handshake is
    made here, after that limit and within header_timeout_s (gevent's own would wait for ever)."""

    def __init__(self, *args, max_per_client: int, handshake_s: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_per_client = max_per_client
        self.handshake_s = handshake_s
        self.per_client: Counter[str] = Counter()
        self.refused = 0

    def wrap_socket_and_handle(self, sock, address):
        self.handle(sock, address)      # gevent calls this with TLS: handle() makes the handshake itself

    def handle(self, sock, address):
        client = address[0] if isinstance(address, tuple) else str(address)
        if self.per_client[client] >= self.max_per_client:
            self._refuse(sock, client)
            return
        self.per_client[client] += 1
        try:
            if not self.ssl_enabled:
                super().handle(sock, address)
            elif (secure := self._handshake(sock)) is not None:
                with secure:
                    super().handle(secure, address)
        finally:
            self.per_client[client] -= 1
            if not self.per_client[client]:
                del self.per_client[client]

    def _refuse(self, sock, client: str) -> None:
        self.refused += 1
        if self.refused == 1 or self.refused % 1000 == 0:      # a flood must not fill the log
            log.warning("%s holds %d connections: refused (%d refused so far)", client,
                        self.per_client[client], self.refused)
        try:
            if not self.ssl_enabled:        # a TLS client would not understand a plain answer
                sock.settimeout(1)
                sock.sendall(BUSY)
        except OSError:
            pass
        finally:
            sock.close()

    def _handshake(self, sock):
        """The TLS socket, or None (closed) when the client did not complete a handshake in time. A plain-HTTP
        request (someone typed http://) gets a plain answer that says so."""
        deadline = gevent.Timeout.start_new(self.handshake_s)
        secure = None
        try:
            first = sock.recv(1, socket.MSG_PEEK)
            if first != b"\x16":                          # not a TLS handshake record
                if first:
                    sock.sendall(tls.PLAIN_ON_TLS_PORT)
                return None
            # the TLS socket takes over the descriptor: it must be closed itself when the handshake fails
            secure = self.wrap_socket(sock, do_handshake_on_connect=False, **self.ssl_args)
            secure.do_handshake()
            return secure
        except gevent.Timeout as t:
            if t is not deadline:
                raise
        except (OSError, ValueError):      # ssl.SSLError is an OSError: a scanner, a client without a common cipher
            pass
        finally:
            deadline.cancel()
        if secure is not None:
            secure.close()
        return None


BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n"
        b"Retry-After: 5\r\nContent-Length: 36\r\n\r\ntoo many connections from your address")


def make_server(host: str, port: int, application, web, ssl_context=None) -> BoundedServer:
    """The gevent server of `application` on host:port, bounded by the [web] section `web`; HTTPS with
    `ssl_context`."""
    handler = type("Handler", (BoundedHandler,), {"web": web})
    secure = {"ssl_context": ssl_context} if ssl_context is not None else {}
    return BoundedServer((host, port), application, log=None, handler_class=handler,
                         spawn=Pool(web.max_connections), max_per_client=web.max_per_client,
                         handshake_s=web.header_timeout_s, **secure)


def make_servers(host: str, port: int, data_dir: Path, cfg: config.Config) -> tuple[list[BoundedServer], str]:
    """The web UI's servers (HTTPS on port and the redirect on [web] http_port, or plain HTTP on port when
    [web] tls = no) and the line the console shows. TLSError or SecretFileError when the certificate or its key
    cannot be used; the certificate is made on first start."""
    web = cfg.section("web")
    application = make_app(Path(data_dir), cfg)
    if not web.tls:
        log.warning("[web] tls = no: the web UI is plain HTTP, passwords cross the network in clear")
        return [make_server(host, port, application, web)], f"Web UI: http://{host}:{port}/ (no TLS)"
    made = tls.ensure_certificate(web, Path(data_dir))
    servers = [make_server(host, port, application, web, tls.server_context(web, Path(data_dir)))]
    if web.http_port and web.http_port != port:
        servers.append(make_server(host, web.http_port, tls.redirect_app(port), web))
    cert = tls.files(web, Path(data_dir))[0]
    line = (f"Web UI: https://{host}:{port}/ - certificate {cert}{' (made now)' if made else ''}, "
            f"SHA-256 fingerprint {tls.fingerprint(cert)}")
    return servers, line


def serve(host: str, port: int, data_dir: Path, cfg: config.Config | None = None) -> int:
    """Serve the web UI on host:port until SIGTERM or SIGINT (0), or until the first-boot wizard installed a
    certificate (RELOAD: the supervisor or systemd start the web again, with it). Needs gevent's monkey.patch_all()."""
    offload.native_locks()   # reports and bills run in gevent's threadpool: the locks it shares must be native
    cfg = cfg or config.load(None, Path(data_dir))
    servers, line = make_servers(host, port, data_dir, cfg)
    server = servers[0]
    # What start-up made (modules, the app, locale data) lives as long as the process: out of the collector's
    # sight, a full collection walks only what requests made since. Each one stalled every request in flight:
    # 90-180 ms, 4 times in a bench_web run (issue 14).
    gc.freeze()
    # A signal only sets `done`: stopping a server while its start() yields (a SIGTERM right after the console
    # lines) left gevent without the listening socket it was about to watch
    done = gevent.event.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, done.set)
    restarting: list[bool] = []

    def restart() -> None:
        restarting.append(True)
        gevent.spawn_later(RESTART_AFTER_S, done.set)   # the reply that says so goes out first
    server.application.config["callbox.restart"] = restart
    log.info("%s (data %s)", line, data_dir)        # the log goes to the console too (appliance.logs)
    code = server.application.config.get("callbox.setup_code")
    if code:     # the console and <data>/run/setup-code: the first-boot wizard asks for it
        scheme = "https" if server.ssl_enabled else "http"
        print(f"Setup code: {code} - open {scheme}://ADDRESS:{port}/first-boot on this box's address and type it "
              f"(single use, valid 24 h); the box's printable label: {scheme}://ADDRESS:{port}/label",
              file=sys.stderr, flush=True)
    token = server.application.config.get("callbox.setup_token")
    if token:    # on the console only, not in the log file: whoever opens it first becomes administrator
        scheme = "https" if server.ssl_enabled else "http"
        print(f"No user yet. Create the first administrator at {scheme}://{host}:{port}/first-admin/{token} "
              f"(single use, valid 24 h), or run: callbox user add --admin NAME", file=sys.stderr, flush=True)
    try:
        for s in servers:
            s.start()
        done.wait()
    finally:
        for s in servers:
            s.stop(STOP_TIMEOUT_S)
        db.close()
    log.info("web UI stopped%s", ": starting again with the new certificate" if restarting else "")
    return RELOAD if restarting else 0
