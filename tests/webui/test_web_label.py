"""The box's printable label (/label, issue 19): public, large type, the box's host name, web addresses, MAC and
serial number; the one-time setup code on it only while the first boot is pending, and only for the box itself or
when [web] label_setup_code = yes; gone once the first administrator exists, and from then on the page is for logged-in
users only."""
from __future__ import annotations

import socket

import webtest

from appliance import config
from appliance.firstboot import label
from test_web_first_boot import details
from webui.app import make_app

NETWORK = {"REMOTE_ADDR": "192.0.2.50"}


def test_the_label_shows_the_setup_code_until_the_box_is_set_up(data_dir):
    cfg = config.Config(text="[web]\nlabel_setup_code = yes\n")
    app = make_app(data_dir, cfg)
    code = app.config["callbox.setup_code"]
    client = webtest.TestApp(app, extra_environ=NETWORK)
    assert 'href="/label"' in client.get("/first-boot").text          # from the page the console names
    page = client.get("/label")                                        # no login
    assert page.status_int == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'<dd class="code" id="label-code">{code}</dd>' in page.text
    assert f'id="label-hostname">{socket.gethostname()}<' in page.text
    assert "/first-boot" in page.text and 'href="/static/label.css"' in page.text and "<nav" not in page.text
    for mac in label.mac_addresses():
        assert mac["mac"] in page.text
    served = client.get("/label", headers={"Host": "192.0.2.9:8443"}, extra_environ={"wsgi.url_scheme": "https"})
    for address in label.urls(label.network.current_addresses(), 8443, True):     # as the browser reached it
        assert f">{address}</dd>" in served.text
    client.post("/first-boot/finish", details(code.replace("-", ""), company="Örnek A.Ş.", branch="İzmir"))
    assert webtest.TestApp(app, extra_environ=NETWORK).get("/label").location.endswith("/login?next=/label")
    after = client.get("/label").text                  # set up: for its users only (the installer is logged in)
    assert code not in after and "label-code" not in after and "Setup code" not in after
    assert "Örnek A.Ş. · İzmir" not in after      # the web's settings object: the names show after its restart
    assert not (data_dir / "run" / "setup-code").exists()


def test_by_default_only_the_box_itself_sees_the_code_on_the_label(data_dir):
    app = make_app(data_dir)
    code = app.config["callbox.setup_code"]
    network = webtest.TestApp(app, extra_environ=NETWORK).get("/label").text
    assert code not in network and 'id="label-code-console"' in network and "On the box&#039;s console" in network
    local = webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"}).get("/label").text
    assert f'id="label-code">{code}<' in local
    turkish = webtest.TestApp(app, extra_environ=NETWORK).get("/label", headers={"Accept-Language": "tr"}).text
    assert 'lang="tr"' in turkish and "Web address" not in turkish


def test_the_label_reads_the_serial_number_and_the_cards_from_the_kernel(tmp_path):
    sysfs = tmp_path / "sys"
    (sysfs / "firmware/devicetree/base").mkdir(parents=True)
    (sysfs / "firmware/devicetree/base/serial-number").write_bytes(b"10000000a3b2c1d0\x00")
    assert label.serial_number(sysfs, tmp_path / "none") == "10000000a3b2c1d0"
    (sysfs / "firmware/devicetree/base/serial-number").unlink()
    (sysfs / "class/dmi/id").mkdir(parents=True)
    (sysfs / "class/dmi/id/product_serial").write_text("To be filled by O.E.M.\n")
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nSerial\t\t: 00000000c0ffee42\n")
    assert label.serial_number(sysfs, cpuinfo) == "00000000c0ffee42"      # not the placeholder
    assert label.serial_number(sysfs, tmp_path / "none") == ""
    for name, kind, mac, device in (("eth0", "1", "b8:27:eb:12:34:56", True), ("lo", "772", "00:00:00:00:00:00", False),
                                    ("docker0", "1", "02:42:ac:11:00:02", False), ("wlan0", "1", "dc:a6:32:0a:0b:0c",
                                                                                   True)):
        card = sysfs / "class/net" / name
        card.mkdir(parents=True)
        (card / "type").write_text(kind + "\n")
        (card / "address").write_text(mac + "\n")
        if device:
            (card / "device").mkdir()
    assert label.mac_addresses(sysfs) == [{"interface": "eth0", "mac": "B8:27:EB:12:34:56"},
                                          {"interface": "wlan0", "mac": "DC:A6:32:0A:0B:0C"}]
    assert label.urls([{"interface": "eth0", "address": "192.0.2.10/24"},
                       {"interface": "eth0", "address": "fe80::1/64"},
                       {"interface": "eth0", "address": "2001:db8::10/64"}], 443, True) == [
        "https://192.0.2.10/", "https://[2001:db8::10]/"]
    assert label.urls([{"interface": "eth0", "address": "192.0.2.10/24"}], 8443, True) == ["https://192.0.2.10:8443/"]
