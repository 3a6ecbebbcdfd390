"""Organisation pages in-process (webtest): view per role and tenant, history, dated edits, the sync report."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import webtest

from appliance import config, store
from appliance.directory import organisation as directory
from appliance.store import directory as sd
from web_helpers import add_user, login
from webui.app import make_app

T0 = 1_700_000_000            # 2023-11-14T22:13:20Z
MOVE = 1_710_000_000          # 2024-03-09T16:00:00Z, 19:00 in Istanbul
XSS = "<script>alert(1)</script>"
CFG = "[pbx]\ntimezone = Europe/Istanbul\n[directory]\ntenant = default\n"


def seed(data_dir: Path) -> dict[str, int]:
    """callbox.db as the worker creates it, with two tenants' directories; closed again (the app reopens it)."""
    store.open_db(data_dir / "callbox.db")
    t = sd.tenant_id("default", create=True, name="Acme Ltd")
    o = sd.tenant_id("other", create=True, name="Other Co")
    izmir, sofia = sd.create_named(t, "branch", "İzmir"), sd.create_named(t, "branch", "София")
    sales, it = sd.create_named(t, "department", "Satış"), sd.create_named(t, "department", "Отдел ИТ")
    cc = sd.create_named(t, "cost_centre", "CC-7")
    ayse = directory.add_person(t, "P1", "Ayşe", "Demir")
    directory.move_person(t, ayse, None, izmir, sales, cc)
    directory.assign_extension(t, ayse, "201", None)
    directory.move_person(t, ayse, MOVE, sofia, it, cc)
    ivan = directory.add_person(t, "P2", "Иван", "Петров")
    directory.move_person(t, ivan, None, sofia, it)
    directory.assign_extension(t, ivan, "301", None)
    evil = directory.add_person(t, "P3", XSS, "")
    directory.move_person(t, evil, None, izmir, sales)
    gone = directory.add_person(t, "P4", "Gone", "Away")
    directory.move_person(t, gone, None, izmir, sales)
    directory.end_person(t, gone, MOVE)
    olga = directory.add_person(o, "Q1", "Olga", "Secret")
    store.close_db()
    return {"ayse": ayse, "ivan": ivan, "evil": evil, "olga": olga, "izmir": izmir, "sales": sales, "it": it,
            "sofia": sofia, "cc": cc}


@pytest.fixture
def app(tmp_path):
    application = make_app(tmp_path, config.Config(text=CFG))
    yield application
    store.close_db()


@pytest.fixture
def ids(tmp_path, app):
    return seed(tmp_path)


@pytest.fixture
def client(app):
    return webtest.TestApp(app)


def as_user(client: webtest.TestApp, name: str, role: str = "administrator", scope: str | None = None,
            tenant: str = "default") -> str:
    add_user(name, role, scope, tenant)
    return login(client, name)


def person_history(ids, key: str) -> list[directory.Period]:
    with store.db.connection_context():
        return directory.history(sd.tenant_id("default"), ids[key])


def test_overview_shows_branches_departments_people_and_extensions(client, ids):
    as_user(client, "admin")
    html = client.get("/directory").text
    assert 'charset="utf-8"' in html and "Acme Ltd" in html
    for text in ("İzmir", "София", "Satış", "Отдел ИТ", "Ayşe Demir", "Иван Петров", ">201<", ">301<", "Gone Away"):
        assert text in html, text
    assert html.index("София") < html.index("Ayşe Demir")      # she works in Sofia now
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Olga" not in html                                   # another tenant's people
    assert "Olga Secret" in client.get("/directory", {"tenant": "other"}).text


def test_filter_box(client, ids):
    as_user(client, "admin")
    html = client.get("/directory", {"q": "иван"}).text          # case ignored, Cyrillic too
    assert "Иван Петров" in html and "Ayşe" not in html
    html = client.get("/directory", {"q": "201"}).text
    assert "Ayşe Demir" in html and "Иван" not in html
    assert "Nobody matches" in client.get("/directory", {"q": "zzz"}).text


def test_person_page_shows_the_history_of_moves_and_extensions(client, ids):
    as_user(client, "admin")
    html = client.get(f"/directory/person/{ids['ayse']}").text
    rows = html[html.index("<h2>History</h2>"):html.index("</table>")]
    assert rows.count("<tr>") == 4       # header, İzmir until the move, Sofia since, extension 201
    assert "09/03/2024, 19:00" in rows    # the move, in the PBX's local time (Istanbul, UTC+3)
    assert rows.index("İzmir") < rows.index("София") and "Satış" in rows and "CC-7" in rows
    assert "extension 201" in rows and "always" in rows
    assert 'action="/directory/move"' in html


