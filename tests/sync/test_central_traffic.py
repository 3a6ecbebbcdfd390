"""The traffic reports and the call search on a central cover its branch boxes (issue 18), on SQLite and PostgreSQL:
two branch boxes' calls (incoming ones with several legs, some missed) go through the branch's outbox and the
central's apply, as the sync sends them; on the central, an HQ user's missed calls, trunk traffic, problem trunks,
concurrent calls and call search (the page, its CSV, /api/calls) are each box's own figures, as the branch box
computes them from its calls, summed exactly; with ?branch=BOX that box's only; and a user scoped to the İzmir
branch sees the İzmir box's rows and nothing of the Ankara box's."""
from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.access import users
from appliance.directory import trunks as directory_trunks
from appliance.reports import concurrency, missed, received_search, received_traffic, trunks
from appliance.reports.concurrency import Traffic
from appliance.reports import search as call_search
from appliance.store.sync import install_triggers
from appliance.store import directory as sd
from appliance.sync import snapshot
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import central_of_boxes, cli, sent_batches

UTC = ZoneInfo("UTC")
DAY = 86400
START = 1_777_593_600            # 2026-05-01 00:00 UTC
SINCE, UNTIL = START + 21 * DAY, START + 28 * DAY      # the week reported; the three before it the baseline
ADMIN = users.Account(0, "hq", "administrator", "all", "", "")
BOXES = {"izmir": (11, 500), "ankara": (12, 400)}       # seed, calls
# the calls' tenant: Ankara's calls have none, as a box's own PBX's calls may: its [pbx] tenant ("default")
TENANT = {"izmir": "default", "ankara": ""}
CALL = ("INSERT INTO call (id, driver, call_key, start_utc, utc_offset, direction, extension, party, trunk, ring_s, "
        "talk_s, answered, transferred, account_code, legs, kind, number, cost, currency, destination, tariff, capped,"
        " tenant) VALUES (?, 'gen', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, '', '', 0, ?)")
LEG = ("INSERT INTO leg (id, call_id, driver, call_key, start_utc, utc_offset, direction, extension, party, trunk, "
       "ring_s, talk_s, answered, transferred, account_code, jseg, joff) VALUES "
       "(?, ?, 'gen', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, '', 1, ?)")


def _calls(data: Path, n: int, seed: int, tenant: str = "default") -> None:
    """`n` calls over four weeks: incoming ones ringing one to three extensions (answered by one, or missed, or
    transferred and then lost), outgoing ones priced exactly, internal ones; on trunks T1..T3 (T3 busy in the last
    week only: a problem trunk)."""
    rnd = random.Random(seed)
    con = sqlite3.connect(data / "callbox.db")
    leg_id = 10 * n
    with con:
        for i in range(n):
            cid, at = i + 1, START + int(i * 28 * DAY / n) + rnd.randrange(600)
            kind = rnd.random()
            trunk = "T3" if at >= SINCE and rnd.random() < 0.4 else rnd.choice(("T1", "T2"))
            if kind < 0.55:       # incoming
                legs, clock = [], at
                for j in range(rnd.randint(1, 3)):
                    answered = rnd.random() < 0.45
                    ring, talk = rnd.randint(1, 25), (rnd.randint(1, 400) if answered else 0)
                    legs.append((str(201 + rnd.randrange(8)), clock, ring, talk, answered, j > 0))
                    clock += ring + talk + 1
                first = legs[0]
                answered = any(leg[4] for leg in legs)
                con.execute(CALL, (cid, f"k{cid}", at, "in", first[0], f"+90532{cid:07d}", trunk,
                                   sum(leg[2] for leg in legs), sum(leg[3] for leg in legs), answered,
                                   len(legs) > 1, len(legs), "", "", None, "", tenant))
                for ext, t, ring, talk, ans, moved in legs:
                    leg_id += 1
                    con.execute(LEG, (leg_id, cid, f"k{cid}", t, "in", ext, f"+90532{cid:07d}", trunk, ring, talk,
                                      ans, moved, leg_id))
                continue
            out = kind < 0.9
            ext, ring, talk = str(201 + rnd.randrange(8)), rnd.randint(0, 20), rnd.randint(0, 600)
            cost = f"{Decimal(rnd.randint(1, 99999)) / 1000:.3f}" if out and talk else None
            direction, line = ("out", trunk) if out else ("internal", "")
            con.execute(CALL, (cid, f"k{cid}", at, direction, ext, "05321112233" if out else "209", line, ring,
                               talk, talk > 0, 0, 1, "mobile" if out else "", "+905321112233" if out else "", cost,
                               "TRY" if cost else "", tenant))
            leg_id += 1
            con.execute(LEG, (leg_id, cid, f"k{cid}", at, direction, ext, "209", line, ring, talk, talk > 0, 0, leg_id))
    con.close()


