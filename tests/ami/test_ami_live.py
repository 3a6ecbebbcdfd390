"""LiveState: events out of order, unknown channels, the Asterisk 11 field names, the state and time in state."""
from ami_server import transcript
from appliance.ami.live import LiveState
from appliance.ami.protocol import Message


def events(name):
    return [Message(list(p)) for p in transcript(name)]


class Clock:
    def __init__(self):
        self.t = 1_700_000_000.0

    def __call__(self):
        return self.t


def test_a_caller_rings_then_talks_then_is_gone():
    state = LiveState(clock=Clock())
    evs = events("queue_call_answered")
    for e in evs[:4]:          # joined, rung, member ringing
        state.apply(e)
    call, = state.calls_for({"PJSIP/201"})
    assert call.ringing == {"PJSIP/201"} and not call.agent and call.number == "+905321234567"
    assert state.members_of({"PJSIP/201"})[0].state == "ringing"
    for e in evs[4:]:
        state.apply(e)
    call, = state.calls_for({"PJSIP/201"})
    assert call.agent == "PJSIP/201"
    assert state.members_of({"PJSIP/201"})[0].state == "talking"
    for e in events("queue_call_complete"):
        state.apply(e)
    assert state.calls_for({"PJSIP/201"}) == [] and state.members_of({"PJSIP/201"})[0].state == "ready"


def test_events_out_of_order_connect_before_join_and_late_events_after_the_end():
    state = LiveState()
    evs = {e.event: e for e in events("queue_call_answered")}
    state.apply(evs["AgentConnect"])                   # the join was lost (reconnect): still shown, answered
    call, = state.calls_for({"PJSIP/201"})
    assert call.agent == "PJSIP/201" and call.queue == "support" and call.number == "+905321234567"
    for e in events("queue_call_complete"):
        state.apply(e)
    state.apply(evs["QueueCallerJoin"])                # a late join of a call that ended is not brought back
    state.apply(evs["AgentCalled"])
    assert state.calls_for({"PJSIP/201"}) == [] and state.waiting({"support"}) == []
    assert state.unknown >= 2


def test_a_hangup_or_leave_of_an_unknown_channel_is_counted_not_an_error():
    state = LiveState()
    state.apply(Message([("Event", "Hangup"), ("Uniqueid", "9.9"), ("Channel", "PJSIP/x-1")]))
    state.apply(Message([("Event", "QueueCallerLeave"), ("Uniqueid", "9.8"), ("Queue", "support")]))
    state.apply(Message([("Event", "AgentRingNoAnswer"), ("Uniqueid", "9.7"), ("Interface", "PJSIP/1")]))
    state.apply(Message([("Event", "QueueMemberStatus")]))      # no queue, no interface
    assert state.unknown == 4 and state.callers == {} and state.members == {}


def test_asterisk_11_location_and_queue_member_paused():
    state = LiveState()
    evs = events("asterisk11_member_status")
    state.apply(evs[0])
    m, = state.members_of({"Local/id-12@agentcallback"})
    assert m.state == "paused" and m.name == "Agent/999"
    state.apply(evs[1])
    assert state.members_of({"Local/id-12@agentcallback"})[0].state == "talking"    # unpaused, device in use
    state.apply(evs[2])
    assert state.members_of({"Local/id-12@agentcallback"})[0].state == "ready"


def test_time_in_state_is_kept_while_the_state_stays():
    clock = Clock()
    state = LiveState(clock=clock)
    pause = events("queue_member_pause")[0]
    state.apply(pause)
    since = state.members_of({"PJSIP/201"})[0].since
    clock.t += 60
    state.apply(pause)       # the same state again (a device-state event): the time in state goes on
    assert state.members_of({"PJSIP/201"})[0].since == since
    assert state.members_of({"PJSIP/201"})[0].reason == "Lunch"
