"""Health by SNMP GET: net-snmp's snmpd with the shipped snmpd.conf and our pass_persist handler, read with
snmpget/snmpwalk -v3 authPriv; and the pass_persist protocol itself."""
from __future__ import annotations

import io
import os
import subprocess
import time
from pathlib import Path

import pytest

from appliance import health, store
from appliance.capture.sink import Sink, Status
from appliance.config import Config
from appliance.journal import JournalWriter
from appliance.snmp import agent as snmp_pass
from appliance.snmp import traps as snmp
from test_snmp_mib import MIB_DIR, free_udp_port, mib_env, needs_netsnmp

AUTH, PRIV = "monitor-auth-1", "monitor-priv-2"
V3 = ["-v3", "-l", "authPriv", "-u", "monitor", "-a", "SHA", "-A", AUTH, "-x", "AES", "-X", PRIV]
LINK = "file:/var/log/Çağrı-Кабини.csv"


def fill(data: Path) -> None:
    """A data directory as a running box has it: calls, quarantine, journal, a fresh capture status."""
    store.open_db(data / "callbox.db")
    now = int(time.time())
    for i in range(3):
        store.Call.create(driver="x", call_key=str(i), start_utc=now - i, utc_offset=0, direction="out",
                          extension="201", party="5550101", trunk="1", ring_s=0, talk_s=30, answered=True,
                          transferred=False, account_code="", legs=1)
    store.Quarantine.create(id=1, jseg=1, joff=1, received_ns=now * 10**9, source="x", driver="x", reason="r",
                            line="?")
    store.close_db()
    with JournalWriter(data / "journal") as j:
        j.append(b"a line\r\n", LINK)
    (data / "run").mkdir(exist_ok=True)
    status = Status("file:///var/log/x.csv", data / "run" / "capture.json", Sink(None))
    status.set_link(LINK, "up", "following", now * 10**9)
    status.write()


