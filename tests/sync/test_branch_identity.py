"""A branch box's identity (its ASCII name: the certificate's, its calls' key), display name (any script) and the
central directory's branch it is, on SQLite and PostgreSQL: `callbox central branch add|set|list`, and an older
central's table getting the new columns (PostgreSQL: ADD COLUMN on the existing table, rows kept)."""
import pytest

from appliance import store
from appliance.store import central_db
from appliance.store.sync import CentralBranch, boxes_of_unit
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import cli, cli_json

PEOPLE = "person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;201\n" \
         "P2;Jan;Nowak;Warszawa;Sales;202\n"


@pytest.fixture
def central(tmp_path, engine):  # noqa: F811 (the fixture)
    if engine is not None:
        pw = password_file(tmp_path)
        url = engine.url(engine.fresh_database())
        (tmp_path / "callbox.ini").write_text(f"[central]\ndatabase = {url}\npassword_file = {pw.name}\n",
                                              encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert cli("directory", "import", str(people), "--data", str(tmp_path))[0] == 0
    return tmp_path


def _list(data) -> dict[str, dict]:
    return {r["branch"]: r for r in cli_json("central", "branch", "list", "--data", str(data), "--json")}


def test_identity_display_name_and_directory_branch(central):
    d = str(central)
    assert cli_json("central", "branch", "add", "izmir", "--label", "İzmir", "--data", d, "--json")["branch"] == "izmir"
    cli_json("central", "branch", "add", "waw", "--label", "Варшава", "--unit", "Warszawa", "--data", d, "--json")
    cli_json("central", "branch", "add", "bursa", "--data", d, "--json")
    rows = _list(central)
    assert (rows["izmir"]["label"], rows["izmir"]["directory_branch"]) == ("İzmir", "İzmir")   # by its label
    assert (rows["waw"]["label"], rows["waw"]["directory_branch"]) == ("Варшава", "Warszawa")   # named
    assert (rows["bursa"]["label"], rows["bursa"]["directory_branch"]) == ("bursa", "")          # none
    rc, _out, err = cli("central", "branch", "add", "İzmir", "--data", d)
    assert rc == 2 and "display name (--label)" in err                                 # the identity is ASCII
    rc, _out, err = cli("central", "branch", "add", "x", "--unit", "Ankara", "--data", d)
    assert rc == 2 and "no branch named 'Ankara'" in err
    row = cli_json("central", "branch", "set", "izmir", "--label", "İzmir Merkez", "--data", d, "--json")
    assert (row["branch"], row["label"], row["directory_branch"]) == ("izmir", "İzmir Merkez", "İzmir")
    assert cli_json("central", "branch", "set", "waw", "--unit", "", "--data", d, "--json")["directory_branch"] == ""
    rc, _out, err = cli("central", "branch", "set", "ankara", "--label", "A", "--data", d)
    assert rc == 2 and "no branch 'ankara'" in err
    # which boxes a directory branch's users see: linked ones, and unlinked ones written as it is named
    store.open_db(central / "callbox.db")
    try:
        from appliance.store import directory as sd
        from appliance.store.schema import open_central_of
        from appliance import config
        open_central_of(config.load(central / "callbox.ini" if (central / "callbox.ini").exists() else None,
                                    central), central)
        unit = {b.name: b.id for b in sd.Branch.select()}
        assert boxes_of_unit(unit["İzmir"], "İzmir") == ("izmir",)
        assert boxes_of_unit(unit["İzmir"], "renamed") == ("izmir",)       # by identity: a rename keeps it
        assert boxes_of_unit(unit["Warszawa"], "Warszawa") == ()            # "Варшава" is not "Warszawa"
        assert boxes_of_unit(999, "Bursa") == ("bursa",)                    # unlinked, written the same
    finally:
        store.close_db()


def test_an_older_postgresql_central_gets_the_new_columns(tmp_path, postgres):  # noqa: F811 (the fixture)
    name = postgres.fresh_database()
    con = postgres.connect(name)
    con.autocommit = True
    con.cursor().execute("CREATE TABLE central_branch (name TEXT PRIMARY KEY, token_hash TEXT NOT NULL DEFAULT '', "
                         "token_expires_utc BIGINT NOT NULL DEFAULT 0, cert_serial TEXT NOT NULL DEFAULT '', "
                         "revoked INTEGER NOT NULL DEFAULT 0, last_seq BIGINT NOT NULL DEFAULT 0, "
                         "last_digest TEXT NOT NULL DEFAULT '', last_batch_utc BIGINT NOT NULL DEFAULT 0, "
                         "last_record_utc BIGINT NOT NULL DEFAULT 0, last_seen_utc BIGINT NOT NULL DEFAULT 0, "
                         "version TEXT NOT NULL DEFAULT '', created_utc BIGINT NOT NULL)")
    con.cursor().execute("INSERT INTO central_branch (name, last_seq, created_utc) VALUES ('izmir', 41, 1)")
    pw = password_file(tmp_path)
    store.open_db(tmp_path / "callbox.db")
    try:
        central_db.open_central(postgres.url(name), pw.name, tmp_path)
        with central_db.connection():
            row = CentralBranch.get(CentralBranch.name == "izmir")
            assert (row.last_seq, row.label, row.unit, row.pending, row.journal_bytes) == (41, "", None, 0, 0)
    finally:
        store.close_db()
    cur = con.cursor()
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'central_branch'")
    assert {"label", "unit", "pending", "journal_bytes"} <= {r[0] for r in cur.fetchall()}
    con.close()
