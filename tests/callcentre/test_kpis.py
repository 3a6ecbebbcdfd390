"""The queue and agent KPIs (issue 15 "Done when"): on the real FreePBX queue_log fixtures and on the documented
journeys of test_journeys.py, each figure checked against an independent calculation written here from the raw lines
(not through appliance.callcentre), through `callbox queue kpis|agents --json`."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from appliance import store
from appliance.callcentre import agents, kpis
from appliance.cli import main as cli
from appliance.config import Config, ConfigError
from appliance.paths import Paths
from cc_helpers import feed
from conftest import FIXTURES, REPO
from test_journeys import DOCUMENTED, T


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


QUEUE_LOGS = sorted((FIXTURES / "asterisk_queue_log").glob("*.raw"))


def run(capsys, data, *argv) -> dict:
    try:
        rc = cli.main(["queue", *argv, "--data", str(data), "--json"])
    finally:
        store.close_db()
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


def independent(lines: list[str], sl: int = 20, short: int = 5, long_: int = 300) -> list[dict]:
    """The KPIs from the raw lines, by the issue's definitions, in file order: the first CONNECT, end and exit count."""
    calls: dict[tuple[str, str], dict] = {}
    for line in lines:
        f = line.split("|")
        if len(f) < 6 or not f[0].isdigit():
            continue
        key, event, p = (f[1], f[2]), f[4], f[5:]
        if event == "ENTERQUEUE":
            calls[key] = {"queue": f[2]}
            continue
        c = calls.get(key)
        if c is None:
            continue   # a call whose ENTERQUEUE was not seen: no queue call
        if event == "CONNECT":
            c.setdefault("hold", int(p[0]))
        elif event in ("COMPLETECALLER", "COMPLETEAGENT"):
            c.setdefault("talk", int(p[1]))
        elif event in ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"):
            c.setdefault("talk", int(p[-2]))
        elif event in ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"):
            c.setdefault("exit", (event, int(p[-1])))
    for c in calls.values():   # answered = has a CONNECT, whatever else was logged
        if "hold" in c:
            c.pop("exit", None)
        else:
            c.pop("talk", None)
    out = []
    for queue in sorted({c["queue"] for c in calls.values()}):
        qc = [c for c in calls.values() if c["queue"] == queue]
        ans = [c for c in qc if "hold" in c]
        ended = [c for c in ans if "talk" in c]

        def exits(name):
            return [c for c in qc if c.get("exit", ("",))[0] == name]
        short_n = sum(1 for c in exits("ABANDON") if c["exit"][1] <= short)
        base = len(qc) - short_n
        lost = sum(len(exits(e)) for e in ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"))
        waits = [c["hold"] for c in ans] + [c["exit"][1] for c in qc if "exit" in c]
        talk = sum(c["talk"] for c in ended)
        out.append({
            "queue": queue, "offered": len(qc), "answered": len(ans), "abandoned": len(exits("ABANDON")),
            "timeout": len(exits("EXITWITHTIMEOUT")), "exit_empty": len(exits("EXITEMPTY")),
            "exit_key": len(exits("EXITWITHKEY")), "short_abandoned": short_n,
            "unterminated": sum(1 for c in qc if "hold" not in c and "exit" not in c),
            "asa_s": round(sum(c["hold"] for c in ans) / len(ans), 2) if ans else None,
            "service_level_pct": round(100 * sum(1 for c in ans if c["hold"] <= sl) / base, 2) if base else None,
            "lost_pct": round(100 * (lost - short_n) / base, 2) if base else None,
            "talk_s": float(talk), "aht_s": round(talk / len(ended), 2) if ended else None,
            "over_5min": sum(1 for c in ended if c["talk"] > long_),
            "max_wait_s": float(max(waits)) if waits else None, "outside_hours": 0})   # no opening hours: all open
    return out


@pytest.mark.parametrize("raw", QUEUE_LOGS, ids=[p.stem for p in QUEUE_LOGS])
def test_queue_kpis_of_the_real_queue_logs_match_an_independent_calculation(tmp_path, capsys, raw):
    lines = raw.read_text(encoding="utf-8").splitlines()
    feed(Paths(tmp_path), lines)
    store.close_db()
    got = run(capsys, tmp_path, "kpis")["queues"]
    assert got == independent(lines)
    assert all(list(row) == list(kpis.FIELDS) for row in got)   # the contract's fields, in order
    narrow = run(capsys, tmp_path, "kpis", "--sl-seconds", "3", "--short-abandon-seconds", "0")["queues"]
    assert narrow == independent(lines, sl=3, short=0)


def test_the_real_freepbx_queue_figures(tmp_path, capsys):
    """Queue 9000 of the 2010 FreePBX log, counted by hand with grep: 21 ENTERQUEUE, 8 CONNECT (old 2-parameter
    format), 12 ABANDON (2 of them after at most 5 s), one call still waiting when the log ends."""
    lines = (FIXTURES / "asterisk_queue_log" / "axelliek-freepbx-queue9000-2010.raw").read_text().splitlines()
    feed(Paths(tmp_path), lines)
    store.close_db()
    (q,) = run(capsys, tmp_path, "kpis")["queues"]
    assert sum("|ENTERQUEUE|" in x for x in lines) == q["offered"] == 21
    assert sum("|CONNECT|" in x for x in lines) == q["answered"] == 8
    assert sum("|ABANDON|" in x for x in lines) == q["abandoned"] == 12
    abandon_waits = [int(x.split("|")[-1]) for x in lines if "|ABANDON|" in x]
    assert q["short_abandoned"] == sum(w <= 5 for w in abandon_waits) == 2
    assert q["unterminated"] == 1
    holds = [int(x.split("|")[5]) for x in lines if "|CONNECT|" in x]
    assert q["asa_s"] == round(sum(holds) / 8, 2) == 17.88
    assert q["max_wait_s"] == max(holds + abandon_waits) == 84


def test_queue_kpis_of_the_documented_journeys(tmp_path, capsys):
    feed(Paths(tmp_path), DOCUMENTED)
    store.close_db()
    got = run(capsys, tmp_path, "kpis")["queues"]
    assert got == independent(DOCUMENTED)
    # and by hand from the comments of DOCUMENTED: sales A-H, K and M's first queue; support I, J, L, M's second
    sales, support = got
    assert sales == {"queue": "sales", "offered": 10, "answered": 6, "abandoned": 2, "timeout": 1, "exit_empty": 0,
                     "exit_key": 1, "short_abandoned": 1, "unterminated": 0, "asa_s": 7.0,
                     "service_level_pct": 66.67, "lost_pct": 33.33, "talk_s": 707.0, "aht_s": 117.83, "over_5min": 1,
                     "max_wait_s": 60.0, "outside_hours": 0}
    assert support == {"queue": "support", "offered": 4, "answered": 1, "abandoned": 0, "timeout": 1,
                       "exit_empty": 1, "exit_key": 0, "short_abandoned": 0, "unterminated": 1, "asa_s": 10.0,
                       "service_level_pct": 25.0, "lost_pct": 50.0, "talk_s": 60.0, "aht_s": 60.0, "over_5min": 0,
                       "max_wait_s": 300.0, "outside_hours": 0}
    only = run(capsys, tmp_path, "kpis", "--queue", "sales", "--sl-seconds", "5", "--short-abandon-seconds", "0")
    assert only["queues"] == independent(DOCUMENTED, sl=5, short=0)[:1]
    assert (only["queues"][0]["service_level_pct"], only["queues"][0]["lost_pct"]) == (20.0, 40.0)
    # the period holds the calls that entered in it: [T+30, T+100) is C, D, E, F, G, H in sales, I in support
    part = run(capsys, tmp_path, "kpis", "--since", iso(T + 30), "--until", iso(T + 100))["queues"]
    assert [(q["queue"], q["offered"], q["answered"]) for q in part] == [("sales", 6, 4), ("support", 1, 0)]


def test_per_queue_rules_and_wrapup_from_the_configuration(tmp_path, capsys):
    feed(Paths(tmp_path), DOCUMENTED)
    store.close_db()
    (tmp_path / "callbox.ini").write_text("[callcentre]\nwrapup_seconds = 10\nqueues =\n"
                                          "    sales = sl_seconds=5, long_call_seconds=100\n")
    sales, support = run(capsys, tmp_path, "kpis")["queues"]
    # sales: answered within 5 s: B (5) and D (3) of 10 - 1 short abandon; talks over 100 s: A (120), F (394)
    assert (sales["service_level_pct"], sales["over_5min"], sales["aht_s"]) == (22.22, 2, round((707 + 60) / 6, 2))
    assert (support["service_level_pct"], support["over_5min"], support["aht_s"]) == (25.0, 0, 70.0)


def test_a_denominator_of_zero_prints_null(tmp_path, capsys):
    feed(Paths(tmp_path), [f"{T}|{T}.1|q|NONE|ENTERQUEUE||1|1", f"{T + 2}|{T}.1|q|NONE|ABANDON|1|1|2"])
    store.close_db()
    (q,) = run(capsys, tmp_path, "kpis")["queues"]
    assert (q["offered"], q["short_abandoned"], q["service_level_pct"], q["lost_pct"], q["asa_s"], q["aht_s"]) == \
        (1, 1, None, None, None, None)
    assert run(capsys, tmp_path, "kpis", "--queue", "other")["queues"] == []


MEMBER_EVENTS = [
    f"{T}|NONE|sales|PJSIP/201|ADDMEMBER|", f"{T + 100}|NONE|support|PJSIP/201|ADDMEMBER|",
    f"{T + 100}|NONE|NONE|Agent/1002|AGENTLOGIN|PJSIP/202-0001",
    f"{T + 200}|NONE|sales|PJSIP/201|PAUSE|Lunch", f"{T + 500}|NONE|sales|PJSIP/201|UNPAUSE|",
    f"{T + 400}|NONE|NONE|Agent/1002|AGENTLOGOFF|PJSIP/202-0001|300",
    f"{T + 600}|NONE|NONE|PJSIP/201|PAUSEALL|Meeting", f"{T + 700}|NONE|NONE|PJSIP/201|UNPAUSEALL|",
    f"{T + 800}|NONE|sales|PJSIP/201|REMOVEMEMBER|", f"{T + 900}|NONE|NONE|Agent/1001|AGENTLOGOFF|PJSIP/203-1|400",
    f"{T + 1000}|NONE|support|PJSIP/201|REMOVEMEMBER|", f"{T + 2000}|NONE|sales|PJSIP/201|ADDMEMBER|",
    f"{T + 2100}|{T + 2100}.1|sales|NONE|ENTERQUEUE||0612|1",
    f"{T + 2103}|{T + 2100}.1|sales|PJSIP/202|RINGNOANSWER|3000",
    f"{T + 2110}|{T + 2100}.1|sales|PJSIP/201|CONNECT|10|{T + 2109}.2|2",
    f"{T + 2230}|{T + 2100}.1|sales|PJSIP/201|COMPLETECALLER|10|120|1",
    f"{T + 2500}|NONE|NONE|NONE|QUEUESTART|",
]


def test_agent_sessions_pauses_and_occupancy(tmp_path, capsys):
    feed(Paths(tmp_path), MEMBER_EVENTS)
    store.close_db()
    got = {a["agent"]: a for a in run(capsys, tmp_path, "agents", "--until", iso(T + 2500))["agents"]}
    # PJSIP/201: member from T to T+1000 (two queues) and from T+2000 to the end; paused 300 s Lunch, 100 s Meeting
    assert got["PJSIP/201"] == {"agent": "PJSIP/201", "answered": 1, "talk_s": 120.0, "ring_no_answer": 0,
                                "answer_rate_pct": 100.0, "login_s": 1500.0, "pause_s": 400.0,
                                "occupancy_pct": round(100 * 120 / (1500 - 400), 2),
                                "pause_by_reason": {"Lunch": 300.0, "Meeting": 100.0}}
    assert (got["PJSIP/202"]["answer_rate_pct"], got["PJSIP/202"]["ring_no_answer"]) == (0.0, 1)
    assert got["Agent/1002"]["login_s"] == 300.0
    assert got["Agent/1001"]["login_s"] == 400.0   # its login never seen: the AGENTLOGOFF's logintime
    part = {a["agent"]: a for a in run(capsys, tmp_path, "agents", "--since", iso(T + 300),
                                       "--until", iso(T + 2500))["agents"]}
    assert part["PJSIP/201"]["login_s"] == 1200.0
    assert part["PJSIP/201"]["pause_by_reason"] == {"Lunch": 200.0, "Meeting": 100.0}
    assert (part["Agent/1002"]["login_s"], part["Agent/1001"]["login_s"]) == (100.0, 400.0)
    (tmp_path / "callbox.ini").write_text("[callcentre]\nwrapup_seconds = 30\n")
    wrapped = {a["agent"]: a for a in run(capsys, tmp_path, "agents", "--until", iso(T + 2500))["agents"]}
    assert wrapped["PJSIP/201"]["occupancy_pct"] == round(100 * 150 / 1100, 2)
    assert list(wrapped["PJSIP/201"]) == list(agents.FIELDS)


def test_every_kpi_is_defined_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Call-centre KPIs"):]
    for name in (*kpis.DEFINITIONS, *agents.DEFINITIONS):
        assert re.search(rf"`{name}`", section), name


@pytest.mark.parametrize("line, problem", [("sales", "expected QUEUE = key=value"),
                                           ("sales = sl=30", "'sl=30': expected one of"),
                                           ("sales = sl_seconds=thirty", "'thirty' is not a whole number"),
                                           ("sales = sl_seconds=3\n  sales = sl_seconds=4", "once per queue")])
def test_a_bad_queue_rule_names_the_section_option_and_line(line, problem):
    with pytest.raises(ConfigError, match=r"\[callcentre\] queues: line \d") as e:
        kpis.rulebook(Config(text=f"[callcentre]\nqueues =\n  {line}\n"))
    assert problem in str(e.value)
