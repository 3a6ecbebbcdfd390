"""Trunk CSV files (DIR-1): reading with line/column errors, dated provider changes, the CLI subcommand."""
from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.cli import directory as cli_directory
from appliance.cli import main as cli
from appliance.directory import organisation as directory
from appliance.directory import trunks as dt
from appliance.store import directory as sd

IST = ZoneInfo("Europe/Istanbul")
NOW = 1_780_000_000                   # 2026-05-28T20:26:40Z
HEADER = "trunk;name;provider;valid_from\n"


@pytest.fixture
def tid(db):
    return sd.tenant_id("default", create=True)


def rows(text: str) -> list[dt.TrunkRow]:
    return dt.read_text(text, "trunks.csv", IST)


def test_read_any_column_order_delimiter_and_unicode():
    got = rows("Provider,Trunk,Name\nTürk Telekom,01,Hat İzmir\nБТК,\"T 2\",Линия София\n\n")
    assert [(r.line, r.trunk, r.name, r.provider, r.valid_from) for r in got] == [
        (2, "01", "Hat İzmir", "Türk Telekom", None), (3, "T 2", "Линия София", "БТК", None)]
    got = rows(HEADER + "01;;Netia;2026-03-01\n02;x;Orange Polska;2026-03-01T09:00+01:00\n")
    assert got[0].valid_from == 1_772_312_400          # 2026-03-01 00:00 in Istanbul (+03:00)
    assert got[1].valid_from == 1_772_352_000


@pytest.mark.parametrize("text, message", [
    ("trunk;provider;colour\n01;A;red\n", "line 1, column 3: unknown column 'colour'"),
    ("trunk;name\n01;x\n", "line 1: the header needs the column(s) provider"),
    ("trunk;provider;trunk\n", "line 1, column 3: column 'trunk' appears twice"),
    (HEADER + "01;x;A;\n02;y;;\n", "line 3, column 3 (provider): empty"),
    (HEADER + ";x;A;\n", "line 2, column 1 (trunk): empty"),
    (HEADER + "01;x;A;yesterday\n", "line 2, column 4 (valid_from): 'yesterday' is not an ISO 8601 date"),
    (HEADER + "01;x;A\n", "line 2: field count 3, the header has 4"),
    (HEADER + "01;x;A;\n\n01;y;B;\n", "line 4, column 1: trunk '01' with this valid_from is already on line 2"),
])
def test_bad_files_name_the_line_and_column(text, message):
    with pytest.raises(dt.TrunkFileError, match="^trunks.csv " + message.replace("(", r"\(").replace(")", r"\)")):
        rows(text)


def test_an_empty_file_is_an_error():
    with pytest.raises(dt.TrunkFileError, match="^trunks.csv: empty file"):
        rows("\n")


def test_decode_refuses_other_encodings_with_the_line():
    assert dt.decode("\ufefftrunk;provider\n01;Türk\n".encode(), "t.csv").startswith("trunk;")
    with pytest.raises(dt.TrunkFileError, match=r"t.csv line 2: not UTF-8 \(byte 0xfc\)"):
        dt.decode("trunk;provider\n01;Türk\n".encode("latin-1"), "t.csv")


def test_apply_first_load_since_always_then_changes_from_their_date(tid):
    result = dt.apply(tid, rows(HEADER + "01;Hat 1;Türk Telekom;\n02;;Vodafone;2026-01-01\n"), NOW)
    assert (len(result.added), result.changed, result.unchanged) == (2, [], 0)
    assert directory.trunk_provider(tid, "01", 0) == "Türk Telekom"              # since always
    assert directory.trunk_provider(tid, "02", 1_767_200_000) is None             # 2025-12-31: before it started
    assert directory.trunk_provider(tid, "02", 1_767_300_000) == "Vodafone"
    # again: unchanged; a rename is not history; a provider change without a date is dated now
    result = dt.apply(tid, rows(HEADER + "01;Hat 1;Türk Telekom;\n02;Yeni;Vodafone;\n"), NOW)
    assert (result.added, result.changed, result.unchanged) == ([], ["02 (Yeni) renamed"], 1)
    result = dt.apply(tid, rows(HEADER + "01;;Superonline;\n"), NOW)
    assert result.changed == ["01 provider Türk Telekom -> Superonline from 2026-05-28T20:26:40Z"]
    assert directory.trunk_provider(tid, "01", NOW - 1) == "Türk Telekom"         # calls before keep theirs
    assert directory.trunk_provider(tid, "01", NOW) == "Superonline"
    assert [(r.trunk, r.provider, r.description) for r in dt.trunks(tid)] == [
        ("01", "Türk Telekom", "Hat 1"), ("01", "Superonline", "Hat 1"), ("02", "Vodafone", "Yeni")]


def test_history_in_one_file_and_nothing_backwards(tid):
    dt.apply(tid, rows(HEADER + "01;;B;2026-02-01\n01;;A;\n"), NOW)      # rows sorted by date: A then B
    assert [r.provider for r in dt.trunks(tid)] == ["A", "B"]
    before = [(r.provider, r.valid_from, r.valid_to) for r in dt.trunks(tid)]
    with pytest.raises(dt.TrunkFileError, match="line 3: .*would rewrite history"):
        dt.apply(tid, rows(HEADER + "02;;C;\n01;;C;2026-01-15\n"), NOW)
    assert [(r.provider, r.valid_from, r.valid_to) for r in dt.trunks(tid)] == before    # all or nothing
    assert directory.trunk_provider(tid, "02", NOW) is None


def test_tenants_do_not_mix(tid):
    other = sd.tenant_id("other", create=True)
    dt.apply(tid, rows(HEADER + "01;;A;\n"), NOW)
    dt.apply(other, rows(HEADER + "01;;Z;\n"), NOW)
    assert [r.provider for r in dt.trunks(tid)] == ["A"]
    assert directory.trunk_provider(other, "01", NOW) == "Z"


def run_cli(argv):
    parser = cli.Parser(prog="callbox")
    cli_directory.register(parser.add_subparsers(dest="command", required=True, parser_class=cli.Parser))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_trunks(tmp_path, capsys):
    data, path = tmp_path / "var", tmp_path / "trunks.csv"
    path.write_text(HEADER + "01;Hat İzmir;Türk Telekom;\n", encoding="utf-8")
    argv = ["directory", "trunks", "--data", str(data), "--set", "directory.tenant=acme"]
    assert run_cli(argv + ["--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"tenant": "acme", "rows": 1, "added": ["01 (Hat İzmir) provider Türk Telekom from always"],
                   "changed": [], "unchanged": 0}
    assert run_cli(argv + [str(path)]) == 0
    assert "1 rows, 0 added, 0 changed, 1 unchanged" in capsys.readouterr().out
    path.write_text(HEADER + "01;;;\n", encoding="utf-8")
    with pytest.raises(cli.UsageError, match=r"trunks.csv line 2, column 3 \(provider\): empty"):
        run_cli(argv + [str(path)])
    with pytest.raises(cli.UsageError, match="no such file"):
        run_cli(argv + [str(tmp_path / "nope.csv")])
    store.open_db(data / "callbox.db")
    assert directory.trunk_provider(sd.tenant_id("acme"), "01", NOW) == "Türk Telekom"
    store.close_db()
