"""Calls priced as they are stored: numbering plan + tariff plan, the explanation, re-rating."""
import json

from appliance import store
from appliance.paths import Paths
from conftest import REPO
from test_pipeline import import_, ipo, run_cli

TARIFF = REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv"
CONFIG = """[pbx]
timezone = Europe/Istanbul
[numbers]
country = TR
access_codes = 9
area_codes = 232
extensions = [23][0-9]{2}
"""


def priced_site(tmp_path, capsys):
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG)
    data = tmp_path / "d"
    rc, out, err = run_cli(capsys, "tariff", "import", "--data", str(data), str(TARIFF))
    assert rc == 0, err
    src = tmp_path / "smdr.log"
    src.write_bytes(
        ipo("2024/04/02 10:00:00", talk="00:01:00", called="05321234567", call_id=1) +   # Turkcell, peak
        ipo("2024/04/02 10:05:00", talk="00:02:00", called="4123456", call_id=2) +       # Izmir local, peak
        ipo("2024/04/02 10:10:00", talk="00:03:00", called="05321234567", direction="I", call_id=3) +
        ipo("2024/04/02 10:15:00", talk="00:00:30", called="215", internal=1, p2="E215", call_id=4) +
        ipo("2024/04/06 10:00:00", talk="00:01:00", called="05321234567", call_id=5))     # Saturday
    import_(capsys, data, src, config_file=ini)
    return data, ini


def calls(capsys, data, ini):
    rc, out, err = run_cli(capsys, "calls", "--data", str(data), "--config", str(ini), "--json")
    assert rc == 0, err
    return {c["call_key"]: c for c in map(json.loads, out.splitlines())}


def test_outgoing_calls_are_priced_exactly_and_explained(tmp_path, capsys):
    data, ini = priced_site(tmp_path, capsys)
    by_key = calls(capsys, data, ini)
    mobile, local, incoming, internal, weekend = (by_key[k] for k in "12345")
    # Turkcell at peak: connection 0.05 + first 30 s 0.45 + five 6 s steps at 0.09
    assert (mobile["cost"], mobile["currency"], mobile["destination"]) == ("0.95", "TRY", "Turkcell")
    assert mobile["kind"] == "mobile" and mobile["number"] == "+905321234567"
    assert mobile["tariff"] == "Türk Telekom / Örnek İşyeri Tarifesi @ 2024-01-01"
    assert mobile["explain"]["matched"] == "+90532" and mobile["explain"]["bands"] == [{"band": "peak", "seconds": 60}]
    # a 7-digit number gets Izmir's area code and is local: two started minutes at 0.35
    assert (local["cost"], local["kind"], local["number"]) == ("0.70", "local", "+902324123456")
    # Saturday is the weekend band: 0.05 + 0.30 + 5 x 0.06
    assert weekend["cost"] == "0.65"
    assert incoming["cost"] is None and "not charged" in incoming["explain"]["not_charged"]
    assert internal["cost"] is None and internal["kind"] == "internal"


def test_rerating_is_idempotent_and_follows_a_new_tariff_version(tmp_path, capsys):
    data, ini = priced_site(tmp_path, capsys)
    before = calls(capsys, data, ini)
    for _ in range(2):
        rc, out, _ = run_cli(capsys, "rerate", "--data", str(data), "--config", str(ini), "--json")
        assert rc == 0 and json.loads(out) == {"calls": 5, "billed_kept": 0, "billed_periods": []}
        assert calls(capsys, data, ini) == before
    # a new version from April 5th doubles the weekend mobile price: only the Saturday call changes
    newer = tmp_path / "v2.csv"
    text = TARIFF.read_text(encoding="utf-8").replace("valid_from,2024-01-01", "valid_from,2024-04-05")
    newer.write_text(text.replace('Turkcell,*,0.05,0,"30:0.30,6:0.06"', 'Turkcell,*,0.05,0,"30:0.60,6:0.12"'),
                     encoding="utf-8")
    assert run_cli(capsys, "tariff", "import", "--data", str(data), str(newer))[0] == 0
    run_cli(capsys, "rerate", "--data", str(data), "--config", str(ini), "--since", "2024-04-01")
    after = calls(capsys, data, ini)
    assert after["5"]["cost"] == "1.25" and after["5"]["tariff"].endswith("@ 2024-04-05")
    assert {k: after[k]["cost"] for k in "1234"} == {k: before[k]["cost"] for k in "1234"}


def test_without_a_numbering_plan_calls_are_stored_unpriced(tmp_path, capsys):
    src = tmp_path / "smdr.log"
    src.write_bytes(ipo("2024/04/02 10:00:00", called="05321234567"))
    import_(capsys, tmp_path / "d", src)
    store.open_db(Paths(tmp_path / "d").db)
    try:
        (call,) = store.Call.select()
        assert (call.cost, call.kind, call.tariff) == (None, "", "")
    finally:
        store.close_db()
    rc, _, err = run_cli(capsys, "rerate", "--data", str(tmp_path / "d"))
    assert rc == 2 and "[numbers] country" in err


def test_a_line_that_failed_to_release_is_priced_at_the_cap_flagged_and_listed(tmp_path, capsys):
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG + "[rating]\nmax_call_min = 60\n")
    data = tmp_path / "d"
    assert run_cli(capsys, "tariff", "import", "--data", str(data), str(TARIFF))[0] == 0
    src = tmp_path / "smdr.log"
    src.write_bytes(ipo("2024/04/02 10:00:00", talk="09:13:20", called="4123456", call_id=1) +   # 9 h: stuck
                    ipo("2024/04/02 11:00:00", talk="00:59:59", called="4123456", call_id=2))
    import_(capsys, data, src, config_file=ini)
    by_key = calls(capsys, data, ini)
    stuck, normal = by_key["1"], by_key["2"]
    assert stuck["capped"] and stuck["talk_s"] == 33200          # the PBX's figure is kept as printed
    assert stuck["cost"] == "21.00"      # 60 peak minutes at 0.35; uncapped it would be 553 minutes
    assert "priced as 3600 s" in stuck["explain"]["capped"]
    assert not normal["capped"] and normal["cost"] == "21.00"
    rc, out, _ = run_cli(capsys, "calls", "--data", str(data), "--config", str(ini), "--json", "--capped")
    assert [json.loads(line)["call_key"] for line in out.splitlines()] == ["1"]


def test_a_running_worker_prices_with_a_tariff_imported_after_it_started(tmp_path, capsys):
    from appliance import config
    from appliance.journal import JournalWriter
    from appliance.ingest.worker import Worker
    data = tmp_path / "d"
    cfg = config.Config(text=CONFIG)
    cfg.set("pbx", "driver", "avaya_ipoffice")
    worker = Worker(Paths(data), cfg)             # no tariff stored yet: calls are classified, not priced
    with JournalWriter(Paths(data).journal) as w:
        w.append(ipo("2024/04/02 10:00:00", talk="00:01:00", called="05321234567", call_id=1), "t")
    worker.step()
    import subprocess
    import sys
    subprocess.run([sys.executable, "-m", "appliance.cli", "tariff", "import", "--data", str(data), str(TARIFF)],
                   check=True, capture_output=True)   # another process, as an administrator would
    with JournalWriter(Paths(data).journal) as w:
        w.append(ipo("2024/04/02 11:00:00", talk="00:01:00", called="05321234567", call_id=2), "t")
    worker.step()
    try:
        costs = [c.cost for c in store.Call.select().order_by(store.Call.start_utc)]
        assert costs == [None, "0.95"]
    finally:
        store.close_db()
