"""Every role × scope against every page and API that returns call rows: nothing outside the scope, all inside.

The organisation: tenant "default" (this PBX's calls) with two branches and three departments, a person
who moves department and branch mid-month, an extension that changes hands, someone who leaves; and a
second tenant "beta" whose person has the same extension number. The expected rows come from
directory.attribute (the directory's own attribution), not from appliance.scope's SQL.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import webtest

from appliance import config, store
from appliance.access import rights, users
from appliance.directory import organisation as directory
from appliance.store import directory as sd
from rec_helpers import write_wav
from web_helpers import add_user, login
from webui import status
from webui.app import make_app

TZ = ZoneInfo("Europe/Istanbul")
MOVE = int(datetime(2024, 3, 15, 12, 0, tzinfo=TZ).timestamp())
DAYS = (5, 25)
PEOPLE = {"ayse": ("Ayşe", "Demir"), "piotr": ("Piotr", "Wąsowski"), "olga": ("Ольга", "Петрова"),
          "kemal": ("Kemal", "Öztürk"), "zofia": ("Zofia", "Żak")}
EXTENSIONS = ("201", "202", "212", "203", "204", "299")


def at(day: int, hour: int = 10) -> int:
    return int(datetime(2024, 3, day, hour, tzinfo=TZ).timestamp())


def build_directory() -> dict[str, int]:
    a, b = sd.tenant_id("default", create=True), sd.tenant_id("beta", create=True)
    unit = {name: sd.create_named(a, kind, name) for kind, name in (
        ("branch", "İzmir"), ("branch", "Warszawa"), ("department", "Sales"), ("department", "Support"),
        ("department", "Accounts"))}
    pid = {key: directory.add_person(a, key, first, last) for key, (first, last) in PEOPLE.items()}
    place = {"ayse": ("İzmir", "Sales"), "piotr": ("İzmir", "Sales"), "olga": ("Warszawa", "Support"),
             "kemal": ("İzmir", "Accounts")}
    for key, (branch, dept) in place.items():
        directory.move_person(a, pid[key], None, branch_id=unit[branch], department_id=unit[dept])
    for key, ext in (("ayse", "201"), ("piotr", "202"), ("olga", "203"), ("kemal", "204")):
        directory.assign_extension(a, pid[key], ext, None)
    # Mid-month: Piotr moves to Support in Warszawa (keeping 202, adding 212); Kemal leaves and Zofia
    # (Accounts, Warszawa) takes over his extension 204.
    directory.move_person(a, pid["piotr"], MOVE, branch_id=unit["Warszawa"], department_id=unit["Support"])
    directory.assign_extension(a, pid["piotr"], "212", MOVE)
    directory.end_person(a, pid["kemal"], MOVE)
    directory.move_person(a, pid["zofia"], MOVE, branch_id=unit["Warszawa"], department_id=unit["Accounts"])
    directory.assign_extension(a, pid["zofia"], "204", MOVE)
    # Tenant beta: Борис holds extension 201 too; he must never see, nor be credited with, default's calls.
    boris = directory.add_person(b, "boris", "Борис", "Иванов")
    dept_b = sd.create_named(b, "department", "Sales")
    directory.move_person(b, boris, None, department_id=dept_b, branch_id=sd.create_named(b, "branch", "Київ"))
    directory.assign_extension(b, boris, "201", None)
    return {"default": a, "beta": b}


def build_calls() -> list[store.Call]:
    calls, n = [], 0
    for ext in EXTENSIONS:
        for start in [at(day) for day in DAYS] + ([MOVE] if ext in ("202", "204") else []):
            n += 1
            calls.append(store.Call.create(
                driver="test", call_key=str(n), start_utc=start, utc_offset=3 * 3600, direction="out",
                extension=ext, party=f"0555{n:07d}", trunk="T1", ring_s=3, talk_s=60 + n, answered=True,
                transferred=False, account_code="", legs=1))
    return calls


# A central's branch boxes: (identity, display name, the directory branch it is linked to or None). İzmir's box is
# linked by its identity (its ASCII name never matches "İzmir"); Warszawa's is not linked and is named as the
# directory's branch; Gdańsk's is named as none; Київ's is tenant beta's branch.
BOXES = (("izmir", "İzmir", "İzmir"), ("warszawa", "Warszawa", None), ("gdansk", "Gdańsk", None),
         ("kyiv", "Київ", "Київ"))
# its received calls (branch box, tenant)
RECEIVED = (("izmir", "default"), ("warszawa", "default"), ("warszawa", ""), ("gdansk", "default"),
            ("kyiv", "beta"), ("izmir", "beta"))


# each person's branch now (build_directory); Kemal left, nobody is no one
BRANCH_NOW = {("default", "ayse"): "İzmir", ("default", "piotr"): "Warszawa", ("default", "olga"): "Warszawa",
              ("default", "zofia"): "Warszawa", ("beta", "boris"): "Київ"}
BOX_OF = {"İzmir": "izmir", "Warszawa": "warszawa", "Київ": "kyiv"}


def build_received() -> dict[str, tuple[str, str]]:
    """The central's branch boxes and the calls it got from them (central_call): party -> (branch box, tenant)."""
    from appliance.store.sync import CentralBranch, CentralCall
    for box, label, unit in BOXES:
        CentralBranch.create(name=box, label=label, created_utc=0, cert_serial="1",
                             unit=sd.Branch.get(sd.Branch.name == unit).id if unit else None)
    out = {}
    for n, (box, tenant) in enumerate(RECEIVED * 2):
        party = f"0777{n:07d}"
        CentralCall.create(branch=box, rid=n + 1, start_utc=at(DAYS[n % 2]), utc_offset=3 * 3600, direction="out",
                           extension="201", party=party, trunk="T1", ring_s=1, talk_s=30, answered=1, transferred=0,
                           account_code="", cost="0.125", currency="TRY", tenant=tenant, person="x",
                           department="Sales", org_branch=box)
        out[party] = (box, tenant)
    return out


