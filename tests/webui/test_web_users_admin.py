"""User administration in-process (webtest): access changes, password resets, disable/enable, audit, roles, CSRF."""
from __future__ import annotations

from urllib.parse import quote

import pytest
import webtest

from appliance.access import users
from appliance.store.users import users_db
from web_helpers import PASSWORD, add_user, login

NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def data_dir(tmp_path):
    """A box with the tenants these tests give accounts: acme and Şirket, by their PBXs' sources."""
    (tmp_path / "callbox.ini").write_text("[pbx]\ntenant_by_source =\n  tcp:10.0.0.5: = acme\n"
                                          "  tcp:10.0.0.6: = Şirket\n", encoding="utf-8")
    yield tmp_path
    from appliance import store
    store.close_db()


def account(name: str) -> users.Account:
    with users_db.connection_context():
        found = users.get(name)
    assert found is not None
    return found


def audit_actions() -> list[tuple[str, str, str]]:
    with users_db.connection_context():
        return [(e["actor"], e["action"], e["target"]) for e in users.audit_log()]


def test_set_disabled_ends_sessions_and_refuses_the_last_box_admin(app):
    add_user("admin")
    add_user("staff1", role="staff", scope="tenant")
    with users_db.connection_context():
        token, _ = users.create_session(account("staff1"))
        assert users.session(token) is not None
        assert users.set_disabled("staff1", True, actor="admin") is True
        assert users.set_disabled("staff1", True, actor="admin") is False       # already disabled
        assert users.session(token) is None
        assert users.authenticate("staff1", PASSWORD, "127.0.0.1") is None
        assert users.disabled_usernames() == {"staff1"}
        with pytest.raises(users.UserError, match="last enabled administrator"):
            users.set_disabled("admin", True, actor="admin")
        users.set_disabled("staff1", False, actor="admin")
        assert users.authenticate("staff1", PASSWORD, "127.0.0.1") is not None
        with pytest.raises(users.UserError, match="no user"):
            users.set_disabled("nobody", True)
    assert ("admin", "user_disabled", "staff1") in audit_actions()
    assert ("admin", "user_enabled", "staff1") in audit_actions()


def test_list_links_every_user_and_shows_who_is_disabled(client, csrf):
    add_user("a/b", role="staff", scope="tenant")               # a '/' in a username: a query field, not a path
    client.post("/users/disabled", {"username": "a/b", "disabled": "1", "csrf_token": csrf})
    html = client.get("/users").text
    assert f'href="/users/edit?username={quote("a/b", safe="")}"' in html and "disabled" in html
    page = client.get("/users/edit", {"username": "a/b"})
    assert "User a/b" in page.text and "Enable a/b" in page.text
    client.get("/users/edit", {"username": "nobody"}, status=404)


def test_change_access_through_the_form(client, csrf):
    add_user("sup", role="supervisor", scope="tenant")
    form = client.get("/users/edit", {"username": "sup"}).forms[1]      # 0 is the logout form
    form["role"], form["scope"], form["tenant"], form["person"] = "staff", "own", "acme", "P7"
    resp = form.submit()
    assert "Access changed." in resp.text
    assert account("sup") == users.Account(account("sup").id, "sup", "staff", "own", "acme", "P7")
    bad = client.post("/users/access", {"username": "sup", "role": "staff", "scope": "all", "tenant": "",
                                        "person": "", "csrf_token": csrf}, status=400)
    assert "only an administrator may have scope" in bad.text
    client.post("/users/access", {"username": "sup", "role": "supervisor", "scope": "", "tenant": "acme",
                                  "person": "P7", "csrf_token": csrf})
    assert (account("sup").role, account("sup").scope) == ("supervisor", "department")      # the role's default
    assert ("admin", "access_changed", "sup") in audit_actions()


def test_the_last_box_admin_cannot_demote_or_disable_themselves(client, csrf):
    resp = client.post("/users/access", {"username": "admin", "role": "supervisor", "scope": "tenant",
                                         "tenant": "default", "csrf_token": csrf}, status=400)
    assert "last enabled administrator" in resp.text
    resp = client.post("/users/disabled", {"username": "admin", "disabled": "1", "csrf_token": csrf}, status=400)
    assert "last enabled administrator" in resp.text
    assert account("admin").role == "administrator"
    client.get("/users")                                                  # still logged in


