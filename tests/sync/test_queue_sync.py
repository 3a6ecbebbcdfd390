"""The call centre's queue calls from a branch to its central, on SQLite and PostgreSQL: sent with the calls in the
same batches (protocol 2), applied exactly once (a journey rebuilt on the branch replaces its row), and the
central's KPIs per branch box equal the branch's own."""
import json
import zlib

import pytest

from appliance import store
from appliance.callcentre import kpis
from appliance.callcentre import received as cc_received
from appliance.central import apply as applier
from appliance.paths import Paths
from appliance.store import central_db
from appliance.store.sync import CentralBranch, ensure_triggers, install_triggers
from appliance.store.sync_queue import TRIGGERS as QUEUE_TRIGGERS
from appliance.store.sync_queue import CentralQueueCall
from appliance.sync import outbox, wire
from cc_helpers import feed
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from test_journeys import DOCUMENTED, T

EVERYONE = ([], [])     # the scope conditions of who sees every branch box
FIRST = [x for x in DOCUMENTED if int(x.split("|")[0]) < T + 70]
LATER = [x for x in DOCUMENTED if x not in FIRST]
# the central's thresholds, one queue's its own (a CASE over the queues in the SQL, on both engines)
BOOK = kpis.RuleBook(kpis.Rules(), (("sales", kpis.Rules(sl_seconds=5, short_abandon_seconds=10, wrapup_seconds=15)),))


@pytest.fixture
def branch(tmp_path, engine):  # noqa: F811 (the fixture)
    paths = Paths(tmp_path)
    feed(paths, FIRST)                      # queue calls before the enrolment: sent by the backfill
    if engine is not None:
        pw = password_file(tmp_path)
        central_db.open_central(engine.url(engine.fresh_database()), pw.name, tmp_path)
    install_triggers(backfill=True)
    for name in ("izmir", "ankara"):
        CentralBranch.create(name=name, created_utc=0, cert_serial="1")
    yield paths
    store.close_db()


def send(pending, branch="izmir"):
    return applier.apply(branch, wire.decode(pending.body, wire.headers(pending.body, pending.seq)))


def sync_all(branch="izmir"):
    while (batch := outbox.pending_batch() or outbox.build(branch, "default", max_rows=7)) is not None:
        send(batch, branch)
        outbox.acknowledged(batch)


def central_rows(branch="izmir"):
    return sorted(r.rid for r in CentralQueueCall.select().where(CentralQueueCall.branch == branch))


def test_queue_calls_reach_the_central_exactly_once_and_its_kpis_are_the_branchs(branch):
    first = outbox.build("izmir", "default", max_rows=4)
    doc = json.loads(zlib.decompress(first.body))
    assert doc["protocol"] == 2 and len(doc["queue_rows"]) == 4 and first.queue_hi == 4
    assert send(first).duplicate is False and send(first).duplicate is True     # a resend: nothing applied twice
    outbox.acknowledged(first)
    sync_all()
    assert outbox.queue_backlog() == 0
    assert central_rows() == sorted(r[0] for r in store.db.execute_sql("SELECT id FROM queue_call"))

    feed(branch, LATER)        # more events: new journeys, and the open ones of the first part rebuilt
    assert outbox.queue_backlog() > 0
    sync_all()
    mine = kpis.queue_kpis(BOOK)
    assert len(central_rows()) == len(store.db.execute_sql("SELECT id FROM queue_call").fetchall())
    theirs = cc_received.branch_kpis(BOOK, None, None, EVERYONE)
    assert [{k: v for k, v in r.items() if k != "branch"} for r in theirs] == mine
    assert {r["branch"] for r in theirs} == {"izmir"}
    assert sum(r["offered"] for r in mine) == 14
    # a period and a queue: the same figures as the branch's
    assert cc_received.branch_kpis(BOOK, T + 50, T + 120, EVERYONE, queue="sales")[0]["offered"] == \
        kpis.queue_kpis(BOOK, T + 50, T + 120, "sales")[0]["offered"]


def test_a_queue_rebuild_on_the_branch_replaces_rows_and_branches_are_kept_apart(branch):
    sync_all()
    before = central_rows()
    # `callbox queue rebuild`: every queue call deleted and made again (the same ids: their ENTERQUEUE's)
    from appliance.callcentre import journeys
    journeys.rebuild_all()
    sync_all()
    assert central_rows() == before
    # another branch box's queue calls (the same journeys, sent as ankara's): a dimension and a filter
    rows = [{"rid": r.rid, "op": "upsert", "queue_call": {k: getattr(r, k) for k in wire.QUEUE_FIELDS}}
            for r in CentralQueueCall.select().where(CentralQueueCall.branch == "izmir")]
    body = wire.encode("ankara", 1, "t", 0, [], rows[:3])
    applier.apply("ankara", wire.decode(body, wire.headers(body, 1)))
    every = cc_received.branch_kpis(BOOK, None, None, EVERYONE)
    assert {r["branch"] for r in every} == {"izmir", "ankara"}
    only = cc_received.branch_kpis(BOOK, None, None, EVERYONE, branch="ankara")
    assert sum(r["offered"] for r in only) == 3
    scoped = cc_received.branch_kpis(BOOK, None, None, (["branch IN (?)"], ["izmir"]))
    assert {r["branch"] for r in scoped} == {"izmir"}
    # a queue call deleted on the branch (a journey merged away) goes on the central
    body = wire.encode("ankara", 2, "t", 0, [], [{"rid": rows[0]["rid"], "op": "delete"}])
    applier.apply("ankara", wire.decode(body, wire.headers(body, 2)))
    assert len(central_rows("ankara")) == 2


def test_a_batch_without_queue_calls_is_protocol_1_and_bad_queue_rows_are_refused(branch):
    sync_all()
    store.db.execute_sql("INSERT INTO sync_outbox (call_id) VALUES (424242)")   # a deleted call: a call row only
    b = outbox.build("izmir", "default")
    assert wire.headers(b.body, b.seq)[wire.H_PROTOCOL] == "1"                 # an older central takes it
    bad = {"rid": 1, "op": "upsert", "queue_call": {k: "x" for k in wire.QUEUE_FIELDS}}
    body = wire.encode("izmir", b.seq, "t", 0, [], [bad])
    with pytest.raises(wire.WireError, match="queue row 1: bad entered_utc"):
        wire.decode(body, wire.headers(body, b.seq))
    # queue rows under protocol 1 (a header that says 1 over a body of 2) are refused
    with pytest.raises(wire.WireError, match="protocol version"):
        wire.decode(body, {**wire.headers(body, b.seq), wire.H_PROTOCOL: "1"})
    assert send(b).seq == b.seq


def test_a_branch_enrolled_before_queue_calls_were_sent_queues_them_once_at_its_next_start(branch):
    sync_all()
    for name, _body in QUEUE_TRIGGERS:       # as an older release left it: the call triggers only
        store.db.execute_sql(f"DROP TRIGGER {name}")
    (branch.data / "sync").mkdir(exist_ok=True)
    (branch.data / "sync" / "central.json").write_text("{}")
    ensure_triggers(branch.data)
    n = store.db.execute_sql("SELECT COUNT(*) FROM queue_call").fetchone()[0]
    assert outbox.queue_backlog() == n and outbox.backlog() == 0      # its queue calls, not its calls again
    ensure_triggers(branch.data)
    assert outbox.queue_backlog() == n                                # once
