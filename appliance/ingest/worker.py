"""The worker process: parse what capture journaled, store it, prune the journal; and re-processing."""
from __future__ import annotations

import logging
import threading
import time

from appliance import journal, localtime, store
from appliance.callcentre import hours, journeys, kpis, opening
from appliance.config import Config, ConfigError, parse_tenant_map
from appliance.ingest import parse, rerate, stuck
from appliance.paths import Paths, parse_lock
from appliance.registry import driver_parser
from appliance.reports import rollup
from appliance.store import memory

log = logging.getLogger(__name__)
PRUNE_EVERY_S = 600
# memory given back when drained (store/memory.py): at once after a backlog (a full batch or more since the last
# time), else at most this often while lines trickle in (issue 14)
RELEASE_EVERY_S = 60


def _pricer(cfg: Config, tz, strict_plan: bool = False):
    """The pricer the worker stores calls with. A tariff plan that cannot be chosen (several stored, none
    named; the named one missing) never stops storage: calls are stored classified and unpriced, and the alert
    pass raises tariff_plan (appliance/alerts/conditions.py). `strict_plan` makes it a ConfigError instead."""
    from appliance.rating import pricing  # numbers and tariffs: only the worker needs them (phonenumbers is slow)
    pricer = pricing.build(cfg, tz, strict=strict_plan)
    if pricer is not None and pricer.problem:
        log.error("%s: calls are stored unpriced until this is fixed (then `callbox rerate`)", pricer.problem)
    return pricer


def build_processor(cfg: Config, driver_name: str | None = None, strict_plan: bool = False) -> parse.Processor:
    """A Processor for the configured (or given) driver; the database must be open. `strict_plan`: refuse
    (ConfigError) when no tariff plan can be chosen, for `callbox reprocess`, which would otherwise store again
    every call it re-derives without the price it had; the worker and `callbox import` store them unpriced."""
    driver, parser, pbx = driver_parser(cfg, driver_name)
    try:
        tz = localtime.zone(pbx.timezone)
    except ValueError as e:
        raise ConfigError(f"{cfg.name}: [pbx] {e}") from None
    tenant_map = parse_tenant_map(pbx.tenant_by_source, f"{cfg.name}: [pbx] tenant_by_source")
    return parse.Processor(driver.key, parser, driver.ENCODING, tz,
                           int(pbx.group_window_h * 3600), driver.LEGS_ARE_SEGMENTS,
                           _pricer(cfg, tz, strict_plan), tenant_map, pbx.tenant, unmapped=pbx.unmapped_tenant)


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
        self.stuck_checked = 0.0
        self.unreleased, self.released = 0, time.monotonic()   # lines stored since the last memory.release()
        self.refilling = False   # released after a backlog whose days' roll-ups are still being refreshed
        try:    # the rules the queue KPIs' roll-ups are summed with: the web's and the CLI's
            self.queue_rules = kpis.rulebook(cfg)
        except ConfigError as e:     # as the web: the default thresholds, and why
            log.error("%s: the queue KPI roll-ups use the default thresholds", e)
            self.queue_rules = kpis.RuleBook()
        try:    # the opening hours queue calls are classified by (outside them: apart from the KPIs)
            self.opening = opening.hours(cfg)
        except ConfigError as e:
            log.error("%s: every queue is taken as always open", e)
            self.opening = opening.Hours()
        self.opening_tz = self.processor.local_time.tz

    @staticmethod
    def _data_version() -> int:
        return store.db.execute_sql("PRAGMA data_version").fetchone()[0]

    def _rebuilt_pricer(self):
        """The pricer again after another process wrote (a tariff import); its problem logged only when new."""
        from appliance.rating import pricing  # as in _pricer: phonenumbers loads slowly
        old = self.processor.pricer
        pricer = pricing.build(self.cfg, self.processor.local_time.tz, strict=False)
        problem = pricer.problem if pricer is not None else ""
        if problem and problem != (old.problem if old is not None else ""):
            log.error("%s: calls are stored unpriced until this is fixed (then `callbox rerate`)", problem)
        elif old is not None and old.problem and not problem:
            log.info("tariff plan chosen again: calls are priced")
        return pricer

    def step(self) -> int:
        """Process one batch; returns the number of journal entries it consumed."""
        with parse_lock(self.paths):
            version = self._data_version()
            if version != self.data_version:   # another process wrote (reprocess, a tariff import): re-read
                self.processor.reload()
                if self.processor.pricer is not None or self.cfg.section("numbers").country:
                    self.processor.pricer = self._rebuilt_pricer()
            n = parse.parse_pending(self.paths.journal, self.processor, self.settings.batch_lines)
            if not n:   # drained: bring a few dirty days of the report roll-ups up to date
                rolling_up = rollup.refresh_some(pbx_tenant=self.cfg.section("pbx").tenant) != 0
                journeys.ensure_built()   # once, on a database upgraded from before the queue calls
                opening.classify(self.opening, self.opening_tz)   # new queue calls by the opening hours
                hours.refresh_some(self.queue_rules)   # and the queue KPIs' hour roll-ups
                self._check_stuck()
                rerate.apply_asked(self.paths.data, self.processor.pricer, self.cfg.section("pbx").tenant)
                self._release_memory(rolling_up)
            self.data_version = self._data_version()
        self.unreleased += n
        return n

    def _release_memory(self, rolling_up: bool) -> None:
        """Drained: the page cache and the allocator's free pages given back at once after a backlog and again once
        the roll-ups of its days are refreshed (they read its calls into the cache again), else now and then."""
        backlog = self.unreleased >= self.settings.batch_lines
        refreshed = self.refilling and not rolling_up
        trickle = self.unreleased and not rolling_up and time.monotonic() - self.released >= RELEASE_EVERY_S
        if not (backlog or refreshed or trickle):
            return
        self.refilling = backlog
        memory.release()
        self.unreleased, self.released = 0, time.monotonic()

    def _check_stuck(self) -> None:
        """Now and then when idle: the recent calls on analogue trunks that did not release (RAT-5)."""
        pricer = self.processor.pricer
        if pricer is None or time.monotonic() - self.stuck_checked < stuck.CHECK_EVERY_S:
            return
        self.stuck_checked = time.monotonic()
        stuck.mark_overlaps(pricer, int(time.time()) - stuck.RECENT_S, None, self.cfg.section("pbx").tenant)

    def prune(self) -> None:
        # a branch archiving its journal on its central ([sync] archive_journal, appliance/sync/archive.py) keeps
        # every segment the central has not confirmed, whatever the budget
        hold = (journal.archived_through(self.paths.journal) + 1
                if self.cfg.section("sync").archive_journal and (self.paths.data / "sync" / "central.json").exists()
                else None)
        journal.prune(self.paths.journal, parse.cursor(), self.jset.retain_days * 86400,
                      self.jset.retain_mb << 20, hold_from=hold)

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