def test_a_move_goes_forward_from_its_date(client, ids):
    csrf = as_user(client, "admin")
    resp = client.post("/directory/move", {"person": ids["ivan"], "branch": ids["izmir"],
                                           "department": ids["sales"], "cost_centre": "", "date": "2024-06-01",
                                           "csrf_token": csrf})
    assert "Moved from 1 Jun 2024." in resp.text
    placements = [p for p in person_history(ids, "ivan") if p.kind == "placement"]
    assert [(p.branch, p.department) for p in placements] == [("София", "Отдел ИТ"), ("İzmir", "Satış")]
    assert placements[1].valid_from == placements[0].valid_to == 1_717_189_200    # 2024-06-01 00:00 +03:00


def test_a_move_back_in_time_is_refused_with_a_message(client, ids):
    csrf = as_user(client, "admin")
    before = person_history(ids, "ayse")
    resp = client.post("/directory/move", {"person": ids["ayse"], "branch": ids["izmir"], "department": ids["sales"],
                                           "date": "2024-01-01", "csrf_token": csrf}, status=400)
    assert 'class="banner warn"' in resp.text and "would rewrite history" in resp.text
    assert person_history(ids, "ayse") == before
    resp = client.post("/directory/move", {"person": ids["ayse"], "date": "not a date", "csrf_token": csrf},
                       status=400)
    assert "is not a date" in resp.text


def test_assign_and_release_extensions(client, ids):
    csrf = as_user(client, "admin")
    form = {"person": ids["ivan"], "action": "assign", "extension": "201", "date": "2024-07-01", "csrf_token": csrf}
    assert "belongs to person" in client.post("/directory/extension", form, status=400).text
    assert "assigned from 1 Jul 2024" in client.post("/directory/extension", dict(form, replace="1")).text
    with store.db.connection_context():
        t = sd.tenant_id("default")
        assert directory.attribute(t, "201", 1_719_900_000).name == "Иван Петров"     # 2024-07-02
        assert directory.attribute(t, "201", 1_717_000_000).name == "Ayşe Demir"      # May 2024: still hers
    release = dict(form, action="release", extension="301", date="2024-08-01")
    assert "released from 1 Aug 2024" in client.post("/directory/extension", release).text
    assert "does not hold" in client.post("/directory/extension", release, status=400).text
    back = dict(form, action="release", date="2024-06-01")       # before it was assigned to him
    assert "would rewrite history" in client.post("/directory/extension", back, status=400).text


def test_edits_need_the_csrf_token(client, ids):
    as_user(client, "admin")
    move = {"person": ids["ivan"], "branch": ids["izmir"], "date": "2024-06-01"}
    client.post("/directory/move", move, status=403)
    client.post("/directory/move", dict(move, csrf_token="forged"), status=403)
    client.post("/directory/extension", {"person": ids["ivan"], "extension": "999", "date": "2024-06-01"},
                status=403)
    client.post("/directory/sync", status=403)
    assert len(person_history(ids, "ivan")) == 2


def test_supervisor_views_their_tenant_only_and_cannot_edit(client, ids):
    csrf = as_user(client, "sup", "supervisor", "tenant")
    html = client.get("/directory").text
    assert "Ayşe Demir" in html and "Olga" not in html and "/directory/sync" not in html
    client.get("/directory", {"tenant": "other"}, status=404)
    page = client.get(f"/directory/person/{ids['ayse']}").text
    assert "<h2>History</h2>" in page and 'action="/directory/move"' not in page
    client.get(f"/directory/person/{ids['olga']}", status=404)      # another tenant's person
    client.post("/directory/move", {"person": ids["ayse"], "date": "2025-01-01", "csrf_token": csrf}, status=403)
    client.post("/directory/extension", {"person": ids["ayse"], "extension": "9", "date": "2025-01-01",
                                         "csrf_token": csrf}, status=403)
    client.get("/directory/sync", status=403)
    client.post("/directory/sync", {"csrf_token": csrf}, status=403)
    assert 'href="/directory"' in html and 'href="/tariffs"' not in html


def test_a_tenant_administrator_cannot_edit_another_tenant(client, ids):
    csrf = as_user(client, "otheradmin", "administrator", "tenant", tenant="other")
    client.get(f"/directory/person/{ids['ayse']}", status=404)
    client.post("/directory/move", {"person": ids["ayse"], "date": "2025-01-01", "csrf_token": csrf}, status=404)
    assert "Olga Secret" in client.get("/directory").text


