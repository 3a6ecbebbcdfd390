"""Campaign sources: a bad CSV is refused as a whole with file, line and column; a CRM's JSON list is read."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from appliance.dialer import sources
from appliance.dialer.sources import SourceError


def test_a_good_csv_with_custom_fields_semicolons_and_a_bom():
    text = "\ufeffTelefon;Phone;Ad\n0532 123 45 67;x;Ayşe\n\n0212 555 12 34;y;Kemal\n"
    s = sources.read_csv(text.encode("utf-8"), "liste.csv")
    assert s.fields == ("Telefon", "Ad")
    assert [(r.line, r.raw, r.fields) for r in s.rows] == [
        (2, "x", {"Telefon": "0532 123 45 67", "Ad": "Ayşe"}), (4, "y", {"Telefon": "0212 555 12 34", "Ad": "Kemal"})]


def test_a_quoted_field_over_two_lines_keeps_the_line_numbers():
    s = sources.read_csv(b'number,note\n0532 123 45 67,"two\nlines"\n0212 555 12 34,x\n', "f.csv")
    assert [r.line for r in s.rows] == [2, 4]


@pytest.mark.parametrize("data,line,column,words", [
    (b"name,company\nA,B\n", 1, "", "no number column"),
    (b"number,name\n0532 123 45 67,A\n0212 555 12 34,B,extra\n", 3, 3, "3 cells, the header has 2"),
    (b"number,name,x\n0532 123 45 67,A\n", 2, 3, "2 cells, the header has 3"),
    (b"number,name\n0532,\"unclosed\n0212,B\n", 2, "", "not CSV"),
    (b"number,name\n0532 123 45 67,Ay\xfe\n", 2, 2, "not UTF-8"),
    (b"number,,x\n1,2,3\n", 1, 2, "without a name"),
    (b"number,name,name\n1,2,3\n", 1, 3, "twice"),
    (b"number,name\n", 2, "", "no contacts"),
    (b"", 1, "", "empty"),
])
def test_a_bad_csv_is_refused_as_a_whole_with_file_line_and_column(data, line, column, words):
    with pytest.raises(SourceError) as e:
        sources.read_csv(data, "upload.csv")
    assert (e.value.where, e.value.line, e.value.column) == ("upload.csv", line, column)
    assert words in str(e.value) and str(e.value).startswith(f"upload.csv: line {line}")


def test_too_many_rows():
    data = "number\n" + "0532 123 45 67\n" * 11
    with pytest.raises(SourceError, match="line 12: more than 10 contacts"):
        sources.read_csv(data, "big.csv", max_rows=10)


def test_json_lists_and_wrapped_lists():
    doc = [{"phone": "0532 123 45 67", "name": "Ayşe", "score": 7, "tags": ["x"]}, {"phone": None, "name": "B"}]
    s = sources.read_json(json.dumps(doc), "crm")
    assert s.fields == ("name", "score")
    assert s.rows[0].fields == {"name": "Ayşe", "score": "7"} and s.rows[1].raw == ""
    assert sources.read_json(json.dumps({"contacts": doc}), "crm").rows == s.rows


@pytest.mark.parametrize("doc,line,words", [
    ("{", 1, "not JSON"), ('{"x": 1}', 1, "expected a list"), ('[{"number": "1"}, 5]', 2, "must be an object"),
    ('[{"name": "A"}]', 1, "no number field"), ("[]", 1, "no contacts")])
def test_bad_json_is_refused(doc, line, words):
    with pytest.raises(SourceError) as e:
        sources.read_json(doc, "crm")
    assert e.value.line == line and words in str(e.value)


@pytest.fixture
def crm():
    answers = {"/ok": (200, json.dumps({"data": [{"tel": "0532 123 45 67", "customer": "Acme"}]})),
               "/down": (503, "busy")}

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            code, body = answers.get(self.path, (404, "no"))
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *a):
            pass
    srv = HTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()


def test_a_crm_url_answering_json(crm):
    s = sources.fetch_crm(crm + "/ok", 5)
    assert s.where == crm + "/ok" and s.rows[0].raw == "0532 123 45 67" and s.rows[0].fields == {"customer": "Acme"}


def test_a_crm_that_fails_says_so(crm):
    with pytest.raises(SourceError, match="HTTP 503"):
        sources.fetch_crm(crm + "/down", 5)
    with pytest.raises(SourceError, match="http:// or https://"):
        sources.fetch_crm("file:///etc/passwd", 5)
