"""The central's concurrency roll-up (issue 18: store/central_occupancy.py, reports/received_occupancy.py), on SQLite
and PostgreSQL: random calls of three branch boxes applied as batches (the receiver's apply: moved starts, changed
lengths and directions, deletions, re-rates that change no span, calls longer than the look-back), and at every
stage (nothing refreshed, part refreshed, all refreshed, changed again, a central of an older release made whole)
the figures from the roll-up equal the SQL's and a sweep of every received call in Python, exactly, at steps of a
quarter hour to a day, in zones of whole and quarter hours, for every direction; what it cannot answer (a box or
tenant scope, a number class or trunk, minutes, a long call in reach) it says, and the calls answer."""
from __future__ import annotations

import random
import time
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.access import users
from appliance.central import apply as applier
from appliance.reports import concurrency, received_occupancy, received_traffic
from appliance.reports.concurrency import Traffic
from appliance.store import central_db, central_occupancy
from appliance.store.central_db import connection, execute
from appliance.store.sync import CentralBranch
from appliance.sync import wire
from appliance.tools.bench_central import _call
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import cli_json, generate, make_branch
from test_outages import central, relay  # noqa: F401  (fixtures)

DAY = 86400
T0 = 1_780_000_000 - 1_780_000_000 % DAY          # a UTC midnight
BOXES = ("izmir", "ankara", "bursa")
SEEN = ([], [])
ADMIN = users.Account(0, "hq", "administrator", "all", "", "")


class Boxes:
    """Three branch boxes sending batches of random calls over 12 days, then changing some."""

    def __init__(self, seed: int):
        self.rnd, self.seq, self.calls = random.Random(seed), {b: 0 for b in BOXES}, {b: {} for b in BOXES}
        self.last = {b: 0 for b in BOXES}

    def span(self) -> dict:
        r = self.rnd
        start, talk = T0 + r.randrange(12 * DAY), r.choice((0, r.randrange(30), r.randrange(600), r.randrange(5000)))
        if r.random() < 0.03:     # longer than the look-back: on day 11 only (the ranges before it: the roll-up's)
            start, talk = T0 + 11 * DAY + r.randrange(DAY), 90_000 + r.randrange(9000)
        return {"start_utc": start, "ring_s": r.randrange(40), "talk_s": talk,
                "direction": r.choice(("in", "out", "out", "internal", "system"))}

    def send(self, box: str, rows: list[dict]) -> None:
        self.seq[box] += 1
        body = wire.encode(box, self.seq[box], "t", 0, rows)
        applier.apply(box, wire.decode(body, wire.headers(body, self.seq[box])))

    def add(self, n: int) -> None:
        for box in BOXES:
            rows = []
            for _ in range(n):
                rid = self.last[box] = self.last[box] + 1
                call = _call(self.rnd, rid) | self.span()
                self.calls[box][rid] = call
                rows.append({"rid": rid, "op": "upsert", "call": call})
            self.send(box, rows)

    def change(self, n: int) -> None:
        """Moved, lengthened or shortened calls, another direction, deletions, and re-rates (no span changed)."""
        for box in BOXES:
            rows = []
            for rid in self.rnd.sample(sorted(self.calls[box]), n):
                what = self.rnd.random()
                if what < 0.2:
                    del self.calls[box][rid]
                    rows.append({"rid": rid, "op": "delete"})
                    continue
                call = self.calls[box][rid]
                if what < 0.6:
                    call |= {k: v for k, v in self.span().items() if self.rnd.random() < 0.6}
                else:
                    call["cost"] = "1.250"
                rows.append({"rid": rid, "op": "upsert", "call": call})
            self.send(box, rows)


@pytest.fixture
def boxes(tmp_path, engine):  # noqa: F811 (the fixture)
    store.open_db(tmp_path / "callbox.db")
    if engine is not None:
        central_db.open_central(engine.url(engine.fresh_database()), password_file(tmp_path).name, tmp_path)
    for b in BOXES:
        CentralBranch.create(name=b, created_utc=0, cert_serial="1")
    yield Boxes(7)
    store.close_db()
    central_db.open_central("", "", tmp_path)


