"""Choosing the tariff plan never stops processing (issue 13): an ambiguous or missing plan leaves calls unpriced,
raises the tariff_plan alert once and clears it once; `callbox rerate` refuses with the reason."""
import json
import subprocess
import sys
import time

from appliance import config, store
from appliance.alerts import conditions
from appliance.ingest.worker import Worker
from appliance.journal import JournalWriter
from appliance.paths import Paths
from test_pipeline import import_, ipo, run_cli
from test_pricing import CONFIG, TARIFF


def second_plan(tmp_path):
    """The example plan under another plan name: a second stored plan of the same provider."""
    path = tmp_path / "second.csv"
    path.write_text(TARIFF.read_text(encoding="utf-8").replace("Örnek İşyeri Tarifesi", "Second Plan"),
                    encoding="utf-8")
    return path


def stored_calls(data):
    store.open_db(Paths(data).db)
    try:
        return [(c.call_key, c.kind, c.cost) for c in store.Call.select().order_by(store.Call.start_utc)]
    finally:
        store.close_db()


def alert_pass(data, cfg, now):
    sent = []
    store.open_db(Paths(data).db)
    try:
        conditions.tariff_plan(cfg, cfg.section("alerts"), now, sent.append)
    finally:
        store.close_db()
    return [(a.trap, a.values["source"], a.values["text"]) for a in sent if a.kind == "trap"], \
        [a.to for a in sent if a.kind == "email"]


def test_two_stored_plans_and_no_plan_named_store_every_call_unpriced_and_raise_an_alert(tmp_path, capsys):
    data = tmp_path / "d"
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG + "[alerts]\nemail = noc@example.com\n", encoding="utf-8")
    for plan in (TARIFF, second_plan(tmp_path)):
        assert run_cli(capsys, "tariff", "import", "--data", str(data), str(plan))[0] == 0
    cfg = config.Config(text=ini.read_text(encoding="utf-8"))
    cfg.set("pbx", "driver", "avaya_ipoffice")
    worker = Worker(Paths(data), cfg)              # it used to raise ConfigError here: the worker never started
    with JournalWriter(Paths(data).journal) as w:
        w.append(ipo("2024/04/02 10:00:00", talk="00:01:00", called="05321234567", call_id=1), "t")
        w.append(ipo("2024/04/02 10:05:00", talk="00:02:00", called="4123456", call_id=2), "t")
    assert worker.step() == 2
    store.close_db()
    assert stored_calls(data) == [("1", "mobile", None), ("2", "local", None)]   # classified, not priced

    now = int(time.time())
    traps, mails = alert_pass(data, cfg, now)
    assert [(t, s) for t, s, _ in traps] == [("alert_raised", "tariff")] and mails == [("noc@example.com",)]
    assert "several plans are stored" in traps[0][2] and "Second Plan" in traps[0][2]
    assert alert_pass(data, cfg, now + 60) == ([], [])                 # raised once
    rc, out, _ = run_cli(capsys, "alert", "status", "--data", str(data), "--config", str(ini), "--json")
    assert rc == 0 and [r["key"] for r in json.loads(out)["raised"]] == ["tariff_plan"]

    rc, _, err = run_cli(capsys, "rerate", "--data", str(data), "--config", str(ini))
    assert rc == 2 and "several plans are stored" in err             # a person runs it: a clear refusal

    ini.write_text(ini.read_text(encoding="utf-8") + "[rating]\nplan = Örnek İşyeri Tarifesi\n", encoding="utf-8")
    cfg = config.Config(text=ini.read_text(encoding="utf-8"))
    traps, _ = alert_pass(data, cfg, now + 120)
    assert [(t, s) for t, s, _ in traps] == [("alert_cleared", "tariff")]
    assert alert_pass(data, cfg, now + 180) == ([], [])                # cleared once
    assert run_cli(capsys, "rerate", "--data", str(data), "--config", str(ini))[0] == 0
    assert stored_calls(data) == [("1", "mobile", "0.95"), ("2", "local", "0.70")]


