"""Bad input at a real central process (issue 18, "Bad input"), on SQLite and PostgreSQL: a branch's batch that is
truncated, corrupted, out of sequence, or from a newer release is refused with the reason in the answer and in the
central's log, nothing of it is stored, and the branch's own calls (its backlog) still arrive afterwards, exactly
once; another batch under a number already applied (a replay) is refused too, and changes nothing (the same
batch sent again is acknowledged and not applied: tests/sync/test_outbox_apply.py)."""
import http.client
import json
import random
import ssl
import time

import pytest

from appliance.sync import link, wire
from appliance.tools.bench_central import _call
from pg_server import engine, postgres  # noqa: F401  (fixtures)
from sync_helpers import branch_totals, central_seq, central_totals, cli_json, generate, make_branch
from test_security import central  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow   # a central process


def _post(central, context, body: bytes, head: dict) -> tuple[int, dict]:  # noqa: F811 (the fixture's name)
    conn = http.client.HTTPSConnection("127.0.0.1", central.port, context=context, timeout=10)
    try:
        conn.request("POST", "/sync/batch", body, head)
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def _rows(n: int) -> list[dict]:
    rnd = random.Random(n)
    return [{"rid": 900_000 + i, "op": "upsert", "call": _call(rnd, 900_000 + i)} for i in range(n)]


def test_bad_batches_are_refused_logged_and_the_backlog_still_arrives(central, tmp_path):  # noqa: F811
    b = tmp_path / "izmir"
    make_branch(b, central, "izmir", central.url_direct)
    f = link.files(b)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_verify_locations(str(f.ca))
    context.load_cert_chain(str(f.cert), str(f.key))
    body = wire.encode("izmir", 1, "0.1.0", int(time.time()), _rows(3))
    head = {k: v for k, v in wire.headers(body, 1).items() if k != "Content-Length"}
    cut, later = body[:-7], wire.encode("izmir", 5, "0.1.0", 0, _rows(3))
    bad = [((cut, {**head, wire.H_DIGEST: wire.digest(cut)}), 400, "truncated"),
           ((body[:9] + bytes([body[9] ^ 0x55]) + body[10:], head), 400, "SHA-256"),
           ((body, {**head, wire.H_PROTOCOL: "99"}), 400, "protocol version '99'"),
           ((later, wire.headers(later, 5)), 409, "")]
    for (data, h), status, reason in bad:
        got = _post(central, context, data, h)
        assert got[0] == status and reason in got[1]["error"], got
    assert central_seq(central, "izmir") == 0 and not central.query("SELECT 1 FROM central_call")
    log = (central.data / "log" / "central.log").read_text()
    assert "branch izmir: batch 1 refused: truncated batch" in log
    assert "branch izmir: batch 1 refused: corrupt or truncated batch: its SHA-256 does not match" in log
    assert "branch izmir: batch 1 refused: protocol version '99'" in log and "branch izmir: batch 5 refused" in log
    generate(b, 40, 1, seed=3)                  # the branch's own calls: its backlog, untouched by all that
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 40, "pending": 0}
    mine, theirs = branch_totals(b), central_totals(central, "izmir")
    assert mine == theirs and theirs[1] == len(theirs[0]) == 40
    seq = central_seq(central, "izmir")
    again = wire.encode("izmir", seq, "0.1.0", 0, _rows(3))       # the last batch's number, other rows
    status, doc = _post(central, context, again, wire.headers(again, seq))
    assert status == 409 and "replayed batch" in doc["error"] and central_totals(central, "izmir") == theirs
    assert f"branch izmir: batch {seq} refused: replayed batch" in (central.data / "log" / "central.log").read_text()
