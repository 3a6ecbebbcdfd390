"""Queue calls (journeys) built to the Asterisk queue_log documentation (FORMATS.md §8), through the real driver and
worker: every call event, both CONNECT formats, and the bad input a real queue_log has (never a crash)."""
from __future__ import annotations

import pytest

from appliance import store
from appliance.callcentre import journeys as jn
from appliance.cli import main as cli
from appliance.paths import Paths
from cc_helpers import by_key, feed, journeys

T = 1700000000
# One call per documented ending, each named by its uniqueid (the `epoch.seq` Asterisk gives)
DOCUMENTED = [
    # A: rung, cancelled, answered (CONNECT holdtime|bridged uniqueid|ringtime), caller hangs up
    f"{T}|{T}.1|sales|NONE|ENTERQUEUE||0612345678|1",
    f"{T + 3}|{T}.1|sales|PJSIP/202|RINGNOANSWER|3000",
    f"{T + 12}|{T}.1|sales|PJSIP/203|RINGCANCELED|",
    f"{T + 12}|{T}.1|sales|PJSIP/201|CONNECT|12|{T + 11}.5|8",
    f"{T + 132}|{T}.1|sales|PJSIP/201|COMPLETECALLER|12|120|1",
    # B: older Asterisk: ENTERQUEUE without position, CONNECT holdtime|bridged uniqueid; the agent hangs up
    f"{T + 20}|{T + 20}.2|sales|NONE|ENTERQUEUE||0698765432",
    f"{T + 25}|{T + 20}.2|sales|PJSIP/202|CONNECT|5|{T + 24}.6",
    f"{T + 65}|{T + 20}.2|sales|PJSIP/202|COMPLETEAGENT|5|40|2",
    # C, D, E, F: the four transfers (extension|context|holdtime|calltime|origposition; method|data...|calltime|pos)
    f"{T + 30}|{T + 30}.3|sales|NONE|ENTERQUEUE|http://crm/?c=3|0611111111|1",
    f"{T + 37}|{T + 30}.3|sales|PJSIP/201|CONNECT|7|{T + 35}.7|2",
    f"{T + 87}|{T + 30}.3|sales|PJSIP/201|TRANSFER|300|from-internal|7|50|1",
    f"{T + 40}|{T + 40}.4|sales|NONE|ENTERQUEUE||0622222222|2",
    f"{T + 43}|{T + 40}.4|sales|PJSIP/202|CONNECT|3|{T + 40}.8|3",
    f"{T + 76}|{T + 40}.4|sales|PJSIP/202|BLINDTRANSFER|400|from-internal|3|33|2",
    f"{T + 50}|{T + 50}.5|sales|NONE|ENTERQUEUE||0633333333|1",
    f"{T + 59}|{T + 50}.5|sales|PJSIP/203|CONNECT|9|{T + 58}.9|1",
    f"{T + 129}|{T + 50}.5|sales|PJSIP/203|ATTENDEDTRANSFER|BRIDGE|{T + 100}.10|9|70|1",
    f"{T + 60}|{T + 60}.6|sales|NONE|ENTERQUEUE||0644444444|1",
    f"{T + 66}|{T + 60}.6|sales|PJSIP/204|CONNECT|6|{T + 65}.11|2",
    f"{T + 460}|{T + 60}.6|sales|PJSIP/204|ATTENDEDTRANSFER|LINK|Local/300@x-1;1|Local/300@x-1;2|6|394|1",
    # G..K: the exits without an agent (position|origposition|waittime; EXITWITHKEY key|position|origposition|wait)
    f"{T + 70}|{T + 70}.7|sales|NONE|ENTERQUEUE||0655555555|3",
    f"{T + 74}|{T + 70}.7|sales|NONE|ABANDON|2|3|4",
    f"{T + 80}|{T + 80}.8|sales|NONE|ENTERQUEUE||0666666666|1",
    f"{T + 125}|{T + 80}.8|sales|NONE|ABANDON|1|1|45",
    f"{T + 90}|{T + 90}.9|support|NONE|ENTERQUEUE||anonymous|1",
    f"{T + 390}|{T + 90}.9|support|NONE|EXITWITHTIMEOUT|1|1|300",
    f"{T + 100}|{T + 100}.10|support|NONE|ENTERQUEUE||0677777777|1",
    f"{T + 100}|{T + 100}.10|support|NONE|EXITEMPTY|1|1|0",
    f"{T + 110}|{T + 110}.11|sales|NONE|ENTERQUEUE||0688888888|2",
    f"{T + 140}|{T + 110}.11|sales|NONE|EXITWITHKEY|5|1|2|30",
    # L: still waiting (or its end never logged): unterminated
    f"{T + 120}|{T + 120}.12|support|NONE|ENTERQUEUE||0699999999|1",
    # M: one caller in two queues: times out of sales, answered in support (two queue calls)
    f"{T + 130}|{T + 130}.13|sales|NONE|ENTERQUEUE||0600000013|1",
    f"{T + 190}|{T + 130}.13|sales|NONE|EXITWITHTIMEOUT|1|1|60",
    f"{T + 190}|{T + 130}.13|support|NONE|ENTERQUEUE||0600000013|1",
    f"{T + 200}|{T + 130}.13|support|PJSIP/301|CONNECT|10|{T + 199}.14|4",
    f"{T + 260}|{T + 130}.13|support|PJSIP/301|COMPLETECALLER|10|60|1",
]
# (outcome, wait_s, agent, ring_s, end_event, talk_s, extra fields) per queue call, from the lines above by hand
EXPECTED = {
    f"{T}.1@sales": ("answered", 12, "PJSIP/201", 8, "COMPLETECALLER", 120,
                     {"position": 1, "caller": "0612345678", "bridged": f"{T + 11}.5", "rna": 1,
                      "rings": [["PJSIP/202", "RINGNOANSWER", 3000, T + 3],
                                ["PJSIP/203", "RINGCANCELED", None, T + 12]]}),
    f"{T + 20}.2@sales": ("answered", 5, "PJSIP/202", None, "COMPLETEAGENT", 40, {"position": None}),
    f"{T + 30}.3@sales": ("answered", 7, "PJSIP/201", 2, "TRANSFER", 50,
                          {"transfer_to": "300@from-internal", "url": "http://crm/?c=3"}),
    f"{T + 40}.4@sales": ("answered", 3, "PJSIP/202", 3, "BLINDTRANSFER", 33, {"transfer_to": "400@from-internal"}),
    f"{T + 50}.5@sales": ("answered", 9, "PJSIP/203", 1, "ATTENDEDTRANSFER", 70,
                          {"transfer_to": f"BRIDGE:{T + 100}.10"}),
    f"{T + 60}.6@sales": ("answered", 6, "PJSIP/204", 2, "ATTENDEDTRANSFER", 394, {"end_utc": T + 460}),
    f"{T + 70}.7@sales": ("abandoned", 4, "", None, "", None, {"exit_position": 2, "position": 3}),
    f"{T + 80}.8@sales": ("abandoned", 45, "", None, "", None, {}),
    f"{T + 90}.9@support": ("timeout", 300, "", None, "", None, {"end_utc": T + 390}),
    f"{T + 100}.10@support": ("exit_empty", 0, "", None, "", None, {}),
    f"{T + 110}.11@sales": ("exit_key", 30, "", None, "", None, {"exit_key": "5", "exit_position": 1}),
    f"{T + 120}.12@support": ("", None, "", None, "", None, {}),
    f"{T + 130}.13@sales": ("timeout", 60, "", None, "", None, {}),
    f"{T + 130}.13@support": ("answered", 10, "PJSIP/301", 4, "COMPLETECALLER", 60, {"entered_utc": T + 190}),
}
COLUMNS = ("outcome", "wait_s", "agent", "ring_s", "end_event", "talk_s")


