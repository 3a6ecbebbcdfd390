"""Issue 20: capture's link-event details were shown in English in every language. Capture journals a detail it
makes itself with its key and fields, the worker stores them (link_event.text), the web says them in the reader's
language; an older event (no text) or an OS's words show as stored."""
from __future__ import annotations

import html
import json

import pytest

from appliance import store
from appliance.capture.gate import Gate
from appliance.ingest import parse
from appliance.records import EVENT, Entry
from test_webui import T0, admin_client

CLOSED = {"key": "closed_by_peer", "fields": {}}
ROWS = [  # (event, English detail, text)
    ("connection_refused", "5 connections refused from 10.0.0.9, the last not in [capture] allow",
     {"key": "refused_many", "fields": {"count": 5, "address": "10.0.0.9",
                                        "why": {"key": "refused_allow", "fields": {"most": 32}}}}),
    ("handshake_ok", "3 steps in 120 ms", {"key": "handshake_steps", "fields": {"steps": 3, "ms": 120}}),
    ("link_down", "connection reset by peer; nothing received since the handshake (login settings?)",
     {"key": "silent_after_login", "fields": {"why": "connection reset by peer"}}),
    ("link_down", "older words, kept as stored", None),
    # the gate's drop and the transports' errors (they were English in every language)
    ("link_down", "dropped: silent for 601 s and already 2 connections ([capture] max_connections); its place went "
                  "to tcp:10.0.0.4:4100",
     {"key": "dropped", "fields": {"seconds": 601, "source": "tcp:10.0.0.4:4100",
                                   "why": {"key": "refused_total", "fields": {"most": 2}}}}),
    ("link_down", "connect to pbx.example:5000 failed: [Errno 111] Connection refused",
     {"key": "connect_failed", "fields": {"host": "pbx.example", "port": 5000,
                                          "error": "[Errno 111] Connection refused"}}),
    ("handshake_failed", "step 2 of 3: connection closed by peer while waiting for b'Password:'; last bytes "
                         "received b''",
     {"key": "handshake_step", "fields": {"step": 2, "steps": 3, "seen": "b''", "why": {
         "key": "handshake_waiting", "fields": {"marker": "b'Password:'", "why": CLOSED}}}}),
]


@pytest.fixture
def data_dir(tmp_path):
    yield tmp_path
    store.close_db()


def test_the_gate_reports_its_english_detail_with_its_key_and_fields():
    gate = Gate(allow=(), max_per_source=1)
    assert gate.admit("10.0.0.9", "tcp:10.0.0.9:1", lambda: None) is not None
    for _ in range(3):
        assert gate.admit("10.0.0.9", "tcp:10.0.0.9:2", lambda: None) is None
    got: list = []
    gate.report(lambda *a: got.append(a), final=True)
    assert got == [("tcp:10.0.0.9:2", "3 connections refused from 10.0.0.9, the last already 1 connections from this "
                    "address ([capture] max_per_source)",
                    ("refused_many", {"count": 3, "address": "10.0.0.9",
                                      "why": {"key": "refused_per_source", "fields": {"most": 1}}}))]


def test_the_worker_stores_the_key_and_fields_beside_the_detail():
    batch = parse.Batch()
    doc = {"event": "handshake_ok", "source": "tcp:x", "detail": "3 steps in 120 ms", "key": "handshake_steps",
           "fields": {"steps": 3, "ms": 120}}
    for data in (json.dumps(doc).encode(), json.dumps({"event": "link_up", "detail": "connected"}).encode()):
        entry = Entry(ref=(1, 0), received_ns=1, source="tcp:x", data=data, flags=EVENT)
        parse.Processor._event(None, entry, batch)  # type: ignore[arg-type]
    assert [e[-1] for e in batch.events] == ['{"key": "handshake_steps", "fields": {"steps": 3, "ms": 120}}', ""]


def test_link_event_details_are_in_the_readers_language(data_dir):
    client = admin_client(data_dir)
    store.open_db(data_dir / "callbox.db")
    for i, (event, detail, text) in enumerate(ROWS, 1):
        store.LinkEvent.create(id=i, at_ns=(T0 + i) * 10**9, source="tcp:10.0.0.5:2300", event=event, detail=detail,
                               text=json.dumps(text) if text else "", jseg=0, joff=i)
    store.close_db()
    english = html.unescape(client.get("/", {"lang": "en"}).text)
    assert all(detail in english for _e, detail, _t in ROWS)
    turkish = client.get("/", {"lang": "tr"}).text
    assert "10.0.0.9 adresinden 5 bağlantı reddedildi, sonuncusu: [capture] allow listesinde değil" in turkish
    assert "120 ms içinde 3 adım" in turkish
    assert ("connection reset by peer; el sıkışmadan bu yana hiçbir şey alınmadı (oturum açma ayarları?)"
            in turkish)                                          # the OS's own words stay as they are
    assert "older words, kept as stored" in turkish
    assert "steps in" not in turkish and "connections refused" not in turkish
    assert ("bırakıldı: 601 sn sessizdi ve zaten 2 bağlantı var ([capture] max_connections); yeri tcp:10.0.0.4:4100 "
            "kaynağına verildi") in turkish
    assert "pbx.example:5000 adresine bağlanılamadı: [Errno 111] Connection refused" in turkish   # the OS's words
    assert ("adım 2 / 3: b&#039;Password:&#039; beklenirken bağlantı karşı taraf tarafından kapatıldı; son alınan "
            "baytlar b&#039;&#039;") in turkish
    assert "dropped:" not in turkish and "failed" not in turkish and "closed by peer" not in turkish


def test_a_links_state_on_the_home_page_is_in_the_readers_language(data_dir):
    """The capture status file's link detail (home and /status: "PBX links") with its key and fields, as the
    events'; a detail without them (an older capture) as it is."""
    client = admin_client(data_dir)
    (data_dir / "run").mkdir(exist_ok=True)
    status = {"pid": 1, "url": "tcp-listen://0.0.0.0:4100", "links": {
        "tcp:10.0.0.5:2300": {"state": "down", "since": "2026-12-07T10:00:00Z", "detail": "connection closed by peer",
                              "text": {"key": "closed_by_peer", "fields": {}}},
        "tcp:10.0.0.6:2300": {"state": "down", "since": "2026-12-07T10:00:00Z", "detail": "capture stopped"}}}
    (data_dir / "run" / "capture.json").write_text(json.dumps(status), encoding="utf-8")
    turkish = client.get("/", {"lang": "tr"}).text
    assert "bağlantı karşı taraf tarafından kapatıldı" in turkish and "kayıt durdu" in turkish
    assert "closed by peer" not in turkish
