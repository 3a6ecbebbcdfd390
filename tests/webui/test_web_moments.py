"""Issue 20 'one date/time format per language everywhere': the moments the administration pages show (the home
page's 'Updated', an alert's 'Since', an outbox item's times, a tariff version's import, ...) are written as the
user's language writes a date and time, not as raw ISO text ('2033-05-18 03:33')."""
from __future__ import annotations

import json
import re

import pytest

from appliance import store
from appliance.delivery import outbox
from appliance.store import alerts as sa
from test_web_tariffs import EXAMPLE
from web_helpers import add_user, login

T0 = 2_000_000_000          # 2033-05-18 03:33:20 UTC
RAW = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


@pytest.fixture
def data_dir(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    sa.AlertCondition.create(key="link", raised=True, since_utc=T0, detail="PBX link down: ipo", value=1,
                             updated_utc=T0)
    outbox.enqueue("test", {"to": ["anna@example.com"], "subject": "Günlük rapor"})
    # the box's status on the home page: a link event, a quarantined line, the capture's links and last line
    store.LinkEvent.create(id=1, at_ns=T0 * 10**9, source="serial:/dev/ttyUSB0", event="up", detail="connected",
                           jseg=1, joff=0)
    store.Quarantine.create(id=2, jseg=1, joff=10, received_ns=T0 * 10**9, source="serial:/dev/ttyUSB0",
                            driver="avaya_ipoffice", reason="not a call record", line="ÇÖP")
    store.close_db()
    (tmp_path / "run").mkdir(exist_ok=True)
    (tmp_path / "run" / "capture.json").write_text(json.dumps({
        "pid": 1, "url": "serial:///dev/ttyUSB0", "lines": 3, "bytes": 300, "backlog": 0,
        "last_line_at": "2033-05-18T03:33:20.125Z",
        "links": {"serial:/dev/ttyUSB0": {"state": "up", "since": "2033-05-18T03:33:20.213Z", "detail": "connected"}}}),
        encoding="utf-8")
    yield tmp_path
    store.close_db()


def text_of(html: str) -> str:
    """What a reader sees: the page without its tags (attributes such as a title's exact ISO moment left out)."""
    return re.sub(r"<[^>]+>", " ", html.split("<main>", 1)[1])


@pytest.mark.parametrize("lang,since", [("en", "18/05/2033, 03:33"), ("cs", "18.05.33 3:33"),
                                        ("tr", "18.05.2033 03:33")])
def test_moments_are_written_as_the_language_writes_them(client, lang, since):
    add_user("admin")
    csrf = login(client, "admin")
    client.post("/tariffs/upload", {"csrf_token": csrf}, upload_files=[("file", "plan.csv", EXAMPLE.read_bytes())])
    for page in ("/", f"/alerts?lang={lang}", "/outbox", "/tariffs", "/schedules"):
        html = client.get(page).text
        assert not RAW.findall(text_of(html)), (page, RAW.findall(text_of(html)))
    assert since in text_of(client.get("/alerts").text)
    home = text_of(client.get("/").text)   # the box's status (links, last line, link events, quarantine) was raw ISO
    assert "serial:/dev/ttyUSB0" in home and "ÇÖP" in home and home.count("2033") >= 4
