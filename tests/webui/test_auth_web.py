"""The web guard in-process (webtest): login, sessions, CSRF, roles, the first-administrator link, the audit page."""
from __future__ import annotations

import re

import pytest
import webtest

from appliance import store
from appliance.access import users
from appliance.store.users import users_db
from web_helpers import PASSWORD, add_user, login
from webui import auth
from webui.app import make_app

PUBLIC_GET = {"/login", "/first-admin/<token>", "/first-boot", "/static/<name:path>",
              "/wallboard/<token>", "/wallboard/<token>/events",   # a wallboard link: its token is checked
              "/favicon.ico",                                      # 204, nothing
              "/label"}      # the printable label: public until the first administrator exists (test_web_label)


def _url(rule: str) -> str:
    return re.sub(r"<[^>]+>", "x", rule)


def test_every_route_but_login_static_and_setup_link_needs_a_session(app, client):
    rules = {(r.method, r.rule) for r in app.routes}
    assert ("GET", "/api/calls") in rules and ("GET", "/") in rules and ("GET", "/setup") in rules
    for method, rule in sorted(rules):
        if (method, rule) in auth.PUBLIC:
            continue
        resp = client.request(_url(rule), method=method, status="*", expect_errors=True)
        if rule.startswith("/api/"):
            assert resp.status_int == 401 and resp.json == {"error": "login required"}, rule
        else:
            assert resp.status_int in (303, 401), (method, rule)
            if resp.status_int == 303:
                assert resp.headers["Location"].startswith("/login?next="), rule
    assert {r for m, r in auth.PUBLIC if m == "GET"} == PUBLIC_GET


def test_no_route_but_the_auth_and_admin_ones_accepts_writes(app):
    """Call data cannot be edited through the UI: every non-GET route is one of these (none touches calls)."""
    writes = {(r.method, r.rule) for r in app.routes if r.method not in ("GET", "HEAD")}
    assert writes <= auth.WRITE_ROUTES, writes - auth.WRITE_ROUTES


def test_the_web_process_cannot_write_call_rows(db, tmp_path, client, csrf):
    """Belt and braces: callbox.db is opened read-only by the web process."""
    store.close_db()
    client.get("/")                        # the app opens callbox.db read-only
    with pytest.raises(Exception, match="readonly"):
        store.Call.create(driver="x", call_key="1", start_utc=0, utc_offset=0, direction="in", extension="1",
                          party="", trunk="", ring_s=0, talk_s=0, answered=True, transferred=False,
                          account_code="", legs=1)


def test_login_sets_a_hardened_cookie_and_logout_ends_the_session(client):
    add_user("ayşe")
    page = client.get("/login")
    form = page.forms[0]
    form["username"], form["password"] = "AYŞE", PASSWORD        # usernames ignore case
    resp = form.submit()
    assert resp.status_int == 303 and resp.headers["Location"].endswith("/")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    home = client.get("/")
    assert "ayşe" in home.text and "Log out" in home.text
    home.forms[0].submit(status=303)
    client.get("/", status=303)
    assert client.get("/api/calls", status=401).json["error"] == "login required"


def test_the_cookie_is_secure_over_https(client):
    add_user("admin")
    resp = client.post("/login", {"username": "admin", "password": PASSWORD},
                       extra_environ={"wsgi.url_scheme": "https"})
    assert "; Secure" in resp.headers["Set-Cookie"] or "secure" in resp.headers["Set-Cookie"].lower()


def test_wrong_password_and_unknown_user_look_the_same(client):
    add_user("admin")
    a = client.post("/login", {"username": "admin", "password": "wrong password!"}, status=401)
    b = client.post("/login", {"username": "nobody", "password": "wrong password!"}, status=401)
    assert "Wrong username or password." in a.text and "Wrong username or password." in b.text
    assert "Set-Cookie" not in a.headers


