"""A branch's directory and tariffs themselves reach its central (not only their versions): sent whole when they
differ from what the central holds, stored in one transaction, shown as the branch's people, departments and tariff
versions (`callbox central branch directory|tariffs`, /central/branches/NAME). A correction on the branch replaces
them there, and re-sends the calls it re-attributes as updates, never as new calls. A snapshot cut mid-upload, a
corrupt one, or one naming another branch changes nothing. On SQLite and PostgreSQL, with the central's process."""
import json
import re
import sqlite3
from pathlib import Path

import pytest

from appliance.sync import link, snapshot, wire
from pg_server import engine, postgres  # noqa: F401  (fixtures)
from sync_helpers import Central, Relay, branch_totals, central_totals, cli, cli_json, generate, make_branch

pytestmark = pytest.mark.slow   # a central process
REPO = Path(__file__).resolve().parents[2]
TARIFF = REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv"
PEOPLE = ("person_id;first_name;last_name;branch;department;extensions\n"
          "P1;Ayşe;Yılmaz;İzmir;Satış;201\nP2;Jiří;Dvořák;İzmir;Muhasebe;202 203\nP3;Øyvind;Ås;İzmir;Satış;204\n")


@pytest.fixture
def central(tmp_path, engine):  # noqa: F811 (the fixture)
    c = Central(tmp_path / "central", engine)
    c.data.mkdir(exist_ok=True)
    c.start()
    yield c
    c.stop()


def _branch(tmp_path, central, url=None) -> Path:
    b = tmp_path / "izmir"
    make_branch(b, central, "izmir", url or central.url_direct)
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert cli("directory", "import", str(people), "--data", str(b))[0] == 0
    assert cli("tariff", "import", str(TARIFF), "--data", str(b))[0] == 0
    return b


def _directory(central) -> dict:
    return cli_json("central", "branch", "directory", "izmir", "--data", str(central.data), "--json")


def _stored(central) -> dict:
    return dict(central.query("SELECT kind, received_utc FROM central_snapshot WHERE branch = 'izmir'"))


def test_the_directory_and_tariffs_reach_the_central_and_corrections_replace_them(central, tmp_path):
    b = _branch(tmp_path, central)
    generate(b, 60, 1, seed=5)
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 60, "pending": 0}
    d = _directory(central)
    assert d["received"] and d["branches"] == ["İzmir"]
    assert {p["external_id"]: (p["name"], p["department"], p["branch"], p["extensions"]) for p in d["people"]} == {
        "P1": ("Ayşe Yılmaz", "Satış", "İzmir", ["201"]), "P2": ("Jiří Dvořák", "Muhasebe", "İzmir", ["202", "203"]),
        "P3": ("Øyvind Ås", "Satış", "İzmir", ["204"])}
    assert d["departments"] == [{"name": "Muhasebe", "people": 1}, {"name": "Satış", "people": 2}]
    t = cli_json("central", "branch", "tariffs", "izmir", "--data", str(central.data), "--json")
    con = sqlite3.connect(b / "callbox.db")
    rates, destinations = (con.execute(f"SELECT COUNT(*) FROM {x}").fetchone()[0]
                           for x in ("tariff_rate", "tariff_destination"))
    assert [(v["provider"], v["plan"], v["valid_from"], v["currency"], v["rates"], v["destinations"])
            for v in t["versions"]] == [("Türk Telekom", "Örnek İşyeri Tarifesi", "2024-01-01", "TRY", rates,
                                         destinations)]
    first = _stored(central)
    assert set(first) == {"directory", "tariffs"}

    # nothing changed: a hello, nothing sent again
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 0, "pending": 0}
    assert _stored(central) == first
    log = (central.data / "log" / "central.log").read_text()
    assert log.count("its directory stored") == 1 and log.count("its tariffs stored") == 1

    # corrections on the branch: a renamed department, a surname, an extension moved to another person
    with con:
        con.execute("UPDATE department SET name = 'Satış ve Pazarlama' WHERE name = 'Satış'")
        con.execute("UPDATE person SET last_name = 'Demir' WHERE external_id = 'P1'")
        con.execute("UPDATE extension_assignment SET person_id = (SELECT id FROM person WHERE external_id = 'P3') "
                    "WHERE extension = '203'")
    reattributed = con.execute("SELECT COUNT(*) FROM call WHERE TRIM(extension) IN ('201', '203', '204')"
                               ).fetchone()[0]
    con.close()
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": reattributed, "pending": 0}
    d = _directory(central)
    people = {p["external_id"]: (p["name"], p["department"], p["extensions"]) for p in d["people"]}
    assert people == {"P1": ("Ayşe Demir", "Satış ve Pazarlama", ["201"]), "P2": ("Jiří Dvořák", "Muhasebe", ["202"]),
                      "P3": ("Øyvind Ås", "Satış ve Pazarlama", ["203", "204"])}
    assert _stored(central)["tariffs"] == first["tariffs"]          # the tariffs did not change: not sent again
    assert central_totals(central, "izmir") == branch_totals(b)      # the calls as updates: 60, once
    assert set(central.query("SELECT DISTINCT person FROM central_call WHERE branch = 'izmir' "
                             "AND TRIM(extension) = '203'")) <= {("Øyvind Ås (P3)",)}

    # a new tariff version (a re-import of the plan from a later date) replaces the tariffs there
    later = tmp_path / "later.csv"
    later.write_text(TARIFF.read_text(encoding="utf-8").replace("valid_from,2024-01-01", "valid_from,2026-01-01"),
                     encoding="utf-8")
    assert cli("tariff", "import", str(later), "--data", str(b))[0] == 0
    assert cli_json("sync", "now", "--data", str(b), "--json")["pending"] == 0
    t = cli_json("central", "branch", "tariffs", "izmir", "--data", str(central.data), "--json")
    assert [v["valid_from"] for v in t["versions"]] == ["2026-01-01", "2024-01-01"]

    # the central lost what it held (restored from an older backup): the branch sends it again
    if central.pg is not None:
        con = central.pg.connect(central.dbname)
        with con, con.cursor() as cur:
            cur.execute("DELETE FROM central_snapshot WHERE kind = 'directory'")
        con.close()
    else:
        lite = sqlite3.connect(central.data / "callbox.db")
        with lite:
            lite.execute("DELETE FROM central_snapshot WHERE kind = 'directory'")
        lite.close()
    assert _directory(central)["received"] is None
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 0, "pending": 0}
    assert {p["external_id"] for p in _directory(central)["people"]} == {"P1", "P2", "P3"}
    rc, _out, err = cli("central", "branch", "directory", "nosuch", "--data", str(central.data))
    assert rc == 2 and "no branch box 'nosuch'" in err


