"""The PBX wizard's routes in-process (WebTest): the link and the driver written to the INI, the live view of the
journal's lines with the ranking and the preview, the refusals, and the page in every language."""
from __future__ import annotations

import threading

import pytest

from appliance import config
from appliance.capture import scanservice
from appliance.journal import JournalWriter
from conftest import FIXTURES
from i18n_helpers import english_left
from webui import i18n

AVAYA = (FIXTURES / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw").read_bytes().split(b"\n")[1:61]


def test_a_new_box_through_the_wizard(client, csrf, data_dir):
    page = client.get("/setup/pbx")
    assert "No link chosen yet." in page.text and 'id="kind-tcp-listen" checked' in page.text
    assert client.get("/api/setup/pbx/lines").json["lines"] == []
    bad = client.post("/setup/pbx/link", {"kind": "tcp-listen", "listen_port": "99999", "csrf_token": csrf},
                      status=400)
    assert "port: 99999 is not between 1 and 65535" in bad.text and not (data_dir / "callbox.ini").exists()
    client.post("/setup/pbx/link", {"kind": "tcp-listen", "listen_port": "1150", "connect_port": "4000",
                                    "csrf_token": csrf}, status=303)
    assert config.Config(data_dir / "callbox.ini").raw_section("capture") == {"url": "tcp-listen://0.0.0.0:1150"}
    with JournalWriter(data_dir / "journal") as w:
        w.append_many([(b"garbage from another link\r\n", 0)], "serial:/dev/ttyS0")
        w.append(b'{"event": "link_up"}', "tcp:10.0.0.5:51234", flags=2)
        w.append_many([(line + b"\r\n", 0) for line in AVAYA], "tcp:10.0.0.5:51234")
        w.append(b"<script>alert(1)</script>\r\n", "tcp:10.0.0.5:51234")
    look = client.get("/api/setup/pbx/lines").json
    assert look["url"] == "tcp-listen://0.0.0.0:1150" and look["count"] == 61
    assert look["ranking"][0]["driver"] == "avaya_ipoffice" and look["ranking"][0]["name"] == "Avaya IP Office"
    assert look["ranking"][0]["confidence"] > 0.95      # 60 records and the one injected line
    assert look["driver"] == "avaya_ipoffice" and len(look["records"]) == 20
    assert look["lines"][-1]["text"] == "<script>alert(1)</script>"          # JSON; the page sets it as text
    assert "garbage" not in str(look["lines"])
    last = look["records"][-1]
    assert last["error"] and last["ref"] == look["lines"][-1]["ref"]
    read = look["records"][-2]
    assert set(read) >= {"start", "direction", "extension", "number", "duration"} and "error" not in read
    other = client.get("/api/setup/pbx/lines", {"driver": "threecx"}).json
    assert other["driver"] == "threecx" and all("error" in r for r in other["records"])
    assert client.get("/api/setup/pbx/lines", {"driver": "../etc"}).json["driver"] == "avaya_ipoffice"
    refused = client.post("/setup/pbx/driver", {"driver": "no_such", "csrf_token": csrf}, status=400)
    assert "unknown driver" in refused.text
    client.post("/setup/pbx/driver", {"driver": "avaya_ipoffice", "timezone": "Europe/Warsaw", "csrf_token": csrf},
                status=303)
    pbx = config.Config(data_dir / "callbox.ini").raw_section("pbx")
    assert pbx == {"driver": "avaya_ipoffice", "timezone": "Europe/Warsaw"}
    done = client.get("/setup/pbx", {"chosen": "avaya_ipoffice"})
    assert "Driver avaya_ipoffice chosen" in done.text and 'value="avaya_ipoffice" selected' in done.text


def test_the_scan_is_refused_on_the_port_capture_reads(client, csrf, data_dir):
    (data_dir / "callbox.ini").write_text("[capture]\nurl = serial:///dev/ttyUSB0?baud=9600\n", encoding="utf-8")
    headers = {"X-CSRF-Token": csrf}
    busy = client.post("/setup/pbx/scan", {"device": "/dev/ttyUSB0"}, headers=headers, status=409).json
    assert "Capture is reading this port now" in busy["error"]
    assert "device" in client.post("/setup/pbx/scan", {"device": "COM1"}, headers=headers, status=400).json["error"]


def test_the_web_asks_capture_to_scan(client, csrf, data_dir, monkeypatch):
    headers = {"X-CSRF-Token": csrf}
    monkeypatch.setattr(scanservice, "MARGIN_S", 0.5)
    down = client.post("/setup/pbx/scan", {"device": "/dev/pts/nonexistent", "window": "0.2"}, headers=headers,
                       status=503).json
    assert "Capture did not answer" in down["error"]
    stop = threading.Event()
    scanservice.serve(data_dir / "run", stop, poll_s=0.05)      # what the capture process runs
    try:
        gone = client.post("/setup/pbx/scan", {"device": "/dev/pts/nonexistent", "window": "0.2"}, headers=headers,
                           status=409).json
        assert "cannot open /dev/pts/nonexistent" in gone["error"]
    finally:
        stop.set()


@pytest.mark.parametrize("lang", [code for code in i18n.LANGUAGES if code != "en"])
def test_the_wizard_speaks_every_language(client, csrf, data_dir, lang):
    (data_dir / "callbox.ini").write_text("[capture]\nurl = socket://10.0.0.5:4000\n", encoding="utf-8")
    page = client.get(f"/setup/pbx?lang={lang}&chosen=avaya_ipoffice").text
    assert english_left(page, lang) == []
    # the drivers' names that hold words are said in the language too (issue 20); a product name stays as it is
    from appliance import registry
    from webui.admin.pbx_wizard import DRIVER_WORDS
    assert set(DRIVER_WORDS) <= {registry.load(n).NAME for n in registry.names()}
    assert all(i18n.catalog(lang)[name] in page and name not in page for name in DRIVER_WORDS)
