"""Every role × scope against every call-centre endpoint (issue 15): the queue summary, each report (page and CSV),
the wallboard and its event stream. The expected queues come from [callcentre] queue_units and the directory as
written here (the oracle), not from appliance.callcentre.scope."""
from __future__ import annotations

import csv
import io

import pytest
import webtest

from appliance import store
from appliance.access import users
from appliance.callcentre import reports
from appliance.directory import organisation as directory
from appliance.paths import Paths
from appliance.store import directory as sd
from cc_helpers import feed
from test_journeys import DOCUMENTED, T
from web_helpers import add_user, login
from webui.app import make_app

UNITS = {"sales": ("department", "Sales"), "support": ("department", "Support"), "billing": ("branch", "İzmir")}
PLACES = {"ayse": ("İzmir", "Sales"), "olga": ("Warszawa", "Support"), "kemal": ("Warszawa", "Accounts")}
BILLING = [f"{T + 500}|{T + 500}.90|billing|NONE|ENTERQUEUE||0612000000|1",
           f"{T + 505}|{T + 500}.90|billing|PJSIP/401|CONNECT|5|{T + 504}.91|3",
           f"{T + 565}|{T + 500}.90|billing|PJSIP/401|COMPLETEAGENT|5|60|1",
           f"{T + 600}|{T + 600}.92|nobodys|NONE|ENTERQUEUE||0612000001|1",
           f"{T + 610}|{T + 600}.92|nobodys|NONE|ABANDON|1|1|10"]
ALL_QUEUES = {"sales", "support", "billing", "nobodys"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("queuematrix")
    units = "".join(f"  {q} = {kind} {name}\n" for q, (kind, name) in UNITS.items())
    (data / "callbox.ini").write_text(f"[pbx]\ndriver = asterisk_queue_log\n[callcentre]\nqueue_units =\n{units}",
                                      encoding="utf-8")
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
    application = make_app(data)
    first_calls = store.db.execute_sql("SELECT queue, MIN(id) FROM queue_call GROUP BY queue")
    application.config["test.qcids"] = dict(first_calls)
    store.close_db()
    yield application
    store.close_db()


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    monkeypatch.setattr(users, "SCRYPT", (2 ** 8, 8, 1))


def expected(role: str, scope: str, tenant: str, person: str) -> set[str] | None:
    """The queues the user sees; None: the call-centre pages are refused (403)."""
    if scope == "all" or (scope == "tenant" and tenant == "default" and role in ("administrator", "supervisor")):
        return ALL_QUEUES
    if role not in ("administrator", "supervisor") or scope not in ("department", "branch") or person not in PLACES:
        return None
    branch, dept = PLACES[person]
    mine = {q for q, (kind, name) in UNITS.items() if (kind, name) == (scope, branch if scope == "branch" else dept)}
    return mine or None


def queues_in_csv(text: str) -> set[str]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or "Queue" not in rows[0]:
        return set()
    i = rows[0].index("Queue")
    return {r[i] for r in rows[1:] if r[i]}


COMBOS = [(role, scope) for role in users.ROLES for scope in users.SCOPES if scope != "all" or role == "administrator"]
SUBJECTS = [("default", "ayse"), ("default", "olga"), ("default", "kemal"), ("beta", "boris"), ("default", "nobody")]
QUEUE_REPORTS = ["queue_summary", "service_level_by_day", "queue_hour_heatmap", "agent_by_queue", "transfers",
                 "calls_over_5_min", "callback_time", "callback_list", "caller_journeys", "outside_opening_hours"]


@pytest.mark.parametrize("role,scope", COMBOS)
def test_each_role_and_scope_sees_exactly_its_queues(app, role, scope):
    subjects = [("", "")] if scope == "all" else [("default", ""), ("beta", "")] if scope == "tenant" else SUBJECTS
    for tenant, person in subjects:
        name = f"q-{role}-{scope}-{tenant}-{person}"
        add_user(name, role, scope, tenant, person)
        client = webtest.TestApp(app)
        login(client, name)
        want = expected(role, scope, tenant, person)
        status = 403 if want is None else 200
        client.get("/callcentre", {"range": "all"}, status=status)
        client.get("/callcentre/reports", status=403 if role not in ("administrator", "supervisor") else 200)
        client.get("/wallboard", status=status)
        for report in reports.REPORTS:
            got = client.get(f"/callcentre/reports/{report}", {"range": "all", "export": "csv"}, status=status)
            if want is None:
                continue
            shown = queues_in_csv(got.text)
            assert shown <= want, (name, report, shown - want)
            if report in ("queue_summary", "queue_hour_heatmap"):
                assert shown == want, (name, report)
        for q, qcid in app.config["test.qcids"].items():     # a queue call's evaluation page: its queue's only
            client.get(f"/callcentre/evaluate/{qcid}", status=403 if want is None else 200 if q in want else 404)
        if want is not None:     # asking for another's queue by name gives nothing of it
            others = ALL_QUEUES - want
            for q in others:
                got = client.get("/callcentre/reports/queue_summary", {"range": "all", "export": "csv", "queue": q})
                assert queues_in_csv(got.text) == set(), (name, q)
            agents = client.get("/callcentre/reports/agent_performance", {"range": "all", "export": "csv"}).text
            assert ("PJSIP/401" in agents) == ("billing" in want), name       # billing's agent only with billing


def test_the_matrix_is_not_vacuous():
    assert expected("supervisor", "department", "default", "ayse") == {"sales"}
    assert expected("supervisor", "branch", "default", "ayse") == {"billing"}
    assert expected("supervisor", "department", "default", "kemal") is None        # Accounts has no queue
    assert expected("operator", "tenant", "default", "") is None
    assert expected("administrator", "tenant", "beta", "") is None
