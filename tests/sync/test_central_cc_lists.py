"""The rest of the call-centre reports on a central cover its branch boxes too (issue 18), on SQLite and PostgreSQL:
outside opening hours (each box's own hours, as it classified its calls), data quality, the rankings, staffing by
hour, calls over 5 minutes, transfers, repeat callers, callback time and list, the caller journeys; each branch
box's rows on the central are its own report's; ?branch=BOX that box only; a user scoped to the İzmir branch sees
nothing of the Ankara box's. Each box's evaluations are those it sent (store/sync_evaluation.py): the page says so."""
from __future__ import annotations

import csv
import io
import random
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.access import users
from appliance.callcentre import evaluation, kpis, live, opening, received_lists, received_ranks, received_reports, \
    reports, targets
from appliance.callcentre.tables import Ask
from appliance.paths import Paths
from appliance.store.sync import install_triggers
from cc_helpers import feed
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
import sync_helpers
from sync_helpers import seen, sent_batches
from test_central_callcentre import member_log

UTC = ZoneInfo("UTC")
FIRST = 1_778_000_000            # Tuesday 2026-05-05 16:53 UTC
SINCE, UNTIL = FIRST - 3600, FIRST + 86400
NOW = FIRST + 3000               # the wallboard's now: some agents talking, some paused, some logged off
BOOK = kpis.RuleBook(kpis.Rules(wrapup_seconds=10, long_call_seconds=240))
ADMIN = users.Account(0, "hq", "administrator", "all", "", "")
SUP = users.Account(1, "izmir-sup", "supervisor", "branch", "default", "P1")
BOXES = {"izmir": 70, "ankara": 55}
# each box's own opening hours: its calls after 17:30 on a weekday are outside the sales queue's
HOURS = {"izmir": opening.parse("sales = mon-fri 08:00-17:30\nMüşteri = mon-fri 08:00-18:00"),
         "ankara": opening.parse("* = mon-fri 08:00-17:45")}
GOALS = (targets.parse("* = answer_rate_pct >= 50, calls_per_hour >= 2, aht_s <= 300\nPJSIP/203 = answered >= 3",
                       targets.AGENT_METRICS, "agent_targets"),
         targets.parse("* = service_level_pct >= 50, asa_s <= 40, lost_pct <= 30", targets.QUEUE_METRICS,
                       "queue_targets"))
LATE = ("0505 000 11 22", "+90 505 000 33 44")
CALLERS = ["0532 111 22 33", "+90 532 444 55 66", "05554443322", "anonymous", "0212 999 88 77", "0312 123 45 67"]


def queue_log(n: int, first: int, seed: int) -> list[str]:
    """`n` queue calls a minute apart from a few callers (repeat callers, callbacks by a later answer): answered
    (some over 4 minutes, some transferred), abandoned or timed out; a few with a problem (two ends, an end without
    its ENTERQUEUE)."""
    rnd = random.Random(seed)
    lines = []
    for i in range(n):
        t, uid, q = first + 60 * i, f"{first + 60 * i}.{i}", rnd.choice(("sales", "support", "Müşteri"))
        lines.append(f"{t}|{uid}|{q}|NONE|ENTERQUEUE||{rnd.choice(CALLERS + [f'05{rnd.randint(10**8, 10**9)}'])}|1")
        wait, kind = rnd.randint(0, 60), rnd.random()
        if kind < 0.65:
            agent, talk = f"PJSIP/{rnd.randint(201, 206)}", rnd.randint(5, 500)
            lines.append(f"{t + wait}|{uid}|{q}|{agent}|CONNECT|{wait}|{t + wait}.9|3")
            if kind < 0.15:
                lines.append(f"{t + wait + talk}|{uid}|{q}|{agent}|TRANSFER|{rnd.choice((300, 301))}|from-internal|"
                             f"{wait}|{talk}|1")
            else:
                lines.append(f"{t + wait + talk}|{uid}|{q}|{agent}|COMPLETECALLER|{wait}|{talk}|1")
            if i % 11 == 0:
                lines.append(f"{t + wait + talk}|{uid}|{q}|{agent}|COMPLETEAGENT|{wait}|{talk}|1")
        elif kind < 0.9:
            lines.append(f"{t + wait}|{uid}|{q}|NONE|ABANDON|1|1|{wait}")
        else:
            lines.append(f"{t + wait}|{uid}|{q}|NONE|EXITWITHTIMEOUT|1|1|{wait}")
        if i % 23 == 5:
            lines.append(f"{t + 30}|x{uid}|sales|PJSIP/202|COMPLETEAGENT|3|40|1")
    for k, caller in enumerate(LATE):       # lost last: reached by a call of the box's PBX (_called_back)
        t = first + 60 * n + 100 * k
        lines += [f"{t}|late{k}.{seed}|sales|NONE|ENTERQUEUE||{caller}|1",
                  f"{t + 40}|late{k}.{seed}|sales|NONE|ABANDON|1|1|40"]
    return lines