def _every_call(traffic: Traffic, since: int, until: int) -> list[tuple[int, int]]:
    """Every received call's [start, end) the report counts in [since, until), read one by one (the rule)."""
    where, args = received_traffic._where(SEEN, since - concurrency.LOOKBACK_S, until, traffic)
    with connection():
        rows = execute(f"SELECT start_utc, ring_s, talk_s FROM central_call WHERE {where}", args)
    return [(s, s + r + t) for s, r, t in rows if s + r + t > since]


CASES = [("UTC", 3600, 0, 13), ("Asia/Kathmandu", 3600, 1, 8), ("Europe/Istanbul", 900, 2, 4),
         ("UTC", 86400, 0, 10), ("America/New_York", 7200, 3, 6), ("Europe/Istanbul", 3600, 9, 4)]
TRAFFIC = [Traffic(), Traffic(direction="in"), Traffic(direction="out"), Traffic(direction="system"),
           Traffic(direction="internal")]


def _check(expect_rollup: bool) -> int:
    """Every case from the roll-up equals the SQL and the sweep of every call; how many the roll-up answered."""
    answered = 0
    for zone, step, first, days in CASES:
        bounds = concurrency.local_bounds(T0 + first * DAY + 1234, T0 + (first + days) * DAY, step, ZoneInfo(zone))
        for traffic in TRAFFIC:
            want = concurrency.sweep(_every_call(traffic, bounds[0], bounds[-1]), bounds)
            got = received_occupancy.swept(SEEN, bounds, traffic, received_traffic.swept)
            assert received_traffic.swept(SEEN, bounds, traffic) == want, (zone, step, traffic)
            if got is not None:
                assert got == want, (zone, step, traffic)
                answered += 1
    assert not expect_rollup or answered
    return answered


def _refresh(max_calls: int = received_occupancy.CHUNK_CALLS, times: int = 100_000) -> None:
    with connection():
        for _ in range(times):
            if not received_occupancy.refresh(max_calls):
                return


def _long_calls() -> set:
    return set(execute("SELECT branch, rid, start_utc, end_utc FROM central_long_call"))


def _long_rule() -> set:
    return set(execute(f"SELECT branch, rid, start_utc, start_utc + ring_s + talk_s FROM central_call WHERE "
                       f"ring_s + talk_s > {concurrency.LOOKBACK_S}"))


def test_the_rollup_equals_every_calls_sweep_at_every_stage(boxes):
    assert central_occupancy.LOOKBACK_S == concurrency.LOOKBACK_S
    boxes.add(300)
    _check(expect_rollup=False)                  # nothing refreshed: every dirty day's quarters from the calls
    _refresh(max_calls=3, times=2)               # part of it
    _check(expect_rollup=False)
    _refresh()
    assert not execute("SELECT 1 FROM central_occupancy_dirty") and execute("SELECT COUNT(*) FROM central_occupancy")
    assert _check(expect_rollup=True) > 0
    assert _long_calls() == _long_rule() and _long_calls()
    boxes.change(80)                             # moved, changed, deleted, re-rated
    boxes.add(40)
    _check(expect_rollup=False)
    _refresh()
    _check(expect_rollup=True)
    assert _long_calls() == _long_rule()
    quarters = execute("SELECT * FROM central_occupancy ORDER BY start")
    # a central of an older release: no roll-up, calls received; made whole (every day, the long calls) the same
    with central_db.transaction():
        for table in ("central_occupancy", "central_occupancy_dirty", "central_long_call"):
            central_db.central_db.execute_sql(f"DELETE FROM {table}")
        central_occupancy.ensure()
    assert execute("SELECT day FROM central_occupancy_dirty") == [(central_occupancy.EVERY_DAY,)]
    bounds = concurrency.local_bounds(T0, T0 + 12 * DAY, 3600, ZoneInfo("UTC"))
    assert received_occupancy.swept(SEEN, bounds, Traffic(), received_traffic.swept) is None
    _refresh()
    assert execute("SELECT * FROM central_occupancy ORDER BY start") == quarters and _long_calls() == _long_rule()


