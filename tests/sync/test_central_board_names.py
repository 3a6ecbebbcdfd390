"""The central's wallboard names a branch box's agents as the box's own wallboard does (issue 18), on SQLite and
PostgreSQL: from the directory the box synced (its people's extensions as of now, in its [pbx] tenant), the channel
only when no person matches (an extension nobody holds, one whose holder moved away, a box that sent no directory);
a directory the box sends again (a person renamed) names them anew."""
from __future__ import annotations

import time

import pytest

from appliance import store
from appliance.callcentre import kpis, live
from appliance.callcentre import received as cc_received
from appliance.paths import Paths
from appliance.reports import received
from appliance.reports.attribution import rollup_scope
from appliance.access import users
from appliance.central import snapshots as central_snapshots
from appliance.store import central_db
from appliance.store import directory as sd
from appliance.store.sync import install_triggers
from appliance.sync import outbox, snapshot
from cc_helpers import feed
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import central_of_boxes, cli
from test_central_callcentre import member_log
from test_queue_outage import queue_log

ADMIN = users.Account(0, "hq", "administrator", "all", "", "")
BOXES = {"izmir": 40, "ankara": 30}
# the İzmir box's people: 201 and 202 hold by them, Agent/1001 logs in as 1001; 203 nobody's; 204 was Ali's until
# an hour ago; the Ankara box sends no directory
PEOPLE = ("person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;201\n"
          "P2;Çağla;;İzmir;Destek;202\nP3;Mehmet;Öz;İzmir;Destek;1001\nP4;Ali;Kaya;İzmir;Destek;\n")


def board_agents(name: str, now: int) -> list[dict]:
    """The box's own wallboard's agents now (named from its directory, in its [pbx] tenant "default")."""
    return live.board(kpis.RuleBook(), live.Targets(), now, now - now % 86400, (), "default")["agents"]


def _directory(data, name: str):
    (data / "people.csv").write_text(PEOPLE, encoding="utf-8")
    assert cli("directory", "import", str(data / "people.csv"), "--data", str(data))[0] == 0
    store.open_db(data / "callbox.db")
    tid = sd.tenant_id("default")
    p4 = sd.Person.get(sd.Person.external_id == "P4").id
    store.db.execute_sql("INSERT INTO extension_assignment (tenant_id, extension, person_id, valid_from, valid_to) "
                         "VALUES (?, '204', ?, 0, ?)", (tid, p4, int(time.time()) - 3600))
    _gen, tables = snapshot.current("directory")
    version, body = snapshot.encode("directory", name, tables)
    return "directory", version, body


@pytest.fixture(scope="module")
def boxes(tmp_path_factory):
    first = int(time.time()) - 7200
    sent, snaps, agents = {}, {}, {}
    for i, (name, n) in enumerate(BOXES.items()):
        data = tmp_path_factory.mktemp(name)
        feed(Paths(data), member_log(first, seed=90 + i) + queue_log(n, first, seed=60 + i))
        store.close_db()
        snaps[name] = [_directory(data, name)] if name == "izmir" else []
        store.open_db(data / "callbox.db")
        install_triggers(backfill=True)
        agents[name] = board_agents(name, int(time.time()))
        bodies = []
        while (b := outbox.build(name, "default", max_rows=50)) is not None:
            bodies.append((b.seq, b.body))
            outbox.acknowledged(b)
        store.close_db()
        sent[name] = bodies
    return sent, snaps, agents


@pytest.fixture
def central(tmp_path, engine, boxes):  # noqa: F811 (the fixture)
    sent, snaps, _agents = boxes
    central_of_boxes(tmp_path, engine, sent, snaps)
    yield tmp_path
    store.close_db()


def _central_agents() -> dict[str, list[tuple[str, str]]]:
    now = int(time.time())
    with central_db.connection():
        seen = received.scope_sql(rollup_scope(ADMIN, "default"))
        rows = cc_received.board_agents(kpis.RuleBook(), now, now - now % 86400, seen, {})
    out: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        out.setdefault(r["branch"], []).append((r["agent"], r["name"]))
    return out


def test_agents_are_named_as_on_the_box(central, boxes):
    _sent, _snaps, agents = boxes
    got = _central_agents()
    for name, mine in agents.items():
        assert got[name] == [(a["agent"], a["name"]) for a in mine], name
    named = dict(got["izmir"])
    assert named["PJSIP/201"] == "Ayşe Yılmaz" and named["PJSIP/202"] == "Çağla"
    assert named["Agent/1001"] == "Mehmet Öz"
    assert named["PJSIP/203"] == "" and named["PJSIP/204"] == ""    # nobody's; Ali's until an hour ago
    assert all(n == "" for _a, n in got["ankara"])                  # no directory sent: the channels


def test_a_directory_sent_again_names_them_anew(central, boxes, tmp_path_factory):
    data = tmp_path_factory.mktemp("izmir2")
    store.close_db()
    (data / "people.csv").write_text(PEOPLE.replace("Ayşe;Yılmaz", "Ayşe;Demir"), encoding="utf-8")
    assert cli("directory", "import", str(data / "people.csv"), "--data", str(data))[0] == 0
    store.open_db(data / "callbox.db")
    _gen, tables = snapshot.current("directory")
    version, body = snapshot.encode("directory", "izmir", tables)
    store.close_db()
    store.open_db(central / "callbox.db")
    if engine_url := _pg_url(central):
        central_db.open_central(engine_url, "central-db.pw", central)
    with central_db.connection():
        assert central_snapshots.store("izmir", snapshot.decode(body, snapshot.headers(body, version), "directory"))
    assert dict(_central_agents()["izmir"])["PJSIP/201"] == "Ayşe Demir"


def _pg_url(data) -> str:
    for line in (data / "callbox.ini").read_text(encoding="utf-8").splitlines():
        if line.startswith("database = "):
            return line.split(" = ", 1)[1]
    return ""
