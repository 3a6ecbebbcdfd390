"""Issue 13, the web process in-process (webtest): login redirects stay on the site, every response carries the
security headers, a lockout hits the guesser's address and not the real user's, and bad numbers give 400."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from appliance.access import users
from web_helpers import PASSWORD, add_user
from webui import auth

EVIL_NEXT = ["/\t/evil.example", "/\r/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example",
             "\\\\evil.example", "/\\/evil.example", "http://evil.example", "https:evil.example",
             "javascript:alert(1)", " //evil.example", "/\x00/evil.example", "\t//evil.example", "/ /evil.example",
             "//\tevil.example", "/\u0085/evil.example", "evil.example", "/\t\t/evil.example"]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_a_login_never_redirects_to_another_site(client, target):
    add_user("admin")
    assert auth.safe_next(target) == "/"
    page = client.get("/login?next=" + quote(target, safe=""))
    assert page.forms[0]["next"].value == "/"
    resp = client.post("/login", {"username": "admin", "password": PASSWORD, "next": target}, status=303)
    assert resp.headers["Location"] == "http://localhost:80/"


def test_the_issue_13_redirect_exactly(client):
    add_user("admin")
    form = client.get("/login?next=%2F%09%2Fevil.example").forms[0]
    form["username"], form["password"] = "admin", PASSWORD
    assert form.submit(status=303).headers["Location"] == "http://localhost:80/"


@pytest.mark.parametrize("target", ["/", "/calls?extension=201&page=2", "/calls/12", "/reports?range=month",
                                    "/directory/person/P%C3%BC1"])
def test_a_login_still_returns_to_a_page_of_the_site(client, target):
    add_user("admin")
    assert auth.safe_next(target) == target
    resp = client.post("/login", {"username": "admin", "password": PASSWORD, "next": target}, status=303)
    assert resp.headers["Location"] == "http://localhost:80" + target


HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def _secured(resp) -> None:
    for name, value in HEADERS.items():
        assert resp.headers.get(name) == value, (resp.request.path, name)
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_every_response_carries_the_security_headers(client, csrf):
    for path, status in [("/", 200), ("/calls", 200), ("/login", 200), ("/static/callbox.css", 200),
                         ("/no-such-page", 404), ("/calls/999999", 404), ("/api/status", 200)]:
        _secured(client.get(path, status=status))
    _secured(client.post("/users", {"username": "x"}, status=403))          # no CSRF token
    anonymous = client.__class__(client.app)
    _secured(anonymous.get("/calls", status=303))
    _secured(anonymous.get("/api/calls", status=401))


def test_a_crash_page_carries_the_security_headers_too(app, client, csrf):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")
    _secured(client.get("/boom", status=500, expect_errors=True))


def test_no_template_has_inline_script_or_event_handlers():
    """The CSP allows no inline script: pages must keep working without it (tests/webui/test_browser.py)."""
    import re
    from pathlib import Path
    for tpl in (Path(auth.__file__).parent / "templates").glob("*.tpl"):
        text = tpl.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b([^>]*)>", text):
            assert "src=" in m.group(1) or 'type="application/json"' in m.group(1), (tpl.name, m.group(0))
        assert not re.search(r"\son[a-z]+\s*=", text), tpl.name
        assert "javascript:" not in text and "style=" not in text, tpl.name


def test_an_attackers_wrong_guesses_do_not_lock_the_real_user_out(client):
    add_user("admin")
    attacker = {"REMOTE_ADDR": "10.0.0.66"}
    for _ in range(users.MAX_FAILURES + 3):
        client.post("/login", {"username": "admin", "password": "wrong password!"}, extra_environ=attacker,
                    status=(401, 429))
    client.post("/login", {"username": "admin", "password": PASSWORD}, extra_environ=attacker, status=429)
    resp = client.post("/login", {"username": "admin", "password": PASSWORD},
                       extra_environ={"REMOTE_ADDR": "10.0.0.5"}, status=303)     # the administrator's desk
    assert "callbox_session" in resp.headers["Set-Cookie"]


def test_api_status_shows_the_box_only_to_who_sees_all_of_it(app, data_dir):
    """Issue 13 #10: staff and tenant users got every PBX link address and the box-wide counts."""
    from test_webui import add_call, add_quarantine, write_capture
    from web_helpers import logged_in
    from appliance import store
    write_capture(data_dir, links={"tcp:10.9.8.7:2300": {"state": "up", "since": "x", "detail": ""}})
    store.open_db(data_dir / "callbox.db")
    for i in range(3):
        add_call(i)
    add_quarantine(1, line="raw line of 10.9.8.7")
    store.LinkEvent.create(at_ns=1, source="tcp:10.9.8.7:2300", event="up", detail="", jseg=1, joff=0)
    store.close_db()
    admin = logged_in(app, "root", "administrator", "all")[0].get("/api/status").json
    assert admin["whole_box"] and admin["capture"]["links"][0]["source"] == "tcp:10.9.8.7:2300"
    assert admin["counts"]["calls"] == 3 and admin["quarantined"] and admin["events"] and admin["journal"]
    for name, role, scope in [("ayse", "staff", "own"), ("sup", "supervisor", "department"),
                              ("globexadmin", "administrator", "tenant")]:
        tenant = "globex" if name == "globexadmin" else "default"
        api = logged_in(app, name, role, scope, tenant=tenant, person="P9")[0].get("/api/status").json
        text = json.dumps(api)
        assert not api["whole_box"] and "10.9.8.7" not in text and "10.0.0.5" not in text, name
        assert api["capture"] is None and api["journal"] is None and api["events"] == [] == api["quarantined"]
        assert api["counts"] == {"calls": 0, "legs": 0}, name           # their own calls: none of these


@pytest.mark.parametrize("url, status", [
    ("/calls?min_talk_s=99999999999999999999999", 400), ("/calls?max_talk_s=%C2%B2", 400),   # "²".isdigit()
    ("/reports?run=1&time_range=%3Cunknown%3E", 400), ("/reports.csv?time_range=nope", 400),
    ("/reports.pdf?time_range=nope", 400), ("/calls/%C2%B2", 404), ("/calls/99999999999999999999999", 404),
    ("/calls?page=99999999999999999999999", 200), ("/reports?saved=99999999999999999999999", 200)])
def test_bad_numbers_and_names_in_query_strings_are_not_a_500(client, csrf, data_dir, url, status):
    from appliance import store
    store.open_db(data_dir / "callbox.db")        # the tables exist, as after the worker's first start
    store.close_db()
    client.get(url, status=status)


def test_deleting_a_saved_report_of_an_absurd_id_is_a_404(client, csrf, data_dir):
    from appliance import store
    store.open_db(data_dir / "callbox.db")
    store.close_db()
    client.post("/reports/saved/delete", {"id": "99999999999999999999999", "csrf_token": csrf}, status=404)
