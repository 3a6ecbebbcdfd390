"""The wallboard's pages in-process (webui/wallboard.py): who may open /wallboard, and a wallboard link that opens
its board without a login until it is revoked. The live event stream is tested in a real browser
(tests/callcentre/test_wallboard_live.py)."""
from __future__ import annotations

import pytest
import webtest

from appliance import store
from appliance.access import wallboards
from appliance.store.users import users_db
from web_helpers import logged_in


@pytest.fixture
def app(data_dir):
    """The web app on a box whose worker made callbox.db (empty)."""
    store.open_db(data_dir / "callbox.db")
    store.close_db()
    from webui.app import make_app
    return make_app(data_dir)


ROLES = [("administrator", "all", 200), ("supervisor", "tenant", 200), ("supervisor", "department", 403),
         ("operator", "tenant", 403), ("staff", "own", 403)]


@pytest.mark.parametrize("role, scope, status", ROLES)
def test_the_logged_in_board_is_for_who_sees_the_whole_box(app, role, scope, status):
    client, _ = logged_in(app, f"{role}_{scope}", role, scope, person="P1" if scope in ("department", "own") else "")
    resp = client.get("/wallboard", {"queue": "sales"}, status=status)
    if status == 200:
        assert 'data-events="/wallboard/events?queue=sales"' in resp.text
        assert "<script>" not in resp.text and 'src="/static/wallboard.js"' in resp.text   # CSP: no inline script
    else:
        client.get("/wallboard/events", status=403)      # (the stream itself, allowed: see the module's doc)


def test_a_wallboard_link_opens_its_board_without_a_login_until_revoked(app, client):
    with users_db.connection_context():
        token = wallboards.add("floor", ("sales", "support"))
    html = client.get(f"/wallboard/{token}").text
    assert f'data-events="/wallboard/{token}/events"' in html and "floor" in html
    assert "Log out" not in html and 'href="/calls"' not in html          # no user, no navigation
    client.get(f"/wallboard/{token[:-1]}", status=404)
    client.get("/wallboard/x/events", status=404)
    with users_db.connection_context():
        wallboards.revoke("floor")
    assert "revoked" in client.get(f"/wallboard/{token}", status=404).text
    client.get(f"/wallboard/{token}/events", status=404)


def test_link_names_and_queues_are_checked_and_only_hashes_are_kept(app):
    with users_db.connection_context():
        token = wallboards.add("sales floor")
        with pytest.raises(wallboards.WallboardError, match="exists"):
            wallboards.add("sales floor")
        with pytest.raises(wallboards.WallboardError, match="name"):
            wallboards.add("<b>")
        with pytest.raises(wallboards.WallboardError, match="queue"):
            wallboards.add("other", ("a,b",))
        stored = users_db.execute_sql("SELECT token_hash FROM wallboard_link").fetchall()
        assert token not in str(stored)
        audit = [r[0] for r in users_db.execute_sql("SELECT action FROM audit_entry")]
        assert "wallboard_add" in audit
        wallboards.revoke("sales floor")
        assert wallboards.find(token) is None
        wallboards.add("sales floor")          # a revoked name can be used again


def test_administrators_of_the_whole_box_make_and_revoke_links_on_the_web(app):
    client, csrf = logged_in(app, "admin")
    assert 'href="/wallboard/links"' in client.get("/callcentre").text
    page = client.post("/wallboard/links", {"csrf_token": csrf, "name": "floor", "queues": "sales, support"})
    url = page.html.select_one("#made-link").text
    token = url.rsplit("/", 1)[1]
    assert url.startswith("http") and "floor" in page.text and "sales, support" in page.text
    assert "floor" in webtest.TestApp(app).get(f"/wallboard/{token}").text        # opens without a login
    again = client.post("/wallboard/links", {"csrf_token": csrf, "name": "floor"}, status=400)
    assert "exists" in again.text and 'value="floor"' in again.text             # the form keeps its values
    client.post("/wallboard/links", {"name": "x"}, status=403)                   # no CSRF token
    client.post("/wallboard/links/revoke", {"csrf_token": csrf, "name": "floor"}, status=303)
    webtest.TestApp(app).get(f"/wallboard/{token}", status=404)
    with users_db.connection_context():
        assert [e for e in users_db.execute_sql("SELECT actor, action FROM audit_entry WHERE action LIKE 'wall%'")] \
            == [("admin", "wallboard_add"), ("admin", "wallboard_revoke")]


@pytest.mark.parametrize("role, scope", [("administrator", "tenant"), ("supervisor", "tenant")])
def test_only_administrators_of_the_whole_box_manage_links(app, role, scope):
    client, csrf = logged_in(app, f"{role}_{scope}", role, scope)
    client.get("/wallboard/links", status=403)
    client.post("/wallboard/links", {"csrf_token": csrf, "name": "x"}, status=403)