def test_password_reset_needs_confirmation_and_ends_the_users_sessions(app, client, csrf):
    add_user("ayşe", role="staff", scope="tenant")
    other = webtest.TestApp(app)
    login(other, "ayşe")
    other.get("/api/session")
    form = client.get("/users/edit", {"username": "ayşe"}).forms[2]
    form["password"], form["password2"] = NEW_PASSWORD, NEW_PASSWORD + "x"
    assert "The two passwords differ." in form.submit(status=400).text
    short = client.post("/users/password", {"username": "ayşe", "password": "short", "password2": "short",
                                            "csrf_token": csrf}, status=400)
    assert "at least" in short.text
    form["password2"] = NEW_PASSWORD
    assert "sessions have ended" in form.submit().text
    other.get("/api/session", status=401)                                 # her session ended
    login(other, "ayşe", NEW_PASSWORD)
    other.post("/login", {"username": "ayşe", "password": PASSWORD}, status=401)
    assert ("admin", "password_changed", "ayşe") in audit_actions()


def test_disabling_logs_the_user_out_at_once_and_blocks_login(app, client, csrf):
    add_user("staff1", role="staff", scope="tenant")
    other = webtest.TestApp(app)
    login(other, "staff1")
    form = client.get("/users/edit", {"username": "staff1"}).forms[3]
    assert "Disabled" in form.submit().text
    other.get("/api/session", status=401)
    other.post("/login", {"username": "staff1", "password": PASSWORD}, status=401)
    client.post("/users/disabled", {"username": "staff1", "disabled": "0", "csrf_token": csrf})
    login(other, "staff1")
    assert [a for a in audit_actions() if a[2] == "staff1"][:3] == [("admin", "user_enabled", "staff1"),
                                                                    ("-", "login_failed", "staff1"),
                                                                    ("admin", "user_disabled", "staff1")]


def test_an_admin_who_disables_themselves_is_logged_out(client, csrf):
    add_user("admin2")
    resp = client.post("/users/disabled", {"username": "admin", "disabled": "1", "csrf_token": csrf}, status=303)
    assert resp.headers["Location"].endswith("/login")
    client.get("/users", status=303)


