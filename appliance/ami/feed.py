"""The AMI link of one process: [ami] read once into settings, a Client kept connected, and the LiveState its
events feed; resynced with QueueStatus after every login (what happened while the link was down is unknown)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from appliance import config
from appliance.ami.channels import Channels
from appliance.ami.client import READY, AmiError, AmiSettings, Client
from appliance.ami.live import LiveState
from appliance.paths import SecretFileError, read_secret

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PanelSettings:
    """What the panel needs besides the link: how an extension becomes an interface, the queues and reasons."""
    interface: str = "PJSIP/{extension}"
    queues: tuple[str, ...] = ()
    pause_reasons: tuple[str, ...] = ()

    def interface_of(self, extension: str) -> str:
        return self.interface.replace("{extension}", extension)


def _list(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def read_settings(cfg: config.Config, data_dir: Path) -> tuple[AmiSettings | None, PanelSettings]:
    """[ami] as (link settings or None when no host is set, panel settings). ConfigError naming the option when the
    secret file cannot be used."""
    sec = cfg.section("ami")
    panel = PanelSettings(sec.interface, _list(sec.queues), _list(sec.pause_reasons))
    if "{extension}" not in sec.interface:
        raise config.ConfigError(f"{cfg.name}: [ami] interface: {sec.interface!r} has no {{extension}}")
    if not sec.host.strip():
        return None, panel
    secret = ""
    if sec.secret_file:
        path = Path(sec.secret_file)
        try:
            secret = read_secret(path if path.is_absolute() else Path(data_dir) / path, "[ami] secret_file")
        except SecretFileError as e:
            raise config.ConfigError(f"{cfg.name}: {e}") from None
    return AmiSettings(sec.host.strip(), sec.port, sec.username, secret, sec.connect_timeout_s, sec.action_timeout_s,
                       sec.reconnect_min_s, sec.reconnect_max_s, sec.ping_s, sec.max_frame_kb * 1024), panel


class Feed:
    """A Client, its LiveState (queues) and Channels (every device's call: the cashier's booths). `available` is
    False (the panel says "live data unavailable") until the link is logged in and QueueStatus has told the present;
    `channels_synced` once CoreShowChannels has (a PBX that refuses it: channels from the next events on)."""

    def __init__(self, settings: AmiSettings):
        self.state = LiveState()
        self.channels = Channels()
        self.synced = threading.Event()
        self.client = Client(settings, on_event=self._event, on_ready=self._resync)

    def _event(self, msg) -> None:
        self.state.apply(msg)
        self.channels.apply(msg)

    def _resync(self) -> None:
        self.synced.clear()
        self.state.reset()
        self.channels.reset()
        try:
            self.client.action("QueueStatus", until_event="QueueStatusComplete")
        except AmiError as e:     # without the present state the panel would show a wrong one: start over
            log.warning("AMI: QueueStatus after login failed, reconnecting: %s", e)
            self.client.drop()
            return
        self.synced.set()
        try:
            self.client.action("CoreShowChannels", until_event="CoreShowChannelsComplete")
        except AmiError as e:     # an old PBX or a user without "call" read rights: live from the next events
            log.warning("AMI: CoreShowChannels after login failed (booths known from their next call): %s", e)

    @property
    def available(self) -> bool:
        return self.client.status == READY and self.synced.is_set()

    def start(self) -> "Feed":
        self.client.start()
        return self

    def stop(self) -> None:
        self.client.stop()
