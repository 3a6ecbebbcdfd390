"""CRM lookups against a real HTTP server on loopback: found, unknown, slow, down, bad JSON; cached; never waited
for (Lookup.name answers at once while the CRM sits on the request)."""
from __future__ import annotations

import time

import pytest

from appliance import config
from appliance.crm import lookup
from http_recorder import Recorder, serve


@pytest.fixture
def crm():
    rec = Recorder(body=b'{"data": [{"full_name": "Ay\\u015fe Y\\u0131lmaz", "id": 7}]}')
    server, url = serve(rec)
    yield rec, url
    server.shutdown()
    server.server_close()


def settings(url, **kw):
    values = {"lookup_url": url, "lookup_name": "data.0.full_name", "lookup_timeout_s": 0.5, **kw}
    text = "".join(f"{k} = {v}\n" for k, v in values.items())
    return lookup.read_settings(config.Config(text="[crm]\n" + text))


def settle(lk, number, limit_s=10.0):
    """The answer once it is no longer pending (a generous limit that only catches a hang)."""
    end = time.monotonic() + limit_s
    while (a := lk.name(number)).state == "pending":
        assert time.monotonic() < end, "lookup hung"
        time.sleep(0.02)
    return a


def test_a_found_name_is_cached_and_the_number_percent_encoded(crm):
    rec, url = crm
    lk = lookup.Lookup(settings(url + "/find?phone={number}"))
    assert lk.name("+90 532 123 45 67").state == "pending"
    assert settle(lk, "+90 532 123 45 67") == lookup.Answer("found", "Ayşe Yılmaz")
    assert rec.seen[0].path == "/find?phone=%2B90%20532%20123%2045%2067"
    for _ in range(5):
        assert lk.name("+90 532 123 45 67").name == "Ayşe Yılmaz"
    assert len(rec.seen) == 1


def test_unknown_numbers_404_and_empty_answers_are_none(crm):
    rec, url = crm
    rec.answers["/find?phone=404"] = (404, b"no")
    rec.answers["/find?phone=111"] = (200, b'{"data": []}')
    lk = lookup.Lookup(settings(url + "/find?phone={number}"))
    lk.name("4040"), lk.name("1111")
    assert settle(lk, "4040").state == "none" and settle(lk, "1111").state == "none"


def test_a_slow_crm_never_blocks_and_fails_with_a_timeout(crm):
    rec, url = crm
    rec.delay_s = 3
    lk = lookup.Lookup(settings(url + "/find?phone={number}"))
    # pending, not failed or found: name() answered without waiting for the CRM sitting on the request
    assert lk.name("5551234").state == "pending"
    assert lk.name("5551234").state == "pending"      # one request for the number, not one per ask
    a = settle(lk, "5551234")
    assert a.state == "failed" and "0.5 s" in a.why
    assert len(rec.seen) == 1


def test_a_dead_crm_and_bad_json_fail_with_why_and_are_tried_again_later(crm):
    rec, url = crm
    now = [1000.0]
    dead = lookup.Lookup(settings("http://127.0.0.1:9/find?phone={number}", lookup_cache_s=100),
                         clock=lambda: now[0])
    dead.name("5551234")
    a = settle(dead, "5551234")
    assert a.state == "failed" and "refused" in a.why.lower()
    rec.body = b"<html>oops</html>"
    lk = lookup.Lookup(settings(url + "/find?phone={number}", lookup_cache_s=100), clock=lambda: now[0])
    lk.name("5551234")
    assert settle(lk, "5551234") == lookup.Answer("failed", why="the answer is not JSON")
    rec.body = b'{"data": [{"full_name": "Jan Nov\\u00e1k"}]}'
    now[0] += 5                                    # within a tenth of the cache time: still the failure
    assert lk.name("5551234").state == "failed" and len(rec.seen) == 1
    now[0] += 6
    assert lk.name("5551234").state == "pending"
    assert settle(lk, "5551234").name == "Jan Novák"


def test_off_without_a_url():
    assert lookup.read_settings(config.Config(text="")) is None
    assert lookup.Lookup(None).name("5551234").state == "off"


@pytest.mark.parametrize("text, error", [
    ("lookup_url = ftp://crm/{number}", "not an http"),
    ("lookup_url = http://crm/{phone}", "only the field"),
    ("lookup_url = http://crm/{number}\nlookup_name = .", "empty")])
def test_bad_settings_name_the_option(text, error):
    with pytest.raises(config.ConfigError, match=error):
        lookup.read_settings(config.Config(text=f"[crm]\n{text}\n"))


def test_pick():
    data = {"a": {"b": [1, {"c": "  x  y "}]}, "t": True}
    assert lookup.pick(data, ("a", "b", "1", "c")) == "x y"
    assert lookup.pick(data, ("a", "b", "0")) == "1"
    assert lookup.pick(data, ("a", "z")) == "" and lookup.pick(data, ("t",)) == ""
