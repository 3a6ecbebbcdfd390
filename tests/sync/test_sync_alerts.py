"""sync_failing / sync_ok: a branch that cannot reach its central for [sync] failing_min, and on a central a branch
silent for [central] silent_min; raised once, cleared once, with the e-mail."""
from appliance.alerts import central_sync
from appliance.config import Config
from appliance.store.sync import CentralBranch
from appliance.sync import outbox

T = 1_780_000_000


class Sent(list):
    def traps(self):
        return [(a.trap, a.values["source"]) for a in self if a.kind == "trap"]


def run(cfg, data, now):
    sent = Sent()
    central_sync.check(cfg, cfg.section("alerts"), data, now, sent.append)
    return sent


def config(text=""):
    return Config(text="[alerts]\nemail = noc@example.com\n" + text)


def test_a_branch_that_cannot_reach_its_central_raises_after_failing_min(db, tmp_path):
    cfg = config("[sync]\nfailing_min = 15\n")
    assert run(cfg, tmp_path, T) == []                   # not enrolled: nothing to watch
    (tmp_path / "sync").mkdir()
    (tmp_path / "sync" / "central.json").write_text('{"url": "https://127.0.0.1:1", "branch": "izmir"}')
    outbox.failed("https://127.0.0.1:1: [Errno 111] Connection refused", T)
    assert run(cfg, tmp_path, T) == []
    assert run(cfg, tmp_path, T + 14 * 60) == []
    sent = run(cfg, tmp_path, T + 15 * 60)
    assert sent.traps() == [("sync_failing", "central")] and "Connection refused" in sent[0].values["text"]
    assert [a.to for a in sent if a.kind == "email"] == [("noc@example.com",)]
    assert run(cfg, tmp_path, T + 16 * 60) == []         # once
    outbox.contacted(T + 17 * 60)
    assert run(cfg, tmp_path, T + 18 * 60).traps() == [("sync_ok", "central")]


def test_a_central_raises_for_a_silent_branch_and_clears_when_it_is_heard_again(db, tmp_path):
    cfg = config("[central]\nsilent_min = 60\n")
    CentralBranch.create(name="izmir", created_utc=T, cert_serial="ab", last_seen_utc=T)
    CentralBranch.create(name="token-only", created_utc=T)          # never enrolled: not watched
    CentralBranch.create(name="old", created_utc=T, cert_serial="cd", revoked=1)   # revoked: not watched
    assert run(cfg, tmp_path, T + 59 * 60) == []
    sent = run(cfg, tmp_path, T + 60 * 60)
    assert sent.traps() == [("sync_failing", "branch izmir")]
    assert "has not been heard from since" in sent[0].values["text"]
    assert run(cfg, tmp_path, T + 61 * 60) == []
    CentralBranch.update(last_seen_utc=T + 62 * 60).execute()
    assert run(cfg, tmp_path, T + 63 * 60).traps() == [("sync_ok", "branch izmir")]
