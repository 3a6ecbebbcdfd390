"""Traps received by Debian's snmptrapd on loopback: v2c, v3 authPriv, UTF-8 text, several managers, a wrong
privacy key, and proof that a v3 trap never travels in clear."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from appliance.config import Config
from appliance.delivery import outbox
from appliance.snmp import traps as snmp
from test_snmp_mib import free_udp_port, mib_env, needs_netsnmp

ENGINE_ID = "80001869f0c0ffee0001"
AUTH, PRIV = "auth-pass-Çağrı1", "priv-pass-Кабина2"
pytestmark = [needs_netsnmp, pytest.mark.slow]   # slow: Debian's snmptrapd


class TrapD:
    """snmptrapd -f on 127.0.0.1:<free port>, logging each trap as one line, with our MIB loaded."""

    def __init__(self, tmp: Path, communities=(), users=()):
        self.dir = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        conf = [f"createUser -e 0x{ENGINE_ID} {u} SHA \"{a}\" AES \"{p}\"" for u, a, p in users]
        conf += [f"authCommunity log {c}" for c in communities] + [f"authUser log {u} priv" for u, _, _ in users]
        (tmp / "snmptrapd.conf").write_text("\n".join(conf) + "\n", encoding="utf-8")
        self.port, self.log = free_udp_port(), tmp / "traps.log"
        self.proc = subprocess.Popen(
            ["snmptrapd", "-f", "-C", "-c", str(tmp / "snmptrapd.conf"), "-Lf", str(self.log), "-On", "-n",
             "-F", "TRAP %P :: %v\n", f"udp:127.0.0.1:{self.port}"], env=mib_env(tmp))
        deadline = time.monotonic() + 20
        while "NET-SNMP version" not in self._text():
            assert self.proc.poll() is None and time.monotonic() < deadline, "snmptrapd did not start"
            time.sleep(0.05)

    def _text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def traps(self) -> list[dict]:
        """Every trap logged so far: {"how": "SNMP v2c, community x", "oid": trap OID, OID: value...}."""
        out = []
        for line in self._text().splitlines():
            if not line.startswith("TRAP "):
                continue
            head, _, binds = line.partition(" :: ")
            trap = {"how": head.removeprefix("TRAP TRAP2, ")}
            for bind in binds.split("\t"):
                oid, _, value = bind.partition(" = ")
                trap[oid] = value
            trap["oid"] = trap.get(".1.3.6.1.6.3.1.1.4.1.0", "").removeprefix("OID: ")
            out.append(trap)
        return out

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(got := self.traps()) < count:
            assert time.monotonic() < deadline, f"expected {count} traps, got {got}"
            time.sleep(0.05)
        return got

    def manager(self, version: str, secrets: Path, *, community="public", user="trapuser", priv=PRIV) -> str:
        """A [snmp] managers line for this receiver, its secrets written under `secrets`."""
        secrets.mkdir(exist_ok=True)
        if version == "v2c":
            (secrets / f"community-{self.port}").write_text(community + "\n", encoding="utf-8")
            return f"v2c udp:127.0.0.1:{self.port} community_file={secrets}/community-{self.port}"
        (secrets / f"auth-{self.port}").write_text(AUTH + "\n", encoding="utf-8")
        (secrets / f"priv-{self.port}-{user}").write_text(priv + "\n", encoding="utf-8")
        return (f"v3 udp:127.0.0.1:{self.port} user={user} auth_file={secrets}/auth-{self.port} "
                f"priv_file={secrets}/priv-{self.port}-{user}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def trapd(tmp_path):
    started: list[TrapD] = []

    def start(name="trapd", **kw) -> TrapD:
        started.append(TrapD(tmp_path / name, **kw))
        return started[-1]
    yield start
    for t in started:
        t.stop()


def cfg_for(*lines: str) -> Config:
    managers = "\n    ".join(lines)
    return Config(text=f"[snmp]\nmanagers =\n    {managers}\nengine_id = {ENGINE_ID}\n")


def trap_oid(name: str) -> str:
    return f".{snmp.NOTIFICATIONS}.{snmp.TRAPS[name][0]}"


SOURCE, TEXT = f".{snmp.TRAP_VARS}.1.0", f".{snmp.TRAP_VARS}.2.0"


def test_v2c_and_v3_traps_arrive_once_each_with_their_values(trapd, tmp_path):
    t = trapd(communities=["public"], users=[("trapuser", AUTH, PRIV)])
    cfg = cfg_for(t.manager("v2c", tmp_path / "s"), t.manager("v3", tmp_path / "s"))
    snmp.send_trap(cfg, "link_down", {"source": "tcp:10.0.0.5:2300", "text": "link lost", "value": 3})
    got = t.wait_for(2)
    hows = sorted(g["how"] for g in got)
    assert hows[0].startswith("SNMP v2c, community public") and hows[1].startswith("SNMP v3, user trapuser")
    for g in got:
        assert g["oid"] == trap_oid("link_down")
        assert g[SOURCE] == "STRING: tcp:10.0.0.5:2300" and g[TEXT] == "STRING: link lost"
        assert g[f".{snmp.TRAP_VARS}.3.0"] == "INTEGER: 3"
    time.sleep(0.3)
    assert len(t.traps()) == 2      # not a third copy (the shared-target trap of STACK.md §1)


def test_turkish_and_cyrillic_text_arrives_intact(trapd, tmp_path):
    t = trapd(communities=["public"], users=[("trapuser", AUTH, PRIV)])
    cfg = cfg_for(t.manager("v3", tmp_path / "s"))
    text = "Şube İzmir: Çağrı hattı düştü — Кабини отдела продаж, Łódź"
    snmp.send_trap(cfg, "alert_raised", {"source": "Satış", "text": text})
    (got,) = t.wait_for(1)
    assert got[SOURCE] == "STRING: Satış" and got[TEXT] == f"STRING: {text}"   # the MIB's DISPLAY-HINT 1024t


def test_several_managers_each_get_every_trap(trapd, tmp_path):
    a = trapd("a", communities=["public"])
    b = trapd("b", users=[("nms", AUTH, PRIV)])
    c = trapd("c", users=[("backup", AUTH, PRIV)])
    cfg = cfg_for(a.manager("v2c", tmp_path / "s"), b.manager("v3", tmp_path / "s", user="nms"),
                  c.manager("v3", tmp_path / "s", user="backup"))
    for name in ("no_data", "data_resumed"):
        snmp.send_trap(cfg, name, {"source": "serial:/dev/ttyUSB0", "text": name})
    for receiver in (a, b, c):
        assert [g["oid"] for g in receiver.wait_for(2)] == [trap_oid("no_data"), trap_oid("data_resumed")]


def test_a_wrong_privacy_key_is_rejected_by_the_manager(trapd, tmp_path):
    t = trapd(users=[("trapuser", AUTH, PRIV)])
    snmp.send_trap(cfg_for(t.manager("v3", tmp_path / "bad", priv="not-the-priv-key")), "db_error",
                   {"text": "sent with the wrong key"})
    snmp.send_trap(cfg_for(t.manager("v3", tmp_path / "good")), "db_ok", {"text": "sent with the right key"})
    got = t.wait_for(1)
    time.sleep(0.3)
    assert [g[TEXT] for g in t.traps()] == ["STRING: sent with the right key"]
    assert got[0]["oid"] == trap_oid("db_ok")


def test_a_v3_trap_is_encrypted_on_the_wire_even_next_to_a_v2c_manager(trapd, tmp_path):
    """The v3 manager is a plain socket: everything that reaches it is v3 with auth+priv and shows none of
    the trap's text, the community or the v2c version."""
    v2c = trapd(communities=["public-COMMUNITY"])
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw.bind(("127.0.0.1", 0))
    raw.settimeout(10)
    port = raw.getsockname()[1]
    (tmp_path / "a").write_text(AUTH, encoding="utf-8")
    (tmp_path / "p").write_text(PRIV, encoding="utf-8")
    v3_line = f"v3 udp:127.0.0.1:{port} user=trapuser auth_file={tmp_path}/a priv_file={tmp_path}/p"
    cfg = cfg_for(v2c.manager("v2c", tmp_path / "s", community="public-COMMUNITY"), v3_line)
    secret_text = "SECRET-TRUNK-TEXT Çağrı"
    for _ in range(2):
        snmp.send_trap(cfg, "sync_failing", {"source": "SECRET-SOURCE", "text": secret_text})
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:   # arrives after the traps: the end marker
        s.sendto(b"END", ("127.0.0.1", port))
    packets = []
    while (data := raw.recv(65535)) != b"END":
        packets.append(data)
    raw.close()
    assert len(packets) == 2
    for p in packets:
        assert b"public-COMMUNITY" not in p and b"SECRET" not in p and secret_text.encode() not in p
        assert p[0] == 0x30 and b"\x02\x01\x03" in p[:8]           # SEQUENCE { msgVersion 3 ...
        assert b"\x04\x01\x03" in p[:40]                           # msgFlags: auth + priv (no reportable)
        assert b"trapuser" in p and bytes.fromhex(ENGINE_ID) in p   # USM header is clear text by design
    assert [g[TEXT] for g in v2c.wait_for(2)] == [f"STRING: {secret_text}"] * 2


