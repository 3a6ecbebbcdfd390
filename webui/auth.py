"""Login, logout, the one-time first-administrator link, and the hook that guards every route (USR-4).

The guard is a before_request hook on the main app, not a route plugin: routes merged from sub-apps keep
their own app, and a main-app plugin would silently skip them (bottle's Bottle.merge). The hook matches
the route itself and lets through only PUBLIC rules without a session.
"""
from __future__ import annotations

import hmac
import json
import logging
from pathlib import Path
from urllib.parse import quote, urlsplit

import bottle
from bottle import request, response

from appliance.access import scope, users
from webui import TEMPLATE_LOOKUP, db
from webui.i18n import N_, _

log = logging.getLogger(__name__)
COOKIE = "callbox_session"
CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/first-admin/<token>"), ("POST", "/first-admin/<token>"),
          ("GET", "/static/<name:path>"), ("GET", "/favicon.ico")}
DIRECTORY_EDIT = {"/directory/move", "/directory/extension", "/directory/sync"}
TARIFFS = {"/tariffs", "/tariffs/version/<vid>", "/tariffs/plan/<pid>.csv", "/tariffs/example.csv", "/tariffs/upload",
           "/tariffs/version/<vid>/edit", "/tariffs/rerate"}
ADMIN_ONLY = {"/setup", "/api/detect"} | DIRECTORY_EDIT | TARIFFS   # rules for administrators only
SUPERVISORS = {"/directory", "/directory/person/<pid>", "/directory/trunks"}   # administrators and supervisors
SUPERVISORS |= {"/callcentre"}   # the queue summary (webui.callcentre: and only who sees the whole box, for now)
SUPERVISORS |= {"/callcentre/reports", "/callcentre/reports/<name>"}   # the reports (webui.callcentre_reports)
# call evaluation (webui.callcentre_evaluate): a supervisor scores a call of their queues; writes call_evaluation only
SUPERVISORS |= {"/callcentre/evaluate/<qcid>"}
# the wallboard (webui.wallboard): as /callcentre when logged in; a wallboard link opens its board without a login
SUPERVISORS |= {"/wallboard", "/wallboard/events"}
PUBLIC |= {("GET", "/wallboard/<token>"), ("GET", "/wallboard/<token>/events")}
# administrators with scope all: accounts of every tenant, and the audit log (webui.admin.users)
BOX_ADMIN = {"/users", "/users/edit", "/users/access", "/users/password", "/users/disabled"}
WHOLE_BOX = {"/setup", "/api/detect"}                  # raw PBX lines: only for who may see every call
# Every route that is not GET/HEAD must be here (tests/webui/test_auth_web.py): none may write call data.
# The directory and tariff writes go to their own tables through webui.db.write_access.
WRITE_ROUTES = {("POST", "/login"), ("POST", "/logout"), ("POST", "/first-admin/<token>"), ("POST", "/users"),
                ("POST", "/users/access"), ("POST", "/users/password"), ("POST", "/users/disabled"),
                ("POST", "/directory/move"), ("POST", "/directory/extension"), ("POST", "/directory/sync"),
                ("POST", "/directory/trunks"), ("POST", "/tariffs/upload"), ("POST", "/tariffs/version/<vid>/edit"),
                ("POST", "/tariffs/rerate")}   # a request file the worker reads (appliance/rating/asked.py)
