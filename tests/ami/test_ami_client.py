"""The AMI client against the loopback AMI server (tests/servers/ami_server.py): login failure, reconnect after a
drop, QueuePause round trip, Originate answered and failed, a server that drops or hangs mid-action, garbage and an
oversized frame."""
import logging
import time

import pytest

from ami_server import AmiServer
from appliance.ami.client import LOGIN_FAILED, READY, AmiError, AmiSettings
from appliance.ami.feed import Feed


def wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return False


def settings(port, **kw):
    base = dict(host="127.0.0.1", port=port, username="callbox", secret="s3cret", connect_timeout_s=2.0,
                action_timeout_s=2.0, reconnect_min_s=0.05, reconnect_max_s=0.4, ping_s=30.0)
    return AmiSettings(**{**base, **kw})


@pytest.fixture
def server():
    with AmiServer(originate_outcomes={"0532123456": "originate_answered", "0532999999": "originate_failed"}) as srv:
        srv.add_member("support", "PJSIP/201", "Elif Demir")
        srv.add_member("sales", "PJSIP/201", "Elif Demir", paused=True, reason="Training")
        yield srv


@pytest.fixture
def feed(server):
    f = Feed(settings(server.port)).start()
    assert wait_for(lambda: f.available), f.client.last_error
    yield f
    f.stop()


def test_login_and_resync_give_the_members_with_their_pause_reason(feed):
    members = {m.queue: m for m in feed.state.members_of({"pjsip/201"})}
    assert members["support"].state == "ready"
    assert members["sales"].state == "paused" and members["sales"].reason == "Training"
    assert feed.client.banner == "5.0.1"


def test_a_wrong_secret_is_reported_and_retried_slowly_without_a_crash(server, caplog):
    caplog.set_level(logging.ERROR)
    f = Feed(settings(server.port, secret="wrong", reconnect_max_s=0.3)).start()
    try:
        assert wait_for(lambda: f.client.status == LOGIN_FAILED)
        assert "Authentication failed" in f.client.last_error
        assert not f.available
        with pytest.raises(AmiError, match="not connected"):
            f.client.action("QueuePause", {"Interface": "PJSIP/201", "Paused": "true"})
        assert wait_for(lambda: server.failed_logins >= 2)    # it tries again, at reconnect_max_s
        assert server.logins == 0
        assert "login failed" in caplog.text
    finally:
        f.stop()


def test_it_reconnects_after_the_server_drops_and_resyncs(server, feed):
    server.drop()
    assert wait_for(lambda: not feed.available)
    server.members[("support", "PJSIP/201")].paused = True   # changed while we were away
    assert wait_for(lambda: server.logins >= 2 and feed.available)
    assert {m.queue: m.paused for m in feed.state.members_of({"PJSIP/201"})} == {"support": True, "sales": True}
    assert feed.client.connects >= 2
    assert sum(a.get("action") == "QueueStatus" for a in server.actions) >= 2


def test_queue_pause_round_trip(server, feed):
    response, _ = feed.client.action("QueuePause", {"Interface": "PJSIP/201", "Queue": "support", "Paused": "true",
                                                    "Reason": "Lunch"})
    assert response["Message"] == "Interface paused successfully"
    assert wait_for(lambda: {m.queue: (m.state, m.reason) for m in feed.state.members_of({"PJSIP/201"})}
                    ["support"] == ("paused", "Lunch"))
    feed.client.action("QueuePause", {"Interface": "PJSIP/201", "Queue": "support", "Paused": "false"})
    assert wait_for(lambda: {m.queue: m.state for m in feed.state.members_of({"PJSIP/201"})}["support"] == "ready")
    with pytest.raises(AmiError, match="Interface not found"):
        feed.client.action("QueuePause", {"Interface": "PJSIP/999", "Paused": "true"})


def test_queue_add_and_remove(server, feed):
    feed.client.action("QueueAdd", {"Queue": "billing", "Interface": "PJSIP/201", "MemberName": "Elif Demir"})
    assert wait_for(lambda: "billing" in {m.queue for m in feed.state.members_of({"PJSIP/201"})})
    with pytest.raises(AmiError, match="Already there"):
        feed.client.action("QueueAdd", {"Queue": "billing", "Interface": "PJSIP/201"})
    feed.client.action("QueueRemove", {"Queue": "billing", "Interface": "PJSIP/201"})
    assert wait_for(lambda: "billing" not in {m.queue for m in feed.state.members_of({"PJSIP/201"})})


