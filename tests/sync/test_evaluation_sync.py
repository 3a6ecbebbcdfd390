"""The call centre's evaluations from branch boxes to their central (issue 18 with CC-5), on SQLite and PostgreSQL:
sent in the batches (protocol 4, only to a central that said it takes 4), applied exactly once by branch + the
evaluation's id (one edited on the branch replaces its row, one deleted goes, never a second row); an older central
(protocols 1-3, saying none in its answers) never gets them and keeps taking the branch's calls, and once updated it
gets every evaluation held back; an older branch's batches (no evaluations) are taken as before; two boxes through
the relay the test controls (the link cut mid-batch), each box's evaluations exactly once, and an edit is an update;
`callbox sync status --json` counts the evaluations waiting apart from the calls, and says when they are held back."""
import json
import sqlite3
import zlib
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.callcentre import evaluation, received, received_agents, received_ranks
from appliance.callcentre.kpis import RuleBook
from appliance.callcentre.tables import Ask
from appliance.central import apply as applier
from appliance.paths import Paths
from appliance.store import central_db
from appliance.store.sync import CentralBranch, ensure_triggers, install_triggers
from appliance.store.sync_evaluation import EVALUATION_FIELDS
from appliance.store.sync_evaluation import TRIGGERS as EVALUATION_TRIGGERS
from appliance.store.sync_evaluation import CentralEvaluation
from appliance.sync import link, outbox, sender, wire
from cc_helpers import feed
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import cli, cli_json, make_branch
from test_outages import central, relay  # noqa: F401  (fixtures)
from test_queue_outage import queue_log

T = 1_778_000_000
UTC = ZoneInfo("UTC")
FORM = (("Karşılama", 5), ("Çözüm", 10))
COLUMNS = "rid, queue_call_id, queue, agent, entered_utc, evaluator, at_utc, scores, points, max_points, note"


def evaluate(n: int, seed: int, evaluator: str = "ayşe") -> list[int]:
    """Evaluations of the first `n` answered queue calls (an Unicode note each), as the web stores them."""
    qcids = [r[0] for r in store.db.execute_sql("SELECT id FROM queue_call WHERE seen_enter = 1 AND outcome = "
                                                "'answered' ORDER BY id LIMIT ?", (n,))]
    assert len(qcids) == n
    return [evaluation.record(evaluation.queue_call(q), evaluator, {"Karşılama": (q + seed) % 6, "Çözüm": q % 11},
                              FORM, f"Not {i}: güler yüzlü", now=T + 7200 + i) for i, q in enumerate(qcids)]


@pytest.fixture
def branch(tmp_path, engine):  # noqa: F811 (the fixture)
    paths = Paths(tmp_path)
    feed(paths, queue_log(30, T, seed=3))
    evaluate(5, 1)                                                   # before the enrolment: sent by the backfill
    if engine is not None:
        central_db.open_central(engine.url(engine.fresh_database()), password_file(tmp_path).name, tmp_path)
    install_triggers(backfill=True)
    CentralBranch.create(name="izmir", created_utc=0, cert_serial="1")
    yield paths
    store.close_db()


def send(pending, branch="izmir"):
    return applier.apply(branch, wire.decode(pending.body, wire.headers(pending.body, pending.seq)))


def sync_all(evaluations: bool = True):
    while (batch := outbox.pending_batch()
           or outbox.build("izmir", "default", max_rows=3, evaluations=evaluations)) is not None:
        send(batch)
        outbox.acknowledged(batch)


def facts() -> list[tuple]:
    return sorted(store.db.execute_sql(f"SELECT {COLUMNS.replace('rid', 'id', 1)} FROM call_evaluation").fetchall())


def central_facts() -> list[tuple]:
    return sorted(tuple(getattr(r, c.strip()) for c in COLUMNS.split(",")) for r in CentralEvaluation.select())


def test_evaluations_reach_the_central_once_and_an_edit_replaces_its_row(branch):
    first = outbox.build("izmir", "default", max_rows=2)
    doc = json.loads(zlib.decompress(first.body))
    assert doc["protocol"] == 4 and len(doc["evaluation_rows"]) == 2 and first.evaluation_hi == 2
    assert set(doc["evaluation_rows"][0]["evaluation"]) == set(EVALUATION_FIELDS)
    assert send(first).duplicate is False and send(first).duplicate is True     # a resend: nothing applied twice
    outbox.acknowledged(first)
    sync_all()
    assert central_facts() == facts() and len(facts()) == 5
    # a supervisor corrects an evaluation on the branch (points, note): the central's row changes, no new row; one
    # deleted goes; a new one arrives
    edited, gone = facts()[1][0], facts()[3][0]
    with store.db.atomic():
        store.db.execute_sql("UPDATE call_evaluation SET points = 1, note = ? WHERE id = ?", ("Düzeltildi ✓", edited))
        store.db.execute_sql("DELETE FROM call_evaluation WHERE id = ?", (gone,))
    evaluate(7, 2, "mehmet")
    sync_all()
    assert central_facts() == facts() and CentralEvaluation.select().count() == len(facts()) == 11
    row = CentralEvaluation.get(CentralEvaluation.rid == edited)
    assert (row.points, row.note, row.tenant) == (1, "Düzeltildi ✓", "default")
    assert outbox.evaluation_backlog() == 0