def _missed_rows(report) -> dict:
    return {r.key: (r.offered, r.answered, r.answered_elsewhere, r.missed_direct, r.missed_transferred,
                    r.ring_missed_s, tuple(r.extensions)) for r in report.rows}


def _total(row) -> tuple:
    return (row.offered, row.answered, row.answered_elsewhere, row.missed_direct, row.missed_transferred,
            row.ring_missed_s)


def _trunk_rows(report) -> dict:
    """Each trunk row and group subtotal by (group, trunk), with its name (the directory's, as of the report)."""
    return {(r.group, r.trunk): (r.name, r.calls, r.calls_in, r.calls_out, r.answered, r.talk_s, r.ring_s, r.short,
                                 r.cost) for r in report.rows}


# the boxes' trunks in their directories: T2 changes provider in the reported week, T3 is in none ("(no provider)")
TRUNKS = ("trunk,name,provider,valid_from\nT1,Hat 1,Türk Telekom,\nT2,Hat 2,Superonline,\n"
          "T2,Hat 2 (yeni),Turkcell,2026-05-25T00:00:00+00:00\n")


def _trunks_and_snapshot(name: str) -> tuple[str, str, bytes]:
    """The box's trunks loaded into its directory; the directory snapshot it then sends (kind, version, body)."""
    tid = sd.tenant_id("default", create=True)
    directory_trunks.apply(tid, directory_trunks.read_text(TRUNKS, "trunks.csv", UTC), START)
    _gen, tables = snapshot.current("directory")
    version, body = snapshot.encode("directory", name, tables)
    return "directory", version, body


def _figures() -> dict:
    """The reports of the box whose database is open, as the HQ user reads them."""
    crit = call_search.Criteria(since=SINCE, until=UNTIL)
    return {"missed": missed.missed(ADMIN, "default", SINCE, UNTIL, "extension"),
            "trunks": trunks.trunk_traffic(ADMIN, "default", SINCE, UNTIL, tz=UTC),
            "problems": trunks.problems(ADMIN, "default", SINCE, UNTIL, tz=UTC),
            "hours": concurrency.concurrency(ADMIN, "default", SINCE, UNTIL, UTC, 3600),
            "ids": {c.id for c in call_search.query(ADMIN, "default", crit)},
            "legs": {cid: (n, cost, trunks) for cid, n, cost, trunks in store.db.execute_sql(
                "SELECT c.id, COUNT(l.id), c.cost, GROUP_CONCAT(l.trunk) FROM call c JOIN leg l ON l.call_id = c.id "
                "GROUP BY c.id")}}


@pytest.fixture(scope="module")
def branches(tmp_path_factory):
    """Each branch box's figures from its own database, and the batches its outbox sent."""
    out = {}
    for name, (seed, n) in BOXES.items():
        data = tmp_path_factory.mktemp(name)
        store.open_db(data / "callbox.db")
        install_triggers(backfill=True)
        _calls(data, n, seed, TENANT[name])
        snapshots = [_trunks_and_snapshot(name)]
        figures = _figures()
        bodies = sent_batches(name, max_rows=300)
        store.close_db()
        out[name] = (figures, bodies, snapshots)
    return out


@pytest.fixture
def central(tmp_path, engine, branches):  # noqa: F811 (the fixture)
    """A central with both boxes' calls applied; the İzmir box linked to the directory's branch İzmir."""
    central_of_boxes(tmp_path, engine, {name: bodies for name, (_mine, bodies, _s) in branches.items()},
                     {name: snaps for name, (_mine, _b, snaps) in branches.items()})
    sup = users.Account(1, "izmir-sup", "supervisor", "branch", "default", "P1")
    yield sup
    store.close_db()


