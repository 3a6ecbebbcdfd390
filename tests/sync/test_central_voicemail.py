"""Issue 18 (after issue 20): a central counts a branch box's call to voicemail by name (IP Office's "O" to "?GRABOWA"
over no trunk) as the branch's reports do, under direction voicemail (to_name from another PBX), never as outgoing:
its report by direction for that box, from every call and from its month roll-up (central_month), equals the
branch's own row by row, on SQLite and PostgreSQL. A central whose roll-up an older release built (the PBX's
direction) reads every call until its receiver, at its start, builds the roll-up again: once."""
from __future__ import annotations

import random
import re
import sqlite3
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.access import users
from appliance.reports import engine as reports
from appliance.reports import rollup
from appliance.store import central_db, central_month, directions
from appliance.store.central_month import CentralMonth
from appliance.store.sync import install_triggers
from appliance.sync import outbox
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import Central, central_of_boxes

UTC = ZoneInfo("UTC")
DAY = 86400
START = 1_775_001_600            # 2026-04-01 00:00 UTC: calls over April and May
NOW = START + 70 * DAY
ADMIN = users.Account(0, "hq", "administrator", "all", "", "")
CALL = ("INSERT INTO call (id, driver, call_key, start_utc, utc_offset, direction, extension, party, trunk, ring_s, "
        "talk_s, answered, transferred, account_code, legs, kind, number, cost, currency, destination, tariff, capped,"
        " tenant) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, 0, '', 1, '', '', ?, ?, '', '', 0, 'default')")
LEG = ("INSERT INTO leg (id, call_id, driver, call_key, start_utc, utc_offset, direction, extension, party, trunk, "
       "ring_s, talk_s, answered, transferred, account_code, jseg, joff) VALUES "
       "(?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, 0, '', 1, ?)")
# (direction, party, trunk, driver): what the reports count it as
KINDS = (("out", "05321112233", "T1", "avaya_ipoffice"),     # out: over a trunk, priced
         ("out", "?GRABOWA", "", "avaya_ipoffice"),          # voicemail
         ("out", "?Çağrı Merkezi", "", "avaya_ipoffice"),    # voicemail (a Unicode mailbox name)
         ("out", "?Reception", "", "cisco_cucm"),            # to_name
         ("out", "?123", "", "avaya_ipoffice"),              # out: a number after the ?
         ("out", "0532555", "", "avaya_ipoffice"),           # out: a number over no trunk
         ("out", "?GRABOWA", "T2", "avaya_ipoffice"),        # out: over a trunk
         ("in", "+905321234567", "T1", "avaya_ipoffice"),
         ("internal", "209", "", "avaya_ipoffice"),
         ("system", "?VM", "", "avaya_ipoffice"))
MEASURES = ("calls", "calls_out", "talk_out", "ring_out", "calls_in", "talk", "answered", "cost")
SPECS = {   # whole months: the central reads its roll-up; part of a month: every call
    "direction": reports.Spec(("direction",), MEASURES, "custom", since="2026-04-01", until="2026-06-01"),
    "month": reports.Spec(("month", "direction"), MEASURES, "custom", since="2026-04-01", until="2026-06-01"),
    "out_only": reports.Spec(("month",), MEASURES, "custom", since="2026-04-01", until="2026-06-01",
                             filters={"direction": ["voicemail", "out"]}),
    "days": reports.Spec(("direction",), MEASURES, "custom", since="2026-04-10", until="2026-05-20"),
}


