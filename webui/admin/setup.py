"""Capture setup page: the last lines the PBX sent, exactly as received, and which driver reads them."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import bottle

from appliance import config, journal, registry
from appliance.records import EVENT
from webui import TEMPLATE_LOOKUP, db, tls
from webui.auth import csrf_token

SHOWN = 200


def sample(data_dir: Path) -> dict[str, Any]:
    """The last SHOWN PBX lines (events left out) and the driver ranking for them."""
    entries = journal.tail(data_dir / "journal", SHOWN, skip_flags=EVENT)
    lines = [e.data.rstrip(b"\r\n") for e in entries]
    return {"lines": [{"ref": e.ref_text, "source": e.source.split("#", 1)[0],
                       "text": line.decode("utf-8", "replace"), "bytes": len(e.data)}
                      for e, line in zip(entries, lines)],
            "ranking": registry.rank(lines) if lines else [],
            "drivers": [{"key": n, "name": registry.load(n).NAME} for n in registry.names()]}


def certificate(web: Any, data_dir: Path) -> dict[str, str] | None:
    """The web's certificate file and SHA-256 fingerprint, for the administrator to compare with the browser's;
    None without TLS or before the web process made it."""
    cert = tls.files(web, data_dir)[0]
    if not web.tls or not cert.exists():
        return None
    try:
        return {"file": str(cert), "sha256": tls.fingerprint(cert)}
    except tls.TLSError as e:
        return {"file": str(cert), "error": str(e)}


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """The setup routes for `data_dir`, to merge into the main app."""
    app = bottle.Bottle()
    web = cfg.section("web")

    @app.get("/setup")
    def page():
        bottle.response.set_header("Cache-Control", "no-store")
        # the detected driver is used with one button (the PBX wizard's own POST), not by editing callbox.ini
        return bottle.template("setup", template_lookup=TEMPLATE_LOOKUP, certificate=certificate(web, data_dir),
                               csrf=csrf_token(),
                               sync=db.sync_status(data_dir, cfg.section("sync").central), **sample(data_dir))

    @app.get("/api/detect")
    def api():
        bottle.response.set_header("Cache-Control", "no-store")
        data = sample(data_dir)
        return {"ranking": data["ranking"], "lines": len(data["lines"])}

    return app
