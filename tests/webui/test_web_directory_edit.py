"""The organisation's edits from the web (webui.admin.directory_edit): people, units, the CSV upload, lines."""
from __future__ import annotations

import pytest
import webtest

from appliance import config, store
from appliance.directory import organisation as directory
from appliance.store import directory as sd
from test_web_directory import CFG, XSS, as_user, person_history, seed, supervisor
from webui.app import make_app

PEOPLE = ("person_id;first_name;last_name;department;branch;extensions;valid_from\n"
          "P9;Zeynep;Kaya;Satış;İzmir;250;2024-05-01\n"
          "P2;Иван;Петров;Satış;София;301;2024-06-01\n")


@pytest.fixture
def client(tmp_path):
    application = make_app(tmp_path, config.Config(text=CFG))
    yield webtest.TestApp(application)
    store.close_db()


@pytest.fixture
def ids(tmp_path, client):
    return seed(tmp_path)


def tenant() -> int:
    return sd.tenant_id("default")


def load(client, csrf, text: str, status: int = 200, tenant_code: str = "default", name: str = "people.csv"):
    return client.post("/directory/import", {"csrf_token": csrf, "tenant": tenant_code},
                       upload_files=[("file", name, text.encode("utf-8"))], status=status)


def test_the_overview_offers_the_forms_not_the_shell(client, ids):
    as_user(client, "admin")
    html = client.get("/directory").text
    for action in ("/directory/person/new", "/directory/units", "/directory/import"):
        assert f'action="{action}"' in html, action
    assert "callbox directory import" not in html
    supervisor(client, "sup", "tenant", "")
    html = client.get("/directory").text
    assert "/directory/person/new" not in html and "/directory/import" not in html


def test_a_new_box_without_a_directory_offers_its_forms_and_the_first_edit_stores_the_tenant(client, tmp_path):
    """Issue 20 audit (make run): on a new box no tenant is stored until a directory import, so /directory said 'No
    directory yet: the worker creates it when it starts' and offered no form: the administrator could not add the
    first person from the web. Now the box's own tenant ([directory] tenant) is offered, stored by the first edit."""
    store.open_db(tmp_path / "callbox.db")        # as the worker makes it: tables, no tenant
    store.close_db()
    csrf = as_user(client, "admin")
    html = client.get("/directory", {"lang": "tr"}).text
    assert 'action="/directory/person/new"' in html and 'name="tenant" value="default"' in html
    assert "işleyici başladığında" not in html
    form = {"csrf_token": csrf, "tenant": "default", "external_id": "P1", "first_name": "Ayşe", "last_name": "Kaya",
            "email": "", "branch": "", "department": "", "cost_centre": "", "extension": "201", "date": "2024-05-01"}
    client.post("/directory/person/new", form, status=303)
    with store.db.connection_context():
        assert directory.attribute(tenant(), "201", 1_714_600_000).name == "Ayşe Kaya"
    staff = webtest.TestApp(client.app)
    as_user(staff, "sup", "supervisor", "tenant")
    assert staff.get("/directory?tenant=nope", status=404)


def test_a_new_person_is_placed_and_given_an_extension_from_their_date(client, ids):
    csrf = as_user(client, "admin")
    form = {"csrf_token": csrf, "tenant": "default", "external_id": "P7", "first_name": "Şule", "last_name": "Ak",
            "email": "sule@example.com", "branch": ids["izmir"], "department": ids["sales"], "cost_centre": "",
            "extension": "270", "date": "2024-05-01"}
    resp = client.post("/directory/person/new", form, status=303)
    assert resp.headers["Location"].endswith("/directory/person/" + resp.headers["Location"].rsplit("/", 1)[1])
    with store.db.connection_context():
        att = directory.attribute(tenant(), "270", 1_714_600_000)          # 2024-05-02
        assert (att.name, att.branch, att.department) == ("Şule Ak", "İzmir", "Satış")
        assert directory.attribute(tenant(), "270", 1_714_400_000) is None   # 2024-04-29: before her start
    again = client.post("/directory/person/new", dict(form, first_name=XSS), status=400).text
    assert "is somebody else&#039;s already" in again or "is somebody else's already" in again
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in again          # the form keeps its values, escaped
    assert f'<option value="{ids["izmir"]}" selected>' in again
    taken = client.post("/directory/person/new", dict(form, external_id="P8", extension="201"), status=400).text
    assert "belongs to person" in taken
    with store.db.connection_context():
        assert sd.Person.get_or_none(sd.Person.external_id == "P8") is None      # all or nothing


def test_details_and_leaving_are_dated_edits(client, ids):
    csrf = as_user(client, "admin")
    form = {"csrf_token": csrf, "person": ids["ivan"], "first_name": "Ivan", "last_name": "Petrov",
            "email": "ivan@example.com"}
    assert "Details saved." in client.post("/directory/person/details", form).text
    assert "Nothing to change." in client.post("/directory/person/details", form).text
    assert "needs a first or last name" in client.post("/directory/person/details",
                                                       dict(form, first_name="", last_name=""), status=400).text
    end = {"csrf_token": csrf, "person": ids["ivan"], "date": "2024-09-01"}
    assert "Left on 1 Sept 2024" in client.post("/directory/person/end", end).text
    with store.db.connection_context():
        assert directory.attribute(tenant(), "301", 1_725_000_000).name == "Ivan Petrov"     # 2024-08-30
        assert directory.attribute(tenant(), "301", 1_725_200_000) is None                  # 2024-09-01 later
    html = client.get("/directory").text
    assert html.index(">Left<") < html.index("Ivan Petrov")
    back = {"csrf_token": csrf, "person": ids["ayse"], "date": "2024-01-01"}          # before her move in March
    assert "would rewrite history" in client.post("/directory/person/end", back, status=400).text