@pytest.fixture
def paths(tmp_path):
    yield Paths(tmp_path)
    store.close_db()


def check_documented(rows: list[dict]) -> None:
    got = by_key(rows)
    assert sorted(got) == sorted(EXPECTED)
    for key, (*want, extra) in EXPECTED.items():
        assert tuple(got[key][c] for c in COLUMNS) == tuple(want), key
        assert {k: got[key][k] for k in extra} == extra, key
        assert got[key]["seen_enter"] == 1 and got[key]["problems"] == [], key


def test_every_documented_event_and_both_connect_formats_make_their_journey(paths):
    feed(paths, DOCUMENTED)
    check_documented(journeys())


def test_journeys_are_the_same_fed_line_by_line_in_any_batching(paths):
    for line in DOCUMENTED:   # each line its own worker batch: every journey rebuilt as its events arrive
        feed(paths, [line])
        store.close_db()
    store.open_db(paths.db)
    check_documented(journeys())


def test_out_of_order_lines_give_the_same_journeys_flagged(paths):
    feed(paths, list(reversed(DOCUMENTED)))
    rows = journeys()
    assert all("out_of_order" in r["problems"] for r in rows if r["end_event"] or r["outcome"])
    for r in rows:
        r["problems"] = [p for p in r["problems"] if p != "out_of_order"]
    check_documented(rows)


def test_duplicated_lines_after_a_rotation_change_nothing(paths):
    feed(paths, DOCUMENTED)
    feed(paths, DOCUMENTED[5:20])   # the file re-read from an earlier point
    check_documented(journeys())
    assert store.db.execute_sql("SELECT COUNT(*) FROM duplicate").fetchone()[0] == 15


