"""A change to callbox.ini restarts only the processes that read what changed (appliance.reload,
procs.watch_config), and config.update writes several-line values as continuation lines, keeping the rest."""
from __future__ import annotations

import threading

import pytest

from appliance import config, procs, reload

INI = """# the box's settings
[capture]
url = tcp-listen://0.0.0.0:1150

[numbers]
# TR needs an area code
country = TR
area_codes = 232

[upload]
targets =
    nas = ftp://a@nas/x
    old = ftp://b@old/y
path = {name}
"""


def test_each_process_reads_its_own_sections():
    assert reload.restarted_by({("mail", "host")}) == ["jobs"]
    assert reload.restarted_by({("mail", "language")}) == ["worker", "jobs"]
    assert reload.restarted_by({("numbers", "country")}) == ["worker", "jobs"]
    assert reload.restarted_by({("snmp", "managers"), ("upload", "targets")}) == ["jobs"]
    assert reload.restarted_by({("capture", "url")}) == ["capture", "worker", "jobs"]
    assert reload.restarted_by({("pbx", "driver")}) == ["capture", "worker", "jobs"]
    assert reload.restarted_by(set()) == []


def test_a_fingerprint_holds_only_what_the_process_reads(tmp_path):
    ini = tmp_path / "callbox.ini"
    assert reload.fingerprint(ini, "capture") == {}     # no file yet
    ini.write_text(INI, encoding="utf-8")
    assert reload.fingerprint(ini, "capture") == {("capture", "url"): "tcp-listen://0.0.0.0:1150"}
    assert ("numbers", "country") in reload.fingerprint(ini, "worker")
    assert ("upload", "targets") not in reload.fingerprint(ini, "worker")
    ini.write_text("[numbers\nbroken", encoding="utf-8")
    assert reload.fingerprint(ini, "capture") is None


def test_update_replaces_a_several_line_value_and_keeps_comments(tmp_path):
    ini = tmp_path / "callbox.ini"
    ini.write_text(INI, encoding="utf-8")
    config.update(ini, {"upload": {"targets": "nas = ftp://a@nas/z\nbackup = sftp://c@bk/w"},
                        "snmp": {"managers": "v2c udp:10.0.0.9 community_file=c"}})
    text = ini.read_text(encoding="utf-8")
    assert "# the box's settings" in text and "# TR needs an area code" in text
    assert "targets =\n    nas = ftp://a@nas/z\n    backup = sftp://c@bk/w\npath = {name}\n" in text
    assert "old = ftp" not in text
    assert text.endswith("[snmp]\nmanagers = v2c udp:10.0.0.9 community_file=c\n")
    cfg = config.Config(ini)
    assert cfg.section("upload").targets.splitlines() == ["nas = ftp://a@nas/z", "backup = sftp://c@bk/w"]
    config.update(ini, {"upload": {"targets": ""}})
    assert "targets =\npath = {name}\n" in ini.read_text(encoding="utf-8")
    with pytest.raises(config.ConfigError):
        config.update(ini, {"upload": {"path": "a\rb"}})


@pytest.mark.parametrize("process, section, key, value, restarts", [
    ("capture", "mail", "host", "smtp.example.com", False),
    ("capture", "numbers", "area_codes", "212", False),
    ("capture", "capture", "url", "tcp-listen://0.0.0.0:1151", True),
    ("worker", "mail", "host", "smtp.example.com", False),
    ("worker", "numbers", "area_codes", "212", True),
    ("jobs", "mail", "host", "smtp.example.com", True),
])
def test_the_watch_restarts_only_for_what_the_process_reads(tmp_path, monkeypatch, process, section, key, value,
                                                            restarts):
    monkeypatch.setattr(procs, "WATCH_S", 0.02)
    ini = tmp_path / "callbox.ini"
    ini.write_text(INI, encoding="utf-8")
    stop = threading.Event()
    changed = procs.watch_config(ini, stop, process)
    config.update(ini, {section: {key: value}})
    config.update(ini, {"web": {"port": "8443"}})
    if restarts:
        assert changed.wait(30) and stop.is_set()
    else:   # the watch saw both writes (a stat every 20 ms) and carried on
        assert not changed.wait(0.5) and not stop.is_set()
        config.update(ini, {"pbx": {"timezone": "UTC"}})          # what every process reads still counts
        assert changed.wait(30)
    stop.set()


@pytest.mark.parametrize("process", reload.WATCHING)
def test_a_restart_request_restarts_every_process_whatever_the_settings(tmp_path, monkeypatch, process):
    """A restore replaces the data under the processes and may bring the very same settings: the request beside
    callbox.ini (appliance.backup.archive.restore_running) restarts each of them all the same."""
    monkeypatch.setattr(procs, "WATCH_S", 0.02)
    ini = tmp_path / "callbox.ini"
    ini.write_text(INI, encoding="utf-8")
    stop = threading.Event()
    changed = procs.watch_config(ini, stop, process)
    ini.write_text(INI, encoding="utf-8")          # rewritten, nothing changed: carries on
    assert not changed.wait(0.5)
    reload.request_restart(ini)
    assert changed.wait(30) and stop.is_set()
