"""`callbox run` on a central runs the receiver, on an enrolled branch the sender, each a supervised process of its
own beside capture and the worker: a central captures its own PBX too, and a branch's sender (waiting on an
unreachable central) cannot hold up its capture."""
import argparse

import pytest

from appliance.cli import main as cli
from appliance.config import ConfigError
from appliance.procs import load_config


def children(data, *sets):
    args = argparse.Namespace(data=data, config=None, set=list(sets))
    return {name: argv for name, argv in cli._children(args, load_config(args), web=False)}


def test_the_central_and_sync_processes_run_only_where_configured(tmp_path):
    assert "central" not in children(tmp_path) and "sync" not in children(tmp_path)
    got = children(tmp_path, "central.listen=127.0.0.1:8444")
    assert got["central"][1:4] == ["-m", "appliance.procs", "central"]
    assert "central.listen=127.0.0.1:8444" in got["central"] and str(tmp_path) in got["central"]
    assert "sync" not in got
    assert {"capture", "worker"} <= set(got) and got["capture"][1:4] == ["-m", "appliance.procs", "capture"]
    (tmp_path / "sync").mkdir()
    (tmp_path / "sync" / "central.json").write_text('{"url": "https://127.0.0.1:8444", "branch": "izmir"}')
    got = children(tmp_path)
    assert got["sync"][1:4] == ["-m", "appliance.procs", "sync"] and "central" not in got
    assert {"capture", "worker"} <= set(got) and got["capture"] != got["sync"]


def test_a_bad_listen_address_stops_callbox_run_before_anything_starts(tmp_path):
    args = argparse.Namespace(data=tmp_path, config=None, set=["central.listen=8444"])
    with pytest.raises(ValueError, match=r"\[central\] listen '8444': expected HOST:PORT"):
        cli._check_pipeline(load_config(args))
    args.set = ["sync.period_s=0"]
    with pytest.raises(ConfigError, match=r"\[sync\] period_s"):
        cli._check_pipeline(load_config(args))
