"""The SSH page (/ssh, administrators of the whole box): SSH access for maintenance, off until an administrator pastes
public keys here and turns it on, with their own password again. The keys are checked (appliance.firstboot.ssh:
ssh-ed25519, ECDSA, RSA of 3072 bits or more) and written to the data partition; the web never starts a server itself
(its unit has no privilege): on the image callbox-ssh.path sees the change and callbox-ssh.service (root) starts or
stops sshd, key login only, for the maint user only (image/rootfs/usr/lib/callbox/apply-ssh). /api/ssh: the state."""
from __future__ import annotations

import logging
from pathlib import Path

import bottle
from bottle import request, response

from appliance.access import users
from appliance.firstboot import ssh
from webui import TEMPLATE_LOOKUP
from webui.auth import csrf_token, current_user
from webui.i18n import _

log = logging.getLogger(__name__)


def problem(e: ssh.BadKey) -> str:
    """What is wrong with a pasted key, in the user's language."""
    where = _("Line {line}: ").format(line=e.line) if e.line else ""
    text = {
        "format": _("not a public key as ssh-keygen writes it (type, key, comment). Paste the .pub file's line, "
                    "without options before the key."),
        "type": _("{kind} keys are not accepted: use ssh-ed25519, ECDSA, or RSA of at least {bits} bits.").format(
            kind=e.kind, bits=ssh.MIN_RSA_BITS),
        "rsa_short": _("this RSA key has {bits} bits: at least {min} are needed. Make a new key, e.g. ssh-keygen -t "
                       "ed25519.").format(bits=e.bits, min=ssh.MIN_RSA_BITS),
        "damaged": _("the {kind} key is damaged or cut short: paste the whole line again.").format(kind=e.kind),
        "long": _("this line is too long to be a public key."),
        "count": _("at most {n} keys.").format(n=ssh.MAX_KEYS),
        "none": _("paste at least one public key to turn SSH on."),
    }.get(e.reason, e.reason)
    return where + text


def state(data_dir: Path) -> dict:
    saved = ssh.load(data_dir)
    return {"enabled": saved["enabled"], "user": ssh.USER, "applied": saved["applied"],
            "keys": [{"type": k.kind, "bits": k.bits, "comment": k.comment, "fingerprint": k.fingerprint()}
                     for k in saved["keys"]]}


def _page(data_dir: Path, status: int = 200, error: str = "", done: str = "", pasted: str | None = None) -> str:
    response.status = status
    response.set_header("Cache-Control", "no-store")
    now = state(data_dir)
    if pasted is None:
        pasted = "".join(k.line() + "\n" for k in ssh.load(data_dir)["keys"])
    address = request.urlparts.hostname or "ADDRESS"      # the name or address the browser reached the box by
    return bottle.template("ssh", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), error=error, done=done,
                           pasted=pasted, address=address, **now)


def routes(data_dir: Path) -> bottle.Bottle:
    app = bottle.Bottle()

    @app.get("/ssh")
    def page():
        return _page(data_dir)

    @app.get("/api/ssh")
    def api():
        response.set_header("Cache-Control", "no-store")
        return state(data_dir)

    @app.post("/ssh")
    def save():
        account = current_user()
        assert account is not None      # the guard let us through
        forms = request.forms.decode()
        pasted = forms.get("keys", "")
        enable = forms.get("enabled", "") in ("on", "yes", "1")
        try:
            again = users.authenticate(account.username, forms.get("password", ""),
                                       request.environ.get("REMOTE_ADDR", ""))
        except users.LockedOut as e:
            return _page(data_dir, 429, _("Too many failed logins. Try again in {seconds} s.").format(
                seconds=e.retry_after), pasted=pasted)
        if again is None:
            return _page(data_dir, 403, _("Wrong password."), pasted=pasted)
        try:
            keys = ssh.parse(pasted)
            ssh.save(data_dir, enable, keys)
        except ssh.BadKey as e:
            return _page(data_dir, 400, problem(e), pasted=pasted)
        log.warning("SSH %s with %d key(s) by %s from %s", "on" if enable else "off", len(keys), account.username,
                    request.environ.get("REMOTE_ADDR", ""))
        return _page(data_dir, done=_("SSH is being turned on.") if enable else _("SSH is being turned off."))

    return app
