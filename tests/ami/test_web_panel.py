"""The operator panel in-process: from queue_log when AMI is not configured or down (and it says so), live from the
loopback AMI server when it is up: pause with a reason and unpause, log in and out of a queue, who is calling now
and their earlier calls."""
from __future__ import annotations

import os
import time

import pytest

from ami_server import AmiServer
from appliance import store
from appliance.directory import organisation as directory
from appliance.paths import Paths
from appliance.store import directory as sd
from cc_helpers import feed
from web_helpers import logged_in
from webui import panel
from webui.app import make_app

CALLER = "+905321234567"


def wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def queue_log(now: int) -> list[str]:
    t = now - 40     # today unless the test runs in the first 40 s after midnight
    return [f"{t}|{t}.1|support|PJSIP/201|ADDMEMBER|",
            f"{t + 1}|{t}.2|support|NONE|ENTERQUEUE||{CALLER}|1",
            f"{t + 4}|{t}.2|support|PJSIP/201|RINGNOANSWER|3000",
            f"{t + 9}|{t}.2|support|NONE|ABANDON|1|1|8",
            f"{t + 10}|{t}.3|support|NONE|ENTERQUEUE||0212555000|1",
            f"{t + 12}|{t}.3|support|PJSIP/201|CONNECT|2|{t}.4|2",
            f"{t + 30}|{t}.3|support|PJSIP/201|COMPLETECALLER|2|18|1"]


def make(tmp_path, ini: str = ""):
    (tmp_path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\n" + ini, encoding="utf-8")
    feed(Paths(tmp_path), queue_log(int(time.time())))
    tid = sd.tenant_id("default", create=True)
    pid = directory.add_person(tid, "elif", "Elif", "Demir")
    directory.assign_extension(tid, pid, "201", None)
    store.close_db()
    return make_app(tmp_path)       # [ami] host set: it connects now


@pytest.fixture
def server():
    with AmiServer() as srv:
        srv.add_member("support", "PJSIP/201", "Elif Demir")
        yield srv


@pytest.fixture
def live_app(tmp_path, server):
    secret = tmp_path / "ami.secret"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o600)
    app = make(tmp_path, f"[ami]\nhost = 127.0.0.1\nport = {server.port}\nusername = callbox\n"
                         "secret_file = ami.secret\nreconnect_min_s = 0.05\nreconnect_max_s = 0.3\n"
                         "queues = support, sales\npause_reasons = Lunch, Mola\n")
    yield app
    panel.stop_feeds()
    store.close_db()


def open_panel(client):
    assert wait_for(lambda: "Live from the PBX" in client.get("/panel").text)
    return client.get("/panel").text


def test_without_ami_the_panel_shows_queue_log_and_says_so(tmp_path):
    app = make(tmp_path)
    client, _ = logged_in(app, "elif", "staff", "own", person="elif")
    html = client.get("/panel").text
    assert "AMI is not configured: showing what queue_log gives" in html
    assert 'id="panel-today"' in html and "<strong>1</strong>" in html      # answered 1, rung not answered 1
    lost = html.split('id="panel-lost"', 1)[1]
    assert CALLER in lost and "Abandoned" in lost
    assert "PJSIP/201" in html.split('id="panel-members"', 1)[1]
    assert 'action="/panel/pause"' not in html          # no actions without AMI
    store.close_db()


def test_an_unusable_secret_file_is_shown_as_the_reason(tmp_path):
    secret = tmp_path / "ami.secret"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o644)
    app = make(tmp_path, "[ami]\nhost = 127.0.0.1\nsecret_file = ami.secret\n")
    client, _ = logged_in(app, "elif", "staff", "own", person="elif")
    html = client.get("/panel").text
    assert "Live data unavailable" in html and "chmod 600" in html
    store.close_db()


def test_a_user_without_extensions_is_told(tmp_path):
    app = make(tmp_path)
    client, _ = logged_in(app, "boss", "supervisor", "tenant")
    assert "No extension of yours is in the directory" in client.get("/panel").text
    store.close_db()


def test_pause_with_a_reason_and_unpause(live_app, server):
    client, csrf = logged_in(live_app, "elif", "staff", "own", person="elif")
    html = open_panel(client)
    assert "Ready" in html.split('id="panel-members"', 1)[1]
    resp = client.post("/panel/pause", {"csrf_token": csrf, "do": "pause", "reason": "Lunch"}, status=303)
    assert resp.headers["Location"].endswith("/panel?done=pause")
    assert server.members[("support", "PJSIP/201")].paused and server.members[("support", "PJSIP/201")].reason \
        == "Lunch"
    assert wait_for(lambda: "Lunch" in client.get("/panel").text.split('id="panel-members"', 1)[1])
    assert client.post("/panel/pause", {"csrf_token": csrf, "do": "pause", "reason": "Nap"}, status=400)
    resp = client.post("/panel/pause", {"csrf_token": csrf, "do": "unpause"}, status=303)
    assert resp.headers["Location"].endswith("/panel?done=unpause"), resp.headers["Location"]
    assert not server.members[("support", "PJSIP/201")].paused


def test_log_in_and_out_of_a_queue(live_app, server):
    client, csrf = logged_in(live_app, "elif", "staff", "own", person="elif")
    html = open_panel(client)
    assert 'name="queue" value="sales"' in html and 'value="login"' in html
    client.post("/panel/queue", {"csrf_token": csrf, "queue": "sales", "do": "login"}, status=303)
    assert ("sales", "PJSIP/201") in server.members
    client.post("/panel/queue", {"csrf_token": csrf, "queue": "support", "do": "logout"}, status=303)
    assert ("support", "PJSIP/201") not in server.members
    assert client.post("/panel/queue", {"csrf_token": csrf, "queue": "vip", "do": "login"}, status=400)


def test_who_is_calling_now_before_answering_and_their_earlier_calls(live_app, server):
    client, _ = logged_in(live_app, "elif", "staff", "own", person="elif")
    open_panel(client)
    server.play("queue_call_answered")
    assert wait_for(lambda: CALLER in client.get("/panel").text.split("Calling now", 1)[1])
    html = client.get("/panel").text
    assert "Ayşe Yılmaz" in html
    assert "Abandoned" in html.split('id="panel-history"', 1)[1]       # the earlier call from queue_log


def test_ami_down_says_live_data_unavailable_and_changes_nothing(live_app, server):
    client, csrf = logged_in(live_app, "elif", "staff", "own", person="elif")
    open_panel(client)
    server.secret = "changed"           # it will not let us back in
    server.drop()
    assert wait_for(lambda: "Live data unavailable" in client.get("/panel").text)
    resp = client.post("/panel/pause", {"csrf_token": csrf, "do": "pause", "reason": "Lunch"}, status=303)
    assert resp.headers["Location"].endswith("error=down")
    assert "the AMI link is down, nothing was changed" in client.get(resp.headers["Location"]).text


def test_the_caller_links_to_the_crm(tmp_path, server):
    secret = tmp_path / "ami.secret"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o600)
    app = make(tmp_path, f"[ami]\nhost = 127.0.0.1\nport = {server.port}\nusername = callbox\n"
                         "secret_file = ami.secret\n[crm]\ncall_url = https://crm.example.com/find?phone={number}\n")
    try:
        client, _ = logged_in(app, "elif", "staff", "own", person="elif")
        open_panel(client)
        server.play("queue_call_answered")
        assert wait_for(lambda: "crm-link" in client.get("/panel").text)
        assert 'href="https://crm.example.com/find?phone=%2B905321234567"' in client.get("/panel").text
    finally:
        panel.stop_feeds()
        store.close_db()
