"""The first-boot wizard's network step (issue 19): DHCP or a static address, checked with the ipaddress module,
written as a systemd-networkd .network file to <data>/network/ (applied by the image's root-owned unit; on a
development machine it stays there, and the wizard says so); the box's current addresses shown."""
from __future__ import annotations

import ipaddress

import pytest
import webtest

from appliance import config
from appliance.firstboot import network
from test_web_first_boot import details
from webui.app import make_app


@pytest.mark.parametrize("answers, field", [
    (("static", "192.0.2.10", "192.0.2.1", ""), "address"),            # no prefix
    (("static", "192.0.2.300/24", "", ""), "address"),
    (("static", "192.0.2.0/24", "", ""), "address"),                   # the network's own address
    (("static", "192.0.2.255/24", "", ""), "address"),                 # its broadcast
    (("static", "127.0.0.5/8", "", ""), "address"),
    (("static", "192.0.2.10/24", "198.51.100.1", ""), "gateway"),      # outside the network
    (("static", "192.0.2.10/24", "192.0.2.10", ""), "gateway"),        # the box itself
    (("static", "192.0.2.10/24", "2001:db8::1", ""), "gateway"),
    (("dhcp", "", "", "9.9.9.9 dns.example"), "dns"),
    (("dhcp", "", "", "1.1.1.1 8.8.8.8 9.9.9.9 8.8.4.4"), "dns"),
    (("bridge", "", "", ""), "network"),
])
def test_wrong_answers_name_their_field(answers, field):
    with pytest.raises(config.ConfigError, match=f"^{field}: "):
        network.check(*answers)


def test_static_and_dhcp_files():
    static = network.check("static", " 192.0.2.10/24 ", "192.0.2.1", "192.0.2.1, 2620:fe::fe")
    assert network.render(static).endswith("[Match]\nName=en* eth*\n\n[Network]\nDHCP=no\nAddress=192.0.2.10/24\n"
                                           "Gateway=192.0.2.1\nDNS=192.0.2.1\nDNS=2620:fe::fe\n")
    v6 = network.check("static", "2001:db8::5/64", "fe80::1", "")      # a link-local gateway is fine in IPv6
    assert "Address=2001:db8::5/64\nGateway=fe80::1\n" in network.render(v6)
    assert network.render(network.check("", "ignored", "ignored", "")).endswith("[Network]\nDHCP=yes\n")


def test_current_addresses(tmp_path):
    inet6 = tmp_path / "if_inet6"
    inet6.write_text("20010db8000000000000000000000005 02 40 00 80     eth0\n"
                     "00000000000000000000000000000001 01 80 10 80       lo\n", encoding="ascii")
    found = network.current_addresses(inet6)
    assert {"interface": "eth0", "address": "2001:db8::5/64"} in found
    assert all(a["interface"] != "lo" for a in found)
    for a in found:
        ipaddress.ip_interface(a["address"])        # every one an address with its prefix


def test_the_wizard_writes_a_static_address_to_the_data_directory(data_dir):
    app = make_app(data_dir)
    code = app.config["callbox.setup_code"].replace("-", "")
    client = webtest.TestApp(app)
    page = client.post("/first-boot", {"code": code})
    assert 'id="network-dhcp" checked' in page.text and 'id="current-addresses"' in page.text
    assert "not the appliance image" in page.text             # a development machine: no apply-network
    bad = client.post("/first-boot/finish", details(code, network="static", address="192.0.2.10/24",
                                                    gateway="198.51.100.1"), status=400)
    assert "gateway: 198.51.100.1 is not in the box&#039;s network 192.0.2.0/24" in bad.text
    assert 'id="network-static" checked' in bad.text and not (data_dir / "network").exists()
    done = client.post("/first-boot/finish", details(code, network="static", address="192.0.2.10/24",
                                                     gateway="192.0.2.1", dns="192.0.2.1"))
    written = (data_dir / "network" / "10-callbox.network").read_text(encoding="utf-8")
    assert "Address=192.0.2.10/24\nGateway=192.0.2.1\nDNS=192.0.2.1\n" in written
    assert 'id="network-file"' in done.text and "Address=192.0.2.10/24" in done.text
    assert "the file stays in the data directory" in done.text