def _every_day_again() -> None:
    with central_db.transaction():
        central_db.central_db.execute_sql("DELETE FROM central_occupancy_dirty")
        central_occupancy.CentralOccupancyDirty.create(day=central_occupancy.EVERY_DAY)


def test_the_rollup_is_the_same_in_parts_of_any_size(boxes, monkeypatch):
    """The refresh's transactions are bounded by calls, not days (a batch waits behind one part at most): whatever
    the part's size, and with batches applied between two parts of a run, the quarters are the same, and a part
    sweeps the calls of at most its budget (or of one quarter hour)."""
    boxes.add(300)
    _refresh(max_calls=10**9)                    # the whole run in one part
    whole = execute("SELECT * FROM central_occupancy ORDER BY start")
    parts: list[tuple[int, int]] = []
    recompute = received_occupancy._recompute
    monkeypatch.setattr(received_occupancy, "_recompute", lambda a, b: (parts.append((a, b)), recompute(a, b)))
    for budget in (1, 7, 100):
        parts.clear()
        _every_day_again()
        _refresh(max_calls=budget)
        assert execute("SELECT * FROM central_occupancy ORDER BY start") == whole, budget
        assert len(parts) > 1 and all(a % 900 == 0 and b % 900 == 0 and a < b for a, b in parts)
        for a, b in parts:
            n = execute("SELECT COUNT(*) FROM central_call WHERE start_utc >= ? AND start_utc < ?", [a, b])[0][0]
            assert n <= budget or b - a == 900, (budget, a, b, n)
    _every_day_again()
    _refresh(max_calls=7, times=40)              # a run begun, then batches change calls in it, before and after
    assert execute("SELECT 1 FROM central_occupancy_dirty")
    boxes.change(60)
    boxes.add(20)
    _check(expect_rollup=False)
    _refresh(max_calls=7)
    assert not execute("SELECT 1 FROM central_occupancy_dirty")
    _check(expect_rollup=True)
    changed = execute("SELECT * FROM central_occupancy ORDER BY start")
    _every_day_again()
    _refresh(max_calls=10**9)
    assert execute("SELECT * FROM central_occupancy ORDER BY start") == changed