# The delivery outbox (webui.admin.outbox): its items belong to no tenant, so administrators of the whole box only;
# discard and retry write the outbox table through webui.db.write_access.
OUTBOX = {"/outbox", "/outbox/discard", "/outbox/retry"}
BOX_ADMIN |= OUTBOX
WRITE_ROUTES |= {("POST", "/callcentre/evaluate/<qcid>")}   # webui.callcentre_evaluate
WRITE_ROUTES |= {("POST", "/outbox/discard"), ("POST", "/outbox/retry")}
# wallboard links (webui.wallboard): made and revoked in users.db
BOX_ADMIN |= {"/wallboard/links", "/wallboard/links/revoke"}
WRITE_ROUTES |= {("POST", "/wallboard/links"), ("POST", "/wallboard/links/revoke")}
# Report schedules (webui.admin.schedules): box-wide like `callbox schedule`, so administrators of the whole box only;
# adding and removing write the schedule tables only.
SCHEDULES = {"/schedules", "/schedules/add", "/schedules/remove", "/schedules/run"}
BOX_ADMIN |= SCHEDULES
WRITE_ROUTES |= {("POST", "/schedules/add"), ("POST", "/schedules/remove"), ("POST", "/schedules/run")}
# The alerts page (webui.admin.alerts): administrators; adding/removing a threshold rule writes the alert tables only.
ADMIN_ONLY |= {"/alerts", "/alerts/add", "/alerts/remove"}
WRITE_ROUTES |= {("POST", "/alerts/add"), ("POST", "/alerts/remove")}
# Reports (webui.reports.breakdown, .timeranges): every role saves its own reports; publishing a template is
# checked in the route (administrators); named time ranges are for administrators. Writes go to the report tables
# only.
ADMIN_ONLY |= {"/reports/timeranges", "/reports/timeranges/delete"}
WRITE_ROUTES |= {("POST", "/reports/saved"), ("POST", "/reports/saved/delete"), ("POST", "/reports/timeranges"),
                 ("POST", "/reports/timeranges/delete")}
# What every tenant shares (tariff plans and versions, named time ranges; schedules are BOX_ADMIN above; the numbering
# plan is [numbers] in the INI) is changed only by administrators of the whole box: a tenant administrator sees
# tariffs and time ranges read-only and gets 403 on these (issue 13: one tenant's admin re-priced every tenant).
# The callshop cashier's pages (webui.shop): operators (the cashier) and administrators; the writes go to the shop's
# own tables only (sessions and the status of booth calls), never a call row. /shop/checkout is a POST that writes
# nothing: the call selection form carries the CSRF token.
CASHIERS = {"/shop", "/shop/checkout", "/shop/pay", "/shop/status", "/shop/open", "/shop/close", "/shop/sessions",
            "/shop/sessions/<sid>"}
CASHIERS |= {"/shop/booths"}   # each booth now, JSON for the cashier page's script
CASHIERS |= {"/shop/receipt/<pid>.pdf"}   # a payment's receipt, 80 mm wide
# give a booth to someone ("in use by"; unlocked over AMI where configured), free it; a booth's prepaid deposit
CASHIERS |= {"/shop/booth", "/shop/deposit"}
WRITE_ROUTES |= {("POST", "/shop/checkout"), ("POST", "/shop/pay"), ("POST", "/shop/status"), ("POST", "/shop/open"),
                 ("POST", "/shop/close"), ("POST", "/shop/booth"),
                 ("POST", "/shop/deposit")}
# The agent's operator panel (webui.panel): every role, their own extensions only; the writes are AMI actions on the
# PBX (log in/out of a queue, pause), never a row of callbox.db.
WRITE_ROUTES |= {("POST", "/panel/queue"), ("POST", "/panel/pause")}
# The campaign dialer (webui.dialer, webui.dialer_campaigns): every role works campaigns of its tenant from /dialer
# (its own extensions only); administrators and supervisors manage campaigns (their tenant's; scope all: every one) and
# the do-not-call list. The writes go to the dialer's tables only; no request dials (the jobs process's loop does).
DIALER_AGENT = {"/dialer/join", "/dialer/leave", "/dialer/ready", "/dialer/call", "/dialer/result"}
DIALER_SUPERVISOR = {"/dialer/campaigns", "/dialer/campaigns/<cid>", "/dialer/campaigns/<cid>/state",
                     "/dialer/campaigns/<cid>/export.csv", "/dialer/dnc", "/dialer/dnc/remove"}
