"""Factory reset at boot (issue 19: "a button/GPIO held at boot, or a console command"), for a box nobody can log in
to: `callbox factory-reset --at-boot` (callbox-reset.service, root, before the application) wipes the box when the
reset button named on the kernel command line is held for the whole hold time, or when RESET is typed on the console
within the wait; a bounce, a release, a button that cannot be read or anything else typed wipes nothing.

The console is a real pty. The button is read by libgpiod's `gpioget`, as on the box; this machine has no GPIO chip
(and no gpio-sim module), so a `gpioget` on PATH answers from a file here, and logs how it was called."""
from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.firstboot import bootreset
from test_backup_restore import INI
from conftest import REPO

FACTORY = "[capture]\nurl = tcp-listen://0.0.0.0:1150\n"


@pytest.fixture
def box(tmp_path):
    data = tmp_path / "box"
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    (data / "callbox.db").write_bytes(b"SQLite format 3\0")     # what is in them does not matter here
    (data / "journal").mkdir()
    (data / "journal" / "00000001.seg").write_bytes(b"a PBX line\r\n")
    (data / "run").mkdir()
    (data / "update").mkdir()
    (data / "update" / "history.jsonl").write_text('{"event": "healthy"}\n', encoding="ascii")   # the updater's
    factory = tmp_path / "factory.ini"
    factory.write_text(FACTORY, encoding="utf-8")
    return data, factory


def cmdline(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cmdline"
    path.write_text(f"BOOT_IMAGE=/a/vmlinuz root=PARTUUID=x ro quiet {text}\n", encoding="ascii")
    return path


@pytest.fixture
def button(tmp_path, monkeypatch):
    """A gpioget that answers, one read after the other, the values of tmp/button (one per line; the last repeats)."""
    bin_dir, state, calls = tmp_path / "bin", tmp_path / "button", tmp_path / "gpioget.log"
    bin_dir.mkdir()
    script = bin_dir / "gpioget"
    script.write_text(f"""#!/bin/sh
echo "$*" >> {calls}
n=$(wc -l < {calls})
v=$(sed -n "${{n}}p" {state}); [ -n "$v" ] || v=$(tail -n 1 {state})
[ "$v" = "error" ] && {{ echo "gpioget: unable to open chip '$3': No such file or directory" >&2; exit 1; }}
echo "$v"
""", encoding="ascii")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")

    def press(*values: str) -> Path:
        state.write_text("\n".join(values) + "\n", encoding="ascii")
        calls.unlink(missing_ok=True)
        return calls
    return press


def test_the_kernel_command_line_names_the_button_and_the_times():
    assert bootreset.options("ro quiet") == bootreset.BootOptions("", 5.0, 5.0)
    assert bootreset.options("callbox.reset_button=gpiochip0:17 callbox.reset_hold=3 callbox.reset_wait=0") == \
        bootreset.BootOptions("gpiochip0:17", 3.0, 0.0)
    assert bootreset.options("callbox.reset_hold=soon callbox.reset_wait=600").hold_s == 5.0
    assert bootreset.options("callbox.reset_wait=600").wait_s == 60.0


def test_the_button_held_through_the_hold_time_resets_the_box(box, button, tmp_path):
    data, factory = box
    calls = button("1")
    line = cmdline(tmp_path, "callbox.reset_button=gpiochip0:17 callbox.reset_hold=0.5 callbox.reset_wait=0")
    assert bootreset.at_boot(data, factory, line, consoles=[]) == "button"
    assert sorted(p.name for p in data.iterdir()) == ["callbox.ini", "run", "update"]
    assert (data / "callbox.ini").read_text(encoding="utf-8") == FACTORY
    read = calls.read_text(encoding="ascii").splitlines()
    assert len(read) == 3 and set(read) == {"--bias=pull-up --active-low gpiochip0 17"}   # every 0.25 s


@pytest.mark.parametrize(("values", "spec"), [(("1", "1", "0"), "gpiochip0:17"),     # let go before the end
                                              (("0",), "gpiochip0:17"),               # not pressed
                                              (("error",), "gpiochip9:17"),           # no such chip
                                              (("1",), "17"),                         # not CHIP:LINE
                                              (("1",), "gpiochip0:17:low")])
def test_a_release_a_bounce_or_a_button_that_cannot_be_read_resets_nothing(box, button, tmp_path, values, spec):
    data, factory = box
    button(*values)
    line = cmdline(tmp_path, f"callbox.reset_button={spec} callbox.reset_hold=0.5 callbox.reset_wait=0")
    assert bootreset.at_boot(data, factory, line, consoles=[]) == ""
    assert (data / "callbox.db").exists() and (data / "callbox.ini").read_text(encoding="utf-8") == INI


def test_a_button_to_the_supply_is_read_active_high(box, button, tmp_path):
    calls = button("1")
    assert bootreset.button_held("gpiochip1:4:high", 0.25)
    assert calls.read_text(encoding="ascii").splitlines()[0] == "--bias=pull-down gpiochip1 4"


def test_no_gpioget_is_no_reset(box, tmp_path, monkeypatch):
    data, factory = box
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert bootreset.gpio_pressed("gpiochip0:17") is None
    line = cmdline(tmp_path, "callbox.reset_button=gpiochip0:17 callbox.reset_wait=0")
    assert bootreset.at_boot(data, factory, line, consoles=[]) == ""
    assert (data / "callbox.db").exists()


def _console():
    master, slave = os.openpty()
    os.set_blocking(master, False)
    return master, slave, os.ttyname(slave)


def _said(master: int) -> str:
    """What the box wrote to the console (the pty hands it over asynchronously: until nothing more comes)."""
    got = b""
    while select.select([master], [], [], 0.5)[0]:
        try:
            got += os.read(master, 65536)
        except OSError:
            break
    return got.decode("utf-8", "replace")


def test_reset_typed_on_the_console_resets_the_box(box, tmp_path):
    data, factory = box
    master, slave, tty = _console()
    try:
        os.write(master, b"reset\r")         # typed while the box boots: the console's line discipline keeps it
        assert bootreset.at_boot(data, factory, cmdline(tmp_path, "callbox.reset_wait=10"), consoles=[tty]) == \
            "console"
        said = _said(master)
    finally:
        os.close(master)
        os.close(slave)
    assert "type RESET and Enter within 10 s" in said and "factory reset done (console)" in said
    assert sorted(p.name for p in data.iterdir()) == ["callbox.ini", "run", "update"]


def test_anything_else_typed_or_nothing_resets_nothing(box, tmp_path):
    data, factory = box
    master, slave, tty = _console()
    try:
        os.write(master, b"RESE\rreset now\ryes\r")
        assert bootreset.at_boot(data, factory, cmdline(tmp_path, "callbox.reset_wait=0.5"),
                                 consoles=[tty, str(tmp_path / "no-such-tty")]) == ""
        assert "no factory reset; starting" in _said(master)
        assert bootreset.at_boot(data, factory, cmdline(tmp_path, "callbox.reset_wait=0"), consoles=[tty]) == ""
        assert _said(master) == ""                               # the prompt turned off
    finally:
        os.close(master)
        os.close(slave)
    assert (data / "callbox.db").exists() and (data / "journal").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="root gives files away (the image's callbox-reset.service is root)")
