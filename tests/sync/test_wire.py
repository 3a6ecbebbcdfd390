"""The batch format: what the central refuses before applying anything, and why."""
import zlib

import pytest

from appliance.sync import wire

CALL = ({name: 0 if name in wire.INT_FIELDS else "" for name in wire.CALL_FIELDS}
        | {"cost": "1.250", "person": "Ayşe Öztürk (42)"})


BAD_LEG = '[{"start_utc": 1, "ring_s": "2", "talk_s": 0, "answered": 1, "extension": "201"}]'   # ring as text


def batch(seq=3, rows=None, branch="izmir"):
    rows = [{"rid": 7, "op": "upsert", "call": CALL}, {"rid": 8, "op": "delete"}] if rows is None else rows
    body = wire.encode(branch, seq, "0.1.0", 1_780_000_000, rows)
    return body, wire.headers(body, seq)


def test_a_batch_decodes_to_what_was_encoded():
    body, head = batch()
    b = wire.decode(body, head)
    assert (b.branch, b.seq, b.version, len(b.rows)) == ("izmir", 3, "0.1.0", 2)
    assert b.rows[0]["call"]["person"] == "Ayşe Öztürk (42)" and b.rows[0]["call"]["cost"] == "1.250"
    assert len(body) < len(zlib.decompress(body))    # compressed


@pytest.mark.parametrize("damage, reason", [
    (lambda body, head: (body[:len(body) // 2], head), "SHA-256"),
    (lambda body, head: (body[:-3], {**head, wire.H_DIGEST: wire.digest(body[:-3])}), "truncated"),
    (lambda body, head: (body[:5] + bytes([body[5] ^ 0xFF]) + body[6:], head), "SHA-256"),
    (lambda body, head: (b"\x00" + body[1:], {**head, wire.H_DIGEST: wire.digest(b"\x00" + body[1:])}), "corrupt"),
    (lambda body, head: (body, {**head, wire.H_PROTOCOL: "2"}), "protocol version"),
    (lambda body, head: (body, {**head, wire.H_SEQ: "4"}), "sequence number"),
])
def test_damaged_batches_are_refused_with_the_reason(damage, reason):
    body, head = damage(*batch())
    with pytest.raises(wire.WireError, match=reason):
        wire.decode(body, head)


@pytest.mark.parametrize("row, reason", [
    ({"rid": "7", "op": "upsert", "call": CALL}, "bad row"),
    ({"rid": 7, "op": "insert", "call": CALL}, "bad row"),
    ({"rid": 7, "op": "upsert", "call": {**CALL, "extra": 1}}, "fields"),
    ({"rid": 7, "op": "upsert", "call": {**CALL, "talk_s": "12"}}, "bad talk_s"),
    ({"rid": 7, "op": "upsert", "call": {**CALL, "cost": 1.25}}, "bad cost"),   # money is never a float
    ({"rid": 7, "op": "upsert", "call": {**CALL, "legs": "[{"}}, "legs are not JSON"),
    ({"rid": 7, "op": "upsert", "call": {**CALL, "legs": '{"a": 1}'}}, "a bad leg"),
    ({"rid": 7, "op": "upsert", "call": {**CALL, "legs": BAD_LEG}}, "a bad leg"),
])
def test_rows_of_another_shape_are_refused(row, reason):
    body, head = batch(rows=[row])
    with pytest.raises(wire.WireError, match=reason):
        wire.decode(body, head)


def test_a_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(wire, "MAX_PLAIN", 1000)
    body, head = batch(rows=[{"rid": i, "op": "delete"} for i in range(500)])
    with pytest.raises(wire.WireError, match="inflates"):
        wire.decode(body, head)


def test_a_batch_says_the_branchs_tenant_and_an_older_one_none():
    """The branch's [pbx] tenant travels in every batch (what a call's empty tenant is); a batch of an older
    release has none (None: the central keeps what it knew); a tenant that is not a text is refused."""
    body = wire.encode("izmir", 3, "0.1.0", 1_780_000_000, [], tenant="şirket")
    assert wire.decode(body, wire.headers(body, 3)).tenant == "şirket"
    assert wire.decode(*batch()).tenant is None
    body = wire.encode("izmir", 3, "0.1.0", 1_780_000_000, [], tenant=7)     # type: ignore[arg-type]
    with pytest.raises(wire.WireError, match="tenant"):
        wire.decode(body, wire.headers(body, 3))