def expected_received(world, scope: str, tenant: str, person: str) -> set[str]:
    """The received calls a user sees on /central/calls: HQ (all, or their tenant's) every branch box's; a branch
    user those of the box that is their branch now; own and department scopes none (the oracle)."""
    got = world["received"]
    if scope == "all":
        return set(got)
    codes = {tenant, ""} if tenant == world["pbx_tenant"] else {tenant}
    if scope == "tenant":
        return {p for p, (_, t) in got.items() if t in codes}
    name = BRANCH_NOW.get((tenant, person))
    if scope != "branch" or name is None:
        return set()
    return {p for p, (box, t) in got.items() if box == BOX_OF[name] and t in codes}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The organisation, the calls, and the web app over them; users are added per test."""
    data = tmp_path_factory.mktemp("matrix")
    store.open_db(data / "callbox.db")
    tenants = build_directory()
    calls = build_calls()
    received = build_received()
    expected_attr = {c.id: directory.attribute(tenants["default"], c.extension, c.start_utc) for c in calls}
    current = {key: sd.open_placement(tenants["default"], sd.people(tenants["default"])[key].id) for key in PEOPLE}
    store.close_db()
    cfg = config.load(None, data)
    cfg.set("pbx", "timezone", "Europe/Istanbul")
    cfg.set("central", "listen", "127.0.0.1:8444")              # a central: its bills offer the branch boxes
    cfg.set("recordings", "folder", str(data / "monitor"))      # a recording of every call (webui/recordings.py)
    cfg.set("recordings", "template", "{uniqueid}.wav")
    for c in calls:
        write_wav(data / "monitor" / f"{c.call_key}.wav", 0.01)
    app = make_app(data, cfg)
    yield {"app": app, "calls": calls, "attr": expected_attr, "current": current, "pbx_tenant": "default",
           "data": data, "received": received}
    store.close_db()


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    """Dozens of accounts: a cheaper scrypt here (test_users.py measures the real one)."""
    monkeypatch.setattr(users, "SCRYPT", (2 ** 8, 8, 1))


def expected_ids(world, scope: str, tenant: str, person: str) -> set[int]:
    """Who may see what, from the directory's attribution of each call (the oracle)."""
    calls = world["calls"]
    if scope == "all":
        return {c.id for c in calls}
    if tenant != world["pbx_tenant"]:
        return set()
    if scope == "tenant":
        return {c.id for c in calls}
    out = set()
    now = world["current"].get(person)
    for c in calls:
        att = world["attr"][c.id]
        if att is None:
            continue
        if scope == "own" and att.external_id == person:
            out.add(c.id)
        elif scope == "department" and now and now.department_id and att.department_id == now.department_id:
            out.add(c.id)
        elif scope == "branch" and now and now.branch_id and att.branch_id == now.branch_id:
            out.add(c.id)
    return out


