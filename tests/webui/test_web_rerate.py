"""Re-rating from the web (issue 20, no shell for daily work): on /tariffs an administrator of the whole box asks for
the stored calls to be priced again (since a day, or all); the page says it is waiting for the worker, then what the
worker did (tests/billing/test_rerate_asked.py: the worker's side), in the reader's language. Prices are shared by
every tenant, so a tenant's administrator may not ask; a post without the CSRF token is refused."""
from __future__ import annotations

import pytest

from appliance import store
from appliance.rating import asked
from appliance.store import directory as sd
from appliance.wizard import choice
from web_helpers import logged_in


@pytest.fixture
def data_dir(tmp_path):
    store.open_db(tmp_path / "callbox.db")          # as the worker creates it
    sd.tenant_id("default", create=True)
    store.close_db()
    yield tmp_path
    store.close_db()


def test_an_administrator_asks_and_sees_what_the_worker_did(client, csrf, data_dir):
    page = client.get("/tariffs").text
    assert 'action="/tariffs/rerate"' in page and 'id="rerate-state"' not in page
    client.post("/tariffs/rerate", {"csrf_token": csrf, "since": "2024-04-06"}, status=303)
    request = asked.pending(data_dir)
    assert request["since_utc"] == int(choice.since_utc("2024-04-06", "")) and request["by"] == "admin"
    assert "Asked by admin at " in client.get("/tariffs").text
    asked.finish(data_dir, request, {"calls": 1234, "billed_kept": 4, "billed_periods": ["default 2024-04"]})
    page = client.get("/tariffs").text
    assert "Priced again at " in page and ": 1,234 calls." in page
    assert "4 calls of billed periods kept their price." in page
    assert request["reclassify"] is False
    client.post("/tariffs/rerate", {"csrf_token": csrf, "since": "", "reclassify": "1"}, status=303)
    assert asked.pending(data_dir)["since_utc"] is None and asked.pending(data_dir)["reclassify"] is True


def test_a_date_that_is_none_is_refused_and_nothing_is_asked(client, csrf, data_dir):
    page = client.post("/tariffs/rerate", {"csrf_token": csrf, "since": "2024-13-01"}, status=400).text
    assert "2024-13-01 is not a date." in page and asked.pending(data_dir) is None


def test_the_reason_it_was_not_done_is_in_the_readers_language(client, csrf, data_dir):
    asked.finish(data_dir, {"since_utc": None, "by": "admin", "asked_utc": 0},
                 {"error": "no_numbering", "detail": "no numbering plan: [numbers] country is not set"})
    page = client.get("/tariffs?lang=tr").text
    assert "Çağrılar yeniden fiyatlandırılmadı" in page and "Ayarlar, Numaralandırma" in page


def test_only_administrators_of_the_whole_box_may_ask_and_only_with_the_token(app, client, csrf, data_dir):
    client.post("/tariffs/rerate", {"since": ""}, status=403)
    tenant_admin, token = logged_in(app, "tenantadmin", "administrator", "tenant", "default")
    tenant_admin.post("/tariffs/rerate", {"csrf_token": token, "since": ""}, status=403)
    assert 'action="/tariffs/rerate"' not in tenant_admin.get("/tariffs").text
    assert asked.pending(data_dir) is None
