"""Every role × scope against the call-centre summary on a central box (issue 18 with 15): its branch boxes' queues
(central_queue_call) are shown with the branch box as a column and a filter, HQ seeing every box and a user scoped
to a branch only the box of that branch. The expected boxes are written here from the directory (the oracle), not
from appliance.reports.received."""
from __future__ import annotations

import re

import pytest
import webtest

from appliance import store
from appliance.access import users
from appliance.central import apply as applier
from appliance.directory import organisation as directory
from appliance.paths import Paths
from appliance.store import directory as sd
from appliance.store.sync import CentralBranch
from appliance.sync import wire
from cc_helpers import feed
from test_journeys import DOCUMENTED
from test_queue_scope_matrix import BILLING, COMBOS, PLACES, SUBJECTS, UNITS, expected
from web_helpers import add_user, login
from webui.app import make_app

BOXES = {"izmir": "İzmir", "warszawa": "Warszawa", "ankara": "Ankara"}   # identity: display name
BOX_OF_BRANCH = {"İzmir": "izmir", "Warszawa": "warszawa"}                # Ankara is no branch of this directory


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("queuebranches")
    units = "".join(f"  {q} = {kind} {name}\n" for q, (kind, name) in UNITS.items())
    (data / "callbox.ini").write_text(f"[pbx]\ndriver = asterisk_queue_log\n[callcentre]\nqueue_units =\n{units}"
                                      "[central]\nlisten = 127.0.0.1:8444\n", encoding="utf-8")
    feed(Paths(data), DOCUMENTED + BILLING)
    tid = sd.tenant_id("default", create=True)
    sd.tenant_id("beta", create=True)
    made: dict[tuple[str, str], int] = {}
    for key, (branch, dept) in PLACES.items():
        person = directory.add_person(tid, key, key.title(), "Test")
        for kind, name in (("branch", branch), ("department", dept)):
            if (kind, name) not in made:
                made[(kind, name)] = sd.create_named(tid, kind, name)
        directory.move_person(tid, person, None, branch_id=made[("branch", branch)],
                              department_id=made[("department", dept)])
    # each branch box sends queue calls: this box's own journeys, as if its PBX's, in its own tenant ("default")
    columns = [c for c in wire.QUEUE_FIELDS if c != "tenant"]
    local = store.db.execute_sql(f"SELECT id, {', '.join(columns)} FROM queue_call").fetchall()
    rows = [{"rid": r[0], "op": "upsert", "queue_call": dict(zip(columns, r[1:])) | {"tenant": "default"}}
            for r in local]
    for n, (name, label) in enumerate(BOXES.items()):
        CentralBranch.create(name=name, label=label, created_utc=0, cert_serial=str(n + 1))
        body = wire.encode(name, 1, "t", 0, [], rows[n:])
        applier.apply(name, wire.decode(body, wire.headers(body, 1)))
    application = make_app(data)
    store.close_db()
    yield application
    store.close_db()


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    monkeypatch.setattr(users, "SCRYPT", (2 ** 8, 8, 1))


def expected_boxes(role: str, scope: str, tenant: str, person: str) -> set[str] | None:
    """The branch boxes whose queues the user sees; None: no branch box part at all."""
    if role not in ("administrator", "supervisor"):
        return None
    if scope == "all":
        return set(BOXES)
    if scope == "tenant":
        return set(BOXES) if tenant == "default" else set()     # the boxes' queue calls are of tenant "default"
    if scope == "branch" and person in PLACES:
        box = BOX_OF_BRANCH.get(PLACES[person][0])
        return {box} if box else None
    return None


def boxes_shown(html: str) -> set[str]:
    table = html.split('id="branch-queues"', 1)
    return set(re.findall(r'data-box="([^"]+)"', table[1].split("</table>", 1)[0])) if len(table) == 2 else set()


@pytest.mark.parametrize("role,scope", COMBOS)
def test_each_role_and_scope_sees_exactly_its_branch_boxes_queues(app, role, scope):
    subjects = [("", "")] if scope == "all" else [("default", ""), ("beta", "")] if scope == "tenant" else SUBJECTS
    for tenant, person in subjects:
        name = f"b-{role}-{scope}-{tenant}-{person}"
        add_user(name, role, scope, tenant, person)
        client = webtest.TestApp(app)
        login(client, name)
        want = expected_boxes(role, scope, tenant, person)
        local = expected(role, scope, tenant, person)
        status = 403 if want is None and local is None else 200
        page = client.get("/callcentre", {"range": "all"}, status=status)
        if status == 403:
            continue
        assert boxes_shown(page.text) == (want or set()), name
        for box in BOXES:        # the filter: one box, never one the user may not see
            got = boxes_shown(client.get("/callcentre", {"range": "all", "branch": box}).text)
            assert got == ({box} & (want or set())), (name, box)


def test_the_branch_matrix_is_not_vacuous(app):
    assert expected_boxes("supervisor", "branch", "default", "ayse") == {"izmir"}
    assert expected_boxes("supervisor", "branch", "default", "olga") == {"warszawa"}
    assert expected_boxes("administrator", "department", "default", "ayse") is None
    add_user("hq-check", "administrator", "all", "", "")
    client = webtest.TestApp(app)
    login(client, "hq-check")
    page = client.get("/callcentre", {"range": "all", "branch": "ankara"}).text
    assert boxes_shown(page) == {"ankara"} and "billing" in page.split('id="branch-queues"')[1]
    assert 'id="branch"' in page and ">İzmir<" in page          # the filter, with the boxes' display names
