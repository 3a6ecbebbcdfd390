"""The raw journal: exact bytes, checksums, torn tails, fsync window, retention that keeps unprocessed data."""
import logging
import os
import threading
import time

import pytest

from appliance import journal
from appliance.journal import JournalBusy, JournalWriter, read_from, segment_path, segments

NASTY = [b"2017/07/01 08:13:24,00:00:20,7,214,O,215\r\n", b"\x00\x00\xff\xfe\xa5\xa5 not utf-8\n",
         b"\xc5\x81\xc3\x93D\xc5\xb9 \xd0\x9a\xd0\xb0\xd0\xb1\r", b"no terminator", b"", b"\r\n" * 3]


def test_entries_come_back_byte_identical_with_time_and_source(tmp_path):
    with JournalWriter(tmp_path) as w:
        refs = [w.append(data, "serial:/dev/ttyUSB0", received_ns=1_000_000_000 + i) for i, data in enumerate(NASTY)]
    entries = list(read_from(tmp_path, (0, 0)))
    assert [e.data for e in entries] == NASTY
    assert [e.ref for e in entries] == refs
    assert [e.received_ns for e in entries] == [1_000_000_000 + i for i in range(len(NASTY))]
    assert {e.source for e in entries} == {"serial:/dev/ttyUSB0"}
    assert all(e.next_ref == nxt.ref for e, nxt in zip(entries, entries[1:]))


def test_one_write_of_many_lines_keeps_each_entrys_flags_length_and_checksum(tmp_path):
    """append_many shares a header between lines of equal flags and length: each entry must still carry
    its own data's checksum and its own flags."""
    items = [(b"abc\n", 0), (b"xyz\n", 0), (b"abc\n", 1), (b"abcd\n", 1), (b"abc\n", 0), (b"", 1)]
    with JournalWriter(tmp_path) as w:
        refs = w.append_many(items, "t", received_ns=7)
    entries = list(read_from(tmp_path, (0, 0)))
    assert [(e.data, e.flags) for e in entries] == items
    assert [journal.read_at(tmp_path, ref).data for ref in refs] == [data for data, _ in items]
    path = segment_path(tmp_path, refs[1][0])
    buf = bytearray(path.read_bytes())
    buf[refs[1][1] + journal.HEADER.size + 1] ^= 0x01   # the second entry's data: only its checksum fails
    path.write_bytes(bytes(buf))
    assert [journal.read_at(tmp_path, ref) is None for ref in refs] == [False, True, False, False, False, False]


def test_reading_from_a_cursor_resumes_exactly(tmp_path):
    with JournalWriter(tmp_path) as w:
        w.append_many([(b"line %d\n" % i, 0) for i in range(100)], "t")
    entries = list(read_from(tmp_path, (0, 0)))
    rest = list(read_from(tmp_path, entries[41].next_ref))
    assert [e.data for e in rest] == [b"line %d\n" % i for i in range(42, 100)]
    assert list(read_from(tmp_path, entries[-1].next_ref)) == []


def test_every_writer_start_opens_a_new_segment_so_references_are_never_reused(tmp_path):
    for _ in range(3):
        with JournalWriter(tmp_path) as w:
            w.append(b"x\n", "t")
    assert segments(tmp_path) == [1, 2, 3]
    assert [e.ref for e in read_from(tmp_path, (0, 0))] == [(1, 0), (2, 0), (3, 0)]


def test_segments_rotate_at_the_configured_size(tmp_path):
    with JournalWriter(tmp_path, segment_bytes=1000) as w:
        w.append_many([(b"%05d\n" % i, 0) for i in range(500)], "t")   # one write may overshoot once
        for i in range(500, 600):
            w.append(b"%05d\n" % i, "t")
    assert len(segments(tmp_path)) > 3
    assert [e.data for e in read_from(tmp_path, (0, 0))] == [b"%05d\n" % i for i in range(600)]


