"""The Backup page (/backup, administrators of the whole box): an encrypted backup of the box made now and
downloaded (appliance.backup; restore is `callbox backup restore` on the new box, before its first start)."""
from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import bottle
from bottle import request

from appliance.backup import archive
from appliance.backup.crypto import MIN_PASSPHRASE, BackupError
from webui import TEMPLATE_LOOKUP, offload
from webui.auth import csrf_token
from webui.i18n import _

log = logging.getLogger(__name__)
READ = 64 * 1024


def _page(status: int = 200, error: str = "") -> str:
    bottle.response.status = status
    bottle.response.set_header("Cache-Control", "no-store")
    return bottle.template("backup", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), error=error,
                           min_passphrase=MIN_PASSPHRASE)


def routes(data_dir: Path) -> bottle.Bottle:
    app = bottle.Bottle()

    @app.get("/backup")
    def page():
        return _page()

    @app.post("/backup")
    def download():
        passphrase = request.forms.getunicode("passphrase") or ""
        if passphrase != (request.forms.getunicode("passphrase2") or ""):
            return _page(400, _("The two passphrases differ."))
        calls, journal = bool(request.forms.get("calls")), bool(request.forms.get("journal"))
        # made on the data partition first (not in RAM), then streamed; the scrypt key and the encryption run in the
        # threadpool, not on the web's event loop
        out = tempfile.TemporaryFile(dir=data_dir, prefix=".backup-download-")
        try:
            offload.blocking(lambda: archive.create(data_dir, out, passphrase, calls, journal))
        except BackupError as e:
            out.close()
            return _page(400, str(e))
        size = out.tell()
        out.seek(0)
        log.info("backup downloaded (%d bytes, calls %s, journal %s)", size, calls, journal)
        name = f"callbox-backup-{time.strftime('%Y%m%d-%H%M%S')}.cbx"
        bottle.response.set_header("Content-Type", "application/octet-stream")
        bottle.response.set_header("Content-Disposition", f'attachment; filename="{name}"')
        bottle.response.set_header("Content-Length", str(size))
        bottle.response.set_header("Cache-Control", "no-store")

        def stream():
            with out:
                while block := out.read(READ):
                    yield block
        return stream()

    return app
