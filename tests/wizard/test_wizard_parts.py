"""The wizard's parts: the link form <-> URL, writing the INI in place, the baud-rate scan's scoring, the restart
on a changed configuration."""
from __future__ import annotations

import threading

import pytest

from appliance import config, procs
from appliance.capture import baudscan
from appliance.registry import UnknownDriver
from appliance.wizard import choice, links


@pytest.mark.parametrize(("form", "url"), [
    ({"kind": "serial", "device": "/dev/ttyUSB0", "baud": "4800", "parity": "E", "bytesize": "7"},
     "serial:///dev/ttyUSB0?baud=4800&bytesize=7&parity=E&stopbits=1"),
    ({"kind": "serial", "device": "/dev/ttyS0", "baud": "9600"},
     "serial:///dev/ttyS0?baud=9600&bytesize=8&parity=N&stopbits=1"),
    ({"kind": "tcp-listen", "port": "1150"}, "tcp-listen://0.0.0.0:1150"),
    ({"kind": "socket", "host": "10.0.0.5", "port": "4000"}, "socket://10.0.0.5:4000"),
    ({"kind": "socket", "host": "fd00::5", "port": "1752"}, "socket://[fd00::5]:1752"),
    ({"kind": "file", "path": "/mnt/pbx/Master.csv"}, "file:///mnt/pbx/Master.csv"),
])
def test_a_form_makes_its_url_and_the_url_gives_the_form_back(form, url):
    assert links.build_url(form) == url
    back = links.describe(url)
    assert back["kind"] == form["kind"]
    assert links.build_url({**form, **back}) == url


@pytest.mark.parametrize(("form", "field"), [
    ({"kind": "serial", "device": "ttyUSB0"}, "device"),
    ({"kind": "serial", "device": "/dev/x", "baud": "9601"}, "baud"),
    ({"kind": "serial", "device": "/dev/ttyS0?baud=1", "baud": "9600"}, "device"),
    ({"kind": "tcp-listen", "port": "70000"}, "port"), ({"kind": "tcp-listen", "port": "x"}, "port"),
    ({"kind": "socket", "host": "", "port": "1"}, "host"), ({"kind": "socket", "host": "a/b", "port": "1"}, "host"),
    ({"kind": "file", "path": "cdr.csv"}, "path"), ({"kind": "modem"}, "kind"),
])
def test_a_bad_form_names_its_field(form, field):
    with pytest.raises(links.LinkError, match=f"^{field}"):
        links.build_url(form)


def test_the_ini_is_changed_in_place_keeping_comments_and_other_keys(tmp_path):
    ini = tmp_path / "callbox.ini"
    ini.write_text("# the box's settings\n[web]\nport = 443\n\n[capture]\n# the PBX pushes to us\nurl = socket://a:1\n"
                   "reconnect_max_s = 5\n\n[pbx]\n# driver = old\n", encoding="utf-8")
    choice.choose_link(ini, "tcp-listen://0.0.0.0:1150")
    choice.choose_driver(ini, "avaya_ipoffice", "Europe/Warsaw")
    assert ini.read_text(encoding="utf-8") == (
        "# the box's settings\n[web]\nport = 443\n\n[capture]\n# the PBX pushes to us\n"
        "url = tcp-listen://0.0.0.0:1150\n"
        "reconnect_max_s = 5\n\n[pbx]\n# driver = old\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n")
    new = tmp_path / "new.ini"
    choice.choose_driver(new, "threecx")
    assert new.read_text(encoding="utf-8") == "[pbx]\ndriver = threecx\n"


def test_a_choice_the_configuration_refuses_leaves_the_file_as_it_was(tmp_path):
    ini = tmp_path / "callbox.ini"
    text = "[pbx]\ndriver = mitel_5000\npassword = s3cret\n"
    ini.write_text(text, encoding="utf-8")
    with pytest.raises(config.ConfigError, match="password"):      # an option of mitel_5000, not of threecx
        choice.choose_driver(ini, "threecx")
    with pytest.raises(UnknownDriver):
        choice.choose_driver(ini, "no_such_pbx")
    with pytest.raises(config.ConfigError, match="timezone"):
        choice.choose_driver(ini, "mitel_5000", "Mars/Olympus")
    with pytest.raises(config.ConfigError, match="one line"):
        config.update(ini, {"capture": {"url": "a\n[x]"}})
    assert ini.read_text(encoding="utf-8") == text


def test_the_baud_scan_proposes_the_rate_whose_bytes_are_text_lines():
    line = "2017/07/03 08:13:24,00:00:12,3,201,O,0555123456,Ayşe Yılmaz\r\n".encode()
    garbage = bytes([0x00, 0xf8, 0x80, 0xfe, 0x66, 0x00, 0x9e, 0x78, 0xe0, 0x1c]) * 8

    def listen(device, baud, window):
        return {4800: line * 3, 9600: garbage, 19200: line[:20]}.get(baud, b"")
    results = baudscan.scan("/dev/ttyUSB0", window_s=0, listen=listen)
    assert [r["baud"] for r in results[:3]] == [4800, 19200, 9600]
    assert results[0]["score"] == 1.0 and results[1]["score"] == 0.5 and results[2]["score"] < 0.3
    assert all(r["score"] == 0 for r in results[3:])
    silent = baudscan.scan("/dev/ttyUSB0", window_s=0, listen=lambda d, b, w: b"")
    assert silent[0]["baud"] == 9600 and silent[0]["score"] == 0     # nothing came: the usual rate, score 0
    with pytest.raises(ValueError, match="serial"):
        baudscan.scan("socket://127.0.0.1:1", listen=listen)


def test_a_process_sees_its_configuration_change(tmp_path, monkeypatch):
    monkeypatch.setattr(procs, "WATCH_S", 0.05)
    ini = tmp_path / "callbox.ini"
    stop = threading.Event()
    changed = procs.watch_config(ini, stop)            # no file yet: its appearance is a change
    assert not stop.wait(0.3)
    choice.choose_link(ini, "tcp-listen://0.0.0.0:1150")
    assert stop.wait(5) and changed.is_set()
    stop2 = threading.Event()
    changed2 = procs.watch_config(ini, stop2)
    stop2.set()                                         # a stop of its own: no change
    assert not changed2.wait(0.2)
