"""The wizard's serial port list: capture lists the ports it sees (pseudo-terminals standing in for USB-serial
adapters, named like /dev/serial/by-id links) into run/serial-ports.json, refreshed when an adapter comes or goes,
and the web's wizard page and its live API offer that list (the web's own unit sees no device on the box)."""
from __future__ import annotations

import json
import os
import threading
import time

import pytest

from appliance.capture import scanservice, serialports

FTDI = "usb-FTDI_FT232R_USB_UART_A1B2C3D4-if00-port0"
PROLIFIC = "usb-Prolific_Technology_Inc._USB-Serial_Controller-if00-port0"


@pytest.fixture
def adapters(tmp_path):
    """A fake /dev: dev/ttyUSB* and by-id/* links to real pseudo-terminals; plug(name, by_id) adds one."""
    dev, by_id = tmp_path / "dev", tmp_path / "by-id"
    dev.mkdir()
    by_id.mkdir()
    fds = []

    def plug(tty: str, name: str | None) -> str:
        master, slave = os.openpty()
        fds.extend((master, slave))
        pts = os.ttyname(slave)
        (dev / tty).symlink_to(pts)
        if name:
            (by_id / name).symlink_to(dev / tty)
        return pts
    yield dev, by_id, plug
    for fd in fds:
        os.close(fd)


def _wait_for(check, limit_s=20.0):
    deadline = time.monotonic() + limit_s        # only catches a hang: the refresh is every 0.1 s here
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_by_id_names_read_as_words():
    assert serialports.describe_by_id(f"/dev/serial/by-id/{FTDI}") == "FTDI FT232R USB UART A1B2C3D4"
    assert serialports.describe_by_id(PROLIFIC) == "Prolific Technology Inc. USB-Serial Controller"


def test_adapters_listed_under_their_stable_names(adapters):
    dev, by_id, plug = adapters
    ftdi = plug("ttyUSB0", FTDI)
    acm = plug("ttyACM0", None)
    listed = serialports.ports([str(dev / "ttyUSB*"), str(dev / "ttyACM*")], by_id)
    assert listed == [{"device": str(by_id / FTDI), "path": ftdi, "description": "FTDI FT232R USB UART A1B2C3D4"},
                      {"device": str(dev / "ttyACM0"), "path": acm, "description": ""}]
    assert serialports.ports([str(dev / "ttyS*")], dev / "none") == []


def test_capture_refreshes_the_list_when_an_adapter_is_plugged_in(tmp_path, adapters):
    dev, by_id, plug = adapters
    run, stop = tmp_path / "run", threading.Event()
    plug("ttyUSB0", FTDI)
    refresher = serialports.Refresher(run, [str(dev / "ttyUSB*")], by_id)
    scanservice.serve(run, stop, poll_s=0.05, ports=refresher, ports_every_s=0.1)
    try:
        _wait_for(lambda: serialports.read(run) is not None)
        assert [p["device"] for p in serialports.read(run)] == [str(by_id / FTDI)]
        plug("ttyUSB1", PROLIFIC)
        _wait_for(lambda: len(serialports.read(run) or []) == 2)
        assert serialports.read(run)[1]["description"] == "Prolific Technology Inc. USB-Serial Controller"
        (by_id / FTDI).unlink()
        (dev / "ttyUSB0").unlink()          # unplugged
        _wait_for(lambda: len(serialports.read(run) or []) == 1)
        assert json.loads((run / serialports.FILE).read_text())["ports"][0]["device"] == str(by_id / PROLIFIC)
    finally:
        stop.set()


def test_the_wizard_offers_what_capture_lists(client, csrf, data_dir):
    serialports.write(data_dir / "run", [{"device": f"/dev/serial/by-id/{FTDI}", "path": "/dev/ttyUSB0",
                                          "description": "FTDI FT232R USB UART A1B2C3D4"}])
    page = client.get("/setup/pbx")
    option = f'<option value="/dev/serial/by-id/{FTDI}" label="FTDI FT232R USB UART A1B2C3D4 (/dev/ttyUSB0)">'
    assert option in page.text
    assert "Serial ports found: 1" in page.text
    assert client.get("/api/setup/pbx/lines").json["ports"][0]["path"] == "/dev/ttyUSB0"
    serialports.write(data_dir / "run", [])
    assert client.get("/api/setup/pbx/lines").json["ports"] == []
