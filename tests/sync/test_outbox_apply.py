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


def test_directory_corrections_send_the_calls_they_reattribute(box):
    from appliance.store import directory as sd
    t = sd.Tenant.create(code="default", name="Default")
    sales = sd.Department.create(tenant_id=t.id, name="Sales")
    support = sd.Department.create(tenant_id=t.id, name="Support")
    ayse = sd.Person.create(tenant_id=t.id, external_id="42", first_name="Ayşe", last_name="Öztürk")
    start = 1_780_000_000
    generate(box, 40, 1, seed=7, start=start, days=4)       # extensions 200..240, one call every 2.4 h
    ext = "236"                                             # 5 calls of this seed's, on both sides of day 2
    b = outbox.build("izmir", "default")
    send(b)
    outbox.acknowledged(b)
    # the extension was hers all along, in Sales for two days, then in Support: every call of it is sent again
    sd.ExtensionAssignment.create(tenant_id=t.id, extension=ext, person_id=ayse.id)
    izmir, bursa = (sd.Branch.create(tenant_id=t.id, name=n) for n in ("İzmir", "Bursa"))   # she moved, too
    sd.Placement.create(tenant_id=t.id, person_id=ayse.id, department_id=sales.id, branch_id=izmir.id,
                        valid_to=start + 2 * 86400)
    sd.Placement.create(tenant_id=t.id, person_id=ayse.id, department_id=support.id, branch_id=bursa.id,
                        valid_from=start + 2 * 86400)
    hers = {c.id: c.start_utc for c in outbox.Call.select().where(outbox.Call.extension == ext)}
    later = {rid for rid, at in hers.items() if at >= start + 2 * 86400}
    assert len(hers) == 5 and 0 < len(later) < 5 and outbox.backlog() == len(hers)
    b = outbox.build("izmir", "default")
    send(b)
    outbox.acknowledged(b)
    rows = central_rows()
    for rid, at in hers.items():
        assert rows[rid].person == "Ayşe Öztürk (42)"
        assert rows[rid].department == ("Sales" if at < start + 2 * 86400 else "Support")
        assert rows[rid].org_branch == ("İzmir" if at < start + 2 * 86400 else "Bursa")     # as of the call
    assert {rows[r].person for r in rows if r not in hers} == {""}
    sd.Department.update(name="Destek").where(sd.Department.id == support.id).execute()   # a rename
    assert outbox.backlog() == len(later)
    b = outbox.build("izmir", "default")
    send(b)
    assert {r: central_rows()[r].department for r in hers} == {r: "Destek" if r in later else "Sales" for r in hers}


def test_the_triggers_use_the_calls_extension_index(box):
    from appliance.store.sync import _EXTENSION_CALLS, _NAMED_CALLS, _PERSON_CALLS, _PLACEMENT_CALLS
    values = {"x.extension": "'205'", "x.person_id": "1", "x.valid_from": "NULL", "x.valid_to": "NULL", "NEW.id": "1"}
    for select in (_EXTENSION_CALLS.format(r="x"), _PLACEMENT_CALLS.format(r="x"), _PERSON_CALLS,
                   _NAMED_CALLS.format(kind="department")):
        for name, value in values.items():
            select = select.replace(name, value)
        plan = " ".join(str(r) for r in outbox.db.execute_sql(f"EXPLAIN QUERY PLAN {select}").fetchall())
        assert "USING INDEX call_extension_start" in plan and "SCAN c" not in plan, plan


def test_a_branch_whose_sequence_went_back_goes_on_from_the_centrals(box):
    generate(box, 10, 1, seed=8)
    b = outbox.build("izmir", "default")
    send(b)
    outbox.acknowledged(b)
    outbox.db.execute_sql("DELETE FROM sync_state")           # a restored database: next_seq is 1 again
    outbox.db.execute_sql("UPDATE call SET talk_s = 5 WHERE id = 3")
    b = outbox.build("izmir", "default")
    assert b.seq == 1
    with pytest.raises(applier.Refused) as e:
        send(b)
    outbox.renumber(e.value.expected)
    b = outbox.build("izmir", "default")
    assert b.seq == 2 and send(b).seq == 2
    assert central_rows()[3].talk_s == 5


def test_a_database_made_again_on_an_enrolled_branch_gets_the_triggers_and_queues_its_calls(tmp_path):
    from appliance import store
    data = tmp_path / "branch"
    store.open_db(data / "callbox.db")
    generate(data, 12, 1, seed=9)                     # e.g. `callbox db rebuild`: calls stored before any trigger
    assert outbox.backlog() == 0
    store.close_db()
    (data / "sync").mkdir()
    (data / "sync" / "central.json").write_text('{"url": "https://127.0.0.1:1", "branch": "izmir"}')
    store.open_db(data / "callbox.db")
    try:
        assert outbox.backlog() == 12
        store.close_db()
        store.open_db(data / "callbox.db")            # once: a second open queues nothing again
        assert SyncOutbox.select().count() == 12
    finally:
        store.close_db()


def test_a_branch_with_a_skewed_clock_is_applied_on_the_centrals_time_and_logged(box, caplog):
    generate(box, 5, 1, seed=7)
    b = outbox.build("izmir", "default", now=1_000_000)            # the branch's clock: 1970-01-12
    caplog.set_level("WARNING", logger="appliance.central.apply")
    done = applier.apply("izmir", wire.decode(b.body, wire.headers(b.body, b.seq)), now=1_780_000_000)
    assert not done.duplicate and len(central_rows()) == 5
    row = CentralBranch.get(CentralBranch.name == "izmir")
    assert (row.last_batch_utc, row.last_seen_utc) == (1_780_000_000, 1_780_000_000)   # ours, never the branch's
    assert "branch izmir: its clock is -1779000000 s from ours (batch 1 applied: nothing depends on it)" in caplog.text


def test_a_branch_enrolled_before_snapshots_gets_their_triggers_without_queueing_its_calls_again(tmp_path):
    from appliance import store
    from appliance.store.base import db
    from appliance.store.sync import get_state
    from appliance.store.sync_snapshot import TRIGGERS
    (tmp_path / "sync").mkdir()
    (tmp_path / "sync" / "central.json").write_text('{"url": "https://c:1", "branch": "izmir"}', encoding="utf-8")
    store.open_db(tmp_path / "callbox.db")
    try:
        generate(tmp_path, 10, 1, seed=3)
        SyncOutbox.delete().execute()                      # all sent already
        for name, _body in TRIGGERS:                       # as an older release left it
            db.execute_sql(f"DROP TRIGGER {name}")
    finally:
        store.close_db()
    store.open_db(tmp_path / "callbox.db")                 # this release opens it
    try:
        have = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {name for name, _ in TRIGGERS} <= have
        assert SyncOutbox.select().count() == 0            # its calls are not queued again
        db.execute_sql("INSERT INTO department (tenant_id, name) VALUES (1, 'Satış')")
        db.execute_sql("INSERT INTO tariff_provider (name) VALUES ('Türk Telekom')")
        db.execute_sql("INSERT INTO tariff_provider (name) VALUES ('Vodafone')")
        assert (get_state("snapshot_gen_directory"), get_state("snapshot_gen_tariffs")) == ("1", "2")
    finally:
        store.close_db()
