"""Entry points of the appliance's long-running processes: capture, worker and jobs (the web is `python -m webui`).

Each reads its own config sections once at start-up, stops cleanly on SIGTERM or SIGINT, and exits
non-zero on a configuration error so the supervisor (or systemd) shows why.

Each process imports the stages it runs inside its own entry point, not here: the capture process must not load
the store, the tariffs and numbering data, or huey only because the worker and jobs processes need them.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from appliance import config, logs, reload
from appliance.paths import Paths, keep_private, mark_started, mark_stopped
from appliance.registry import driver_parser
from appliance.supervisor import RELOAD

log = logging.getLogger(__name__)


def common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("var"), help="data directory (default ./var)")
    parser.add_argument("--config", type=Path, help="INI file (default <data>/callbox.ini, else built-in defaults)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override one configuration value")


def load_config(args: argparse.Namespace) -> config.Config:
    """The configuration with --set overrides applied; a bad --set is a ConfigError."""
    cfg = config.load(args.config, args.data)
    for item in args.set:
        key, sep, value = item.partition("=")
        section, dot, name = key.partition(".")
        if not (sep and dot and section and name):
            raise config.ConfigError(f"--set {item!r}: expected SECTION.KEY=VALUE")
        cfg.set(section, name, value)
    return cfg


def _stop_event() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


WATCH_S = 1.0


def config_path(args: argparse.Namespace) -> Path:
    """The INI file a process reads: --config, else <data>/callbox.ini (which may not exist yet)."""
    return Path(args.config) if args.config else Path(args.data) / "callbox.ini"


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def watch_config(path: Path, stop: threading.Event, process: str | None = None) -> threading.Event:
    """Watch `path` (a stat every WATCH_S): when it changes, appears or goes, set the returned event and `stop`.

    With `process`, only a change to the settings that process reads counts (appliance.reload): a new [mail] host
    does not restart capture. A change of reload.restart_request(path) (a restore) always counts."""
    request = reload.restart_request(path)
    changed, first, asked = threading.Event(), _stamp(path), _stamp(request)
    seen = reload.fingerprint(path, process) if process else None

    def loop() -> None:
        nonlocal first
        while not stop.wait(WATCH_S):
            now = _stamp(path)
            if now == first and _stamp(request) == asked:
                continue
            first = now
            if _stamp(request) != asked:
                log.info("%s: a restart was asked for (a restore): restarting", request)
            elif process and seen is not None and reload.fingerprint(path, process) == seen:
                log.info("%s changed, not in what %s reads: carrying on", path, process)
                continue
            log.info("%s changed: restarting to read it", path)
            changed.set()
            stop.set()
            return
    threading.Thread(target=loop, name="config-watch", daemon=True).start()
    log.info("watching %s for changes%s", path, f" to what {process} reads" if process else "")
    return changed


def _wait_for_config(process: str, why: str, args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Nothing to do until the configuration changes (no PBX link, no driver chosen yet): wait, then RELOAD (0 when
    stopped). Capture and the worker wait so on a new box instead of failing and being restarted every 30 s."""
    log.warning("%s: %s; waiting for the configuration to change (the PBX wizard, /setup/pbx)", process, why)
    stop = stop or _stop_event()
    changed = watch_config(config_path(args), stop, process)
    stop.wait()
    return RELOAD if changed.is_set() else 0


SUPERVISED = "CALLBOX_SUPERVISED"   # set by `callbox run` for its children: it reports their restarts itself


@contextlib.contextmanager
def _restart_report(paths: Paths, process: str):
    """Under systemd, a process that starts after an unclean end (crash, kill, power cut) queues the
    service_restarted trap; a clean return marks the end as clean."""
    from appliance.snmp import traps as snmp   # late: it needs the store (the outbox), only when it reports
    if os.environ.get(SUPERVISED):
        yield
        return
    if mark_started(paths.data, process):
        snmp.queue_restart(paths.data, process, f"{process} started after an unclean exit")
    yield
    mark_stopped(paths.data, process)


def _setup(process: str, argv: list[str] | None) -> tuple[Paths, config.Config]:
    return _setup_args(process, argv)[:2]


def _setup_args(process: str, argv: list[str] | None) -> tuple[Paths, config.Config, argparse.Namespace]:
    parser = argparse.ArgumentParser(prog=f"callbox-{process}")
    common_args(parser)
    args = parser.parse_args(argv)
    keep_private(args.data)
    cfg = load_config(args)
    lg = cfg.section("log")
    driver, url = cfg.raw_section("pbx").get("driver", ""), cfg.raw_section("capture").get("url", "")
    logs.setup(args.data, process, lg.level, lg.max_kb, lg.backups, summary=f"driver={driver} url={url}")
    return Paths(args.data), cfg, args