SUPERVISORS |= DIALER_SUPERVISOR
WRITE_ROUTES |= {("POST", rule) for rule in DIALER_AGENT} | {
    ("POST", "/dialer/campaigns"), ("POST", "/dialer/campaigns/<cid>/state"), ("POST", "/dialer/dnc"),
    ("POST", "/dialer/dnc/remove")}
# The organisation's edits from the web (webui.admin.directory_edit): administrators of the tenant; the directory's
# tables only, through webui.db.write_access.
DIRECTORY_FORMS = {"/directory/person/new", "/directory/person/details", "/directory/person/end", "/directory/units",
                   "/directory/import", "/directory/trunks/line"}
ADMIN_ONLY |= DIRECTORY_FORMS
WRITE_ROUTES |= {("POST", rule) for rule in DIRECTORY_FORMS}
# The box's settings checked and tried (webui.admin.settings_check): administrators of the whole box; the test POST
# sends a message, a file or a trap and writes nothing; the save POST writes callbox.ini (webui.admin.settings_edit).
BOX_ADMIN |= {"/settings", "/settings/test", "/settings/save"}
WRITE_ROUTES |= {("POST", "/settings/test"), ("POST", "/settings/save")}
# Customers and their invoices (webui.customers, webui.invoices): they bill calls of any tenant of the box, so
# administrators of the whole box only; the writes go to the customer tables only, and no route changes an issued
# invoice (a credit note corrects it). The PDF is a GET.
CUSTOMERS = {"/customers", "/customers/<cid>", "/customers/<cid>/edit", "/customers/<cid>/topup",
             "/customers/<cid>/calls.pdf", "/invoices",
             "/invoices/issue", "/invoices/<iid>", "/invoices/<iid>.pdf", "/invoices/<iid>/credit"}
BOX_ADMIN |= CUSTOMERS
WRITE_ROUTES |= {("POST", "/customers"), ("POST", "/customers/<cid>/edit"), ("POST", "/customers/<cid>/topup"),
                 ("POST", "/invoices/issue"), ("POST", "/invoices/<iid>/credit")}
# The sell-price lists (webui.pricelists): shared by every tenant like the tariff plans, so shown to administrators
# and imported only by administrators of the whole box (SHARED_WRITES below); the import writes the price tables only.
PRICELISTS = {"/pricelists", "/pricelists/import", "/pricelists/export.csv"}
ADMIN_ONLY |= PRICELISTS
ADMIN_ONLY |= {"/shop/account"}   # the shop's provider account: buy costs, for administrators
WRITE_ROUTES |= {("POST", "/pricelists/import")}
# The PBX wizard (webui.admin.pbx_wizard): raw PBX lines and the box's own configuration (the INI file: the link and
# the driver), so administrators of the whole box only; the writes go to the INI file, never to call data.
PBX_WIZARD = {"/setup/pbx", "/setup/pbx/link", "/setup/pbx/scan", "/setup/pbx/driver", "/api/setup/pbx/lines"}
ADMIN_ONLY |= PBX_WIZARD
BOX_ADMIN |= PBX_WIZARD
WHOLE_BOX |= PBX_WIZARD
WRITE_ROUTES |= {("POST", "/setup/pbx/link"), ("POST", "/setup/pbx/scan"), ("POST", "/setup/pbx/driver")}
# The first-boot wizard (webui.firstboot): before any account exists, so public; it answers only while there is no
# user, and its POSTs need the console's setup code instead of a session and a CSRF token.
PUBLIC |= {("GET", "/first-boot"), ("POST", "/first-boot"), ("POST", "/first-boot/finish"),
           ("POST", "/first-boot/restore")}
