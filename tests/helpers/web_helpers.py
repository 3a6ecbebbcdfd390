"""Web UI test helpers: accounts in the open users database and clients logged in through POST /login."""
from __future__ import annotations

import webtest

from appliance.access import users
from appliance.store.users import users_db

PASSWORD = "correct horse battery"


def login(client: webtest.TestApp, username: str, password: str = PASSWORD) -> str:
    """Log in through POST /login as a script does; returns the session's CSRF token."""
    resp = client.post("/login", {"username": username, "password": password},
                       headers={"Accept": "application/json"})
    return resp.json["csrf_token"]


def add_user(username: str, role: str = "administrator", scope: str | None = None, tenant: str = "default",
             person: str = "") -> users.Account:
    """Add an account to the open users database (make_app opened it)."""
    with users_db.connection_context():
        return users.add_user(username, PASSWORD, role, scope, tenant, person, actor="test")


def logged_in(app, username: str, role: str = "administrator", scope: str | None = None, tenant: str = "default",
              person: str = "") -> tuple[webtest.TestApp, str]:
    """A new client of `app` logged in as `username` (added first if there is no such account), and its CSRF
    token."""
    with users_db.connection_context():
        known = users.get(username) is not None
    if not known:
        add_user(username, role, scope, tenant, person)
    client = webtest.TestApp(app)
    return client, login(client, username)