def seen(world, client: webtest.TestApp) -> dict[str, list[int]]:
    """The call ids each endpoint returns to this client."""
    by_party = {c.party: c.id for c in world["calls"]}
    html = client.get("/").text
    api_calls = client.get("/api/calls").json     # on a central, the branch boxes' calls too (their own ids)
    return {"api_calls": [c["id"] for c in api_calls if not c.get("box")],
            "api_received": [c["party"] for c in api_calls if c.get("box")],
            "api_status": [c["id"] for c in client.get("/api/status").json["calls"]],
            "status_page": [by_party[p] for p in re.findall(r"<td>(0555\d{7})</td>", html)],
            "central_calls": re.findall(r"<td>(0777\d{7})</td>", client.get("/central/calls").text)}


def newest(world, ids: set[int], limit: int) -> list[int]:
    rows = sorted((c for c in world["calls"] if c.id in ids), key=lambda c: (c.start_utc, c.id), reverse=True)
    return [c.id for c in rows[:limit]]


COMBOS = [(role, scope) for role in users.ROLES for scope in users.SCOPES
          if scope != "all" or role == "administrator"]
SUBJECTS = [("default", "ayse"), ("default", "piotr"), ("default", "kemal"), ("default", "zofia"),
            ("beta", "boris"), ("default", "nobody")]


@pytest.mark.parametrize("role,scope", COMBOS)
def test_each_role_and_scope_sees_exactly_its_calls_everywhere(world, role, scope):
    subjects = [("", "")] if scope == "all" else [(t, "") for t in ("default", "beta")] if scope == "tenant" \
        else SUBJECTS
    for tenant, person in subjects:
        name = f"{role}-{scope}-{tenant}-{person}"
        add_user(name, role, scope, tenant, person)
        client = webtest.TestApp(world["app"])
        login(client, name)
        want = expected_ids(world, scope, tenant, person)
        want_received = expected_received(world, scope, tenant, person)
        got = seen(world, client)
        assert sorted(got["api_calls"]) == sorted(want), name
        assert len(got["api_calls"]) == len(set(got["api_calls"])), name
        assert got["api_status"] == newest(world, want, status.CALLS_SHOWN), name
        assert got["status_page"] == got["api_status"], name
        counts = client.get("/api/status").json["counts"]
        assert counts["calls"] == len(want), name
        export = list(csv.DictReader(io.StringIO(client.get("/calls.csv", {"sort": "talk", "desc": "0"}).text)))
        assert sorted(int(r["id"]) for r in export if not r.get("box")) == sorted(want), name   # the sorted search's
        assert sorted(r["party"] for r in export if r.get("box")) == sorted(want_received), name   # export
        assert sorted(got["central_calls"]) == sorted(want_received), name
        assert sorted(got["api_received"]) == sorted(want_received), name
        client.get("/central/branches", status=200 if role == "administrator" and scope == "all" else 403)
        # a branch box's bills: HQ any box (their tenant's calls in it), a branch user their branch's box only
        name = BRANCH_NOW.get((tenant, person))
        boxes = ({b for b, _l, _u in BOXES} if scope in ("all", "tenant")
                 else {BOX_OF[name]} if scope == "branch" and name else set())
        for box, _label, _unit in BOXES:
            client.get("/bill", {"branch": box, "period": "2024-03"}, status=200 if box in boxes else 404)


@pytest.mark.parametrize("role,scope", COMBOS)
def test_recordings_follow_the_scope_and_need_the_listen_right(world, role, scope):
    """GET /calls/<id>/recording and .../download: 200 for exactly the calls the user sees once they may listen,
    403 on those before, 404 on every other call either way (as /calls/<id>)."""
    tenant, person = ("", "") if scope == "all" else ("default", "") if scope == "tenant" else ("default", "piotr")
    name = f"listen-{role}-{scope}"
    add_user(name, role, scope, tenant, person)
    client = webtest.TestApp(world["app"])
    login(client, name)
    want = expected_ids(world, scope, tenant, person)
    ids = [c.id for c in world["calls"]]
    for suffix in ("", "/download"):
        assert {i for i in ids if client.get(f"/calls/{i}/recording{suffix}", status="*").status_code == 403} \
            == want, name
    with users.users_db.connection_context():
        rights.grant(name, "listen", actor="test")
    for suffix in ("", "/download"):
        got = {i: client.get(f"/calls/{i}/recording{suffix}", status="*").status_code for i in ids}
        assert {i for i, s in got.items() if s == 200} == want, name
        assert {i for i, s in got.items() if s != 200} == {i for i in ids if i not in want} and \
            set(got.values()) <= {200, 404}, name


