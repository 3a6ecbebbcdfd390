"""appliance.snmp: [snmp] parsing, trap values, the outbox kind, service_restarted, and the CLI."""
from __future__ import annotations

import logging
import subprocess
import sys
import time

import pytest

from appliance import paths, store
from appliance.cli import main as cli
from appliance.cli import snmp as cli_snmp
from appliance.config import Config, ConfigError
from appliance.delivery import outbox
from appliance.snmp import traps as snmp
from appliance.supervisor import Supervisor

ENGINE = "8001869f05c0ffee00112233"


def cfg(managers: str, engine_id: str = ENGINE) -> Config:
    return Config(text="[snmp]\nmanagers =\n    " + "\n    ".join(managers.splitlines()) +
                  f"\nengine_id = {engine_id}\n")


def test_manager_lines_are_parsed_with_defaults():
    s = snmp.settings(cfg("v2c udp:nms.example.com community_file=/etc/callbox/community\n"
                          "# a comment\n"
                          "V3 udp:10.0.0.9:1162 user=callbox auth_file=auth priv_file=priv\n"
                          "v3 udp6:[fd00::9] user=u auth_file=a priv_file=p"))
    assert s.enabled and s.engine_id == bytes.fromhex(ENGINE)
    a, b, c = s.managers
    assert (a.version, a.host, a.port, a.community_file) == ("v2c", "nms.example.com", 162, "/etc/callbox/community")
    assert (b.version, b.host, b.port, b.user, b.auth_file, b.priv_file) == ("v3", "10.0.0.9", 1162, "callbox",
                                                                             "auth", "priv")
    assert c.ipv6 and c.host == "fd00::9" and c.label == "v3 udp6:[fd00::9]:162 user u"


def test_no_managers_means_snmp_is_off():
    assert not snmp.settings(Config()).enabled
    assert not snmp.settings(cfg("", engine_id="")).enabled


@pytest.mark.parametrize("line, message", [
    ("v1 udp:h community_file=x", "expected 'v2c"),
    ("v2c tcp:h:162 community_file=x", "is not udp:HOST"),
    ("v2c udp:h:70000 community_file=x", "port 70000"),
    ("v2c udp:h community=public", "'community=public': v2c takes community_file"),
    ("v3 udp:h user=u auth_file=a", "v3 needs priv_file"),
    ("v3 udp:h user=u auth_file=a priv_file=p authkey=secret", "'authkey=secret'"),
])
def test_a_bad_manager_line_names_the_line_and_the_problem(line, message):
    with pytest.raises(ConfigError) as e:
        snmp.settings(cfg(f"v2c udp:ok community_file=c\n{line}"))
    assert "[snmp] managers line 2" in str(e.value) and message in str(e.value)


@pytest.mark.parametrize("engine_id, message", [("", "required for v3"), ("80001869", "5 to 32 bytes"),
                                                ("zz" * 8, "5 to 32 bytes")])
def test_the_engine_id_is_checked(engine_id, message):
    with pytest.raises(ConfigError, match=message):
        snmp.settings(cfg("v3 udp:h user=u auth_file=a priv_file=p", engine_id=engine_id))
    assert snmp.settings(cfg("v3 udp:h user=u auth_file=a priv_file=p", engine_id="0x" + ENGINE)).engine_id


def test_trap_values_are_checked_and_text_is_cut_at_a_character():
    assert snmp.check_values("no_data", {"source": "s", "text": "Ç" * 600, "value": 2**40}) == {
        "source": "s", "text": "Ç" * 512, "value": 2**31 - 1}
    assert snmp.check_values("link_up", {}) == {"source": "", "text": ""}
    with pytest.raises(ValueError, match="unknown trap 'link_flap'"):
        snmp.check_values("link_flap", {})
    with pytest.raises(ValueError, match="unknown values severity"):
        snmp.check_values("link_up", {"severity": 1})
    with pytest.raises(ValueError, match="value must be an integer"):
        snmp.check_values("link_up", {"value": "5"})