@pytest.mark.parametrize("number, outcome, reason", [("0532123456", "Success", "4"), ("0532999999", "Failure", "3")])
def test_an_originate_answered_and_one_failed(server, feed, number, outcome, reason):
    response, events = feed.client.action(
        "Originate", {"Channel": "PJSIP/201", "Exten": number, "Context": "from-internal", "Priority": "1",
                      "Async": "true", "Timeout": "30000"}, until_event="OriginateResponse", timeout=5)
    assert response["Message"] == "Originate successfully queued"
    assert events[-1].event == "OriginateResponse"
    assert (events[-1]["Response"], events[-1]["Reason"]) == (outcome, reason)


def test_a_server_that_drops_mid_action_fails_the_action_then_comes_back(server, feed):
    server.drop_on_action = "QueuePause"
    with pytest.raises(AmiError, match="lost"):   # the drop ends the wait: a timeout would say "no answer ... within"
        feed.client.action("QueuePause", {"Interface": "PJSIP/201", "Paused": "true"}, timeout=60)
    server.drop_on_action = None
    assert wait_for(lambda: feed.available)
    feed.client.action("QueuePause", {"Interface": "PJSIP/201", "Paused": "true"})


def test_a_server_that_never_answers_times_out(server):
    f = Feed(settings(server.port, action_timeout_s=0.3)).start()
    try:
        assert wait_for(lambda: f.available)
        server.hold_actions.set()
        with pytest.raises(AmiError, match="no answer"):
            f.client.action("QueuePause", {"Interface": "PJSIP/201", "Paused": "true"})
    finally:
        f.stop()


def test_garbage_and_an_oversized_frame_drop_the_link_which_comes_back(server, caplog):
    caplog.set_level(logging.WARNING)
    f = Feed(settings(server.port, max_frame_bytes=4096)).start()
    try:
        assert wait_for(lambda: f.available)
        server.broadcast(b"\x00\x01\x02 not ami\r\n\r\n")
        assert wait_for(lambda: f.client.garbage >= 1)
        assert f.available            # a garbage line alone is skipped
        server.broadcast(b"Event: Flood\r\nData: " + b"x" * 10000)
        assert wait_for(lambda: server.logins >= 2 and f.available)
        assert "over 4096" in caplog.text
    finally:
        f.stop()


def test_a_queue_call_from_the_transcripts(server, feed):
    server.play("queue_call_answered")
    assert wait_for(lambda: [c.agent for c in feed.state.calls_for({"PJSIP/201"})] == ["PJSIP/201"])
    call = feed.state.calls_for({"PJSIP/201"})[0]
    assert (call.number, call.name, call.queue) == ("+905321234567", "Ayşe Yılmaz", "support")
    server.play("queue_call_complete")
    assert wait_for(lambda: feed.state.calls_for({"PJSIP/201"}) == [])
    assert READY == feed.client.status


def test_a_silent_server_is_found_dead_by_a_ping_and_left(server):
    f = Feed(settings(server.port, ping_s=0.3, action_timeout_s=0.3)).start()
    try:
        assert wait_for(lambda: f.available)
        server.hold_actions.set()            # the TCP link stays up, the server answers nothing
        assert wait_for(lambda: f.client.connects >= 2)
        assert any(a.get("action") == "Ping" for a in server.actions)
        server.hold_actions.clear()
        assert wait_for(lambda: f.available)
    finally:
        f.stop()


def test_the_wait_starts_again_at_the_minimum_after_a_link_that_was_up(server):
    waits = []
    f = Feed(settings(server.port, reconnect_min_s=0.05, reconnect_max_s=5.0))
    real_wait = f.client._stop.wait
    f.client._stop.wait = lambda t: (waits.append(t), real_wait(t))[1]
    f.start()
    try:
        for n in (1, 2, 3):
            assert wait_for(lambda: server.logins >= n and f.available)
            server.drop()
        assert wait_for(lambda: server.logins >= 4)
        assert waits[:3] == [0.05, 0.05, 0.05]     # each drop of a working link: the shortest wait, no doubling
    finally:
        f.stop()
