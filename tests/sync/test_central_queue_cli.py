"""`callbox queue report` on a central covers its branch boxes as its web does (issue 18), on SQLite and PostgreSQL:
the box a first column `branch` ("" for the central's own queues), each box's rows those of the box's own report;
--branch BOX that box's only; the JSON's fields as on any box (report, columns, kinds, rows, totals); an unknown box,
or --branch on a box that is not a central, a clear error."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest

from appliance import store
from appliance.callcentre import received_reports
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import central_of_boxes, cli, cli_json
from test_central_callcentre import BOXES, SINCE, UNTIL, branches  # noqa: F401  (branches: the fixture)

RULES = "[callcentre]\nwrapup_seconds = 10\nwrapup_pause_reasons = ACW\n"   # test_central_callcentre's BOOK
ISO = {"since": datetime.fromtimestamp(SINCE, timezone.utc).isoformat(),
       "until": datetime.fromtimestamp(UNTIL, timezone.utc).isoformat()}


@pytest.fixture
def central(tmp_path, engine, branches):  # noqa: F811 (the fixtures)
    central_of_boxes(tmp_path, engine, {name: bodies for name, (_mine, bodies) in branches.items()})
    store.close_db()
    ini = tmp_path / "callbox.ini"
    ini.write_text(ini.read_text(encoding="utf-8") + RULES, encoding="utf-8")
    yield tmp_path
    store.close_db()


def _report(data, name: str, *more: str) -> dict:
    return cli_json("queue", "report", name, "--data", str(data), "--since", ISO["since"], "--until", ISO["until"],
                    "--json", *more)


@pytest.mark.parametrize("name", ["queue_summary", "agent_performance", "service_level_by_hour", "lost_by_wait",
                                  "agent_pauses", "agent_sessions"])
def test_the_cli_covers_every_box_as_the_web_does(central, branches, name):  # noqa: F811
    got = _report(central, name)
    assert set(got) == {"report", "columns", "kinds", "rows", "totals"}
    assert got["columns"][0] == "branch" and got["kinds"][0] == "text"
    mine = {box: m[name] for box, (m, _b) in branches.items()}
    assert got["columns"][1:] == mine["izmir"].names()
    for box, table in mine.items():
        assert [r[1:] for r in got["rows"] if r[0] == box] == json.loads(json.dumps(table.rows)), box
        assert table.rows
    assert {r[0] for r in got["rows"]} == set(BOXES)     # the central has no queue of its own
    one = _report(central, name, "--branch", "ankara")
    assert {r[0] for r in one["rows"]} == {"ankara"}
    assert [r[1:] for r in one["rows"]] == json.loads(json.dumps(mine["ankara"].rows))
    assert name in received_reports.REPORTS


def test_the_table_csv_and_compare_have_the_box(central, branches):  # noqa: F811
    rc, out, err = cli("queue", "report", "queue_summary", "--data", str(central), "--since", ISO["since"],
                       "--until", ISO["until"], "--csv")
    assert rc == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:2] == ["branch", "queue"] and {r[0] for r in rows[1:]} == set(BOXES)
    rc, out, err = cli("queue", "report", "queue_summary", "--data", str(central), "--since", ISO["since"],
                       "--until", ISO["until"], "--branch", "izmir")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["branch", "queue"] and all(line.startswith("izmir") for line in lines[1:])
    compared = _report(central, "queue_summary", "--compare")
    assert compared["columns"][0] == "branch" and {r[0] for r in compared["rows"]} == set(BOXES)


def test_a_box_that_is_not_there_is_a_clear_error(central, tmp_path_factory):
    rc, _out, err = cli("queue", "report", "queue_summary", "--data", str(central), "--branch", "bursa", "--json")
    assert rc == 2 and "no branch box 'bursa'" in err
    plain = tmp_path_factory.mktemp("plain")
    (plain / "callbox.ini").write_text("[pbx]\ntimezone = UTC\n", encoding="utf-8")
    rc, _out, err = cli("queue", "report", "queue_summary", "--data", str(plain), "--branch", "izmir")
    assert rc == 2 and "not a central" in err
    got = cli_json("queue", "report", "queue_summary", "--data", str(plain), "--json")
    assert got["columns"][0] == "queue"    # a box that is not a central: as before
