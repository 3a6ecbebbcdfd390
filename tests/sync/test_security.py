"""Enrolment and credentials against a real central process: the token works once, a branch without the central's
certificate, revoked, or writing another branch's rows is refused."""
import http.client
import json
import re
import ssl
import time
import zlib

import pytest

from appliance import config, store
from appliance.central import branches
from appliance.paths import Paths
from appliance.sync import link, snapshot, wire
from pg_server import engine, postgres  # noqa: F401  (fixtures)
from sync_helpers import Central, cli, cli_json, generate, make_branch

pytestmark = pytest.mark.slow   # a central process


@pytest.fixture
def central(tmp_path, engine):  # noqa: F811 (the fixture)
    """On each engine: SQLite (the central's own database) and PostgreSQL ([central] database)."""
    c = Central(tmp_path / "central", engine)
    c.data.mkdir(exist_ok=True)
    c.add("warmup")           # makes the CA and server certificate before the process starts
    c.start()
    yield c
    c.stop()


def test_the_token_works_once_and_its_key_files_are_private(central, tmp_path):
    token = central.add("izmir")
    assert cli_json("sync", "enroll", central.url_direct, token, "--data", str(tmp_path / "b1"), "--json") == {
        "branch": "izmir", "central": central.url_direct}
    rc, _, err = cli("sync", "enroll", central.url_direct, token, "--data", str(tmp_path / "b2"))
    assert rc == 2 and "unknown or already used enrolment token" in err
    assert not (tmp_path / "b2" / "sync" / "central.json").exists()
    for path in [tmp_path / "b1" / "sync" / "client.key", central.data / "central" / "ca.key",
                 central.data / "central" / "server.key"]:
        assert path.stat().st_mode & 0o777 == 0o600
    assert central.query("SELECT token_hash FROM central_branch WHERE name = 'izmir'") == [("",)]   # used: gone
    rc, _, err = cli("central", "branch", "add", "izmir", "--data", str(central.data))
    assert rc == 2 and "already enrolled" in err


def test_an_expired_token_and_another_centrals_token_are_refused(central, tmp_path):
    store.open_db(Paths(central.data).db)
    store.open_central_of(config.load(None, central.data), central.data)
    old = branches.add(central.data, "old", now=int(time.time()) - 25 * 3600)
    store.close_db()
    rc, _, err = cli("sync", "enroll", central.url_direct, old, "--data", str(tmp_path / "b1"))
    assert rc == 2 and "expired" in err
    token = central.add("izmir")
    forged = token.split(".")[0] + "." + "ab" * 32      # another central's fingerprint: nothing is sent to this one
    rc, _, err = cli("sync", "enroll", central.url_direct, forged, "--data", str(tmp_path / "b2"))
    assert rc == 2 and "not the central that made this token" in err
    assert cli_json("sync", "enroll", central.url_direct, token, "--data", str(tmp_path / "b2"),
                    "--json")["branch"] == "izmir"   # the token was not used up by the refused attempt


def _post_batch(central, context, branch="izmir", seq=1):
    body = wire.encode(branch, seq, "0.1.0", int(time.time()), [{"rid": 1, "op": "delete"}])
    conn = http.client.HTTPSConnection("127.0.0.1", central.port, context=context, timeout=10)
    try:
        conn.request("POST", "/sync/batch", body, wire.headers(body, seq))
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def test_a_request_without_a_certificate_is_refused(central):
    context = ssl.create_default_context(cafile=str(central.data / "central" / "ca.crt"))
    context.check_hostname = False
    assert _post_batch(central, context) == (403, {"error": "no client certificate (enrol the branch: callbox sync "
                                                            "enroll)"})


def test_a_certificate_of_another_ca_is_refused(central, tmp_path):
    other = Central(tmp_path / "other")      # another central's CA and a branch certificate from it
    other.data.mkdir()
    rogue = tmp_path / "rogue"
    other.add("izmir")
    other.start()
    try:
        make_branch(rogue, other, "izmir", other.url_direct)
    finally:
        other.stop()
    f = link.files(rogue)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.load_cert_chain(str(f.cert), str(f.key))
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
        _post_batch(central, context)


def test_writing_another_branchs_rows_and_a_revoked_branch_are_refused(central, tmp_path):
    b1, b2 = tmp_path / "b1", tmp_path / "b2"
    make_branch(b1, central, "izmir", central.url_direct)
    make_branch(b2, central, "ankara", central.url_direct)
    f = link.files(b1)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_verify_locations(str(f.ca))
    context.load_cert_chain(str(f.cert), str(f.key))
    status, doc = _post_batch(central, context, branch="ankara")
    assert status == 403 and doc["error"] == "branch 'izmir' sent rows of branch 'ankara'"
    generate(b1, 30, 1, seed=5)
    assert cli_json("sync", "now", "--data", str(b1), "--json") == {"sent": 30, "pending": 0}
    assert cli_json("central", "branch", "revoke", "izmir", "--data", str(central.data), "--json")["revoked"]
    generate(b1, 5, 100, seed=6)
    rc, out, err = cli("sync", "now", "--data", str(b1), "--json")
    assert rc == 1 and json.loads(out) == {"sent": 0, "pending": 5} and "branch 'izmir' is revoked" in err
    body = zlib.compress(b'{"kind": "directory", "branch": "izmir", "version": "", "tables": {}}')
    with pytest.raises(link.LinkError, match="branch 'izmir' is revoked"):   # nor its directory
        link.Link(central.url_direct, f).request("POST", "/sync/snapshot/directory", body,
                                                 snapshot.headers(body, ""))
    status = cli_json("sync", "status", "--data", str(b2), "--json")
    assert status["last_error"] is None and status["branch"] == "ankara"
    status = cli_json("sync", "status", "--data", str(b1), "--json")
    assert status["backlog"] == 5 and "revoked" in status["last_error"] and status["last_success"]
    log = (central.data / "log" / "central.log").read_text()
    assert "branch 'izmir' is revoked" in log and "sent rows of branch 'ankara'" in log


def test_an_enrolment_token_is_a_safe_command_line_argument(tmp_path):
    """`callbox sync enroll URL TOKEN` once failed 1 time in 64: a token beginning with "-" looked like an option."""
    store.open_db(Paths(tmp_path).db)
    try:
        tokens = [branches.add(tmp_path, f"b{i}") for i in range(20)]
    finally:
        store.close_db()
    assert all(re.fullmatch(r"[0-9a-f]{48}\.[0-9a-f]{64}", t) for t in tokens), tokens
