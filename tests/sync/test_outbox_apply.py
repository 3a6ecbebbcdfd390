"""The branch's outbox and the central's apply, in one database: in sequence, exactly once, updates not new calls."""
import json

import pytest

from appliance.central import apply as applier
from appliance.store.sync import CentralBranch, CentralCall, SyncOutbox, install_triggers
from appliance.sync import outbox, wire
from sync_helpers import generate


@pytest.fixture
def box(db, tmp_path):
    install_triggers(backfill=True)
    CentralBranch.create(name="izmir", created_utc=0, cert_serial="1")
    return tmp_path


def send(pending, branch="izmir"):
    return applier.apply(branch, wire.decode(pending.body, wire.headers(pending.body, pending.seq)))


def central_rows():
    return {c.rid: c for c in CentralCall.select().where(CentralCall.branch == "izmir")}


def test_changed_calls_go_in_sequence_and_a_resend_is_acknowledged_not_applied(box):
    generate(box, 120, 1000, seed=1)
    first = outbox.build("izmir", "default", max_rows=100)
    assert first.seq == 1 and first.rows == 100
    assert outbox.pending_batch() == first                # stored until acknowledged: resent byte for byte
    assert send(first).duplicate is False
    assert send(first).duplicate is True                  # the answer was lost: the same batch again
    assert len(central_rows()) == 100
    outbox.acknowledged(first)
    second = outbox.build("izmir", "default")
    # the other 20 calls only: the legs' notes of the first 100, later in the outbox, went with them
    assert (second.seq, second.rows) == (2, 20)
    with pytest.raises(applier.Refused, match="replayed batch 1"):
        applier.apply("izmir", wire.decode(*_rebuilt(first, other_rows=True)))
    assert send(second).seq == 2
    outbox.acknowledged(second)
    assert outbox.backlog() == 0 and outbox.build("izmir", "default") is None
    assert len(central_rows()) == 120


def _rebuilt(pending, other_rows):
    body = wire.encode("izmir", pending.seq, "0.1.0", 0, [{"rid": 1, "op": "delete"}] if other_rows else [])
    return body, wire.headers(body, pending.seq)


def test_out_of_sequence_and_another_branchs_rows_are_refused_and_nothing_is_applied(box):
    generate(box, 10, 1, seed=2)
    body = wire.encode("izmir", 2, "0.1.0", 0, [{"rid": 1, "op": "delete"}])
    with pytest.raises(applier.Refused, match="out of sequence: batch 2, expected 1") as e:
        applier.apply("izmir", wire.decode(body, wire.headers(body, 2)))
    assert e.value.status == 409 and e.value.expected == 1
    b = outbox.build("izmir", "default")
    with pytest.raises(applier.Refused, match="branch 'ankara' sent rows of branch 'izmir'") as e:
        applier.apply("ankara", wire.decode(b.body, wire.headers(b.body, b.seq)))
    assert e.value.status == 403
    assert not central_rows() and CentralBranch.get(CentralBranch.name == "izmir").last_seq == 0


def test_a_rerate_and_a_reprocess_send_the_same_row_again(box):
    generate(box, 5, 1, seed=3)
    b = outbox.build("izmir", "default")
    send(b)
    outbox.acknowledged(b)
    priced = next(rid for rid, c in central_rows().items() if c.cost)
    box_db = outbox.db
    box_db.execute_sql("UPDATE call SET cost = '9.990' WHERE id = ?", (priced,))        # a rerate
    box_db.execute_sql("DELETE FROM leg WHERE call_id = 2")                              # a reprocess merged call 2
    box_db.execute_sql("DELETE FROM call WHERE id = 2")
    assert outbox.backlog() == 2
    b = outbox.build("izmir", "default")
    assert {r["rid"]: r["op"] for r in json.loads(__import__("zlib").decompress(b.body))["rows"]} == {
        priced: "upsert", 2: "delete"}
    send(b)
    outbox.acknowledged(b)
    rows = central_rows()
    assert len(rows) == 4 and rows[priced].cost == "9.990" and 2 not in rows
    assert json.loads(rows[priced].legs)[0]["id"] == priced
    assert SyncOutbox.select().count() == 0


def test_changes_while_a_batch_is_out_are_kept_for_the_next(box):
    generate(box, 3, 1, seed=4)
    b = outbox.build("izmir", "default")
    outbox.db.execute_sql("UPDATE call SET talk_s = 77 WHERE id = 1")   # after the batch was built
    send(b)
    outbox.acknowledged(b)
    assert outbox.backlog() == 1
    b = outbox.build("izmir", "default")
    send(b)
    assert central_rows()[1].talk_s == 77