def _sum_totals(rows) -> tuple:
    return tuple(map(sum, zip(*rows)))


def test_missed_calls_are_each_boxs_own_summed(central, branches):
    got = received_traffic.missed(ADMIN, "default", SINCE, UNTIL, "extension")
    for name, (figures, _b, _s) in branches.items():
        mine = missed.MissedReport("extension", [r for r in got.rows if r.branch == name], missed.MissedRow("t"))
        assert _missed_rows(mine) == _missed_rows(figures["missed"]), name
        assert figures["missed"].total.missed > 0
    assert _total(got.total) == _sum_totals(_total(f["missed"].total) for f, _b, _s in branches.values())
    assert {r.branch for r in got.rows} == set(BOXES)
    one = received_traffic.missed(ADMIN, "default", SINCE, UNTIL, "extension", box="ankara")
    assert _total(one.total) == _total(branches["ankara"][0]["missed"].total)
    assert {r.branch for r in one.rows} == {"ankara"}
    columns, rows = got.table()
    assert columns[0] == "branch" and {r[0] for r in rows[:-1]} == set(BOXES)


def test_trunk_traffic_and_problem_trunks_are_each_boxs_own(central, branches):
    got = received_traffic.trunk_traffic(ADMIN, "default", SINCE, UNTIL, tz=UTC)
    for name, (figures, _b, _s) in branches.items():
        assert _trunk_rows(trunks.TrunkReport([r for r in got.rows if r.branch == name], got.total)) == \
            _trunk_rows(figures["trunks"]), name
    want = [f["trunks"].total for f, _b, _s in branches.values()]
    assert got.total.calls == sum(t.calls for t in want) and got.total.talk_s == sum(t.talk_s for t in want)
    assert got.total.cost == {"TRY": sum((t.cost["TRY"] for t in want), Decimal(0))}
    problems = received_traffic.problems(ADMIN, "default", SINCE, UNTIL, tz=UTC)
    for name, (figures, _b, _s) in branches.items():
        mine = [(p.group, p.trunk, p.problem, p.value) for p in problems if p.branch == name]
        assert mine == [(p.group, p.trunk, p.problem, p.value) for p in figures["problems"]], name
        assert ("", "T3", "high") in {p[:3] for p in mine}
    groups = {(r.branch, r.group) for r in got.rows}
    assert {("izmir", "Türk Telekom"), ("izmir", "Superonline"), ("izmir", "Turkcell"), ("izmir", "")} <= groups
    named = {r.name for r in got.rows if (r.branch, r.group, r.trunk) == ("ankara", "Turkcell", "T2")}
    assert named == {"Hat 2 (yeni)"}
    only = received_traffic.trunk_traffic(ADMIN, "default", SINCE, UNTIL, Traffic(group="Turkcell"), tz=UTC)
    assert only.total.calls == sum(r.calls for r in got.rows if r.group == "Turkcell" and r.trunk == "T2") > 0
    up = received_traffic.concurrency(ADMIN, "default", SINCE, UNTIL, UTC, 86400, Traffic(group="Turkcell"))
    assert 0 < sum(b.busy_s for b in up) < sum(b.busy_s for b in received_traffic.concurrency(
        ADMIN, "default", SINCE, UNTIL, UTC, 86400))
    one = received_traffic.trunk_traffic(ADMIN, "default", SINCE, UNTIL, tz=UTC, box="izmir")
    assert one.total.calls == branches["izmir"][0]["trunks"].total.calls


def test_concurrent_calls_sweep_every_boxs_calls(central, branches):
    got = received_traffic.concurrency(ADMIN, "default", SINCE, UNTIL, UTC, 3600)
    mine = [f["hours"] for f, _b, _s in branches.values()]
    assert [b.busy_s for b in got] == [sum(h[i].busy_s for h in mine) for i in range(len(got))]
    assert all(max(h[i].max_concurrent for h in mine) <= b.max_concurrent <= sum(h[i].max_concurrent for h in mine)
               for i, b in enumerate(got))
    assert sum(b.busy_s for b in got) > 0
    one = received_traffic.concurrency(ADMIN, "default", SINCE, UNTIL, UTC, 3600, box="ankara")
    assert [(b.busy_s, b.max_concurrent) for b in one] == \
        [(b.busy_s, b.max_concurrent) for b in branches["ankara"][0]["hours"]]


