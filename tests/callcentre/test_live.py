"""The wallboard's picture of now (appliance/callcentre/live.py): calls waiting, today's KPIs against the targets and
each agent's state since when, from queue_log lines through the real driver and worker. Expected values are worked
out by hand from the lines below."""
from __future__ import annotations

from appliance import store
from appliance.callcentre import kpis, live
from appliance.paths import Paths
from cc_helpers import feed

T = 1_780_000_000           # "now" of the board
DAY = T - 3600              # today began an hour ago
LINES = [
    # PJSIP/204 logged in and off yesterday: not on today's board
    f"{T - 80000}|NONE|NONE|PJSIP/204|AGENTLOGIN|", f"{T - 70000}|NONE|NONE|PJSIP/204|AGENTLOGOFF|PJSIP/204|10000",
    f"{T - 3000}|NONE|sales|PJSIP/201|ADDMEMBER|", f"{T - 3000}|NONE|sales|PJSIP/202|ADDMEMBER|",
    f"{T - 3000}|NONE|support|PJSIP/203|ADDMEMBER|",
    f"{T - 600}|NONE|sales|PJSIP/202|PAUSE|Lunch",             # paused since T-600
    f"{T - 300}|NONE|support|PJSIP/203|REMOVEMEMBER|",        # logged out since T-300
    # c4: answered by the static member PJSIP/205 (never logged in), talked 100 s, ended at T-895
    f"{T - 1000}|c4|sales|NONE|ENTERQUEUE||0501111111|1", f"{T - 995}|c4|sales|PJSIP/205|CONNECT|5|c4b|3",
    f"{T - 895}|c4|sales|PJSIP/205|COMPLETECALLER|5|100|1",
    # c5: abandoned after 30 s (lost, not a short abandon)
    f"{T - 500}|c5|sales|NONE|ENTERQUEUE||0502222222|1", f"{T - 470}|c5|sales|NONE|ABANDON|1|1|30",
    # c1: answered by PJSIP/201 after 10 s, still talking
    f"{T - 100}|c1|sales|NONE|ENTERQUEUE||0503333333|1", f"{T - 90}|c1|sales|PJSIP/201|CONNECT|10|c1b|4",
    # c2 (sales) and c3 (support): waiting now
    f"{T - 50}|c2|sales|NONE|ENTERQUEUE||0504444444|1", f"{T - 20}|c3|support|NONE|ENTERQUEUE||0505555555|1",
    # c0: entered five hours ago and never ended: unterminated, not waiting
    f"{T - 18000}|c0|sales|NONE|ENTERQUEUE||0506666666|1",
]


def _board(tmp_path, lines=LINES, book=kpis.RuleBook(), queues=()) -> dict:
    feed(Paths(tmp_path), lines)
    try:
        return live.board(book, live.Targets(), T, DAY, queues)
    finally:
        store.close_db()


def test_queues_waiting_and_todays_kpis_against_the_targets(tmp_path):
    b = _board(tmp_path)
    sales, support = b["queues"]
    assert (sales["queue"], sales["waiting"], sales["longest_since"]) == ("sales", 1, T - 50)
    assert (support["queue"], support["waiting"], support["longest_since"]) == ("support", 1, T - 20)
    # sales today: c4, c5, c1, c2 offered (c0 entered before today); c4 and c1 answered within 20 s; c5 lost
    assert (sales["offered"], sales["answered"], sales["abandoned"]) == (4, 2, 1)
    assert (sales["service_level_pct"], sales["asa_s"], sales["lost_pct"]) == (50.0, 7.5, 25.0)
    # 50 % is more than 10 points under 80; 7.5 s is within 20 s; 25 % lost is over twice 5 %
    assert sales["grade"] == {"service_level_pct": "bad", "asa_s": "ok", "lost_pct": "bad"}
    assert (support["offered"], support["answered"], support["asa_s"]) == (1, 0, None)
    assert support["grade"] == {"service_level_pct": "bad", "asa_s": "", "lost_pct": "ok"}
    assert b["last_event"] == T - 20 and b["clock_ahead_s"] is None