WRITE_ROUTES |= {("POST", "/first-boot"), ("POST", "/first-boot/finish"), ("POST", "/first-boot/restore")}
# The box's printable label (webui.label): its addresses, MAC, serial and certificate fingerprint, for anyone who can
# reach the web UI while the box has no user (then for logged-in users: the route checks); the setup code on it only
# while no user exists, and only as [web] label_setup_code says.
PUBLIC |= {("GET", "/label")}
# The Backup page (webui.admin.backup): the whole box's data, so administrators of the whole box only; its POST makes
# a download and writes nothing.
BOX_ADMIN |= {"/backup", "/backup/restore"}
ADMIN_ONLY |= {"/backup", "/backup/restore"}
WHOLE_BOX |= {"/backup", "/backup/restore"}
WRITE_ROUTES |= {("POST", "/backup"), ("POST", "/backup/restore")}
# Factory reset (webui.admin.reset): the whole box, with the administrator's own password again.
BOX_ADMIN |= {"/reset"}
ADMIN_ONLY |= {"/reset"}
WHOLE_BOX |= {"/reset"}
WRITE_ROUTES |= {("POST", "/reset")}
# updates (webui.admin.update): the running version, root slot, history, and a new root for the whole box
BOX_ADMIN |= {"/update", "/api/update"}
ADMIN_ONLY |= {"/update", "/api/update"}
WHOLE_BOX |= {"/update", "/api/update"}
WRITE_ROUTES |= {("POST", "/update")}
# SSH for maintenance (webui.admin.ssh): keys that log in to the whole box, with the administrator's own password again
BOX_ADMIN |= {"/ssh", "/api/ssh"}
ADMIN_ONLY |= {"/ssh", "/api/ssh"}
WHOLE_BOX |= {"/ssh", "/api/ssh"}
WRITE_ROUTES |= {("POST", "/ssh")}
# A central's branch health (webui.central): every branch box, so administrators of the whole box; the branches'
# calls (/central/calls) are for every user, scoped in the query (appliance/reports/received.py).
BOX_ADMIN |= {"/central/branches"}
# Call notes (webui.notes): a call's notes by who may see the call (checked in the route, as its page); the panel's by
# any agent about their caller; a customer's notes and numbers with the customer pages (administrators of the whole
# box); the notes search for administrators and supervisors, their tenant's notes. The writes go to the note tables.
# Messages to customers (webui.messages): read-only, with the customers.
SUPERVISORS |= {"/notes"}
BOX_ADMIN |= {"/customer-notes/<cid>", "/customer-notes/<cid>/contact", "/messages"}
WRITE_ROUTES |= {("POST", "/calls/<cid>/notes"), ("POST", "/panel/notes"), ("POST", "/customer-notes/<cid>"),
                 ("POST", "/customer-notes/<cid>/contact")}
# A tenant's billing settings (webui.admin.charges): the provider comparison, allowances, line charges and billed
# periods of a tenant the administrator sees (scope.visible_tenants); the writes go to the billing tables only.
CHARGES = {"/charges", "/charges/allowances", "/charges/linecharges", "/charges/close", "/charges/reopen"}
ADMIN_ONLY |= CHARGES
WRITE_ROUTES |= {("POST", rule) for rule in CHARGES - {"/charges"}}
# The PBX cause-code report (webui.admin.cause_codes, REP-8): about the PBX and every tenant's calls, as the alerts
# raised about it, so administrators of the whole box; read-only.
BOX_ADMIN |= {"/alerts/codes"}
ADMIN_ONLY |= {"/alerts/codes"}
SHARED_WRITES = {("POST", "/pricelists/import"), ("POST", "/tariffs/upload"), ("GET", "/tariffs/version/<vid>/edit"),
                 ("POST", "/tariffs/version/<vid>/edit"), ("POST", "/tariffs/rerate"), ("POST", "/reports/timeranges"),
                 ("POST", "/reports/timeranges/delete")}


def may_change_shared(account: users.Account | None) -> bool:
    """May the account change what every tenant shares (SHARED_WRITES, BOX_ADMIN)? Administrators of the whole box."""
    return account is not None and account.is_admin and account.scope == "all"


