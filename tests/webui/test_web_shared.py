"""What every tenant shares is changed only by administrators of the whole box (issue 13, finding 3): tariff plans
and versions, named time ranges, the box's report schedules. A tenant's administrator (of the [pbx] tenant or of
another) gets 403 on each write and nothing changes; they see tariffs and time ranges read-only."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from appliance import store
from appliance.rating import plans as stored_plans
from appliance.reports import ranges as report_ranges
from appliance.store import directory as sd
from web_helpers import add_user, logged_in

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv"


def hundredfold(text: str) -> str:
    """The example plan with every rate step at 100 times its price (the attack of issue 13)."""
    def steps(m):
        return re.sub(r":(\d+\.\d+)", lambda p: f":{float(p.group(1)) * 100:.2f}", m.group(0))
    return re.sub(r'"[0-9:.,]+"', steps, text)


@pytest.fixture
def data_dir(tmp_path):
    store.open_db(tmp_path / "callbox.db")          # as the worker creates it, with two tenants
    for code in ("default", "acme"):
        sd.tenant_id(code, create=True)
    store.close_db()
    yield tmp_path
    store.close_db()


def shared_state() -> tuple:
    """Everything the writes below could change: the stored plan versions, the time ranges, the schedules."""
    with store.db.connection_context():
        return (stored_plans.load_versions(), sorted((n, t.as_dict()) for n, t in report_ranges.time_ranges().items()),
                list(store.db.execute_sql("SELECT * FROM schedule").fetchall()))


@pytest.mark.parametrize("tenant", ["default", "acme"])
def test_a_tenant_administrator_changes_nothing_all_tenants_share(app, client, csrf, tenant):
    text = EXAMPLE.read_text(encoding="utf-8")
    client.post("/tariffs/upload", {"csrf_token": csrf}, upload_files=[("file", "plan.csv", text.encode())],
                status=201)
    client.post("/reports/timeranges", {"csrf_token": csrf, "name": "night_shift", "days": "1-5", "start": "22:00",
                                        "end": "06:00"}, status=303)
    vid = re.search(r'href="/tariffs/version/(\d+)"', client.get("/tariffs").text).group(1)
    before = shared_state()
    assert hundredfold(text) != text and "Upload a tariff CSV" in client.get("/tariffs").text

    tenant_admin, token = logged_in(app, "tenantadmin", "administrator", "tenant", tenant)
    csv = hundredfold(text).encode()
    tenant_admin.post("/tariffs/upload", {"csrf_token": token}, upload_files=[("file", "plan.csv", csv)], status=403)
    tenant_admin.get(f"/tariffs/version/{vid}/edit", status=403)
    tenant_admin.post(f"/tariffs/version/{vid}/edit", {"csrf_token": token, "action": "csv", "csv": csv.decode()},
                      status=403)
    tenant_admin.post("/reports/timeranges", {"csrf_token": token, "name": "lunch", "days": "1-7", "start": "00:00",
                                              "end": "23:59"}, status=403)
    tenant_admin.post("/reports/timeranges", {"csrf_token": token, "name": "mine", "days": "1", "start": "09:00",
                                              "end": "10:00"}, status=403)
    tenant_admin.post("/reports/timeranges/delete", {"csrf_token": token, "name": "night_shift"}, status=403)
    tenant_admin.post("/schedules/add", {"csrf_token": token, "name": "x", "when": "daily 08:00", "report": "1"},
                      status=403)
    for action in ("remove", "run"):
        tenant_admin.post(f"/schedules/{action}", {"csrf_token": token, "id": "1"}, status=403)
    assert shared_state() == before

    # read-only pages: the plans and the ranges, without a form that would only answer 403
    page = tenant_admin.get("/tariffs").text
    assert "Örnek İşyeri Tarifesi" in page and "/tariffs/upload" not in page and "only administrators of" in page
    version = tenant_admin.get(f"/tariffs/version/{vid}").text
    assert "Turkcell" in version and f"/tariffs/version/{vid}/edit" not in version
    ranges = tenant_admin.get("/reports/timeranges").text
    assert "night_shift" in ranges and "only administrators of" in ranges
    assert 'action="/reports/timeranges' not in ranges


def test_an_administrator_of_the_whole_box_still_changes_them(app):
    add_user("boxadmin")
    box, token = logged_in(app, "boxadmin")
    text = EXAMPLE.read_text(encoding="utf-8")
    box.post("/tariffs/upload", {"csrf_token": token}, upload_files=[("file", "plan.csv", text.encode())], status=201)
    vid = re.search(r'href="/tariffs/version/(\d+)"', box.get("/tariffs").text).group(1)
    assert f"/tariffs/version/{vid}/edit" in box.get(f"/tariffs/version/{vid}").text
    box.get(f"/tariffs/version/{vid}/edit", status=200)
    box.post("/reports/timeranges", {"csrf_token": token, "name": "night_shift", "days": "1-5", "start": "22:00",
                                     "end": "06:00"}, status=303)
    assert "night_shift" in box.get("/reports/timeranges").text
