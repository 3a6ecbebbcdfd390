"""The Backup page (/backup, administrators of the whole box): an encrypted backup of the box made now and
downloaded, sent to an [upload] targets file server or written to a USB stick (appliance.backup.destinations); and
the restore of one uploaded, or read from a USB stick, with its passphrase (appliance.backup; also offered by the
first-boot wizard instead of a new setup). A restore replaces the box's data: capture, the worker and jobs start
again on it by themselves (they watch callbox.ini), the web restarts itself, and everyone logs in again with the
backup's accounts."""
from __future__ import annotations

import errno
import logging
import tempfile
from pathlib import Path

import bottle
from bottle import request

from appliance import config
from appliance.backup import archive, destinations
from appliance.backup.crypto import MIN_PASSPHRASE, BackupError
from appliance.delivery import upload as uploads
from webui import TEMPLATE_LOOKUP, offload
from webui.auth import COOKIE, csrf_token, current_user
from webui.i18n import _

log = logging.getLogger(__name__)
READ = 64 * 1024


def sticks(usb_path: str) -> list[dict]:
    """The USB sticks the box sees, each with the backups on it ({"path", "name", "free", "backups"})."""
    return [{**m, "backups": destinations.backups_on(Path(m["path"]))} for m in destinations.usb_mounts(usb_path)]


def _targets(cfg: config.Config) -> list[str]:
    try:
        return sorted(uploads.targets(cfg))
    except config.ConfigError as e:         # the settings page says what is wrong; no target to offer meanwhile
        log.warning("%s: %s", cfg.name, e)
        return []


def _page(cfg: config.Config, status: int = 200, error: str = "", restored: dict | None = None,
          done: str = "", form: dict | None = None) -> str:
    bottle.response.status = status
    bottle.response.set_header("Cache-Control", "no-store")
    return bottle.template("backup", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), error=error,
                           min_passphrase=MIN_PASSPHRASE, restored=restored, done=done, form=form or {},
                           targets=_targets(cfg), sticks=sticks(cfg.section("box").usb_path))


class RestoreError(ValueError):
    """An upload that was not restored; the message says why, in the page's language. Nothing was changed."""


def _source(data_dir: Path, usb_path: str):
    """The backup to restore, opened: the form's "usb_file" (a backup on a USB stick the box sees) when the form
    chose source=usb, else its uploaded "backup" file. RestoreError when neither is there."""
    if request.forms.getunicode("source") == "usb":
        chosen = Path(request.forms.getunicode("usb_file") or "")
        try:
            destinations.check_usb(str(chosen.parent), usb_path)
            return destinations.open_on(chosen.parent, chosen.name)
        except (ValueError, OSError) as e:
            log.warning("restore from a USB stick refused: %s", e)
            raise RestoreError(_("Choose a backup on the USB stick (is it still plugged in?).")) from None
    upload = request.files.get("backup")
    if upload is None or not upload.filename:
        raise RestoreError(_("Choose the backup file (.cbx) to restore."))
    return upload.file