def test_a_snapshot_cut_mid_upload_corrupt_or_of_another_branch_changes_nothing(central, tmp_path):
    relay = Relay(central.port)
    try:
        b = _branch(tmp_path, central, relay.url)
        many = tmp_path / "many.csv"      # a directory of some size: its upload is cut inside its body
        many.write_text("person_id;first_name;last_name;branch;department;extensions\n" + "".join(
            f"Q{i};Ad{i};Soyadı{i};İzmir;Bölüm {i % 40};{3000 + i}\n" for i in range(1000)), encoding="utf-8")
        assert cli("directory", "import", str(many), "--data", str(b))[0] == 0
        assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 0, "pending": 0}
        before = _directory(central)
        con = sqlite3.connect(b / "callbox.db")
        with con:
            con.execute("UPDATE person SET first_name = 'Ayşegül' WHERE external_id = 'P1'")
        con.close()
        # connection 1 is the hello; 2 carries the directory and is cut inside it
        relay.cut_nth = (2, 10_000)
        rc, out, err = cli("sync", "now", "--data", str(b), "--json")
        assert rc == 1 and "sync failed" in err
        assert _directory(central) == before                    # the old one whole, not half of the new
        assert cli_json("sync", "now", "--data", str(b), "--json")["pending"] == 0
        assert {p["external_id"]: p["name"] for p in _directory(central)["people"]}["P1"] == "Ayşegül Yılmaz"
    finally:
        relay.close()
    stored = _stored(central)

    from appliance import store
    store.open_db(b / "callbox.db")
    try:
        tables = snapshot.tables("directory")
    finally:
        store.close_db()
    conn = link.Link(central.url_direct, link.files(b))

    def post(kind, body, version, digest=None):
        head = snapshot.headers(body, version)
        if digest is not None:
            head[wire.H_DIGEST] = digest
        with pytest.raises(link.LinkError) as e:
            conn.request("POST", f"/sync/snapshot/{kind}", body, head)
        return e.value.status, e.value.doc["error"]

    version, body = snapshot.encode("directory", "ankara", tables)          # another branch's directory
    assert post("directory", body, version) == (403, "branch 'izmir' sent the directory of branch 'ankara'")
    version, body = snapshot.encode("directory", "izmir", tables)
    assert post("directory", body[:-5], version)[0] == 400                  # truncated
    status, error = post("directory", body[:-5], version, wire.digest(body[:-5]))
    assert (status, error) == (400, "truncated snapshot: the compressed stream ends early")
    assert post("tariffs", body, version)[1] == "the snapshot is not a tariffs snapshot"
    assert post("nosuch", body, version)[1] == "unknown snapshot kind 'nosuch'"
    forged = json.loads(json.dumps(tables))
    forged["person"]["rows"][0][forged["person"]["columns"].index("first_name")] = "Mallory"
    forged_body = snapshot.encode("directory", "izmir", forged)[1]
    assert post("directory", forged_body, version)[1] == "directory snapshot: its rows are not those of its version"
    bad = json.loads(json.dumps(tables))
    bad["person"]["rows"][0].append("one too many")
    v, bad_body = snapshot.encode("directory", "izmir", bad)
    assert post("directory", bad_body, v)[1].startswith("directory snapshot: a bad row in table person")
    assert _stored(central) == stored
    log = (central.data / "log" / "central.log").read_text()
    assert "directory snapshot refused: branch 'izmir' sent the directory of branch 'ankara'" in log


