"""CSV formula injection (issue 13, finding 6): PBX text in a report export is text to a spreadsheet, never a
formula, while numbers (negative costs too) stay numbers. LibreOffice Calc (system-deps.txt) opens the files
as a user would and saves them as flat ODS, whose cells say whether they hold a formula."""
from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from appliance import store
from appliance.cli import main as cli
from appliance.reports import csv_cells
from appliance.reports import engine as reports
from webui.reports import export

PAYLOADS = ["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+2", "\r=1+2", "=1+2"]
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
needs_calc = pytest.mark.skipif(not shutil.which("soffice"),
                                reason="libreoffice-calc-nogui (system-deps.txt) missing")


def spreadsheet_cells(csv_files: list[Path], tmp_path: Path) -> dict[str, list[list[tuple]]]:
    """Each CSV file as LibreOffice reads it (comma, double quote, UTF-8): rows of (formula or None, value
    type, shown text) per cell."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "fods", "--outdir", str(tmp_path),
                    *map(str, csv_files)], check=True, capture_output=True, timeout=120)
    out = {}
    for f in csv_files:
        rows = []
        for row in ET.parse(f.with_suffix(".fods")).iter(TABLE + "table-row"):
            rows.append([(c.get(TABLE + "formula"), c.get(OFFICE + "value-type"),
                          "".join("".join(p.itertext()) for p in c.iter(TEXT + "p")))
                         for c in row.iter(TABLE + "table-cell") if c.get(OFFICE + "value-type")])
        out[f.name] = rows
    return out


def test_text_cells_are_neutralised_and_numbers_are_not():
    assert [csv_cells.cell(p) for p in PAYLOADS] == ["'" + p for p in PAYLOADS]
    assert csv_cells.row([Decimal("-1.50"), -3, 0.5, None, "-", "-12.50", "+902125550000", "1001"]) == \
        ["-1.50", "-3", "0.5", "", "-", "-12.50", "+902125550000", "1001"]
    assert csv_cells.cell("Ayşe = boss") == "Ayşe = boss"


@needs_calc
def test_report_exports_open_in_a_spreadsheet_as_text(tmp_path):
    rows = [[p, 1, Decimal("-1.50")] for p in PAYLOADS]
    result = reports.Result(["party", "calls", "cost"], rows, ["", len(rows), Decimal("-12.00")], ndims=1)
    engine_csv, table_csv = tmp_path / "engine.csv", tmp_path / "table.csv"
    engine_csv.write_text(reports.to_csv(result), encoding="utf-8")
    table_csv.write_text(export.table_csv(["party", "calls", "cost"], rows), encoding="utf-8")
    sheets = spreadsheet_cells([engine_csv, table_csv], tmp_path)
    for name, sheet in sheets.items():
        body = sheet[1:1 + len(PAYLOADS)]
        assert [r[0][0] for r in body] == [None] * len(PAYLOADS), name            # no formula anywhere
        assert [r[0][1] for r in body] == ["string"] * len(PAYLOADS), name
        bare = (lambda text: text.translate({9: None, 10: None, 13: None}))   # Calc drops the tab and CR
        assert [bare(r[0][2]) for r in body] == ["'" + bare(p) for p in PAYLOADS], name
        assert [r[2][1:] for r in body] == [("float", "-1.5")] * len(PAYLOADS), name   # a negative cost is a number
    assert sheets["engine.csv"][-1][-1][1:] == ("float", "-12")


@needs_calc
def test_callbox_report_csv_of_hostile_pbx_fields_opens_as_text(tmp_path, capsys):
    data = tmp_path / "box"
    store.open_db(data / "callbox.db")
    for i, party in enumerate(PAYLOADS[:3]):
        store.Call.create(id=i + 1, driver="test", call_key=str(i), start_utc=1_780_000_000 + 60 * i,
                          utc_offset=0, direction="out", extension="=2+5", party=party, trunk="T1", ring_s=3,
                          talk_s=65, answered=True, transferred=False, account_code="@x", legs=1, cost="-0.25",
                          currency="TRY")
    store.close_db()
    capsys.readouterr()
    assert cli.main(["report", "--data", str(data), "--dims", "number,extension", "--measures", "calls,cost",
                     "--since", "2026-01-01", "--until", "2027-01-01", "--raw", "--csv"]) == 0
    store.close_db()
    out = tmp_path / "report.csv"
    out.write_text(capsys.readouterr().out, encoding="utf-8")
    sheet = spreadsheet_cells([out], tmp_path)["report.csv"]
    assert all(formula is None for row in sheet for formula, _t, _s in row)
    body = sheet[1:4]
    assert sorted(r[0][2] for r in body) == sorted("'" + p for p in PAYLOADS[:3])
    assert {r[1][2] for r in body} == {"'=2+5"} and {r[3][:2] for r in body} == {(None, "float")}