def test_a_v3_only_receiver_gets_nothing_in_clear_text(trapd, tmp_path):
    """snmptrapd without any community: a cleartext copy would be logged as unauthorised, not as a trap."""
    t = trapd(users=[("trapuser", AUTH, PRIV)])
    cfg = cfg_for(t.manager("v3", tmp_path / "s"), t.manager("v2c", tmp_path / "s2", community="public"))
    snmp.send_trap(cfg, "journal_high", {"text": "91 %", "value": 91})
    got = t.wait_for(1)
    time.sleep(0.3)
    assert len(t.traps()) == 1 and got[0]["how"].startswith("SNMP v3")


def test_a_trap_queued_in_the_outbox_is_delivered_by_deliver_due(db, trapd, tmp_path):
    t = trapd(communities=["public"])
    cfg = cfg_for(t.manager("v2c", tmp_path / "s"))
    item = snmp.queue_trap("service_restarted", {"source": "capture", "text": "exit code 1", "value": 1})
    assert outbox.deliver_due(cfg, tmp_path) == (1, 0)
    (got,) = t.wait_for(1)
    assert got["oid"] == trap_oid("service_restarted") and got[SOURCE] == "STRING: capture"
    assert [i.id for i in outbox.items("delivered")] == [item]


def test_an_unreadable_secret_fails_that_manager_and_the_outbox_retries(db, trapd, tmp_path):
    t = trapd(communities=["public"])
    cfg = cfg_for(t.manager("v2c", tmp_path / "s"),
                  f"v3 udp:127.0.0.1:{t.port} user=u auth_file={tmp_path}/missing priv_file={tmp_path}/missing")
    snmp.queue_trap("link_up", {"source": "x", "text": "up"})
    assert outbox.deliver_due(cfg, tmp_path) == (0, 1)
    (item,) = outbox.items("failed") or outbox.items("pending")
    assert "auth_file" in item.last_error and "missing" in item.last_error and AUTH not in item.last_error
    assert len(t.wait_for(1)) == 1   # the good manager still got it