def test_the_branch_page_shows_its_people_and_tariffs_to_hq_only(tmp_path, monkeypatch):
    import webtest

    from appliance import store
    from appliance.access import users
    from web_helpers import add_user, login
    from webui.app import make_app
    monkeypatch.setattr(users, "SCRYPT", (2 ** 8, 8, 1))
    c = Central(tmp_path / "central")
    c.data.mkdir()
    (c.data / "callbox.ini").write_text("[central]\nlisten = 127.0.0.1:8444\n", encoding="utf-8")
    c.start()
    try:
        b = _branch(tmp_path, c)
        assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 0, "pending": 0}
        assert cli("central", "branch", "add", "ankara", "--data", str(c.data))[0] == 0   # never sent anything
        hq_people = tmp_path / "hq-people.csv"              # the central's own directory: İzmir's supervisor
        hq_people.write_text("person_id;first_name;last_name;branch;department;extensions\n"
                             "S1;Selin;Kaya;İzmir;Yönetim;100\n", encoding="utf-8")
        assert cli("directory", "import", str(hq_people), "--data", str(c.data))[0] == 0
        assert cli("central", "branch", "set", "izmir", "--label", "İzmir", "--data", str(c.data))[0] == 0
    finally:
        c.stop()
    store.open_db(c.data / "callbox.db")
    try:
        app = make_app(c.data)
        add_user("hq", "administrator", "all", "", "")
        add_user("tenantadmin", "administrator", "tenant", "default", "")
        add_user("izmirsup", "supervisor", "branch", "default", "S1")
        client = webtest.TestApp(app)
        login(client, "hq")
        assert 'href="/central/branches/izmir"' in client.get("/central/branches").text
        page = client.get("/central/branches/izmir").text
        rows = {k: " ".join(v.split()) for k, v in re.findall(r'data-person="(\w+)">(.*?)</tr>', page, re.S)}
        assert "Jiří Dvořák" in rows["P2"] and "Muhasebe" in rows["P2"] and "202 203" in rows["P2"]
        assert "Örnek İşyeri Tarifesi" in page and "2024-01-01" in page
        page = client.get("/central/branches/ankara").text
        assert 'id="no-directory"' in page and 'id="no-tariffs"' in page
        assert client.get("/central/branches/nosuch", status=404)
        calls = client.get("/calls").text                   # the call search says where the branches' calls are
        assert 'id="branch-calls-note"' in calls and 'href="/central/calls"' in calls
        other = webtest.TestApp(app)
        login(other, "tenantadmin")                         # a tenant's: a box's directory is not one tenant's
        other.get("/central/branches/izmir", status=404)
        assert 'id="box-pages"' not in other.get("/central/calls").text
        sup = webtest.TestApp(app)
        login(sup, "izmirsup")                              # their branch's box: yes; another: as if none
        page = sup.get("/central/branches/izmir").text
        assert 'data-person="P2"' in page and 'href="/central/branches"' not in page
        sup.get("/central/branches/ankara", status=404)
        sup.get("/central/branches", status=403)
        assert re.findall(r'href="/central/branches/(\w+)"', sup.get("/central/calls").text) == ["izmir"]
    finally:
        store.close_db()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_snapshot_is_made_again_only_when_its_tables_changed(central, tmp_path, monkeypatch):
    b = _branch(tmp_path, central)
    made = []
    real = snapshot.tables
    monkeypatch.setattr(snapshot, "tables", lambda kind: made.append(kind) or real(kind))
    assert cli_json("sync", "now", "--data", str(b), "--json")["pending"] == 0
    assert sorted(made) == ["directory", "tariffs"]
    made.clear()
    for _ in range(3):                                   # unchanged: neither is read again, nor sent
        assert cli_json("sync", "now", "--data", str(b), "--json")["pending"] == 0
    assert made == []
    con = sqlite3.connect(b / "callbox.db")
    with con:                                            # a tariff correction (as the web's version edit does)
        con.execute("UPDATE tariff_rate SET connection_fee = '0.25' WHERE id = (SELECT MIN(id) FROM tariff_rate)")
    con.close()
    assert cli_json("sync", "now", "--data", str(b), "--json")["pending"] == 0
    assert made == ["tariffs"]
    log = (central.data / "log" / "central.log").read_text()
    assert log.count("its tariffs stored") == 2 and log.count("its directory stored") == 1