def test_an_older_central_never_gets_them_and_keeps_taking_calls_until_updated(branch, monkeypatch):
    assert not wire.takes_evaluations({}) and not wire.takes_evaluations({"protocols": [1, 2, 3]})
    assert wire.takes_evaluations({"protocols": list(wire.PROTOCOLS)})
    # an older central: it takes protocols 1-3 and says none in its answers; the branch keeps its evaluations back
    monkeypatch.setattr(wire, "PROTOCOLS", (1, 2, 3))
    sync_all(evaluations=False)
    assert CentralEvaluation.select().count() == 0 and outbox.evaluation_backlog() == 5
    assert outbox.queue_backlog() == 0                                          # its queue calls went
    # a batch of protocol 4 (a central downgraded after it said it takes them) is refused, kept, and sent again
    held = outbox.build("izmir", "default")
    with pytest.raises(wire.WireError, match="protocol version '4'.*update the older box"):
        send(held)
    assert outbox.pending_batch().seq == held.seq
    monkeypatch.setattr(wire, "PROTOCOLS", (1, 2, 3, 4))                      # the central updated
    sync_all()
    assert central_facts() == facts() and outbox.evaluation_backlog() == 0


class _Central:
    """The central's answers to a branch's sender, in this process (its receiver's decode and apply, without TLS):
    `protocols` None as an older central (it says none, and takes 1-3), else this release's."""
    protocols: list | None = None
    requests: list[str] = []

    def __init__(self, url, files, timeout):
        pass

    def request(self, method, path, body=None, headers=None) -> dict:
        said = {} if self.protocols is None else {"protocols": self.protocols}
        _Central.requests.append(path)
        if path == "/sync/hello":
            return {"branch": "izmir", **said}
        try:
            done = applier.apply("izmir", wire.decode(body, headers))
        except wire.WireError as e:
            raise link.LinkError(str(e), 400, {"error": str(e)}) from None
        return {"seq": done.seq, "rows": done.rows, "duplicate": done.duplicate, **said}


def test_the_sender_holds_evaluations_back_from_an_older_central_and_sends_them_once_it_is_updated(branch,
                                                                                                   monkeypatch):
    (branch.data / "sync").mkdir(exist_ok=True)
    (branch.data / "sync" / "central.json").write_text('{"url": "https://central.example:8444", "branch": "izmir"}')
    monkeypatch.setattr(link, "Link", _Central)
    monkeypatch.setattr(wire, "PROTOCOLS", (1, 2, 3))                        # an older central
    _Central.protocols, _Central.requests = None, []
    got = sender.send_now(branch.data, "default")
    assert got["error"] is None and outbox.queue_backlog() == 0 and outbox.evaluation_backlog() == 5
    assert CentralEvaluation.select().count() == 0 and _Central.requests[0] == "/sync/hello"
    assert sender.send_now(branch.data, "default")["error"] is None                 # again: still held back
    assert outbox.evaluation_backlog() == 5
    status = sender.status(branch.data)                     # `callbox sync status --json`: calls, and evaluations
    assert status["backlog"] == 0 and status["backlog_evaluations"] == 5 and status["evaluations_held"] is True
    monkeypatch.setattr(wire, "PROTOCOLS", (1, 2, 3, 4))                      # updated: it says so at the hello
    _Central.protocols = [1, 2, 3, 4]
    assert sender.send_now(branch.data, "default")["error"] is None
    assert central_facts() == facts() and outbox.evaluation_backlog() == 0
    status = sender.status(branch.data)
    assert status["backlog_evaluations"] == 0 and status["evaluations_held"] is False


def test_an_older_branchs_batch_and_bad_rows(branch):
    older = wire.encode("izmir", 1, "old", 0, [], [], [], None)                # protocol 1, no evaluation key
    got = wire.decode(older, wire.headers(older, 1))
    assert got.evaluation_rows == [] and applier.apply("izmir", got).duplicate is False
    bad = {"rid": 1, "op": "upsert", "evaluation": {k: "x" for k in EVALUATION_FIELDS}}
    body = wire.encode("izmir", 2, "t", 0, [], evaluation_rows=[bad])
    with pytest.raises(wire.WireError, match="evaluation row 1: bad queue_call_id"):
        wire.decode(body, wire.headers(body, 2))
    sneaked = zlib.compress(json.dumps({"protocol": 3, "branch": "izmir", "seq": 2, "rows": [],
                                        "evaluation_rows": [{"rid": 1, "op": "delete"}]}).encode())
    with pytest.raises(wire.WireError, match="bad evaluation rows"):
        wire.decode(sneaked, {**wire.headers(sneaked, 2), wire.H_PROTOCOL: "3"})


