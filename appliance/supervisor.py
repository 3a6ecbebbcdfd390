"""`callbox run`: start the appliance's processes, restart one that dies, stop them all on Ctrl-C.

`callbox run` checks the configuration, then becomes this module (os.execv): the process that stays up all the
time holds only what it needs (a few MB), not the whole `callbox` command. The SNMP trap module, which needs the
store, is loaded only when there is a restart to report.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from appliance import logs
from appliance.paths import data_dir_of, keep_private, mark_started, mark_stopped

log = logging.getLogger(__name__)
BACKOFF_MAX_S = 30.0
HEALTHY_AFTER_S = 60.0   # a child that ran this long gets its backoff reset
STOP_GRACE_S = 10.0
# A child whose configuration file changed exits with this code (appliance.procs.watch_config) to be started again at
# once: no backoff, no restart trap. systemd's Restart=always does the same for the units.
RELOAD = 75


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    started: float = 0.0
    backoff: float = 1.0
    due: float = 0.0
    restarts: int = field(default=0)

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, env={**os.environ, "CALLBOX_SUPERVISED": "1"})
        self.started = time.monotonic()
        log.info("started %s (pid %d)", self.name, self.proc.pid)


class Supervisor:
    """Keeps every child running until stop() or a signal."""

    def __init__(self, children: list[tuple[str, list[str]]]):
        self.children = [Child(name, argv) for name, argv in children]
        self.stopping = False
        self.data_dir = next((d for c in self.children if (d := data_dir_of(c.argv))), None)

    def _on_signal(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        if mark_started(self.data_dir, "callbox"):   # the last `callbox run` did not stop cleanly
            _queue_restart(self.data_dir, "callbox", "callbox started after an unclean stop (crash, kill or "
                           "power loss)")
        for child in self.children:
            child.start()
        while not self.stopping:
            self._check()
            time.sleep(0.2)
        return self._stop_all()

    def _check(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.proc is None:
                if now >= child.due:
                    child.start()
                continue
            rc = child.proc.poll()
            if rc is None:
                continue
            if rc == RELOAD and not self.stopping:
                log.info("%s exited to read its changed configuration; starting it again", child.name)
                child.start()
                continue
            if now - child.started > HEALTHY_AFTER_S:
                child.backoff = 1.0
            log.error("%s exited with code %s; restarting in %.0f s", child.name, rc, child.backoff)
            child.proc, child.due = None, now + child.backoff
            child.backoff = min(child.backoff * 2, BACKOFF_MAX_S)
            child.restarts += 1
            _queue_restart(self.data_dir, child.name, f"{child.name} exited with code {rc}; restarted by "
                           "the supervisor", rc)

    def _stop_all(self) -> int:
        running = [(c.name, c.proc) for c in self.children if c.proc is not None and c.proc.poll() is None]
        for _, proc in running:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for name, proc in running:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("%s did not stop in %.0f s; killing it", name, STOP_GRACE_S)
                proc.kill()
                proc.wait()
        mark_stopped(self.data_dir, "callbox")
        log.info("stopped")
        return 0


def _queue_restart(data_dir: Path | None, process: str, text: str, exit_code: int | None = None) -> None:
    from appliance.snmp import traps   # late: the store and the outbox, only when a restart is to be reported
    traps.queue_restart(data_dir, process, text, exit_code)


def python_module(module: str, *args: str) -> list[str]:
    """argv running `python -m module args` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def become(data: Path, children: list[tuple[str, list[str]]]) -> None:
    """Replace this process (the `callbox` command, which imported everything) with the supervisor of `children`;
    the pid stays, so Ctrl-C and SIGTERM reach the supervisor. Does not return."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, python_module(__name__, "--data", str(data), json.dumps(children)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m appliance.supervisor", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="data directory (its log/run.log)")
    parser.add_argument("children", help='JSON list of [name, argv] (what `callbox run` passes)')
    args = parser.parse_args(argv)
    keep_private(args.data)
    logs.setup(args.data, "run", "INFO")
    return Supervisor([(name, list(child)) for name, child in json.loads(args.children)]).run()


if __name__ == "__main__":
    sys.exit(main())
