"""The call-centre reports (issue 15, CC-3) on the documented journeys and the real FreePBX log, each figure checked
against a calculation written here from the raw lines (not through appliance.callcentre), through `callbox queue
report NAME --json` where a user's script would read it."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.callcentre import kpis, opening, reports
from appliance.callcentre.tables import WAIT_BANDS, Ask
from appliance.cli import main as cli
from appliance.config import ConfigError
from appliance.paths import Paths
from cc_helpers import feed
from conftest import FIXTURES
from test_journeys import DOCUMENTED, T

FREEPBX = (FIXTURES / "asterisk_queue_log" / "axelliek-freepbx-queue9000-2010.raw").read_text().splitlines()
# agents' sessions and pauses around the documented calls: 201 logs in, pauses for lunch and for after-call work,
# logs off; 202 is a dynamic member of sales from ADDMEMBER to REMOVEMEMBER, paused once
SESSIONS = [
    f"{T - 600}|NONE|NONE|Agent/201|AGENTLOGIN|PJSIP/201",
    f"{T + 200}|NONE|sales|Agent/201|PAUSE|Lunch",
    f"{T + 500}|NONE|sales|Agent/201|UNPAUSE|",
    f"{T + 800}|NONE|sales|Agent/201|PAUSE|ACW",
    f"{T + 860}|NONE|sales|Agent/201|UNPAUSE|",
    f"{T + 3000}|NONE|NONE|Agent/201|AGENTLOGOFF|PJSIP/201|3600",
    f"{T - 100}|NONE|sales|PJSIP/202|ADDMEMBER|",
    f"{T + 1000}|NONE|sales|PJSIP/202|PAUSE|Coffee",
    f"{T + 1300}|NONE|sales|PJSIP/202|UNPAUSE|",
    f"{T + 2000}|NONE|sales|PJSIP/202|REMOVEMEMBER|",
]
LINES = FREEPBX + DOCUMENTED + SESSIONS


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    data = tmp_path_factory.mktemp("reports")
    (data / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\ntimezone = Europe/Istanbul\n"
                                      "[callcentre]\nwrapup_pause_reasons = acw, Wrap-up\n", encoding="utf-8")
    feed(Paths(data), LINES)
    store.close_db()
    return data


def run(capsys, data, name, *argv) -> dict:
    try:
        rc = cli.main(["queue", "report", name, "--data", str(data), "--json", *argv])
    finally:
        store.close_db()
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


def rows_by(doc: dict, key: str = "") -> dict:
    cols = doc["columns"]
    return {r[0] if not key else r[cols.index(key)]: dict(zip(cols, r)) for r in doc["rows"]}


def parsed(lines=LINES) -> dict[tuple[str, str], dict]:
    """The queue calls of the raw lines by the documentation: ENTERQUEUE opens one; first CONNECT/end/exit count."""
    calls: dict[tuple[str, str], dict] = {}
    for line in lines:
        f = line.split("|")
        if len(f) < 5 or not f[0].isdigit():
            continue
        key, event, p = (f[1], f[2]), f[4], f[5:]
        if event == "ENTERQUEUE":
            calls[key] = {"queue": f[2], "at": int(f[0]), "caller": p[1] if len(p) > 1 else ""}
        elif key in calls:
            c = calls[key]
            if event == "CONNECT":
                c.setdefault("hold", int(p[0]))
                c.setdefault("agent", f[3])
            elif event in ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"):
                c.setdefault("exit", (event, int(p[-1]), int(f[0])))
    return calls


def band(seconds: int) -> str:
    for label, lo, hi in WAIT_BANDS:
        if seconds >= lo and (hi is None or seconds <= hi):
            return label
    raise AssertionError(seconds)


def test_every_report_runs_and_the_summary_is_the_kpis(box, capsys):
    every = {name: run(capsys, box, name, "--since", "2000-01-01") for name in reports.REPORTS}
    assert len(every) >= 20
    try:
        cli.main(["queue", "kpis", "--data", str(box), "--json"])
    finally:
        store.close_db()
    kpi_rows = json.loads(capsys.readouterr().out)["queues"]
    summary = every["queue_summary"]
    assert [dict(zip(summary["columns"], r)) for r in summary["rows"]] == kpi_rows
    assert summary["totals"][1] == sum(q["offered"] for q in kpi_rows)
    # the KPIs by month add up to the summary's totals (the hour roll-ups and the queue calls agree)
    month = every["service_level_by_month"]
    assert sum(r[1] for r in month["rows"]) == summary["totals"][1]


def test_answered_and_lost_by_wait_band(box, capsys):
    calls = parsed()
    answered: dict[str, int] = {}
    lost: dict[str, dict[str, int]] = {}
    names = {"ABANDON": "abandoned", "EXITWITHTIMEOUT": "timeout", "EXITEMPTY": "exit_empty",
             "EXITWITHKEY": "exit_key"}
    for c in calls.values():
        if "hold" in c:
            answered[band(c["hold"])] = answered.get(band(c["hold"]), 0) + 1
        elif "exit" in c:
            per = lost.setdefault(band(c["exit"][1]), {})
            per[names[c["exit"][0]]] = per.get(names[c["exit"][0]], 0) + 1
    doc = rows_by(run(capsys, box, "answered_by_wait", "--since", "2000-01-01"))
    assert [label for label, _, _ in WAIT_BANDS] == list(doc)           # every band, in their natural order
    assert {b: r["answered"] for b, r in doc.items() if r["answered"]} == answered
    whole = sum(answered.values())
    assert doc["0-5 s"]["share_pct"] == round(100 * answered.get("0-5 s", 0) / whole, 2)
    assert doc["over 10 min"]["cumulative_pct"] == 100.0
    doc = rows_by(run(capsys, box, "lost_by_wait", "--since", "2000-01-01"))
    for b, r in doc.items():
        assert {k: r[k] for k in names.values() if r[k]} == lost.get(b, {}), b
    # the documented ones: the short abandon (4 s) in the first band, the 300 s timeout in 2-5 min, EXITEMPTY at 0 s
    assert doc["0-5 s"]["exit_empty"] >= 1 and doc["2-5 min"]["timeout"] >= 1


@pytest.mark.parametrize("zone", ["Europe/Istanbul", "Asia/Kathmandu"])   # +03:00, and +05:45 (15-minute steps)
def test_service_level_by_hour_is_by_the_local_hour(box, zone):
    store.open_db(Paths(box).db)
    try:
        table = reports.run("service_level_by_hour", Ask(kpis.RuleBook(), T - 3600, T + 3600, ZoneInfo(zone)))
    finally:
        store.close_db()
    expected: dict[str, int] = {}
    for c in parsed(DOCUMENTED).values():
        hour = f"{datetime.fromtimestamp(c['at'], ZoneInfo(zone)).hour:02d}"
        expected[hour] = expected.get(hour, 0) + 1
    assert {r[0]: r[1] for r in table.rows} == expected
    if zone == "Asia/Kathmandu":          # 22:15 UTC is 04:00 there: the documented calls straddle two hours
        assert len(expected) == 2


def test_agent_sessions_pauses_and_after_call_work(box, capsys):
    since, until = T - 3600, T + 7200
    window = ["--since", datetime.fromtimestamp(since, timezone.utc).isoformat(),
              "--until", datetime.fromtimestamp(until, timezone.utc).isoformat()]
    sessions = run(capsys, box, "agent_sessions", *window)
    got = {(r[0], r[1], r[2]): r[3:] for r in sessions["rows"]}
    assert got == {("Agent/201", T - 600, T + 3000): [3600.0, 300.0 + 60.0],
                   ("PJSIP/202", T - 100, T + 2000): [2100.0, 300.0]}
    pauses = {(r[0], r[1]): r[2:] for r in run(capsys, box, "agent_pauses", *window)["rows"]}
    assert pauses == {("Agent/201", "ACW"): [1, 60.0, round(100 * 60 / 3600, 2)],
                      ("Agent/201", "Lunch"): [1, 300.0, round(100 * 300 / 3600, 2)],
                      ("PJSIP/202", "Coffee"): [1, 300.0, round(100 * 300 / 2100, 2)]}
    acw = rows_by(run(capsys, box, "after_call_work", *window))
    assert acw["Agent/201"]["acw_pause_s"] == 60.0       # the pause reason "ACW" matches "acw" in any case
    assert acw["PJSIP/202"]["acw_pause_s"] == 0.0


def test_staffing_by_hour_counts_agents_logged_in(box):
    tz = ZoneInfo("Europe/Istanbul")
    start = T - T % 3600
    store.open_db(Paths(box).db)
    try:
        table = reports.run("staffing_by_hour", Ask(kpis.RuleBook(), start, start + 3600, tz))
    finally:
        store.close_db()
    (row,) = table.rows
    # in that hour [start, start + 3600): 201 logged in all of it; 202 from T - 100; the pauses inside it
    inside = lambda a, b: max(0, min(b, start + 3600) - max(a, start))   # noqa: E731
    logged = inside(T - 600, T + 3000) + inside(T - 100, T + 2000)
    paused = inside(T + 200, T + 500) + inside(T + 800, T + 860) + inside(T + 1000, T + 1300)
    assert row[0] == f"{datetime.fromtimestamp(start, tz).hour:02d}"
    assert row[2:4] == [round(logged / 3600, 2), round(paused / 3600, 2)]
    assert row[4] == len(parsed(DOCUMENTED))


def test_callbacks_reach_a_lost_caller_by_a_later_answered_call(tmp_path, capsys):
    (tmp_path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\n", encoding="utf-8")
    lines = DOCUMENTED + [
        # H (0666666666, abandoned after 45 s at T + 125) gets through to an agent an hour later
        f"{T + 3725}|{T + 3725}.50|support|NONE|ENTERQUEUE||+90 666 666 666|1",
        f"{T + 3730}|{T + 3725}.50|support|PJSIP/301|CONNECT|5|{T + 3729}.51|4",
        f"{T + 3790}|{T + 3725}.50|support|PJSIP/301|COMPLETECALLER|5|60|1",
        # K (0688888888, left by key at T + 140) calls again and is lost again: not reached
        f"{T + 4000}|{T + 4000}.52|sales|NONE|ENTERQUEUE||0688888888|1",
        f"{T + 4100}|{T + 4000}.52|sales|NONE|ABANDON|1|1|100",
    ]
    feed(Paths(tmp_path), lines)
    store.close_db()
    listed = run(capsys, tmp_path, "callback_list", "--since", "2000-01-01")
    by_caller = {r[2]: dict(zip(listed["columns"], r)) for r in listed["rows"]}
    assert by_caller["0666666666"]["status"] == "reached"
    assert by_caller["0666666666"]["by"] == "PJSIP/301" and by_caller["0666666666"]["how"] == "answered_again"
    assert by_caller["0666666666"]["after_s"] == 3725 - 125
    assert by_caller["0688888888"]["status"] == "open" and by_caller["0688888888"]["times_lost"] == 2
    assert "0655555555" not in by_caller       # a short abandon (4 s) is not a lost call
    assert listed["rows"][0][5] == "open"      # those not reached come first
    per = rows_by(run(capsys, tmp_path, "callback_time", "--since", "2000-01-01"))
    lost = sum(1 for r in listed["rows"]) + 1   # K was lost twice
    assert per["sales"]["lost"] + per["support"]["lost"] == lost


def test_callbacks_by_the_cdr_ignore_the_queue_call_itself(tmp_path):
    """A CDR call to the number counts; the CDR row of the lost queue call itself (answered by the queue) does not.
    The CDR rows are written to the call table as the Asterisk CDR driver stores them (one box, one driver here)."""
    (tmp_path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\n", encoding="utf-8")
    feed(Paths(tmp_path), DOCUMENTED)
    from appliance.store.calls import Call
    common = dict(driver="asterisk_csv", utc_offset=0, extension="201", trunk="t", ring_s=0, talk_s=30,
                  answered=True, transferred=False, account_code="", legs=1)
    Call.create(id=1, call_key=f"{T + 80}.8", start_utc=T + 126, direction="in", party="0666666666",
                number="+90666666666", **common)     # the abandoned queue call's own CDR row (ended after it)
    Call.create(id=2, call_key="cb-1", start_utc=T + 900, direction="out", party="0666666666",
                number="+90666666666", **common)     # the call back
    try:
        table = reports.run("callback_list", Ask(kpis.RuleBook(), None, None, timezone.utc))
    finally:
        store.close_db()
    row = next(dict(zip(table.names(), r)) for r in table.rows if r[2] == "0666666666")
    assert (row["status"], row["by"], row["how"], row["reached"]) == ("reached", "201", "called_back", T + 900)


def test_outside_opening_hours():
    hours = opening.parse("support = mon-fri 08:00-18:00, sat 09:00-13:00\n* = mon-sun 00:00-24:00",
                          "2023-12-25")
    tz = ZoneInfo("Europe/Istanbul")
    at = lambda text: datetime.fromisoformat(text).replace(tzinfo=tz)   # noqa: E731
    assert hours.state("support", at("2023-11-14 08:00")) == "open"         # a Tuesday
    assert hours.state("support", at("2023-11-14 18:00")) == "closed"       # the end is exclusive
    assert hours.state("support", at("2023-11-18 12:59")) == "open"         # Saturday morning
    assert hours.state("support", at("2023-11-19 10:00")) == "closed"       # Sunday
    assert hours.state("sales", at("2023-11-19 03:00")) == "open"           # the default line
    assert hours.state("sales", at("2023-12-25 10:00")) == "closed_day"
    assert opening.parse("").state("x", at("2023-11-19 03:00")) == "open"   # none configured: always open
    for bad in ("support = mon-fri 8-18", "support = mon-fri 18:00-08:00", "support = xyz 08:00-09:00",
                "support = mon 08:00-09:00\nsupport = tue 08:00-09:00"):
        with pytest.raises(ConfigError, match="opening_hours: line"):
            opening.parse(bad)
    with pytest.raises(ConfigError, match="closed_days"):
        opening.parse("", "25.12.2023")


def test_outside_opening_hours_report(tmp_path, capsys):
    # the documented calls enter at 01:13 Istanbul time on a Wednesday: support is closed then, sales open
    (tmp_path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\ntimezone = Europe/Istanbul\n"
                                          "[callcentre]\nopening_hours = support = mon-fri 08:00-18:00\n",
                                          encoding="utf-8")
    feed(Paths(tmp_path), DOCUMENTED)
    store.close_db()
    doc = rows_by(run(capsys, tmp_path, "outside_opening_hours", "--since", "2000-01-01"))
    support = [c for c in parsed(DOCUMENTED).values() if c["queue"] == "support"]
    assert doc["support"]["outside_hours"] == len(support) and doc["support"]["in_hours"] == 0
    assert doc["support"]["outside_answered"] == sum(1 for c in support if "hold" in c)
    assert doc["sales"]["outside_hours"] == 0


def kpis_of(capsys, data) -> dict:
    try:
        assert cli.main(["queue", "kpis", "--data", str(data), "--json"]) == 0
    finally:
        store.close_db()
    return {q["queue"]: q for q in json.loads(capsys.readouterr().out)["queues"]}


def test_calls_outside_opening_hours_are_apart_from_the_kpis(tmp_path, capsys):
    """Issue 15: calls outside the opening hours are reported apart, not as lost; the hour roll-ups agree; a change
    of the hours classifies every call again."""
    ini = tmp_path / "callbox.ini"
    ini.write_text("[pbx]\ndriver = asterisk_queue_log\ntimezone = Europe/Istanbul\n", encoding="utf-8")
    feed(Paths(tmp_path), DOCUMENTED)
    store.close_db()
    always = kpis_of(capsys, tmp_path)
    ini.write_text(ini.read_text() + "[callcentre]\nopening_hours = support = mon-fri 08:00-18:00\n", encoding="utf-8")
    closed = kpis_of(capsys, tmp_path)
    support = [c for c in parsed(DOCUMENTED).values() if c["queue"] == "support"]
    assert closed["support"]["offered"] == 0 and closed["support"]["outside_hours"] == len(support) == 4
    assert closed["support"]["lost_pct"] is None and closed["support"]["abandoned"] == 0
    assert closed["sales"] == always["sales"]                            # sales is always open
    # the same from the hour roll-ups, as the worker sums them when idle
    store.open_db(Paths(tmp_path).db)
    try:
        from appliance.callcentre import hours
        hours.rebuild(kpis.RuleBook())
        rolled = {q["queue"]: q for q in kpis.queue_kpis(kpis.RuleBook())}
    finally:
        store.close_db()
    assert rolled == closed
    # lost by wait leaves them out too: support's timeout (300 s) and its exit empty are not there
    lost = rows_by(run(capsys, tmp_path, "lost_by_wait", "--since", "2000-01-01"))
    assert lost["2-5 min"]["timeout"] == 0 and lost["0-5 s"]["exit_empty"] == 0
    ini.write_text(ini.read_text().replace("mon-fri 08:00-18:00", "mon-sun 00:00-24:00"), encoding="utf-8")
    assert kpis_of(capsys, tmp_path) == always                         # classified again: open all the time


def test_compare_with_the_period_before(box, capsys):
    window = ["--since", datetime.fromtimestamp(T - 3600, timezone.utc).isoformat(),
              "--until", datetime.fromtimestamp(T + 3600, timezone.utc).isoformat()]
    doc = run(capsys, box, "queue_summary", *window, "--compare")
    assert doc["columns"][:4] == ["queue", "offered", "offered_before", "change_pct"]
    sales = rows_by(doc)["sales"]
    assert sales["offered_before"] is None and sales["change_pct"] is None    # nothing in the hour before
    try:
        rc = cli.main(["queue", "report", "queue_summary", "--data", str(box), "--compare"])
    finally:
        store.close_db()
    assert rc != 0 and "--since and --until" in capsys.readouterr().err


def test_repeat_callers_and_journeys(box, capsys):
    calls = parsed()
    counts: dict[str, int] = {}
    for c in calls.values():
        if sum(ch.isdigit() for ch in c["caller"]) >= 4:
            counts[c["caller"]] = counts.get(c["caller"], 0) + 1
    doc = rows_by(run(capsys, box, "repeat_callers", "--since", "2000-01-01"))
    assert {k: r["calls"] for k, r in doc.items()} == {k: n for k, n in counts.items() if n > 1}
    journeys = run(capsys, box, "caller_journeys", "--since", "2000-01-01", "--caller", "612345678")
    (row,) = journeys["rows"]
    j = dict(zip(journeys["columns"], row))
    assert (j["queue"], j["outcome"], j["wait_s"], j["rung"], j["agent"]) == \
        ("sales", "answered", 12, "PJSIP/202", "PJSIP/201")


def test_rankings_judge_the_targets(box):
    from appliance.callcentre import targets
    goals = (targets.parse("* = answer_rate_pct >= 50, calls_per_hour >= 1\nAgent/201 = answered >= 100",
                           targets.AGENT_METRICS, "agent_targets"),
             targets.parse("* = service_level_pct >= 50, lost_pct <= 10\nsupport = asa_s <= 5",
                           targets.QUEUE_METRICS, "queue_targets"))
    store.open_db(Paths(box).db)
    try:
        ask = Ask(kpis.RuleBook(), T - 3600, T + 7200, timezone.utc)
        queues = reports.run("queue_ranking", ask, goals=goals)
        agents_ = reports.run("agent_ranking", ask, goals=goals)
        figures = {r["queue"]: r for r in kpis.queue_kpis(kpis.RuleBook(), T - 3600, T + 7200)}
    finally:
        store.close_db()
    by_queue = {r[1]: dict(zip(queues.names(), r)) for r in queues.rows}
    sales, support = figures["sales"], figures["support"]
    assert by_queue["sales"]["targets_met"] == (sales["service_level_pct"] >= 50) + (sales["lost_pct"] <= 10)
    assert by_queue["sales"]["targets"] == 2 and "lost_pct <= 10" in by_queue["sales"]["missed"]
    assert by_queue["support"]["targets"] == 1                          # its own line replaces the * line
    assert by_queue["support"]["targets_met"] == int(support["asa_s"] <= 5)
    assert [r[0] for r in queues.rows] == list(range(1, len(queues.rows) + 1))
    by_agent = {r[1]: dict(zip(agents_.names(), r)) for r in agents_.rows}
    assert by_agent["Agent/201"]["targets"] == 1 and by_agent["Agent/201"]["missed"] == "answered >= 100"
    # PJSIP/202: logged in 2,100 s, paused 300 s, answered 2 of the documented calls: 4 per available hour
    assert by_agent["PJSIP/202"]["calls_per_hour"] == round(2 * 3600 / 1800, 2)
    ranks = [(r[7] / r[8] if r[8] else 0, r[2]) for r in agents_.rows]
    assert ranks == sorted(ranks, key=lambda x: (-x[0], -x[1]))
    with pytest.raises(ConfigError, match="agent_targets: line 1"):
        targets.parse("* = speed >= 3", targets.AGENT_METRICS, "[callcentre] agent_targets")