def test_a_rerate_dirties_nothing_and_what_the_rollup_cannot_answer(boxes):
    boxes.add(60)
    _refresh()
    call = dict(boxes.calls["izmir"][1], cost="9.990")
    boxes.send("izmir", [{"rid": 1, "op": "upsert", "call": call}])
    assert not execute("SELECT 1 FROM central_occupancy_dirty")
    quiet = T0 + 40 * DAY                        # a range without calls: no long call in reach
    hours = concurrency.local_bounds(quiet, quiet + DAY, 3600, ZoneInfo("UTC"))
    assert received_occupancy.swept(SEEN, hours, Traffic(), received_traffic.swept) == [(0, 0)] * 24
    for seen, bounds, traffic in ((["branch = ?"], ["izmir"]), hours, Traffic()), \
            ((["tenant IN (?)"], ["default"]), hours, Traffic()), (SEEN, hours, Traffic(kind="mobile")), \
            (SEEN, hours, Traffic(trunk="T1")), (SEEN, hours, Traffic(group="Turkcell")), \
            (SEEN, concurrency.local_bounds(quiet, quiet + 3600, 60, ZoneInfo("UTC")), Traffic()):
        assert received_occupancy.swept(seen, bounds, traffic, received_traffic.swept) is None
    # up 4 days from 3 days before: the rule leaves it out (it began more than the look-back before), as the roll-up
    boxes.send("izmir", [{"rid": 1, "op": "upsert", "call": dict(call, start_utc=quiet - 3 * DAY, talk_s=4 * DAY)}])
    assert received_occupancy.swept(SEEN, hours, Traffic(), received_traffic.swept) == [(0, 0)] * 24
    # up 2 days from half a day before: the rule counts it, the roll-up cannot (the calls answer)
    long = dict(call, start_utc=quiet - DAY // 2, talk_s=2 * DAY, direction="in")
    boxes.send("izmir", [{"rid": 1, "op": "upsert", "call": long}])
    assert received_occupancy.swept(SEEN, hours, Traffic(), received_traffic.swept) is None
    got = received_traffic.concurrency(ADMIN, "default", quiet, quiet + DAY, ZoneInfo("UTC"))
    assert [b.max_concurrent for b in got] == [1] * 24
    boxes.send("izmir", [{"rid": 1, "op": "delete"}])
    assert ("izmir", 1) not in {r[:2] for r in _long_calls()} and _long_calls() == _long_rule()
    assert received_occupancy.swept(SEEN, hours, Traffic(), received_traffic.swept) is not None


def test_the_report_reads_the_rollup(boxes, monkeypatch):
    boxes.add(200)
    _refresh()
    tz = ZoneInfo("Europe/Istanbul")
    with monkeypatch.context() as m:             # as before the roll-up: from the calls
        m.setattr(received_occupancy, "swept", lambda *a: None)
        want = received_traffic.concurrency(ADMIN, "default", T0 + DAY, T0 + 9 * DAY, tz)
    monkeypatch.setattr(received_traffic, "swept", lambda *a: pytest.fail("the calls were read"))
    assert received_traffic.concurrency(ADMIN, "default", T0 + DAY, T0 + 9 * DAY, tz) == want
    assert received_traffic.busy_hour(ADMIN, "default", T0 + DAY, T0 + 9 * DAY, tz).peak.busy_s > 0


@pytest.mark.slow    # a central process and two branch boxes
def test_the_receiver_keeps_the_rollup(central, relay, tmp_path):  # noqa: F811 (the fixtures)
    """Two boxes send their calls through the relay; the receiver recomputes the dirty days soon after, and its
    quarters equal a sweep of every call it received, per direction."""
    for i, name in enumerate(("izmir", "ankara")):
        data = tmp_path / name
        make_branch(data, central, name, relay.url)
        generate(data, 1200, 1, seed=30 + i, days=3)
        assert cli_json("sync", "now", "--data", str(data), "--json")["pending"] == 0
    deadline = time.monotonic() + 120                # the receiver's refresh: every few seconds
    while central.query("SELECT COUNT(*) FROM central_occupancy_dirty")[0][0]:
        assert time.monotonic() < deadline, "the receiver did not refresh the roll-up"
        time.sleep(0.5)
    calls = central.query("SELECT start_utc, start_utc + ring_s + talk_s, direction FROM central_call "
                          "WHERE ring_s + talk_s > 0")
    got = {int(r[0]): r[1:] for r in central.query(
        "SELECT start, peak_any, busy_any, peak_in, busy_in, peak_out, busy_out FROM central_occupancy")}
    first, last = min(s for s, _e, _d in calls) // DAY * DAY, max(e for _s, e, _d in calls)
    edges = list(range(first, last + 900, 900))
    want = [concurrency.sweep([(s, e) for s, e, d in calls if keep(d)], edges)
            for keep in (lambda d: d != "system", lambda d: d == "in", lambda d: d == "out")]
    for i, q in enumerate(edges[:-1]):
        figures = tuple(int(v) for w in want for v in w[i])
        assert got.get(q, (0,) * 6) == figures, q
    assert sum(v[1] for v in got.values()) == sum(e - s for s, e, d in calls if d != "system") > 0
