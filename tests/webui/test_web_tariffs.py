"""Tariff pages in-process (webtest): list, version page, CSV upload with line/column errors, download, roles, CSRF."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import webtest

from appliance import store
from appliance.rating import plans as stored_plans
from appliance.rating import tariff_csv
from web_helpers import add_user, login

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv"


@pytest.fixture
def data_dir(tmp_path):
    store.open_db(tmp_path / "callbox.db")          # as the worker creates it
    store.close_db()
    yield tmp_path
    store.close_db()


def upload(client, csrf: str, text: str, name: str = "plan.csv", status: int = 201) -> webtest.TestResponse:
    return client.post("/tariffs/upload", {"csrf_token": csrf}, upload_files=[("file", name, text.encode())],
                       status=status)


def test_upload_lists_shows_and_downloads_a_plan(client, csrf):
    text = EXAMPLE.read_text(encoding="utf-8")
    resp = upload(client, csrf, text)
    # issue 20: the day as the language writes it, not ISO
    assert "Türk Telekom / Örnek İşyeri Tarifesi from 1 Jan 2024 stored" in resp.text
    html = client.get("/tariffs").text
    assert "Türk Telekom / Örnek İşyeri Tarifesi" in html and ">1 Jan 2024</a>" in html
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
        assert len(stored_plans.load_versions()) == 1


@pytest.mark.parametrize("role", ["supervisor", "operator", "staff"])
def test_only_administrators(client, role):
    add_user("someone", role, "tenant")
    token = login(client, "someone")
    for path in ("/tariffs", "/tariffs/version/1", "/tariffs/plan/1.csv"):
        client.get(path, status=403)
    client.post("/tariffs/upload", {"csrf_token": token}, upload_files=[("file", "p.csv", b"x")], status=403)
    assert 'href="/tariffs"' not in client.get("/").text


def edit_form(client, vid: str) -> webtest.Form:
    return client.get(f"/tariffs/version/{vid}/edit").forms["tariff-edit"]


def stored_version(vid: int):
    with store.db.connection_context():
        return next(v for v in stored_plans.load_versions() if v.id == vid)


def first_version_id(client) -> str:
    return re.search(r'href="/tariffs/version/(\d+)"', client.get("/tariffs").text).group(1)


def test_a_rate_edited_on_the_page_replaces_the_version_and_prices_with_it(client, csrf, data_dir):
    upload(client, csrf, EXAMPLE.read_text(encoding="utf-8"))
    vid = first_version_id(client)
    form = edit_form(client, vid)
    before = stored_version(int(vid))
    i = next(i for i, r in enumerate(before.rates) if (r.destination, r.band) == ("Turkcell", "peak"))
    assert form[f"steps_{i}"].value == "30:0.45,6:0.09" and form[f"fee_{i}"].value == "0.05"
    form[f"steps_{i}"] = "30:0.90,6:0.18"
    form[f"fee_{i}"] = "0.10"
    resp = form.submit("action", value="form", status=303).follow()
    assert "this version was replaced" in resp.text
    after = stored_version(int(vid))
    from decimal import Decimal
    assert (after.rates[i].connection_fee, after.rates[i].steps[0].period_s, after.rates[i].steps[1].price) == \
        (Decimal("0.10"), 30, Decimal("0.18"))
    assert [r for j, r in enumerate(after.rates) if j != i] == [r for j, r in enumerate(before.rates) if j != i]
    assert after.destinations == before.destinations and after.bands == before.bands


def test_a_new_valid_from_date_stores_a_new_version_and_keeps_the_old(client, csrf):
    upload(client, csrf, EXAMPLE.read_text(encoding="utf-8"))
    vid = first_version_id(client)
    form = edit_form(client, vid)
    form["valid_from"] = "2025-01-01"
    resp = form.submit("action", value="form", status=303)
    new_id = int(re.search(r"/tariffs/version/(\d+)", resp.headers["Location"]).group(1))
    assert new_id != int(vid)
    assert "Saved as a new version" in resp.follow().text
    assert stored_version(int(vid)).valid_from.isoformat() == "2024-01-01"
    assert stored_version(new_id).valid_from.isoformat() == "2025-01-01"


@pytest.mark.parametrize("field, value, message", [
    ("steps", "30:abc", "Steps of Turkcell / peak"),
    ("fee", "-1", "Connection fee of Turkcell / peak"),
    ("prefixes", "+90532 +90532x", "Prefixes of Turkcell"),
])
def test_a_bad_field_is_refused_with_its_name_and_nothing_is_stored(client, csrf, field, value, message):
    upload(client, csrf, EXAMPLE.read_text(encoding="utf-8"))
    vid = first_version_id(client)
    before = stored_version(int(vid))
    form = edit_form(client, vid)
    i = next(i for i, r in enumerate(before.rates) if (r.destination, r.band) == ("Turkcell", "peak"))
    if field == "prefixes":
        i = next(i for i, d in enumerate(before.destinations) if d.name == "Turkcell")
    form[f"{field}_{i}"] = value
    resp = form.submit("action", value="form", status=400)
    assert message in resp.text and value in resp.text        # the form keeps what was typed
    assert stored_version(int(vid)) == before


def test_the_whole_csv_can_be_edited_and_a_plan_problem_is_refused(client, csrf):
    text = EXAMPLE.read_text(encoding="utf-8")
    upload(client, csrf, text)
    vid = first_version_id(client)
    form = edit_form(client, vid)
    assert tariff_csv.read_csv(form["csv"].value) == tariff_csv.read_csv(text)
    form["csv"] = form["csv"].value.replace("Türk Telekom", "Another Provider")
    assert "must hold exactly one version of Türk Telekom" in form.submit("action", value="csv", status=400).text
    form = edit_form(client, vid)
    lines = form["csv"].value.splitlines()
    rates = ("Turkcell,peak,", "Turkcell,*,")
    assert sum(1 for line in lines if line.startswith(rates)) == 2
    form["csv"] = "\n".join(line for line in lines if not line.startswith(rates))
    resp = form.submit("action", value="csv", status=400)
    assert "Turkcell" in resp.text and "no rate" in resp.text         # a destination left without a rate


def test_only_administrators_edit_tariffs_and_csrf_is_required(client, csrf):
    upload(client, csrf, EXAMPLE.read_text(encoding="utf-8"))
    vid = first_version_id(client)
    client.post(f"/tariffs/version/{vid}/edit", {"action": "form"}, status=403)      # no CSRF token
    client.get("/tariffs/version/999/edit", status=404)
    add_user("operator", role="operator", scope="tenant")
    login(client, "operator")
    client.get(f"/tariffs/version/{vid}/edit", status=403)


def test_the_page_explains_the_layout_and_offers_an_example_to_upload(client, csrf):
    """Issue 20: /tariffs pointed to provisioning/tariffs/README.md, a file on the box a branch administrator cannot
    read. The layout is on the page (every section header the importer knows), with an example that uploads."""
    page = client.get("/tariffs", {"lang": "tr"}).text
    assert "README" not in page and "provisioning/" not in page
    assert "Tarife CSV düzeni" in page and 'href="/tariffs/example.csv"' in page
    for columns, _required in tariff_csv.COLUMNS.values():
        assert f"<code>{','.join(columns)}</code>" in page
    example = client.get("/tariffs/example.csv")
    assert example.content_type == "text/csv" and "attachment" in example.headers["Content-Disposition"]
    text = example.body.decode("utf-8-sig")
    [version] = tariff_csv.read_csv(text, "tariff-example.csv")
    assert {d.name for d in version.destinations} >= {"Local", "Mobile", "International"}
    assert "Example Telecom / Office plan" in upload(client, csrf, text, "tariff-example.csv").text
    edit = client.get(f"/tariffs/version/{first_version_id(client)}/edit").text     # the edit page links there too
    assert "README" not in edit and 'href="/tariffs#csv-layout"' in edit