def test_a_branch_enrolled_before_evaluations_were_sent_queues_them_once_at_its_next_start(branch):
    sync_all()
    for name, _body in EVALUATION_TRIGGERS:       # as an older release left it
        store.db.execute_sql(f"DROP TRIGGER {name}")
    (branch.data / "sync").mkdir(exist_ok=True)
    (branch.data / "sync" / "central.json").write_text("{}")
    ensure_triggers(branch.data)
    assert outbox.evaluation_backlog() == 5 and outbox.backlog() == 0 and outbox.queue_backlog() == 0
    ensure_triggers(branch.data)
    assert outbox.evaluation_backlog() == 5                                    # once


def test_the_centrals_reports_show_each_boxs_evaluations_by_its_scope(branch):
    mine = evaluation.report(Ask(RuleBook(), T - 3600, T + 86400, UTC))
    sync_all()
    everyone = ([], [])
    ask = Ask(RuleBook(), T - 3600, T + 86400, UTC)
    table = received_ranks.evaluations(ask, everyone, own=False)
    assert [r[1:] for r in table.rows] == mine.rows and {r[0] for r in table.rows} == {"izmir"}
    assert table.totals[2:] == mine.totals[1:] and table.note == received_ranks.EVALUATIONS_NOTE
    assert received_ranks.evaluations(ask, (["branch = ?"], ["ankara"]), own=False).rows == []   # another box's user
    assert received_ranks.evaluations(ask, everyone, "ankara", own=False).rows == []
    sums = received.branch_evaluations(ask.since, ask.until, everyone)
    perf = received_agents.performance(ask, everyone, own=False)
    cols = perf.names()
    for r in perf.rows:
        n, points, most = sums.get((r[0], r[1]), (0, 0, 0))
        want = round(100 * points / most, 2) if most else None
        assert r[cols.index("evaluated")] == n and r[cols.index("score_pct")] == want
    assert sum(r[cols.index("evaluated")] for r in perf.rows) == 5
    assert perf.totals[cols.index("score_pct")] == mine.totals[-1]


def _branch_evaluations(data) -> set:
    con = sqlite3.connect(data / "callbox.db", timeout=30)
    try:
        return set(con.execute(f"SELECT {COLUMNS.replace('rid', 'id', 1)} FROM call_evaluation"))
    finally:
        con.close()


@pytest.mark.slow    # a central process
def test_two_boxes_evaluations_through_a_cut_link_exactly_once(central, relay, tmp_path):  # noqa: F811
    boxes = {"izmir": tmp_path / "izmir", "ankara": tmp_path / "ankara"}
    for i, (name, data) in enumerate(boxes.items()):
        make_branch(data, central, name, relay.url)
        feed(Paths(data), queue_log(60, T, seed=i))
        evaluate(8 + i, i)
        store.close_db()
    relay.cut_nth = (2, 3000)      # the first batch's connection dies inside it (after the hello: evaluations wait)
    rc, _out, _err = cli("sync", "now", "--data", str(boxes["izmir"]), "--json")
    assert rc == 1 and central.query("SELECT COUNT(*) FROM central_call_evaluation")[0][0] == 0

    def check() -> None:
        for name, data in boxes.items():
            assert cli_json("sync", "now", "--data", str(data), "--json")["pending"] == 0
        for name, data in boxes.items():
            theirs = central.query(f"SELECT {COLUMNS} FROM central_call_evaluation WHERE branch = ?", (name,))
            assert len(theirs) == len(set(theirs)) and set(theirs) == _branch_evaluations(data), name
        assert central.query("SELECT COUNT(*) FROM central_call_evaluation")[0][0] == sum(
            len(_branch_evaluations(d)) for d in boxes.values())
    check()
    con = sqlite3.connect(boxes["ankara"] / "callbox.db", timeout=30)     # a supervisor corrects one on Ankara
    with con:
        con.execute("UPDATE call_evaluation SET points = 0, note = 'Yeniden dinlendi' WHERE id = "
                    "(SELECT MIN(id) FROM call_evaluation)")
    con.close()
    check()
    assert central.query("SELECT COUNT(*) FROM central_call_evaluation WHERE note = 'Yeniden dinlendi'")[0][0] == 1
