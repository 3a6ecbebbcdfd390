"""Channels (appliance/ami/channels.py) from the booth call transcript: dialling, answered, gone; events of channels
never seen, a late event after the hangup; and through the Feed against the loopback AMI server: a call up before
the (re)connect is known from CoreShowChannels."""
from ami_server import AmiServer, transcript
from test_ami_client import settings, wait_for

from appliance.ami.channels import Channels, interface_of
from appliance.ami.feed import Feed
from appliance.ami.protocol import Message


class Clock:
    def __init__(self):
        self.t = 1_700_000_100.0

    def __call__(self):
        return self.t


def events():
    return [Message(list(p)) for p in transcript("booth_call")]


def test_a_booth_call_dials_is_answered_and_ends():
    clock = Clock()
    ch = Channels(clock)
    new, dial, up, hangup = events()
    ch.apply(new)
    c = ch.of({"PJSIP/202"})["PJSIP/202"]
    assert (c.state, c.number, c.created, c.answered) == ("dialling", "0049301234567", clock.t, 0.0)
    clock.t += 4
    ch.apply(dial)
    ch.apply(up)
    c = ch.of({"pjsip/202", "PJSIP/203"})["pjsip/202"]       # case-insensitive, keys as asked
    assert (c.state, c.answered, c.interface) == ("talking", clock.t, "PJSIP/202")
    ch.apply(hangup)
    assert ch.of({"PJSIP/202"}) == {}
    ch.apply(up)                                              # late: the call is not brought back
    ch.apply(new)
    assert ch.of({"PJSIP/202"}) == {} and ch.unknown == 2


def test_the_number_comes_from_the_dial_string_when_the_exten_is_not_digits():
    ch = Channels(Clock())
    _new, dial, _up, _h = events()
    ch.apply(Message([(k, "s" if k == "Exten" else v) for k, v in transcript("booth_call")[0]]))
    assert ch.of({"PJSIP/202"})["PJSIP/202"].number == ""
    ch.apply(dial)
    assert ch.of({"PJSIP/202"})["PJSIP/202"].number == "0049301234567"


def test_interfaces_of_channel_names():
    assert interface_of("PJSIP/202-0000002a") == "PJSIP/202"
    assert interface_of("SIP/kabin-2-00000001") == "SIP/kabin-2"
    assert interface_of("Local/202@from-internal-00000001;1") == "Local/202@from-internal-00000001;1"


def test_the_feed_knows_a_call_that_was_up_before_it_connected_and_follows_new_ones():
    with AmiServer() as srv:
        srv.channel_event("Newchannel", "PJSIP/201-00000001", "1700000200.1", "0049301234567", "6")
        f = Feed(settings(srv.port)).start()
        try:
            assert wait_for(lambda: "PJSIP/201" in f.channels.of({"PJSIP/201"})), f.client.last_error
            c = f.channels.of({"PJSIP/201"})["PJSIP/201"]
            assert c.state == "talking" and c.number == "0049301234567"
            srv.channel_event("Newchannel", "PJSIP/202-00000002", "1700000200.2", "02125550101")
            assert wait_for(lambda: "PJSIP/202" in f.channels.of({"PJSIP/202"}))
            srv.channel_event("Hangup", "PJSIP/201-00000001", "1700000200.1", "0049301234567", "6")
            assert wait_for(lambda: f.channels.of({"PJSIP/201"}) == {})
            srv.drop()                                       # a reconnect: the present again from CoreShowChannels
            assert wait_for(lambda: srv.logins >= 2 and f.available)
            assert wait_for(lambda: set(f.channels.of({"PJSIP/201", "PJSIP/202"})) == {"PJSIP/202"})
        finally:
            f.stop()
