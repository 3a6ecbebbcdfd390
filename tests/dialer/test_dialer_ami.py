"""The dialer's loop with the real AMI client against the loopback AMI server (tests/servers/ami_server.py): an
Originate answered and one failed, a busy number retried after the busy delay, the agent's PBX state holding back a
progressive call, a link that is down dialling nothing; and the loop in the real jobs process (slow)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ami_server import AmiServer
from appliance import store
from appliance.ami.client import AmiSettings
from appliance.ami.feed import Feed, PanelSettings
from appliance.dialer import campaigns, engine
from appliance.dialer.link import originate_with
from appliance.store.dialer import Attempt, Contact
from dialer_helpers import MONDAY_10, PLAN, SETTINGS, Clock, make_campaign

REPO = Path(__file__).resolve().parents[2]
ANSWERED, FAILED, BUSY = "05321234567", "02125551234", "05337654321"


def wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def server():
    with AmiServer(originate_outcomes={ANSWERED: "originate_answered", FAILED: "originate_failed",
                                       BUSY: "originate_busy"}) as srv:
        yield srv


@pytest.fixture
def feed(server):
    f = Feed(AmiSettings("127.0.0.1", server.port, "callbox", "s3cret", 2.0, 2.0, 0.05, 0.4, 30.0)).start()
    assert wait_for(lambda: f.available), f.client.last_error
    yield f
    f.stop()


def dialer(feed, clock):
    panel = PanelSettings()

    def busy(ext):
        return any(m.state != "ready" for m in feed.state.members_of({panel.interface_of(ext)}))
    return engine.Dialer(SETTINGS, PLAN, originate_with(feed), lambda: feed.available, busy, clock=clock)


def settled(cid):
    return lambda: not Contact.select().where(Contact.campaign == cid,
                                              Contact.state.in_(("queued", "dialing"))).exists()


def test_an_originate_answered_and_one_failed(db, server, feed):
    c = make_campaign(mode="progressive", text=f"number,name\n{ANSWERED},Ayşe\n{FAILED},Kemal\n").campaign
    d = dialer(feed, Clock())
    campaigns.join("ayse", "201", c)
    campaigns.set_ready("ayse", True)
    d.tick()
    assert wait_for(settled(c.id))
    first = Contact.get(Contact.line == 2)
    assert (first.state, first.last_outcome, first.agent) == ("connected", "answered", "ayse")
    a = Attempt.get(Attempt.contact == first.id)
    assert (a.outcome, a.reason, a.uniqueid) == ("answered", "Reason 4", "1700000300.50")
    sent = [x for x in server.actions if x.get("action") == "Originate"]
    assert sent[0]["channel"] == f"Local/{ANSWERED}@from-internal" and sent[0]["exten"] == "201"
    assert sent[0]["async"] == "true" and sent[0]["timeout"] == "30000"
    campaigns.set_result("ayse", first.id, "Sale", "two boxes", SETTINGS.results)
    d.tick()
    assert wait_for(settled(c.id))
    second = Contact.get(Contact.line == 3)
    assert (second.state, second.last_outcome, second.attempts) == ("pending", "no_answer", 1)
    assert second.next_utc == MONDAY_10 + 60 * 60          # the campaign's no-answer delay (Reason 3)


def test_a_busy_number_is_dialled_again_after_the_busy_delay(db, server, feed):
    clock = Clock()
    c = make_campaign(mode="progressive", text=f"number\n{BUSY}\n").campaign
    d = dialer(feed, clock)
    campaigns.join("ayse", "201", c)
    campaigns.set_ready("ayse", True)
    d.tick()
    assert wait_for(settled(c.id))
    ct = Contact.get()
    assert (ct.state, ct.last_outcome, ct.next_utc) == ("pending", "busy", MONDAY_10 + 10 * 60)
    d.tick()
    assert len([x for x in server.actions if x.get("action") == "Originate"]) == 1    # not yet
    clock.t += 10 * 60
    d.tick()
    assert wait_for(lambda: len([x for x in server.actions if x.get("action") == "Originate"]) == 2)
    assert wait_for(settled(c.id))
    assert Contact.get().attempts == 2 and [a.outcome for a in Attempt.select()] == ["busy", "busy"]


def test_a_paused_queue_member_is_not_given_a_progressive_call(db, server):
    server.add_member("sales", "PJSIP/201", "Ayşe", paused=True, reason="Lunch")
    f = Feed(AmiSettings("127.0.0.1", server.port, "callbox", "s3cret", 2.0, 2.0, 0.05, 0.4, 30.0)).start()
    try:
        assert wait_for(lambda: f.available)
        c = make_campaign(mode="progressive", text=f"number\n{ANSWERED}\n").campaign
        d = dialer(f, Clock())
        campaigns.join("ayse", "201", c)
        campaigns.set_ready("ayse", True)
        d.tick()
        assert Contact.get().state == "pending"
        f.client.action("QueuePause", {"Interface": "PJSIP/201", "Paused": "false"})
        assert wait_for(lambda: f.state.members_of({"PJSIP/201"})[0].state == "ready")
        d.tick()
        assert wait_for(settled(c.id)) and Contact.get().state == "connected"
    finally:
        f.stop()


def test_while_the_link_is_down_nothing_is_dialled_and_nothing_is_lost(db, server, feed):
    c = make_campaign(mode="progressive", text=f"number\n{ANSWERED}\n").campaign
    d = dialer(feed, Clock())
    campaigns.join("ayse", "201", c)
    campaigns.set_ready("ayse", True)
    server.hold_actions.set()        # answers nothing: the resync after the drop cannot finish
    server.drop()
    assert wait_for(lambda: not feed.available)
    assert d.tick() == 0 and Contact.get().state == "pending"
    server.hold_actions.clear()
    assert wait_for(lambda: feed.available, 15)
    d.tick()
    assert wait_for(settled(c.id)) and Contact.get().state == "connected"


@pytest.mark.slow
def test_the_jobs_process_runs_the_loop(tmp_path, server):
    """`python -m appliance.procs jobs` with [ami] and a progressive campaign: the call is made and answered."""
    data = tmp_path / "var"
    data.mkdir(mode=0o700)
    (data / "ami.secret").write_text("s3cret\n")
    os.chmod(data / "ami.secret", 0o600)
    (data / "callbox.ini").write_text(
        f"[numbers]\ncountry = TR\narea_codes = 212\n[pbx]\ntimezone = Europe/Istanbul\n"
        f"[ami]\nhost = 127.0.0.1\nport = {server.port}\nusername = callbox\nsecret_file = ami.secret\n"
        f"[dialer]\ntick_s = 0.2\n")
    store.open_db(data / "callbox.db")
    try:
        c = make_campaign(mode="progressive", text=f"number\n{ANSWERED}\n", windows="mon-sun 00:00-24:00").campaign
        campaigns.join("ayse", "201", c)
        campaigns.set_ready("ayse", True)
    finally:
        store.close_db()
    proc = subprocess.Popen([sys.executable, "-m", "appliance.procs", "jobs", "--data", str(data)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: any(x.get("action") == "Originate" for x in server.actions), 60), \
            proc.stdout.read1().decode() if proc.poll() is not None else "no Originate"
        store.open_db(data / "callbox.db")
        try:
            assert wait_for(lambda: Contact.get().state == "connected", 30)
        finally:
            store.close_db()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
