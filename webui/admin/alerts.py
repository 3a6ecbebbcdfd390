"""The alerts page (/alerts, administrators): what is raised now, the calls of lines that failed to release (RAT-5),
the threshold notices sent, and the cost and talk-time threshold rules (list, add, remove) of
appliance/alerts/rules.py.

Raised conditions (links, data flow, journal, database, cause codes) are about the whole box and its PBX
sources, so only administrators who see every call of the box see them (appliance.access.scope.sees_whole_box);
rules and notices are per tenant. The web process opens callbox.db read-only: adding and removing a rule
writes the alert tables only, through webui.db.write_access.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import bottle
from bottle import request, response
from peewee import DatabaseError, OperationalError

from appliance import config
from appliance.access import scope
from appliance.access.users import Account
from appliance.alerts import check
from appliance.alerts import rules as alert_rules
from appliance.alerts import state as alerts
from appliance.alerts import texts as alert_texts
from appliance.alerts import thresholds as alert_thresholds
from appliance.rating import stuck
from appliance.reports import listing
from webui import TEMPLATE_LOOKUP, db, row_id
from webui.admin import schedules as schedule_pages
from webui.auth import csrf_token, current_user
from webui.i18n import N_, _, fmt_at, fmt_duration, fmt_number, language

log = logging.getLogger(__name__)
NOTICES_SHOWN = 50
STUCK_DAYS = 30            # calls of lines that failed to release (RAT-5) shown from this many days back
TERMS = {"cost": N_("cost"), "duration": N_("talk time"), "person": N_("person"), "department": N_("department"),
         "role": N_("role"), "day": N_("per day"), "month": N_("per month")}


def utc_text(epoch: int | None) -> str:
    """A UTC moment as the user's language writes a date and time ('1 Mar 2026, 08:15'), or '' for no time."""
    return fmt_at(epoch) if epoch else ""


def tenant_codes(user: Account) -> list[str]:
    """The tenants whose rules the user manages (every tenant for scope all)."""
    return [t.code for t in scope.visible_tenants(user)]


def detail_text(row: dict) -> str:
    """A raised condition's text in the reader's language (its stored key and fields; the English detail of a row
    from before them)."""
    return alert_texts.decode(language(), row.get("words", ""), row["detail"])


def _limit_text(rule: dict) -> str:
    return fmt_duration(int(rule["limit"])) if rule["measure"] == "duration" else fmt_number(rule["limit"])


def page_data(user: Account, pbx_tenant: str, lines: stuck.LineRules | None = None, now: float | None = None
              ) -> dict:
    """Raised conditions and the calls of lines that failed to release (whole-box administrators only), the
    visible tenants' rules and their notices."""
    codes = set(tenant_codes(user))
    rules = [r for r in alert_rules.rules() if r["tenant"] in codes]
    ids = {r["id"] for r in rules}
    whole = scope.sees_whole_box(user, pbx_tenant)
    since = int(time.time() if now is None else now) - STUCK_DAYS * 86400
    return {"raised": alerts.raised() if whole else None, "rules": rules,
            "stuck": listing.stuck_dicts(since, lines or stuck.LineRules()) if whole else None,
            "notices": [n for n in alert_thresholds.notices(NOTICES_SHOWN * 4) if n["rule"] in ids][:NOTICES_SHOWN],
            "tenants": sorted(codes)}


def _messages() -> dict[str, str]:
    return {"added": _("The rule was added; the next alert pass (every minute) checks it."),
            "removed": _("The rule was removed."), "gone": _("No such rule.")}


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /alerts, POST /alerts/add (rule fields) and POST /alerts/remove (field id)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx_tenant = cfg.section("pbx").tenant
    lines = stuck.rules_from(cfg.section("rating"))

    def render(status_code: int = 200, error: str = "", form: dict | None = None, msg: str = "") -> str:
        user = current_user()
        data: dict = {"raised": None, "rules": [], "notices": [], "tenants": [], "stuck": None}
        ready = db.read_access(data_dir)
        damaged = check.db_alert(data_dir)   # from its state file: the tables may be what is damaged
        if ready:
            with db.connection():
                try:
                    data = page_data(user, pbx_tenant, lines)
                except OperationalError:    # a database from before the alert tables: the worker adds them
                    log.warning("alert tables not ready in %s", data_dir)
                    ready = False
                except DatabaseError as e:  # "malformed": the page opens and says so (box administrators)
                    log.error("alerts page without its tables: %s", e)
                    data = {**data, "raised": [] if user.scope == "all" and user.is_admin else None}
        if damaged and data["raised"] is not None:
            data = {**data, "raised": [damaged] + list(data["raised"])}
        response.status = status_code
        response.set_header("Cache-Control", "no-store")
        default = user.tenant if user.tenant in data["tenants"] else pbx_tenant
        return bottle.template("alerts", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), ready=ready,
                               error=error, done=_messages().get(msg, ""), form=form or {"tenant": default},
                               term=lambda v: _(TERMS.get(v, v)), utc_text=utc_text, limit_text=_limit_text,
                               detail_text=detail_text,
                               warnings=schedule_pages.warnings(cfg), **data)

    @app.get("/alerts")
    def page():
        return render(msg=request.query.get("msg", ""))

    @app.post("/alerts/add")
    def add():
        user = current_user()
        form = {k: request.forms.decode().get(k, "").strip() for k in
                ("tenant", "measure", "subject_kind", "subject", "period", "limit", "notify_manager", "cc")}
        try:
            with db.write_access(data_dir, db.MODELS_ALERTS):
                if form["tenant"] not in tenant_codes(user):
                    raise alert_rules.AlertError(_("No tenant {code!r} that you may see.").format(code=form["tenant"]))
                rule = alert_rules.add_rule(form["tenant"], form["measure"], form["subject_kind"], form["subject"],
                                            form["period"], form["limit"], form["notify_manager"] == "1", form["cc"])
        except alert_rules.AlertError as e:
            return render(400, str(e), form)
        log.info("alert rule %d added by %s: %s", rule.id, user.username, form)
        bottle.redirect("/alerts?msg=added", 303)

    @app.post("/alerts/remove")
    def remove():
        user = current_user()
        raw = request.forms.get("id", "")
        msg = "gone"
        if row_id(raw) is not None:
            with db.write_access(data_dir, db.MODELS_ALERTS):
                rule = db.alert_rule(int(raw))
                if rule is not None and rule.tenant in tenant_codes(user) and alert_rules.remove_rule(rule.id):
                    msg = "removed"
            log.info("alert rule %s removed by %s: %s", raw, user.username, msg)
        bottle.redirect(f"/alerts?msg={msg}", 303)

    return app