def _called_back(at: int) -> None:
    """Answered calls of the box's own PBX (not queue calls) at `at`: out to a caller a queue lost, in from
    another: what reaches a lost caller besides a later answered queue call."""
    for n, (direction, number) in enumerate((("out", LATE[0]), ("in", "905050003344"))):
        store.db.execute_sql(
            "INSERT INTO call (driver, call_key, start_utc, utc_offset, direction, extension, party, trunk, ring_s, "
            "talk_s, answered, transferred, account_code, legs, kind, number, cost, currency, destination, tariff, "
            "capped, tenant) VALUES ('gen', ?, ?, 0, ?, '204', ?, 'T1', 3, 60, 1, 0, '', 1, '', ?, NULL, '', '', '', "
            "0, 'default')", (f"cb{at}.{n}", at + 60 * n, direction, number, number))


def _evaluate(seed: int) -> None:
    """A supervisor's evaluations of a few of the box's answered queue calls."""
    form = (("Karşılama", 5), ("Çözüm", 10))
    for q, in store.db.execute_sql("SELECT id FROM queue_call WHERE seen_enter = 1 AND outcome = 'answered' "
                                   "ORDER BY id LIMIT ?", (6 + seed,)).fetchall():
        evaluation.record(evaluation.queue_call(q), "ayşe", {"Karşılama": (q + seed) % 6, "Çözüm": q % 11}, form,
                          now=FIRST + 9000)


def _ask() -> Ask:
    return Ask(BOOK, SINCE, UNTIL, UTC, None, wrapup_reasons=("ACW",))


NEW = received_lists.REPORTS + received_ranks.REPORTS + ("staffing_by_hour",)


@pytest.fixture(scope="module")
def branches(tmp_path_factory):
    """Each box's own reports (by its opening hours, the central's targets) and the batches its outbox sent."""
    out = {}
    for i, (name, n) in enumerate(BOXES.items()):
        paths = Paths(tmp_path_factory.mktemp(name))
        feed(paths, member_log(FIRST, seed=80 + i) + queue_log(n, FIRST, seed=50 + i))
        opening.classify(HOURS[name], UTC, None)
        _called_back(FIRST + 60 * n + 400)
        _evaluate(i)
        install_triggers(backfill=True)
        store.db.execute_sql("UPDATE call_evaluation SET points = 0, note = 'düzeltildi' WHERE id = 1")   # an edit
        mine = {r: reports.run(r, _ask(), HOURS[name], GOALS) for r in NEW}
        # its wallboard at NOW with the central's rules (the central's INI sets none: no wrap-up)
        mine["board"] = live.board(kpis.RuleBook(), live.Targets(), NOW, NOW - NOW % 86400)["agents"]
        bodies = sent_batches(name, max_rows=40)
        store.close_db()
        out[name] = (mine, bodies)
    return out


central = sync_helpers.central   # the shared fixture: a central with `branches`' batches applied


def _run(name: str, user=ADMIN, box: str = "", own: bool = True):
    return received_reports.run(name, _ask(), seen(user), box, own, opening.Hours(), GOALS)


def test_every_report_has_each_boxs_own_rows(central, branches):
    assert set(received_reports.REPORTS) == set(reports.REPORTS)        # every call-centre report covers the boxes
    for name in NEW:
        got = _run(name)
        at = got.names().index("branch")
        for box, (mine, _b) in branches.items():
            theirs = [r[:at] + r[at + 1:] for r in got.rows if r[at] == box]
            if name.endswith("_ranking"):       # one ranking over both boxes: each box's in its own order
                assert [r[1:] for r in theirs] == [r[1:] for r in mine[name].rows], (name, box)
            elif name == "caller_journeys":     # a box's queue call links to no evaluation on the central
                assert [r[:-1] for r in theirs] == [r[:-1] for r in mine[name].rows] and \
                    {r[-1] for r in theirs} == {None}, box
            else:
                assert theirs == mine[name].rows, (name, box)
            assert mine[name].rows, (name, box)      # the test's data gives every report rows
        if name.endswith("_ranking"):
            assert [r[0] for r in got.rows] == list(range(1, len(got.rows) + 1))
        for col in ("offered", "lost", "calls", "flagged", "talk_s", "outside_hours"):
            if got.totals and col in got.names():
                i = got.names().index(col)
                assert got.totals[i] == round(sum(m[name].totals[i - 1] for m, _b in branches.values()), 2) > 0, \
                    (name, col)


