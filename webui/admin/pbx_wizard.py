"""The PBX wizard (/setup/pbx; APP-3, CAP-5): choose the link, watch its lines arrive, the driver ranking and the
chosen driver's reading of the last records, confirm. The choice goes to the INI file, where capture and the worker
see it change and restart with it (appliance.procs.watch_config); the web itself never opens the PBX link: capture
runs the serial port's baud-rate scan when the web asks (appliance.capture.scanservice), refused on the port it
reads itself."""
from __future__ import annotations

import datetime
import json
import logging
import time
from pathlib import Path
from typing import Any

import bottle
from bottle import request

from appliance import config, localtime, registry
from appliance.capture import baudscan, scanservice, serialports
from appliance.capture.transports import BAUDS, parse_url
from appliance.wizard import choice, links, preview
from webui import TEMPLATE_LOOKUP, db, status
from webui.auth import csrf_token
from webui.i18n import N_, _, fmt_number, ngettext

log = logging.getLogger(__name__)
WINDOW_S = (0.2, 5.0)      # the scan's listening time per rate, bounds
RESULT_SHOWN_S = 7 * 86400  # how long the page shows how the last change of driver's reprocess went
# the drivers' NAMEs that hold words besides product names: the templates say every NAME with _() (issue 20)
DRIVER_WORDS = (N_("Generic (layout described in the config)"), N_("Cisco Unified CM (CDR flat files)"))


def config_file(cfg: config.Config, data_dir: Path) -> Path:
    """The INI file the processes read: the web's --config, else <data>/callbox.ini (made by the first choice)."""
    return Path(cfg.path) if cfg.path is not None else data_dir / "callbox.ini"


def _current(path: Path) -> config.Config:
    return config.Config(path) if path.exists() else config.Config(None)


def _presets() -> list[dict[str, Any]]:
    """The ports the PBX families use (their drivers' TRANSPORTS), for the TCP choices."""
    out = []
    for key in registry.names():
        driver = registry.load(key)
        for kind, url in driver.TRANSPORTS.items():
            if kind in ("tcp-listen", "socket"):
                try:
                    out.append({"kind": kind, "port": parse_url(url).port, "name": driver.NAME})
                except ValueError:
                    continue
    return out


def serial_ports(data_dir: Path) -> list[dict]:
    """The serial ports capture sees (run/serial-ports.json, refreshed every 2 s: the web's unit has no devices on the
    box); the web's own listing only when capture never wrote one (capture not started yet on a development
    machine). Each {"device", "path", "description"}."""
    listed = serialports.read(data_dir / "run")
    return listed if listed is not None else serialports.ports()


def _zone(path: Path) -> str:
    return _current(path).raw_section("pbx").get("timezone", "")


def _change(data_dir: Path, previous: str, driver: str, timezone: str) -> dict | None:
    """What the confirmation of a change of driver shows (the journal's first day in `timezone`, the PBX's), or None
    when no line was read with another driver yet (the first choice: the worker reads the whole journal with it
    anyway). The form's time zone goes on to the confirmation as it was typed."""
    if not previous or previous == driver or driver not in registry.names():
        return None
    try:
        counts = db.read(data_dir, db.counts)
    except db.NotReady:
        counts = {}
    oldest = choice.journal_since(data_dir / "journal")
    try:
        tz = localtime.zone(timezone)
    except ValueError:
        tz = datetime.timezone.utc
    first = datetime.datetime.fromtimestamp(oldest / 1e9, tz).date().isoformat() if oldest is not None else ""
    return {"previous": previous, "driver": driver, "timezone": request.forms.getunicode("timezone") or "",
            "lines": counts.get("lines", 0), "calls": counts.get("calls", 0), "first": first}


def _page_values(path: Path, data_dir: Path, error: str = "", form: dict | None = None,
                 confirm: dict | None = None) -> dict[str, Any]:
    cfg = _current(path)
    url = cfg.raw_section("capture").get("url", "")
    pbx = cfg.raw_section("pbx")
    devices = serial_ports(data_dir)
    return {"url": url, "link": form or links.describe(url) or {"kind": "tcp-listen", "port": "1150"},
            "driver": pbx.get("driver", ""), "timezone": pbx.get("timezone", ""), "devices": devices,
            "bauds": [b for b in BAUDS if b >= 1200], "presets": _presets(), "error": error,
            "drivers": [{"key": n, "name": registry.load(n).NAME} for n in registry.names()],
            "capture": status.capture_status(data_dir / "run" / "capture.json"),
            "chosen": request.query.get("chosen", ""), "config_file": str(path), "confirm": confirm,
            "pending": choice.pending_reprocess(data_dir), "reprocessed": _recent(choice.last_reprocess(data_dir))}


def _recent(result: dict | None) -> dict | None:
    """The last reprocess's result while it is news (a week), for the page's banner."""
    return result if result and time.time() - result.get("done_utc", 0) < RESULT_SHOWN_S else None


