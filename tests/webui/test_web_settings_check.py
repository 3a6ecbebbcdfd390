"""/settings (issue 20): the numbering plan, e-mail, file servers and SNMP managers checked as the CLI checks them,
each tried from the page (a classified number, a test message, a test file, a test trap), for administrators of
the whole box only."""
from __future__ import annotations

import socket
import threading
import warnings

import pytest
import webtest
from aiosmtpd.controller import Controller

from appliance import config, store
from web_helpers import add_user, login
from webui.app import make_app

with warnings.catch_warnings():   # pyftpdlib on 3.11 uses asyncore/asynchat: harmless (STACK.md §8)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer


class Inbox:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content)
        return "250 OK"


@pytest.fixture
def servers(tmp_path):
    """An SMTP server, an FTP server and a UDP trap receiver on 127.0.0.1, and the callbox.ini naming them."""
    inbox = Inbox()
    with socket.socket() as probe:            # aiosmtpd connects to its port to see it is up: not port 0
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    root = tmp_path / "ftp"
    root.mkdir()
    auth = DummyAuthorizer()
    auth.add_user("rapor", "gizli", str(root), perm="elradfmw")
    handler = type("Handler", (FTPHandler,), {"authorizer": auth})
    ftp = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
    thread = threading.Thread(target=ftp.serve_forever, kwargs={"timeout": 0.1}, daemon=True)
    thread.start()
    traps = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    traps.bind(("127.0.0.1", 0))
    traps.settimeout(5)
    data = tmp_path / "data"
    data.mkdir()
    for name, secret in (("ftp.pw", "gizli"), ("community", "public")):
        (data / name).write_text(secret + "\n", encoding="utf-8")
        (data / name).chmod(0o600)
    ini = (f"[pbx]\ntimezone = Europe/Istanbul\n[numbers]\ncountry = TR\naccess_codes = 0\narea_codes = 232\n"
           f"[mail]\nhost = 127.0.0.1\nport = {smtp_port}\nsecurity = none\nfrom_address = callbox@example.com\n"
           f"[upload]\ntargets =\n    nas = ftp://rapor@127.0.0.1:{ftp.address[1]}/raporlar?password_file=ftp.pw\n"
           f"path = {{name}}\n[snmp]\nmanagers = v2c udp:127.0.0.1:{traps.getsockname()[1]} "
           f"community_file={data}/community\n")
    yield {"data": data, "cfg": config.Config(text=ini), "inbox": inbox, "ftp_root": root, "traps": traps}
    smtp.stop()
    ftp.close_all()
    thread.join(5)
    traps.close()


@pytest.fixture
def client(servers):
    app = make_app(servers["data"], servers["cfg"])
    yield webtest.TestApp(app)
    store.close_db()


def test_a_number_is_classified_by_the_numbering_plan(client, servers):
    add_user("root", "administrator", "all")
    login(client, "root")
    html = client.get("/settings").text
    assert "TR" in html and "232" in html and 'action="/settings/test"' in html
    html = client.get("/settings", {"number": "005321234567"}).text
    assert "<td>+905321234567</td><td>mobile</td><td>TR</td><td>Turkcell</td>" in html.replace(' class="num"', "")
    html = client.get("/settings", {"number": "02324445566", "lang": "tr"}).text
    assert "+902324445566" in html and "Izmir" in html and "<td>yerel</td>" in html


def test_each_test_sends_now_and_says_what_happened(client, servers):
    add_user("root", "administrator", "all")
    csrf = login(client, "root")
    html = client.post("/settings/test", {"csrf_token": csrf, "kind": "mail", "to": "müdür@example.com"}).text
    assert "A test message was sent to müdür@example.com." in html
    assert len(servers["inbox"].messages) == 1 and b"Callbox test message" in servers["inbox"].messages[0]
    html = client.post("/settings/test", {"csrf_token": csrf, "kind": "upload", "target": "nas"}).text
    assert "was uploaded to nas" in html
    [sent] = list((servers["ftp_root"] / "raporlar").iterdir())
    assert sent.read_bytes() == b"Callbox upload test\r\n"
    html = client.post("/settings/test", {"csrf_token": csrf, "kind": "trap"}).text
    assert "A test trap was sent to v2c udp:127.0.0.1:" in html
    assert b"Callbox test trap" in servers["traps"].recv(65535)
    bad = client.post("/settings/test", {"csrf_token": csrf, "kind": "mail", "to": "not an address"}, status=400)
    assert "The test failed:" in bad.text and 'value="not an address"' in bad.text
    down = client.post("/settings/test", {"csrf_token": csrf, "kind": "upload", "target": "elsewhere"}, status=400)
    assert "No upload target" in down.text


def test_a_bad_section_is_shown_with_the_clis_message(tmp_path):
    cfg = config.Config(text="[pbx]\ntimezone = UTC\n[numbers]\ncountry = TR\n[snmp]\nmanagers = v1 udp:h\n")
    client = webtest.TestApp(make_app(tmp_path, cfg))
    add_user("root", "administrator", "all")
    login(client, "root")
    html = client.get("/settings").text
    assert "[numbers] area_codes" in html or "area_codes" in html
    assert "expected &#039;v2c" in html or "expected 'v2c" in html
    assert "E-mail is not configured" in html
    store.close_db()


@pytest.mark.parametrize("role, scope", [("administrator", "tenant"), ("supervisor", "tenant"), ("staff", "own")])
def test_only_administrators_of_the_whole_box(client, servers, role, scope):
    add_user("someone", role, scope, "default", "P1" if scope == "own" else "")
    csrf = login(client, "someone")
    client.get("/settings", status=403)
    client.post("/settings/test", {"csrf_token": csrf, "kind": "mail", "to": "a@example.com"}, status=403)
    assert servers["inbox"].messages == []
