"""The queue KPIs' hour roll-ups (appliance/callcentre/hours.py): the KPIs of any range are the same whether read from
the queue calls or from the roll-ups, with hours made dirty by new lines, with other rules, and after a rebuild."""
from __future__ import annotations

import random

import pytest

from appliance import store
from appliance.callcentre import hours, journeys, kpis
from appliance.paths import Paths
from cc_helpers import feed

T0 = 1_780_000_000 - 1_780_000_000 % 3600 + 1234      # not on a whole hour
DAYS = 4
BOOK = kpis.RuleBook(kpis.Rules(wrapup_seconds=10), (("support", kpis.Rules(sl_seconds=30, short_abandon_seconds=2)),))


def _lines(rng: random.Random, n: int, prefix: str, start: int = T0, spread: int = DAYS * 86400) -> list[str]:
    out = []
    for i in range(n):
        key, queue = f"{prefix}{i}.1", rng.choice(["sales", "support", "billing"])
        at, wait = start + rng.randrange(spread), rng.randrange(0, 90)
        out.append(f"{at}|{key}|{queue}|NONE|ENTERQUEUE||05{rng.randrange(10**8):08d}|1")
        fate = rng.random()
        if fate < 0.6:
            agent, talk = f"PJSIP/{rng.randrange(200, 210)}", rng.randrange(0, 700)
            out.append(f"{at + wait}|{key}|{queue}|{agent}|CONNECT|{wait}|{key}b|{rng.randrange(1, 9)}")
            if fate < 0.55:
                out.append(f"{at + wait + talk}|{key}|{queue}|{agent}|COMPLETECALLER|{wait}|{talk}|1")
        elif fate < 0.85:
            out.append(f"{at + wait}|{key}|{queue}|NONE|ABANDON|1|1|{wait}")
        elif fate < 0.95:
            out.append(f"{at + wait}|{key}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{wait}")
    return out          # the rest: unterminated


def _raw(book: kpis.RuleBook, since, until, queue=None) -> list[dict]:
    """The KPIs from the queue calls alone (the roll-ups hidden inside a transaction that is rolled back)."""
    with store.db.atomic() as txn:
        store.db.execute_sql("DELETE FROM queue_state WHERE key = 'hours_built'")
        found = kpis.queue_kpis(book, since, until, queue)
        txn.rollback()
    return found


def _ranges(rng: random.Random) -> list[tuple]:
    out = [(None, None), (T0, None), (None, T0 + 86400), (T0 - T0 % 3600, T0 - T0 % 3600 + 7200)]
    for _ in range(40):
        a = T0 + rng.randrange(-3600, DAYS * 86400)
        out.append((a, a + rng.choice([1, 59, 3600, 3601, 86400, 86400 * 3, rng.randrange(1, 10**6)])))
    return out


@pytest.fixture
def box(tmp_path):
    rng = random.Random(15)
    paths = Paths(tmp_path)
    feed(paths, _lines(rng, 600, "a"))
    yield paths, rng
    store.close_db()


def test_every_range_reads_the_same_from_the_rollups_as_from_the_queue_calls(box):
    _, rng = box
    ranges = _ranges(rng)
    before = [kpis.queue_kpis(BOOK, a, b, q) for a, b in ranges for q in (None, "support")]
    assert hours.refresh_some(BOOK) == -1            # never built: every hour summed
    assert store.db.execute_sql("SELECT COUNT(*) FROM queue_hour").fetchone()[0] > DAYS * 24
    assert before == [kpis.queue_kpis(BOOK, a, b, q) for a, b in ranges for q in (None, "support")]
    assert sum(r["offered"] for r in before[0]) == 600 and before[0][0]["aht_s"] is not None


def test_new_lines_make_hours_dirty_and_they_read_right_before_and_after_the_refresh(box):
    paths, rng = box
    hours.refresh_some(BOOK)
    feed(paths, _lines(rng, 50, "b"))                # new calls in hours already summed
    dirty = store.db.execute_sql("SELECT COUNT(*) FROM queue_hour_dirty").fetchone()[0]
    assert dirty > 0
    ranges = _ranges(rng)
    assert [kpis.queue_kpis(BOOK, a, b) for a, b in ranges] == [_raw(BOOK, a, b) for a, b in ranges]
    assert hours.refresh_some(BOOK, limit=5) == 5
    assert hours.refresh_some(BOOK) == dirty - 5
    assert hours.refresh_some(BOOK) == 0
    assert [kpis.queue_kpis(BOOK, a, b) for a, b in ranges] == [_raw(BOOK, a, b) for a, b in ranges]
    assert sum(r["offered"] for r in kpis.queue_kpis(BOOK)) == 650


def test_other_rules_read_the_queue_calls_and_changed_rules_sum_again(box):
    _, rng = box
    hours.refresh_some(BOOK)
    other = BOOK.override(sl_seconds=5)
    assert kpis.queue_kpis(other, None, None) == _raw(other, None, None)
    assert kpis.queue_kpis(other, None, None) != kpis.queue_kpis(BOOK, None, None)
    assert hours.refresh_some(other) == -1           # the worker restarted with other rules
    ranges = _ranges(rng)
    assert [kpis.queue_kpis(other, a, b) for a, b in ranges] == [_raw(other, a, b) for a, b in ranges]


def test_a_rebuild_of_the_queue_calls_sums_the_hours_again(box):
    hours.refresh_some(BOOK)
    journeys.rebuild_all()
    assert store.db.execute_sql("SELECT value FROM queue_state WHERE key = 'hours_built'").fetchone() is None
    assert hours.refresh_some(BOOK) == -1
    assert kpis.queue_kpis(BOOK) == _raw(BOOK, None, None)


def test_many_dirty_stretches_read_all_from_the_queue_calls(box):
    paths, rng = box
    hours.refresh_some(BOOK)
    start = T0 - T0 % 3600                           # one call in every other hour: stretches apart
    lines = [line for h in range(0, 2 * (kpis.MAX_PIECES + 5), 2)
             for line in _lines(rng, 1, f"c{h}.", start + h * 3600, spread=600)]
    feed(paths, lines)
    dirty = [h for h, in store.db.execute_sql("SELECT hour FROM queue_hour_dirty ORDER BY hour")]
    assert len(kpis._pieces(None, None, dirty)) > kpis.MAX_PIECES
    assert kpis.queue_kpis(BOOK, T0, T0 + DAYS * 86400) == _raw(BOOK, T0, T0 + DAYS * 86400)


def test_the_idle_worker_sums_them_with_the_configured_rules(tmp_path):
    from appliance.config import Config
    from appliance.ingest.worker import Worker
    from appliance.journal import JournalWriter
    paths = Paths(tmp_path)
    cfg = Config(text="[pbx]\ndriver = asterisk_queue_log\n[callcentre]\nsl_seconds = 30\n")
    with JournalWriter(paths.journal) as w:
        w.append_many([(line.encode() + b"\n", 0) for line in _lines(random.Random(2), 40, "w")], "file:/q")
    worker = Worker(paths, cfg)
    try:
        while worker.step():            # the journal drained: then the idle step sums the hours
            pass
        state = dict(store.db.execute_sql("SELECT key, value FROM queue_state"))
        assert state["hours_built"] == "1" and state["hours_rules"] == kpis.fingerprint(kpis.rulebook(cfg))
        assert kpis.queue_kpis(kpis.rulebook(cfg)) == _raw(kpis.rulebook(cfg), None, None)
    finally:
        store.close_db()