def capture_family(cfg: config.Config) -> dict:
    """The configured driver's framing and handshake, as capture.run keyword arguments.

    Capture never imports a driver by name: the registry loads the one in [pbx] driver, whose FRAMING and
    handshake (registry.Driver) say how to cut its bytes and how to log in, given that driver's [pbx]
    options. No driver configured: lines, no handshake."""
    if not cfg.raw_section("pbx").get("driver", ""):
        return {}
    driver, _, pbx = driver_parser(cfg)   # also checks the driver's options: a bad one stops us here
    family: dict = {"framing": driver.FRAMING}
    if driver.handshake is not None:
        try:
            family["handshake"] = list(driver.handshake({k: getattr(pbx, k) for k in driver.OPTIONS}))
        except ValueError as e:
            raise config.ConfigError(f"{cfg.name}: [pbx] {e}") from None
    return family


def capture_main(argv: list[str] | None = None) -> int:
    """The capture process: PBX link -> journal, nothing else."""
    from appliance.capture import links as capture   # late: see the module docstring
    from appliance.capture import scanservice
    from appliance.journal import JournalWriter
    try:
        paths, cfg, args = _setup_args("capture", argv)
        cap, jset = cfg.section("capture"), cfg.section("journal")
        stop = _stop_event()
        # the PBX wizard's baud-rate scans: capture alone opens serial ports (the web's unit has no devices)
        scanservice.serve(paths.run, stop, busy=lambda device: scanservice.same_port(cap.url, device))
        if not cap.url:
            return _wait_for_config("capture", f"{cfg.name}: [capture] url is not set", args, stop)
        family = capture_family(cfg)
        capture.check_family(family.get("framing", "lines"), family.get("handshake", ()))
        try:
            capture.parse_allow(cap.allow)
        except ValueError as e:
            raise config.ConfigError(f"{cfg.name}: {e}") from None
        changed = watch_config(config_path(args), stop, "capture")
        writer = JournalWriter(paths.journal, fsync_interval=jset.fsync_interval_ms / 1000,
                               segment_bytes=jset.segment_mb << 20)
    except (config.ConfigError, ValueError, RuntimeError) as e:
        print(f"callbox-capture: {e}", file=sys.stderr)
        return 2
    try:
        with _restart_report(paths, "capture"):
            capture.run(cap.url, writer, stop, reconnect_min_s=cap.reconnect_min_s,
                        reconnect_max_s=cap.reconnect_max_s, idle_flush_s=cap.idle_flush_s,
                        allow=cap.allow, max_connections=cap.max_connections,
                        max_per_source=cap.max_per_source, idle_drop_s=cap.idle_drop_s,
                        status_path=paths.run / "capture.json", **family)
    finally:
        writer.close()
    return RELOAD if changed.is_set() else 0


def worker_main(argv: list[str] | None = None) -> int:
    """The worker process: journal -> driver -> SQLite."""
    from appliance.ingest import driver_change   # late: see the module docstring
    from appliance.ingest.worker import Worker
    try:
        paths, cfg, args = _setup_args("worker", argv)
        if not cfg.raw_section("pbx").get("driver", ""):   # capture journals everything; parsed once one is chosen
            from appliance import store   # late: see the module docstring
            store.open_db(paths.db)      # the database exists (migrated) for the web while we wait
            store.close_db()
            return _wait_for_config("worker", f"{cfg.name}: [pbx] driver is not chosen", args)
        stop = _stop_event()
        changed = watch_config(config_path(args), stop, "worker")
        worker = Worker(paths, cfg)
    except (config.ConfigError, ValueError) as e:
        print(f"callbox-worker: {e}", file=sys.stderr)
        return 2
    with _restart_report(paths, "worker"):
        driver_change.apply_pending(paths, worker.processor)   # the PBX wizard changed the driver: parse again
        worker.run(stop)
    return RELOAD if changed.is_set() else 0


