"""Issue 14: the box's processes stay small on a 512 MB board. What each long-running process imports at start is
checked here; `make bench` measures their memory (appliance/tools/bench_footprint.py)."""
from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from appliance import store
from conftest import REPO
from pg_server import password_file, postgres  # noqa: F401 (the fixture)

# ~110 MB (phonenumbers' place and operator names: appliance/rating/phonedata.py reads them from a file), ~45 MB
# (fpdf2 and fontTools: only for a PDF), ~20 MB (pysnmp: only when a trap is sent), ~3 MB a process (psycopg2 and
# libpq: only a central on PostgreSQL; peewee imports them unless appliance/__init__.py hides them)
HEAVY = ("phonenumbers.geodata", "phonenumbers.carrierdata", "fpdf", "fontTools", "pysnmp", "psycopg2", "psycopg")
PROCESSES = {
    # what `callbox run` becomes: it starts and watches the others, nothing more
    "supervisor": ("appliance.supervisor", HEAVY + ("peewee", "huey", "bottle", "gevent", "phonenumbers")),
    "worker": ("appliance.procs; from appliance.ingest import worker", HEAVY),
    # huey's consumer would import gevent (~2.5 MB) for greenlet workers: the jobs run threads (appliance/__init__.py)
    "jobs": ("appliance.jobs", HEAVY + ("gevent",)),
    # cryptography (~5 MB, its Rust core): only to make or read a backup, or to enrol a branch
    "web": ("webui.app", HEAVY + ("cryptography",)),
}


@pytest.mark.parametrize("process", list(PROCESSES))
def test_a_process_imports_nothing_it_does_not_use_at_start(process):
    module, forbidden = PROCESSES[process]
    code = (f"import sys, json\nimport {module}\n"
            "print(json.dumps(sorted({m.split('.')[0] if not m.startswith('phonenumbers.') else "
            "'.'.join(m.split('.')[:2]) for m in sys.modules})))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                                           check=True).stdout))
    assert not loaded & set(forbidden), f"{process} imports {sorted(loaded & set(forbidden))}"


def test_a_postgresql_central_loads_its_driver_when_it_opens_the_database(tmp_path, postgres):  # noqa: F811
    """psycopg2 is hidden from peewee's import, not missing: a process that opens a PostgreSQL central loads it
    then, and stores and reads there (tests/sync: the central's whole suite on PostgreSQL)."""
    url = postgres.url(postgres.fresh_database())
    password_file(tmp_path)
    code = ("import sys\nimport appliance.procs\nfrom appliance.ingest import worker\n"
            "from appliance.store import central_db\nassert 'psycopg2' not in sys.modules\n"
            f"central_db.open_central({url!r}, 'central-db.pw', __import__('pathlib').Path({str(tmp_path)!r}))\n"
            "assert 'psycopg2' in sys.modules and central_db.is_postgres()\n"
            "with central_db.connection(), central_db.transaction():\n"
            "    central_db.central_db.execute_sql('CREATE TABLE probe (id UUID, data JSONB)')\n"
            "    central_db.central_db.execute_sql('INSERT INTO probe VALUES (%s, %s)', "
            "(__import__('uuid').UUID(int=7), __import__('peewee').Json_pg2({'ü': 1})))\n"
            "    print(central_db.central_db.execute_sql('SELECT id, data FROM probe').fetchall())\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[(UUID('00000000-0000-0000-0000-000000000007'), {'ü': 1})]"


def test_each_thread_s_connection_takes_the_page_cache_open_db_was_given(tmp_path):
    """The jobs process opens callbox.db with SQLite's default page cache (appliance/procs.py): each huey thread has
    its own connection, which kept up to 16 MB of pages after an alert pass (issue 14)."""
    store.open_db(tmp_path / "callbox.db", cache_kb=store.SMALL_CACHE_KB)
    try:
        seen = []
        thread = threading.Thread(target=lambda: seen.append(store.db.execute_sql("PRAGMA cache_size").fetchone()[0]))
        thread.start()
        thread.join()
        assert seen == [-store.SMALL_CACHE_KB]
    finally:
        store.close_db()
    store.open_db(tmp_path / "callbox.db")
    try:
        assert store.db.execute_sql("PRAGMA cache_size").fetchone()[0] == -16000   # the worker's
    finally:
        store.close_db()