def test_each_agent_in_its_state_since_when(tmp_path):
    b = _board(tmp_path)
    got = {a["agent"]: (a["state"], a["since"], a["reason"]) for a in b["agents"]}
    assert got == {"PJSIP/201": ("talking", T - 90, ""),           # connected at T-100 + 10 s hold
                   "PJSIP/202": ("paused", T - 600, "Lunch"),
                   "PJSIP/203": ("logged_out", T - 300, ""),
                   "PJSIP/205": ("ready", T - 895, "")}             # its last call ended then
    assert b["states"] == {"talking": 1, "wrapup": 0, "paused": 1, "ready": 1, "logged_out": 1}


def test_wrapup_after_a_call_then_ready(tmp_path):
    wrap = kpis.RuleBook(queues=(("sales", kpis.Rules(wrapup_seconds=1000)),))
    agents = {a["agent"]: a for a in _board(tmp_path, book=wrap)["agents"]}
    assert (agents["PJSIP/205"]["state"], agents["PJSIP/205"]["since"]) == ("wrapup", T - 895)
    store.close_db()
    short = kpis.RuleBook(queues=(("sales", kpis.Rules(wrapup_seconds=120)),))
    agents = {a["agent"]: a for a in _board(tmp_path / "2", book=short)["agents"]}
    assert (agents["PJSIP/205"]["state"], agents["PJSIP/205"]["since"]) == ("ready", T - 895 + 120)


def test_a_board_of_some_queues_and_a_pbx_clock_ahead(tmp_path):
    b = _board(tmp_path, LINES + [f"{T + 300}|c9|support|NONE|ENTERQUEUE||0507777777|1"], queues=("support",))
    assert [q["queue"] for q in b["queues"]] == ["support"]
    assert {a["agent"] for a in b["agents"]} == {"PJSIP/203"}      # the others' events and calls are sales'
    assert b["clock_ahead_s"] == 300


def test_an_unterminated_call_is_no_longer_talking_once_the_agent_answers_another(tmp_path):
    lines = LINES + [f"{T - 2000}|c6|sales|NONE|ENTERQUEUE||0508888888|1",
                     f"{T - 1990}|c6|sales|PJSIP/205|CONNECT|10|c6b|2"]   # its end was never logged
    agents = {a["agent"]: a for a in _board(tmp_path, lines)["agents"]}
    assert agents["PJSIP/205"]["state"] == "ready"


def test_grades_at_their_boundaries():
    t = live.Targets(service_level_pct=80, asa_s=20, lost_pct=5, wait_warn_s=60)
    assert [live.grade("service_level_pct", v, t) for v in (80, 79.99, 70, 69.99)] == ["ok", "warn", "warn", "bad"]
    assert [live.grade("asa_s", v, t) for v in (20, 20.01, 30, 30.01)] == ["ok", "warn", "warn", "bad"]
    assert [live.grade("lost_pct", v, t) for v in (5, 5.01, 10, 10.01)] == ["ok", "warn", "warn", "bad"]
    assert [live.grade("wait_s", v, t) for v in (60, 61, 90, 91)] == ["ok", "warn", "warn", "bad"]
    assert live.grade("asa_s", None, t) == ""


def test_agents_are_named_from_the_directory_by_the_extension_of_their_interface(tmp_path):
    from appliance.callcentre.agents import extension_of
    from appliance.directory import organisation
    from appliance.store import directory as sd
    assert [extension_of(m) for m in ("PJSIP/201", "SIP/202", "Local/203@from-queue/n", "Agent/1001", "IAX2/7-1",
                                      "Ayşe Yılmaz", "PJSIP/alice")] == ["201", "202", "203", "1001", "7", "", ""]
    feed(Paths(tmp_path), LINES)
    try:
        tid = sd.tenant_id("default", create=True)
        ayse = organisation.add_person(tid, "P1", "Ayşe", "Yılmaz")
        organisation.assign_extension(tid, ayse, "201", T - 86400)
        mehmet = organisation.add_person(tid, "P2", "Mehmet", "Öztürk")
        organisation.assign_extension(tid, mehmet, "202", T + 60)         # from after now: not yet theirs
        board = live.board(kpis.RuleBook(), live.Targets(), T, DAY, (), "default")
        names = {a["agent"]: a["name"] for a in board["agents"]}
        assert names == {"PJSIP/201": "Ayşe Yılmaz", "PJSIP/202": "", "PJSIP/203": "", "PJSIP/205": ""}
    finally:
        store.close_db()
