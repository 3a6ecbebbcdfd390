"""The branch's raw journal archived on its central ([sync] archive_journal): chunks stored in order and resumed
at the central's offset, the segment checked by its SHA-256 and confirmed only when whole, and a segment pruned on
the branch only once confirmed; end to end through the relay with the link cut mid-upload."""
import hashlib
import os
import random
import re

import pytest

from appliance import journal
from appliance.central import archive
from appliance.journal import JournalWriter
from sync_helpers import Central, Relay, cli, cli_json, make_branch


def test_chunks_resume_at_the_centrals_offset_and_a_segment_is_confirmed_only_whole(tmp_path):
    data = os.urandom(250_000)
    digest = hashlib.sha256(data).hexdigest()
    assert archive.state(tmp_path, "izmir", 7) == {"segno": 7, "have": 0, "done": False, "sha256": ""}
    assert archive.receive(tmp_path, "izmir", 7, 0, len(data), digest, data[:100_000])["have"] == 100_000
    with pytest.raises(archive.ArchiveRefused, match="chunk at 0, the central has 100000") as e:
        archive.receive(tmp_path, "izmir", 7, 0, len(data), digest, data[:100_000])   # an answer lost: resent
    assert e.value.status == 409 and e.value.have == 100_000
    with pytest.raises(archive.ArchiveRefused, match="past its size"):
        archive.receive(tmp_path, "izmir", 7, 100_000, len(data), digest, data[100_000:] + b"x")
    assert not (tmp_path / "central/archive/izmir/0000000007.seg").exists()      # not confirmed before whole
    done = archive.receive(tmp_path, "izmir", 7, 100_000, len(data), digest, data[100_000:])
    assert done == {"segno": 7, "have": len(data), "done": True, "sha256": digest}
    assert (tmp_path / "central/archive/izmir/0000000007.seg").read_bytes() == data
    assert archive.receive(tmp_path, "izmir", 7, 100_000, len(data), digest, data[100_000:])["done"]   # a resend
    assert archive.archived(tmp_path, "izmir") == (1, len(data))
    # a segment whose digest does not match is discarded whole, never confirmed
    assert archive.receive(tmp_path, "izmir", 8, 0, 10, "0" * 64, b"0123")["have"] == 4
    with pytest.raises(archive.ArchiveRefused, match="SHA-256 does not match") as e:
        archive.receive(tmp_path, "izmir", 8, 4, 10, "0" * 64, b"456789")
    assert archive.state(tmp_path, "izmir", 8)["have"] == 0
    with pytest.raises(archive.ArchiveRefused, match="branch name"):
        archive.state(tmp_path, "..", 1)


def test_a_segment_is_pruned_only_once_the_central_confirmed_it(tmp_path):
    for _ in range(5):               # five writer starts: five segments, the first four sealed
        with JournalWriter(tmp_path) as w:
            w.append(b"x" * 1000, "test")
    segs = journal.segments(tmp_path)
    assert len(segs) == 5
    journal.set_archived(tmp_path, segs[1])
    # over every budget, all parsed: only what the central holds goes
    gone = journal.prune(tmp_path, (segs[-1] + 1, 0), 0, 0, now=10 ** 12,
                         hold_from=journal.archived_through(tmp_path) + 1)
    assert gone == segs[:2] and journal.segments(tmp_path) == segs[2:]


def test_the_worker_holds_what_the_central_has_not_confirmed_on_an_enrolled_branch(tmp_path):
    from appliance import config, store
    from appliance.ingest.worker import Worker
    from appliance.paths import Paths
    paths = Paths(tmp_path)
    for _ in range(4):
        with JournalWriter(paths.journal) as w:
            w.append(b"x" * 1000, "test")
    segs = journal.segments(paths.journal)
    for s in segs:
        os.utime(journal.segment_path(paths.journal, s), (0, 0))    # older than any retention
    journal.set_archived(paths.journal, segs[0])
    ini = "[pbx]\ndriver = asterisk_queue_log\n"
    try:
        worker = Worker(paths, config.Config(text=ini + "[sync]\narchive_journal = yes\n"))
        worker.step()                                  # everything parsed: the journal may be pruned
        (tmp_path / "sync").mkdir()
        (tmp_path / "sync" / "central.json").write_text("{}")      # enrolled
        worker.prune()
        assert journal.segments(paths.journal) == segs[1:]          # only the confirmed one went
        Worker(paths, config.Config(text=ini)).prune()              # archive off: the budget alone decides
        assert journal.segments(paths.journal) == segs[-1:]
    finally:
        store.close_db()


