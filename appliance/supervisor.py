"""`callbox run`: start the appliance's processes, restart one that dies, stop them all on Ctrl-C."""
from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

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
        self.proc = subprocess.Popen(self.argv)
        self.started = time.monotonic()
        log.info("started %s (pid %d)", self.name, self.proc.pid)


class Supervisor:
    """Keeps every child running until stop() or a signal."""

    def __init__(self, children: list[tuple[str, list[str]]]):
        self.children = [Child(name, argv) for name, argv in children]
        self.stopping = False

    def _on_signal(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
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
        log.info("stopped")
        return 0


def python_module(module: str, *args: str) -> list[str]:
    """argv running `python -m module args` with this interpreter."""
    return [sys.executable, "-m", module, *args]