def test_the_matrix_is_not_vacuous(world):
    """Each scope kind separates something: the sets differ and none is empty where a call exists."""
    sets = {s: expected_ids(world, s, "default", "piotr") for s in ("own", "department", "branch", "tenant")}
    assert 0 < len(sets["own"]) < len(sets["department"]) < len(sets["branch"]) < len(sets["tenant"])
    before_move = {c.id for c in world["calls"] if c.extension == "202" and c.start_utc < MOVE}
    assert sets["own"] - sets["department"] == before_move     # his, but not his department's now
    assert expected_ids(world, "tenant", "beta", "") == set() and expected_ids(world, "own", "beta", "boris") == set()
    izmir, warszawa = (expected_received(world, "branch", "default", p) for p in ("ayse", "olga"))
    assert izmir and warszawa and not izmir & warszawa
    assert len(expected_received(world, "tenant", "default", "")) > len(izmir | warszawa)


def test_a_branch_box_is_its_directory_branch_by_identity_not_by_name(world):
    """The İzmir box (identity "izmir", linked to the directory's İzmir) stays its branch users' after the directory
    branch is renamed and after the box's display name changes; Warszawa's box, linked by nothing but its name, is
    theirs only while both are written the same; another tenant's branch of the same name sees nothing of it."""
    from appliance.central import branches
    add_user("izmir-sup", "supervisor", "branch", "default", "ayse")
    add_user("warsaw-sup", "supervisor", "branch", "default", "olga")
    izmir, warszawa = (expected_received(world, "branch", "default", p) for p in ("ayse", "olga"))

    def calls_of(name: str) -> set[str]:
        client = webtest.TestApp(world["app"])
        login(client, name)
        return set(re.findall(r"<td>(0777\d{7})</td>", client.get("/central/calls").text))

    store.open_db(world["data"] / "callbox.db")
    unit = {b.name: b.id for b in sd.Branch.select()}
    try:
        sd.Branch.update(name="İzmir Merkez").where(sd.Branch.id == unit["İzmir"]).execute()
        sd.Branch.update(name="Warsaw").where(sd.Branch.id == unit["Warszawa"]).execute()
        branches.change("izmir", label="İzmir (merkez)")
        store.close_db()
        assert calls_of("izmir-sup") == izmir
        assert calls_of("warsaw-sup") == set()
        store.open_db(world["data"] / "callbox.db")
        branches.change("warszawa", unit_name="Warsaw")                  # linked: renames no longer matter
        sd.Branch.update(name="Warszawa").where(sd.Branch.id == unit["Warszawa"]).execute()
        store.close_db()
        assert calls_of("warsaw-sup") == warszawa
        page = webtest.TestApp(world["app"])
        login(page, "izmir-sup")
        html = page.get("/central/calls").text
        assert "İzmir (merkez)" in html and 'value="izmir"' in html and "warszawa" not in html
    finally:
        store.open_db(world["data"] / "callbox.db")
        sd.Branch.update(name="İzmir").where(sd.Branch.id == unit["İzmir"]).execute()
        sd.Branch.update(name="Warszawa").where(sd.Branch.id == unit["Warszawa"]).execute()
        branches.change("izmir", label="İzmir")
        branches.change("warszawa", unit_name="")
        store.close_db()


def by_ext(world, ids, ext: str) -> list[int]:
    return sorted(c.start_utc for c in world["calls"] if c.id in ids and c.extension == ext)


def test_a_move_changes_attribution_from_the_move_on_never_backwards(world):
    add_user("sales-sup", "supervisor", "department", "default", "ayse")      # Sales now
    add_user("support-sup", "supervisor", "department", "default", "olga")   # Support now
    add_user("izmir-op", "operator", "branch", "default", "ayse")            # İzmir now
    views = {}
    for name in ("sales-sup", "support-sup", "izmir-op"):
        client = webtest.TestApp(world["app"])
        login(client, name)
        views[name] = {c["id"] for c in client.get("/api/calls").json}
    assert by_ext(world, views["sales-sup"], "202") == [at(5)]                # Piotr before the move
    assert by_ext(world, views["support-sup"], "202") == [MOVE, at(25)]       # from the move on
    assert by_ext(world, views["support-sup"], "212") == [at(25)]             # 212 is his only from the move
    assert by_ext(world, views["izmir-op"], "204") == [at(5)]                 # Kemal's, not Zofia's
    assert by_ext(world, views["izmir-op"], "299") == []                      # nobody's extension


