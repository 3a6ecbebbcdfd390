"""Call-centre reports on a central cover its branch boxes (issue 18), on SQLite and PostgreSQL: two branch boxes'
queue calls go through the outbox and the central's apply as the sync sends them; the queue summary and the agents'
performance on the central have a row per branch box and queue (agent) equal to the box's own report, the totals
their sums; ?branch=BOX that box only; a user scoped to the İzmir branch sees nothing of the Ankara box's."""
from __future__ import annotations

import csv
import io
import random
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.access import users
from appliance.callcentre import kpis, received_agents, received_reports, reports
from appliance.callcentre.tables import Ask
from appliance.paths import Paths
from appliance.store.sync import install_triggers
from cc_helpers import feed
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
import sync_helpers
from sync_helpers import seen, sent_batches
from test_queue_outage import queue_log

UTC = ZoneInfo("UTC")
FIRST = 1_778_000_000
SINCE, UNTIL = FIRST - 3600, FIRST + 86400
BOOK = kpis.RuleBook(kpis.Rules(wrapup_seconds=10))    # after-call work: 10 s a call, and the "ACW" pauses
ADMIN = users.Account(0, "hq", "administrator", "all", "", "")
SUP = users.Account(1, "izmir-sup", "supervisor", "branch", "default", "P1")
BOXES = {"izmir": 60, "ankara": 45}


def member_log(first: int, seed: int) -> list[str]:
    """The agents' logins, pauses (with reasons, one in Turkish) and logoffs around the queue calls from `first`."""
    rnd = random.Random(seed)
    lines = [f"{first - 1800}|NONE|NONE|Agent/1001|AGENTLOGIN|PJSIP/209-0001"]
    for ext in range(201, 209):
        at = first - rnd.randint(60, 1200)
        lines.append(f"{at}|NONE|{rnd.choice(('sales', 'support', 'Müşteri'))}|PJSIP/{ext}|ADDMEMBER|")
        for _ in range(rnd.randint(1, 3)):
            at += rnd.randint(300, 3000)
            lines.append(f"{at}|NONE|sales|PJSIP/{ext}|PAUSE|{rnd.choice(('Lunch', 'Öğle arası', 'ACW'))}")
            at += rnd.randint(30, 900)
            lines.append(f"{at}|NONE|sales|PJSIP/{ext}|UNPAUSE|")
        if ext % 2:
            lines.append(f"{at + 600}|NONE|sales|PJSIP/{ext}|REMOVEMEMBER|")
    lines.append(f"{first + 5000}|NONE|NONE|Agent/1001|AGENTLOGOFF|PJSIP/209-0001|6800")
    return sorted(lines, key=lambda line: int(line.split("|")[0]))


def branches_events() -> dict[str, int]:
    """How many member events each box's log has."""
    return {name: len(member_log(FIRST, seed=70 + i)) for i, name in enumerate(BOXES)}


def _ask() -> Ask:
    return Ask(BOOK, SINCE, UNTIL, UTC, None, wrapup_reasons=("ACW",))


@pytest.fixture(scope="module")
def branches(tmp_path_factory):
    """Each box's own queue summary and agent performance, and the batches its outbox sent."""
    out = {}
    for i, (name, n) in enumerate(BOXES.items()):
        paths = Paths(tmp_path_factory.mktemp(name))
        feed(paths, member_log(FIRST, seed=70 + i) + queue_log(n, FIRST, seed=40 + i))
        install_triggers(backfill=True)
        mine = {name: reports.run(name, _ask()) for name in received_reports.REPORTS}
        bodies = sent_batches(name, max_rows=50)
        store.close_db()
        out[name] = (mine, bodies)
    return out


central = sync_helpers.central   # the shared fixture: a central with `branches`' batches applied