def test_the_call_search_its_csv_and_the_api_list_every_boxs_calls(central, branches):
    crit = call_search.Criteria(since=SINCE, until=UNTIL)
    want = {(name, i) for name, (f, _b, _s) in branches.items() for i in f["ids"]}
    page = received_search.search(ADMIN, "default", crit, per_page=500)
    assert page.total == len(want)
    seen, n = set(), 1
    while True:
        page = received_search.search(ADMIN, "default", crit, page=n, per_page=100)
        starts = [c.start_utc for c in page.calls]
        assert starts == sorted(starts, reverse=True)
        seen |= {(c.box, c.id) for c in page.calls}
        if n >= page.pages:
            break
        n += 1
    assert seen == want
    only = received_search.search(ADMIN, "default", crit, box="izmir", per_page=500)
    assert {(c.box, c.id) for c in only.calls} == {w for w in want if w[0] == "izmir"}
    priced = received_search.search(ADMIN, "default", call_search.Criteria(since=SINCE, until=UNTIL,
                                                                           min_cost=Decimal("50")), per_page=500)
    assert priced.calls and all(Decimal(c.cost) >= 50 for c in priced.calls)


def test_a_user_scoped_to_one_branch_sees_nothing_of_another_box(central, branches):
    sup = central
    izmir = branches["izmir"][0]
    got = received_traffic.missed(sup, "default", SINCE, UNTIL, "extension")
    assert {r.branch for r in got.rows} == {"izmir"}
    assert _total(got.total) == _total(izmir["missed"].total)
    t = received_traffic.trunk_traffic(sup, "default", SINCE, UNTIL, tz=UTC)
    assert {r.branch for r in t.rows} == {"izmir"} and t.total.calls == izmir["trunks"].total.calls
    assert {p.branch for p in received_traffic.problems(sup, "default", SINCE, UNTIL, tz=UTC)} == {"izmir"}
    hours = received_traffic.concurrency(sup, "default", SINCE, UNTIL, UTC, 3600)
    assert [b.busy_s for b in hours] == [b.busy_s for b in izmir["hours"]]
    crit = call_search.Criteria(since=SINCE, until=UNTIL)
    page = received_search.search(sup, "default", crit, per_page=500)
    assert page.total == len(izmir["ids"]) and {c.box for c in page.calls} == {"izmir"}
    for box in ("ankara", "bursa"):   # another box asked for by name: nothing
        assert received_search.search(sup, "default", crit, box=box).calls == []
        assert received_traffic.missed(sup, "default", SINCE, UNTIL, box=box).rows == []
        assert received_traffic.trunk_traffic(sup, "default", SINCE, UNTIL, tz=UTC, box=box).total.calls == 0
        hours = received_traffic.concurrency(sup, "default", SINCE, UNTIL, UTC, 3600, box=box)
        assert sum(b.busy_s for b in hours) == 0


def test_callbox_calls_on_the_central_gives_each_calls_branch(central, branches, tmp_path):
    store.close_db()
    rc, out, err = cli("calls", "--data", str(tmp_path), "--json")
    assert rc == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert {(r["branch"], r["id"]) for r in rows if r["branch"]} >= {
        (name, i) for name, (f, _b, _s) in branches.items() for i in f["ids"]}
    assert all("branch" in r for r in rows)


