"""AMI framing: split reads, garbage, oversized frames, action encoding."""
import pytest

from ami_server import BANNER, FIXTURES
from appliance.ami.protocol import FrameError, Framer, encode_action


def wire_of(name):
    return BANNER + (FIXTURES / f"{name}.ami").read_bytes().replace(b"\n", b"\r\n")


@pytest.mark.parametrize("split", ["whole", "halves", "bytes"])
def test_a_transcript_gives_the_same_messages_however_it_is_split(split):
    data = wire_of("queue_call_answered")
    chunks = {"whole": [data], "halves": [data[:len(data) // 2], data[len(data) // 2:]],
              "bytes": [data[i:i + 1] for i in range(len(data))]}[split]
    framer, out = Framer(), []
    for c in chunks:
        out += framer.feed(c)
    assert framer.banner == "5.0.1"
    assert [m.event for m in out] == ["Newchannel", "QueueCallerJoin", "AgentCalled", "QueueMemberStatus",
                                      "AgentConnect", "QueueCallerLeave", "QueueMemberStatus"]
    assert out[0]["CallerIDName"] == "Ayşe Yılmaz" and out[0]["AccountCode"] == ""
    assert out[4]["HoldTime"] == "3" and out[4]["interface"] == "PJSIP/201"


def test_garbage_lines_are_skipped_and_counted():
    framer = Framer()
    out = framer.feed(BANNER + b"\x00\xff garbage\r\nEvent: Hangup\r\nno colon here\r\nUniqueid: 1.2\r\n\r\n")
    assert [m.as_dict() for m in out] == [{"Event": "Hangup", "Uniqueid": "1.2"}]
    assert framer.garbage == 2


def test_an_oversized_frame_is_refused_and_not_buffered():
    framer = Framer(max_bytes=4096)
    framer.feed(BANNER)
    with pytest.raises(FrameError, match="over 4096"):
        framer.feed(b"Event: X\r\nData: " + b"a" * 5000)
    assert framer.buffer == b""


def test_a_server_that_is_not_asterisk_is_refused():
    with pytest.raises(FrameError, match="not an AMI server"):
        Framer().feed(b"SSH-2.0-OpenSSH_9.2\r\n")


def test_latin1_bytes_do_not_break_decoding():
    out = Framer().feed(BANNER + b"Event: Newchannel\r\nCallerIDName: G\xf6ran\r\n\r\n")
    assert out[0]["CallerIDName"] == "Göran"


def test_an_action_cannot_smuggle_a_second_action():
    assert encode_action("QueuePause", "a1", {"Interface": "PJSIP/201", "Reason": "Lunch"}) == (
        b"Action: QueuePause\r\nActionID: a1\r\nInterface: PJSIP/201\r\nReason: Lunch\r\n\r\n")
    with pytest.raises(ValueError):
        encode_action("QueuePause", "a1", {"Reason": "x\r\n\r\nAction: Originate"})