@pytest.fixture
def snmpd(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    fill(data)
    (data / "callbox.ini").write_text("[pbx]\ntimezone = UTC\n", encoding="utf-8")
    port = free_udp_port()
    shipped = (MIB_DIR / "snmpd.conf").read_text(encoding="utf-8")
    directives = [line.split()[0] for line in shipped.splitlines() if line.strip() and not line.startswith("#")]
    assert not {"rocommunity", "rwcommunity", "com2sec", "createUser"} & set(directives)   # no default access
    assert "agentAddress udp:161" in shipped
    conf = shipped.replace("agentAddress udp:161", f"agentAddress udp:127.0.0.1:{port}")
    conf = conf.replace("/opt/callbox/.venv/bin/python", os.environ.get("PYTHON", _python()))
    conf = conf.replace("--data /var/lib/callbox", f"--data {data}")
    conf = f'createUser monitor SHA "{AUTH}" AES "{PRIV}"\n' + conf   # what net-snmp-create-v3-user adds
    (tmp_path / "snmpd.conf").write_text(conf, encoding="utf-8")
    env = mib_env(tmp_path)
    proc = subprocess.Popen(["snmpd", "-f", "-C", "-c", str(tmp_path / "snmpd.conf"), "-Lf",
                             str(tmp_path / "snmpd.log")], env=env)
    target = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while get(env, target, "-On", ".1.3.6.1.2.1.1.3.0", wait=("-t", "0.5", "-r", "0")).returncode != 0:
        assert proc.poll() is None and time.monotonic() < deadline, "snmpd did not answer"
        time.sleep(0.1)
    yield env, target, data
    proc.terminate()
    proc.wait(10)


def _python() -> str:
    import sys
    return sys.executable


def get(env, target, *args, tool="snmpget", auth=V3, wait=("-t", "5", "-r", "1")) -> subprocess.CompletedProcess:
    options = [a for a in args if a.startswith("-")]
    return subprocess.run([tool, *auth, *wait, *options, target, *(a for a in args if not a.startswith("-"))],
                          env=env, capture_output=True, text=True, timeout=60)


pytestmark = [needs_netsnmp, pytest.mark.slow]   # slow: Debian's snmpd


def test_every_health_value_is_read_with_v3_authpriv(snmpd):
    env, target, data = snmpd
    names = [f"CALLBOX-MIB::{mib}.0" for mib, _ in snmp_pass.SCALARS.values()]
    names += [f"CALLBOX-MIB::{c}.1" for c in snmp_pass.LINK_COLUMNS.values()]
    r = get(env, target, "-OQsU", *names)
    assert r.returncode == 0, r.stderr
    got = dict(line.split(" = ", 1) for line in r.stdout.splitlines())
    h = health.snapshot(data, Config(text="[pbx]\ntimezone = UTC\n"))
    assert got["cbLinkStatus.0"] == "up" and got["cbCaptureState.0"] == "running"
    assert got["cbRecordsToday.0"] == "3" and got["cbCallsTotal.0"] == "3"
    assert got["cbQuarantineTotal.0"] == "1" and got["cbQuarantineToday.0"] == "1"
    assert got["cbDbStatus.0"] == "ok" and got["cbDbErrorText.0"] == ""
    assert int(got["cbLastRecordTime.0"]) == h.last_record_utc
    assert 0 <= int(got["cbLastRecordAge.0"]) <= h.last_record_age_s + 1
    assert got["cbJournalKBytes.0"] == str(h.journal_bytes >> 10)
    assert got["cbJournalPercent.0"] == str(h.journal_pct)
    assert abs(int(got["cbDiskFreePercent.0"]) - h.disk_free_pct) <= 1
    assert got["cbLinkSource.1"] == LINK and got["cbLinkState.1"] == "up"   # UTF-8 through snmpd and the MIB
    assert int(got["cbLinkSince.1"]) == h.links[0][2]


def test_a_walk_lists_the_whole_subtree(snmpd):
    env, target, _ = snmpd
    r = get(env, target, "-On", f".{snmp.HEALTH}", tool="snmpwalk")
    assert r.returncode == 0, r.stderr
    # the view ends with our subtree: snmpd says so after the last value
    oids = [line.split(" = ")[0] for line in r.stdout.splitlines() if "No more variables" not in line]
    assert len(oids) == len(snmp_pass.SCALARS) + len(snmp_pass.LINK_COLUMNS)
    assert oids[0] == f".{snmp.HEALTH}.1.0" and oids[-1] == f".{snmp.HEALTH}.14.1.4.1"


def test_no_community_and_no_wrong_key_gets_an_answer(snmpd):
    env, target, _ = snmpd
    for auth in (["-v2c", "-c", "public"], ["-v1", "-c", "public"]):
        r = get(env, target, "-On", f".{snmp.HEALTH}.1.0", auth=auth, wait=("-t", "1", "-r", "0"))
        assert r.returncode != 0 and "Timeout" in r.stderr
    wrong = V3[:-1] + ["wrong-priv-key"]
    r = get(env, target, "-On", f".{snmp.HEALTH}.1.0", auth=wrong, wait=("-t", "1", "-r", "0"))
    assert r.returncode != 0 and "99999" not in r.stdout


# the pass_persist protocol, in-process

class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def talk(handler, text: str) -> list[str]:
    out = io.StringIO()
    snmp_pass.serve(handler, io.StringIO(text), out)
    return out.getvalue().splitlines()


def test_the_protocol_answers_ping_get_getnext_and_refuses_set(tmp_path):
    h = snmp_pass.Handler(tmp_path, Config(), clock=Clock())
    base = f".{snmp.HEALTH}"
    lines = talk(h, f"PING\nget\n{base}.1.0\ngetnext\n{base}\ngetnext\n{base}.13.0\nget\n{base}.99.0\n"
                    f"get\nnot-an-oid\nset\n{base}.1.0\ninteger 1\n")
    assert lines == ["PONG", f"{base}.1.0", "integer", "3", f"{base}.1.0", "integer", "3", "NONE", "NONE", "NONE",
                     "not-writable"]


def test_one_snapshot_serves_requests_within_a_second(tmp_path):
    clock = Clock()
    h = snmp_pass.Handler(tmp_path, Config(), clock=clock)
    base = f".{snmp.HEALTH}"
    assert talk(h, f"get\n{base}.2.0\n")[-1] == "3"                     # missing
    (tmp_path / "run").mkdir()
    Status("x", tmp_path / "run" / "capture.json", Sink(None)).write()
    assert talk(h, f"get\n{base}.2.0\n")[-1] == "3"                     # cached
    clock.t += snmp_pass.CACHE_S
    assert talk(h, f"get\n{base}.2.0\n")[-1] == "1"                     # running


def test_text_values_stay_on_one_line(tmp_path):
    h = health.snapshot(tmp_path, Config())
    vals = snmp_pass.values(type(h)(**{**h.__dict__, "db_error": "line one\nline two"}))
    assert vals[snmp_pass.BASE + (12, 0)] == ("string", "line one line two")
