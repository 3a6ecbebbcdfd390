"""Directory sync against a real OpenLDAP server (slapd, AD-like attributes, Turkish and Cyrillic values)."""
import json

import ldap3
import pytest

import ldap_server
from appliance.config import Config
from appliance.directory import ldap_source as directory_ldap
from appliance.directory.organisation import attribute
from appliance.directory.sync import read_section, sync_once
from appliance.store import directory as sd
from test_directory import DAY, T0, run_cli, write

PEOPLE = f"ou=people,{ldap_server.BASE}"


@pytest.fixture
def slapd(tmp_path):
    server = ldap_server.start(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def dirdb(db):
    return db


def ldap_ini(server, extra: str = "", **keys) -> str:
    values = {"url": server.url, "bind_dn": ldap_server.SERVICE_DN, "password": ldap_server.SERVICE_PW,
              "base_dn": PEOPLE, "filter": "(&(objectClass=inetOrgPerson)(company=Acme))", "paged_size": "2"}
    values.update(keys)
    return "[directory]\ntenant = acme\n" + extra + "[ldap]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())


def fetch(server, **keys):
    settings = read_section(Config(text=ldap_ini(server, **keys)), "ldap")
    return {p.person_id: p for p in directory_ldap.fetch(settings, "acme")}


def test_paged_search_reads_past_the_server_size_limit_with_unicode_values(slapd):
    conn = ldap3.Connection(ldap3.Server(slapd.url), ldap_server.SERVICE_DN, ldap_server.SERVICE_PW, auto_bind=True)
    conn.search(PEOPLE, "(objectClass=inetOrgPerson)")
    assert conn.result["description"] == "sizeLimitExceeded" and len(conn.entries) == 3   # the limit is real
    people = fetch(slapd)
    assert sorted(people) == ["ayse.demir", "can.ozturk", "elena.ivanova", "ivan.petrov", "mehmet.yilmaz",
                              "zofia.lukasiewicz"]
    ayse, ivan = people["ayse.demir"], people["ivan.petrov"]
    assert (ayse.first_name, ayse.department, ayse.branch, ayse.extensions) == ("Ayşe", "Satış", "İzmir", ("214",))
    assert (ivan.name, ivan.department, ivan.branch, ivan.email) == ("Иван Петров", "Кабини", "София",
                                                                     "ivan.petrov@example.com")
    assert people["can.ozturk"].extensions == ("216", "217") and people["elena.ivanova"].extensions == ()
    assert people["zofia.lukasiewicz"].last_name == "Łukasiewicz"
    assert fetch(slapd, extension_digits="4")["ayse.demir"].extensions == ("214", "0214")   # + telephoneNumber


@pytest.mark.parametrize("value, digits, expected", [
    ("214", 0, "214"), (" 2-14 ", 0, "214"), ("+90 232 555 0214", 0, None), ("+90 232 555 0214", 4, "0214"),
    ("+1 (555) 010-0100 x214", 0, "214"), ("sip:214@pbx", 0, None), ("2325550214", 0, None)])
def test_extension_of_a_phone_value(value, digits, expected):
    assert directory_ldap.extension_of(value, digits) == expected


def test_sync_reports_problems_and_a_move_changes_attribution_from_then_on(slapd, dirdb):
    cfg = Config(text=ldap_ini(slapd))
    first = sync_once(cfg, now=T0)
    assert first.applied and first.sources == {"ldap": 6}
    assert sorted(p.kind for p in first.problems) == ["duplicate_extension", "no_extension"]
    dup = next(p for p in first.problems if p.kind == "duplicate_extension")
    assert dup.people == ("ivan.petrov", "mehmet.yilmaz") and "given to ivan.petrov" in dup.message
    assert [c.kind for c in first.changes].count("new_person") == 6
    acme = sd.tenant_id("acme")
    before = attribute(acme, "214", T0 + DAY - 1)
    assert (before.name, before.department, before.branch) == ("Ayşe Demir", "Satış", "İzmir")
    slapd.modify(f"""dn: uid=ayse.demir,{PEOPLE}
changetype: modify
replace: department
department: Кабини
-
replace: physicalDeliveryOfficeName
physicalDeliveryOfficeName: София

dn: uid=can.ozturk,{PEOPLE}
changetype: delete
""")
    second = sync_once(cfg, now=T0 + DAY)
    assert {(c.kind, c.person_id) for c in second.changes} == {("moved", "ayse.demir"), ("ended", "can.ozturk")}
    assert "Satış, İzmir → Кабини, София" in second.text()
    assert attribute(acme, "214", T0 + DAY - 1) == before                    # never backwards
    after = attribute(acme, "214", T0 + DAY)
    assert (after.person_id, after.department, after.branch) == (before.person_id, "Кабини", "София")
    assert attribute(acme, "216", T0 + DAY - 1).name == "Can Öztürk" and attribute(acme, "216", T0 + DAY) is None
    assert sd.Person.get(sd.Person.external_id == "can.ozturk").ended_utc == T0 + DAY   # kept, not deleted
    assert sync_once(cfg, now=T0 + 2 * DAY).changes == []


def test_ldap_and_csv_are_consolidated_with_precedence(slapd, dirdb, tmp_path):
    csv = write(tmp_path, "person_id;last_name;department;cost_centre;extensions\n"
                          "ayse.demir;Demir;Sales;TR-100;214\nkemal.sunal;Sunal;Satış;TR-100;230\n")
    report = sync_once(Config(text=ldap_ini(slapd, extra=f"csv = {csv}\n")), now=T0)
    assert report.sources == {"ldap": 6, "csv": 2}
    conflict = next(p for p in report.problems if p.kind == "conflict")
    assert "department is 'Satış' in ldap, 'Sales' in csv; using ldap" in conflict.message
    a = attribute(sd.tenant_id("acme"), "214", T0)
    assert (a.department, a.cost_centre) == ("Satış", "TR-100")              # cost centre only in the CSV
    assert attribute(sd.tenant_id("acme"), "230", T0).name == "Sunal"        # only in the CSV
    flipped = ldap_ini(slapd, extra=f"csv = {csv}\nfield_precedence = department=csv,ldap\n")
    sync_once(Config(text=flipped), now=T0 + DAY)
    assert attribute(sd.tenant_id("acme"), "214", T0 + DAY).department == "Sales"


def test_company_maps_entries_to_tenants_that_never_mix(slapd, dirdb):
    ini = ldap_ini(slapd, filter="(objectClass=inetOrgPerson)", attr_tenant="company")
    sd.tenant_id("acme", create=True, name="Acme")
    report = sync_once(Config(text=ini), now=T0)
    assert [(p.kind, p.tenant, p.people) for p in report.problems if p.kind == "unknown_tenant"] == [
        ("unknown_tenant", "Beta Ltd", ("olga.beta",))]
    beta = sd.tenant_id("beta", create=True, name="Beta Ltd")
    sync_once(Config(text=ini), now=T0 + DAY)
    assert attribute(beta, "214", T0 + DAY).name == "Ольга Смирнова"
    assert attribute(sd.tenant_id("acme"), "214", T0 + DAY).name == "Ayşe Demir"


def test_ldaps_and_starttls_check_the_certificate(slapd):
    assert len(fetch(slapd, url=slapd.ldaps_url, ca_file=slapd.ca_file)) == 6
    assert len(fetch(slapd, starttls="yes", ca_file=slapd.ca_file)) == 6
    with pytest.raises(directory_ldap.LDAPSourceError, match=slapd.ldaps_url):
        fetch(slapd, url=slapd.ldaps_url)                                   # not signed by a CA we trust
    with pytest.raises(directory_ldap.LDAPSourceError):
        fetch(slapd, starttls="yes")
    assert len(fetch(slapd, starttls="yes", tls_verify="no")) == 6


def test_a_failing_server_changes_nothing(slapd, dirdb):
    sync_once(Config(text=ldap_ini(slapd)), now=T0)
    for keys in ({"password": "wrong"}, {"url": "ldap://127.0.0.1:1"}, {"filter": "(sAMAccountName=nobody)"},
                 {"url": "http://x"}):
        report = sync_once(Config(text=ldap_ini(slapd, **keys)), now=T0 + DAY)
        assert not report.applied and not report.changes and report.problems[0].kind == "source_error", keys
        assert "wrong" not in report.text()
    assert "invalidCredentials" in sync_once(Config(text=ldap_ini(slapd, password="wrong"))).problems[0].message
    assert attribute(sd.tenant_id("acme"), "214", T0 + 2 * DAY).name == "Ayşe Demir"


def test_the_bind_password_can_live_in_a_file_beside_the_ini(slapd, dirdb, tmp_path):
    """Issue 13: every secret in a file, the LDAP bind password too; a relative path is from the INI's folder."""
    (tmp_path / "ldap.pass").write_text(ldap_server.SERVICE_PW + "\n", encoding="utf-8")
    ini = tmp_path / "callbox.ini"
    ini.write_text(ldap_ini(slapd, password_file="ldap.pass").replace(f"password = {ldap_server.SERVICE_PW}\n", ""),
                   encoding="utf-8")
    report = sync_once(Config(ini), now=T0)
    assert report.applied and report.sources == {"ldap": 6}
    (tmp_path / "ldap.pass").write_text("wrong\n", encoding="utf-8")
    assert "invalidCredentials" in sync_once(Config(ini), now=T0 + DAY).problems[0].message
    (tmp_path / "open.pass").write_text(ldap_server.SERVICE_PW + "\n", encoding="utf-8")
    (tmp_path / "open.pass").chmod(0o644)
    for keys, says in (({"password_file": "missing.pass"}, "missing.pass"),
                       ({"password_file": "open.pass"}, "may be read by other users (mode 0644): chmod 600"),
                       ({"password_file": "ldap.pass", "password": "x"}, "not both")):
        text = ldap_ini(slapd, **keys)
        if "password" not in keys:
            text = text.replace(f"password = {ldap_server.SERVICE_PW}\n", "")
        ini.write_text(text, encoding="utf-8")
        report = sync_once(Config(ini), now=T0 + 2 * DAY)
        assert not report.applied and report.problems[0].kind == "source_error" and says in report.problems[0].message


def test_cli_sync_prints_json(slapd, tmp_path, capsys):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "callbox.ini").write_text(ldap_ini(slapd), encoding="utf-8")
    assert run_cli(["directory", "sync", "--data", str(tmp_path / "var"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["applied"] and out["sources"] == {"ldap": 6}
    assert {"kind": "no_extension", "tenant": "acme", "message": "elena.ivanova (Елена Иванова) has no extension",
            "people": ["elena.ivanova"], "text": {"key": "no_extension", "fields": {
                "person": "elena.ivanova", "name": "Елена Иванова"}}} in out["problems"]
