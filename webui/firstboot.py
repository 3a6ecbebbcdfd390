"""The first-boot wizard (/first-boot; APP-3): offered only while the box has no user. The one-time setup code the
console shows (never a default password), then the administrator account, the network (DHCP or a static address:
appliance.firstboot.network), the time zone and NTP servers, the
company and branch names and the box's TLS certificate (the one it made, or one uploaded); then the PBX wizard. Or,
instead of a new setup, the restore of a backup (webui.admin.backup.restore_upload) with the same setup code."""
from __future__ import annotations

import logging
import zoneinfo
from pathlib import Path
from typing import Any

import bottle
from bottle import request

from appliance import config, firstboot
from appliance.firstboot import network
from appliance.access import users
from webui import TEMPLATE_LOOKUP, tls
from webui.admin.backup import RestoreError, restore_upload, sticks
from webui.auth import start_session
from webui.i18n import _

log = logging.getLogger(__name__)
MAX_PEM = 64 * 1024
FIELDS = ("username", "timezone", "ntp", "company", "branch", "tls_mode", "network", "address", "gateway", "dns")


def _page(step: str, status: int = 200, **values: Any) -> str:
    bottle.response.status = status
    bottle.response.set_header("Cache-Control", "no-store")
    defaults: dict[str, Any] = {"error": "", "code": "", "form": {}, "zones": sorted(zoneinfo.available_timezones()),
                                "fingerprint": "", "restored": 0, "addresses": network.current_addresses(),
                                "on_image": network.on_image(), "network_file": "", "network_text": "", "sticks": []}
    return bottle.template("first_boot", template_lookup=TEMPLATE_LOOKUP, step=step, **{**defaults, **values})


def _upload(name: str) -> bytes:
    upload = request.files.get(name)
    if upload is None:
        raise tls.TLSError(_("Choose the certificate and the key files to upload."))
    data = upload.file.read(MAX_PEM + 1)
    if len(data) > MAX_PEM:
        raise tls.TLSError(f"{name}: larger than {MAX_PEM // 1024} KiB: not a PEM certificate or key")
    return data


def routes(data_dir: Path, cfg: config.Config, ini: Path) -> bottle.Bottle:
    """/first-boot for `data_dir`; the answers go to the INI file `ini`."""
    app = bottle.Bottle()
    web = cfg.section("web")

    def offered() -> None:
        if users.has_users():           # done: the wizard is gone for good (a factory reset brings it back)
            bottle.redirect("/login", 303)

    @app.get("/first-boot")
    def start():
        offered()
        return _page("code")

    @app.post("/first-boot")
    def code():
        offered()
        typed = users.normalise_code(request.forms.getunicode("code") or "")
        if not users.setup_token_valid(typed):
            log.warning("first boot: a wrong or expired setup code from %s", request.environ.get("REMOTE_ADDR", ""))
            return _page("code", 403, error=_("This setup code is not valid. Type the code the console shows."))
        return _page("details", code=typed, form={"tls_mode": "generated", "ntp": cfg.section("box").ntp,
                                                  "network": "dhcp"}, sticks=sticks(cfg.section("box").usb_path))

    @app.post("/first-boot/finish")
    def finish():
        offered()
        forms = request.forms.decode()
        typed = users.normalise_code(forms.get("code", ""))
        form = {k: forms.get(k, "") for k in FIELDS}
        if not users.setup_token_valid(typed):
            return _page("code", 403, error=_("This setup code is not valid. Type the code the console shows."))

        def again(message: str):
            return _page("details", 400, code=typed, form=form, error=message,
                         sticks=sticks(cfg.section("box").usb_path))
        if forms.get("password", "") != forms.get("password2", ""):
            return again(_("The two passwords differ."))
        try:
            box = firstboot.check(form["timezone"], form["ntp"], form["company"], form["branch"])
            net = network.check(form["network"], form["address"], form["gateway"], form["dns"])
            users.check_password(forms.get("password", ""))
            uploaded = (_upload("cert"), _upload("key")) if form["tls_mode"] == "upload" else None
            if uploaded is not None:
                tls.install_certificate(web, data_dir, *uploaded)
            account = users.create_first_admin(typed, form["username"], forms.get("password", ""),
                                               request.environ.get("REMOTE_ADDR", ""))
        except (config.ConfigError, users.UserError, tls.TLSError) as e:
            return again(str(e))
        firstboot.apply(ini, data_dir, box)
        written = network.apply(data_dir, net)
        log.warning("first boot done: administrator %s, company %r, branch %r, time zone %s, network %s%s",
                    account.username, box.company, box.branch, box.timezone,
                    net.mode if net.mode == "dhcp" else f"{net.address} via {net.gateway or '-'}",
                    ", certificate uploaded" if uploaded else "")
        start_session(account)
        (data_dir / "run" / "setup-code").unlink(missing_ok=True)
        restart = request.app.config.get("callbox.restart") if uploaded else None
        if restart is not None:        # the uploaded certificate is served from the web's next start, in a moment
            restart()
        cert = tls.files(web, data_dir)[0]
        return _page("done", fingerprint=tls.fingerprint(cert) if web.tls and cert.exists() else "",
                     form=form, network_file=str(written), network_text=network.render(net))

    @app.post("/first-boot/restore")
    def restore():
        offered()
        typed = users.normalise_code(request.forms.getunicode("code") or "")
        if not users.setup_token_valid(typed):
            return _page("code", 403, error=_("This setup code is not valid. Type the code the console shows."))
        try:
            manifest = restore_upload(data_dir, ini, cfg.section("box").usb_path)
        except RestoreError as e:
            return _page("details", 400, code=typed, error=str(e), sticks=sticks(cfg.section("box").usb_path),
                         form={"tls_mode": "generated", "ntp": cfg.section("box").ntp, "restore": "1"})
        log.warning("first boot: a backup of %s restored from %s instead of a new setup", manifest.get("created_utc"),
                    request.environ.get("REMOTE_ADDR", ""))
        return _page("restored", restored=len(manifest.get("files", [])))

    return app
