"""The directory sync report shows an administrator only their tenant's people, changes and problems; the whole
report only to administrators of the whole box (issue 13, finding 4). One sync report holding two tenants."""
from __future__ import annotations

import pytest
import webtest

from appliance import config, store
from test_web_directory import CFG, seed
from web_helpers import add_user, login
from webui.app import make_app

PEOPLE = ("tenant;person_id;first_name;last_name;branch;department;extensions\n"
          "default;P1;Ayşe;Demir;София;Отдел ИТ;201\n"
          "default;P2;Иван;Петров;София;Отдел ИТ;201 301\n"          # 201 twice: a problem of default
          "default;P9;Ёжик;Новый;İzmir;Satış;\n"
          "other;Q1;Olga;Secret;;;\n"
          "other;Q2;Boris;Hidden;;;501\n"
          "other;;Nobody;Known;;;\n")                                 # no person_id: a problem of other


@pytest.fixture
def app(tmp_path):
    seed(tmp_path)
    csv = tmp_path / "people.csv"
    csv.write_text(PEOPLE, encoding="utf-8")
    application = make_app(tmp_path, config.Config(text=CFG + f"csv = {csv}\nprecedence = csv\n"))
    yield application
    store.close_db()


def client_as(app, name: str, scope: str | None = None, tenant: str = "default", person: str = "") -> tuple:
    add_user(name, "administrator", scope, tenant, person)
    client = webtest.TestApp(app)
    return client, login(client, name)


@pytest.fixture
def whole(app) -> str:
    """The sync run by an administrator of the whole box, who sees all of its report."""
    box, csrf = client_as(app, "boxadmin")
    html = box.post("/directory/sync", {"csrf_token": csrf}).text
    for text in ("Ёжик", "Boris", "Hidden", "no person_id", "extension twice", "csv 5 people"):
        assert text in html, text
    assert "Boris" in box.get("/directory/sync").text
    return html


def test_a_tenant_administrator_sees_only_their_tenants_part_of_the_report(app, whole):
    other, _ = client_as(app, "otheradmin", "tenant", "other")
    html = other.get("/directory/sync").text
    assert "Boris" in html and "no person_id" in html
    for text in ("Ёжик", "Иван", "Ayşe", "extension twice", "csv 5 people"):   # default's people, its problem,
        assert text not in html, text                                               # and the box-wide count
    mine, _ = client_as(app, "defaultadmin", "tenant", "default")
    html = mine.get("/directory/sync").text
    assert "Ёжик" in html and "extension twice" in html
    for text in ("Boris", "Hidden", "Olga", "no person_id", "csv 5 people"):
        assert text not in html, text


def test_the_report_of_a_sync_run_by_a_tenant_administrator_is_filtered_too(app):
    mine, csrf = client_as(app, "defaultadmin", "tenant", "default")
    html = mine.post("/directory/sync", {"csrf_token": csrf}).text
    assert "This sync at" in html and "Ёжик" in html
    assert "Boris" not in html and "no person_id" not in html and "csv 5 people" not in html


def test_an_administrator_of_one_department_sees_only_its_people(app, whole):
    dept, _ = client_as(app, "itadmin", "department", "default", person="P2")     # Иван: Отдел ИТ, София
    html = dept.get("/directory/sync").text
    assert "extension twice" in html                                # P1 and P2 are both in Отдел ИТ
    assert "Ёжик" not in html and "Boris" not in html                   # İzmir / Satış, and the other tenant
