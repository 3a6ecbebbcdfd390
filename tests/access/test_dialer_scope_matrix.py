"""Every role × scope against every dialer endpoint (issue 16, CC-6): the agent's /dialer and its five POSTs (every
role, their own extensions, their tenant's campaigns), and the supervisors' campaign pages, export and do-not-call
list (administrators and supervisors; a campaign of another tenant is not found; scope all sees every one). The
oracle is written here from the rules in README "Campaign dialer", not from webui.auth."""
from __future__ import annotations

import pytest
import webtest

from appliance import store
from appliance.access import users
from appliance.dialer import campaigns, sources
from appliance.directory import organisation as directory
from appliance.store import directory as sd
from web_helpers import add_user, login
from webui.app import make_app

ALWAYS = "mon-sun 00:00-24:00"
CSV = "number,name\n0532 123 45 67,Ayşe\n0212 555 12 34,Kemal\n"
COMBOS = [(role, scope) for role in users.ROLES for scope in users.SCOPES if scope != "all" or role == "administrator"]
SUPERVISOR_GETS = ("/dialer/campaigns", "/dialer/campaigns/{default}", "/dialer/campaigns/{default}/export.csv")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("dialermatrix")
    (data / "callbox.ini").write_text("[numbers]\ncountry = TR\narea_codes = 212\n[pbx]\ntimezone = Europe/Istanbul\n",
                                      encoding="utf-8")
    store.open_db(data / "callbox.db")
    tid = sd.tenant_id("default", create=True)
    bid = sd.tenant_id("beta", create=True)
    for t, key, ext in ((tid, "ayse", "201"), (bid, "boris", "201")):
        directory.assign_extension(t, directory.add_person(t, key, key.title(), "Test"), ext, None)
    plan = campaigns.plan_of(__import__("appliance.config", fromlist=["load"]).load(None, data))
    ids = {}
    for tenant in ("default", "beta"):
        got = campaigns.create(f"c-{tenant}", f"Campaign {tenant}", sources.read_csv(CSV, "c.csv"), plan,
                               windows=ALWAYS, tenant=tenant, timezone="Europe/Istanbul")
        ids[tenant] = got.campaign.id
    store.close_db()
    application = make_app(data)
    application.config["test.ids"] = ids
    yield application
    store.close_db()


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    monkeypatch.setattr(users, "SCRYPT", (2 ** 8, 8, 1))


def sees(role: str, scope: str, tenant: str) -> set[str] | None:
    """The campaigns' tenants a user manages; None: the supervisor pages are refused (403)."""
    if role not in ("administrator", "supervisor"):
        return None
    return {"default", "beta"} if scope == "all" else {tenant}


@pytest.mark.parametrize("role,scope", COMBOS)
def test_each_role_and_scope_reaches_exactly_its_dialer_pages_and_campaigns(app, role, scope):
    ids = app.config["test.ids"]
    tenant, person = ("", "") if scope == "all" else ("default", "ayse")
    name = f"d-{role}-{scope}"
    person = add_user(name, role, scope, tenant, person).person     # kept for own/department/branch only
    client = webtest.TestApp(app)
    csrf = login(client, name)
    page = client.get("/dialer", status=200)            # every role: the agent's page
    offered = {c.text for c in page.html.select("#dialer-campaigns td:first-child")}
    if person:     # extension 201 in the directory: the campaigns of their tenant are offered
        assert offered == {"Campaign default"}, name
    else:          # no extension of theirs: nothing to join
        assert not offered and page.html.select_one("#dialer-no-extension") is not None, name
    want = sees(role, scope, tenant)
    for tmpl in SUPERVISOR_GETS:
        for t, cid in ids.items():
            url = tmpl.format(default=cid)
            status = 403 if want is None else 200 if "{" not in tmpl or t in want else 404
            client.get(url, status=status)
    if want is not None:
        listed = client.get("/dialer/campaigns").html.select("#campaigns td:first-child a")
        assert {a.text for a in listed} == {f"Campaign {t}" for t in want}, name
    for path, form in (("/dialer/campaigns", {}), ("/dialer/dnc", {"number": "0532 000 00 00"}),
                       ("/dialer/dnc/remove", {"number": "0532 000 00 00"}),
                       (f"/dialer/campaigns/{ids['beta']}/state", {"state": "paused"})):
        client.post(path, form, status=403)              # no CSRF token: refused for everyone
        if want is None:
            client.post(path, {**form, "csrf_token": csrf}, status=403)
    if want is not None and "beta" not in want:         # another tenant's campaign cannot be paused
        client.post(f"/dialer/campaigns/{ids['beta']}/state", {"state": "paused", "csrf_token": csrf}, status=404)
    for path in ("/dialer/join", "/dialer/leave", "/dialer/ready", "/dialer/call", "/dialer/result"):
        client.post(path, {}, status=403)                # no CSRF token
    if person:     # an agent with extension 201 may join their tenant's campaign, never another tenant's
        r = client.post("/dialer/join", {"csrf_token": csrf, "campaign": str(ids["beta"]), "extension": "201"},
                        status=303)
        assert "error=" in r.location
        r = client.post("/dialer/join", {"csrf_token": csrf, "campaign": str(ids["default"]), "extension": "201"},
                        status=303)
        assert "done=joined" in r.location
        client.post("/dialer/leave", {"csrf_token": csrf}, status=303)


def test_the_matrix_is_not_vacuous():
    assert sees("staff", "tenant", "default") is None and sees("operator", "all", "") is None
    assert sees("supervisor", "own", "default") == {"default"}
    assert sees("administrator", "all", "") == {"default", "beta"}
