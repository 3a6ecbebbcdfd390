"""Tariff pages in-process (webtest): list, version page, CSV upload with line/column errors, download, roles, CSRF."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import webtest

from appliance import store, store_tariffs, tariff_csv
from test_auth_web import add_user, login
from webui.app import make_app

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv"


@pytest.fixture
def data_dir(tmp_path):
    store.open_db(tmp_path / "callbox.db")          # as the worker creates it
    store.close_db()
    yield tmp_path
    store.close_db()


@pytest.fixture
def client(data_dir):
    return webtest.TestApp(make_app(data_dir))


@pytest.fixture
def csrf(client):
    add_user("admin")
    return login(client, "admin")


def upload(client, csrf: str, text: str, name: str = "plan.csv", status: int = 201) -> webtest.TestResponse:
    return client.post("/tariffs/upload", {"csrf_token": csrf}, upload_files=[("file", name, text.encode())],
                       status=status)


def test_upload_lists_shows_and_downloads_a_plan(client, csrf):
    text = EXAMPLE.read_text(encoding="utf-8")
    resp = upload(client, csrf, text)
    assert "Türk Telekom / Örnek İşyeri Tarifesi from 2024-01-01 stored" in resp.text
    html = client.get("/tariffs").text
    assert "Türk Telekom / Örnek İşyeri Tarifesi" in html and "2024-01-01" in html
    vid = re.search(r'href="/tariffs/version/(\d+)"', html).group(1)
    page = client.get(f"/tariffs/version/{vid}").text
    assert "Ramazan Bayramı arifesi" in page and "offpeak" in page and "mon-fri" in page and "TRY" in page
    assert "Rates" in page and "<code>" in page
    pid = re.search(r'href="/tariffs/plan/(\d+)\.csv"', html).group(1)
    csv = client.get(f"/tariffs/plan/{pid}.csv")
    assert csv.content_type == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    assert tariff_csv.read_csv(csv.text) == tariff_csv.read_csv(text)
    assert "(replaced)" in upload(client, csrf, text).text               # the same version again
    client.get("/tariffs/version/999", status=404)
    client.get("/tariffs/plan/999.csv", status=404)


def test_a_bad_file_shows_its_line_and_column_and_stores_nothing(client, csrf):
    text = EXAMPLE.read_text(encoding="utf-8").replace("peak,mon-fri,08:00,18:00", "peak,mon-fri,08:00,25:99")
    resp = upload(client, csrf, text, "bad.csv", status=400)
    message = re.search(r'class="banner warn">([^<]*)<', resp.text).group(1)
    assert "bad.csv" in message and "line 12" in message and "column" in message, message
    assert "No tariff plan stored yet." in resp.text
    assert "not UTF-8" in client.post("/tariffs/upload", {"csrf_token": csrf},
                                      upload_files=[("file", "x.csv", "ü".encode("latin-1"))], status=400).text
    assert "Choose a tariff CSV" in client.post("/tariffs/upload", {"csrf_token": csrf}, status=400).text


def test_names_are_escaped(client, csrf):
    text = EXAMPLE.read_text(encoding="utf-8").replace("Örnek İşyeri Tarifesi", "<script>x</script>")
    upload(client, csrf, text)
    html = client.get("/tariffs").text
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_upload_needs_the_csrf_token_and_keeps_calls_read_only(client, csrf):
    text = EXAMPLE.read_text(encoding="utf-8")
    client.post("/tariffs/upload", upload_files=[("file", "plan.csv", text.encode())], status=403)
    client.post("/tariffs/upload", {"csrf_token": "forged"}, upload_files=[("file", "p.csv", text.encode())],
                status=403)
    assert "No tariff plan stored yet." in client.get("/tariffs").text
    upload(client, csrf, text)
    with pytest.raises(Exception, match="readonly"):       # store.db is read-only again after the upload
        store.Call.create(driver="x", call_key="1", start_utc=0, utc_offset=0, direction="in", extension="1",
                          party="", trunk="", ring_s=0, talk_s=0, answered=True, transferred=False,
                          account_code="", legs=1)
    with store.db.connection_context():
        assert len(store_tariffs.load_versions()) == 1


@pytest.mark.parametrize("role", ["supervisor", "operator", "staff"])
def test_only_administrators(client, role):
    add_user("someone", role, "tenant")
    token = login(client, "someone")
    for path in ("/tariffs", "/tariffs/version/1", "/tariffs/plan/1.csv"):
        client.get(path, status=403)
    client.post("/tariffs/upload", {"csrf_token": token}, upload_files=[("file", "p.csv", b"x")], status=403)
    assert 'href="/tariffs"' not in client.get("/").text
