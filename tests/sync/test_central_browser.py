"""HQ in a real browser (headless Debian chromium, Playwright) on a central whose received data is on a real
PostgreSQL: two branch boxes enrolled and synced for real, then the central's web as an HQ administrator (every
branch in the branch calls, the consolidated report by branch, the branch health page) and as a supervisor scoped
to one branch (that branch box only, no health page). Screenshots go to tests/artifacts/."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from browser_helpers import PASSWORD, artifacts_dir, callbox, nav_to, web_process
from pg_server import postgres  # noqa: F401  (fixture)
from sync_helpers import Central, branch_totals, cli_json, generate, make_branch
from test_browser import _login, browser  # noqa: F401  (the browser fixture, the login)

pytestmark = pytest.mark.slow
BRANCHES = {"izmir": 300, "ankara": 200}
PEOPLE = "person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;izmir;Satış;201\n"
MAY_JUNE = "range=custom&since=2026-05-01&until=2026-07-01"


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
            generate(boxes[name], n, 1, seed=70 + i)
            assert cli_json("sync", "now", "--data", str(boxes[name]), "--json") == {"sent": n, "pending": 0}
    finally:
        central.stop()
    people = top / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    callbox(central.data, "directory", "import", str(people))
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


def test_hq_sees_every_branch_its_health_and_the_consolidated_report(hq, browser):  # noqa: F811
    site, boxes = hq
    context, page, seen = _login(site, browser, "hq")
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    assert {"/central/calls", "/central/branches"} <= set(links)
    nav_to(page, "/central/branches")
    page.wait_for_url(site + "/central/branches")
    rows = {r.get_attribute("data-branch"): r for r in page.locator("table#branch-health tbody tr").all()}
    assert set(rows) == {"izmir", "ankara", "warmup"}
    for name in BRANCHES:
        assert rows[name].locator("td.link-state").inner_text() in ("up", "silent")
    assert rows["warmup"].locator("td.link-state").inner_text() == "never heard from"
    _shot(page, "hq-branches")

    nav_to(page, "/central/calls")
    page.wait_for_url(site + "/central/calls")
    assert _branches_listed(page) == set(BRANCHES)
    assert set(page.locator("select#branch option").all_inner_texts()) >= set(BRANCHES)
    page.select_option("select#branch", "ankara")
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r".*branch=ankara.*"))
    assert _branches_listed(page) == {"ankara"}
    _shot(page, "hq-branch-calls")

    report = _report_by_branch(page, site)
    _shot(page, "hq-report-by-branch")
    for name, data in boxes.items():
        _, calls, _, cost = branch_totals(data)
        assert report[name] == (calls, cost), (name, report)
    context.close()
    assert not seen.errors, seen.errors


def test_a_user_scoped_to_one_branch_sees_only_that_branch_box(hq, browser):  # noqa: F811
    site, boxes = hq
    context, page, seen = _login(site, browser, "izmir-sup")
    links = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    assert "/central/calls" in links and "/central/branches" not in links
    nav_to(page, "/central/calls")
    page.wait_for_url(site + "/central/calls")
    assert _branches_listed(page) == {"izmir"}
    assert page.locator("select#branch option").all_inner_texts()[1:] == ["izmir"]
    _shot(page, "izmir-branch-calls")
    page.goto(site + "/central/calls?branch=ankara")              # asking for another branch gives nothing
    assert page.locator("table#branch-calls").count() == 0
    report = _report_by_branch(page, site)
    _shot(page, "izmir-report-by-branch")
    _, calls, _, cost = branch_totals(boxes["izmir"])
    assert report == {"izmir": (calls, cost)}
    assert not seen.errors, seen.errors
    response = page.goto(site + "/central/branches")             # the health page is the whole box's admins'
    assert response.status == 403
    context.close()
