"""The Backup page (/backup, administrators of the whole box): an encrypted backup of the box made now and
downloaded, and the restore of one uploaded with its passphrase (appliance.backup; also offered by the first-boot
wizard instead of a new setup). A restore replaces the box's data: capture, the worker and jobs start again on it by
themselves (they watch callbox.ini), the web restarts itself, and everyone logs in again with the backup's accounts."""
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
from webui.auth import COOKIE, csrf_token, current_user
from webui.i18n import _

log = logging.getLogger(__name__)
READ = 64 * 1024


def _page(status: int = 200, error: str = "", restored: dict | None = None) -> str:
    bottle.response.status = status
    bottle.response.set_header("Cache-Control", "no-store")
    return bottle.template("backup", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), error=error,
                           min_passphrase=MIN_PASSPHRASE, restored=restored)


class RestoreError(ValueError):
    """An upload that was not restored; the message says why, in the page's language. Nothing was changed."""


def restore_upload(data_dir: Path, ini: Path) -> dict:
    """Restore the backup uploaded as the form's "backup" file with its "passphrase" into the running box (the
    Backup page and the first-boot wizard): the manifest; RestoreError (a wrong passphrase, a damaged or foreign
    file: nothing changed). Then the web restarts itself in a moment; the other processes restart on their own."""
    upload = request.files.get("backup")
    passphrase = request.forms.getunicode("restore_passphrase") or ""
    if upload is None or not upload.filename:
        raise RestoreError(_("Choose the backup file (.cbx) to restore."))
    if not passphrase:
        raise RestoreError(_("Type the backup's passphrase."))
    try:
        manifest = offload.blocking(lambda: archive.restore_running(upload.file, data_dir, passphrase, ini))
    except BackupError as e:
        log.warning("restore from the web refused: %s", e)
        if str(e).startswith("wrong passphrase"):
            raise RestoreError(_("Wrong passphrase, or the file is damaged: nothing was changed.")) from None
        raise RestoreError(_("This file cannot be restored: {error}. Nothing was changed.").format(error=e)) from None
    (data_dir / "run" / "setup-code").unlink(missing_ok=True)
    restart = request.app.config.get("callbox.restart")
    if restart is not None:         # the web starts again on the restored users and settings
        restart()
    return manifest


def routes(data_dir: Path, ini: Path | None = None) -> bottle.Bottle:
    app = bottle.Bottle()
    ini = ini or data_dir / "callbox.ini"

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

    @app.post("/backup/restore")
    def restore():
        account = current_user()
        try:
            manifest = restore_upload(data_dir, ini)
        except RestoreError as e:
            return _page(400, str(e))
        log.warning("backup of %s restored from the web by %s", manifest.get("created_utc"),
                    account.username if account else "?")
        bottle.response.delete_cookie(COOKIE, path="/")     # the accounts are the backup's now: log in again
        return _page(restored=manifest)

    return app
