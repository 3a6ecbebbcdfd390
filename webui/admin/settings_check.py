"""/settings: the box-wide settings a branch administrator otherwise checks from the shell (issue 20), each with the
CLI's own checks and a way to try it now: the numbering plan ([numbers]) with a dialled number classified as the
worker would, e-mail ([mail]) with a test message, the file servers ([upload] targets) with a test file, and the
SNMP managers ([snmp]) with a test trap. For administrators of the whole box (the settings are the box's).

The tests send at once, not through the outbox (the administrator waits for the answer, as `callbox upload test`
and `callbox snmp test-trap` do). Each section is also a form: POST /settings/save writes it to callbox.ini with the
same checks (webui.admin.settings_edit), and the processes that read it restart by themselves.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import bottle
from bottle import request, response

from appliance import config
from appliance.delivery import mail, upload
from appliance.rating import numbering
from appliance.snmp import traps as snmp
from webui import TEMPLATE_LOOKUP
from webui.admin import settings_edit
from webui.admin.pbx_wizard import config_file
from webui.auth import csrf_token, current_user
from webui.i18n import _
from webui.reports.common import KIND_LABELS

log = logging.getLogger(__name__)


def _numbers(cfg: config.Config, number: str) -> dict:
    """[numbers] as set, whether the plan it makes is sound, and `number` classified by it."""
    out: dict = {"values": {}, "error": "", "result": None}
    try:
        values = vars(cfg.section("numbers"))
        out["values"] = values
        if not values.get("country"):
            out["error"] = _("No country set: calls are neither classified nor priced.")
            return out
        plan = numbering.plan_from_options({k: v for k, v in values.items() if v != ""})
    except (config.ConfigError, ValueError) as e:
        out["error"] = f"[numbers] {e}"
        return out
    if number.strip():
        out["result"] = numbering.classify_call(number.strip(), plan)
    return out


def _section(fn) -> tuple[object, str]:
    """fn()'s value, or the configuration error it raised (the CLI's check of that section)."""
    try:
        return fn(), ""
    except (config.ConfigError, ValueError) as e:
        return None, str(e)


def _page(cfg: config.Config, status: int = 200, number: str = "", done: str = "", error: str = "",
          to: str = "", section: str = "", form: dict | None = None) -> str:
    """The page; `section` is the form just saved or refused (its banner goes there), `form` what was typed in it."""
    response.status = status
    response.set_header("Cache-Control", "no-store")
    targets, targets_error = _section(lambda: upload.targets(cfg))
    managers, snmp_error = _section(lambda: snmp.settings(cfg).managers)
    return bottle.template("settings", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), user=current_user(),
                           numbers=_numbers(cfg, number), number=number, mail=cfg.section("mail"),
                           targets=targets or {}, targets_error=targets_error, managers=managers or (),
                           snmp_error=snmp_error, done=done, error=error, to=to, section=section,
                           values={name: (form if name == section and form else settings_edit.current(cfg, name))
                                   for name in settings_edit.FIELDS},
                           kind_label=lambda k: _(KIND_LABELS.get(k, k)))


def test_mail(cfg: config.Config, data_dir: Path, to: str) -> str:
    """Send a test message to `to` now through [mail]; the success line, or MailError/ConfigError/ValueError."""
    address = mail.check_address(to)
    mail.deliver(cfg, data_dir, {"to": [address], "subject": _("Callbox test message"),
                                 "body": _("This is a test message from Callbox: e-mail works.") + "\n"})
    return _("A test message was sent to {to}.").format(to=address)


def test_upload(cfg: config.Config, data_dir: Path, target: str) -> str:
    name = f"callbox-test-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    if target not in upload.targets(cfg):
        raise upload.UploadError(_("No upload target {name!r} in [upload] targets.").format(name=target))
    upload.send(cfg, data_dir, target, name, b"Callbox upload test\r\n")
    return _("{file} was uploaded to {target}.").format(file=name, target=target)


def test_trap(cfg: config.Config, data_dir: Path) -> str:
    managers = snmp.settings(cfg).managers
    if not managers:
        raise snmp.SnmpError(_("No [snmp] managers are configured."))
    snmp.send_trap(cfg, "alert_raised", {"source": "test", "text": "Callbox test trap"}, data_dir=data_dir)
    return _("A test trap was sent to {managers}.").format(managers=", ".join(m.label for m in managers))


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /settings (?number= classifies a number); POST /settings/test (kind = mail | upload | trap); POST
    /settings/save (section = numbers | mail | upload | snmp | directory, and that section's keys)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    path = config_file(cfg, data_dir)

    @app.post("/settings/save")
    def save():
        forms = request.forms.decode()
        section = forms.get("section", "")
        fields = {k: forms.get(k) for k in (*settings_edit.FIELDS.get(section, ()), "password") if k in forms}
        if section == "mail" and "tls_verify" in settings_edit.FIELDS["mail"]:
            fields["tls_verify"] = "yes" if forms.get("tls_verify") else "no"    # an unticked box is not sent
        try:
            done, values = settings_edit.save(path, cfg, data_dir, section, fields)
        except (config.ConfigError, ValueError) as e:
            log.warning("settings [%s] by %s refused: %s", section, current_user().username, e)
            return _page(cfg, 400, error=_("Not saved: {reason}").format(reason=e),
                         section=section if section in settings_edit.FIELDS else "",
                         form={k: v for k, v in fields.items() if k != "password"})
        return _page(cfg, done=done, section=section)

    @app.get("/settings")
    def page():
        return _page(cfg, number=request.query.decode().get("number", "")[:40])

    @app.post("/settings/test")
    def test():
        forms = request.forms.decode()
        kind, to = forms.get("kind", ""), forms.get("to", "").strip()
        try:
            if kind == "mail":
                done = test_mail(cfg, data_dir, to)
            elif kind == "upload":
                done = test_upload(cfg, data_dir, forms.get("target", ""))
            elif kind == "trap":
                done = test_trap(cfg, data_dir)
            else:
                raise bottle.HTTPError(400, _("Unknown test {kind!r}.").format(kind=kind))
        except (mail.MailError, upload.UploadError, snmp.SnmpError, config.ConfigError, ValueError) as e:
            log.warning("settings test %s by %s failed: %s", kind, current_user().username, e)
            return _page(cfg, 400, error=_("The test failed: {reason}").format(reason=e), to=to)
        log.info("settings test %s by %s: %s", kind, current_user().username, done)
        return _page(cfg, done=done, to=to)

    return app