def _calls(data: Path, n: int = 400, seed: int = 20) -> None:
    rnd = random.Random(seed)
    con = sqlite3.connect(data / "callbox.db")
    with con:
        for cid in range(1, n + 1):
            direction, party, trunk, driver = KINDS[cid % len(KINDS)]
            at = START + rnd.randrange(61 * DAY)
            ring, talk = rnd.randint(0, 20), rnd.randint(0, 300)
            cost = f"{Decimal(rnd.randint(1, 99999)) / 1000:.3f}" if trunk and direction == "out" and talk else None
            con.execute(CALL, (cid, driver, f"k{cid}", at, direction, str(201 + cid % 5), party, trunk, ring, talk,
                               talk > 0, cost, "TRY" if cost else ""))
            con.execute(LEG, (cid, cid, driver, f"k{cid}", at, direction, str(201 + cid % 5), party, trunk, ring,
                              talk, talk > 0, cid))
    con.close()


def _figures() -> dict:
    """The branch's reports, from its calls and from its roll-ups (equal)."""
    raw = {name: reports.run(spec, ADMIN, "default", NOW, tz=UTC, use_rollup=False) for name, spec in SPECS.items()}
    rollup.refresh()
    for name, spec in SPECS.items():
        fast = reports.run(spec, ADMIN, "default", NOW, tz=UTC)
        assert (fast.rows, fast.totals) == (raw[name].rows, raw[name].totals), name
    return {name: (r.rows, r.totals) for name, r in raw.items()}


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    """The İzmir box's reports from its own database, and the batches its outbox sent."""
    data = tmp_path_factory.mktemp("izmir")
    store.open_db(data / "callbox.db")
    install_triggers(backfill=True)
    _calls(data)
    figures = _figures()
    bodies = []
    while (b := outbox.build("izmir", "default", max_rows=150)) is not None:
        bodies.append((b.seq, b.body))
        outbox.acknowledged(b)
    store.close_db()
    return figures, bodies


@pytest.fixture
def central(tmp_path, engine, branch):  # noqa: F811 (the fixture)
    central_of_boxes(tmp_path, engine, {"izmir": branch[1]})
    yield tmp_path
    store.close_db()


def _central_figures(box: str = "İzmir") -> dict:
    out = {}
    for name, spec in SPECS.items():
        mine = reports.Spec(spec.dims, spec.measures, spec.range, since=spec.since, until=spec.until,
                            filters={**spec.filters, "branch": [box]})
        got = reports.run(mine, ADMIN, "default", NOW, tz=UTC)
        assert "branches" in got.source, name
        out[name] = (got.rows, got.totals)
    return out


def _month_table() -> dict:
    with central_db.connection():
        return {tuple(getattr(r, k) for k in central_month.KEYS): tuple(getattr(r, s) for s in central_month.SUMS)
                for r in CentralMonth.select()}


def test_the_central_counts_a_call_to_voicemail_as_the_branch_does(central, branch):
    figures = branch[0]
    directions_seen = {r[0] for r in figures["direction"][0]}
    assert directions_seen == {"in", "internal", "out", "to_name", "voicemail"}
    assert _central_figures() == figures
    with central_db.connection():
        assert central_month.current()
    kept = _month_table()
    assert {k[3] for k in kept} == {"in", "internal", "out", "to_name", "voicemail", "system"}
    with central_db.connection():
        central_month.rebuild()
    assert _month_table() == kept   # kept per batch as a rebuild makes it


def test_python_and_sql_agree_on_the_direction(central):
    """directions.reported (the roll-up kept per batch) and DIRECTION_SQL (its rebuild, the reports) on the
    central's engine, over awkward parties."""
    parties = ("?GRABOWA", "?123", "? 1+2*#", "?", "", None, "?-", "?Ç", "x?AB", "?12a", " ?AB")
    rows = [(d, p, t, drv) for d in ("out", "in") for p in parties for t in ("", None, "T1")
            for drv in ("avaya_ipoffice", "cisco_cucm", None)]
    with central_db.connection():
        for d, p, t, drv in rows:
            got = central_db.execute(f"SELECT {directions.DIRECTION_SQL} FROM (SELECT ? AS direction, ? AS party, "
                                     "? AS trunk, ? AS driver) x", [d, p, t, drv])
            assert got == [(directions.reported(d, p, t, drv),)], (d, p, t, drv)


