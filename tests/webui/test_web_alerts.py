"""The alerts page (/alerts) in-process (webtest): raised conditions, threshold rules added and removed through the
read-only web process, administrators only, CSRF on every POST, rules and box conditions kept per tenant."""
from __future__ import annotations

import re

import pytest
import webtest

from appliance import config, store
from appliance.alerts import texts
from appliance.directory import organisation as directory
from appliance.store import alerts as sa
from appliance.store import directory as sd
from web_helpers import logged_in
from webui.app import make_app

CFG = "[pbx]\ntenant = default\ntimezone = Europe/Istanbul\n"


@pytest.fixture
def app(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    tid = sd.tenant_id("default", create=True)
    directory.add_person(tid, "P1", "Ayşe", "Yılmaz")
    sd.tenant_id("globex", create=True)
    sa.AlertCondition.create(key="link", raised=True, since_utc=1_700_000_000, detail="PBX link <down> since 10:00",
                             value=1)
    sa.AlertCondition.create(key="journal", raised=True, since_utc=1_700_000_100, value=91,
                             detail="the journal uses 91% of [journal] retain_mb and 4% of the data partition is free",
                             words=texts.encode("journal_high", {"used": 91, "free": 4}))
    sa.AlertCondition.create(key="parse_failures", raised=False, detail="cleared long ago")
    store.close_db()
    application = make_app(tmp_path, config.Config(text=CFG))
    yield application
    store.close_db()


def test_a_raised_condition_reads_in_the_readers_language(app):
    """Issue 20: the stored key and fields of a condition's text, written in the page's language; the English
    detail for a row from before them (link)."""
    client, _ = logged_in(app, "root")
    tr, nb = client.get("/alerts?lang=tr").text, client.get("/alerts?lang=nb").text
    assert "günlük [journal] retain_mb değerinin %91 kadarını kullanıyor" in tr and "the journal uses" not in tr
    assert "journalen bruker 91 % av [journal] retain_mb" in nb
    assert "PBX link &lt;down&gt; since 10:00" in tr


def add(client, csrf: str, status: int = 303, **fields) -> webtest.TestResponse:
    form = {"csrf_token": csrf, "tenant": "default", "measure": "cost", "subject_kind": "person", "subject": "P1",
            "period": "month", "limit": "150.00", "cc": "", **fields}
    return client.post("/alerts/add", form, status=status)


def stored_rules() -> list:
    with store.db.connection_context():
        return list(sa.AlertRule.select().order_by(sa.AlertRule.id))


def test_an_administrator_sees_what_is_raised_escaped(app):
    client, _ = logged_in(app, "root")
    html = client.get("/alerts").text
    assert "Raised now" in html and "link" in html and "14/11/2023, 22:13" in html   # UTC (issue 20)
    assert "PBX link &lt;down&gt; since 10:00" in html and "<down>" not in html
    assert "cleared long ago" not in html
    assert "No threshold rule yet." in html and 'href="/alerts"' in html


def test_rules_are_added_listed_and_removed(app):
    client, csrf = logged_in(app, "root")
    resp = add(client, csrf).follow()
    assert "The rule was added" in resp.text
    rules = stored_rules()
    assert [(r.tenant, r.measure, r.subject, r.period, r.limit) for r in rules] == [
        ("default", "cost", "P1", "month", "150.00")]
    add(client, csrf, measure="duration", subject_kind="role", subject="staff", period="day", limit="1h30m",
        notify_manager="1", cc="boss@example.com")
    html = client.get("/alerts").text
    assert "150.00" in html and "1:30:00" in html and "boss@example.com" in html and "department manager" in html
    assert stored_rules()[1].limit == "5400"
    rid = rules[0].id
    assert "The rule was removed." in client.post("/alerts/remove", {"csrf_token": csrf, "id": rid}).follow().text
    assert [r.subject for r in stored_rules()] == ["staff"]
    assert "No such rule." in client.post("/alerts/remove", {"csrf_token": csrf, "id": rid}).follow().text
    with pytest.raises(Exception, match="readonly"):     # the web process's store.db stays read-only
        with store.db.connection_context():
            sa.AlertRule.create(tenant="x", measure="cost", subject_kind="person", subject="P1", period="day",
                                limit="1", created_utc=0)


@pytest.mark.parametrize("fields,message", [({"limit": "lots"}, "is not a number"),
                                            ({"subject": "nobody"}, "no person 'nobody'"),
                                            ({"measure": "calls"}, "measure 'calls'"),
                                            ({"cc": "not an address"}, "cc:"),
                                            ({"tenant": "initech"}, "No tenant")])
def test_a_bad_rule_is_named_and_nothing_is_stored(app, fields, message):
    client, csrf = logged_in(app, "root")
    resp = add(client, csrf, status=400, **fields)
    banner = re.search(r'class="banner warn">([^<]*)<', resp.text).group(1)
    assert message in banner.replace("&#039;", "'"), banner
    assert stored_rules() == []


def test_posts_need_the_csrf_token(app):
    client, csrf = logged_in(app, "root")
    add(client, "", status=403)
    add(client, "forged", status=403)
    add(client, csrf)
    rid = stored_rules()[0].id
    client.post("/alerts/remove", {"id": rid}, status=403)
    client.post("/alerts/remove", {"id": rid, "csrf_token": "forged"}, status=403)
    assert len(stored_rules()) == 1


@pytest.mark.parametrize("role", ["supervisor", "operator", "staff"])
def test_only_administrators(app, role):
    client, csrf = logged_in(app, "someone", role, "tenant")
    client.get("/alerts", status=403)
    add(client, csrf, status=403)
    client.post("/alerts/remove", {"csrf_token": csrf, "id": 1}, status=403)
    assert 'href="/alerts"' not in client.get("/").text
    assert stored_rules() == []


def test_a_tenant_administrator_sees_only_their_tenant(app):
    root, root_csrf = logged_in(app, "root")
    add(root, root_csrf)                                           # a rule of tenant default
    other, csrf = logged_in(app, "globex-admin", "administrator", "tenant", "globex")
    html = other.get("/alerts").text
    assert "since 10:00" not in html and "administrators who see every call" in html   # box conditions: no
    assert "No threshold rule yet." in html                                         # default's rule: no
    rid = stored_rules()[0].id
    assert "No such rule." in other.post("/alerts/remove", {"csrf_token": csrf, "id": rid}).follow().text
    assert len(stored_rules()) == 1
    add(other, csrf, status=400)                                   # may not add to tenant default
