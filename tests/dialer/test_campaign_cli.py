"""`callbox campaign ...` as scripts use it: import from CSV (invalid numbers on stderr, --json), a bad file refused
with exit 2 naming file, line and column, show --json, export, pause/resume, the do-not-call list."""
from __future__ import annotations

import csv
import io
import json

import pytest

from appliance import store
from appliance.cli.main import main

INI = "[numbers]\ncountry = TR\narea_codes = 212\n[pbx]\ntimezone = Europe/Istanbul\n"


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "var"
    d.mkdir()
    (d / "callbox.ini").write_text(INI, encoding="utf-8")
    (tmp_path / "spring.csv").write_text("number,name\n0532 123 45 67,Ayşe\n12,Test\n0212 555 12 34,Kemal\n",
                                         encoding="utf-8")
    yield d
    store.close_db()


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    store.close_db()
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_show_export_and_the_do_not_call_list(data, capsys):
    d = ("--data", str(data))
    assert run(capsys, "campaign", "dnc", "add", "0212 555 12 34", "--note", "asked", *d)[1] == \
        "+902125551234 is on the do-not-call list\n"
    code, out, err = run(capsys, "campaign", "import", "spring", "--name", "Spring", "--csv",
                         str(data.parent / "spring.csv"), "--mode", "progressive", "--windows",
                         "mon-fri 09:30-18:00", *d)
    assert code == 0 and out == "campaign spring: 3 contacts, 1 on the do-not-call list, 1 invalid\n"
    assert "spring.csv: line 3: '12': not a valid phone number (not dialled)" in err
    code, out, _ = run(capsys, "campaign", "show", "spring", "--json", *d)
    shown = json.loads(out)
    assert (shown["mode"], shown["timezone"], shown["windows"]) == ("progressive", "Europe/Istanbul",
                                                                    "mon-fri 09:30-18:00")
    assert shown["progress"]["states"]["pending"] == 1 and shown["dnc"] == [{"line": 4, "number": "+902125551234"}]
    assert shown["invalid"] == [{"line": 3, "number": "12", "problem": "not a valid phone number"}]
    code, out, _ = run(capsys, "campaign", "export", "spring", *d)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["number"], r["state"]) for r in rows] == [("+905321234567", "pending"), ("", "invalid"),
                                                         ("+902125551234", "dnc")]
    assert run(capsys, "campaign", "pause", "spring", *d)[1] == "campaign spring paused\n"
    assert json.loads(run(capsys, "campaign", "list", "--json", *d)[1])[0]["state"] == "paused"
    assert json.loads(run(capsys, "campaign", "dnc", "list", "--json", *d)[1])[0]["note"] == "asked"
    assert run(capsys, "campaign", "dnc", "remove", "0212 555 12 34", *d)[0] == 0


def test_a_bad_file_is_refused_with_exit_2_naming_file_line_and_column(data, capsys):
    bad = data.parent / "bad.csv"
    bad.write_text("number,name\n0532 123 45 67,A,extra\n", encoding="utf-8")
    code, out, err = run(capsys, "campaign", "import", "x", "--name", "X", "--csv", str(bad), "--data", str(data))
    assert code == 2 and f"{bad}: line 2, column 3: 3 cells, the header has 2" in err
    assert run(capsys, "campaign", "list", "--data", str(data))[1] == ""


def test_without_a_numbering_plan_nothing_is_imported(data, capsys):
    (data / "callbox.ini").write_text("", encoding="utf-8")
    code, _, err = run(capsys, "campaign", "import", "x", "--name", "X", "--csv", str(data.parent / "spring.csv"),
                       "--data", str(data))
    assert code == 2 and "[numbers] country is not set" in err


def test_import_from_a_crm_url(data, capsys):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    body = json.dumps({"contacts": [{"id": 7, "phone": "+90 532 123 45 67", "name": "Ayşe", "owner": "elif"},
                                    {"id": 8, "phone": "n/a", "name": "Nobody"}]}).encode()

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass
    srv = HTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{srv.server_port}/api/leads?segment=spring"
        code, out, err = run(capsys, "campaign", "import", "crm", "--name", "From the CRM", "--crm-url", url,
                             "--json", "--data", str(data))
    finally:
        srv.shutdown()
        srv.server_close()
    assert code == 0
    got = json.loads(out)
    assert got["contacts"] == 2 and got["invalid"] == [{"line": 2, "number": "n/a",
                                                        "problem": "not a valid phone number"}]
    shown = json.loads(run(capsys, "campaign", "show", "crm", "--json", "--data", str(data))[1])
    assert shown["fields"] == ["id", "name", "owner"] and shown["source"] == url
