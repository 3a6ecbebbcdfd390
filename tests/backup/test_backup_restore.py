"""Backup and restore (issue 19): a box's backup restored into a new data directory gives the same report output,
users, directory and tariffs; without the calls but with the journal, the worker derives the same calls again; a
wrong passphrase, a damaged or cut file and a box in use are refused, and nothing is written then."""
from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from appliance import config, store
from appliance.backup import archive, crypto
from appliance.ingest.worker import build_processor, process_all
from appliance.paths import Paths
from conftest import REPO

SAMPLE = REPO / "appliance" / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
TARIFF = REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv"
PASSPHRASE = "yedek parolası: çok gizli"
INI = "[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n\n[box]\ncompany = Örnek A.Ş.\n"
PEOPLE = "person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;211\n"


def callbox(data: Path, *args: str, stdin: str = "", code: int = 0) -> str:
    proc = subprocess.run([sys.executable, "-m", "appliance.cli", *args, "--data", str(data)], input=stdin,
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == code, (args, proc.stdout, proc.stderr)
    return proc.stdout + proc.stderr


def outputs(data: Path) -> dict[str, str]:
    """What the box answers: the report (JSON), the users, the directory's export, the tariffs."""
    return {"report": callbox(data, "report", "--range", "all", "--dims", "person,department,extension",
                              "--measures", "calls,duration,talk,cost", "--json"),
            "calls": callbox(data, "calls", "--json"),
            "users": callbox(data, "user", "list"),
            "tariffs": callbox(data, "tariff", "export", "-"),
            "ini": (data / "callbox.ini").read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def box_a(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("box-a")
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    callbox(data, "import", "--driver", "avaya_ipoffice", str(SAMPLE))
    (data / "people.csv").write_text(PEOPLE, encoding="utf-8")
    callbox(data, "directory", "import", str(data / "people.csv"))
    callbox(data, "tariff", "import", str(TARIFF))
    callbox(data, "user", "add", "yönetici", "--admin", "--password-stdin", stdin="a password of the box\n")
    return data


def test_a_restored_backup_gives_the_same_reports(box_a, tmp_path):
    before = outputs(box_a)
    assert json.loads(before["report"].splitlines()[0]) and "Ayşe" in before["report"]
    out = callbox(box_a, "backup", "create", "--calls", "--journal", "--output", str(tmp_path), "--passphrase-stdin",
                  "--json", stdin=PASSPHRASE + "\n")
    made = json.loads(out)
    backup = Path(made["backup"])
    assert backup.parent == tmp_path and backup.name.endswith(".cbx")
    assert {"callbox.ini", "callbox.db", "users.db"} <= set(made["files"])
    assert any(f.startswith("journal/") for f in made["files"])
    assert b"Ay\xc5\x9fe" not in backup.read_bytes() and b"callbox.ini" not in backup.read_bytes()   # encrypted
    box_b = tmp_path / "box-b"
    callbox(box_b, "backup", "restore", "--passphrase-stdin", str(backup), stdin=PASSPHRASE + "\n")
    assert outputs(box_b) == before
    segments = sorted(p.relative_to(box_a) for p in (box_a / "journal").glob("*.seg"))
    assert segments and [(box_b / s).read_bytes() for s in segments] == [(box_a / s).read_bytes() for s in segments]
    refused = callbox(box_a, "backup", "restore", "--passphrase-stdin", str(backup), stdin=PASSPHRASE + "\n", code=1)
    assert "holds users, calls or a journal already" in refused


def test_without_the_calls_the_journal_gives_them_again(box_a, tmp_path):
    before = outputs(box_a)
    backup = tmp_path / "nocalls.cbx"
    callbox(box_a, "backup", "create", "--journal", "--output", str(backup), "--passphrase-stdin",
            stdin=PASSPHRASE + "\n")
    box_c = tmp_path / "box-c"
    callbox(box_c, "backup", "restore", "--passphrase-stdin", str(backup), stdin=PASSPHRASE + "\n")
    with sqlite3.connect(box_c / "callbox.db") as db:       # as restored: no call, the directory and tariffs kept
        assert db.execute("SELECT COUNT(*) FROM call").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM person").fetchone() == (1,)
        assert db.execute("SELECT COUNT(*) FROM tariff_rate").fetchone()[0] > 10
    store.open_db(box_c / "callbox.db")
    try:
        assert process_all(Paths(box_c), build_processor(config.Config(box_c / "callbox.ini"))) > 1000
    finally:
        store.close_db()
    assert outputs(box_c) == before


def test_a_wrong_passphrase_or_a_damaged_file_is_refused_and_nothing_is_written(box_a, tmp_path):
    backup = tmp_path / "b.cbx"
    with open(backup, "wb") as f:
        archive.create(box_a, f, PASSPHRASE)
    blob = backup.read_bytes()
    fresh = tmp_path / "fresh"
    wrong = callbox(fresh, "backup", "restore", "--passphrase-stdin", str(backup), stdin="not the passphrase\n",
                    code=1)
    assert "wrong passphrase" in wrong and list(fresh.iterdir()) == []
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0x01
    for damaged, why in ((bytes(flipped), "damaged"), (blob[:-100], "cut short"), (blob + b"\0", "after its end"),
                         (b"PK\x03\x04" + blob[4:], "not a Callbox backup")):
        with pytest.raises(crypto.BackupError, match=why):
            archive.restore(io.BytesIO(damaged), fresh, PASSPHRASE)
        assert list(fresh.iterdir()) == []
    with pytest.raises(crypto.BackupError, match="at least 10"):
        archive.create(box_a, io.BytesIO(), "short")


def test_the_stream_is_sealed_chunk_by_chunk(tmp_path):
    """A journal larger than a chunk: many sealed chunks, read back byte for byte, never the whole in memory at once
    (the writer holds at most one chunk)."""
    data = os.urandom(3 * crypto.CHUNK + 1234)
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, PASSPHRASE)
    peak = 0
    for i in range(0, len(data), 100_000):
        writer.write(data[i:i + 100_000])
        peak = max(peak, len(writer.buf))
    writer.close()
    assert peak <= crypto.CHUNK + 100_000 and writer.counter == 4
    reader = crypto.DecryptingReader(io.BytesIO(out.getvalue()), PASSPHRASE)
    assert b"".join(iter(lambda: reader.read(10240), b"")) == data


def test_an_administrator_downloads_a_backup_from_the_web(box_a, tmp_path):
    import webtest
    from web_helpers import add_user, login
    from webui.app import make_app
    try:
        client = webtest.TestApp(make_app(box_a))
        add_user("web-admin")
        csrf = login(client, "web-admin")
        assert "Download it to this computer" in client.get("/backup").text
        differ = client.post("/backup", {"passphrase": PASSPHRASE, "passphrase2": "other", "csrf_token": csrf},
                             status=400)
        assert "differ" in differ.text
        short = client.post("/backup", {"passphrase": "short", "passphrase2": "short", "csrf_token": csrf}, status=400)
        assert "at least 10" in short.text
        got = client.post("/backup", {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE, "calls": "1",
                                      "csrf_token": csrf})
        assert got.content_type == "application/octet-stream" and "attachment" in got.headers["Content-Disposition"]
    finally:
        store.close_db()
    box_d = tmp_path / "box-d"
    manifest = archive.restore(io.BytesIO(got.body), box_d, PASSPHRASE)
    assert manifest["calls"] and not manifest["journal"]
    assert outputs(box_d)["report"] == outputs(box_a)["report"]
    assert not list(box_a.glob(".backup-*"))            # the temporary file is gone


@pytest.mark.parametrize("lang", ["tr", "bg", "az", "cs", "nb"])
def test_the_backup_page_speaks_every_language(tmp_path, lang):
    import webtest
    from i18n_helpers import english_left
    from web_helpers import add_user, login
    from webui.app import make_app
    try:
        client = webtest.TestApp(make_app(tmp_path))
        add_user("web-admin")
        login(client, "web-admin")
        assert english_left(client.get(f"/backup?lang={lang}").text, lang) == []
    finally:
        store.close_db()