def current_user() -> users.Account | None:
    """The logged-in account of this request (set by the guard)."""
    return request.environ.get("callbox.user")


def csrf_token() -> str:
    """This session's CSRF token, for forms (hidden field csrf_token) and scripts (header X-CSRF-Token)."""
    return request.environ.get("callbox.csrf", "")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _deny(status: int, message: str, **headers: str) -> bottle.HTTPResponse:
    if _wants_json():
        return bottle.HTTPResponse(json.dumps({"error": message}), status,
                                   {"Content-Type": "application/json", "Cache-Control": "no-store", **headers})
    if status == 401:
        target = request.fullpath + (f"?{request.query_string}" if request.query_string else "")
        return bottle.HTTPResponse("", 303, {"Location": f"/login?next={quote(target)}"})
    # scripts get the English message (an API contract), people their language
    return bottle.HTTPResponse(f"{status}: {_(message)}", status, {"Content-Type": "text/plain; charset=utf-8"})


def _csrf_ok(expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER) or request.forms.get(CSRF_FIELD) or ""
    return bool(expected) and hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode("utf-8"))


def install_guard(app: bottle.Bottle, pbx_tenant: str) -> None:
    """Require a session for every route but PUBLIC ones, a CSRF token for every unsafe method, and the
    administrator role (and sight of the whole box for raw lines) where the tables above say so."""

    def guard():
        # users.db is opened by the first query that needs it (peewee's autoconnect), and closed after the request:
        # a session found among those kept (appliance.access.users.session) needs none
        try:
            route, _args = app.router.match(request.environ)
        except bottle.HTTPError:
            return                     # 404 / 405: bottle answers them itself, with nothing to protect
        method = "GET" if request.method == "HEAD" else request.method
        if (method, route.rule) in PUBLIC:
            return
        found = users.session(request.get_cookie(COOKIE) or "")
        if found is None:
            raise _deny(401, N_("login required"))
        account, csrf = found
        request.environ["callbox.user"], request.environ["callbox.csrf"] = account, csrf
        if method not in SAFE_METHODS and not _csrf_ok(csrf):
            raise _deny(403, N_("missing or wrong CSRF token"))
        if route.rule in ADMIN_ONLY and not account.is_admin:
            raise _deny(403, N_("for administrators only"))
        if route.rule in SUPERVISORS and account.role not in ("administrator", "supervisor"):
            raise _deny(403, N_("for administrators and supervisors only"))
        if route.rule in CASHIERS and account.role not in ("administrator", "operator"):
            raise _deny(403, N_("for cashiers (operators) and administrators only"))
        if (route.rule in BOX_ADMIN or (method, route.rule) in SHARED_WRITES) and not may_change_shared(account):
            raise _deny(403, N_("for administrators of the whole box (scope all) only"))
        if route.rule in WHOLE_BOX and not scope.sees_whole_box(account, pbx_tenant):
            raise _deny(403, N_("raw PBX lines are only shown to users who may see every call of this box"))

    def close():
        if not db.users_db.is_closed():
            db.users_db.close()

    app.add_hook("before_request", guard)
    app.add_hook("after_request", close)


def safe_next(target: str) -> str:
    """Only a path of this site: never redirect a login to another one. Browsers and urljoin drop tab, CR
    and LF and read a backslash as a slash ("/", tab, "/evil.example" is "//evil.example"), so any control
    character, space or backslash, a second leading slash, or a scheme or host after parsing is refused."""
    if (not target.startswith("/") or target.startswith("//")
            or any(c == "\\" or c.isspace() or ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in target)):
        return "/"
    parts = urlsplit(target)
    return target if not (parts.scheme or parts.netloc) else "/"


def _address() -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a client could send any XFF and dodge the per-address limit.
    return request.environ.get("REMOTE_ADDR", "")


def start_session(account: users.Account) -> str:
    """Log `account` in on this response (the session cookie); returns the session's CSRF token."""
    return _start_session(account)


