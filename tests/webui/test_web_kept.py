"""Pages whose data the web keeps per database version (appliance/store/versioned.py) show a change at once: a call
the worker stores, a directory change, a logout. Correctness, not speed."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from appliance import store
from test_webui import T0, add_call, admin_client

DAY = urlencode({"since": "2023-11-14T00:00:00+00:00", "until": "2023-11-16T00:00:00+00:00"})


def _worker_stores(data_dir, *calls: int) -> None:
    """Calls written by another connection, as the worker does, while the web keeps its pages."""
    store.open_db(data_dir / "callbox.db")
    for i in calls:
        add_call(i)
    store.close_db()


def test_the_api_the_status_page_and_the_search_show_a_new_call(data_dir):
    _worker_stores(data_dir, 1)
    client = admin_client(data_dir)
    for _ in range(2):           # asked again: the same answer (kept)
        assert [c["id"] for c in client.get(f"/api/calls?{DAY}").json] == [1]
        assert [c["id"] for c in client.get("/api/status").json["calls"]] == [1]
        assert "1 call" in client.get("/calls?since=2023-11-01").text
    _worker_stores(data_dir, 2, 3)
    assert [c["id"] for c in client.get(f"/api/calls?{DAY}").json] == [1, 2, 3]
    assert [c["start_utc"] for c in client.get("/api/status").json["calls"]] == [T0 + 180, T0 + 120, T0 + 60]
    assert "3 calls" in client.get("/calls?since=2023-11-01").text


def test_a_logout_ends_the_kept_session_at_once(data_dir):
    _worker_stores(data_dir, 1)
    client = admin_client(data_dir)
    assert client.get("/api/status").status_int == 200
    client.post("/logout", {"csrf_token": _csrf(client)})
    assert client.get("/api/calls", status=401).json["error"] == "login required"


def _csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)[1]


def test_a_kept_report_home_and_bill_are_served_without_the_threadpool_and_a_new_call_shows(data_dir, monkeypatch):
    """webui.offload.reading: a page whose data is all kept is answered at once (on the gevent hub in the web
    process); the threadpool (`blocking`) only for what is not kept, e.g. after the worker stored a call."""
    from webui import offload
    _worker_stores(data_dir, 1)
    client = admin_client(data_dir)
    pages = ("/reports?run=1&dim1=direction&range=all", "/", "/bill?period=2023-11")
    first = [client.get(p).text for p in pages]
    pooled: list = []
    monkeypatch.setattr(offload, "blocking", lambda fn: pooled.append(fn) or fn())
    again = [client.get(p).text for p in pages]
    assert pooled == []
    assert [_table(t) for t in again] == [_table(t) for t in first]
    _worker_stores(data_dir, 2, 3)
    assert ">3<" in _table(client.get(pages[0]).text) and pooled


def _table(html: str) -> str:
    """The page without what changes on its own (the time it was made, the CSRF token)."""
    return re.sub(r'value="[^"]{20,}"|\d\d:\d\d:\d\d', "", html)
