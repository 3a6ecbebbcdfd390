"""HQ in a real browser (headless Debian chromium, Playwright) on a central whose received data is on a real
PostgreSQL: two branch boxes enrolled and synced for real, then the central's web as an HQ administrator (every
branch in the branch calls, the consolidated report by branch, the branch health page) and as a supervisor scoped
to one branch (that branch box only, no health page), with the İzmir box known by its identity ("izmir") and shown
by its display name ("İzmir"), linked to the directory's branch İzmir; both see a bill of the İzmir box's person,
and the branch boxes' queues on the call-centre page (HQ both boxes, İzmir's supervisor İzmir's only), and both
reach the traffic reports and the call search, which cover the branch boxes they see (HQ both, İzmir's supervisor
İzmir's only: the missed calls' offered and the trunk calls of each box equal the box's own calls, its calls in
/calls, its CSV and /api/calls with the box as a column and a filter); the call-centre reports' caller journeys and
callback list have each box's rows (HQ both, İzmir's supervisor İzmir's only), and so has the evaluations page (the
evaluations a supervisor gave on each box, synced with its calls).
Screenshots go to tests/artifacts/."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from decimal import Decimal

import pytest

from appliance import store
from appliance.paths import Paths
from browser_helpers import PASSWORD, artifacts_dir, callbox, nav_to, web_process
from cc_helpers import feed
from pg_server import postgres  # noqa: F401  (fixture)
from sync_helpers import Central, branch_totals, cli_json, generate, make_branch
from test_evaluation_sync import evaluate
from test_queue_outage import queue_log
from test_browser import _login  # the login (the browser fixture is tests/conftest.py's)

pytestmark = pytest.mark.slow
BRANCHES = {"izmir": 300, "ankara": 200}
PEOPLE = "person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;201\n"
# on the İzmir branch box: the person whose bill HQ and İzmir's supervisor read on the central
BRANCH_PEOPLE = "person_id;first_name;last_name;branch;department;extensions\nB7;Elif;Şahin;İzmir;Satış;217\n"
LABEL = {"izmir": "İzmir", "ankara": "ankara"}
MAY_JUNE = "range=custom&since=2026-05-01&until=2026-07-01"
QUEUED = {"izmir": 40, "ankara": 25}     # queue calls each box's queue log has


@pytest.fixture(scope="module")
def hq(tmp_path_factory, postgres):  # noqa: F811 (the fixture)
    top = tmp_path_factory.mktemp("hq")
    central = Central(top / "central", postgres)
    central.data.mkdir(exist_ok=True)
    central.add("warmup")
    central.start()
    boxes = {}
    try:
        for i, (name, n) in enumerate(BRANCHES.items()):
            boxes[name] = top / name
            make_branch(boxes[name], central, name, central.url_direct)
            if name == "izmir":
                staff = top / "branch-people.csv"
                staff.write_text(BRANCH_PEOPLE, encoding="utf-8")
                callbox(boxes[name], "directory", "import", str(staff))
            generate(boxes[name], n, 1, seed=70 + i)
            feed(Paths(boxes[name]), queue_log(QUEUED[name], 1_778_000_000, seed=i))   # May 2026
            evaluate(3 + i, i)
            store.close_db()
            assert cli_json("sync", "now", "--data", str(boxes[name]), "--json") == {"sent": n, "pending": 0}
    finally:
        central.stop()
    people = top / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    callbox(central.data, "directory", "import", str(people))
    callbox(central.data, "central", "branch", "set", "izmir", "--label", "İzmir", "--unit", "İzmir")
    callbox(central.data, "user", "add", "hq", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    callbox(central.data, "user", "add", "izmir-sup", "--role", "supervisor", "--scope", "branch", "--person", "P1",
            "--password-stdin", stdin=PASSWORD + "\n")
    with web_process(central.data) as url:
        yield url, boxes


def _shot(page, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / f"central-{name}.png"), full_page=True)


def _report_by_branch(page, site) -> dict[str, tuple[int, Decimal]]:
    page.goto(f"{site}/reports?run=1&dim1=branch&{MAY_JUNE}&m=calls&m=cost")
    rows = {}
    for tr in page.locator("table.report tbody tr").all():
        cells = [c.inner_text().strip() for c in tr.locator("th, td").all()]
        rows[cells[0]] = (int(re.sub(r"\D", "", cells[1])),
                          Decimal(re.sub(r"[^\d.]", "", cells[2].replace(",", ""))))
    return rows


def _branches_listed(page) -> set[str]:
    return {c.inner_text().strip() for c in page.locator("table#branch-calls tbody tr td:first-child").all()}


def _bill(page, site, branch_data, who: str) -> None:
    """Through the Billing menu: the İzmir box, Elif (B7), May 2026: the total is her outgoing calls' exact sum on
    the branch (the month in the central's zone, UTC: the boxes here have no zone set)."""
    nav_to(page, "/bill")
    page.wait_for_url(site + "/bill")
    page.select_option("select#bill-branch", "izmir")
    page.fill("input[name=period]", "2026-05")
    page.click("#bill-form button[type=submit]")
    page.wait_for_url(re.compile(r".*branch=izmir.*"))
    page.select_option("select[name=person]", "B7")
    page.click("#bill-form button[type=submit]")
    page.wait_for_url(re.compile(r".*person=B7.*"))
    con = sqlite3.connect(branch_data / "callbox.db")
    lo, hi = 1_777_593_600, 1_780_272_000                # 2026-05-01 .. 2026-06-01 UTC
    costs = [Decimal(c) for (c,) in con.execute("SELECT cost FROM call WHERE TRIM(extension) = '217' AND direction"
                                                " = 'out' AND start_utc >= ? AND start_utc < ?", (lo, hi))
             if c is not None]
    con.close()
    assert costs
    total = page.locator("p.bill-total strong").inner_text()
    assert Decimal(re.sub(r"[^\d.]", "", total.replace(",", ""))) == sum(costs, Decimal(0))
    assert page.locator("table.bill-calls tbody tr").count() == len(costs)
    assert "Elif Şahin" in page.locator("section.bill h2").first.inner_text()
    _shot(page, f"{who}-branch-bill")


def _queues_by_box(page, site) -> dict[str, int]:
    """The call-centre page's branch boxes' table: offered calls per box (its display name)."""
    page.goto(f"{site}/callcentre?{MAY_JUNE}")
    offered: dict[str, int] = {}
    for tr in page.locator("table#branch-queues tbody tr").all():
        cells = [c.inner_text().strip() for c in tr.locator("td").all()]
        offered[cells[0]] = offered.get(cells[0], 0) + int(re.sub(r"\D", "", cells[2]))
    return offered


def _report_boxes(page, site, name: str) -> dict[str, int]:
    """A call-centre report's rows per branch box (its first column, the box's display name)."""
    page.goto(f"{site}/callcentre/reports/{name}?{MAY_JUNE}")
    rows: dict[str, int] = {}
    for tr in page.locator("table.report tbody tr").all():
        box = tr.locator("td").first.inner_text().strip()
        rows[box] = rows.get(box, 0) + 1
    return rows


def _cc_reports(page, site, sees: set[str]) -> None:
    """The journeys list a row per queue call of each box the user sees (every box: a row per queue call it sent),
    the callback list each box's lost callers, the evaluations page each box's agents evaluated there."""
    assert _report_boxes(page, site, "caller_journeys") == {LABEL[n]: QUEUED[n] for n in sees}
    assert set(_report_boxes(page, site, "callback_list")) == {LABEL[n] for n in sees}
    assert set(_report_boxes(page, site, "call_evaluations")) == {LABEL[n] for n in sees}
    assert "evaluations reach this box with its next sync" in page.locator("main").inner_text()


def _counts(data, where: str) -> int:
    con = sqlite3.connect(data / "callbox.db")
    try:
        return con.execute(f"SELECT COUNT(*) FROM call WHERE {where}").fetchone()[0]
    finally:
        con.close()


def _csv_by_box(page, url: str, column: str) -> dict[str, int]:
    """The CSV export of a traffic report: `column` summed per branch box over its rows (not subtotals, total)."""
    body = page.request.get(url).text()
    rows = list(csv.DictReader(io.StringIO(body)))
    out: dict[str, int] = {}
    for r in rows[:-1]:     # the last row: the total
        if r.get("trunk", "") != "*":
            out[r["branch"]] = out.get(r["branch"], 0) + int(r[column])
    return out


def _traffic_pages(page, site, boxes, who: str, sees: set[str]) -> None:
    """The traffic reports and the call search open through their menus and cover the branch boxes the user sees:
    per box, the incoming calls offered (missed calls) and the trunk calls are that box's own calls, exactly; the
    call search lists each box's calls with the box as a column and a filter; nothing of any other box."""
    choices = {LABEL[n] for n in sees} | ({"warmup"} if len(sees) > 1 else set())   # HQ: the box without calls too
    for href in ("/reports/missed", "/reports/trunks", "/reports/concurrency"):
        page.goto(site + "/reports")
        page.click(f"a[href='{href}']")
        page.wait_for_url(re.compile(re.escape(site + href) + ".*"))
        assert page.locator("h1").count() == 1
        assert set(page.locator("select#report-branch option").all_inner_texts()[1:]) == choices
        page.goto(f"{site}{href}?run=1&{MAY_JUNE}")
        assert page.locator("table").count() >= 1
        _shot(page, f"{who}-{href.rsplit('/', 1)[1]}")
    offered = _csv_by_box(page, f"{site}/reports/missed.csv?run=1&{MAY_JUNE}", "offered")
    assert offered == {n: _counts(boxes[n], "direction = 'in'") for n in sees}
    trunk_calls = _csv_by_box(page, f"{site}/reports/trunks.csv?run=1&{MAY_JUNE}", "calls")
    assert trunk_calls == {n: _counts(boxes[n], "trunk != ''") for n in sees}
    assert _csv_by_box(page, f"{site}/reports/trunks.csv?run=1&{MAY_JUNE}&branch=ankara", "calls") == (
        {"ankara": _counts(boxes["ankara"], "trunk != ''")} if "ankara" in sees else {})
    page.goto(f"{site}/reports/concurrency?run=1&{MAY_JUNE}&step=86400")
    assert page.locator("dl.cards").count() == 1          # a busy hour: the boxes' calls are traffic here
    nav_to(page, "/calls")
    page.wait_for_url(re.compile(re.escape(site) + "/calls.*"))
    assert page.locator("select#call-branch").count() == 1, page.content()[:3000]
    assert set(page.locator("select#call-branch option").all_inner_texts()[1:]) == choices
    page.goto(f"{site}/calls?since=2026-05-01&until=2026-06-30")
    assert {r.get_attribute("data-box") for r in page.locator("table tbody tr[data-box]").all()} == sees
    _shot(page, f"{who}-calls")
    for name in BRANCHES:
        page.goto(f"{site}/calls?since=2026-05-01&until=2026-06-30&branch={name}")
        shown = {r.get_attribute("data-box") for r in page.locator("table tbody tr[data-box]").all()}
        assert shown == ({name} if name in sees else set())
    listed = json.loads(page.request.get(f"{site}/api/calls?since=2026-05-01&until=2026-07-01").text())
    per_box: dict[str, int] = {}
    for c in listed:
        per_box[c["box"]] = per_box.get(c["box"], 0) + 1
    assert per_box == {n: _counts(boxes[n], "direction != 'system'") + _counts(boxes[n], "direction = 'system'")
                       for n in sees}
    body = page.request.get(f"{site}/calls.csv?since=2026-05-01&until=2026-06-30&branch=izmir").text()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["box"] for r in rows} == ({"izmir"} if "izmir" in sees else set())
    # the call-centre queue summary: a row per box and queue, each box's offered calls its own queue calls
    page.goto(f"{site}/callcentre/reports/queue_summary?{MAY_JUNE}")
    assert set(page.locator("select#cc-branch option").all_inner_texts()[1:]) == choices
    _shot(page, f"{who}-cc-queue-summary")
    body = page.request.get(f"{site}/callcentre/reports/queue_summary?{MAY_JUNE}&export=csv").text()
    offered: dict[str, int] = {}
    for r in csv.DictReader(io.StringIO(body)):
        offered[r["Branch box"]] = offered.get(r["Branch box"], 0) + int(r["Offered"])
    assert offered == {n: QUEUED[n] for n in sees}


