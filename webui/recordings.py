"""Call recordings in the browser (APP-5): GET /calls/<id>/recording plays (HTML5 audio; HTTP Range requests, as
<audio> seeks with them), GET /calls/<id>/recording/download saves the file.

Only for a user who may see the call (the call page's own scope check: another call is a 404, as for one that does
not exist) AND holds the `listen` right (appliance/access/rights.py; 403 otherwise). Every play and download is
written to the audit log: a play once per listening (the request without a Range, or from byte 0), not once for
each piece the browser fetches while seeking.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import bottle
from bottle import request

from appliance import config
from appliance import recordings as rec
from appliance.access import rights, users
from appliance.registry import driver_parser
from appliance.reports import listing as output
from appliance.reports import search as call_search
from webui import db, row_id
from webui.auth import current_user
from webui.i18n import _

log = logging.getLogger(__name__)
CONFIG_KEY = "callbox.recordings"


def _fields(path) -> list[dict[str, str]]:
    """Each leg's fields for the templates: the driver's extra fields (uniqueid, linkedid, recordingfile ...) and
    the leg's own, the call key standing in for a missing uniqueid; the call's own first."""
    call = path.call
    out = [{"uniqueid": call.call_key, "linkedid": call.call_key, "extension": call.extension, "party": call.party}]
    for row in path.legs:
        leg, extra = row["leg"], row.get("extra") or {}
        out.append({"uniqueid": leg.call_key, "linkedid": leg.call_key, "extension": leg.extension,
                    "party": leg.party, **{k.lower(): v for k, v in extra.items()}})
    return out


def locate(settings: rec.Settings, path) -> Path | None:
    if settings.folder is None or path is None or rec.expired(settings, path.call.start_utc, time.time()):
        return None
    return rec.locate(settings, path.call.start_utc, path.call.utc_offset, _fields(path))


def player(path) -> dict | None:
    """What the call page shows (call.tpl): None when recordings are off or the user may not listen; else the
    links, and whether a file was found and the browser can play it."""
    settings = request.app.config.get(CONFIG_KEY)
    user = current_user()
    if settings is None or settings.folder is None or not rights.has(user, "listen"):
        return None
    found = locate(settings, path)
    cid = path.call.id
    return {"found": found is not None, "playable": found is not None and rec.audio_type(found) is not None,
            "expired": rec.expired(settings, path.call.start_utc, time.time()),
            "url": f"/calls/{cid}/recording", "download": f"/calls/{cid}/recording/download"}


def install(app: bottle.Bottle, data_dir: Path, cfg: config.Config) -> None:
    """Add the recording routes to the web app and keep [recordings] where the call page finds it."""
    try:
        settings = rec.read_settings(cfg)
    except config.ConfigError as e:       # the web must come up: no recordings, and why
        log.error("%s: call recordings are not offered", e)
        settings = rec.Settings(None, ())
    app.config[CONFIG_KEY] = settings
    pbx_tenant = cfg.section("pbx").tenant
    reader = output.extra_reader(Path(data_dir) / "journal", lambda name: driver_parser(cfg, name)[:2])

    def extra(leg):
        try:
            return reader(leg)
        except Exception:
            log.warning("extra fields of leg %d not readable", leg.id, exc_info=True)
            return {}

    def recording(cid: str) -> Path:
        user = current_user()
        path = None
        if row_id(cid) is not None and db.read_access(data_dir):
            with db.connection():
                path = call_search.call_path(user, pbx_tenant, int(cid), extra)
        if path is None:
            raise bottle.HTTPError(404, _("No call {id} that you may see.").format(id=cid))
        if not rights.has(user, "listen"):
            raise bottle.HTTPError(403, _("You may not listen to call recordings (ask an administrator for the "
                                          "listen right)."))
        found = locate(settings, path)
        if found is None:
            raise bottle.HTTPError(404, _("No recording of this call."))
        return found

    def audit(what: str, cid: str, found: Path) -> None:
        users.audit(current_user().username, what, f"call {cid}", found.name,
                    request.environ.get("REMOTE_ADDR", ""))

    def play(cid: str):
        found = recording(cid)
        kind = rec.audio_type(found)
        if kind is None:
            raise bottle.HTTPError(415, _("The browser cannot play this recording's format: download it."))
        if request.headers.get("Range", "bytes=0-").replace(" ", "").startswith("bytes=0-"):
            audit("recording_played", cid, found)
        resp = bottle.static_file(found.name, root=str(found.parent), mimetype=kind)
        resp.set_header("Cache-Control", "private, no-store")
        return resp

    def download(cid: str):
        found = recording(cid)
        audit("recording_downloaded", cid, found)
        resp = bottle.static_file(found.name, root=str(found.parent), download=f"call-{cid}{found.suffix.lower()}",
                                  mimetype=rec.audio_type(found) or "application/octet-stream")
        resp.set_header("Cache-Control", "private, no-store")
        return resp

    app.route("/calls/<cid>/recording", "GET", play)
    app.route("/calls/<cid>/recording/download", "GET", download)
