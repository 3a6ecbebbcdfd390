"""The dialer's AMI link in the jobs process: [ami] and [dialer] read once, a Feed of its own (the queue members'
live state says whether a progressive agent is free), and the loop's thread."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from appliance import config
from appliance.ami.client import AmiError
from appliance.ami.feed import Feed, read_settings
from appliance.dialer.campaigns import plan_of
from appliance.dialer.campaigns import read_settings as dialer_settings
from appliance.dialer.engine import Dialer

log = logging.getLogger(__name__)


def originate_with(feed: Feed):
    """An `originate(fields, timeout)` for Dialer over this feed's client: the OriginateResponse's fields."""
    def originate(fields: dict[str, str], timeout: float) -> tuple[str, str, str]:
        _response, events = feed.client.action("Originate", fields, until_event="OriginateResponse", timeout=timeout)
        ends = [e for e in events if e.event.lower() == "originateresponse"]
        if not ends:
            raise AmiError("Originate: no OriginateResponse")
        return ends[-1]["Response"], ends[-1]["Reason"], ends[-1]["Uniqueid"]
    return originate


def build(cfg: config.Config, data_dir: Path) -> tuple[Dialer, Feed] | None:
    """The loop and its link, or None (logged) when [ami] has no host: campaigns are then kept, not dialled.
    ConfigError for a bad [dialer], [ami] or [numbers] setting."""
    link, panel = read_settings(cfg, data_dir)
    if link is None:
        log.info("dialer: [ami] host is not set: campaigns are kept, no call is dialled")
        return None
    settings, plan = dialer_settings(cfg), plan_of(cfg)
    feed = Feed(link)

    def agent_busy(extension: str) -> bool:
        members = feed.state.members_of({panel.interface_of(extension)})
        return any(m.state != "ready" for m in members)

    return Dialer(settings, plan, originate_with(feed), lambda: feed.available, agent_busy), feed


def start(cfg: config.Config, data_dir: Path, stop: threading.Event) -> threading.Thread | None:
    """Start the loop in a thread (and its AMI link); it ends when `stop` is set. None when there is nothing to
    dial with, or (logged) when a setting is wrong: the jobs process's other work goes on."""
    try:
        built = build(cfg, data_dir)
    except config.ConfigError as e:
        log.error("dialer not started: %s", e)
        return None
    if built is None:
        return None
    dialer, feed = built
    feed.start()

    def run() -> None:
        try:
            dialer.run(stop)
        finally:
            feed.stop()
    thread = threading.Thread(target=run, name="dialer", daemon=True)
    thread.start()
    return thread
