"""The PBX wizard's baud-rate scan: listen on a serial port at each common rate and score what arrives.

A PBX's SMDR port prints text lines. Read at the wrong rate, the same bytes arrive as framing garbage: few
printable characters, NULs and bytes above 0x7f, no line ends. Each rate is read for a short window and scored
by how much of what came looks like text lines; the best scored rate is proposed. A PBX that sends nothing in
the window (no call ended) scores 0 at every rate: the wizard then says so rather than guess.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import serial

from appliance.capture.transports import LinkDown, parse_url

log = logging.getLogger(__name__)
RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)   # what PBX SMDR ports offer; 9600 the usual
WINDOW_S = 2.0
MAX_BYTES = 16 * 1024
_TEXT = frozenset(range(0x20, 0x7f)) | {0x09, 0x0a, 0x0c, 0x0d}


def score(data: bytes) -> float:
    """How much `data` looks like PBX text lines, 0.0 to 1.0: the share of text bytes (ASCII printable, tab, line
    ends, or part of valid UTF-8), halved when no line end came at all."""
    if not data:
        return 0.0
    text = sum(1 for b in data if b in _TEXT)
    high = data.decode("utf-8", "ignore").encode("utf-8")       # valid UTF-8 (a name with accents) is text too
    text += sum(1 for b in high if b >= 0x80)
    share = min(text, len(data)) / len(data)
    return round(share if (b"\n" in data or b"\r" in data) else share / 2, 3)


def _listen(device: str, baud: int, window_s: float) -> bytes:
    got = b""
    try:
        port = serial.serial_for_url(device, baudrate=baud, timeout=0.1)
    except (serial.SerialException, OSError, ValueError) as e:
        raise LinkDown(f"cannot open {device}: {e}") from None
    try:
        deadline = time.monotonic() + window_s
        while time.monotonic() < deadline and len(got) < MAX_BYTES:
            got += port.read(port.in_waiting or 1)
    except (serial.SerialException, OSError) as e:
        raise LinkDown(f"{device}: {e}") from None
    finally:
        port.close()
    return got


def scan(url: str, rates: Sequence[int] = RATES, window_s: float = WINDOW_S,
         listen: Callable[[str, int, float], bytes] = _listen) -> list[dict]:
    """[{"baud", "bytes", "score", "sample"}] for each rate of the serial port of `url` (a /dev path or serial://),
    best score first (ties: the usual 9600 first, then the lower rate). LinkDown when the port cannot be opened;
    ValueError for a URL that is not a serial port."""
    target = parse_url(url)
    if target.kind != "serial":
        raise ValueError(f"{url}: the baud-rate scan is for serial ports")
    results = []
    for baud in rates:
        data = listen(target.path, baud, window_s)
        results.append({"baud": baud, "bytes": len(data), "score": score(data),
                        "sample": data[:160].decode("utf-8", "replace")})
        log.info("baud scan %s at %d: %d bytes, score %.2f", target.path, baud, len(data), results[-1]["score"])
    return sorted(results, key=lambda r: (-r["score"], r["baud"] != 9600, r["baud"]))
