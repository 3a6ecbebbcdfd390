"""The delivery outbox on a real callbox.db: enqueue, dedupe, backoff, claims under concurrency, pruning, jobs."""
from __future__ import annotations

import threading
import time
from collections import Counter

import peewee
import pytest
from hypothesis import given, settings, strategies as st

from appliance import config, jobs
from appliance.delivery import outbox
from appliance.store import outbox as so

T0 = 2_000_000_000


class Recorder:
    """A deliverer that records payloads and fails while `error` is set."""

    def __init__(self, delay=0.0):
        self.calls: list[dict] = []
        self.error: str | None = None
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, cfg, data_dir, payload):
        if self.delay:
            time.sleep(self.delay)
        if self.error:
            raise RuntimeError(self.error)
        with self.lock:
            self.calls.append(payload)


@pytest.fixture
def rec():
    r = Recorder()
    outbox.register("test", r)
    yield r
    outbox._deliverers.pop("test", None)


def cfg(text=""):
    return config.Config(text=text)


def item(item_id) -> so.OutboxItem:
    return so.OutboxItem.get_by_id(item_id)


def test_bytes_in_the_payload_reach_the_deliverer_as_bytes(db, tmp_path, rec):
    payload = {"to": ["a@example.com"], "files": [("r.pdf", b"%PDF\x00\xff\r\n")], "n": 3, "nested": {"b": b""}}
    i = outbox.enqueue("test", payload)
    assert item(i).summary == "a@example.com" and item(i).state == "pending" and item(i).size > 0
    assert outbox.deliver_due(cfg(), tmp_path) == (1, 0)
    assert rec.calls == [{"to": ["a@example.com"], "files": [["r.pdf", b"%PDF\x00\xff\r\n"]], "n": 3,
                          "nested": {"b": b""}}]
    done = item(i)
    assert done.state == "delivered" and done.payload == "" and done.attempts == 1 and done.done_utc


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text() | st.binary(),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
                    max_leaves=12))
def test_payload_encoding_round_trips(value):
    assert outbox._decode(outbox._encode({"v": value})) == {"v": value}


def test_failures_back_off_exponentially_up_to_the_maximum(db, tmp_path, rec):
    rec.error = "relay said no: 451 try later"
    i = outbox.enqueue("test", {"target": "x"})
    c = cfg("[outbox]\nretry_first_s = 60\nretry_max_s = 600\n")
    now, waits = T0, []
    for _ in range(6):
        assert outbox.deliver_due(c, tmp_path, now=now) == (0, 1)
        it = item(i)
        waits.append(it.next_try_utc - now)
        assert outbox.deliver_due(c, tmp_path, now=it.next_try_utc - 1) == (0, 0)   # not due before
        now = it.next_try_utc
    assert waits == [60, 120, 240, 480, 600, 600]
    it = item(i)
    assert it.attempts == 6 and it.last_error == "relay said no: 451 try later" and it.state == "pending"
    rec.error = None
    assert outbox.deliver_due(c, tmp_path, now=now) == (1, 0)
    assert item(i).attempts == 7 and item(i).last_error == "" and len(rec.calls) == 1


