"""The worker process: parse what capture journaled, store it, prune the journal; and re-processing."""
from __future__ import annotations

import fcntl
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from appliance import journal, parse, registry, rollup, store
from appliance.config import Config, ConfigError, parse_tenant_map

log = logging.getLogger(__name__)
PRUNE_EVERY_S = 600


@dataclass(frozen=True)
class Paths:
    """Where a data directory keeps each thing."""
    data: Path

    @property
    def journal(self) -> Path:
        return self.data / "journal"

    @property
    def db(self) -> Path:
        return self.data / "callbox.db"

    @property
    def run(self) -> Path:
        return self.data / "run"


@contextmanager
def parse_lock(paths: Paths):
    """One processor at a time per data directory (worker batches, import, reprocess)."""
    paths.run.mkdir(parents=True, exist_ok=True)
    with open(paths.run / "parse.lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def driver_parser(cfg: Config, driver_name: str | None = None) -> tuple[ModuleType, Any, Any]:
    """(driver module, its parser, the [pbx] settings) for the configured driver or the one named.

    The options in [pbx] belong to the configured driver; another driver named here gets its defaults."""
    configured = cfg.raw_section("pbx").get("driver", "")
    name = driver_name or configured
    if not name:
        raise ConfigError(f"{cfg.name}: [pbx] driver is not set (known: {', '.join(registry.names())})")
    module = registry.load(name)
    own = name == configured
    declared = module.OPTIONS if own else registry.load(configured).OPTIONS if configured in registry.names() else {}
    pbx = cfg.section("pbx", extra=declared)
    options = {k: getattr(pbx, k) for k in module.OPTIONS} if own else {}
    try:
        return module, module.make_parser(**options), pbx
    except ValueError as e:
        raise ConfigError(f"{cfg.name}: [pbx] {e}") from None


def build_processor(cfg: Config, driver_name: str | None = None) -> parse.Processor:
    """A Processor for the configured (or given) driver; the database must be open."""
    module, parser, pbx = driver_parser(cfg, driver_name)
    try:
        tz = parse.zone(pbx.timezone)
    except ValueError as e:
        raise ConfigError(f"{cfg.name}: [pbx] {e}") from None
    tenant_map = parse_tenant_map(pbx.tenant_by_source, f"{cfg.name}: [pbx] tenant_by_source")
    from appliance import pricing   # numbers and tariffs: only the worker needs them
    return parse.Processor(module.__name__.rpartition(".")[2], parser, module.ENCODING, tz,
                           int(pbx.group_window_h * 3600), getattr(module, "LEGS_ARE_SEGMENTS", False),
                           pricing.build(cfg, tz), tenant_map, pbx.tenant)


class Worker:
    """Polls the journal and stores what it finds, batch by batch, until stopped."""

    def __init__(self, paths: Paths, cfg: Config, driver_name: str | None = None):
        self.paths = paths
        self.settings = cfg.section("worker")
        self.jset = cfg.section("journal")
        store.open_db(paths.db)
        self.cfg = cfg
        self.processor = build_processor(cfg, driver_name)
        self.data_version = self._data_version()

    @staticmethod
    def _data_version() -> int:
        return store.db.execute_sql("PRAGMA data_version").fetchone()[0]

    def step(self) -> int:
        """Process one batch; returns the number of journal entries it consumed."""
        with parse_lock(self.paths):
            version = self._data_version()
            if version != self.data_version:   # another process wrote (reprocess, a tariff import): re-read
                self.processor.reload()
                if self.processor.pricer is not None or self.cfg.section("numbers").country:
                    from appliance import pricing
                    self.processor.pricer = pricing.build(self.cfg, self.processor.local_time.tz)
            n = parse.parse_pending(self.paths.journal, self.processor, self.settings.batch_lines)
            if not n:   # drained: bring a few dirty days of the report roll-ups up to date
                rollup.refresh_some()
            self.data_version = self._data_version()
        return n

    def prune(self) -> None:
        journal.prune(self.paths.journal, parse.cursor(), self.jset.retain_days * 86400,
                      self.jset.retain_mb << 20)

    def run(self, stop: threading.Event) -> None:
        last_prune, failing = 0.0, False
        while not stop.is_set():
            try:
                n = self.step()
                if failing:
                    log.info("database writable again; catching up")
                failing = False
            except Exception as e:   # locked, slow or failing DB: capture keeps journaling, we retry
                if not failing:
                    log.error("cannot store parsed calls (%s: %s); retrying, the journal keeps every line",
                              type(e).__name__, e)
                failing, n = True, 0
                stop.wait(1.0)
            if time.monotonic() - last_prune > PRUNE_EVERY_S:
                last_prune = time.monotonic()
                self.prune()
            if n < self.settings.batch_lines:
                stop.wait(self.settings.poll_ms / 1000)


def process_all(paths: Paths, processor: parse.Processor, batch: int = 5000) -> int:
    """Process every pending journal entry now (import); returns the count."""
    total = 0
    with parse_lock(paths):
        processor.reload()
        while n := parse.parse_pending(paths.journal, processor, batch):
            total += n
    return total
