"""User administration (USR-1..3): list and add accounts, change access, reset passwords, disable/enable.

For administrators of the whole box only (webui.auth.BOX_ADMIN). A user is named by the form or query
field `username`, never by a path segment: usernames may hold '/' and other characters a route would split
on. Every change goes through appliance.access.users, which writes the audit log.
"""
from __future__ import annotations

import logging
from pathlib import Path

import bottle
from bottle import request, response

from appliance import config
from appliance.access import audit_text, users
from webui import TEMPLATE_LOOKUP, db
from webui.auth import csrf_token, current_user
from webui.i18n import N_, _, fmt_number, term

log = logging.getLogger(__name__)
# the audit log's actions (appliance.access.users.audit) as a reader says them; an unknown one as it is stored
ACTIONS = {
    "access_changed": N_("access changed"),
    "call_evaluated": N_("call evaluated"),
    "first_admin_created": N_("first administrator created"),
    "login_failed": N_("login failed"),
    "lockout": N_("locked out"),
    "password_changed": N_("password changed"),
    "recording_downloaded": N_("recording downloaded"),
    "recording_played": N_("recording played"),
    "right_granted": N_("right granted"),
    "right_revoked": N_("right revoked"),
    "user_added": N_("user added"),
    "user_disabled": N_("user disabled"),
    "user_enabled": N_("user enabled"),
    "wallboard_add": N_("wallboard link added"),
    "wallboard_revoke": N_("wallboard link revoked")}


# the audit details' texts (appliance.access.audit_text: the same English, a test checks) as a reader says them
DETAILS = {
    "access": N_("role {role}, scope {scope}, tenant {tenant}, person {person}"),
    "access_changed": N_("role {old_role} → {role}, scope {old_scope} → {scope}, tenant {old_tenant} → {tenant}, "
                         "person {old_person} → {person}"),
    "lockout": N_("{failures} failed logins: locked for {seconds} s"),
    "wallboard_queues": N_("queues {queues}"),
    "every_queue": N_("every queue"),
    "evaluation": N_("{points} of {most} points, agent {agent}")}
TERM_FIELDS = {"role", "scope", "old_role", "old_scope"}
# what an entry points at, and the rights (appliance.access.audit_text: the same English, a test checks)
TARGETS = {"call": N_("call {id}"), "queue_call": N_("queue call {id}"), "pair": N_("{user} from {address}"),
           "addr": N_("address {address}")}
RIGHT_NAMES = {"listen": N_("listen to recordings")}


def target_text(stored: str) -> str:
    """An audit entry's target in the user's language (a call, a login throttle's key); a name as it is."""
    found = audit_text.target(stored or "")
    if found is None:
        return stored
    return audit_text.say(_(TARGETS[found[0]]), found[1], stored)


def detail_text(stored: str, action: str = "") -> str:
    """An audit entry's detail in the user's language (the right a right_granted entry names too); an older
    entry's plain text (or one naming no text) as it is."""
    if action in ("right_granted", "right_revoked") and stored in RIGHT_NAMES:
        return _(RIGHT_NAMES[stored])
    found = audit_text.parse(stored or "")
    if found is None or found[0] not in DETAILS:
        return stored
    key, fields = found
    shown = {k: term(v) if k in TERM_FIELDS and v else fmt_number(v) if isinstance(v, int) else v
             for k, v in fields.items()}
    return audit_text.say(_(DETAILS[key]), shown, stored)


def action_text(action: str) -> str:
    """An audit entry's action in the user's language (it was the stored code: 'user_added' on a Turkish page)."""
    return _(ACTIONS[action]) if action in ACTIONS else action


RULES = {"/users", "/users/edit", "/users/access", "/users/password", "/users/disabled"}
WRITES = {("POST", "/users"), ("POST", "/users/access"), ("POST", "/users/password"), ("POST", "/users/disabled")}


def _render(name: str, status: int, **values) -> str:
    response.status = status
    response.set_header("Cache-Control", "no-store")
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), **values)


def tenant_choices(cfg: config.Config, data_dir: Path, *also: str) -> list[str]:
    """Every tenant an account can belong to: the configured ones ([pbx] tenant, the tenants of tenant_by_source,
    unmapped_tenant) and those the store knows (the directory's, the calls'), sorted; `also` (an account's own,
    however it got there) included."""
    pbx = cfg.section("pbx")
    try:
        mapped = {code for _prefix, code in config.parse_tenant_map(pbx.tenant_by_source)}
    except config.ConfigError:     # the worker says why; the page still opens
        mapped = set()
    codes = {pbx.tenant, pbx.unmapped_tenant, *mapped, *db.stored_tenant_codes(data_dir), *also}
    return sorted(c for c in codes if c)