@pytest.mark.parametrize("role", ["staff", "operator"])
def test_staff_and_operators_get_403(client, ids, role):
    as_user(client, "someone", role, "tenant")
    for path in ("/directory", f"/directory/person/{ids['ayse']}", "/directory/sync"):
        client.get(path, status=403)
    assert 'href="/directory"' not in client.get("/").text


def test_no_database_yet(client):
    as_user(client, "admin")
    client.get("/directory", status=503)


def test_sync_now_runs_the_sync_and_shows_its_report(tmp_path, ids):
    csv = tmp_path / "people.csv"
    csv.write_text("person_id;first_name;last_name;branch;department;extensions\n"
                   "P1;Ayşe;Demir;София;Отдел ИТ;201\n"
                   "P2;Иван;Петров;София;Отдел ИТ;201 301\n"
                   f"P9;Ёжик;{XSS};İzmir;Satış;\n", encoding="utf-8")
    client = webtest.TestApp(make_app(tmp_path, config.Config(text=CFG + f"csv = {csv}\nprecedence = csv\n")))
    csrf = as_user(client, "admin")
    assert "No sync or import has run yet." in client.get("/directory/sync").text
    html = client.post("/directory/sync", {"csrf_token": csrf}).text
    assert "This sync at" in html and "csv 3 people" in html and "applied" in html
    assert "extension twice" in html and "extension 201 is claimed by" in html
    assert "new person" in html and "Ёжик" in html and "no extension" in html
    turkish = client.get("/directory/sync", {"lang": "tr"}).text    # issue 20: the kinds were their codes
    assert "dahili iki kez" in turkish and "yeni kişi" in turkish and "taşındı" in turkish
    assert not re.search(r"\b(new|no|duplicate)_[a-z]+", turkish.split("</thead>", 1)[-1])
    assert XSS not in html and "&lt;script&gt;" in html
    assert "Ёжик" in client.get("/directory").text
    assert "Last sync at" in client.get("/directory/sync", {"lang": "en"}).text
    store.Call.select().count()
    with pytest.raises(Exception, match="readonly"):        # the edits did not make the call tables writable
        store.Call.create(driver="x", call_key="1", start_utc=0, utc_offset=0, direction="in", extension="1",
                          party="", trunk="", ring_s=0, talk_s=0, answered=True, transferred=False,
                          account_code="", legs=1)


def test_sync_of_another_tenant_is_refused(client, ids):
    csrf = as_user(client, "otheradmin", "administrator", "tenant", tenant="other")
    client.post("/directory/sync", {"csrf_token": csrf}, status=403)


def supervisor(client, name: str, scope: str, person: str) -> str:
    add_user(name, "supervisor", scope, "default", person)
    return login(client, name)


@pytest.mark.parametrize("scope, person, seen", [
    ("department", "P2", {"ayse", "ivan"}),        # Отдел ИТ: Ivan, and Ayşe since her move
    ("branch", "P3", {"evil", "gone"}),            # İzmir: P3 and Gone, who left from İzmir
    ("own", "P1", {"ayse"}),
    ("tenant", "", {"ayse", "ivan", "evil", "gone"}),
])
def test_a_supervisor_sees_the_people_of_their_scope_only(client, ids, scope, person, seen):
    supervisor(client, "sup", scope, person)
    html = client.get("/directory").text
    names = {"ayse": "Ayşe Demir", "ivan": "Иван Петров", "evil": "&lt;script&gt;", "gone": "Gone Away"}
    assert {key for key, text in names.items() if text in html} == seen
    assert "Olga" not in html
    for key in ("ayse", "ivan", "evil"):
        client.get(f"/directory/person/{ids[key]}", status=200 if key in seen else 404)
    client.get(f"/directory/person/{ids['olga']}", status=404)


def test_the_department_is_the_supervisors_current_one(client, ids):
    """Ayşe moved from Satış to Отдел ИТ: with scope department she sees ИТ now, not her old colleagues."""
    supervisor(client, "ayse", "department", "P1")
    html = client.get("/directory").text
    assert "Иван Петров" in html and "Gone Away" not in html and "&lt;script&gt;" not in html


def test_a_scope_without_a_directory_person_sees_nobody(client, ids):
    supervisor(client, "lost", "department", "NOBODY")
    html = client.get("/directory").text
    assert "Nobody in this directory yet." in html and "Ayşe" not in html
    client.get(f"/directory/person/{ids['ayse']}", status=404)


TRUNKS = "trunk;name;provider;valid_from\n01;Hat İzmir;Türk Telekom;\n02;Линия;БТК;2024-01-01\n"


