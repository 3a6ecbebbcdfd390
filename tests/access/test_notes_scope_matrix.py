"""The scope matrix of the notes and messages endpoints (issue 16): every role × scope. A note on a call only for who
sees the call (404 as its page otherwise); the panel's notes for everyone; the notes search for administrators and
supervisors, their tenant's notes only; a customer's notes, numbers and the messages page for administrators of the
whole box. The world, the oracle and the combinations are the calls matrix's (test_scope_matrix.py)."""
from __future__ import annotations

import pytest
import webtest

from test_scope_matrix import COMBOS, _an_invoice, expected_ids, fast_kdf, world  # noqa: F401 (fixtures)
from web_helpers import add_user, login


@pytest.fixture(scope="module")
def noted(world):  # noqa: F811
    """A note by a user of tenant default and one by a user of tenant beta, on the panel (the caller's number)."""
    for name, tenant in (("note-default", "default"), ("note-beta", "beta")):
        add_user(name, "staff", "tenant", tenant, "")
        client = webtest.TestApp(world["app"])
        csrf = login(client, name)
        client.post("/panel/notes", {"number": "0555 123 4567", "text": f"written by {name}", "csrf_token": csrf},
                    status=303)
    return world


@pytest.mark.parametrize("role,scope", COMBOS)
def test_notes_and_messages_by_role_and_scope(noted, role, scope):
    world = noted  # noqa: F811
    _an_invoice(world)
    tenant, person = ("", "") if scope == "all" else ("default", "") if scope == "tenant" else ("default", "piotr")
    name = f"notes-{role}-{scope}"
    add_user(name, role, scope, tenant, person)
    client = webtest.TestApp(world["app"])
    csrf = login(client, name)
    want = expected_ids(world, scope, tenant, person)
    # an empty note is refused (400) after the call's visibility is checked (404): nothing is written
    got = {c.id: client.post(f"/calls/{c.id}/notes", {"text": "", "csrf_token": csrf}, status="*").status_code
           for c in world["calls"]}
    assert {i for i, s in got.items() if s == 400} == want and set(got.values()) <= {400, 404}, name
    assert client.post("/panel/notes", {"number": "0555 000 0000", "text": "", "csrf_token": csrf},
                       status=400), name
    sup = 200 if role in ("administrator", "supervisor") else 403
    page = client.get("/notes", {"number": "05551234567"}, status=sup)
    if sup == 200:
        shown = {n for n in ("note-default", "note-beta") if f"written by {n}" in page.text}
        assert shown == ({"note-default", "note-beta"} if scope == "all" else {"note-default"}), name
    box = 200 if (role, scope) == ("administrator", "all") else 403
    assert client.get("/messages", status=box).status_code == box, name
    for path in ("/customer-notes/1", "/customer-notes/1/contact"):
        code = client.post(path, {"text": "", "numbers": "1", "csrf_token": csrf}, status="*").status_code
        assert code == (400 if box == 200 else 403), (name, path)
