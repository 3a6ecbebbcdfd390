"""Recordings on the web in-process: who may play and download (see the call AND hold the listen right), Range
requests, the audit log, retention, and the call page's player."""
from __future__ import annotations

import pytest

from appliance import store
from appliance.access import rights, users
from appliance.store.users import users_db
from rec_helpers import seed
from web_helpers import logged_in
from webui.app import make_app


@pytest.fixture
def app(tmp_path):
    seed(tmp_path)
    application = make_app(tmp_path)
    yield application
    store.close_db()


def inbound_id(client) -> int:
    calls = client.get("/api/calls").json
    return next(c["id"] for c in calls if c["party"] == "0612345678")


def grant(name):
    with users_db.connection_context():
        rights.grant(name, "listen", actor="test")


def audit_actions():
    with users_db.connection_context():
        return [(e["actor"], e["action"], e["target"]) for e in users.audit_log()]


def test_a_listener_plays_with_range_requests_and_downloads_and_both_are_audited(app):
    client, _ = logged_in(app, "ayse", "staff", "own", person="P1")
    grant("ayse")
    cid = inbound_id(client)
    page = client.get(f"/calls/{cid}").text
    assert f'<audio id="recording" controls preload="metadata" src="/calls/{cid}/recording">' in page
    whole = client.get(f"/calls/{cid}/recording")
    assert whole.content_type == "audio/wav" and whole.body[:4] == b"RIFF" and len(whole.body) == 16044
    part = client.get(f"/calls/{cid}/recording", headers={"Range": "bytes=100-199"}, status=206)
    assert part.headers["Content-Range"] == "bytes 100-199/16044" and part.body == whole.body[100:200]
    down = client.get(f"/calls/{cid}/recording/download")
    assert 'attachment; filename="call-%d.wav"' % cid in down.headers["Content-Disposition"]
    got = audit_actions()
    assert got.count(("ayse", "recording_played", f"call {cid}")) == 1      # the Range from 100 is the same play
    assert ("ayse", "recording_downloaded", f"call {cid}") in got


def test_who_may_not_listen_gets_403_and_no_player(app):
    client, _ = logged_in(app, "admin", "administrator", "all")
    cid = inbound_id(client)
    assert 'id="recording"' not in client.get(f"/calls/{cid}").text
    assert client.get(f"/calls/{cid}/recording", status=403).status_code == 403
    assert client.get(f"/calls/{cid}/recording/download", status=403).status_code == 403
    grant("admin")
    assert client.get(f"/calls/{cid}/recording").status_code == 200
    with users_db.connection_context():
        rights.revoke("admin", "listen", actor="test")
    assert client.get(f"/calls/{cid}/recording", status=403)


def test_a_call_the_user_may_not_see_is_404_even_with_the_right(app):
    admin, _ = logged_in(app, "admin", "administrator", "all")
    cid = inbound_id(admin)
    client, _ = logged_in(app, "jan", "staff", "own", person="P2")
    grant("jan")
    assert client.get(f"/calls/{cid}/recording", status=404).status_code == 404
    assert client.get(f"/calls/{cid}/recording/download", status=404).status_code == 404
    assert client.get("/calls/nonsense/recording", status=404)


def test_a_call_without_a_recording(app):
    client, _ = logged_in(app, "ayse", "staff", "own", person="P1")
    grant("ayse")
    other = next(c["id"] for c in client.get("/api/calls").json if c["party"] == "0698765432")
    assert 'id="no-recording"' in client.get(f"/calls/{other}").text
    assert client.get(f"/calls/{other}/recording", status=404)


def test_past_retention_nothing_is_offered(tmp_path):
    seed(tmp_path, "retention_days = 30\n")
    app = make_app(tmp_path)
    client, _ = logged_in(app, "ayse", "staff", "own", person="P1")
    grant("ayse")
    cid = inbound_id(client)
    assert "older than the recordings are kept" in client.get(f"/calls/{cid}").text
    assert client.get(f"/calls/{cid}/recording", status=404)
    store.close_db()