def test_secrets_are_read_from_files_relative_to_the_data_directory(tmp_path):
    (tmp_path / "community").write_text("s3cret-Çağrı\nignored\n", encoding="utf-8")
    assert snmp.read_secret("community", tmp_path, "community_file") == "s3cret-Çağrı"
    (tmp_path / "empty").write_text("", encoding="utf-8")
    (tmp_path / "open").write_text("s3cret\n", encoding="utf-8")
    (tmp_path / "open").chmod(0o644)
    for name, message in (("empty", "is empty"), ("missing", "No such file"), ("open", "chmod 600")):
        with pytest.raises(snmp.SnmpError, match=message):
            snmp.read_secret(name, tmp_path, "community_file")


def test_a_short_v3_key_is_refused_without_showing_it(tmp_path, caplog):
    from appliance.snmp import send as snmp_send
    (tmp_path / "a").write_text("short", encoding="utf-8")
    (tmp_path / "p").write_text("long-enough-key", encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(snmp.SnmpError) as e:
        snmp.send_trap(cfg(f"v3 udp:127.0.0.1:9 user=u auth_file={tmp_path}/a priv_file={tmp_path}/p"),
                       "link_up", {"text": "x"})
    assert "shorter than 8" in str(e.value) and "short" not in str(e.value).replace("shorter", "")
    assert "long-enough-key" not in caplog.text
    assert snmp_send.TIMEOUT_S > 0


def test_the_outbox_kind_is_registered_and_a_disabled_box_drops_traps(db, tmp_path):
    item = snmp.queue_trap("alert_cleared", {"source": "Satış", "text": "ok"})
    assert outbox.deliver_due(Config(), tmp_path) == (1, 0)
    assert [i.id for i in outbox.items("delivered")] == [item]
    with pytest.raises(ValueError):
        snmp.queue_trap("nonsense", {})


def test_an_unclean_stop_is_noticed_at_the_next_start(tmp_path):
    assert paths.mark_started(tmp_path, "callbox") is False
    assert paths.mark_started(tmp_path, "callbox") is True        # no mark_stopped in between: a crash
    paths.mark_stopped(tmp_path, "callbox")
    assert paths.mark_started(tmp_path, "callbox") is False
    assert paths.data_dir_of(["python", "-m", "x", "--data", str(tmp_path)]) == tmp_path
    assert paths.data_dir_of(["python", "--data"]) is None


def test_the_supervisor_queues_service_restarted_when_it_restarts_a_child(tmp_path):
    data = tmp_path / "var"
    sup = Supervisor([("worker", [sys.executable, "-c", "import sys; sys.exit(3)", "--data", str(data)])])
    child = sup.children[0]
    child.start()
    child.proc.wait(30)
    sup._check()                        # it sees the exit: restart scheduled, trap queued
    assert store.db.is_closed()         # the supervisor opened the database only for the enqueue
    store.open_db(data / "callbox.db")
    try:
        (item,) = outbox.items()
        assert item.kind == "trap" and "worker" in item.summary and "exited with code 3" in item.summary
    finally:
        store.close_db()


def test_callbox_run_after_an_unclean_stop_queues_service_restarted(tmp_path):
    data = tmp_path / "var"
    paths.mark_started(data, "callbox")          # a `callbox run` that was killed
    started = tmp_path / "started"        # the child starts after the supervisor queued the trap
    argv = [sys.executable, "-c", f"import time; open({str(started)!r}, 'w'); time.sleep(60)", "--data", str(data)]
    r = subprocess.Popen([sys.executable, "-c", "import sys; from appliance.supervisor import Supervisor; "
                          f"sys.exit(Supervisor([('sleeper', {argv!r})]).run())"])
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline and r.poll() is None
        time.sleep(0.05)
    r.terminate()
    assert r.wait(30) == 0
    assert not (data / "run" / "callbox.running").exists()     # a clean stop
    store.open_db(data / "callbox.db")
    try:
        (item,) = outbox.items()
        assert "unclean stop" in item.summary
    finally:
        store.close_db()


def test_cli_engine_id_prints_an_rfc3411_engine_id(capsys):
    assert cli.main(["snmp", "engine-id"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("8001869f05") and len(out) == 26 and out != cli_snmp.new_engine_id()
    snmp.settings(cfg("v3 udp:h user=u auth_file=a priv_file=p", engine_id=out))


def test_cli_test_trap_without_managers_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["snmp", "test-trap", "--data", str(tmp_path)]) == 2
    assert "no [snmp] managers" in capsys.readouterr().err
