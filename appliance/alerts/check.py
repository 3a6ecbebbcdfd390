"""One alert pass (CAP-7, REP-8, REP-11), run every minute by the jobs process: the database, the box's health,
PBX cause codes and cost/talk-time thresholds, each check on its own state (appliance/alerts/state.py)."""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from pathlib import Path

from appliance import config, health
from appliance.alerts import central_sync as alert_sync
from appliance.alerts import codes as alert_codes
from appliance.alerts import conditions as alert_health
from appliance.alerts import customers as alert_customers
from appliance.alerts import thresholds as alert_thresholds
from appliance.alerts import texts
from appliance.alerts.state import ENGLISH, Action, Readers, Send, commit, notices, said, send
from appliance.delivery import mail, mail_text
from appliance.snmp import traps
from appliance.store import db

log = logging.getLogger(__name__)
DB_STATE_FILE = "alerts-db.json"   # the database condition's state: kept outside the database it is about
_running = threading.Lock()        # one pass at a time in a process (huey runs periodic tasks on 2 threads)


def _db_condition(cfg_alerts, data_dir: Path, h, now: int, sender: Send, direct: Send | None = None,
                  readers: Readers = ENGLISH) -> bool:
    """The database condition, its state in a file beside the database: True when the database is usable.

    Its e-mail and trap go through the outbox like every alert; when they cannot be queued (the outbox is in
    the damaged file), `direct` sends them now instead (SMTP, SNMP), each once (its key kept in the state
    file); what fails both ways is retried at the next pass."""
    path = Path(data_dir) / DB_STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {"raised": False, "sent": True, "since": 0}
    bad = not h.db_ok
    if bad != state["raised"]:
        state = {"raised": bad, "sent": False, "since": now if bad else state["since"]}
    if bad and state.get("detail") != h.db_error:   # what `callbox alert status` shows (the tables may be unreadable)
        state["detail"] = h.db_error
        path.write_text(json.dumps(state), encoding="utf-8")
    if not state["sent"]:
        n = said("database", "db_error", "db_ok", 0, "db_error", "db_ok", error=h.db_error if bad else "")
        actions = notices(cfg_alerts, "db", n, bad, state["since"], readers)
        try:
            with db.atomic("IMMEDIATE"):
                commit(actions, sender)
            state["sent"] = True
        except Exception as e:   # the outbox is in the broken database: sent directly, else retried every pass
            log.error("cannot queue the database alert (%s): %s", "raise" if bad else "clear", e)
            if direct is not None:
                done = state.setdefault("direct", [])
                for action in actions:
                    if action.key not in done:
                        try:
                            direct(action)
                            done.append(action.key)
                        except Exception as e2:   # noqa: BLE001 (SMTP, SNMP, configuration: logged, retried)
                            log.error("cannot send the database alert %s directly: %s", action.kind, e2)
                state["sent"] = all(a.key in done for a in actions)
        path.write_text(json.dumps(state), encoding="utf-8")
    return not bad


def send_now(cfg: config.Config, data_dir: Path) -> Send:
    """Send an alert action at once, without the outbox: the e-mail over SMTP, the trap to every manager."""
    def send(action: Action) -> None:
        if action.kind == "email":
            mail.deliver(cfg, data_dir, {"to": list(action.to), "subject": action.subject, "body": action.body,
                                         "attachments": [], "msgid": uuid.uuid4().hex})
        elif action.kind == "trap":
            traps.send_trap(cfg, action.trap, action.values, data_dir=data_dir)
    return send


def db_alert(data_dir: Path) -> dict | None:
    """The database condition when it is raised, in the shape of state.raised()'s rows, else None."""
    try:
        state = json.loads((Path(data_dir) / DB_STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not state.get("raised"):
        return None
    return {"key": "db", "since_utc": int(state.get("since") or 0),
            "detail": f"database error: {state.get('detail') or 'see the log'}", "value": 0,
            "words": texts.encode("db_error", {"error": state.get("detail") or "see the log"})}


def evaluate(cfg: config.Config, data_dir: Path, now: float | None = None, sender: Send | None = None) -> int:
    """One alert pass: data flow, links, parse failures, journal/flash, database, cause codes, thresholds.

    Returns the number of e-mails and traps queued. The store's database must be open for writing. A check
    that fails is logged and the others still run; the next pass retries it."""
    if not _running.acquire(blocking=False):
        log.warning("alert pass skipped: the previous one is still running")
        return 0
    try:
        return _evaluate(cfg, Path(data_dir), now, sender or send)
    finally:
        _running.release()


def _readers(cfg: config.Config, data_dir: Path, h) -> Readers:
    """This pass's e-mail languages: [mail] language, and the recipients' own read from the directory and the web
    accounts when the database is usable (a damaged one's alert goes out in [mail] language to all)."""
    readers = Readers(mail_text.language("", cfg.section("mail").language))
    if not h.db_ok:
        return readers
    try:
        return Readers(readers.language, alert_thresholds.address_languages(Path(data_dir)))
    except Exception:
        log.exception("alert e-mails: the recipients' languages could not be read; [mail] language for all")
        return readers


def _evaluate(cfg: config.Config, data_dir: Path, now: float | None, sender: Send) -> int:
    t = int(time.time() if now is None else now)
    settings = cfg.section("alerts")
    if health.integrity_due(data_dir, t, settings.db_check_min * 60):
        health.record_integrity(data_dir, t)   # the whole file: damage beyond the snapshot's probes
    h = health.snapshot(Path(data_dir), cfg, t)
    queued = 0
    readers = _readers(cfg, data_dir, h)
    if not _db_condition(settings, data_dir, h, t, sender, send_now(cfg, data_dir) if sender is send else None,
                         readers):
        return queued
    checks = (("health", lambda: alert_health.check(cfg, settings, Path(data_dir), h, t, sender, readers)),
              ("codes", lambda: alert_codes.check(cfg, settings, Path(data_dir), t, sender, readers)),
              ("thresholds", lambda: alert_thresholds.check(cfg, Path(data_dir), t, sender)),
              ("sync", lambda: alert_sync.check(cfg, settings, Path(data_dir), t, sender, readers)),
              ("customers", lambda: alert_customers.check(cfg, settings, t, sender, readers)))
    for name, run in checks:
        try:
            queued += run()
        except Exception:
            log.exception("alert check %s failed (retried in the next pass)", name)
    return queued