def _labels() -> str:
    """The script's words in the page's language (a JSON block: the CSP allows no inline script)."""
    return json.dumps({"in": _("incoming"), "out": _("outgoing"), "internal": _("internal"), "system": _("system"),
                       "queue": _("queue event"), "waiting": _("No line from this link yet. Waiting…"),
                       "none": _("No driver recognises these lines."), "scanning": _("Listening at each rate…"),
                       "silent": _("Nothing arrived at any rate: make a call so the PBX prints a record, then scan "
                                   "again."),
                       "best": _("Best: {baud} baud"),
                       "reading": _("Capture is reading {url}"), "not_running": _("Capture is not running."),
                       "ignored": _("not a call (a header or another kind of record)"),
                       "use": _("Use"), "ports": _("Serial ports found: {n}")},
                      ensure_ascii=False).replace("<", "\\u003c")


def _render(path: Path, data_dir: Path, code: int = 200, **values) -> str:
    bottle.response.status = code
    bottle.response.set_header("Cache-Control", "no-store")
    return bottle.template("pbx_wizard", template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), labels=_labels(),
                           **_page_values(path, data_dir, **values))


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """The wizard's routes for `data_dir`, to merge into the main app."""
    app = bottle.Bottle()
    path = config_file(cfg, data_dir)

    @app.get("/setup/pbx")
    def page():
        return _render(path, data_dir)

    @app.post("/setup/pbx/link")
    def link():
        form = {k: request.forms.getunicode(k) or "" for k in
                ("kind", "device", "baud", "parity", "bytesize", "address", "host", "path")}
        form["port"] = request.forms.getunicode("listen_port" if form["kind"] == "tcp-listen" else "connect_port") or ""
        try:
            url = links.build_url(form)
            choice.choose_link(path, url)
        except (links.LinkError, config.ConfigError) as e:
            return _render(path, data_dir, 400, error=str(e), form=form)
        log.info("PBX wizard: [capture] url = %s", url)
        bottle.redirect("/setup/pbx#lines", 303)

    @app.post("/setup/pbx/scan")
    def scan():
        bottle.response.set_header("Cache-Control", "no-store")
        device = request.forms.getunicode("device") or ""
        try:
            window = min(max(float(request.forms.get("window") or baudscan.WINDOW_S), WINDOW_S[0]), WINDOW_S[1])
            url = links.build_url({"kind": "serial", "device": device, "baud": "9600"})
        except (ValueError, links.LinkError) as e:
            bottle.response.status = 400
            return {"error": str(e)}
        busy = _("Capture is reading this port now: its lines are below. Choose another link first to scan this "
                 "port.")
        if scanservice.same_port(_current(path).raw_section("capture").get("url", ""), device):
            bottle.response.status = 409
            return {"error": busy}
        try:     # capture scans: it alone may open the serial ports (the web's unit has no devices)
            answer = scanservice.ask(data_dir / "run", url, window)
        except scanservice.NoAnswer:
            bottle.response.status = 503
            return {"error": _("Capture did not answer: it scans the serial ports, and it is not running or is "
                               "restarting. Try again in a moment.")}
        if "error" in answer:
            bottle.response.status = 409
            return {"error": busy if answer["error"] == "busy" else answer["error"]}
        return {"device": device, "results": answer["results"]}

    @app.get("/api/setup/pbx/lines")
    def lines():
        bottle.response.set_header("Cache-Control", "no-store")
        current = _current(path)
        url = current.raw_section("capture").get("url", "")
        capture = status.capture_status(data_dir / "run" / "capture.json")
        if not url:
            return {"url": "", "capture": capture, "lines": [], "count": 0, "ranking": [], "driver": "",
                    "records": [], "error": "", "ports": serial_ports(data_dir)}
        driver = request.query.getunicode("driver") or ""
        if driver and driver not in registry.names():
            driver = ""
        look = preview.look(current, data_dir / "journal", links.sources(url), driver)
        # the count said by the language's plural rules ("1 line received"): the script shows it as it is
        said = ngettext("{count} line received", "{count} lines received", look["count"]).format(
            count=fmt_number(look["count"]))
        return {"url": url, "capture": capture, **look, "count_text": said, "ports": serial_ports(data_dir)}

    @app.post("/setup/pbx/driver")
    def confirm():
        driver = request.forms.getunicode("driver") or ""
        timezone = (request.forms.getunicode("timezone") or "").strip()
        previous = _current(path).raw_section("pbx").get("driver", "")
        change = _change(data_dir, previous, driver, timezone or _zone(path))
        if change is not None and not request.forms.get("confirm"):     # say what happens to the lines read so far
            return _render(path, data_dir, confirm=change)
        again = (request.forms.getunicode("reprocess") or "") if change is not None else ""
        again = again if again in ("all", "since") else "none"
        try:
            if again != "none":
                since = (choice.since_utc(request.forms.getunicode("since") or "", timezone or _zone(path))
                         if again == "since" else None)
                choice.request_reprocess(data_dir, driver, previous, since)   # first: the worker restarts on the INI
            choice.choose_driver(path, driver, timezone)
        except (registry.UnknownDriver, config.ConfigError) as e:
            choice.cancel_reprocess(data_dir)
            return _render(path, data_dir, 400, error=str(e), confirm=change)
        log.info("PBX wizard: [pbx] driver = %s%s", driver, f" (was {previous}; lines parsed again: {again})"
                 if change is not None else "")
        bottle.redirect(f"/setup/pbx?chosen={driver}#done", 303)

    return app