def restore_upload(data_dir: Path, ini: Path, usb_path: str = "") -> dict:
    """Restore the backup the form names (uploaded as its "backup" file, or source=usb and "usb_file" on a USB stick)
    with its "restore_passphrase" into the running box (the Backup page and the first-boot wizard): the manifest;
    RestoreError (a wrong passphrase, a damaged or foreign file: nothing changed). Then the web restarts itself in a
    moment; the other processes restart on their own."""
    passphrase = request.forms.getunicode("restore_passphrase") or ""
    src = _source(data_dir, usb_path)
    try:
        if not passphrase:
            raise RestoreError(_("Type the backup's passphrase."))
        manifest = offload.blocking(lambda: archive.restore_running(src, data_dir, passphrase, ini))
    except BackupError as e:
        log.warning("restore from the web refused: %s", e)
        if str(e).startswith("wrong passphrase"):
            raise RestoreError(_("Wrong passphrase, or the file is damaged: nothing was changed.")) from None
        raise RestoreError(_("This file cannot be restored: {error}. Nothing was changed.").format(error=e)) from None
    finally:
        src.close()
    (data_dir / "run" / "setup-code").unlink(missing_ok=True)
    restart = request.app.config.get("callbox.restart")
    if restart is not None:         # the web starts again on the restored users and settings
        restart()
    return manifest


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def routes(data_dir: Path, cfg: config.Config, ini: Path | None = None) -> bottle.Bottle:
    app = bottle.Bottle()
    ini = ini or data_dir / "callbox.ini"

    @app.get("/backup")
    def page():
        return _page(cfg)

    @app.post("/backup")
    def make():
        passphrase = request.forms.getunicode("passphrase") or ""
        calls, journal = bool(request.forms.get("calls")), bool(request.forms.get("journal"))
        where = request.forms.getunicode("destination") or "download"
        form = {"destination": where, "target": request.forms.getunicode("target") or "",
                "usb": request.forms.getunicode("usb") or "", "calls": calls, "journal": journal}
        if passphrase != (request.forms.getunicode("passphrase2") or ""):
            return _page(cfg, 400, _("The two passphrases differ."), form=form)
        if len(passphrase) < MIN_PASSPHRASE:
            return _page(cfg, 400, _("The passphrase must have at least {n} characters.").format(n=MIN_PASSPHRASE),
                         form=form)
        if where == "usb":
            return _to_usb(passphrase, calls, journal, form)
        if where == "target":
            return _to_target(passphrase, calls, journal, form)
        return _download(passphrase, calls, journal)

    def _download(passphrase: str, calls: bool, journal: bool):
        # made on the data partition first (not in RAM), then streamed; the scrypt key and the encryption run in the
        # threadpool, not on the web's event loop
        out = tempfile.TemporaryFile(dir=data_dir, prefix=".backup-download-")
        try:
            offload.blocking(lambda: archive.create(data_dir, out, passphrase, calls, journal))
        except BackupError as e:
            out.close()
            return _page(cfg, 400, str(e))
        size = out.tell()
        out.seek(0)
        log.info("backup downloaded (%d bytes, calls %s, journal %s)", size, calls, journal)
        bottle.response.set_header("Content-Type", "application/octet-stream")
        bottle.response.set_header("Content-Disposition", f'attachment; filename="{destinations.default_name()}"')
        bottle.response.set_header("Content-Length", str(size))
        bottle.response.set_header("Cache-Control", "no-store")

        def stream():
            with out:
                while block := out.read(READ):
                    yield block
        return stream()

    def _to_usb(passphrase: str, calls: bool, journal: bool, form: dict):
        usb_path = cfg.section("box").usb_path
        try:
            folder = destinations.check_usb(form["usb"], usb_path)
            written, _manifest = offload.blocking(
                lambda: destinations.to_folder(data_dir, folder, passphrase, calls, journal))
        except ValueError:
            return _page(cfg, 400, _("Choose a USB stick the box sees (plug it in, wait a few seconds, reload this "
                                     "page)."), form=form)
        except OSError as e:
            log.error("backup to %s failed: %s", form["usb"], e)
            return _page(cfg, 507 if e.errno == errno.ENOSPC else 500,
                         _("The backup could not be written to the USB stick: {error}. Nothing was left on it.")
                         .format(error=e.strerror or e), form=form)
        log.warning("backup written to the USB stick %s by %s", written, _who())
        return _page(cfg, done=_("Backup written to the USB stick {stick}: {name} ({size}).").format(
            stick=folder.name, name=written.name, size=_size(written.stat().st_size)), form=form)

    def _to_target(passphrase: str, calls: bool, journal: bool, form: dict):
        target, name = form["target"], destinations.default_name()
        if target not in _targets(cfg):
            return _page(cfg, 400, _("Choose a file server (the [upload] targets of the Settings page)."), form=form)
        with tempfile.TemporaryFile(dir=data_dir, prefix=".backup-upload-") as f:   # on the data partition
            offload.blocking(lambda: archive.create(data_dir, f, passphrase, calls, journal))
            size = f.tell()
            f.seek(0)
            try:    # on the event loop: the clients' sockets are gevent's (a native thread would block on them)
                uploads.send(cfg, data_dir, target, name, f)   # streamed: a chunk in RAM at a time
            except (uploads.UploadError, config.ConfigError) as e:
                log.error("backup to %s failed: %s", target, e)
                return _page(cfg, 502, _("The file server {target} did not take the backup: {error}").format(
                    target=target, error=e), form=form)
        log.warning("backup sent to %s:%s by %s", target, name, _who())
        return _page(cfg, done=_("Backup sent to the file server {target}: {name} ({size}).").format(
            target=target, name=name, size=_size(size)), form=form)

    @app.post("/backup/restore")
    def restore():
        account = current_user()
        try:
            manifest = restore_upload(data_dir, ini, cfg.section("box").usb_path)
        except RestoreError as e:
            return _page(cfg, 400, str(e))
        log.warning("backup of %s restored from the web by %s", manifest.get("created_utc"),
                    account.username if account else "?")
        bottle.response.delete_cookie(COOKIE, path="/")     # the accounts are the backup's now: log in again
        return _page(cfg, restored=manifest)

    return app


def _who() -> str:
    account = current_user()
    return account.username if account else "?"
