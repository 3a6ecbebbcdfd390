"""Billed periods stay frozen: re-rating and re-processing leave their calls' prices alone unless forced."""
import json

from test_pipeline import run_cli
from test_pricing import TARIFF, calls, priced_site


def doubled_turkcell(tmp_path, capsys, data):
    """A new tariff version from April 1st that doubles every Turkcell price."""
    newer = tmp_path / "v2.csv"
    text = TARIFF.read_text(encoding="utf-8").replace("valid_from,2024-01-01", "valid_from,2024-04-01")
    text = text.replace('Turkcell,peak,0.05,0,"30:0.45,6:0.09"', 'Turkcell,peak,0.10,0,"30:0.90,6:0.18"')
    newer.write_text(text.replace('Turkcell,*,0.05,0,"30:0.30,6:0.06"', 'Turkcell,*,0.10,0,"30:0.60,6:0.12"'),
                     encoding="utf-8")
    assert run_cli(capsys, "tariff", "import", "--data", str(data), str(newer))[0] == 0


def test_a_billed_period_keeps_its_prices_until_a_forced_rerate(tmp_path, capsys):
    data, ini = priced_site(tmp_path, capsys)
    common = ("--data", str(data), "--config", str(ini))
    rc, out, err = run_cli(capsys, "period", "close", *common, "--since", "2024-04-01", "--until", "2024-04-05",
                           "--json")
    assert rc == 0, err
    assert json.loads(out)["since"] == "2024-03-31T21:00:00+00:00"   # Istanbul midnight, UTC+3
    doubled_turkcell(tmp_path, capsys, data)
    rc, out, _ = run_cli(capsys, "rerate", *common, "--json")
    result = json.loads(out)
    assert (result["calls"], result["billed_kept"], len(result["billed_periods"])) == (1, 4, 1)
    assert result["billed_periods"][0].startswith("default 2024-04-01")
    after = calls(capsys, data, ini)
    assert after["1"]["cost"] == "0.95"            # billed on the old tariff: unchanged
    assert after["5"]["cost"] == "1.30"            # Saturday, not billed: 0.10 + 0.60 + 5 x 0.12
    rc, out, _ = run_cli(capsys, "rerate", *common, "--force", "--json")
    assert json.loads(out) == {"calls": 5, "billed_kept": 0, "billed_periods": []}
    assert calls(capsys, data, ini)["1"]["cost"] == "1.90"   # 0.10 + 0.90 + 5 x 0.18


def test_closing_overlapping_periods_is_refused_and_reopening_lifts_the_freeze(tmp_path, capsys):
    data, ini = priced_site(tmp_path, capsys)
    common = ("--data", str(data), "--config", str(ini))
    assert run_cli(capsys, "period", "close", *common, "--period", "2024-04")[0] == 0
    rc, _, err = run_cli(capsys, "period", "close", *common, "--period", "2024-04-10")
    assert rc == 2 and "overlaps billed period 2024-04" in err
    rc, out, _ = run_cli(capsys, "period", "list", *common, "--json")
    (row,) = map(json.loads, out.splitlines())
    assert (row["tenant"], row["period"], row["since"]) == ("default", "2024-04", "2024-03-31T21:00:00+00:00")
    doubled_turkcell(tmp_path, capsys, data)
    rc, out, _ = run_cli(capsys, "rerate", *common, "--json")
    assert json.loads(out)["calls"] == 0 and json.loads(out)["billed_kept"] == 5
    rc, _, err = run_cli(capsys, "reprocess", *common, "--driver", "avaya_ipoffice")
    assert rc == 2 and "5 calls of this range lie in billed periods (default 2024-04)" in err
    assert calls(capsys, data, ini)["1"]["cost"] == "0.95"
    assert run_cli(capsys, "period", "reopen", *common, "2024-04")[0] == 0
    rc, _, err = run_cli(capsys, "period", "reopen", *common, "2024-04")
    assert rc == 2 and "no billed period 2024-04" in err
    rc, out, _ = run_cli(capsys, "rerate", *common, "--json")
    assert json.loads(out)["calls"] == 5
    assert calls(capsys, data, ini)["1"]["cost"] == "1.90"


def test_a_forced_reprocess_re_derives_billed_calls(tmp_path, capsys):
    data, ini = priced_site(tmp_path, capsys)
    common = ("--data", str(data), "--config", str(ini))
    assert run_cli(capsys, "period", "close", *common, "--period", "2024-04")[0] == 0
    doubled_turkcell(tmp_path, capsys, data)
    rc, out, err = run_cli(capsys, "reprocess", *common, "--driver", "avaya_ipoffice", "--force", "--json")
    assert rc == 0, err
    assert calls(capsys, data, ini)["1"]["cost"] == "1.90"
