"""Issue 20, in a real browser (headless Debian chromium, the real web process on the imported IP Office sample) in
Turkish and Bulgarian, at 1,366 and 390 px: capture's texts (a dropped idle connection, a closed connection) on
Home's PBX links and link events, the audit log's targets and rights on /users, and the sample's three calls to
voicemail by name counted as voicemail, not outgoing, in the direction report. Screenshots kept."""
from __future__ import annotations

import json

import pytest

from appliance import store
from appliance.access import users
from appliance.store import users as su
from browser_helpers import Recorder, artifacts_dir, chromium, log_in, seed, web_process

pytestmark = pytest.mark.slow
DROPPED = {"key": "dropped", "fields": {"seconds": 601, "source": "tcp:10.0.0.4:4100",
                                        "why": {"key": "refused_total", "fields": {"most": 2}}}}
WORDS = {  # what the reader sees, per language: capture's texts, the audit log's, the voicemail row
    "tr": ("bırakıldı: 601 sn sessizdi ve zaten 2 bağlantı var", "bağlantı karşı taraf tarafından kapatıldı",
           "çağrı 4711", "10.0.0.66 adresinden mallory", "kayıtları dinleme", "sesli mesaj"),
    "bg": ("прекъсната: мълчеше 601 с и", "връзката е затворена от другата страна", "разговор 4711",
           "mallory от 10.0.0.66", "слушане на записи", "гласова поща"),
}
ENGLISH = ("dropped: silent", "closed by peer", "call 4711", "pair:mallory", "listen</td>")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-event-texts")
    seed(data)
    (data / "run").mkdir(exist_ok=True)
    (data / "run" / "capture.json").write_text(json.dumps({"pid": 1, "url": "tcp-listen://0.0.0.0:4100", "links": {
        "tcp:10.0.0.5:2300": {"state": "down", "since": "2017-07-31T10:00:00Z", "detail": "connection closed by peer",
                              "text": {"key": "closed_by_peer", "fields": {}}}}}), encoding="utf-8")
    store.open_db(data / "callbox.db")
    store.LinkEvent.create(at_ns=1501495200 * 10**9, source="tcp:10.0.0.3:4100", event="link_down",
                           detail="dropped: silent for 601 s and already 2 connections ([capture] max_connections); "
                                  "its place went to tcp:10.0.0.4:4100", text=json.dumps(DROPPED), jseg=0, joff=1)
    store.close_db()
    su.open_users_db(data / su.FILE_NAME)
    users.audit("supervisor", "recording_played", "call 4711", "rec-4711.wav")
    users.audit("-", "lockout", "pair:mallory|10.0.0.66", "")
    users.audit("admin", "right_granted", "supervisor", "listen")
    su.close_users_db()
    with web_process(data) as url, chromium() as browser:
        yield url, browser


@pytest.mark.parametrize("lang", ("tr", "bg"))
def test_capture_audit_and_voicemail_texts_in_the_readers_language(site, lang):
    url, browser = site
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="en-US", ignore_https_errors=True)
    page = context.new_page()
    seen = Recorder(page)
    log_in(page, url, "admin", lang=lang)
    dropped, closed, call, lockout, right, voicemail = WORDS[lang]
    report = "/reports?dim1=direction&m=calls&m=calls_out&range=custom&since=2017-07-01&until=2017-08-01&run=1"
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{url}/?lang={lang}")
        home = page.inner_text("main")
        assert dropped in home and closed in home, home[-1500:]
        page.goto(f"{url}/users?lang={lang}")
        log = page.inner_text("main")
        assert call in log and lockout in log and right in log and "rec-4711.wav" in log, log[-1500:]
        page.goto(f"{url}{report}&lang={lang}")
        rows = [r.inner_text().split("\t") for r in page.locator("main table tbody tr").all()]
        assert [r[:2] for r in rows if r[0] == voicemail] == [[voicemail, "3"]], rows
        for href in ("/", "/users", report):
            page.goto(f"{url}{href}{'&' if '?' in href else '?'}lang={lang}")
            html = page.content()
            assert not [w for w in ENGLISH if w in html], href
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (href, width)
        page.screenshot(path=str(artifacts_dir() / f"event-texts-{lang}-{width}.png"), full_page=True)
    assert seen.errors == []
    context.close()