def jobs_main(argv: list[str] | None = None) -> int:
    """The background-jobs process: huey's consumer (thread workers) running appliance.jobs' tasks.

    SIGTERM lets a running task finish (at most jobs.SHUTDOWN_S), SIGINT stops at once; both exit 0. A change to
    the settings the jobs read (appliance.reload: e-mail, file servers, SNMP managers, numbering...) stops the
    consumer as SIGTERM does and exits RELOAD, to be started again with them."""
    from appliance import jobs, store   # late: see the module docstring
    from appliance.alerts.conditions import parse_hours
    try:
        paths, cfg, args = _setup_args("jobs", argv)
        for section in ("directory", "ldap", "alerts"):   # a bad value stops us here, not at the first run
            cfg.section(section)
        parse_hours(cfg.section("alerts").business_hours)
        store.open_db(paths.db, cache_kb=store.SMALL_CACHE_KB)   # a connection a huey thread (store/base.py)
        if not _open_central(store, cfg, paths.data):   # the central's silent-branch alerts read its branches
            log.error("the central's database cannot be reached now: its silent-branch alerts fail until it can")
        consumer = jobs.create_consumer(jobs.configure(paths.data, cfg))
    except (config.ConfigError, ValueError) as e:
        print(f"callbox-jobs: {e}", file=sys.stderr)
        return 2
    watching = threading.Event()
    changed = watch_config(config_path(args), watching, "jobs")

    def reload_on_change() -> None:   # stop the consumer as SIGTERM does: running tasks finish first
        if changed.wait():
            os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=reload_on_change, name="jobs-reload", daemon=True).start()
    dialer_stop, dialing = threading.Event(), None
    if cfg.section("ami").host.strip():   # the campaign dialer's loop: a thread of this process (appliance/dialer)
        from appliance.dialer import link as dialer   # late: numbering and the AMI client only on a box that dials
        dialing = dialer.start(cfg, paths.data, dialer_stop)
    try:
        with _restart_report(paths, "jobs"):
            consumer.run()   # installs its own SIGTERM/SIGINT/SIGHUP handlers (STACK.md §3)
    finally:
        watching.set()
        dialer_stop.set()
        if dialing is not None:
            dialing.join(5)
    return RELOAD if changed.is_set() else 0


def central_main(argv: list[str] | None = None) -> int:
    """The central's receiver: branch boxes' batches over HTTPS ([central] listen) -> SQLite or PostgreSQL ([central]
    database). A process of its own: a branch's slow or hostile connection never holds up this box's capture, worker
    or web."""
    from appliance import store   # late: see the module docstring
    from appliance.central import server
    from appliance.store import central_db, central_month
    try:
        paths, cfg = _setup("central", argv)
        listen = cfg.section("central").listen
        server.parse_listen(listen)
        store.open_db(paths.db)
        stop = _stop_event()
        while not _open_central(store, cfg, paths.data) and not stop.wait(CENTRAL_DB_RETRY_S):
            pass      # PostgreSQL not there yet (it starts after us, or is down): the branches keep their batches
    except (config.ConfigError, ValueError) as e:
        print(f"callbox-central: {e}", file=sys.stderr)
        return 2
    if stop.is_set():
        return 0
    with _restart_report(paths, "central"):
        with central_db.connection():   # after an upgrade to another layout, the month roll-up built again, once
            central_month.ensure(rebuild_now=True)
        server.serve(listen, paths.data, stop)
    return 0


CENTRAL_DB_RETRY_S = 5.0


def _open_central(store, cfg: config.Config, data_dir) -> bool:
    """[central] database bound (SQLite, or PostgreSQL reached); False, logged, when the PostgreSQL server cannot be
    reached now. A bad setting or password file is a ValueError (the process stops: retrying cannot help)."""
    from appliance.store.central_db import CentralDbError   # late: see the module docstring
    try:
        store.open_central_of(cfg, data_dir)
    except CentralDbError as e:
        if "expected postgresql://" in str(e) or "password_file" in str(e):
            raise
        log.error("%s: trying again in %.0f s", e, CENTRAL_DB_RETRY_S)
        return False
    return True


def sync_main(argv: list[str] | None = None) -> int:
    """The branch's sender: the calls changed since the last batch, to the central, every [sync] period_s. A process
    of its own, not a huey task: a send may wait on the network for [sync] timeout_s, huey's schedule is by the
    minute, and a link that hangs must hold up nothing else."""
    from appliance import store   # late: see the module docstring
    from appliance.sync import sender
    try:
        paths, cfg = _setup("sync", argv)
        s = cfg.section("sync")
        store.open_db(paths.db)
        stop = _stop_event()
    except (config.ConfigError, ValueError) as e:
        print(f"callbox-sync: {e}", file=sys.stderr)
        return 2
    with _restart_report(paths, "sync"):
        sender.run(paths.data, cfg.section("pbx").tenant, s.period_s, stop, s.central, s.timeout_s,
                   archive_journal=s.archive_journal)
    return 0


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    mains = {"capture": capture_main, "worker": worker_main, "jobs": jobs_main, "central": central_main,
             "sync": sync_main}
    if which not in mains:
        print("usage: python -m appliance.procs capture|worker|jobs|central|sync [--data DIR] [--config FILE] "
              "[--set S.K=V]", file=sys.stderr)
        sys.exit(2)
    # huey's consumer restarts on SIGHUP with os.execl(python, python, *sys.argv): give it the -m form we were
    # started with (run as a script, procs.py would put appliance/ first on sys.path)
    sys.argv[0:1] = ["-m", "appliance.procs"]
    sys.exit(mains[which](sys.argv[3:]))