def test_units_are_added_and_renamed_once_per_name(client, ids):
    csrf = as_user(client, "admin")
    form = {"csrf_token": csrf, "tenant": "default", "kind": "department", "name": "  Muhasebe  "}
    assert "Department “Muhasebe” added." in client.post("/directory/units", form).text
    assert "exists already" in client.post("/directory/units", dict(form, name="MUHASEBE"), status=400).text
    html = client.post("/directory/units", dict(form, id=ids["sales"], name="Satış ve Pazarlama")).text
    assert "Department “Satış” is now “Satış ve Pazarlama”." in html
    assert "choose branch" in client.post("/directory/units", dict(form, kind="tenant"), status=400).text
    with store.db.connection_context():
        assert set(sd.names(tenant(), "department").values()) == {"Satış ve Pazarlama", "Отдел ИТ", "Muhasebe"}


def test_the_directory_csv_is_loaded_as_the_import_does(client, ids):
    csrf = as_user(client, "admin")
    html = load(client, csrf, PEOPLE).text
    assert "This import at" in html and "applied" in html and "new person" in html and "moved" in html
    with store.db.connection_context():
        assert directory.attribute(tenant(), "250", 1_714_600_000).name == "Zeynep Kaya"
        ivan = [p for p in person_history(ids, "ivan") if p.kind == "placement"]
        assert [p.department for p in ivan] == ["Отдел ИТ", "Satış"] and ivan[1].valid_from == 1_717_189_200
        assert sd.Person.get(sd.Person.external_id == "P1").ended_utc is None      # not in the file: not ended


def test_a_bad_directory_file_is_refused_whole_by_line_and_column(client, ids):
    csrf = as_user(client, "admin")
    bad = PEOPLE + ";Ali;Veli;;;;\n" + "P5;A;B;;;;01.03.2026\n"
    html = load(client, csrf, bad, status=400).text
    assert "people.csv: nothing loaded" in html
    assert "people.csv line 4, column 1 (person_id): no person_id" in html
    assert "people.csv line 5, column 7 (valid_from): &#039;01.03.2026&#039;" in html
    other = "tenant;person_id;last_name\nother;Q9;X\n"
    assert "line 2, column 1 (tenant): &#039;other&#039; is not tenant" in load(client, csrf, other, status=400).text
    assert "column 3: unknown column" in load(client, csrf, "person_id;last_name;deparment\n", status=400).text
    latin = client.post("/directory/import", {"csrf_token": csrf, "tenant": "default"},
                        upload_files=[("file", "p.csv", "person_id;last_name\nx;Şahin\n".encode("cp1254"))],
                        status=400).text
    assert "line 2 is not UTF-8" in latin
    with store.db.connection_context():
        assert sd.Person.get_or_none(sd.Person.external_id == "P9") is None
        assert sd.Person.get_or_none(sd.Person.external_id == "Q9") is None


def test_one_line_is_added_changed_and_ended(client, ids):
    csrf = as_user(client, "admin")
    form = {"csrf_token": csrf, "tenant": "default", "trunk": "05", "name": "Hat 5", "provider": "Türk Telekom",
            "date": "2024-01-01", "action": "set"}
    assert "Line 05: Türk Telekom from 1 Jan 2024." in client.post("/directory/trunks/line", form).text
    client.post("/directory/trunks/line", dict(form, provider="Superonline", date="2024-06-01"))
    assert "would rewrite history" in client.post("/directory/trunks/line", dict(form, provider="X",
                                                                                 date="2023-01-01"), status=400).text
    ended = client.post("/directory/trunks/line", dict(form, action="end", date="2024-09-01")).text
    assert "Line 05 ended on 1 Sept 2024." in ended
    assert "not in service" in client.post("/directory/trunks/line", dict(form, action="end"), status=400).text
    with store.db.connection_context():
        assert directory.trunk_provider(tenant(), "05", 1_710_000_000) == "Türk Telekom"
        assert directory.trunk_provider(tenant(), "05", 1_720_000_000) == "Superonline"
        assert directory.trunk_provider(tenant(), "05", 1_730_000_000) is None


def test_the_forms_need_csrf_and_an_administrator(client, ids):
    as_user(client, "admin")
    client.post("/directory/units", {"tenant": "default", "kind": "branch", "name": "X"}, status=403)
    csrf = supervisor(client, "sup", "tenant", "")
    client.post("/directory/units", {"csrf_token": csrf, "tenant": "default", "kind": "branch", "name": "X"},
                status=403)
    load(client, csrf, PEOPLE, status=403)
    with store.db.connection_context():
        assert "X" not in sd.names(tenant(), "branch").values()


@pytest.mark.parametrize("lang, day", [("en", "1 Sept 2024"), ("tr", "1 Eyl 2024"), ("bg", "1.09.2024\u202fг."),
                                       ("az", "1 sen 2024"), ("cs", "1. 9. 2024"), ("nb", "1. sep. 2024")])
def test_a_dated_edits_message_writes_the_date_as_the_language_does(client, ids, lang, day):
    csrf = as_user(client, "admin")
    client.get("/directory", {"lang": lang})          # the user's language from now on
    form = {"csrf_token": csrf, "tenant": "default", "trunk": "05", "name": "Hat 5", "provider": "Türk Telekom",
            "date": "2024-01-01", "action": "set"}
    client.post("/directory/trunks/line", form)
    ended = client.post("/directory/trunks/line", dict(form, action="end", date="2024-09-01")).text
    assert day in ended and "2024-09-01" not in ended.replace('value="2024-09-01"', "")
    left = client.post("/directory/person/end", {"csrf_token": csrf, "person": ids["ivan"], "date": "2024-09-01"})
    assert day in left.text