def test_hq_sees_every_branch_its_health_and_the_consolidated_report(hq, browser):  # noqa: F811
    site, boxes = hq
    context, page, seen = _login(site, browser, "hq")
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    assert {"/central/calls", "/central/branches"} <= set(links)
    nav_to(page, "/central/branches")
    page.wait_for_url(site + "/central/branches")
    rows = {r.get_attribute("data-branch"): r for r in page.locator("table#branch-health tbody tr").all()}
    assert set(rows) == {"izmir", "ankara", "warmup"}
    assert rows["izmir"].locator("td.box-name").inner_text().split()[0] == "İzmir"
    for name in BRANCHES:
        assert rows[name].locator("td.link-state").inner_text() in ("up", "silent")
    assert rows["warmup"].locator("td.link-state").inner_text() == "never heard from"
    _shot(page, "hq-branches")
    rows["izmir"].locator("td.box-name a").click()              # the box's people, as its directory says
    page.wait_for_url(site + "/central/branches/izmir")
    person = page.locator("table#branch-people tr[data-person=B7]")
    cells = [c.inner_text().strip() for c in person.locator("td").all()]
    assert cells[:5] == ["Elif Şahin", "B7", "Satış", "İzmir", "217"]
    assert page.locator("table#branch-tariffs tbody tr").count() == 0   # the box has no tariff plan
    _shot(page, "hq-branch-box")

    nav_to(page, "/central/calls")
    page.wait_for_url(site + "/central/calls")
    assert _branches_listed(page) == set(LABEL.values())
    assert set(page.locator("select#branch option").all_inner_texts()) >= set(LABEL.values())
    page.select_option("select#branch", "ankara")
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r".*branch=ankara.*"))
    assert _branches_listed(page) == {"ankara"}
    _shot(page, "hq-branch-calls")

    report = _report_by_branch(page, site)
    _shot(page, "hq-report-by-branch")
    for name, data in boxes.items():
        _, calls, _, cost = branch_totals(data)
        assert report[LABEL[name]] == (calls, cost), (name, report)
    _bill(page, site, boxes["izmir"], "hq")
    nav_to(page, "/callcentre")
    page.wait_for_url(re.compile(re.escape(site) + "/callcentre.*"))
    assert _queues_by_box(page, site) == {LABEL[n]: QUEUED[n] for n in BRANCHES}
    page.select_option("select#branch", "ankara")
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r".*branch=ankara.*"))
    assert {r.get_attribute("data-box") for r in page.locator("table#branch-queues td[data-box]").all()} == {"ankara"}
    _shot(page, "hq-callcentre-branches")
    _cc_reports(page, site, set(BRANCHES))
    _shot(page, "hq-callcentre-evaluations")
    _traffic_pages(page, site, boxes, "hq", set(BRANCHES))
    context.close()
    assert not seen.errors, seen.errors


