"""Factory reset at boot (APP-3), for a box nobody can log in to: a button held at power-on, or RESET typed on its
console. `callbox factory-reset --at-boot` runs as root from callbox-reset.service before the application starts:

- the button: a GPIO line named on the kernel command line, `callbox.reset_button=CHIP:LINE` (e.g.
  `gpiochip0:17`; `CHIP:LINE:high` for a button that pulls the line up: by default a button to ground, the line
  pulled up and read active-low). Read with libgpiod's `gpioget`; held for the whole of `callbox.reset_hold=S`
  seconds (default 5) means reset. A missing tool or chip is logged and never resets.
- the console: the serial console and the screen say "type RESET and Enter within S s" (`callbox.reset_wait=S`,
  default 5; 0 turns the prompt off) and read what is typed there.

Then the same wipe as the web's and the console command's (appliance.firstboot.reset), as the owner of the data
directory (the callbox user), and the application starts on an empty box with a new setup code."""
from __future__ import annotations

import logging
import os
import select
import shlex
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from appliance.firstboot import reset

log = logging.getLogger(__name__)
CMDLINE = Path("/proc/cmdline")
CONSOLES = ("/dev/ttyS0", "/dev/tty1")    # the serial console and the screen (console=ttyS0,115200 console=tty0)
CONFIRM = "RESET"
SAMPLE_S = 0.25


@dataclass(frozen=True)
class BootOptions:
    button: str = ""            # CHIP:LINE[:high]
    hold_s: float = 5.0
    wait_s: float = 5.0


def options(cmdline: str) -> BootOptions:
    """The callbox.reset_* options of a kernel command line; a bad number is the default."""
    found = dict(word.split("=", 1) for word in shlex.split(cmdline) if word.startswith("callbox.reset_")
                 and "=" in word)

    def seconds(key: str, default: float) -> float:
        try:
            return min(max(float(found.get(key, default)), 0.0), 60.0)
        except ValueError:
            log.warning("%s=%r is not a number of seconds: %s s", key, found[key], default)
            return default
    return BootOptions(found.get("callbox.reset_button", ""), seconds("callbox.reset_hold", 5.0),
                       seconds("callbox.reset_wait", 5.0))


def gpio_pressed(spec: str) -> bool | None:
    """Whether the button on `spec` (CHIP:LINE[:high]) is pressed now; None when it cannot be read."""
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[1].isdigit() or parts[2:] not in ([], ["high"]):
        log.error("callbox.reset_button=%s: give CHIP:LINE or CHIP:LINE:high (e.g. gpiochip0:17)", spec)
        return None
    high = parts[2:] == ["high"]
    cmd = ["gpioget", f"--bias={'pull-down' if high else 'pull-up'}", *([] if high else ["--active-low"]),
           parts[0], parts[1]]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired) as e:
        log.error("reset button %s: %s", spec, e)
        return None
    if out.returncode != 0 or out.stdout.strip() not in ("0", "1"):
        log.error("reset button %s: %s", spec, (out.stderr or out.stdout).strip() or f"exit {out.returncode}")
        return None
    return out.stdout.strip() == "1"


def button_held(spec: str, hold_s: float, pressed: Callable[[str], bool | None] = gpio_pressed,
                sleep: Callable[[float], None] = time.sleep) -> bool:
    """True when the button is pressed at every sample over `hold_s` seconds (a bounce or a release: no)."""
    samples = max(1, round(hold_s / SAMPLE_S))
    for i in range(samples + 1):
        if pressed(spec) is not True:
            return False
        if i < samples:
            sleep(SAMPLE_S)
    return True


def _open_consoles(paths: Sequence[str]) -> list[int]:
    fds = []
    for path in paths:
        try:
            fds.append(os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK))
        except OSError as e:
            log.info("console %s: %s", path, e)
    return fds


def _say(fds: list[int], text: str) -> None:
    for fd in fds:
        try:
            os.write(fd, text.encode("utf-8"))
        except OSError:
            pass


def console_asked(paths: Sequence[str], wait_s: float, clock: Callable[[], float] = time.monotonic) -> bool:
    """Say on each console how to ask for a reset, and read for `wait_s` seconds: True when a line reads RESET
    (any case) on one of them."""
    fds = _open_consoles(paths) if wait_s > 0 else []
    if not fds:
        return False
    typed = {fd: b"" for fd in fds}
    try:
        _say(fds, f"\nCallbox: to erase this box and return it to its first boot (factory reset), type {CONFIRM} "
                  f"and Enter within {wait_s:g} s\n")
        deadline = clock() + wait_s
        while (left := deadline - clock()) > 0:
            ready, _w, _x = select.select(list(typed), [], [], left)
            for fd in ready:
                try:
                    chunk = os.read(fd, 256)
                except OSError:          # a hang-up: nothing more from this one
                    chunk = b""
                if not chunk:
                    del typed[fd]
                    continue
                typed[fd] += chunk
                *lines, typed[fd] = typed[fd].replace(b"\r", b"\n").split(b"\n")
                if any(line.strip().upper() == CONFIRM.encode() for line in lines):
                    _say(fds, "Callbox: factory reset asked for on the console\n")
                    return True
            if not typed:
                break
        _say(fds, "Callbox: no factory reset; starting\n")
        return False
    finally:
        for fd in fds:
            os.close(fd)


def at_boot(data: Path, factory_ini: Path = reset.FACTORY_INI, cmdline: Path = CMDLINE,
            consoles: Sequence[str] = CONSOLES, pressed: Callable[[str], bool | None] = gpio_pressed) -> str:
    """Reset the box in `data` when the button is held or RESET is typed: how it was asked for ("button",
    "console"), or "" (nothing done)."""
    try:
        opts = options(cmdline.read_text(encoding="utf-8", errors="replace"))
    except OSError as e:
        log.warning("%s: %s", cmdline, e)
        opts = BootOptions()
    how = ""
    if opts.button and button_held(opts.button, opts.hold_s, pressed):
        how = "button"
    elif console_asked(consoles, opts.wait_s):
        how = "console"
    if how:
        log.warning("factory reset at boot, asked for by the %s", how)
        reset.factory_reset(data, factory_ini)
        fds = _open_consoles(consoles)
        _say(fds, f"Callbox: factory reset done ({how}); the box starts as new\n")
        for fd in fds:
            os.close(fd)
    return how
