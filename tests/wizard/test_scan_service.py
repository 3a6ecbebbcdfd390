"""The baud-rate scan runs in the capture process (appliance.capture.scanservice): the web asks through run/, capture
opens the serial port (a pty here, a PBX printing records on it), scans and answers; refused on the port capture
reads; no capture, no answer (and no request left behind for a later one)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from appliance.capture import scanservice
from conftest import REPO

RECORD = "2017/07/03 08:13:24,00:00:12,3,201,O,0555123456,Ayşe Yılmaz\r\n".encode()


@pytest.fixture
def pbx_tty():
    """A pty whose other end prints a record every 20 ms, as a PBX's RS-232 port does (read or not)."""
    master, slave = os.openpty()
    name = os.ttyname(slave)
    os.close(slave)
    os.set_blocking(master, False)
    stop = threading.Event()

    def print_records():
        while not stop.wait(0.02):
            try:
                os.write(master, RECORD)
            except OSError:
                pass
    writer = threading.Thread(target=print_records, daemon=True)
    writer.start()
    yield name
    stop.set()
    writer.join()
    os.close(master)


def test_capture_scans_the_port_the_web_asks_for(tmp_path, pbx_tty):
    run, stop = tmp_path / "run", threading.Event()
    run.mkdir()
    scanservice.serve(run, stop, busy=lambda device: scanservice.same_port("serial:///dev/ttyS0?baud=9600", device),
                      poll_s=0.05)
    try:
        answer = scanservice.ask(run, pbx_tty, 0.1)
        assert answer["device"] == pbx_tty and len(answer["results"]) == 8
        best = answer["results"][0]
        assert best["baud"] == 9600 and best["score"] == 1.0 and "Ayşe" in best["sample"]   # a pty reads at any rate
        assert scanservice.ask(run, "/dev/ttyS0", 0.1) == {"error": "busy"}
        gone = scanservice.ask(run, "/dev/pts/nonexistent", 0.1)
        assert "cannot open /dev/pts/nonexistent" in gone["error"]
        # each answer taken away by its asker; the list of serial ports stays
        assert sorted(p.name for p in run.iterdir()) == ["serial-ports.json"]
    finally:
        stop.set()


def test_no_capture_no_answer_and_no_request_left(tmp_path, pbx_tty):
    run = tmp_path / "run"
    with pytest.raises(scanservice.NoAnswer, match="capture did not answer"):
        scanservice.ask(run, pbx_tty, 0.1, timeout_s=0.3)
    assert not (run / scanservice.REQUEST).exists()
    # a request its asker gave up on long ago (capture was down) is dropped, not scanned
    scanservice._write(run / scanservice.REQUEST, {"id": "x", "device": pbx_tty, "window_s": 0.1,
                                                   "asked": time.time() - scanservice.STALE_S - 1})
    assert scanservice.answer_one(run) is False
    assert not (run / scanservice.ANSWER).exists() and not (run / scanservice.REQUEST).exists()


@pytest.mark.slow
def test_the_capture_process_of_a_new_box_answers_the_scan(tmp_path, pbx_tty):
    """A box with no link yet: callbox-capture waits for the configuration, and scans meanwhile."""
    data = tmp_path / "box"
    data.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "appliance.procs", "capture", "--data", str(data)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        answer = scanservice.ask(data / "run", pbx_tty, 0.1, timeout_s=60)
        assert answer["results"][0]["baud"] == 9600 and answer["results"][0]["score"] == 1.0, answer
        assert proc.poll() is None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert f"baud scan of {pbx_tty} answered: best 9600" in (data / "log" / "capture.log").read_text()
