"""The HTTP SMS gateway from templates, against a real HTTP server on loopback that records the requests."""
from __future__ import annotations

import json
import os
from urllib.parse import parse_qs, urlsplit

import pytest

from appliance import config
from appliance.delivery import outbox, sms
from appliance.store import outbox as so
from http_recorder import Recorder, serve


@pytest.fixture
def gateway():
    rec = Recorder()
    server, url = serve(rec)
    yield rec, url
    server.shutdown()
    server.server_close()


def cfg(text):
    return config.Config(text=text)


def test_get_gateway_percent_encodes_the_fields_in_the_url(gateway, tmp_path):
    rec, url = gateway
    c = cfg(f"[sms]\nurl = {url}/send?to=${{to}}&text=${{text}}&from=${{sender}}\nmethod = GET\nsender = Callbox\n")
    sms.send(sms.read_settings(c, tmp_path), "+90 532 123 45 67", "Geri arayacağız & teşekkürler")
    (seen,) = rec.seen
    q = parse_qs(urlsplit(seen.path).query)
    assert seen.method == "GET" and q == {"to": ["+90 532 123 45 67"], "text": ["Geri arayacağız & teşekkürler"],
                                          "from": ["Callbox"]}


def test_json_post_with_a_secret_header_escapes_the_text_as_json(gateway, tmp_path):
    rec, url = gateway
    secret = tmp_path / "sms.key"
    secret.write_text("k3y\n")
    os.chmod(secret, 0o600)
    c = cfg(f"[sms]\nurl = {url}/api/sms\ncontent_type = application/json\n"
            'body = {"to": "${to}", "message": "${text}", "price": "$$0.05"}\n'
            "header = Authorization: Bearer ${secret}\nsecret_file = sms.key\n"
            'ok_pattern = "status": *"ok"\n')
    text = 'He said "call me"\nback \\ soon'
    sms.send(sms.read_settings(c, tmp_path), "+4791234567", text)
    (seen,) = rec.seen
    assert json.loads(seen.body) == {"to": "+4791234567", "message": text, "price": "$0.05"}
    assert seen.headers["Authorization"] == "Bearer k3y" and seen.headers["Content-Type"] == "application/json"


def test_form_post(gateway, tmp_path):
    rec, url = gateway
    c = cfg(f"[sms]\nurl = {url}/f\nbody = to=${{to}}&msg=${{text}}\n")
    sms.send(sms.read_settings(c, tmp_path), "+359888123456", "a+b=c & ü")
    assert parse_qs(rec.seen[0].body.decode()) == {"to": ["+359888123456"], "msg": ["a+b=c & ü"]}


def test_refusals_name_the_status_and_answer_but_never_the_secret(gateway, tmp_path):
    rec, url = gateway
    c = cfg(f"[sms]\nurl = {url}/s?key=${{secret}}&to=${{to}}\nmethod = GET\nsecret_file = {tmp_path}/k\n"
            'ok_pattern = "status": *"ok"\n')
    (tmp_path / "k").write_text("topsecret")
    os.chmod(tmp_path / "k", 0o600)
    gw = sms.read_settings(c, tmp_path)
    rec.status, rec.body = 401, b"bad key topsecret"
    with pytest.raises(RuntimeError, match="HTTP 401: bad key \\*\\*\\*") as e:
        sms.send(gw, "+4791234567", "x")
    assert "topsecret" not in str(e.value)
    rec.status, rec.body = 200, b'{"status": "error", "reason": "no credit"}'
    with pytest.raises(RuntimeError, match="without .*no credit"):
        sms.send(gw, "+4791234567", "x")


def test_a_gateway_that_is_down_or_slow_fails_the_try(tmp_path, gateway):
    rec, url = gateway
    rec.delay_s = 2
    c = cfg(f"[sms]\nurl = {url}/s?to=${{to}}\nmethod = GET\ntimeout_s = 0.5\n")
    with pytest.raises(RuntimeError, match="SMS gateway"):
        sms.send(sms.read_settings(c, tmp_path), "+4791234567", "x")
    down = cfg("[sms]\nurl = http://127.0.0.1:9/s?to=${to}\nmethod = GET\n")
    with pytest.raises(RuntimeError, match="127.0.0.1:9"):
        sms.send(sms.read_settings(down, tmp_path), "+4791234567", "x")


@pytest.mark.parametrize("text, error", [
    ("url = ftp://x/${to}", "not an http"),
    ("url = http://x/?to=${phone}", "unknown field \\${phone}"),
    ("url = http://x/\nbody = cost $5", "\\$\\$ for a dollar"),
    ("url = http://x/\nheader = nocolon", "NAME: VALUE"),
    ("url = http://x/\nok_pattern = (", "ok_pattern"),
    ("url = http://x/\nsecret_file = /nonexistent/k", "secret_file"),
    ("url = http://x/\nmethod = PUT", "not one of GET, POST"),
])
def test_bad_settings_name_the_option(tmp_path, text, error):
    with pytest.raises(config.ConfigError, match=error):
        sms.read_settings(cfg(f"[sms]\n{text}\n"), tmp_path)


def test_the_outbox_delivers_sms_items_and_retries_a_failure(db, tmp_path, gateway):
    rec, url = gateway
    c = cfg(f"[sms]\nurl = {url}/s?to=${{to}}&text=${{text}}\nmethod = GET\n")
    rec.status = 503
    i = outbox.enqueue("sms", {"to": "+4791234567", "text": "hei"})
    assert outbox.deliver_due(c, tmp_path) == (0, 1)
    assert "HTTP 503" in so.OutboxItem.get_by_id(i).last_error
    rec.status = 200
    assert outbox.deliver_due(c, tmp_path, now=so.OutboxItem.get_by_id(i).next_try_utc) == (1, 0)
    assert so.OutboxItem.get_by_id(i).state == "delivered" and len(rec.seen) == 2
    assert outbox.deliver_due(cfg(""), tmp_path) == (0, 0)


def test_without_a_gateway_an_sms_item_fails_with_the_reason(db, tmp_path):
    i = outbox.enqueue("sms", {"to": "+4791234567", "text": "hei"})
    assert outbox.deliver_due(cfg(""), tmp_path) == (0, 1)
    assert "[sms] url" in so.OutboxItem.get_by_id(i).last_error