def _list_page(tenants: list[str], status: int = 200, error: str = "", added: str = "",
               form: dict | None = None) -> str:
    return _render("users", status, users=users.list_users(), disabled=users.disabled_usernames(),
                   audit=users.audit_log(), action_text=action_text, detail_text=detail_text, target_text=target_text,
                   roles=users.ROLES, scopes=users.SCOPES, error=error, added=added, tenants=tenants, form=form or {})


def _user_page(username: str, tenants: list[str], status: int = 200, error: str = "", done: str = "",
               form: dict | None = None) -> str:
    """A user's page; `form`: the refused access form's values, shown again instead of the account's."""
    account = users.get(username)
    if account is None:
        raise bottle.HTTPError(404, _("No user {name!r}.").format(name=username))
    history = [e for e in users.audit_log(1000) if e["target"] == account.username][:50]
    return _render("user", status, account=account, disabled=account.username in users.disabled_usernames(),
                   roles=users.ROLES, scopes=users.SCOPES, history=history, error=error, done=done,
                   action_text=action_text, detail_text=detail_text,
                   me=current_user(), tenants=sorted({*tenants, account.tenant} - {""}),
                   access={k: (form or {}).get(k, getattr(account, k)) for k in ("role", "scope", "tenant", "person")})


def _actor() -> str:
    actor = current_user()
    assert actor is not None        # the guard let us through
    return actor.username


def change_access(username: str, role: str, scope: str, tenant: str, person: str, actor: str) -> None:
    """set_access with the role's default scope for an empty one, and never leaving the box without an
    enabled administrator of scope all (UserError)."""
    scope = scope or users.DEFAULT_SCOPE.get(role, "")
    if scope == "tenant":
        person = ""
    if (role, scope) != ("administrator", "all") and users.is_last_box_admin(username):
        raise users.UserError(_("{name} is the last enabled administrator with scope all: "
                                "give another account that access first").format(name=username))
    users.set_access(username, role, scope, tenant, person, actor=actor)


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """/users (list, add) and /users/edit with its three forms."""
    app = bottle.Bottle()

    def tenants() -> list[str]:
        return tenant_choices(cfg, Path(data_dir))

    @app.get("/users")
    def users_page():
        return _list_page(tenants())

    @app.post("/users")
    def add_user():
        forms = request.forms.decode()
        form = {k: forms.get(k, "") for k in ("username", "role", "scope", "tenant", "person")}
        try:
            if form["tenant"] and form["tenant"] not in tenants():
                raise users.UserError(_("No tenant {code!r} on this box.").format(code=form["tenant"]))
            account = users.add_user(form["username"], forms.get("password", ""), form["role"], form["scope"] or None,
                                     form["tenant"], form["person"], actor=_actor())
        except users.UserError as e:
            return _list_page(tenants(), 400, error=str(e), form=form)   # what was typed stays, not the password
        return _list_page(tenants(), 201, added=account.username)

    @app.get("/users/edit")
    def user_page():
        return _user_page(request.query.decode().get("username", ""), tenants())

    @app.post("/users/access")
    def access():
        forms = request.forms.decode()
        name, tenant = forms.get("username", ""), forms.get("tenant", "")
        try:
            account = users.get(name)
            if tenant and tenant not in tenants() and (account is None or tenant != account.tenant):
                raise users.UserError(_("No tenant {code!r} on this box.").format(code=tenant))
            change_access(name, forms.get("role", ""), forms.get("scope", ""), tenant, forms.get("person", ""),
                          _actor())
        except users.UserError as e:
            kept = {k: forms.get(k, "") for k in ("role", "scope", "tenant", "person")}
            return _user_page(name, tenants(), 400, error=str(e), form=kept)      # what was chosen stays
        return _user_page(name, tenants(), done=_("Access changed."))

    @app.post("/users/password")
    def password():
        forms = request.forms.decode()
        name, new = forms.get("username", ""), forms.get("password", "")
        if new != forms.get("password2", ""):
            return _user_page(name, tenants(), 400, error=_("The two passwords differ."))
        try:
            users.set_password(name, new, actor=_actor())
        except users.UserError as e:
            return _user_page(name, tenants(), 400, error=str(e))
        if name and users.get(name) and users.get(name).id == current_user().id:
            bottle.redirect("/login", 303)       # their own sessions, this one included, have ended
        return _user_page(name, tenants(), done=_("Password reset; the user's sessions have ended."))

    @app.post("/users/disabled")
    def disabled():
        forms = request.forms.decode()
        name, disable = forms.get("username", ""), forms.get("disabled", "") == "1"
        try:
            users.set_disabled(name, disable, actor=_actor())
        except users.UserError as e:
            return _user_page(name, tenants(), 400, error=str(e))
        account = users.get(name)
        if disable and account is not None and account.id == current_user().id:
            bottle.redirect("/login", 303)
        return _user_page(name, tenants(), done=_("Disabled: the user's sessions have ended.") if disable
                          else _("Enabled."))

    return app