def test_backoff_values():
    assert [outbox.backoff(n, 60, 3600) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert outbox.backoff(10_000, 60, 3600) == 3600


def test_a_dedupe_key_queues_once_while_pending_and_again_after_delivery(db, tmp_path, rec):
    a = outbox.enqueue("test", {"n": 1}, key="daily:2026-03-01")
    assert outbox.enqueue("test", {"n": 2}, key="daily:2026-03-01") == a
    other = outbox.enqueue("test", {"n": 3}, key="daily:2026-03-02")
    assert other != a and outbox.enqueue("test", {"n": 4}) != outbox.enqueue("test", {"n": 4})   # no key: no dedupe
    outbox.deliver_due(cfg(), tmp_path)
    assert sorted(p["n"] for p in rec.calls) == [1, 3, 4, 4]
    again = outbox.enqueue("test", {"n": 5}, key="daily:2026-03-01")
    assert again not in (a, other)
    assert outbox.discard(again)
    assert outbox.enqueue("test", {"n": 6}, key="daily:2026-03-01") != again


def test_the_database_itself_refuses_two_pending_items_with_one_key(db):
    outbox.enqueue("test", {}, key="k")
    with pytest.raises(peewee.IntegrityError):
        so.OutboxItem.create(kind="test", key="k", created_utc=T0, next_try_utc=T0)


def test_discard_and_retry_now(db, tmp_path, rec):
    rec.error = "down"
    i, j = outbox.enqueue("test", {"n": 1}), outbox.enqueue("test", {"n": 2})
    assert outbox.deliver_due(cfg(), tmp_path, now=T0) == (0, 2)
    assert outbox.discard(i, now=T0 + 1) and not outbox.discard(i)
    assert item(i).state == "discarded" and item(i).payload == "" and item(i).done_utc == T0 + 1
    assert not outbox.retry_now(i)
    rec.error = None
    assert outbox.deliver_due(cfg(), tmp_path, now=T0 + 5) == (0, 0)      # j waits for its backoff
    assert outbox.retry_now(j, now=T0 + 5)
    assert outbox.deliver_due(cfg(), tmp_path, now=T0 + 5) == (1, 0)
    assert [p["n"] for p in rec.calls] == [2]
    assert so.counts() == {"pending": 0, "delivered": 1, "discarded": 1, "failed": 0}


def test_an_unknown_kind_fails_with_a_clear_error(db, tmp_path):
    i = outbox.enqueue("nosuchkind", {"x": 1})
    assert outbox.deliver_due(cfg(), tmp_path) == (0, 1)
    assert item(i).last_error == "no deliverer for kind 'nosuchkind'"
    with pytest.raises(ValueError, match="simple name"):
        outbox.register("bad kind", print)
    with pytest.raises(TypeError, match="must be a dict"):
        outbox.enqueue("test", [1, 2])


def test_delivered_and_discarded_items_are_pruned_after_keep_days(db, tmp_path, rec):
    old, fresh, waiting = (outbox.enqueue("test", {"n": n}) for n in range(3))
    rec.error = "down"
    outbox.deliver_due(cfg(), tmp_path, now=T0)
    outbox.discard(fresh, now=T0 + 86400)
    rec.error = None
    outbox.retry_now(old, now=T0)
    so.OutboxItem.update(next_try_utc=T0).where(so.OutboxItem.id == old).execute()
    assert outbox.deliver_due(cfg(), tmp_path, now=T0 + 30) == (1, 0)      # waiting is not due (backoff 60 s)
    c = cfg("[outbox]\nkeep_days = 2\n")
    outbox.deliver_due(c, tmp_path, now=T0 + 2 * 86400 + 31)               # old is 2 days + 1 s done
    assert {i.id for i in so.OutboxItem.select()} == {fresh, waiting}
    outbox.discard(waiting, now=T0 + 4 * 86400)
    outbox.deliver_due(c, tmp_path, now=T0 + 3 * 86400 + 1)
    assert {i.id for i in so.OutboxItem.select()} == {waiting}             # pending items are never pruned


def test_two_concurrent_deliver_due_calls_deliver_every_item_once(db, tmp_path):
    slow = Recorder(delay=0.005)
    outbox.register("test", slow)
    ids = [outbox.enqueue("test", {"n": n}) for n in range(40)]
    barrier, results = threading.Barrier(2), []

    def run():
        barrier.wait()
        results.append(outbox.deliver_due(cfg(), tmp_path))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert Counter(p["n"] for p in slow.calls) == Counter(range(40))
    assert sum(d for d, _ in results) == 40 and all(f == 0 for _, f in results)
    assert all(item(i).state == "delivered" and item(i).attempts == 1 for i in ids)


def test_a_claim_held_by_a_crashed_worker_expires(db, tmp_path, rec):
    i = outbox.enqueue("test", {"n": 1})
    lost = so.claim_next(T0, 900)          # a worker claims it and dies
    assert lost is not None and lost.id == i
    assert outbox.deliver_due(cfg(), tmp_path, now=T0 + 899) == (0, 0)
    assert outbox.deliver_due(cfg(), tmp_path, now=T0 + 900) == (1, 0)
    assert not so.mark_delivered(lost, T0 + 901)  # the dead worker's late report does not count
    assert item(i).attempts == 1


def test_a_discard_during_delivery_wins(db, tmp_path, rec):
    i = outbox.enqueue("test", {"n": 1})
    claim = so.claim_next(T0, 900)
    assert outbox.discard(i, now=T0 + 1)
    assert not so.mark_failed(claim, T0 + 2, "late", T0 + 60)
    assert item(i).state == "discarded"


def test_items_lists_pending_first_then_newest_done(db, tmp_path, rec):
    a, b, c = (outbox.enqueue("test", {"subject": s}) for s in ("a", "b", "c"))
    outbox.deliver_due(cfg(), tmp_path, now=T0)
    d, e = outbox.enqueue("test", {"subject": "d"}), outbox.enqueue("test", {"subject": "e"})
    outbox.discard(e, now=T0 + 10)
    assert [i.id for i in outbox.items()] == [d, e, a, b, c]
    assert [i.id for i in outbox.items("pending")] == [d]
    assert [i.id for i in outbox.items("delivered")] == [a, b, c]
    assert [i.id for i in outbox.items("discarded")] == [e]


def test_outbox_settings_are_checked():
    with pytest.raises(config.ConfigError, match=r"\[outbox\] retry_first_s: 0 is below the minimum 1"):
        cfg("[outbox]\nretry_first_s = 0\n").section("outbox")


def test_the_periodic_job_delivers_due_items(db, tmp_path, rec):
    jobs.configure(tmp_path, cfg(), immediate=True)
    try:
        outbox.enqueue("test", {"n": 1})       # immediate mode: no kick, the job delivers
        assert rec.calls == []
        jobs.deliver_outbox()                  # huey keeps no result for periodic tasks
        assert rec.calls == [{"n": 1}] and so.counts()["delivered"] == 1
    finally:
        jobs.huey = None


def test_enqueue_wakes_the_jobs_process(db, tmp_path, rec):
    h = jobs.configure(tmp_path, cfg())          # a real SqliteHuey on tmp_path/huey.db, no consumer
    try:
        outbox.enqueue("test", {"n": 1})
        assert [t.name for t in h.pending()] == ["deliver_outbox_now"]
        task = h.dequeue()
        assert h.execute(task) == (1, 0) and rec.calls == [{"n": 1}]
    finally:
        jobs.huey = None