def test_as_root_the_new_configuration_is_the_application_users(box, tmp_path):
    data, factory = box
    os.chown(data, 990, 990)
    master, slave, tty = _console()
    try:
        os.write(master, b"RESET\n")
        assert bootreset.at_boot(data, factory, cmdline(tmp_path, ""), consoles=[tty]) == "console"
    finally:
        os.close(master)
        os.close(slave)
    st = (data / "callbox.ini").stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (990, 990, 0o600)


def test_the_command_the_image_runs_at_boot(box, tmp_path):
    data, factory = box
    master, slave, tty = _console()
    try:
        args = ["factory-reset", "--at-boot", "--factory-ini", str(factory), "--console", tty]
        quiet = subprocess.run([sys.executable, "-m", "appliance.cli", *args, "--data", str(data), "--cmdline",
                                str(cmdline(tmp_path, "callbox.reset_wait=0.3"))],
                               capture_output=True, text=True, cwd=REPO, timeout=60)
        assert quiet.returncode == 0 and "not asked for" in quiet.stderr and (data / "callbox.db").exists()
        os.write(master, b"RESET\r")
        done = subprocess.run([sys.executable, "-m", "appliance.cli", *args, "--data", str(data), "--cmdline",
                               str(cmdline(tmp_path, "callbox.reset_wait=20"))],
                              capture_output=True, text=True, cwd=REPO, timeout=60)
        assert done.returncode == 0 and "done, asked for by the console" in done.stderr
    finally:
        os.close(master)
        os.close(slave)
    assert sorted(p.name for p in data.iterdir()) == ["callbox.ini", "run", "update"]
