"""`callbox pricelist import|export|rate|markup`: the CSV contract, a bad row refusing the whole file with its file,
line and column, and a round trip."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from appliance import store
from appliance.cli.main import main
from appliance.pricing import lists, pricelist_csv
from appliance.pricing.rules import PriceError

GOOD = """\ufeffdestination,prefix,buy,sell,first_s,step_s,buy_currency,sell_currency,connection_fee,minimum,group
Germany,49,0.02,0.35,30,6,USD,TRY,0.05,0.20,europe
Germany mobile,4915,0.05,0.85,60,60,USD,TRY,,1.00,europe
"Türkiye, İstanbul",90212,0.01,0.12,1,1,TRY,TRY,,,
USA,1,0.01,,60,30,USD,TRY,,,
"""


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_export_round_trip_and_markup(tmp_path, capsys):
    data, f = tmp_path / "data", tmp_path / "prices.csv"
    f.write_text(GOOD, encoding="utf-8")
    code, out, _ = run(capsys, "pricelist", "import", "--data", str(data), "--json", str(f))
    assert code == 0
    assert json.loads(out)["lists"] == [{"list": "default", "rows": 4, "currency": "TRY", "without_sell": 1}]
    code, exported, _ = run(capsys, "pricelist", "export", "--data", str(data))
    assert code == 0 and exported.splitlines()[0] == ("list,destination,prefix,buy,sell,first_s,step_s,buy_currency,"
                                                      "sell_currency,connection_fee,minimum,group")
    assert pricelist_csv.read_csv(exported) == pricelist_csv.read_csv(GOOD)   # the same rows, "Türkiye, İstanbul" too
    assert run(capsys, "pricelist", "markup", "--data", str(data), "default", "40%", "--minimum", "0.30")[0] == 0
    assert run(capsys, "pricelist", "rate", "--data", str(data), "USD", "TRY", "32.50", "--from", "2026-05-01")[0] == 0
    store.open_db(data / "callbox.db")
    try:
        pl, rates = lists.load("default"), lists.rates()
        usa = pl.sell("+12125550100", 61, date(2026, 5, 2), rates)   # 0.01 USD * 32.50 * 1.4 = 0.455 -> 0.455/min
        assert (usa.per_minute, usa.charged_s, usa.sell) == (Decimal("0.455"), 90, Decimal("0.69"))   # 0.6825 up
    finally:
        store.close_db()
    # imported again: the list's rows are replaced, not added to
    f.write_text("destination,prefix,buy,sell,first_s,step_s\nGermany,49,0.02,0.40,60,60\n", encoding="utf-8")
    assert run(capsys, "pricelist", "import", "--data", str(data), "--currency", "try", str(f))[0] == 0
    assert run(capsys, "pricelist", "export", "--data", str(data))[1].count("\n") == 2


@pytest.mark.parametrize("text, where", [
    ("destination,prefix,buy,sell,first_s,step_s\nA,49,0.1,0.2,30,6\nB,44,0.1,\"0,5\",30,6\n",
     r"line 3, column sell \(D\): '0,5' is not an amount like 0.25; use a dot"),
    ("destination,prefix,buy,sell,first_s,step_s\nA,+049,0.1,0.2,30,6\n",
     r"line 2, column prefix \(B\): '\+049' is not an international prefix"),
    ("destination,prefix,buy,sell,first_s,step_s\nA,49,0.1,0.2,30,0\n",
     r"line 2, column step_s \(F\): '0' is not a whole number of seconds of at least 1"),
    ("destination,prefix,buy,sell,first_s,step_s\nA,49,0.1,0.2,30,6\nB,49,0.1,0.2,30,6\n",
     r"line 3, column prefix \(B\): prefix 49 is already on line 2"),
    ("destination,prefix,buy,sell,first_s,step_s,sell_currency\nA,49,0.1,0.2,30,6,TRY\nB,44,0.1,0.2,30,6,EUR\n",
     r"line 3, column sell_currency \(G\): list 'default' sells in TRY \(line 2\)"),
    ("destination,prefix,buy,sell,first_s\nA,49,0.1,0.2,30\n", r"line 1: the header needs a column 'step_s'"),
    ("destination,prefix,buy,sell,first_s,step_s,colour\n", r"line 1, column colour \(G\): unknown column"),
    ("destination,prefix,buy,sell,first_s,step_s\nA,49,0.1,0.2,30,6,extra\n",
     r"line 2, column beyond the header \(G\)"),
])
def test_a_bad_row_refuses_the_whole_file_naming_file_line_and_column(tmp_path, capsys, text, where):
    data, f = tmp_path / "data", tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "pricelist", "import", "--data", str(data), "--currency", "TRY", str(f))
    assert code == 2 and out == ""
    assert err.startswith(f"callbox: {f} ") and err.count("\n") == 1
    with pytest.raises(PriceError, match=where):
        pricelist_csv.read_csv(text, str(f), "TRY")
    assert not (data / "callbox.db").exists()          # nothing stored, not even the good rows


def test_no_currency_is_refused(tmp_path, capsys):
    with pytest.raises(PriceError, match="line 2: no sell currency: add a sell_currency column or give --currency"):
        pricelist_csv.read_csv("destination,prefix,buy,sell,first_s,step_s\nA,49,0.1,0.2,30,6\n", "x.csv")
    assert run(capsys, "pricelist", "export", "--data", str(tmp_path))[0] == 2
