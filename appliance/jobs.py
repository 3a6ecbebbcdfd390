"""Background jobs: the huey instance on <data>/huey.db and thin task wrappers around stage functions."""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from huey import SqliteHuey
from huey.consumer import Consumer

from appliance import config
from appliance.alerts import check
from appliance.delivery import invoice_mail, outbox, schedules
from appliance.directory.sync import SyncReport, sync_once
from appliance.messages import rules as message_rules

log = logging.getLogger(__name__)
FILE_NAME = "huey.db"
# STACK.md §3: thread workers; max_delay 0.5 s so a task enqueued by the web UI waits at most that long.
# SIGTERM (systemd, `callbox run`) is the graceful signal: a running task may finish within SHUTDOWN_S,
# which stays under the supervisor's 10 s grace; SIGINT stops at once.
WORKERS = 2
MAX_DELAY_S = 0.5
SHUTDOWN_S = 5.0

huey: SqliteHuey | None = None          # the instance configure() built last
sync_directory: Callable | None = None  # its periodic directory sync; None when [directory] sync_every_min = 0
deliver_outbox: Callable | None = None      # the outbox's delivery, every minute
deliver_outbox_now: Callable | None = None  # the same, as a task outbox.enqueue queues right away
evaluate_alerts: Callable | None = None     # the alert pass (appliance/alerts/check.py), every minute
run_schedules: Callable | None = None       # due report schedules (appliance/delivery/schedules.py), every minute
run_message_rules: Callable | None = None   # the customer-message rules (appliance/messages/rules.py), every minute
run_invoices: Callable | None = None        # the monthly invoice run when due (appliance/delivery/invoice_mail.py)


def configure(data_dir: Path, cfg: config.Config, immediate: bool = False) -> SqliteHuey:
    """Build the huey instance on <data_dir>/huey.db and register the tasks, with their schedules from `cfg`.

    A function rather than a module-level instance: the data directory and the schedules are known only at
    process start, SqliteHuey opens its file when constructed, and huey has no deferred initialisation.
    immediate=True (tests) runs each task when called, on memory storage, and creates no file."""
    global huey, sync_directory
    h = SqliteHuey("callbox", filename=str(Path(data_dir) / FILE_NAME), immediate=immediate)
    every = cfg.section("directory").sync_every_min
    sync_directory = _register_sync(h, cfg, every) if every else None
    _register_outbox(h, Path(data_dir), cfg)
    _register_alerts(h, Path(data_dir), cfg)
    _register_schedules(h, Path(data_dir), cfg)
    _register_messages(h, Path(data_dir), cfg)
    _register_invoices(h, Path(data_dir), cfg)
    huey = h
    return h


def create_consumer(h: SqliteHuey) -> Consumer:
    """huey's consumer with the appliance's options; consumer.run() installs its own signal handlers."""
    return h.create_consumer(workers=WORKERS, worker_type="thread", max_delay=MAX_DELAY_S,
                             graceful_signal="TERM", shutdown_timeout=SHUTDOWN_S)


def every_minutes(n: int) -> Callable[[datetime], bool]:
    """A periodic-task schedule: due when the minutes since the epoch (UTC) divide by n.

    huey checks every periodic task at consumer start and then once a minute, passing naive UTC times."""
    def due(at: datetime) -> bool:
        return int(at.replace(tzinfo=timezone.utc).timestamp()) // 60 % n == 0
    return due


def _register_sync(h: SqliteHuey, cfg: config.Config, every: int) -> Callable:
    # No huey retries: the next period is the retry, and sync_once has stored the failed run's report.
    @h.periodic_task(every_minutes(every), name="sync_directory")
    def sync_directory() -> None:
        run_directory_sync(cfg)
    return sync_directory


def _register_outbox(h: SqliteHuey, data_dir: Path, cfg: config.Config) -> None:
    # No huey retries: the outbox keeps each item's attempts and backoff itself (appliance/outbox.py).
    global deliver_outbox, deliver_outbox_now

    @h.periodic_task(every_minutes(1), name="deliver_outbox")
    def deliver_outbox() -> tuple[int, int]:
        return outbox.deliver_due(cfg, data_dir)

    @h.task(name="deliver_outbox_now")
    def deliver_outbox_now() -> tuple[int, int]:
        return outbox.deliver_due(cfg, data_dir)

    # an enqueue in this process asks the consumer to deliver at once; immediate (tests): the minute's pass does
    outbox.wake_with(None if h.immediate else deliver_outbox_now)


def _register_alerts(h: SqliteHuey, data_dir: Path, cfg: config.Config) -> None:
    # No huey retries: the next minute's pass is the retry (the alert state tables make passes idempotent).
    global evaluate_alerts

    @h.periodic_task(every_minutes(1), name="evaluate_alerts")
    def evaluate_alerts() -> int:
        return check.evaluate(cfg, data_dir)


def _register_schedules(h: SqliteHuey, data_dir: Path, cfg: config.Config) -> None:
    # No huey retries: each schedule's next run is claimed before it runs, and a re-run of a period is a no-op.
    global run_schedules

    @h.periodic_task(every_minutes(1), name="run_schedules")
    def run_schedules() -> int:
        return len(schedules.check_due(cfg, data_dir))


def _register_messages(h: SqliteHuey, data_dir: Path, cfg: config.Config) -> None:
    # No huey retries: each message is queued once by its unique ref, so the next minute's run is the retry.
    global run_message_rules

    @h.periodic_task(every_minutes(1), name="run_message_rules")
    def run_message_rules() -> dict[str, int]:
        return message_rules.run(cfg, data_dir)


def _register_invoices(h: SqliteHuey, data_dir: Path, cfg: config.Config) -> None:
    # No huey retries: a month is claimed once (InvoiceRun); a pass before the day and time does nothing.
    global run_invoices

    @h.periodic_task(every_minutes(1), name="run_invoices")
    def run_invoices() -> dict | None:
        return invoice_mail.check(cfg, data_dir)


def run_directory_sync(cfg: config.Config) -> SyncReport | None:
    """The periodic directory sync (DIR-4): sync_once when a source is configured, its summary logged.

    Returns the SyncReport, or None when there is no source or the configuration is wrong. A failing source
    is logged as an error (the stored report lists it) and never raised. The store's database must be open."""
    if not (cfg.section("directory").csv or cfg.section("ldap").url):
        log.debug("directory sync skipped: no source ([directory] csv, [ldap] url)")
        return None
    try:
        report = sync_once(cfg)
    except config.ConfigError as e:
        log.error("directory sync not run: %s", e)
        return None
    failed = [p.message for p in report.problems if p.kind == "source_error"]
    if failed:
        log.error("directory sync failed, nothing changed (next try in the next period): %s", "; ".join(failed))
    else:
        log.info("directory sync: %s", summary(report))
    return report


def summary(report: SyncReport) -> str:
    """One line: people read per source, changes and problems counted by kind."""
    def counted(items) -> str:
        kinds = Counter(i.kind for i in items)
        return f"{len(items)}" + (f" ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})" if kinds else "")
    read = ", ".join(f"{s} {n} people" for s, n in report.sources.items()) or "no source read"
    return f"{read}; changes {counted(report.changes)}; problems {counted(report.problems)}"
