"""drivers.asterisk_queue_log: hand-checked events from the real samples and the constructed fixture."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from appliance.records import NotACallRecord, QueueEvent
from drivers import asterisk_queue_log as qlog
from drivers_helpers import FIXTURES, decode, frame

FOLDER = FIXTURES / "asterisk_queue_log"
ALTANAI = FOLDER / "altanai-queues-readme-2020.raw"
FREEPBX = FOLDER / "axelliek-freepbx-queue9000-2010.raw"
BUILT = FOLDER / "constructed-events-13.raw"
UTC = timezone.utc


def lines(raw) -> list[str]:
    return [decode(line, qlog.ENCODING) for line in frame(raw.read_bytes())]


def event(raw, number: int) -> QueueEvent:
    rec = qlog.parse(lines(raw)[number - 1])
    assert isinstance(rec, QueueEvent)
    return rec


def test_system_events_have_no_call_key():
    rec = event(ALTANAI, 1)   # 1596191926|NONE|NONE|NONE|QUEUESTART|
    assert rec == QueueEvent(datetime(2020, 7, 31, 10, 38, 46, tzinfo=UTC), "", "", "", "QUEUESTART", ())
    cli = event(ALTANAI, 6)   # 1596510480|CLI|sales|SIP/0004f2040001|ADDMEMBER|
    assert (cli.call_key, cli.queue, cli.agent, cli.event, cli.params) == ("", "sales", "SIP/0004f2040001",
                                                                           "ADDMEMBER", ())
    realtime = event(BUILT, 2)   # 1709283605|REALTIME|sales|PJSIP/201|ADDMEMBER|
    assert realtime.call_key == "" and realtime.agent == "PJSIP/201"


def test_enterqueue_with_position_and_abandon():
    enter = event(ALTANAI, 7)   # 1596512941|1596512941.163|support|NONE|ENTERQUEUE||7000|1
    assert enter == QueueEvent(datetime(2020, 8, 4, 3, 49, 1, tzinfo=UTC), "1596512941.163", "support", "",
                               "ENTERQUEUE", ("", "7000", "1"))
    gone = event(ALTANAI, 8)   # ...|ABANDON|1|1|68: position 1, entered at 1, waited 68 s
    assert (gone.call_key, gone.event, gone.params) == ("1596512941.163", "ABANDON", ("1", "1", "68"))
    assert (gone.time - enter.time).total_seconds() == 68


def test_freepbx_2010_old_connect_and_the_call_it_belongs_to():
    connect = event(FREEPBX, 8)   # 1266833912|1266833905.2|9000|Local/2004@from-internal/n|CONNECT|1|1266833911.7
    assert connect.params == ("1", "1266833911.7") and connect.agent == "Local/2004@from-internal/n"
    assert connect.time == datetime(2010, 2, 22, 10, 18, 32, tzinfo=UTC)
    enter = event(FREEPBX, 5)   # ENTERQUEUE||01773597776: the old 2-parameter form
    assert enter.params == ("", "01773597776")
    story = [rec.event for rec in map(qlog.parse, lines(FREEPBX)) if rec and rec.call_key == "1266833905.2"]
    assert story == ["ENTERQUEUE", "RINGNOANSWER", "RINGNOANSWER", "CONNECT", "COMPLETEAGENT"]
    assert event(FREEPBX, 9).params == ("1", "3", "1")   # COMPLETEAGENT holdtime|calltime|origposition
    assert event(FREEPBX, 12).params == ("1000",)   # RINGNOANSWER in milliseconds


def test_freepbx_2010_event_counts():
    counts: dict[str, int] = {}
    for rec in map(qlog.parse, lines(FREEPBX)):
        counts[rec.event] = counts.get(rec.event, 0) + 1
    assert counts == {"QUEUESTART": 2, "CONFIGRELOAD": 7, "ENTERQUEUE": 21, "RINGNOANSWER": 221, "CONNECT": 8,
                      "COMPLETEAGENT": 6, "COMPLETECALLER": 1, "ABANDON": 12}


def test_constructed_transfers_and_pauses():
    link = event(BUILT, 23)   # ATTENDEDTRANSFER|LINK|chan1|chan2|6|94|1: method-data is two channels
    assert link.params == ("LINK", "Local/300@from-internal-00000001;1", "Local/300@from-internal-00000001;2",
                           "6", "94", "1")
    assert event(BUILT, 20).params == ("BRIDGE", "1709284690.55", "10", "90", "1")
    assert event(BUILT, 17).params == ("300", "from-internal", "5", "60", "1")   # BLINDTRANSFER
    assert event(BUILT, 6).params == ("19", "1709283700.15", "7")   # CONNECT with ringtime
    assert event(BUILT, 10).params == ("5", "1", "2", "30")   # EXITWITHKEY key 5
    pause = event(BUILT, 28)
    assert (pause.event, pause.call_key, pause.agent, pause.params) == ("PAUSE", "", "PJSIP/201", ("Lunch",))
    assert event(BUILT, 29).params == () and event(BUILT, 30).queue == ""   # UNPAUSE|, PAUSEALL in NONE
    assert qlog.parse(lines(BUILT)[7]) is None   # the blank line


@pytest.mark.parametrize("line, reason", [
    ("1709285600|1709285590.90|sales|NONE|NOSUCHEVENT|0800123456", "event 'NOSUCHEVENT' is not a queue_log event"),
    ("1709285600|1709285590.90|sales|NONE|CONNECT|5", "CONNECT with 1 parameters, expected 2 to 3"),
    ("1709285600|1709285590.90|sales|NONE|ABANDON|1|1", "ABANDON with 2 parameters, expected 3"),
    ("1709285600|1709285590.90|sales|NONE|QUEUESTART|x", "QUEUESTART with 1 parameters, expected 0"),
    ("1709285600|1709285590.90|sales|NONE|ABANDON|1|1|x8", "ABANDON parameter 3 'x8' is not a number"),
    ("1709285600|x|sales|PJSIP/2|ATTENDEDTRANSFER|APP|x|-1|2|3", "ATTENDEDTRANSFER parameter 3 '-1'"),
    ("1709285600|x|sales|NONE|ENTERQUEUE||0612|one", "ENTERQUEUE parameter 3 'one' is not a number"),
    ("-1709285600|1709285590.90|sales|NONE|ABANDON|1|1|8", "is not epoch seconds"),
    ("17092856000|1709285590.90|sales|NONE|ABANDON|1|1|8", "is not epoch seconds"),
    ("1709285600|1709285590.90|sales|NONE|ABANDON", "5 fields"),
    ("1709285600||sales|NONE|ABANDON|1|1|8", "empty callid"),
    ("1709285600|NONE|NONE|NONE|abandon|1|1|8", "event 'abandon'"),
    ("1709285600|NONE|NONE|NONE|QUEUESTART|" + " " * 9000, "at most 8192"),
])
def test_what_is_quarantined(line, reason):
    with pytest.raises(NotACallRecord, match=reason.replace("(", r"\(")):
        qlog.parse(line)


def test_the_event_table_covers_formats_md():
    documented = ("ENTERQUEUE CONNECT COMPLETEAGENT COMPLETECALLER ABANDON EXITWITHTIMEOUT EXITEMPTY EXITWITHKEY "
                  "RINGNOANSWER RINGCANCELED TRANSFER ATTENDEDTRANSFER BLINDTRANSFER AGENTLOGIN AGENTLOGOFF "
                  "AGENTCALLBACKLOGIN AGENTCALLBACKLOGOFF ADDMEMBER REMOVEMEMBER AGENTDUMP QUEUESTART "
                  "CONFIGRELOAD SYSCOMPAT PAUSE UNPAUSE PAUSEALL UNPAUSEALL PAUSEREASON").split()
    assert sorted(documented + ["DID"]) == list(qlog.EVENTS)   # + FreePBX's DID (unverified, see the driver)


def test_no_options_and_detection():
    with pytest.raises(ValueError, match="no option 'x'"):
        qlog.make_parser(x="1")
    assert qlog.looks_like(lines(FREEPBX)) == 1.0
    assert qlog.looks_like(lines(BUILT)) == pytest.approx(31 / 37)
    assert qlog.looks_like(["2017/07/01 08:13:24,00:00:20,7,214,O,215"]) == 0.0


def test_speed():
    text = lines(FREEPBX)
    t0 = time.process_time()
    for _ in range(10):
        for line in text:
            qlog.parse(line)
    per_line = (time.process_time() - t0) / (10 * len(text))
    assert per_line < 20e-6, f"{per_line * 1e6:.1f} us/line"