def test_api_calls_attributes_each_call_as_of_its_start_and_filters_by_time(world):
    add_user("piotr-own", "staff", "own", "default", "piotr")
    client = webtest.TestApp(world["app"])
    login(client, "piotr-own")
    rows = client.get("/api/calls").json
    where = {(r["extension"], r["start"]): (r["person"], r["department"], r["branch"]) for r in rows}
    assert where[("202", "2024-03-05T10:00:00+03:00")] == ("Piotr Wąsowski", "Sales", "İzmir")
    assert where[("202", "2024-03-15T12:00:00+03:00")] == ("Piotr Wąsowski", "Support", "Warszawa")
    assert where[("212", "2024-03-25T10:00:00+03:00")] == ("Piotr Wąsowski", "Support", "Warszawa")
    assert set(rows[0]) >= {"id", "start", "direction", "extension", "party", "trunk", "ring_s", "talk_s",
                            "answered", "transferred", "legs", "account_code", "driver", "person", "department",
                            "branch"}
    # naive bounds are PBX local time; since is inclusive, until exclusive; an explicit offset works too
    after = client.get("/api/calls", {"since": "2024-03-15T12:00:00"}).json
    assert [r["start"] for r in after] == ["2024-03-15T12:00:00+03:00", "2024-03-25T10:00:00+03:00",
                                           "2024-03-25T10:00:00+03:00"]
    before = client.get("/api/calls", {"until": "2024-03-15T09:00:00Z"}).json
    assert [r["start"] for r in before] == ["2024-03-05T10:00:00+03:00"]
    bad = client.get("/api/calls", {"since": "15/03/2024"}, status=400).json
    assert "since" in bad["error"] and "ISO 8601" in bad["error"]


def test_raw_lines_only_for_who_sees_the_whole_box(world):
    add_user("t-admin", "administrator", "tenant", "default")
    add_user("b-admin", "administrator", "tenant", "beta")
    for name, whole in (("t-admin", True), ("b-admin", False)):
        client = webtest.TestApp(world["app"])
        login(client, name)
        assert client.get("/api/status").json["whole_box"] is whole
        client.get("/setup", status=200 if whole else 403)


def test_the_pbx_wizard_is_for_administrators_of_the_whole_box(world):
    """Raw PBX lines, the box's own configuration and its backup: an administrator of all tenants only
    (webui.admin.pbx_wizard, webui.admin.backup)."""
    add_user("w-all", "administrator", "all", "default")
    add_user("w-tenant", "administrator", "tenant", "default")
    add_user("w-super", "supervisor", "tenant", "default")
    for name, allowed in (("w-all", True), ("w-tenant", False), ("w-super", False)):
        client = webtest.TestApp(world["app"])
        csrf = login(client, name)
        code = 200 if allowed else 403
        client.get("/setup/pbx", status=code)
        client.get("/api/setup/pbx/lines", status=code)
        client.get("/backup", status=code)             # the whole box's data (webui.admin.backup)
        client.get("/reset", status=code)
        client.get("/update", status=code)             # the box's root slots (webui.admin.update)
        client.get("/api/update", status=code)
        client.post("/update", b"", headers={"X-CSRF-Token": csrf}, status=409 if allowed else 403)  # 409: no updater
        client.post("/reset", {"confirm": "no", "csrf_token": csrf}, status=400 if allowed else 403)
        client.post("/backup", {"passphrase": "a", "passphrase2": "b", "csrf_token": csrf},
                    status=400 if allowed else 403)
        client.post("/backup/restore", {"restore_passphrase": "x", "csrf_token": csrf},   # 400: no file
                    status=400 if allowed else 403)
        client.post("/backup/restore", {"restore_passphrase": "x"}, status=403)            # no CSRF token
        for path, form in (("/setup/pbx/link", {"kind": "modem"}), ("/setup/pbx/driver", {"driver": "nope"}),
                           ("/setup/pbx/scan", {"device": "nope"})):
            client.post(path, {**form, "csrf_token": csrf}, status=400 if allowed else 403)
            client.post(path, form, status=403)          # no CSRF token: refused for everyone


