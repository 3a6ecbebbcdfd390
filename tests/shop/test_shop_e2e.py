"""A cashier's session end to end: the real capture and worker processes listening on loopback TCP, an IP Office
sending the booths' call records over a socket, the session driven with `callbox shop` as a script would; the
closing figures equal a sum computed here by hand."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from shop_helpers import INI, PRICES, independent_sell
from test_e2e import free_port, wait_for

pytestmark = pytest.mark.slow


def callbox(data, *argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appliance.cli", *argv, "--data", str(data)],
                          capture_output=True, text=True, timeout=60)


def ipo_line(start_utc: int, talk_s: int, ext: str, dialled: str, call_id: int) -> bytes:
    """An Avaya IP Office SMDR record (the 34-field layout of tests/fixtures/pbx/avaya_ipoffice), PBX clock in UTC."""
    start = datetime.fromtimestamp(start_utc, timezone.utc).strftime("%Y/%m/%d %H:%M:%S")
    talk = f"{talk_s // 3600:02d}:{talk_s // 60 % 60:02d}:{talk_s % 60:02d}"
    return (f"{start},{talk},3,{ext},O,{dialled},{dialled},,0,{call_id},0,E{ext},Booth,T9005,Line 5.0,0,0,,,,,,,,,,,"
            ",,,192.168.0.201,20806,192.168.0.201,20809\r\n").encode()


def test_a_session_over_real_sockets_closes_with_the_independent_sum(tmp_path):
    data, port = tmp_path / "data", free_port()
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    assert callbox(data, "pricelist", "import", str(tmp_path / "prices.csv")).returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "capture", "--data", str(data),
                             "--url", f"tcp-listen://127.0.0.1:{port}", "--driver", "avaya_ipoffice",
                             "--set", "worker.poll_ms=50"])
    pbx = None
    try:
        pbx = wait_for(lambda: _connect(port))
        opened = callbox(data, "shop", "session", "open", "--operator", "Ayşe", "--json")
        assert opened.returncode == 0, opened.stderr
        sid = json.loads(opened.stdout)["session"]
        listed = json.loads(callbox(data, "shop", "session", "list", "--json").stdout)
        t0 = int(datetime.fromisoformat(listed[0]["opened"]).timestamp())
        wait_for(lambda: time.time() >= t0 + 2, every=0.1)
        # (booth, dialled, E.164 the numbering module gives, talk s)
        booth_calls = [("201", "0049301234567", "+49301234567", 61), ("202", "004915112345678", "+4915112345678", 130),
                       ("203", "02125550101", "+902125550101", 95), ("201", "0049301234567", "+49301234567", 7),
                       ("202", "02125550101", "+902125550101", 300)]
        lines = [ipo_line(t0 - 100, 50, "201", "0049301234567", 7000)]   # before the session: not its call
        lines += [ipo_line(t0 + 1, talk, ext, dialled, 7001 + i)
                  for i, (ext, dialled, _e, talk) in enumerate(booth_calls)]
        lines.append(ipo_line(t0 + 1, 80, "250", "0049301234567", 7100))  # not a booth
        for line in lines:
            pbx.sendall(line)

        def session_calls():
            out = callbox(data, "shop", "calls", "--session", str(sid), "--json")
            return json.loads(out.stdout) if out.returncode == 0 and len(json.loads(out.stdout)) == 5 else None
        calls = wait_for(session_calls)
        assert [(c["booth"], c["number"], c["talk_s"], c["status"]) for c in calls] == [
            ({"201": "Kabin 1", "202": "Kabin 2", "203": "Kabin 3"}[ext], e164, talk, "unpaid")
            for ext, _d, e164, talk in booth_calls]
        ids = [c["id"] for c in calls]
        first = json.loads(callbox(data, "shop", "pay", "--session", str(sid), str(ids[0]), str(ids[1]),
                                   "--json").stdout)
        second = json.loads(callbox(data, "shop", "pay", "--session", str(sid), str(ids[4]), "--json").stdout)
        assert callbox(data, "shop", "unserved", "--session", str(sid), str(ids[2])).returncode == 0
        again = callbox(data, "shop", "pay", "--session", str(sid), str(ids[0]), "--json")
        assert again.returncode == 2 and "already paid" in again.stderr
        closed = callbox(data, "shop", "session", "close", str(sid), "--json")
        assert closed.returncode == 0, closed.stderr
        figures = json.loads(closed.stdout)
        after = callbox(data, "shop", "pay", "--session", str(sid), str(ids[3]))
        assert after.returncode == 2 and "closed" in after.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
        if pbx is not None:
            pbx.close()

    paid = [booth_calls[i] for i in (0, 1, 4)]
    cash = sum(independent_sell(e164, talk) for _x, _d, e164, talk in paid)
    assert Decimal(first["total"]) + Decimal(second["total"]) == cash
    talk = sum(t for *_rest, t in booth_calls)
    assert figures == {"session": sid, "calls": 5, "minutes": f"{Decimal(talk) / 60:.2f}", "cash": str(cash),
                       "unpaid": 1, "unserved": 1, "currency": "TRY"}


def _connect(port: int):
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=1)
    except OSError:
        return None