def test_a_user_scoped_to_one_branch_sees_only_that_branch_box(hq, browser):  # noqa: F811
    site, boxes = hq
    context, page, seen = _login(site, browser, "izmir-sup")
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    assert "/central/calls" in links and "/central/branches" not in links
    nav_to(page, "/central/calls")
    page.wait_for_url(site + "/central/calls")
    assert _branches_listed(page) == {"İzmir"}
    assert page.locator("select#branch option").all_inner_texts()[1:] == ["İzmir"]
    _shot(page, "izmir-branch-calls")
    page.goto(site + "/central/calls?branch=ankara")              # asking for another branch gives nothing
    assert page.locator("table#branch-calls").count() == 0
    report = _report_by_branch(page, site)
    _shot(page, "izmir-report-by-branch")
    _, calls, _, cost = branch_totals(boxes["izmir"])
    assert report == {"İzmir": (calls, cost)}
    _bill(page, site, boxes["izmir"], "izmir")
    nav_to(page, "/callcentre")      # no queue of the central's own is theirs: their branch box's queues
    page.wait_for_url(re.compile(re.escape(site) + "/callcentre.*"))
    assert _queues_by_box(page, site) == {"İzmir": QUEUED["izmir"]}
    page.goto(f"{site}/callcentre?{MAY_JUNE}&branch=ankara")
    assert page.locator("table#branch-queues").count() == 0
    _shot(page, "izmir-callcentre-branches")
    _cc_reports(page, site, {"izmir"})
    _traffic_pages(page, site, boxes, "izmir", {"izmir"})
    assert not seen.errors, seen.errors
    response = page.goto(site + "/central/branches")             # the health page is the whole box's admins'
    assert response.status == 403
    assert page.goto(site + "/central/branches/ankara").status == 404  # nor another box's directory
    nav_to(page, "/central/calls")                                # but their own box's, linked from its calls
    page.wait_for_url(site + "/central/calls")
    page.click("#box-pages a")
    page.wait_for_url(site + "/central/branches/izmir")
    assert page.locator("table#branch-people tr[data-person=B7]").count() == 1
    assert page.goto(site + "/bill?branch=ankara").status == 404  # another branch box's bills: none
    context.close()