def test_the_queue_summary_and_agents_are_each_boxs_own(central, branches):
    summary = received_reports.run("queue_summary", _ask(), seen(ADMIN))
    agents = received_reports.run("agent_performance", _ask(), seen(ADMIN))
    for name, (mine, _b) in branches.items():
        assert [r[1:] for r in summary.rows if r[0] == name] == mine["queue_summary"].rows
        assert [r[1:] for r in agents.rows if r[0] == name] == mine["agent_performance"].rows
        assert mine["queue_summary"].rows
    offered = summary.names().index("offered")
    assert summary.totals[offered] == sum(m["queue_summary"].totals[offered - 1] for m, _b in branches.values()) \
        == sum(BOXES.values())
    answered = agents.names().index("answered")
    assert agents.totals[answered] == sum(m["agent_performance"].totals[answered - 1] for m, _b in branches.values())
    for report in received_reports.PERIODS:      # by hour, day, week, weekday, month: each box's own periods
        got = received_reports.run(report, _ask(), seen(ADMIN))
        for name, (mine, _b) in branches.items():
            assert [r[1:] for r in got.rows if r[0] == name] == mine[report].rows, (report, name)
            assert mine[report].rows
        if "offered" in got.names():
            at = got.names().index("offered")
            assert got.totals[at] == sum(BOXES.values())
    heat = received_reports.run("queue_hour_heatmap", _ask(), seen(ADMIN))
    for name, (mine, _b) in branches.items():
        assert [r[1:] for r in heat.rows if r[0] == name] == mine["queue_hour_heatmap"].rows
    assert heat.totals[-1] == sum(BOXES.values())
    for report in received_reports.BANDS:     # each box's bands (and shares of its own calls) as its own report's
        got = received_reports.run(report, _ask(), seen(ADMIN))
        for name, (mine, _b) in branches.items():
            assert [r[1:] for r in got.rows if r[0] == name] == mine[report].rows, (report, name)
        at = 2 if report == "answered_by_wait" else got.names().index("unanswered")
        assert got.totals[at] == sum(m[report].totals[at - 1] for m, _b in branches.values()) > 0
    one = received_reports.run("queue_summary", _ask(), seen(ADMIN), box="ankara", own=False)
    assert {r[0] for r in one.rows} == {"ankara"} and one.totals[offered] == BOXES["ankara"]


def test_the_agents_sessions_and_pauses_are_each_boxs_own(central, branches):
    """The boxes' member events synced: performance (with login, pause, occupancy), sessions, pauses by reason and
    occupancy on the central are each box's own report's rows, the totals their sums, exactly once."""
    from appliance.store import central_db as cdb
    with cdb.connection():
        counts = cdb.execute("SELECT branch, COUNT(*), COUNT(DISTINCT rid) FROM central_agent_event GROUP BY branch "
                             "ORDER BY branch")
    assert counts == [(name, n, n) for name, n in sorted(branches_events().items())]      # each event once
    for report in received_agents.REPORTS:
        got = received_reports.run(report, _ask(), seen(ADMIN))
        for name, (mine, _b) in branches.items():
            assert [r[1:] for r in got.rows if r[0] == name] == mine[report].rows, (report, name)
            assert mine[report].rows, report
        for col in ("login_s", "pause_s", "paused_s", "logged_in_s", "pauses"):
            if col in got.names():
                at = got.names().index(col)
                assert got.totals[at] == round(sum(m[report].totals[at - 1] for m, _b in branches.values()), 2) > 0
    perf = received_reports.run("agent_performance", _ask(), seen(ADMIN))
    assert all(r[perf.names().index("login_s")] for r in perf.rows if r[1] in {f"PJSIP/{e}" for e in range(201, 209)})
    reasons = {r[2] for r in received_reports.run("agent_pauses", _ask(), seen(ADMIN)).rows}
    assert "Öğle arası" in reasons
    one = received_reports.run("agent_sessions", _ask(), seen(SUP), own=False)
    assert {r[0] for r in one.rows} == {"izmir"}
    assert received_reports.run("agent_pauses", _ask(), seen(SUP), box="ankara", own=False).rows == []


def test_a_branch_user_sees_only_their_box_and_the_web_report_says_so(central, branches):
    summary = received_reports.run("queue_summary", _ask(), seen(SUP), own=False)
    assert {r[0] for r in summary.rows} == {"izmir"}
    assert summary.totals[summary.names().index("offered")] == BOXES["izmir"]
    assert received_reports.run("queue_summary", _ask(), seen(SUP), box="ankara", own=False).rows == []
    from webui.app import make_app
    from web_helpers import logged_in
    app = make_app(central)
    period = "range=custom&since=2026-05-05&until=2026-05-07"
    for (user, role, scope, person), boxes in ((("hq", "administrator", None, ""), set(BOXES)),
                                               (("izmir-sup", "supervisor", "branch", "P1"), {"izmir"})):
        client, _t = logged_in(app, user, role, scope, "default", person)
        for name in received_reports.REPORTS:
            page = client.get(f"/callcentre/reports/{name}?{period}")
            assert 'id="cc-branch"' in page.text
            rows = list(csv.DictReader(io.StringIO(client.get(f"/callcentre/reports/{name}?{period}&export=csv")
                                                   .text)))
            having = {b for b in boxes if branches[b][0][name].rows}     # this log has no flagged or repeat call
            assert {r["Branch box"] for r in rows} == having, name
            other = client.get(f"/callcentre/reports/{name}?{period}&export=csv&branch=ankara").text
            assert {r["Branch box"] for r in csv.DictReader(io.StringIO(other))} == ({"ankara"} & having), name


