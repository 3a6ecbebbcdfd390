"""The Update page (/update, administrators of the whole box): the running version and root slot, the state of both
slots, the update history, and the upload of a signed update bundle.

The web never installs anything itself (its unit has no privilege): the bundle's bytes stream from the request into
<data>/update/.incoming.raucb.part, renamed incoming.raucb when whole; on the appliance callbox-update.path sees it
and callbox-update.service (root) has RAUC check its signature and write the other root slot, then reboots into it
(image/rootfs/usr/lib/callbox/callbox-update). That service writes status.json and history.jsonl in the same folder,
which this page reads. The body is the bundle itself (application/octet-stream, the script of the page sends the
chosen file so), never a form: a bundle of hundreds of megabytes is not spooled to /tmp (a small RAM disk)."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import bottle
from bottle import request, response

import appliance
from webui import TEMPLATE_LOOKUP
from webui.auth import csrf_token, current_user
from webui.i18n import _

log = logging.getLogger(__name__)
MAX_BUNDLE = 640 << 20          # a root slot's size (image/50-disk.sh SLOT_MB)
CHUNK = 1 << 20
HISTORY_SHOWN = 50


def state(data_dir: Path) -> dict[str, Any]:
    """{"version", "slot", "slots", "history" (newest first), "pending", "updater"}: what callbox-update wrote; on a
    box without it (no status.json: not an image, or an image without the A/B updater) the package's version, no
    slot, and updater False: nothing would install a bundle there, so none is taken."""
    folder = Path(data_dir) / "update"
    try:
        status = json.loads((folder / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        status = {}
    history = []
    try:
        lines = (folder / "history.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in reversed(lines[-HISTORY_SHOWN:]):
        try:
            history.append(json.loads(line))
        except ValueError:
            continue
    return {"version": str(status.get("version") or appliance.__version__), "slot": str(status.get("slot") or ""),
            "slots": status.get("slots") if isinstance(status.get("slots"), dict) else {},
            "history": history, "pending": (folder / "incoming.raucb").exists(), "updater": bool(status)}


def _page(data_dir: Path, status: int = 200, error: str = "", received: int = 0) -> str:
    response.status = status
    response.set_header("Cache-Control", "no-store")
    return bottle.template("update", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), error=error,
                           received=received, max_mb=MAX_BUNDLE >> 20, **state(data_dir))


def routes(data_dir: Path) -> bottle.Bottle:
    app = bottle.Bottle()
    folder = Path(data_dir) / "update"

    @app.get("/update")
    def page():
        return _page(data_dir)

    @app.get("/api/update")
    def api():
        response.set_header("Cache-Control", "no-store")
        return state(data_dir)

    @app.post("/update")
    def upload():
        wants_json = "application/json" in request.headers.get("Accept", "")

        def refuse(code: int, message: str):
            if wants_json:
                response.status = code
                return {"error": message}
            return _page(data_dir, code, message)
        try:
            length = int(request.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if not state(data_dir)["updater"]:
            return refuse(409, _("This box has no updater: nothing here would install an update bundle. Update it "
                                 "with a new image or the package."))
        if length <= 0:
            return refuse(400, _("Choose the update bundle (a .raucb file) to send."))
        if length > MAX_BUNDLE:
            return refuse(413, _("This file is larger than a root slot ({mb} MiB): not an update bundle of this "
                                 "box.").format(mb=MAX_BUNDLE >> 20))
        if (folder / "incoming.raucb").exists():
            return refuse(409, _("An update is being installed. Wait until the box has restarted."))
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / ".incoming.raucb.part"
        body, left = request.environ["wsgi.input"], length
        try:
            with open(part, "wb") as out:
                while left:
                    chunk = body.read(min(CHUNK, left))
                    if not chunk:
                        break
                    out.write(chunk)
                    left -= len(chunk)
                out.flush()
                os.fsync(out.fileno())
            if left:
                part.unlink(missing_ok=True)
                return refuse(400, _("The upload stopped before the end of the file. Send it again."))
            os.replace(part, folder / "incoming.raucb")
        except OSError as e:
            part.unlink(missing_ok=True)
            log.error("update upload: %s", e)
            return refuse(507, _("The box could not store the bundle: {error}").format(error=e.strerror or e))
        account = current_user()
        log.warning("update bundle of %d bytes received from %s (%s): installing", length,
                    account.username if account else "?", request.environ.get("REMOTE_ADDR", ""))
        if wants_json:
            response.status = 202
            return {"received": length}
        return _page(data_dir, 202, received=length)

    return app