def test_a_second_plan_stored_while_the_worker_runs_does_not_stop_it(tmp_path, capsys):
    data = tmp_path / "d"
    assert run_cli(capsys, "tariff", "import", "--data", str(data), str(TARIFF))[0] == 0
    cfg = config.Config(text=CONFIG)
    cfg.set("pbx", "driver", "avaya_ipoffice")
    worker = Worker(Paths(data), cfg)
    with JournalWriter(Paths(data).journal) as w:
        w.append(ipo("2024/04/02 10:00:00", talk="00:01:00", called="05321234567", call_id=1), "t")
    assert worker.step() == 1
    subprocess.run([sys.executable, "-m", "appliance.cli", "tariff", "import", "--data", str(data),
                    str(second_plan(tmp_path))], check=True, capture_output=True)   # another process, as a person
    with JournalWriter(Paths(data).journal) as w:
        w.append(ipo("2024/04/02 11:00:00", talk="00:01:00", called="05321234567", call_id=2), "t")
    assert worker.step() == 1                      # it used to raise ConfigError on every step: nothing stored
    store.close_db()
    assert stored_calls(data) == [("1", "mobile", "0.95"), ("2", "mobile", None)]


def test_a_named_plan_that_is_not_stored_leaves_calls_unpriced_and_raises_the_alert(tmp_path, capsys):
    data = tmp_path / "d"
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG + "[rating]\nplan = No Such Plan\n", encoding="utf-8")
    assert run_cli(capsys, "tariff", "import", "--data", str(data), str(TARIFF))[0] == 0
    src = tmp_path / "smdr.log"
    src.write_bytes(ipo("2024/04/02 10:00:00", talk="00:01:00", called="05321234567", call_id=1))
    assert import_(capsys, data, src, config_file=ini)["calls"] == 1      # `callbox import` (process_all) too
    assert stored_calls(data) == [("1", "mobile", None)]
    traps, _ = alert_pass(data, config.Config(text=ini.read_text(encoding="utf-8")), int(time.time()))
    assert [(t, s) for t, s, _ in traps] == [("alert_raised", "tariff")]
    assert "'No Such Plan' is not stored" in traps[0][2]


def test_no_plan_stored_at_all_is_no_alert(tmp_path):
    store.open_db(tmp_path / "callbox.db")
    store.close_db()
    assert alert_pass(tmp_path, config.Config(text=CONFIG), int(time.time())) == ([], [])


def test_importing_a_second_plan_warns_that_calls_will_be_stored_unpriced(tmp_path, capsys):
    data = tmp_path / "d"
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG, encoding="utf-8")
    rc, _, err = run_cli(capsys, "tariff", "import", "--data", str(data), "--config", str(ini), str(TARIFF))
    assert rc == 0 and err == ""
    rc, _, err = run_cli(capsys, "tariff", "import", "--data", str(data), "--config", str(ini),
                         str(second_plan(tmp_path)))
    assert rc == 0 and "several plans are stored" in err and "stored unpriced" in err


def test_reprocess_refuses_rather_than_store_priced_calls_again_unpriced(tmp_path, capsys):
    data = tmp_path / "d"
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG, encoding="utf-8")
    assert run_cli(capsys, "tariff", "import", "--data", str(data), str(TARIFF))[0] == 0
    src = tmp_path / "smdr.log"
    src.write_bytes(ipo("2024/04/02 10:00:00", talk="00:01:00", called="05321234567", call_id=1))
    import_(capsys, data, src, config_file=ini)
    assert run_cli(capsys, "tariff", "import", "--data", str(data), str(second_plan(tmp_path)))[0] == 0
    rc, _, err = run_cli(capsys, "reprocess", "--data", str(data), "--config", str(ini), "--driver", "avaya_ipoffice")
    assert rc == 2 and "several plans are stored" in err
    assert stored_calls(data) == [("1", "mobile", "0.95")]