def _as_an_older_release_left_it() -> None:
    """The roll-up as the release before MONTH_VERSION 2 built it: the PBX's direction, and no version."""
    with central_db.connection(), central_db.transaction():
        CentralMonth.delete().execute()
        central_db.central_db.execute_sql(central_db.sql(
            "INSERT INTO central_month (branch, tenant, ym, direction, department, currency, calls, answered, ring_s, "
            "talk_s, cost_micro, priced) SELECT branch, tenant, " + central_month._YM_SQL + ", direction, department, "
            "currency, COUNT(*), SUM(answered), SUM(ring_s), SUM(talk_s), 0, 0 FROM central_call GROUP BY branch, "
            "tenant, " + central_month._YM_SQL + ", direction, department, currency"))
        central_db.central_db.execute_sql("DELETE FROM central_month_state")


def test_an_older_roll_up_is_not_read_and_is_built_again_once(central, branch):
    kept = _month_table()
    _as_an_older_release_left_it()
    assert {k[3] for k in _month_table()} == {"in", "internal", "out", "system"}
    assert _central_figures() == branch[0]    # every call read, not the roll-up
    with central_db.connection():
        assert not central_month.current()
        assert central_month.ensure() is False and not central_month.current()   # any process: not at open
        assert central_month.ensure(rebuild_now=True) is True and central_month.current()
        assert central_month.ensure(rebuild_now=True) is False
    assert _month_table() == kept
    assert _central_figures() == branch[0]


@pytest.mark.slow
def test_the_receiver_builds_an_older_roll_up_again_at_its_start(central, branch, engine):  # noqa: F811
    kept = _month_table()
    _as_an_older_release_left_it()
    receiver = Central(central)
    if engine is not None:   # the ini central_of_boxes wrote says where ([central] database)
        receiver.pg = engine
        receiver.dbname = central_db.central_db.obj.database.rsplit("/", 1)[1]
    try:
        store.close_db()
        receiver.start()    # listening: the roll-up was built before
        assert receiver.query("SELECT value FROM central_month_state") == [(central_month.MONTH_VERSION,)]
        got = receiver_rows = receiver.query("SELECT branch, tenant, ym, direction, department, currency, calls, "
                                             "answered, ring_s, talk_s, cost_micro, priced FROM central_month")
        assert {tuple(r[:6]): tuple(int(v) for v in r[6:]) for r in got} == kept, receiver_rows
    finally:
        receiver.stop()


def test_the_central_calls_pages_say_voicemail_as_the_box_does(central):
    """/central/calls and a box's call page: the call to ?GRABOWA is "voicemail", to ?Reception "to a name", a call
    over a trunk "outgoing" (the stored direction stays out: the direction filter finds them under it)."""
    from webui.app import make_app
    from web_helpers import logged_in
    store.close_db()
    hq, _t = logged_in(make_app(central), "hq")
    listed = hq.get("/central/calls?since=2026-04-01&until=2026-05-31&branch=izmir&direction=out").text
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(
        r'href="/central/calls/izmir/(\d+)">[^<]*</a></td><td>([^<]*)</td>', listed)}
    assert rows, listed[-2000:]
    want = {0: "outgoing", 1: "voicemail", 2: "voicemail", 3: "to a name", 4: "outgoing", 5: "outgoing",
            6: "outgoing"}
    assert {rid: text for rid, text in rows.items()} == {rid: want[rid % len(KINDS)] for rid in rows}
    assert {rid % len(KINDS) for rid in rows} >= {0, 1, 3}
    for rid, text in ((1, "voicemail"), (3, "to a name"), (10, "outgoing")):
        page = hq.get(f"/central/calls/izmir/{rid}").text
        assert re.search(r"<dt>Direction</dt><dd>([^<]*)</dd>", page).group(1) == text, rid