def test_only_one_writer_at_a_time(tmp_path):
    with JournalWriter(tmp_path):
        with pytest.raises(JournalBusy, match="in use"):
            JournalWriter(tmp_path)


@pytest.mark.parametrize("cut", [1, 5, 19, 20, 25])
def test_torn_tail_is_cut_at_the_last_valid_entry_with_a_log_line(tmp_path, caplog, cut):
    with JournalWriter(tmp_path) as w:
        w.append(b"first\n", "t")
        w.append(b"second\n", "t")
    path = segment_path(tmp_path, 1)
    whole = path.read_bytes()
    first_len = next(read_from(tmp_path, (0, 0))).size
    path.write_bytes(whole[:first_len + cut])          # power cut in the middle of the second entry
    assert [e.data for e in read_from(tmp_path, (0, 0))] == [b"first\n"]   # a reader stops before it
    with caplog.at_level(logging.WARNING):
        with JournalWriter(tmp_path) as w:
            w.append(b"third\n", "t")
    assert path.stat().st_size == first_len
    assert f"cut {cut} bytes" in caplog.text
    assert [e.data for e in read_from(tmp_path, (0, 0))] == [b"first\n", b"third\n"]


def test_a_corrupted_entry_in_an_old_segment_is_skipped_and_the_rest_read(tmp_path, caplog):
    with JournalWriter(tmp_path) as w:
        w.append_many([(b"line %d\n" % i, 0) for i in range(10)], "t")
    with JournalWriter(tmp_path) as w:
        w.append(b"later\n", "t")
    path = segment_path(tmp_path, 1)
    buf = bytearray(path.read_bytes())
    buf[len(buf) // 2] ^= 0xFF                           # bit rot
    path.write_bytes(bytes(buf))
    with caplog.at_level(logging.WARNING):
        got = [e.data for e in read_from(tmp_path, (0, 0))]
    assert len(got) == 10 and got[-1] == b"later\n" and "damaged" in caplog.text


def test_a_cursor_past_a_cut_tail_moves_on_to_the_next_segment(tmp_path):
    with JournalWriter(tmp_path) as w:
        w.append_many([(b"a\n", 0), (b"b\n", 0)], "t")
    end = journal.end_cursor(tmp_path)
    path = segment_path(tmp_path, 1)
    path.write_bytes(path.read_bytes()[:10])             # the tail the database had already seen is gone
    with JournalWriter(tmp_path) as w:
        w.append(b"c\n", "t")
    assert [e.data for e in read_from(tmp_path, end)] == [b"c\n"]


class _Ticks:
    """Stands in for a JournalWriter's stop event: records each wait its fsync thread asks for (the wakeups)."""

    def __init__(self, event: threading.Event):
        self.event, self.waits = event, []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        return self.event.wait(timeout)

    def __getattr__(self, name):
        return getattr(self.event, name)


def test_group_commit_fsyncs_within_the_interval_and_not_per_line(tmp_path, monkeypatch):
    """No wall time: the fsync thread sleeps exactly fsync_interval between wakeups, and the first wakeup
    after the writes makes them durable (so within one interval), with one fsync for all 200 lines."""
    w = JournalWriter(tmp_path, fsync_interval=0.05)
    ticks = w._closed = _Ticks(w._closed)
    assert _until(lambda: ticks.waits)                 # the thread now waits through the recording stand-in
    calls = []
    real = os.fsync

    def fsync(fd):
        calls.append((threading.current_thread().name, len(ticks.waits)))
        real(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    for i in range(200):
        w.append(b"%d\n" % i, "t")
    written_in = len(ticks.waits)                      # the wakeup under way while the last line was written
    assert _until(lambda: calls)                       # a deadline that only bounds a hang
    assert calls[0] == ("journal-fsync", calls[0][1]) and calls[0][1] <= written_in + 1   # durable at the next wakeup
    assert set(ticks.waits) == {0.05}                  # ... which is one interval away ...
    assert len(calls) < 20                             # ... without one fsync per line
    w.close()


def _until(cond, timeout: float = 30.0):
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        time.sleep(0.01)
    return cond()


def test_writes_from_several_threads_are_all_kept(tmp_path):
    with JournalWriter(tmp_path) as w:
        def feed(name):
            for i in range(300):
                w.append(b"%s %d\n" % (name.encode(), i), f"tcp:{name}")
        threads = [threading.Thread(target=feed, args=(f"pbx{n}",)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    entries = list(read_from(tmp_path, (0, 0)))
    assert len(entries) == 1200
    for n in range(4):
        assert [e.data for e in entries if e.source == f"tcp:pbx{n}"] == [b"pbx%d %d\n" % (n, i) for i in range(300)]


def test_retention_deletes_old_processed_segments_only(tmp_path):
    for _ in range(5):
        with JournalWriter(tmp_path) as w:
            w.append(b"x" * 100 + b"\n", "t")
    old = time.time() - 10 * 86400
    for s in segments(tmp_path):
        os.utime(segment_path(tmp_path, s), (old, old))
    # processed up to segment 3: 1 and 2 may go, 3 (the cursor's) and later never
    assert journal.prune(tmp_path, (3, 0), max_age_s=86400, max_bytes=1 << 30) == [1, 2]
    assert segments(tmp_path) == [3, 4, 5]
    # nothing processed: nothing deleted, however old and big
    assert journal.prune(tmp_path, (0, 0), max_age_s=1, max_bytes=1) == []


def test_retention_by_size_keeps_recent_segments(tmp_path):
    for _ in range(5):
        with JournalWriter(tmp_path) as w:
            w.append(b"x" * 1000 + b"\n", "t")
    size = segment_path(tmp_path, 1).stat().st_size
    deleted = journal.prune(tmp_path, (6, 0), max_age_s=10**9, max_bytes=2 * size)
    assert deleted == [1, 2, 3] and segments(tmp_path) == [4, 5]


def test_tail_reads_the_last_entries_across_segments_and_skips_events(tmp_path):
    for start in (0, 10, 20):
        with JournalWriter(tmp_path) as w:
            w.append_many([(b"%d\n" % i, 0) for i in range(start, start + 10)], "t")
            w.append(b'{"event": "link_down"}', "t", flags=2)
    assert [e.data for e in journal.tail(tmp_path, 15, skip_flags=2)] == [b"%d\n" % i for i in range(15, 30)]
    assert len(journal.tail(tmp_path, 100)) == 33 and journal.tail(tmp_path, 0) == []


@pytest.mark.parametrize("window", [16, 40, 97, 1 << 20])
def test_reading_window_by_window_gives_the_same_entries_as_one_read(tmp_path, monkeypatch, window):
    """read_from reads a window at a time: entries cut by a window's end, entries longer than the window
    and a damaged stretch inside an old segment come out exactly as from one whole read."""
    datas = [b"x" * (i * 7 % 150) + b"\n" for i in range(200)]
    with JournalWriter(tmp_path) as w:
        w.append_many([(d, 0) for d in datas[:120]], "serial:/dev/ttyS0")
    with JournalWriter(tmp_path) as w:
        w.append_many([(d, 0) for d in datas[120:]], "tcp:10.0.0.5:4000")
    path = segment_path(tmp_path, 1)
    buf = bytearray(path.read_bytes())
    buf[len(buf) // 3] ^= 0xFF                           # bit rot in the old segment
    path.write_bytes(bytes(buf))
    monkeypatch.setattr(journal, "WINDOW", 1 << 30)
    whole = [(e.ref, e.data, e.source, e.size) for e in read_from(tmp_path, (0, 0))]
    monkeypatch.setattr(journal, "WINDOW", window)
    assert [(e.ref, e.data, e.source, e.size) for e in read_from(tmp_path, (0, 0))] == whole
    assert len(whole) == 199 and whole[-1][1] == datas[-1]
    middle = whole[150][0]
    assert [e.ref for e in read_from(tmp_path, middle, limit=7)] == [w[0] for w in whole[150:157]]