def test_the_wallboard_shows_the_boxes_queues_the_user_sees(central, branches, monkeypatch):
    import json
    import time as clock
    from webui import wallboard
    from webui.app import make_app
    from web_helpers import logged_in

    class Clock:     # "today" is the day of the boxes' queue calls
        time = staticmethod(lambda: FIRST + 7200)
        monotonic = staticmethod(clock.monotonic)
        sleep = staticmethod(clock.sleep)
    monkeypatch.setattr(wallboard, "time", Clock)
    app = make_app(central)
    for (user, role, scope, person), boxes in ((("hq", "administrator", None, ""), set(BOXES)),
                                               (("izmir-sup", "supervisor", "branch", "P1"), {"izmir"})):
        client, _t = logged_in(app, user, role, scope, "default", person)
        assert client.get("/wallboard").status_code == 200
        first = [line for line in client.get("/wallboard/events").text.splitlines() if line.startswith("data: ")][0]
        tiles = json.loads(first[len("data: "):])["queues"]
        assert {t["branch"] for t in tiles} == boxes
        assert sum(t["offered"] for t in tiles) == sum(BOXES[b] for b in boxes)
        assert all(t["queue"].startswith(("İzmir · ", "ankara · ")) for t in tiles)
        one = [line for line in client.get("/wallboard/events?branch=ankara").text.splitlines()
               if line.startswith("data: ")][0]
        assert {t["branch"] for t in json.loads(one[len("data: "):])["queues"]} == {"ankara"} & boxes
    # a wallboard link of every queue (made by an administrator): every box's queues, ?branch= one box's
    from appliance.access import wallboards
    from webui.db import users_db
    import webtest
    with users_db.connection_context():
        token = wallboards.add("Hall", ())
    anyone = webtest.TestApp(app)
    assert f"/wallboard/{token}/events?branch=izmir" in anyone.get(f"/wallboard/{token}?branch=izmir").text
    for query, boxes in (("", set(BOXES)), ("?branch=izmir", {"izmir"})):
        first = [line for line in anyone.get(f"/wallboard/{token}/events{query}").text.splitlines()
                 if line.startswith("data: ")][0]
        tiles = json.loads(first[len("data: "):])["queues"]
        assert {t["branch"] for t in tiles} == boxes
        assert sum(t["offered"] for t in tiles) == sum(BOXES[b] for b in boxes)


def test_an_agent_sees_their_figures_of_their_branch_box_only(central, branches):
    """/callcentre/agent on a central: the agent Ayşe (İzmir, extension 201) sees PJSIP/201's figures of the İzmir
    box (the box's own: answered, talk, login, pauses) and its calls, none of the Ankara box's."""
    from webui.app import make_app
    from web_helpers import logged_in
    app = make_app(central)
    client, _t = logged_in(app, "ayse", "staff", "own", "default", "P1")
    page = client.get("/callcentre/agent?range=custom&since=2026-05-05&until=2026-05-07").text
    assert 'data-box="izmir"' in page and 'data-box="ankara"' not in page
    mine = [r for r in branches["izmir"][0]["agent_performance"].rows if r[0] == "PJSIP/201"][0]
    theirs = received_agents.own_figures(BOOK, SINCE, UNTIL, ("izmir",), frozenset({"201"}))
    assert [r["agent"] for r in theirs[0]] == ["PJSIP/201"]
    assert [theirs[0][0][k] for k in ("answered", "talk_s", "ring_no_answer", "answer_rate_pct", "login_s",
                                      "pause_s", "occupancy_pct")] == mine[1:8]
    assert len(theirs[1]) == mine[1] and page.count('<td data-box="izmir">') == 1 + mine[1]
    assert 'data-box="ankara"' not in client.get("/callcentre/agent?range=custom&since=2026-05-05&until=2026-05-07"
                                                 "&branch=ankara").text