def test_the_boxes_hours_rankings_and_callbacks(central, branches):
    """Each box's calls are outside by its own opening hours; the rankings judge the central's targets; a callback is
    a later answered queue call of the same box only; the evaluations are each box's, with the note."""
    out = _run("outside_opening_hours")
    cols = out.names()
    per = {b: sum(r[cols.index("outside_hours")] for r in out.rows if r[0] == b) for b in BOXES}
    assert per["izmir"] > 0 and per["ankara"] > 0
    sales = [r for r in out.rows if r[0] == "ankara" and r[1] == "support"]
    assert sales and sales[0][cols.index("outside_hours")] > 0     # Ankara's "*" hours close its support queue
    ranking = _run("agent_ranking")
    assert {r[1] for r in ranking.rows} == set(BOXES)
    judged = {(r[1], r[2]): r[-2] for r in ranking.rows}       # PJSIP/203 has a line of its own: one target
    assert all(n == 1 for (b, a), n in judged.items() if a == "PJSIP/203") and 3 in judged.values()
    listed = _run("callback_list")
    assert {r[0] for r in listed.rows} == set(BOXES)
    how = {b: {r[9] for r in listed.rows if r[0] == b and r[6] == "reached"} for b in BOXES}
    assert all({"answered_again", "called_back", "called_in"} <= h for h in how.values()), how
    evaluations = _run("call_evaluations")
    assert {r[0] for r in evaluations.rows} == set(BOXES) and evaluations.note == received_ranks.EVALUATIONS_NOTE
    assert evaluations.totals[2] == sum(m["call_evaluations"].totals[1] for m, _b in branches.values()) == 13


def test_a_branch_user_sees_only_their_box(central, branches):
    for name in NEW:
        assert {r[_col(name)] for r in _run(name, SUP, own=False).rows} <= {"izmir"}, name
        assert _run(name, SUP, box="ankara", own=False).rows == [], name
        one = _run(name, ADMIN, box="ankara", own=False)
        assert {r[_col(name)] for r in one.rows} == {"ankara"}, name


def _col(name: str) -> int:
    return 1 if name.endswith("_ranking") else 0


def test_the_web_pages_on_a_central(central, branches):
    from webui.app import make_app
    from web_helpers import logged_in
    app = make_app(central)
    period = "range=custom&since=2026-05-05&until=2026-05-07"
    client, _t = logged_in(app, "hq", "administrator", None, "default", "")
    page = client.get(f"/callcentre/reports/call_evaluations?{period}").text
    assert "a branch box&#039;s evaluations reach this box" in page and 'id="cc-branch"' in page
    assert "ankara" in page and "İzmir" in page
    journeys = client.get(f"/callcentre/reports/caller_journeys?{period}&caller=5554443322").text
    assert "/callcentre/evaluate/" not in journeys and "İzmir" in journeys and "ankara" in journeys
    for name in NEW:        # each page, its comparison with the period before where it has one, its PDF
        for extra in ("", "&compare=previous" if reports.comparable(name) else "", "&export=pdf"):
            assert client.get(f"/callcentre/reports/{name}?{period}{extra}").status_code == 200, (name, extra)
    for name in ("queue_ranking", "repeat_callers", "callback_list"):
        rows = list(csv.DictReader(io.StringIO(client.get(f"/callcentre/reports/{name}?{period}&export=csv&"
                                                          "branch=izmir").text)))
        assert rows and {r["Branch box"] for r in rows} == {"izmir"}, name


def test_the_wallboard_shows_a_boxs_agents(central, branches, monkeypatch):
    """/wallboard?branch=BOX on a central: that box's agents, each in the state its own wallboard gives at the same
    moment (from the member events and queue calls it sent), named with the box; HQ without ?branch= every box's, the
    İzmir supervisor İzmir's only (Ankara's not even with ?branch=ankara)."""
    import json
    import time as clock
    from webui import wallboard
    from webui.app import make_app
    from web_helpers import logged_in

    class Clock:
        time = staticmethod(lambda: NOW)
        monotonic = staticmethod(clock.monotonic)
        sleep = staticmethod(clock.sleep)
    monkeypatch.setattr(wallboard, "time", Clock)
    app = make_app(central)

    def board(client, query=""):
        first = [line for line in client.get(f"/wallboard/events{query}").text.splitlines()
                 if line.startswith("data: ")][0]
        return json.loads(first[len("data: "):])
    hq, _t = logged_in(app, "hq", "administrator", None, "default", "")
    every = board(hq)
    assert {a["branch"] for a in every["agents"]} == set(BOXES)
    assert sum(every["states"].values()) == len(every["agents"])
    for box, (mine, _b) in branches.items():
        got = board(hq, f"?branch={box}")
        assert {a["branch"] for a in got["agents"]} == {box} and {q["branch"] for q in got["queues"]} == {box}
        assert [{k: a[k] for k in ("agent", "state", "since", "reason")} for a in got["agents"]] == \
            [{k: a[k] for k in ("agent", "state", "since", "reason")} for a in mine["board"]], box
        assert mine["board"] and len({a["state"] for a in mine["board"]}) > 1
        assert got["states"] == {s: sum(a["state"] == s for a in mine["board"]) for s in live.STATES}
    assert {a["box"] for a in every["agents"]} == {"İzmir", "ankara"}
    sup, _t = logged_in(app, "izmir-sup", "supervisor", "branch", "default", "P1")
    assert {a["branch"] for a in board(sup)["agents"]} == {"izmir"}
    assert board(sup, "?branch=ankara")["agents"] == []
