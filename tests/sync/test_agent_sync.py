"""The call centre's agent events (logins, logoffs, pauses with their reasons) from branch boxes to their central, on
SQLite and PostgreSQL: sent in the batches (protocol 3, only when a batch has some), applied exactly once by branch +
the event's id (an event changed or deleted on the branch replaces or removes its row, never a second one), two
boxes through the relay the test controls (the link cut mid-batch) with each box's events exactly once."""
import json
import sqlite3
import zlib

import pytest

from appliance import store
from appliance.callcentre import agents
from appliance.central import apply as applier
from appliance.paths import Paths
from appliance.store import central_db
from appliance.store.sync import CentralBranch, ensure_triggers, install_triggers
from appliance.store.sync_agent import AGENT_EVENTS, AGENT_FIELDS
from appliance.store.sync_agent import TRIGGERS as AGENT_TRIGGERS
from appliance.store.sync_agent import CentralAgentEvent
from appliance.sync import outbox, wire
from cc_helpers import feed
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import cli, cli_json, make_branch
from test_central_callcentre import member_log
from test_outages import central, relay  # noqa: F401  (fixtures)
from test_queue_outage import queue_log

T = 1_778_000_000


@pytest.fixture
def branch(tmp_path, engine):  # noqa: F811 (the fixture)
    paths = Paths(tmp_path)
    feed(paths, member_log(T, seed=1) + queue_log(5, T, seed=1))     # before the enrolment: sent by the backfill
    if engine is not None:
        pw = password_file(tmp_path)
        central_db.open_central(engine.url(engine.fresh_database()), pw.name, tmp_path)
    install_triggers(backfill=True)
    CentralBranch.create(name="izmir", created_utc=0, cert_serial="1")
    yield paths
    store.close_db()


def send(pending, branch="izmir"):
    return applier.apply(branch, wire.decode(pending.body, wire.headers(pending.body, pending.seq)))


def sync_all():
    while (batch := outbox.pending_batch() or outbox.build("izmir", "default", max_rows=7)) is not None:
        send(batch)
        outbox.acknowledged(batch)


def facts(where: str = "") -> list[tuple]:
    return sorted(store.db.execute_sql("SELECT id, at_utc, queue, agent, event, params FROM queue_event WHERE event IN "
                                       f"({', '.join('?' * len(AGENT_EVENTS))}) {where}", AGENT_EVENTS).fetchall())


def central_facts() -> list[tuple]:
    return sorted((r.rid, r.at_utc, r.queue, r.agent, r.event, r.params) for r in CentralAgentEvent.select())


def test_the_member_events_are_those_the_agents_kpis_walk():
    assert set(AGENT_EVENTS) == set(agents.MEMBER_EVENTS)


def test_agent_events_reach_the_central_once_and_changes_replace_them(branch):
    first = outbox.build("izmir", "default", max_rows=4)
    doc = json.loads(zlib.decompress(first.body))
    assert doc["protocol"] == 3 and len(doc["agent_rows"]) == 4 and first.agent_hi == 4
    assert set(doc["agent_rows"][0]["agent_event"]) == set(AGENT_FIELDS)
    assert send(first).duplicate is False and send(first).duplicate is True     # a resend: nothing applied twice
    outbox.acknowledged(first)
    sync_all()
    assert central_facts() == facts() and len(facts()) == len(member_log(T, seed=1))
    # an event changed on the branch (a reprocess: another reason) is an update; one deleted goes
    changed, gone = facts()[3][0], facts()[5][0]
    with store.db.atomic():
        store.db.execute_sql("UPDATE queue_event SET params = ? WHERE id = ?", ('["Öğle arası"]', changed))
        store.db.execute_sql("DELETE FROM queue_event WHERE id = ?", (gone,))
        store.db.execute_sql("UPDATE queue_event SET params = params WHERE event = 'CONNECT'")   # not an agent event
    assert store.db.execute_sql("SELECT COUNT(*) FROM sync_agent_outbox").fetchone()[0] == 2
    sync_all()
    assert central_facts() == facts()
    assert [r.params for r in CentralAgentEvent.select().where(CentralAgentEvent.rid == changed)] == ['["Öğle arası"]']


def test_protocol_3_only_with_agent_events_and_bad_rows_refused(branch):
    sync_all()
    store.db.execute_sql("INSERT INTO sync_outbox (call_id) VALUES (424242)")   # a deleted call: a call row only
    b = outbox.build("izmir", "default")
    assert wire.headers(b.body, b.seq)[wire.H_PROTOCOL] == "1"                 # an older central takes it
    bad = {"rid": 1, "op": "upsert", "agent_event": {k: "x" for k in AGENT_FIELDS}}
    body = wire.encode("izmir", b.seq, "t", 0, [], None, [bad])
    with pytest.raises(wire.WireError, match="agent event row 1: bad at_utc"):
        wire.decode(body, wire.headers(body, b.seq))
    with pytest.raises(wire.WireError, match="protocol version"):
        wire.decode(body, {**wire.headers(body, b.seq), wire.H_PROTOCOL: "2"})
    assert send(b).seq == b.seq


def test_a_branch_enrolled_before_agent_events_were_sent_queues_them_once_at_its_next_start(branch):
    sync_all()
    for name, _body in AGENT_TRIGGERS:       # as an older release left it
        store.db.execute_sql(f"DROP TRIGGER {name}")
    (branch.data / "sync").mkdir(exist_ok=True)
    (branch.data / "sync" / "central.json").write_text("{}")
    ensure_triggers(branch.data)
    count = "SELECT COUNT(*) FROM sync_agent_outbox"
    assert store.db.execute_sql(count).fetchone()[0] == len(facts())
    assert outbox.backlog() == 0 and outbox.queue_backlog() == 0           # not its calls or queue calls again
    ensure_triggers(branch.data)
    assert store.db.execute_sql(count).fetchone()[0] == len(facts())     # once


def _branch_events(data) -> set:
    con = sqlite3.connect(data / "callbox.db", timeout=30)
    try:
        return set(con.execute("SELECT id, at_utc, agent, event, params FROM queue_event WHERE event IN "
                               f"({', '.join('?' * len(AGENT_EVENTS))})", AGENT_EVENTS))
    finally:
        con.close()


@pytest.mark.slow    # a central process
def test_two_boxes_agent_events_through_a_cut_link_exactly_once(central, relay, tmp_path):  # noqa: F811
    boxes = {"izmir": tmp_path / "izmir", "ankara": tmp_path / "ankara"}
    for i, (name, data) in enumerate(boxes.items()):
        make_branch(data, central, name, relay.url)
        feed(Paths(data), member_log(T, seed=10 + i) + member_log(T + 86400, seed=20 + i) + queue_log(50, T, seed=i))
        store.close_db()
    relay.cut_after = 3000                      # the first connection dies inside the first batch
    rc, out, _err = cli("sync", "now", "--data", str(boxes["izmir"]), "--json")
    assert rc == 1 and central.query("SELECT COUNT(*) FROM central_agent_event")[0][0] == 0
    for name, data in boxes.items():
        assert cli_json("sync", "now", "--data", str(data), "--json")["pending"] == 0
    for name, data in boxes.items():
        theirs = central.query("SELECT rid, at_utc, agent, event, params FROM central_agent_event WHERE branch = ?",
                               (name,))
        assert len(theirs) == len(set(theirs)) and set(theirs) == _branch_events(data), name
    assert central.query("SELECT COUNT(*) FROM central_agent_event")[0][0] == sum(
        len(_branch_events(d)) for d in boxes.values())
