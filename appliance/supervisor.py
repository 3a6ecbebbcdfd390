"""`callbox run`: start the appliance's processes, restart one that dies, stop them all on Ctrl-C."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from appliance.snmp import traps as snmp

log = logging.getLogger(__name__)
BACKOFF_MAX_S = 30.0
HEALTHY_AFTER_S = 60.0   # a child that ran this long gets its backoff reset
STOP_GRACE_S = 10.0


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
        self.data_dir = next((d for c in self.children if (d := snmp.data_dir_of(c.argv))), None)

    def _on_signal(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        if snmp.mark_started(self.data_dir, "callbox"):   # the last `callbox run` did not stop cleanly
            snmp.queue_restart(self.data_dir, "callbox", "callbox started after an unclean stop (crash, kill or "
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
            if now - child.started > HEALTHY_AFTER_S:
                child.backoff = 1.0
            log.error("%s exited with code %s; restarting in %.0f s", child.name, rc, child.backoff)
            child.proc, child.due = None, now + child.backoff
            child.backoff = min(child.backoff * 2, BACKOFF_MAX_S)
            child.restarts += 1
            snmp.queue_restart(self.data_dir, child.name, f"{child.name} exited with code {rc}; restarted by "
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
        snmp.mark_stopped(self.data_dir, "callbox")
        log.info("stopped")
        return 0


def python_module(module: str, *args: str) -> list[str]:
    """argv running `python -m module args` with this interpreter."""
    return [sys.executable, "-m", module, *args]