def _journal(folder, segments: int, size: int, seed: int) -> None:
    """`segments` writer starts, each writing about `size` bytes of incompressible lines."""
    rnd = random.Random(seed)
    for _ in range(segments):
        with JournalWriter(folder) as w:
            w.append_many([(rnd.randbytes(50_000), 0) for _ in range(size // 50_000)], "test")


@pytest.mark.slow      # a central process
def test_the_journal_archive_survives_a_cut_mid_upload(tmp_path):
    central = Central(tmp_path / "central")
    central.data.mkdir()
    central.add("warmup")
    central.start()
    relay = Relay(central.port)
    try:
        b = tmp_path / "branch"
        make_branch(b, central, "izmir", relay.url)
        (b / "callbox.ini").write_text("[sync]\narchive_journal = yes\n", encoding="utf-8")
        _journal(b / "journal", 3, 2_500_000, seed=1)     # 1 MiB chunks: three per segment
        sealed = journal.segments(b / "journal")[:-1]
        assert len(sealed) == 2
        # connection 1 asks the central, 2 sends the first chunk, 3 is cut inside the second
        relay.cut_nth = (3, 400_000)
        rc, out, err = cli("sync", "now", "--data", str(b), "--json")
        assert rc == 1 and "sync failed" in err
        archived = central.data / "central" / "archive" / "izmir"
        assert (archived / f"{sealed[0]:010d}.seg.part").stat().st_size == 1 << 20     # the first chunk, held
        assert journal.archived_through(b / "journal") == 0                              # nothing confirmed
        assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 0, "pending": 0}
        for segno in sealed:
            mine = journal.segment_path(b / "journal", segno).read_bytes()
            assert (archived / f"{segno:010d}.seg").read_bytes() == mine
        assert journal.archived_through(b / "journal") == sealed[-1]
        assert sorted(p.name for p in archived.iterdir()) == [f"{s:010d}.seg" for s in sealed]  # not the open one
    finally:
        relay.close()
        central.stop()


def test_the_branch_health_page_shows_what_is_archived(tmp_path, monkeypatch):
    import webtest

    from appliance import store
    from appliance.access import users
    from appliance.store.sync import CentralBranch
    from web_helpers import add_user, login
    from webui.app import make_app
    monkeypatch.setattr(users, "SCRYPT", (2 ** 8, 8, 1))
    (tmp_path / "callbox.ini").write_text("[central]\nlisten = 127.0.0.1:8444\n", encoding="utf-8")
    store.open_db(tmp_path / "callbox.db")
    CentralBranch.create(name="izmir", label="İzmir", created_utc=0, cert_serial="1")
    CentralBranch.create(name="ankara", created_utc=0, cert_serial="2")
    data = os.urandom(3 << 20)
    archive.receive(tmp_path, "izmir", 4, 0, len(data), hashlib.sha256(data).hexdigest(), data)
    try:
        app = make_app(tmp_path)
        add_user("hq", "administrator", "all", "", "")
        client = webtest.TestApp(app)
        login(client, "hq")
        page = client.get("/central/branches").text
        rows = dict(re.findall(r'data-branch="(\w+)"(.*?)</tr>', page, re.S))
        assert "archived here: 3.0 MB (segments: 1)" in rows["izmir"]
        assert "archived here" not in rows["ankara"]
    finally:
        store.close_db()