def test_five_failures_lock_the_login_out_with_429(client):
    add_user("admin")
    for _ in range(users.MAX_FAILURES):
        client.post("/login", {"username": "admin", "password": "wrong password!"}, status=401)
    resp = client.post("/login", {"username": "admin", "password": PASSWORD}, status=429,
                       headers={"Accept": "application/json"})
    assert users.LOCK_BASE_S - 2 <= int(resp.headers["Retry-After"]) <= users.LOCK_BASE_S   # a second may tick
    assert "too many" in resp.json["error"].lower()


def test_state_changing_requests_need_the_csrf_token(client, csrf):
    form = {"username": "staff1", "password": PASSWORD, "role": "staff", "scope": "tenant", "tenant": "default"}
    client.post("/users", form, status=403)
    client.post("/users", dict(form, csrf_token="forged"), status=403)
    client.post("/logout", status=403)
    client.get("/api/session")                                # still logged in
    client.post("/users", dict(form, csrf_token=csrf), status=201)
    client.post("/users", dict(form, username="staff2"), headers={"X-CSRF-Token": csrf}, status=201)
    with users_db.connection_context():
        assert [u.username for u in users.list_users()] == ["admin", "staff1", "staff2"]
    client.post("/logout", headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    client.get("/api/session", status=401)


def test_login_redirects_only_to_local_paths(client):
    add_user("admin")
    for target, expected in (("/setup", "/setup"), ("https://evil.example/", "/"), ("//evil.example", "/")):
        resp = client.post("/login", {"username": "admin", "password": PASSWORD, "next": target}, status=303)
        assert resp.headers["Location"] in (expected, f"http://localhost:80{expected}")


def test_roles_setup_and_users_pages(client):
    add_user("admin")
    add_user("tenantadmin", scope="tenant", tenant="other")
    add_user("sup", role="supervisor", scope="tenant")
    login(client, "sup")
    client.get("/", status=200)
    client.get("/setup", status=403)
    client.get("/api/detect", status=403)
    client.get("/users", status=403)
    assert "/setup" not in client.get("/").text
    login(client, "tenantadmin")                              # an administrator of another tenant
    client.get("/setup", status=403)                          # raw lines are any call of this box
    client.get("/users", status=403)
    login(client, "admin")
    client.get("/setup", status=200)
    page = client.get("/users")
    assert "tenantadmin" in page.text and "user added" in page.text   # the audit action named (issue 20)


def test_audit_page_shows_failed_logins_and_changes(client):
    add_user("admin")
    client.post("/login", {"username": "admin", "password": "<b>wrong</b> pass"}, status=401)
    client.post("/login", {"username": "<script>x</script>", "password": "wrong password!"}, status=401)
    login(client, "admin")
    html = client.get("/users").text
    assert html.count("login failed") == 2 and "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html


def test_first_admin_link_works_once(app, client):
    token = app.config["callbox.setup_token"]
    assert token and len(token) >= 40
    client.get("/first-admin/not-the-token", status=404)
    form = client.get(f"/first-admin/{token}").forms[0]
    form["username"], form["password"], form["password2"] = "boss", PASSWORD, PASSWORD + "x"
    assert "differ" in form.submit(status=400).text
    form = client.get(f"/first-admin/{token}").forms[0]
    form["username"], form["password"], form["password2"] = "boss", PASSWORD, PASSWORD
    form.submit(status=303)
    assert client.get("/api/session").json["role"] == "administrator"
    client.get(f"/first-admin/{token}", status=404)          # used
    webtest.TestApp(app).post(f"/first-admin/{token}", {"username": "eve", "password": PASSWORD,
                                                        "password2": PASSWORD}, status=404)
    with users_db.connection_context():
        assert [u.username for u in users.list_users()] == ["boss"]


def test_no_setup_link_once_a_user_exists(tmp_path):
    make_app(tmp_path)
    add_user("admin")
    assert make_app(tmp_path).config["callbox.setup_token"] is None
