"""The baud-rate scan, run by the capture process for the PBX wizard (issue 19).

Capture owns the PBX link and is the only process allowed to open serial ports (on the appliance the web's unit has
PrivateDevices=yes). The web asks through two small files in the data's run/ directory (a tmpfs on the box): it
writes run/baudscan-request.json ({"id", "device", "window_s", "asked"}); capture's scan thread, which looks at it
every POLL_S whether capture reads a link or waits for one, takes it, scans the port (appliance.capture.baudscan) and
writes run/baudscan-answer.json ({"id", "device", "results"} or {"id", "error"}), which the web reads and removes.
A request older than STALE_S (capture was stopped when it was made) is dropped unanswered. The same thread lists the
serial ports for the wizard (appliance.capture.serialports: run/serial-ports.json)."""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from pathlib import Path

from appliance import files
from appliance.capture import baudscan, serialports
from appliance.capture.transports import LinkDown, parse_url

log = logging.getLogger(__name__)
REQUEST = "baudscan-request.json"
ANSWER = "baudscan-answer.json"
POLL_S = 0.3
STALE_S = 60.0
MARGIN_S = 10.0       # what the web waits beyond the scan's own time (capture's poll, opening the port)


class NoAnswer(RuntimeError):
    """Capture did not answer in time (not running, or restarting)."""


def _write(path: Path, value: dict) -> None:
    files.replace(path, json.dumps(value), durable=False)     # run/: a RAM disk on the box


_read = files.read_json_object


def ask(run_dir: Path, device: str, window_s: float, poll_s: float = 0.1, timeout_s: float | None = None,
        rates: tuple[int, ...] = baudscan.RATES) -> dict:
    """The web's side: ask capture to scan `device` (window_s a rate) and wait for its answer: {"device",
    "results"} or {"error"}. NoAnswer when none comes within the scan's time plus MARGIN_S (or `timeout_s`)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    ident = uuid.uuid4().hex
    answer_path, request_path = run_dir / ANSWER, run_dir / REQUEST
    answer_path.unlink(missing_ok=True)
    _write(request_path, {"id": ident, "device": device, "window_s": window_s, "asked": time.time()})
    limit = timeout_s if timeout_s is not None else len(rates) * window_s + MARGIN_S
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        answer = _read(answer_path)
        if answer is not None and answer.get("id") == ident:
            answer_path.unlink(missing_ok=True)
            answer.pop("id", None)
            return answer
        time.sleep(poll_s)
    current = _read(request_path)
    if current is not None and current.get("id") == ident:       # never taken: capture is not running
        request_path.unlink(missing_ok=True)
    raise NoAnswer(f"capture did not answer the scan of {device} within {limit:.0f} s")


def same_port(url: str, device: str) -> bool:
    """Whether the link of `url` (a [capture] url, may be empty) is the serial port `device`."""
    try:
        target = parse_url(url) if url else None
    except ValueError:
        return False
    return target is not None and target.kind == "serial" and Path(target.path).resolve() == Path(device).resolve()


def answer_one(run_dir: Path, busy: Callable[[str], bool] = lambda device: False,
               scan: Callable[..., list[dict]] = baudscan.scan) -> bool:
    """Capture's side, once: take a waiting request, scan, write the answer. True when one was answered.
    `busy(device)`: capture reads that port itself (the scan would steal its bytes), answered with an error."""
    run_dir = Path(run_dir)
    request_path = run_dir / REQUEST
    request = _read(request_path)
    if request is None:
        return False
    request_path.unlink(missing_ok=True)
    if time.time() - float(request.get("asked", 0)) > STALE_S:
        log.warning("baud scan of %s asked %.0f s ago: dropped", request.get("device"),
                    time.time() - float(request.get("asked", 0)))
        return False
    device, ident = str(request.get("device", "")), request.get("id")
    answer: dict[str, Any]
    try:
        window_s = float(request.get("window_s", baudscan.WINDOW_S))
        if busy(device):
            answer = {"error": "busy"}
        else:
            answer = {"device": device, "results": scan(device, window_s=window_s)}
    except (LinkDown, ValueError) as e:
        answer = {"error": str(e)}
    _write(run_dir / ANSWER, {"id": ident, **answer})
    log.info("baud scan of %s answered: %s", device, answer.get("error") or f"best {answer['results'][0]['baud']}")
    return True


def serve(run_dir: Path, stop: threading.Event, busy: Callable[[str], bool] = lambda device: False,
          poll_s: float = POLL_S, ports: serialports.Refresher | None = None,
          ports_every_s: float = serialports.REFRESH_S) -> threading.Thread:
    """Capture's scan thread: answers requests until `stop` is set, and keeps run/serial-ports.json (the serial
    ports capture sees, for the wizard's list) up to date every `ports_every_s`."""
    ports = ports or serialports.Refresher(run_dir)

    def refresh() -> None:
        try:
            ports.refresh()
        except OSError as e:
            log.error("serial ports list: %s", e)

    def loop() -> None:
        refresh()
        listed = time.monotonic()
        while not stop.wait(poll_s):
            try:
                answer_one(run_dir, busy)
            except OSError as e:           # run/ unwritable: say so, keep capturing
                log.error("baud scan: %s", e)
            if time.monotonic() - listed >= ports_every_s:
                refresh()
                listed = time.monotonic()
    thread = threading.Thread(target=loop, name="baud-scan", daemon=True)
    thread.start()
    return thread