def test_the_web_pages_cover_the_boxes_the_user_sees(central, branches, tmp_path):
    from webui.app import make_app
    from web_helpers import logged_in
    app = make_app(tmp_path)
    hq, _t = logged_in(app, "hq")
    sup, _t = logged_in(app, "izmir-sup", "supervisor", "branch", "default", "P1")
    days = "since=2026-05-22&until=2026-05-28"
    for client, boxes in ((hq, set(BOXES)), (sup, {"izmir"})):
        assert client.get("/calls").status_code == 200
        page = client.get(f"/calls?{days}")
        assert {b for b in BOXES if f'data-box="{b}"' in page.text} == boxes
        listed = client.get("/api/calls?since=2026-05-22&until=2026-05-29").json
        assert {(c["box"], c["id"]) for c in listed} == {
            (n, i) for n in boxes for i in branches[n][0]["ids"]}
        rows = list(csv.DictReader(io.StringIO(client.get(f"/calls.csv?{days}").text)))
        assert {(r["box"], int(r["id"])) for r in rows} == {(n, i) for n in boxes for i in branches[n][0]["ids"]}
        assert client.get(f"/calls?{days}&branch=ankara").text.count('data-box="ankara"') == (
            0 if "ankara" not in boxes else min(50, len(branches["ankara"][0]["ids"])))
        for name in ("missed", "trunks", "concurrency"):
            got = client.get(f"/reports/{name}.csv?run=1&range=custom&{days}")
            table = list(csv.DictReader(io.StringIO(got.text)))
            if name != "concurrency":
                assert {r["branch"] for r in table[:-1]} == boxes


def test_callbox_traffic_on_the_central_covers_the_boxes(central, branches, tmp_path):
    store.close_db()
    span = ("--since", "2026-05-22T00:00:00+00:00", "--until", "2026-05-29T00:00:00+00:00", "--json")
    rc, out, err = cli("traffic", "missed", "--data", str(tmp_path), *span)
    assert rc == 0, err
    doc = json.loads(out)
    assert {r["branch"] for r in doc["rows"]} == set(BOXES)
    assert doc["total"]["offered"] == sum(f["missed"].total.offered for f, _b, _s in branches.values())
    rc, out, err = cli("traffic", "trunks", "--data", str(tmp_path), "--branch", "ankara", *span)
    assert rc == 0, err
    assert json.loads(out)["total"]["calls"] == branches["ankara"][0]["trunks"].total.calls
    rc, out, err = cli("traffic", "concurrency", "--data", str(tmp_path), "--step", "24h", *span)
    assert rc == 0, err
    intervals = json.loads(out)["intervals"]
    busy = sum(i["erlangs"] * i["seconds"] for i in intervals)      # erlangs printed to 4 decimals
    assert abs(busy - sum(b.busy_s for f, _b, _s in branches.values() for b in f["hours"])) <= \
        sum(i["seconds"] for i in intervals) * 0.00005


def test_a_boxs_call_has_its_detail_page_for_who_sees_it(central, branches, tmp_path):
    """/central/calls/BOX/ID: the box's call as it sent it (its legs, its cost, its attribution), linked from /calls
    and /central/calls; a user scoped to the İzmir branch opens İzmir's calls and gets a 404 for Ankara's."""
    from webui.app import make_app
    from web_helpers import logged_in
    app = make_app(tmp_path)
    hq, _t = logged_in(app, "hq")
    sup, _t = logged_in(app, "izmir-sup", "supervisor", "branch", "default", "P1")
    for name in BOXES:
        legs = branches[name][0]["legs"]
        several = next(cid for cid, (n, cost, _tr) in legs.items() if n > 1)
        priced = next(cid for cid, (n, cost, _tr) in legs.items() if cost)
        page = hq.get(f"/central/calls/{name}/{several}").text
        assert page.count("<tr><td class=\"num\">") == legs[several][0] and f'data-box="{name}"' in page
        cost = hq.get(f"/central/calls/{name}/{priced}").text.split('id="branch-call-cost">')[1].split("<")[0]
        assert legs[priced][1].rstrip("0").rstrip(".") in cost.replace(",", ".")
        sup.get(f"/central/calls/{name}/{several}", status=200 if name == "izmir" else 404)
    hq.get("/central/calls/izmir/99999999", status=404)
    hq.get("/central/calls/nobox/1", status=404)
    listed = hq.get("/calls?since=2026-05-22&until=2026-05-28&branch=izmir").text
    assert '<a href="/central/calls/izmir/' in listed
    assert '<a href="/central/calls/' in hq.get("/central/calls").text
