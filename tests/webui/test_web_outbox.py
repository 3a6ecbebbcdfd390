"""The outbox page in-process (webtest): listing by state, discard and retry-now, roles (box admins only), CSRF."""
from __future__ import annotations

import re

import pytest

from appliance import config, store
from appliance.delivery import outbox
from appliance.store import outbox as so
from web_helpers import add_user, login

T0 = 2_000_000_000


@pytest.fixture
def ids(tmp_path):
    """callbox.db as the jobs process leaves it: one item delivered, one failed twice, one waiting."""
    store.open_db(tmp_path / "callbox.db")
    results = iter([None, RuntimeError("SMTP server relay.example.com:587: 451 <greylisted> try later"),
                    RuntimeError("SMTP server relay.example.com:587: 451 <greylisted> try later")])

    def deliver(cfg, data_dir, payload):
        error = next(results)
        if error:
            raise error

    outbox.register("test", deliver)
    ids = {"done": outbox.enqueue("test", {"to": ["anna@example.com"], "subject": "Günlük rapor"})}
    outbox.deliver_due(config.Config(), tmp_path, now=T0)
    ids["failed"] = outbox.enqueue("test", {"to": ["müdür@örnek.com.tr"], "subject": "Отчёт <b>май</b>"})
    outbox.deliver_due(config.Config(), tmp_path, now=T0 + 1)
    outbox.deliver_due(config.Config(), tmp_path, now=T0 + 61)
    ids["waiting"] = outbox.enqueue("test", {"target": "ftp-archive", "filename": "calls.csv"})
    so.OutboxItem.update(next_try_utc=T0 + 10**8).where(so.OutboxItem.id == ids["waiting"]).execute()
    store.close_db()
    outbox._deliverers.pop("test")
    return ids


@pytest.fixture
def data_dir(tmp_path, ids):
    yield tmp_path
    store.close_db()


def rows(html: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(0) for m in re.finditer(r'<tr class="\w+">\s*<td class="num">(\d+)</td>.*?</tr>',
                                                             html, re.S)}


def item(item_id: int) -> so.OutboxItem:
    with store.db.connection_context():
        return so.OutboxItem.get_by_id(item_id)


def test_the_page_lists_items_with_state_attempts_error_and_next_try(client, csrf, ids):
    html = client.get("/outbox").text
    shown = rows(html)
    assert list(shown) == [ids["failed"], ids["waiting"], ids["done"]]
    failed = shown[ids["failed"]]
    assert "müdür@örnek.com.tr | Отчёт &lt;b&gt;май&lt;/b&gt;" in failed and "<b>май" not in html   # escaped
    assert "Failed" in failed and '<td class="num">2</td>' in failed
    assert "451 &lt;greylisted&gt; try later" in failed
    assert "18 May 2033, 03:36:21" in failed    # T0 + 61 + 120 s, UTC
    assert "Delivered 18 May 2033, 03:33:20" in shown[ids["done"]] and "Retry now" not in shown[ids["done"]]
    assert "ftp-archive | calls.csv" in shown[ids["waiting"]] and "Waiting" in shown[ids["waiting"]]
    assert "All (3)" in html and "Failed (1)" in html and "Delivered (1)" in html
    assert 'href="/outbox"' in html                              # the nav entry
    assert list(rows(client.get("/outbox?state=failed").text)) == [ids["failed"]]
    assert list(rows(client.get("/outbox?state=delivered").text)) == [ids["done"]]
    client.get("/outbox?state=nonsense", status=400)


def test_discard_and_retry_now_write_the_outbox_only(client, csrf, ids):
    resp = client.post("/outbox/retry", {"csrf_token": csrf, "id": ids["failed"], "state": "failed"}, status=303)
    assert resp.headers["Location"].endswith("/outbox?state=failed&msg=retry")
    assert "tried again within a minute" in resp.follow().text
    assert item(ids["failed"]).next_try_utc <= item(ids["failed"]).created_utc + 10**6   # now, not T0 + 10^8
    resp = client.post("/outbox/discard", {"csrf_token": csrf, "id": ids["waiting"]}, status=303)
    assert "was discarded" in resp.follow().text
    gone = item(ids["waiting"])
    assert gone.state == "discarded" and gone.payload == ""
    again = client.post("/outbox/discard", {"csrf_token": csrf, "id": ids["waiting"]}, status=303).follow().text
    assert "no longer waiting" in again
    assert "No such item" in client.post("/outbox/retry", {"csrf_token": csrf, "id": "x"}, status=303).follow().text
    with pytest.raises(Exception, match="readonly"):           # store.db is read-only again afterwards
        store.Call.create(driver="x", call_key="1", start_utc=0, utc_offset=0, direction="in", extension="1",
                          party="", trunk="", ring_s=0, talk_s=0, answered=True, transferred=False,
                          account_code="", legs=1)


def test_posts_need_the_csrf_token(client, csrf, ids):
    waiting = ids["waiting"]
    client.post("/outbox/discard", {"id": waiting}, status=403)
    client.post("/outbox/discard", {"id": waiting, "csrf_token": "forged"}, status=403)
    client.post("/outbox/retry", {"id": waiting, "csrf_token": "forged"}, status=403)
    assert item(waiting).state == "pending" and item(waiting).next_try_utc == T0 + 10**8


@pytest.mark.parametrize("role, scope", [("staff", "tenant"), ("operator", "tenant"), ("supervisor", "tenant"),
                                         ("administrator", "tenant")])
def test_only_administrators_of_the_whole_box(client, ids, role, scope):
    add_user("someone", role, scope, "default")
    token = login(client, "someone")
    client.get("/outbox", status=403)
    for action in ("discard", "retry"):
        client.post(f"/outbox/{action}", {"csrf_token": token, "id": ids["waiting"]}, status=403)
    assert item(ids["waiting"]).state == "pending"
    assert 'href="/outbox"' not in client.get("/").text


def test_without_a_login_the_page_redirects(client):
    assert "/login?next=" in client.get("/outbox", status=303).headers["Location"]