def test_the_box_settings_are_for_administrators_of_the_whole_box(world):
    """/settings checks, tries and (issue 20) edits callbox.ini: an administrator of all tenants only
    (webui.admin.settings_check, settings_edit). A refused save writes nothing."""
    add_user("s-all", "administrator", "all", "default")
    add_user("s-tenant", "administrator", "tenant", "default")
    add_user("s-super", "supervisor", "tenant", "default")
    for name, allowed in (("s-all", True), ("s-tenant", False), ("s-super", False)):
        client = webtest.TestApp(world["app"])
        csrf = login(client, name)
        client.get("/settings", status=200 if allowed else 403)
        for path, form in (("/settings/save", {"section": "nope"}), ("/settings/test", {"kind": "nope"})):
            refused = client.post(path, {**form, "csrf_token": csrf}, status=400 if allowed else 403)
            assert not allowed or "banner warn" in refused.text           # the reason is shown
            client.post(path, form, status=403)          # no CSRF token: refused for everyone


def test_changing_a_users_scope_takes_effect_on_the_next_request(world):
    add_user("mover-watch", "supervisor", "own", "default", "piotr")
    client = webtest.TestApp(world["app"])
    login(client, "mover-watch")
    assert len(client.get("/api/calls").json) == 4
    from appliance.store.users import users_db
    with users_db.connection_context():
        users.set_access("mover-watch", "supervisor", "tenant", "beta", actor="test")
    assert [c for c in client.get("/api/calls").json if not c.get("box")] == []


def _an_invoice(world) -> None:
    """A price list, a customer and an invoice (of one item) in the world's database, once."""
    from decimal import Decimal

    from appliance.customers import customers, invoices
    from appliance.pricing import lists, pricelist_csv
    store.open_db(world["data"] / "callbox.db")
    try:
        if not customers.all_customers():
            lists.save_lists(pricelist_csv.read_csv("destination,prefix,buy,sell,first_s,step_s\nX,90,0.01,0.02,1,1\n",
                                                    currency="TRY"))
            c = customers.add("acme", "Acme", extensions=["777"])   # no call of the world: an item only
            invoices.issue(c, at(1), at(28), [invoices.Item("fee", Decimal("1.00"))])
    finally:
        store.close_db()


@pytest.mark.parametrize("role,scope", COMBOS)
def test_customer_invoice_price_list_and_booth_pages_by_role_and_scope(world, role, scope):
    """Customers and invoices (their calls of any tenant): administrators of the whole box only; price lists (shared
    by every tenant): every administrator; the booths' live state (the callshop): cashiers and administrators."""
    _an_invoice(world)
    tenant, person = ("", "") if scope == "all" else ("default", "ayse")
    name = f"pages-{role}-{scope}"
    add_user(name, role, scope, tenant, person)
    client = webtest.TestApp(world["app"])
    csrf = login(client, name)
    box_admin = 200 if (role, scope) == ("administrator", "all") else 403
    for path in ("/customers", "/customers/1", "/customers/1/calls.pdf?month=2024-03", "/invoices", "/invoices/1",
                 "/invoices/1.pdf"):
        assert client.get(path, status=box_admin).status_code == box_admin, (name, path)
    admin = 200 if role == "administrator" else 403
    assert client.get("/pricelists", status=admin).status_code == admin, name
    assert client.get("/shop/account", status=admin).status_code == admin, name     # buy costs: administrators
    cashier = 200 if role in ("administrator", "operator") else 403
    assert client.get("/shop/booths", status=cashier).status_code == cashier, name
    # give / free a booth: cashiers and administrators (400: no such action), nobody without the CSRF token
    client.post("/shop/booth", {"booth": "201", "action": "x", "csrf_token": csrf},
                status=400 if cashier == 200 else 403)
    client.post("/shop/booth", {"booth": "201", "action": "free"}, status=403)
    client.post("/shop/deposit", {"booth": "201", "amount": "5", "csrf_token": csrf},
                status=409 if cashier == 200 else 403)                     # no session open / not a cashier
    assert client.get("/shop/receipt/999.pdf", status=404 if cashier == 200 else 403).status_code in (403, 404)