@pytest.mark.parametrize("path", ["/users/access", "/users/password", "/users/disabled"])
def test_every_write_needs_the_csrf_token(client, csrf, path):
    add_user("staff1", role="staff", scope="tenant")
    form = {"username": "staff1", "role": "administrator", "scope": "all", "disabled": "1",
            "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    client.post(path, form, status=403)
    client.post(path, dict(form, csrf_token="forged"), status=403)
    assert account("staff1").role == "staff"
    with users_db.connection_context():
        assert users.disabled_usernames() == set()
        assert users.authenticate("staff1", PASSWORD, "127.0.0.2") is not None


@pytest.mark.parametrize("role,scope", [("staff", "tenant"), ("supervisor", "tenant"), ("administrator", "tenant")])
def test_only_administrators_of_the_whole_box_manage_users(client, role, scope):
    add_user("admin")
    add_user("victim", role="staff", scope="tenant")
    add_user("someone", role=role, scope=scope)
    token = login(client, "someone")
    client.get("/users/edit", {"username": "victim"}, status=403)
    for path in ("/users/access", "/users/password", "/users/disabled"):
        client.post(path, {"username": "victim", "role": "administrator", "scope": "all", "disabled": "1",
                           "password": NEW_PASSWORD, "password2": NEW_PASSWORD, "csrf_token": token}, status=403)
    assert account("victim").role == "staff"
    assert "/users" not in client.get("/").text


def test_names_are_escaped_and_unicode_is_kept(client, csrf):
    client.post("/users", {"username": "<script>x</script>", "password": PASSWORD, "role": "staff",
                           "scope": "tenant", "tenant": "Şirket", "csrf_token": csrf}, status=201)
    client.post("/users", {"username": "Юлия", "password": PASSWORD, "role": "staff", "scope": "own",
                           "tenant": "default", "person": "İğdır", "csrf_token": csrf}, status=201)
    for html in (client.get("/users").text, client.get("/users/edit", {"username": "<script>x</script>"}).text):
        assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    html = client.get("/users/edit", {"username": "юлия"}).text            # usernames ignore case
    assert "User Юлия" in html and 'value="İğdır"' in html and 'charset="utf-8"' in html


def test_the_tenant_is_a_choice_of_the_boxs_tenants_and_a_refused_form_keeps_its_values(client, csrf):
    """Issue 20: the tenant was a free-text field (a typo made an account of a tenant nobody has), and a refused
    form came back empty."""
    page = client.get("/users")
    options = [option[0] for option in page.forms[1]["tenant"].options]
    assert options == ["", "acme", "default", "Şirket"]
    resp = client.post("/users", {"username": "ayşe", "password": "short", "role": "supervisor", "scope": "tenant",
                                  "tenant": "acme", "person": "P7", "csrf_token": csrf}, status=400)
    form = resp.forms[1]
    assert (form["username"].value, form["role"].value, form["scope"].value, form["tenant"].value,
            form["person"].value) == ("ayşe", "supervisor", "tenant", "acme", "P7")
    assert form["password"].value == ""                      # never sent back
    resp = client.post("/users", {"username": "x", "password": PASSWORD, "role": "supervisor", "scope": "tenant",
                                  "tenant": "acmee", "csrf_token": csrf}, status=400)
    assert "No tenant &#039;acmee&#039; on this box." in resp.text or "No tenant 'acmee' on this box." in resp.text


def test_a_refused_access_change_keeps_what_was_chosen(client, csrf):
    """Issue 20: a refused change on a user's page came back showing the account's old access, not the choice."""
    add_user("sup2", role="supervisor", scope="tenant", tenant="acme")
    bad = client.post("/users/access", {"username": "sup2", "role": "staff", "scope": "all", "tenant": "default",
                                        "person": "P9", "csrf_token": csrf}, status=400)
    form = bad.forms[1]
    assert (form["role"].value, form["scope"].value, form["tenant"].value, form["person"].value) == (
        "staff", "all", "default", "P9")
    again = client.get("/users/edit", {"username": "sup2"}).forms[1]          # the account itself is unchanged
    assert (again["role"].value, again["scope"].value, again["tenant"].value) == ("supervisor", "tenant", "acme")


def test_the_audit_log_says_its_actions_in_the_users_language(client, csrf):
    """Issue 20 audit (make run, tr and nb): the audit log's 'What' column showed the stored codes ('user_added',
    'user_disabled') on every language's page."""
    add_user("selin", role="staff", scope="tenant")
    client.post("/users/disabled", {"username": "selin", "disabled": "1", "csrf_token": csrf})
    log = client.get("/users", {"lang": "tr"}).text.split("</thead>")[-1]
    assert "kullanıcı devre dışı bırakıldı" in log and "user_disabled" not in log and "user_added" not in log
    assert "bruker deaktivert" in client.get("/users", {"lang": "nb"}).text


def test_the_audit_details_are_in_the_readers_language_and_old_ones_still_show(client, csrf):
    """Issue 20: the audit log's detail column was English on every page ("role=staff scope=own ..."). It is stored
    as a text's key and fields and said in the reader's language; an older entry's plain text shows as it is."""
    from appliance.access import audit_text
    from webui.admin import users as admin_users
    assert {k: v for k, v in admin_users.DETAILS.items()} == audit_text.TEXT      # the web says the same texts
    add_user("sup", role="supervisor", scope="tenant", tenant="acme")
    with users_db.connection_context():
        users.set_access("sup", "staff", "own", "acme", "P7", actor="admin")
        users.audit("admin", "right_granted", "sup", "role=staff scope=own (an entry of an older release)")
    english = client.get("/users/edit?username=sup&lang=en").text
    assert "role supervisor → staff, scope tenant → own calls, tenant acme → acme, person – → P7" in english
    assert "role=staff scope=own (an entry of an older release)" in english
    turkish = client.get("/users/edit?username=sup&lang=tr").text
    assert "rol süpervizör → personel, kapsam kiracı → kendi çağrıları" in turkish, turkish
    assert "role=staff scope=own (an entry of an older release)" in turkish
    assert "erişim değiştirildi" in turkish                                     # the action too, on this page
    assert "rol süpervizör, kapsam kiracı, kiracı acme" in client.get("/users?lang=tr").text


def test_the_audit_targets_are_in_the_readers_language(client, csrf):
    """Issue 20: what an audit entry points at was English on every page ("call 12", "queue call 7", a login
    throttle's "pair:NAME|ADDRESS"), and a granted right its code ("listen")."""
    from appliance.access import audit_text, rights
    from webui.admin import users as admin_users
    assert admin_users.TARGETS == audit_text.TARGETS and set(admin_users.RIGHT_NAMES) == set(rights.RIGHTS)
    add_user("sup", role="supervisor", scope="tenant", tenant="acme")
    with users_db.connection_context():
        users.audit("sup", "recording_played", "call 12", "rec-12.wav")
        users.audit("sup", "call_evaluated", "queue call 7", "")
        users.audit("-", "lockout", "pair:mallory|10.0.0.66", "")
        users.audit("-", "lockout", "addr:10.0.0.66", "")
        rights.grant("sup", "listen", "admin")
    log = client.get("/users", {"lang": "tr"}).text.split("</thead>")[-1]
    assert "call 12" not in log and "queue call 7" not in log and "pair:" not in log and "addr:" not in log
    from webui.i18n import catalog
    tr = catalog("tr")
    for key, fields in (("call", {"id": "12"}), ("queue_call", {"id": "7"}),
                        ("pair", {"user": "mallory", "address": "10.0.0.66"}), ("addr", {"address": "10.0.0.66"})):
        assert tr[admin_users.TARGETS[key]].format(**fields) in log
    assert tr["listen to recordings"] in log and "<td>listen</td>" not in log
    assert "rec-12.wav" in log and "<td>sup</td>" in log                     # a file's or a user's name as it is
