"""Beside its calls, a branch tells its central its quarantine count, the tariff versions that price its calls and
its directory's version with every request; the central keeps them for the branch health (`callbox central branch
list`, /central/branches) and notes when the tariffs or the directory changed. A directory correction on the
branch also sends the calls it re-attributes again, as updates. On SQLite and PostgreSQL."""
import sqlite3
import time

import pytest

from pg_server import engine, postgres  # noqa: F401  (fixtures)
from sync_helpers import Central, cli, cli_json, generate, make_branch

pytestmark = pytest.mark.slow   # a central process
PEOPLE = "person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;201\n"


@pytest.fixture
def central(tmp_path, engine):  # noqa: F811 (the fixture)
    c = Central(tmp_path / "central", engine)
    c.data.mkdir(exist_ok=True)
    c.start()
    yield c
    c.stop()


def _health(central) -> dict:
    return {r["branch"]: r for r in cli_json("central", "branch", "list", "--data", str(central.data),
                                             "--json")}["izmir"]


def test_quarantine_tariffs_and_directory_versions_reach_the_central(central, tmp_path):
    b = tmp_path / "izmir"
    make_branch(b, central, "izmir", central.url_direct)
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert cli("directory", "import", str(people), "--data", str(b))[0] == 0
    generate(b, 40, 1, seed=3)
    con = sqlite3.connect(b / "callbox.db")
    with con:
        con.execute("INSERT INTO tariff_provider (id, name) VALUES (1, 'Türk Telekom')")
        con.execute("INSERT INTO tariff_plan (id, provider_id, name) VALUES (1, 1, 'Kurumsal')")
        for vid, since in ((1, "2025-01-01"), (2, "2026-01-01")):
            con.execute("INSERT INTO tariff_version (id, plan_id, valid_from, currency, rounding, decimals, "
                        "band_boundary, imported_utc) VALUES (?, 1, ?, 'TRY', 'half_up', 2, 'start', 0)", (vid, since))
        for q in range(3):
            con.execute("INSERT INTO quarantine (id, jseg, joff, received_ns, source, driver, reason, line) "
                        "VALUES (?, 0, ?, 0, 'pbx', 'gen', 'unparsable', 'x')", (q + 1, q))
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 40, "pending": 0}
    h = _health(central)
    assert h["quarantined"] == 3
    assert h["tariffs"] == "Türk Telekom / Kurumsal @ 2026-01-01"
    assert h["directory"].startswith("1 people, ") and h["directory_changed_utc"] and h["tariffs_changed_utc"]
    first_directory, first_changed = h["directory"], h["directory_changed_utc"]

    time.sleep(1.1)                                     # a later second: the change is noted at its own time
    assert cli_json("sync", "now", "--data", str(b), "--json")["sent"] == 0       # unchanged: a hello
    assert (_health(central)["directory"], _health(central)["directory_changed_utc"]) == (first_directory,
                                                                                          first_changed)
    with con:                                           # a directory correction: Ayşe's surname
        con.execute("UPDATE person SET last_name = 'Demir' WHERE external_id = 'P1'")
    ext201 = con.execute("SELECT COUNT(*) FROM call WHERE TRIM(extension) = '201'").fetchone()[0]
    con.close()
    assert ext201 > 0
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": ext201, "pending": 0}   # as updates
    h = _health(central)
    assert h["directory"] != first_directory and h["directory_changed_utc"] > first_changed
    people_on_central = central.query("SELECT DISTINCT person FROM central_call WHERE branch = 'izmir' AND "
                                      "TRIM(extension) = '201'")
    assert people_on_central == [("Ayşe Demir (P1)",)]
    assert central.query("SELECT COUNT(*) FROM central_call WHERE branch = 'izmir'") == [(40,)]