def test_bad_lines_are_quarantined_and_system_events_make_no_journey(paths):
    bad = [b"\x00" * 300, f"{T}|{T}.1|sales|NONE".encode(), b"garbage", f"{T}|{T}.1|sales|NONE|CONNECT|x|y|z".encode(),
           f"{T + 1}|NONE|NONE|NONE|QUEUESTART|".encode(), f"{T + 2}|NONE|NONE|NONE|CONFIGRELOAD|".encode(),
           f"{T + 3}|REALTIME|sales|PJSIP/201|ADDMEMBER|".encode()]
    feed(paths, bad[:4] + [x.encode() for x in DOCUMENTED] + bad[4:])
    check_documented(journeys())
    assert store.db.execute_sql("SELECT COUNT(*) FROM quarantine").fetchone()[0] == 4


def test_a_call_whose_enterqueue_was_never_seen_is_kept_apart_and_flagged(paths):
    feed(paths, [f"{T - 50}|{T - 60}.99|sales|PJSIP/201|CONNECT|10|{T - 51}.1|3",
                 f"{T + 10}|{T - 60}.99|sales|PJSIP/201|COMPLETEAGENT|10|60|1",
                 f"{T - 5}|{T - 9}.98|sales|NONE|ABANDON|1|1|4"] + DOCUMENTED)
    rows = journeys("seen_enter = 0")
    assert [(r["call_key"], r["outcome"], r["talk_s"], r["problems"]) for r in rows] == [
        (f"{T - 60}.99", "answered", 60, ["no_enterqueue"]), (f"{T - 9}.98", "abandoned", None, ["no_enterqueue"])]
    check_documented(journeys("seen_enter = 1"))


def test_events_that_contradict_the_documented_sequence_are_flagged_first_one_counts(paths):
    k = f"{T}.50"
    feed(paths, [f"{T}|{k}|q|NONE|ENTERQUEUE||1|1", f"{T + 5}|{k}|q|A|CONNECT|5|x|1",
                 f"{T + 6}|{k}|q|B|CONNECT|6|y|1", f"{T + 9}|{k}|q|A|COMPLETEAGENT|5|3|1",
                 f"{T + 9}|{k}|q|A|COMPLETECALLER|5|4|1", f"{T + 10}|{k}|q|NONE|ABANDON|1|1|10",
                 f"{T}|{T}.51|q|NONE|ENTERQUEUE||2|1", f"{T + 9}|{T}.51|q|A|COMPLETEAGENT|5|3|1"])
    a, b = journeys()
    assert (a["agent"], a["wait_s"], a["talk_s"], a["outcome"]) == ("A", 5, 3, "answered")
    assert a["problems"] == ["two_connects", "two_ends", "connect_and_exit"]
    assert (b["outcome"], b["talk_s"], b["problems"]) == ("", 3, ["end_without_connect"])


def test_the_same_uniqueid_entering_the_same_queue_again_is_a_second_queue_call(paths):
    k = f"{T}.60"
    feed(paths, [f"{T}|{k}|q|NONE|ENTERQUEUE||1|1", f"{T + 30}|{k}|q|NONE|EXITWITHTIMEOUT|1|1|30",
                 f"{T + 31}|{k}|q|NONE|ENTERQUEUE||1|1", f"{T + 40}|{k}|q|A|CONNECT|9|x|2"])
    assert [(r["entered_utc"], r["outcome"], r["wait_s"]) for r in journeys()] == [
        (T, "timeout", 30), (T + 31, "answered", 9)]


def test_reprocessing_and_rebuilding_give_the_same_journeys(paths, capsys):
    feed(paths, DOCUMENTED)
    store.close_db()
    for _ in range(2):
        assert cli.main(["reprocess", "--data", str(paths.data), "--driver", "asterisk_queue_log"]) == 0
        store.close_db()
    store.open_db(paths.db)
    check_documented(journeys())
    store.db.execute_sql("DELETE FROM queue_state")
    store.db.execute_sql("UPDATE queue_call SET outcome = 'stale'")
    jn.ensure_built()   # an upgraded database: every journey built once from the stored events
    check_documented(journeys())


def test_build_never_raises_on_parameters_another_driver_version_stored():
    rows = [(1, T, "k", "q", "", "ENTERQUEUE", '["", "1"]'), (2, T + 1, "k", "q", "A", "CONNECT", '["x"]'),
            (3, T + 2, "k", "q", "A", "COMPLETEAGENT", '[]'), (4, T + 3, "k", "q", "", "ABANDON", "not json")]
    (j,) = jn.build("asterisk_queue_log", rows)
    assert j.problems == ["bad_params"] and j.seen_enter == 1
