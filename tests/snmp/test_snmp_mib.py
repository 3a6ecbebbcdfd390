"""provisioning/snmp/CALLBOX-MIB.txt compiles with net-snmp and names every trap and health value we send.

Debian ships net-snmp without the IETF base modules (SNMPv2-SMI, -TC, -CONF are in non-free
snmp-mibs-downloader), so the tests give snmptranslate minimal stand-ins: the OID path to `enterprises` and
empty modules for the macros, which net-snmp's parser knows by itself.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from appliance.snmp import agent as snmp_pass
from appliance.snmp import traps as snmp

REPO = Path(__file__).resolve().parents[2]
MIB_DIR = REPO / "provisioning" / "snmp"
BASE_MIBS = {
    "SNMPv2-SMI": "org OBJECT IDENTIFIER ::= { iso 3 }\ndod OBJECT IDENTIFIER ::= { org 6 }\n"
                  "internet OBJECT IDENTIFIER ::= { dod 1 }\nprivate OBJECT IDENTIFIER ::= { internet 4 }\n"
                  "enterprises OBJECT IDENTIFIER ::= { private 1 }\n",
    "SNMPv2-TC": "", "SNMPv2-CONF": "",
}
needs_netsnmp = pytest.mark.skipif(shutil.which("snmptranslate") is None,
                                   reason="net-snmp tools missing: run provisioning/install-system-deps.sh as root")


def base_mibs(directory: Path) -> Path:
    """Write the stand-in base modules into `directory`; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in BASE_MIBS.items():
        (directory / f"{name}.txt").write_text(f"{name} DEFINITIONS ::= BEGIN\n{body}END\n", encoding="ascii")
    return directory


def mib_env(tmp: Path) -> dict[str, str]:
    """Environment for net-snmp tools: our MIB loaded, state kept under `tmp`."""
    (tmp / "persist" / "cert_indexes").mkdir(parents=True, exist_ok=True)   # else they say they made it
    return dict(os.environ, MIBS="CALLBOX-MIB", MIBDIRS=f"{base_mibs(tmp / 'mibs')}:{MIB_DIR}",
                SNMP_PERSISTENT_DIR=str(tmp / "persist"), SNMPCONFPATH=str(tmp / "persist"))


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def translate(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["snmptranslate", *args], env=mib_env(tmp), capture_output=True, text=True, timeout=30)


@needs_netsnmp
def test_the_mib_parses_without_a_warning(tmp_path):
    r = translate(tmp_path, "-Tp", "-IR", "callbox")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "cbServiceRestarted(13)" in r.stdout


@needs_netsnmp
def test_a_broken_mib_is_caught(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    text = (MIB_DIR / "CALLBOX-MIB.txt").read_text(encoding="ascii")
    (bad / "CALLBOX-MIB.txt").write_text(text.replace("Gauge32 (0..100)", "Gauge32 (0..100"), encoding="ascii")
    env = dict(mib_env(tmp_path), MIBDIRS=f"{tmp_path / 'mibs'}:{bad}")
    r = subprocess.run(["snmptranslate", "-Tp", "-IR", "callbox"], env=env, capture_output=True, text=True)
    assert "Bad parse" in r.stderr


@needs_netsnmp
def test_every_trap_is_in_the_mib_at_the_oid_we_send(tmp_path):
    names = [f"CALLBOX-MIB::{mib}" for _, mib in snmp.TRAPS.values()]
    r = translate(tmp_path, "-On", *names)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    got = [line for line in r.stdout.split() if line]
    assert got == [f".{snmp.NOTIFICATIONS}.{n}" for n, _ in snmp.TRAPS.values()]
    assert set(snmp.TRAPS) == {"link_down", "link_up", "no_data", "data_resumed", "parse_failures",
                               "parse_failures_cleared", "journal_high", "journal_ok", "db_error", "db_ok",
                               "sync_failing", "sync_ok", "service_restarted", "alert_raised", "alert_cleared"}


@needs_netsnmp
def test_every_trap_value_and_health_value_is_in_the_mib(tmp_path):
    expected = {mib: f".{snmp.TRAP_VARS}.{n}" for n, mib in snmp.VALUES.values()}
    expected.update({mib: f".{snmp.HEALTH}.{n}" for n, (mib, _) in snmp_pass.SCALARS.items()})
    expected.update({mib: f".{snmp.HEALTH}.{snmp_pass.LINK_TABLE}.1.{n}" for n, mib in snmp_pass.LINK_COLUMNS.items()})
    r = translate(tmp_path, "-On", *(f"CALLBOX-MIB::{m}" for m in expected))
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    assert r.stdout.split() == list(expected.values())


@needs_netsnmp
def test_the_mib_says_its_enterprise_number_is_a_placeholder(tmp_path):
    r = translate(tmp_path, "-Td", "CALLBOX-MIB::callbox")
    assert "99999" in r.stdout and "PLACEHOLDER" in r.stdout
    assert snmp.ENTERPRISE == "1.3.6.1.4.1.99999"