def upload(client, csrf, text: str, status: int = 200, tenant: str = "default", name: str = "trunks.csv"):
    return client.post("/directory/trunks", {"csrf_token": csrf, "tenant": tenant},
                       upload_files=[("file", name, text.encode("utf-8"))], status=status)


def test_an_administrator_loads_trunks_and_sees_them(client, ids):
    csrf = as_user(client, "admin")
    assert "No trunks yet" in client.get("/directory/trunks").text
    html = upload(client, csrf, TRUNKS).text
    assert 'class="banner ok"' in html and "trunks.csv: trunks of tenant default: 2 rows, 2 added" in html
    for text in ("Hat İzmir", "Türk Telekom", "Линия", "БТК", "01/01/2024, 00:00", "always"):
        assert text in html, text
    html = upload(client, csrf, "trunk;provider\n01;Superonline\n").text
    assert "1 changed" in html and html.index("Türk Telekom") < html.index("Superonline")
    assert "trunks.csv: trunks of tenant default: 1 row, 0 added, 1 changed" in html     # issue 20: not "1 rows"
    client.set_cookie("callbox_lang", "cs")
    czech = upload(client, csrf, "trunk;provider\n01;Superonline\n").text
    assert "trunks.csv: linky nájemce default: 1 řádek, přidáno 0" in czech
    client.set_cookie("callbox_lang", "en")
    assert "Türk Telekom" not in client.get("/directory/trunks", {"tenant": "other"}).text
    with store.db.connection_context():
        t = sd.tenant_id("default")
        assert directory.trunk_provider(t, "02", 1_704_056_400) == "БТК"       # 2024-01-01 00:00 Istanbul
        assert directory.trunk_provider(t, "02", 1_704_056_399) is None


def test_a_bad_trunk_file_is_refused_whole_with_line_and_column(client, ids):
    csrf = as_user(client, "admin")
    html = upload(client, csrf, TRUNKS + "03;x;;\n", status=400).text
    assert 'class="banner warn"' in html and "trunks.csv line 4, column 3 (provider): empty" in html
    assert "No trunks yet" in html                                  # nothing of the file was applied
    html = client.post("/directory/trunks", {"csrf_token": csrf, "tenant": "default"},
                       upload_files=[("file", "t.csv", "trunk;provider\n01;Türk\n".encode("latin-1"))],
                       status=400).text
    assert "t.csv line 2: not UTF-8" in html
    assert "choose a trunk CSV file" in client.post("/directory/trunks", {"csrf_token": csrf}, status=400).text
    upload(client, csrf, f"trunk;provider\n{XSS};x\n")
    html = client.get("/directory/trunks").text
    assert XSS not in html and "&lt;script&gt;" in html


def test_trunks_upload_needs_csrf_and_an_administrator_of_the_tenant(client, ids):
    as_user(client, "admin")
    client.post("/directory/trunks", {"tenant": "default"}, upload_files=[("file", "t.csv", b"trunk;provider\n1;A\n")],
                status=403)
    csrf = supervisor(client, "sup", "tenant", "")
    page = client.get("/directory/trunks").text
    assert "Trunks and lines" in page and 'action="/directory/trunks"' not in page
    upload(client, csrf, TRUNKS, status=403)
    csrf = as_user(client, "otheradmin", "administrator", "tenant", tenant="other")
    upload(client, csrf, TRUNKS, status=404, tenant="default")
    assert 'action="/directory/trunks"' in client.get("/directory/trunks").text
    with store.db.connection_context():
        assert sd.Trunk.select().count() == 0


@pytest.mark.parametrize("role", ["staff", "operator"])
def test_staff_and_operators_do_not_see_trunks(client, ids, role):
    as_user(client, "someone", role, "tenant")
    client.get("/directory/trunks", status=403)


def test_every_kind_of_sync_change_and_problem_has_words():
    """The sync report's kinds (appliance/directory) are said in the reader's language: none is left out."""
    from webui.admin.directory import SYNC_KINDS
    source = Path(__file__).resolve().parents[2] / "appliance" / "directory"
    code = "".join(p.read_text(encoding="utf-8") for p in source.glob("*.py"))
    kinds = set(re.findall(r"""(?:Change|Problem|self\.change|self\.problem)\(\s*["']([a-z_]+)["']""", code))
    kinds |= {f"{prefix}_{k}" for prefix in ("new", "unknown") for k in ("branch", "department", "cost_centre")}
    assert kinds and kinds <= set(SYNC_KINDS), kinds - set(SYNC_KINDS)
