"""Every page and endpoint of webui/admin/ keeps a tenant's administrator to their own tenant (issue 13): two
tenants, each with people, a trunk, an alert rule and a part of the last sync report; each tenant's administrator
reads every admin page and tries each write aimed at the other tenant. Nothing of the other tenant shows, nothing
of it changes, and box-wide pages answer 403."""
from __future__ import annotations

import pytest
import webtest

from appliance import config, store
from appliance.alerts import rules as alert_rules
from appliance.directory import organisation as directory
from appliance.store import directory as sd
from test_web_directory import CFG, seed
from web_helpers import add_user, login
from webui.app import make_app

PEOPLE = ("tenant;person_id;first_name;last_name;extensions\n"
          "default;P1;Ayşe;Demir;201\n"
          "other;Q1;Olga;Secret;501\n")
# what only each tenant's pages may show: a person's name, the tenant's name, its trunk, its alert rule's address
MARKERS = {"default": ("Ayşe", "Acme Ltd", "TRUNK-ACME", "watch@acme.example"),
           "other": ("Olga", "Other Co", "TRUNK-OTHER", "watch@other.example")}
BOX_WIDE = ("/outbox", "/schedules", "/users", "/users/edit?username=boxadmin")


@pytest.fixture
def app(tmp_path):
    ids = seed(tmp_path)
    store.open_db(tmp_path / "callbox.db")
    for code in ("default", "other"):
        tid = sd.tenant_id(code)
        directory.set_trunk(tid, "9" if code == "default" else "8", "Provider", None, f"TRUNK-{code.upper()}"
                            .replace("DEFAULT", "ACME"))
        alert_rules.add_rule(code, "cost", "person", "P1" if code == "default" else "Q1", "day", "10",
                             cc=MARKERS[code][3])
    store.close_db()
    csv = tmp_path / "people.csv"
    csv.write_text(PEOPLE, encoding="utf-8")
    application = make_app(tmp_path, config.Config(text=CFG + f"csv = {csv}\nprecedence = csv\n"))
    add_user("boxadmin")
    box = webtest.TestApp(application)
    html = box.post("/directory/sync", {"csrf_token": login(box, "boxadmin")}).text   # one report, both tenants
    assert all(m in html for m in ("Ayşe", "Olga"))
    application.config["test.ids"] = ids
    yield application
    store.close_db()


def state(tmp_path) -> tuple:
    store.open_db(tmp_path / "callbox.db")
    try:
        return ([(p.tenant_id, p.external_id, p.first_name, p.ended_utc) for p in sd.Person.select()],
                [(r.tenant_id, r.person_id, r.valid_from, r.valid_to) for r in sd.Placement.select()],
                [(r.tenant_id, r.extension, r.valid_from, r.valid_to) for r in sd.ExtensionAssignment.select()],
                [(r.tenant_id, r.trunk, r.provider, r.description) for r in sd.Trunk.select()],
                alert_rules.rules())
    finally:
        store.close_db()


@pytest.mark.parametrize("mine, theirs", [("default", "other"), ("other", "default")])
def test_a_tenant_administrator_sees_and_changes_only_their_tenant(app, tmp_path, mine, theirs):
    client = webtest.TestApp(app)
    add_user(f"{mine}admin", "administrator", "tenant", mine)
    csrf = login(client, f"{mine}admin")
    pages = {"/alerts": 200, "/directory": 200, "/directory/trunks": 200, "/directory/sync": 200, "/tariffs": 200,
             f"/directory?tenant={theirs}": 404, f"/directory/trunks?tenant={theirs}": 404,
             **{path: 403 for path in BOX_WIDE}}
    for path, status in pages.items():
        html = client.get(path, status=status).text
        for marker in MARKERS[theirs]:
            assert marker not in html, (path, marker)
        if status == 200 and path != "/tariffs":            # tariffs belong to no tenant: read-only for them
            assert any(marker in html for marker in MARKERS[mine]), path
    store.open_db(tmp_path / "callbox.db")
    theirs_id = sd.tenant_id(theirs)
    person = sd.Person.get(sd.Person.tenant_id == theirs_id).id
    rule = next(r["id"] for r in alert_rules.rules() if r["tenant"] == theirs)
    store.close_db()
    client.get(f"/directory/person/{person}", status=404)

    before = state(tmp_path)
    client.post("/directory/move", {"csrf_token": csrf, "person": person, "date": "2025-01-01"}, status=404)
    client.post("/directory/extension", {"csrf_token": csrf, "person": person, "date": "2025-01-01",
                                         "extension": "777"}, status=404)
    client.post("/directory/trunks", {"csrf_token": csrf, "tenant": theirs},
                upload_files=[("file", "t.csv", b"trunk;provider\n8;Evil\n")], status=404)
    # the organisation's forms (webui.admin.directory_edit): nothing of their tenant, not even that it exists
    for path, form in [("/directory/person/new", {"tenant": theirs, "external_id": "EVIL", "last_name": "E",
                                                  "date": "2025-01-01"}),
                       ("/directory/units", {"tenant": theirs, "kind": "department", "name": "Evil"}),
                       ("/directory/trunks/line", {"tenant": theirs, "trunk": "8", "provider": "Evil",
                                                   "date": "2025-01-01"})]:
        client.post(path, dict(form, csrf_token=csrf), status=404)
    client.post("/directory/import", {"csrf_token": csrf, "tenant": theirs},
                upload_files=[("file", "p.csv", b"person_id;last_name\nEVIL;E\n")], status=404)
    for path in ("/directory/person/details", "/directory/person/end"):
        client.post(path, {"csrf_token": csrf, "person": person, "last_name": "E", "date": "2025-01-01"}, status=404)
    client.post("/alerts/add", {"csrf_token": csrf, "tenant": theirs, "measure": "cost", "subject_kind": "role",
                                "subject": "staff", "period": "day", "limit": "1", "cc": "spy@example.com"},
                status=400)
    client.post("/alerts/remove", {"csrf_token": csrf, "id": rule}, status=303)
    if mine != "default":                    # the sync writes the [directory] tenant: not theirs
        client.post("/directory/sync", {"csrf_token": csrf}, status=403)
        assert 'action="/directory/sync"' not in client.get("/directory/sync").text
    assert state(tmp_path) == before
