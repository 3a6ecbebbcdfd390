"""The central's wallboard in a real browser (headless Debian chromium): two branch boxes' member events and queue
calls of the last two hours synced to a central; its wallboard link shows every box's agents, each row named with its
box and as the box's own board names it: by the box's directory ("İzmir · Ayşe Yılmaz (PJSIP/201)", the İzmir box
synced its directory), by the channel when no person matches ("ankara · PJSIP/201": that box sent none), as many
as the box's own board has; ?branch=izmir the İzmir box's only (issue 18). Screenshots go to tests/artifacts/."""
from __future__ import annotations

import time

import pytest

from appliance import store
from appliance.paths import Paths
from appliance.store.sync import install_triggers
from browser_helpers import artifacts_dir, web_process
from cc_helpers import feed
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures of central_of_boxes' module)
from sync_helpers import central_of_boxes, cli_json, sent_batches
from test_central_board_names import _directory, board_agents
from test_central_callcentre import member_log
from test_queue_outage import queue_log

pytestmark = pytest.mark.slow
BOXES = {"izmir": 40, "ankara": 30}
LABELS = {"izmir": "İzmir", "ankara": "ankara"}


@pytest.fixture(scope="module")
def board_site(tmp_path_factory):
    """The central's web process, a wallboard link of every queue, and each box's own agents on its board now."""
    first = int(time.time()) - 7200          # the boxes' last two hours: agents logged in, paused, logged off
    sent, snaps, agents = {}, {}, {}
    for i, (name, n) in enumerate(BOXES.items()):
        data = tmp_path_factory.mktemp(name)
        feed(Paths(data), member_log(first, seed=90 + i) + queue_log(n, first, seed=60 + i))
        store.close_db()
        snaps[name] = [_directory(data, name)] if name == "izmir" else []   # Ankara's: none
        store.open_db(data / "callbox.db")
        install_triggers(backfill=True)
        agents[name] = board_agents(name, int(time.time()))
        bodies = sent_batches(name, max_rows=50)
        store.close_db()
        sent[name] = bodies
    data = tmp_path_factory.mktemp("central")
    central_of_boxes(data, None, sent, snaps)
    store.close_db()
    path = cli_json("queue", "wallboard", "add", "Hall", "--data", str(data), "--json")["path"]
    with web_process(data) as url:
        yield url + path, agents


def test_the_wallboard_link_shows_each_boxs_agents(board_site, browser):
    link, agents = board_site
    assert all(agents.values())
    assert any(a["name"] for a in agents["izmir"]) and not any(a["name"] for a in agents["ankara"])
    context = browser.new_context(locale="en-GB", ignore_https_errors=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for query, boxes in (("", set(BOXES)), ("?branch=izmir", {"izmir"})):
        page.goto(link + query)
        page.wait_for_selector("#wb-agents tr[data-box]")
        rows = page.locator("#wb-agents tr[data-box]").all()
        by_box = {b: [r for r in rows if r.get_attribute("data-box") == b] for b in BOXES}
        assert {b for b, found in by_box.items() if found} == boxes
        for b in boxes:
            assert len(by_box[b]) == len(agents[b])
            names = [r.locator("td").first.inner_text() for r in by_box[b]]
            assert names == [f"{LABELS[b]} · " + (f"{a['name']} ({a['agent']})" if a["name"] else a["agent"])
                             for a in agents[b]]
        shot = artifacts_dir() / f"central-wallboard{'-izmir' if query else ''}.png"
        page.screenshot(path=str(shot), full_page=True)
    context.close()
    assert not errors, errors
