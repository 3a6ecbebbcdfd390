"""Sync alerts (APP-1, APP-2): a branch that cannot reach its central, and on a central a branch gone silent.

Both raise sync_failing and clear with sync_ok (traps, and e-mails to [alerts] email), once each, through the
alert state (appliance/alerts/state.py). A branch: its sends (or, with nothing to send, its hellos) have failed for
[sync] failing_min. A central: an enrolled branch not revoked has not been heard from for [central] silent_min.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from appliance import config
from appliance.alerts.state import ENGLISH, Readers, Send, commit, said, watch
from appliance.store.base import IMMEDIATE, db
from appliance.store.sync import CentralBranch, get_state
from appliance.sync import link, outbox

log = logging.getLogger(__name__)


def _at(utc: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(utc))


def branch_link(cfg: config.Config, cfg_alerts, data_dir: Path, now: int, sender: Send,
                readers: Readers = ENGLISH) -> int:
    """This box is a branch whose link to the central keeps failing."""
    if not link.files(data_dir).enrolment.exists():
        return 0
    error = get_state("last_error")
    waiting = outbox.backlog()
    n = said("central", "central_failing", "central_ok", waiting, "sync_failing", "sync_ok", error=error,
             waiting=waiting)
    with db.atomic(IMMEDIATE):
        return commit(watch(cfg_alerts, "central_sync", bool(error), now, n,
                            hold_s=cfg.section("sync").failing_min * 60, readers=readers), sender)


def silent_branches(cfg: config.Config, cfg_alerts, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """This box is a central, and enrolled branches have not been heard from for [central] silent_min."""
    silent_s = cfg.section("central").silent_min * 60
    queued = 0
    for r in CentralBranch.select().where(CentralBranch.cert_serial != ""):
        last = r.last_seen_utc or r.created_utc
        bad = not r.revoked and now - last >= silent_s
        n = said(f"branch {r.name}", "branch_silent", "branch_ok", now - last, "sync_failing", "sync_ok", name=r.name,
                 at=_at(last))
        with db.atomic(IMMEDIATE):
            queued += commit(watch(cfg_alerts, f"central_branch:{r.name}", bad, now, n, readers=readers), sender)
    return queued


def check(cfg: config.Config, cfg_alerts, data_dir: Path, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """Both checks; the number of e-mails and traps queued."""
    return (branch_link(cfg, cfg_alerts, data_dir, now, sender, readers)
            + silent_branches(cfg, cfg_alerts, now, sender, readers))