def _start_session(account: users.Account) -> str:
    token, csrf = users.create_session(account, _address())
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict", max_age=users.SESSION_S,
                        secure=request.urlparts.scheme == "https")
    return csrf


def _page(name: str, status: int = 200, **values):
    response.status = status
    response.set_header("Cache-Control", "no-store")
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, **values)


def routes() -> bottle.Bottle:
    """/login, /logout, /api/session and /first-admin/<token>."""
    app = bottle.Bottle()

    @app.get("/login")
    def login_page():
        return _page("login", next=safe_next(request.query.get("next", "/")), error="", username="")

    @app.post("/login")
    def login():
        forms = request.forms.decode()
        name, password = forms.get("username", ""), forms.get("password", "")
        target = safe_next(forms.get("next", "/"))
        try:
            account = users.authenticate(name, password, _address())
        except users.LockedOut as e:
            response.set_header("Retry-After", str(e.retry_after))
            message = _("Too many failed logins. Try again in {seconds} s.").format(seconds=e.retry_after)
            if _wants_json():
                raise _deny(429, message, **{"Retry-After": str(e.retry_after)})
            return _page("login", 429, next=target, error=message, username=name)
        if account is None:
            if _wants_json():
                raise _deny(401, N_("wrong username or password"))
            return _page("login", 401, next=target, error=_("Wrong username or password."), username=name)
        csrf = _start_session(account)
        if _wants_json():
            return {"username": account.username, "role": account.role, "scope": account.scope,
                    "csrf_token": csrf}
        bottle.redirect(target, 303)

    @app.post("/logout")
    def logout():
        users.end_session(request.get_cookie(COOKIE) or "")
        response.delete_cookie(COOKIE, path="/")
        if _wants_json():
            return {"ok": True}
        bottle.redirect("/login", 303)

    @app.get("/api/session")
    def whoami():
        account = current_user()
        assert account is not None     # the guard let us through
        response.set_header("Cache-Control", "no-store")
        return {"username": account.username, "role": account.role, "scope": account.scope,
                "tenant": account.tenant, "person": account.person, "csrf_token": csrf_token()}

    @app.get("/first-admin/<token>")
    def first_admin_page(token: str):
        if not users.setup_token_valid(token):
            return _page("first_admin", 404, valid=False, error="", username="")
        return _page("first_admin", valid=True, error="", username="")

    @app.post("/first-admin/<token>")
    def first_admin(token: str):
        forms = request.forms.decode()
        name, password = forms.get("username", ""), forms.get("password", "")
        if password != forms.get("password2", ""):
            return _page("first_admin", 400, valid=True, error=_("The two passwords differ."), username=name)
        try:
            account = users.create_first_admin(token, name, password, _address())
        except users.UserError as e:
            valid = users.setup_token_valid(token)
            return _page("first_admin", 400 if valid else 404, valid=valid, error=str(e), username=name)
        _start_session(account)
        bottle.redirect("/", 303)

    return app


def setup_code(data_dir: Path) -> str | None:
    """While no user exists: a fresh one-time setup code for the first-boot wizard, also written to
    <data>/run/setup-code (0600) for the console banner and a label; None (and that file removed) once the box has
    a user."""
    code_file = Path(data_dir) / "run" / "setup-code"
    with db.users_db.connection_context():
        code = users.setup_code()
    if code is None:
        code_file.unlink(missing_ok=True)
        return None
    code_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = code_file.with_name(".setup-code.new")
    tmp.write_text(code + "\n", encoding="ascii")
    tmp.replace(code_file)
    return code


def open_users(data_dir: Path) -> str | None:
    """Open <data>/users.db; while it has no user, a fresh one-time first-administrator token (else None)."""
    db.open_users(data_dir)
    with db.users_db.connection_context():
        token = users.setup_token()
    if token:
        log.warning("no user yet: open the first-administrator link printed on the console, "
                    "or run `callbox user add --admin NAME`")
    return token
