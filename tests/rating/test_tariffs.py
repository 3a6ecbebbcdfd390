"""Tariff plans: the CSV layout (round trip, errors by line and column), the store tables, `callbox tariff`."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.cli import main as cli
from appliance.cli import tariff as cli_tariff
from appliance.rating import plans as stored_plans
from appliance.rating import tariff_csv, tariffs
from appliance.rating.tariffs import Band, DAYS, Destination, Holiday, KINDS, PlanVersion, Rate, Step, TariffError
from conftest import REPO

EXAMPLE = REPO / "provisioning" / "tariffs" / "example-turk-telekom.csv"
HEAD = "setting,value\nprovider,Telenor\nplan,Bedrift\nvalid_from,2024-01-01\ncurrency,NOK\n"
DEST = "\ndestination,prefixes,classes\nNorge,+47,\nMobil,,mobile\n"
RATES = "\ndestination,band,connection_fee,minimum,steps\nNorge,*,0,0,60:0.50\nMobil,*,0.10,0,\"30:0.20,6:0.04\"\n"


def test_the_shipped_example_reads_and_writes_back_exactly():
    text = EXAMPLE.read_text(encoding="utf-8")
    versions = tariff_csv.read_csv(text, EXAMPLE.name)
    v = versions[0]
    assert (v.provider, v.plan, v.currency, v.valid_from, v.band_boundary) == (
        "Türk Telekom", "Örnek İşyeri Tarifesi", "TRY", date(2024, 1, 1), "split")
    assert v.band_names() == ("offpeak", "peak", "weekend") and Holiday(date(2024, 4, 9), "Ramazan Bayramı arifesi",
                                                                        780) in v.holidays
    assert {k for d in v.destinations for k in d.classes} >= {"local", "long_distance", "mobile", "toll_free",
                                                              "premium", "emergency"}
    assert tariff_csv.write_csv(versions) == text


def test_bom_semicolons_comments_and_padded_rows_are_read():
    text = (HEAD + DEST + RATES).replace(",", ";").replace('"30:0.20;6:0.04"', '"30:0.20,6:0.04"')
    text = "\ufeff# exported from Excel\n" + text.replace("Norge;+47;\n", "Norge;+47;;;;\n") + ";;;\n"
    v = tariff_csv.read_csv(text)[0]
    assert v.rates[1].steps == (Step(30, Decimal("0.20"), 1), Step(6, Decimal("0.04")))
    assert v.destinations[0] == Destination("Norge", ("+47",)) and v.rounding == "half-up" and v.decimals == 2


def test_a_destination_may_continue_on_further_rows_and_several_plans_share_a_file():
    text = HEAD + DEST + "Norge,+4722 +4723,\n" + RATES + "\n" + HEAD.replace("2024-01-01", "2024-07-01") + DEST + RATES
    first, second = tariff_csv.read_csv(text)
    assert first.destinations[0].prefixes == ("+47", "+4722", "+4723") and second.valid_from == date(2024, 7, 1)
    assert tariff_csv.read_csv(tariff_csv.write_csv([first, second])) == [first, second]


@pytest.mark.parametrize("text, message", [
    ("provider,X\n", "line 1: expected the header 'setting,value' that starts a plan"),
    (HEAD.replace("NOK", "kroner") + DEST + RATES, "line 5, column value (B): 'kroner': not an ISO 4217 currency"),
    (HEAD + "colour,blue\n" + DEST + RATES, "line 6, column setting (A): unknown setting 'colour'"),
    (HEAD.replace("currency,NOK\n", "") + DEST + RATES, "line 1: the plan has no 'currency' setting"),
    (HEAD + DEST + RATES.replace("60:0.50", "60:0,50"), "line 12, column beyond the header (F): '50'"),
    (HEAD + DEST + RATES.replace("60:0.50", '"60:0,50"'), "line 12, column steps (E): step '50' is not SECONDS"),
    (HEAD + DEST + RATES.replace(",0,0,60:0.50", ",0.5.0,0,60:0.50"),
     "line 12, column connection_fee (C): '0.5.0' is not an amount"),
    (HEAD + DEST + RATES.replace("60:0.50", "60:0.50/hour"), "line 12, column steps (E)"),
    (HEAD + DEST + RATES.replace("60:0.50", "2*60:0.50"), "the last step repeats until the call ends"),
    (HEAD + DEST.replace("mobile", "mobil") + RATES, "line 9, column classes (C): 'mobil' is not a number class"),
    (HEAD + DEST.replace("+47", "+47-22") + RATES, "line 8, column prefixes (B): '+47-22' is not a prefix"),
    (HEAD + DEST + "Bergen,+47,\n" + RATES, "line 10: prefix +47 is claimed by both Norge and Bergen"),
    (HEAD + DEST + RATES.replace("Norge,*", "Oslo,*"), "line 12: no destination 'Oslo'"),
    (HEAD + "\nband,days,from,to\nday,mon-sun,08:00,18:00\nnight,mon-sun,18:00,08:00\n" + DEST + RATES,
     "line 9, column to (D): 08:00 is not after 18:00: write a band that crosses midnight as two rows"),
    (HEAD + "\nband,days,from,to\nday,mon-fri,00:00,24:00\n" + DEST + RATES, "line 8: no band covers sat at 00:00"),
    (HEAD + "\nband,days,from,to\nday,mon-sunday,00:00,24:00\n", "column days (B): 'mon-sunday' is not a day"),
    (HEAD + "\nholiday,from,name\n2024-02-30,,x\n" + DEST + RATES, "line 8, column holiday (A): day is out of range"),
    (HEAD + "\nband,dayz,from,to\n", "line 7, column dayz (B): unknown column 'dayz'"),
    (HEAD + DEST + RATES.replace("Norge,*", "Norge,peak"), "line 12: no band 'peak'"),
    ("", "no plan in the file"),
])
def test_bad_cells_are_named_by_line_and_column(text, message):
    with pytest.raises(TariffError) as e:
        tariff_csv.read_csv(text, "plan.csv")
    assert message in str(e.value) and str(e.value).startswith("plan.csv")


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("C", "Z")), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.lower() not in tariffs.RESERVED and not s.startswith("#"))
MONEY = st.decimals(min_value=0, max_value=1000, places=4).map(lambda d: d.normalize() if d == 0 else d)
STEPS = st.lists(st.tuples(st.integers(1, 3600), MONEY, st.integers(1, 20), st.booleans()), min_size=1, max_size=4)


@st.composite
def versions(draw):
    names = draw(st.lists(NAMES, min_size=1, max_size=6, unique_by=str.lower))
    prefixes = draw(st.lists(st.from_regex(r"\+?[0-9]{1,9}", fullmatch=True), min_size=len(names),
                             max_size=len(names) + 250, unique=True))
    dests = tuple(Destination(n, tuple(prefixes[i::len(names)]), tuple(draw(st.sets(st.sampled_from(KINDS)))))
                  for i, n in enumerate(names))
    rates = tuple(Rate(n, "*", tuple(Step(p, c, None if j == len(s) - 1 else k, m) for j, (p, c, k, m) in enumerate(s)),
                       draw(MONEY), draw(MONEY)) for n in names for s in [draw(STEPS)])
    bands = draw(st.sampled_from([(), (Band("Gündüz", DAYS[:5], 0, 600), Band("Gece", DAYS, 600, 1440),
                                       Band("Gündüz", DAYS[5:], 0, 600))]))
    label = st.text(st.characters(min_codepoint=32), max_size=8).map(str.strip)
    holidays = tuple(Holiday(d, draw(label), draw(st.integers(0, 1439)))
                     for d in draw(st.sets(st.dates(date(2020, 1, 1), date(2030, 12, 31)), max_size=4)))
    return PlanVersion(draw(NAMES), draw(NAMES), draw(st.dates()), draw(st.from_regex(r"[A-Z]{3}", fullmatch=True)),
                       dests, rates, bands, holidays, draw(st.sampled_from(tariffs.ROUNDINGS)), draw(st.integers(0, 6)),
                       draw(st.sampled_from(tariffs.BOUNDARY_RULES)))


@settings(max_examples=100, deadline=None)
@given(versions())
def test_any_plan_round_trips_through_csv(v):
    text = tariff_csv.write_csv([v])
    assert tariff_csv.read_csv(text) == [v]
    assert tariff_csv.write_csv(tariff_csv.read_csv(text)) == text


def test_versions_are_stored_and_loaded_unchanged_and_reimport_keeps_the_id(db):
    v = tariff_csv.read_csv(EXAMPLE.read_text(encoding="utf-8"))[0]
    vid, replaced = stored_plans.save_version(v)
    assert not replaced and stored_plans.load_versions() == [v]
    assert tariff_csv.write_csv(stored_plans.load_versions()) == EXAMPLE.read_text(encoding="utf-8")
    cheaper = dataclasses.replace(v, rates=v.rates[:-1] + (Rate("Uluslararası diğer", "*", (Step(60, Decimal("1")),)),))
    assert stored_plans.save_version(cheaper) == (vid, True)
    assert stored_plans.load_versions("Türk Telekom") == [cheaper] and stored_plans.load_versions(plan="x") == []
    later = dataclasses.replace(v, valid_from=date(2025, 1, 1))
    stored_plans.save_version(later)
    (plan,) = stored_plans.compiled_plans()
    assert plan.label == "Türk Telekom / Örnek İşyeri Tarifesi" and [x.valid_from for x in plan.versions] == [
        "2024-01-01", "2025-01-01"] and plan.versions[0].id == vid
    stored_plans.delete_version(vid)
    assert [x.valid_from for x in stored_plans.load_versions()] == [date(2025, 1, 1)]


@pytest.fixture
def callbox(monkeypatch):
    """`callbox` with the tariff commands, whether or not cli.build_parser registers them yet."""
    build = cli.build_parser

    def with_tariff():
        p = build()
        sub = next(a for a in p._actions if a.dest == "command")
        if "tariff" not in sub.choices:
            cli_tariff.register(sub)
        return p
    monkeypatch.setattr(cli, "build_parser", with_tariff)
    return cli.main


def test_cli_import_then_export_round_trips(callbox, tmp_path, capsys):
    data = tmp_path / "data"
    assert callbox(["tariff", "import", "--data", str(data), "--json", str(EXAMPLE)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["versions"][0] | {"version_id": 0} == {
        "provider": "Türk Telekom", "plan": "Örnek İşyeri Tarifesi", "valid_from": "2024-01-01", "version_id": 0,
        "replaced": False, "destinations": 20, "prefixes": 41, "rates": 26, "bands": 3, "holidays": 17,
        "currency": "TRY"}
    assert callbox(["tariff", "import", "--data", str(data), str(EXAMPLE)]) == 0
    assert "(replaced), 20 destinations, 41 prefixes" in capsys.readouterr().out
    target = tmp_path / "out.csv"
    assert callbox(["tariff", "export", "--data", str(data), "--plan", "örnek işyeri tarifesi", str(target)]) == 0
    assert target.read_bytes() == b"\xef\xbb\xbf" + EXAMPLE.read_bytes()      # UTF-8 with a BOM, for Excel
    assert callbox(["tariff", "export", "--data", str(data), "-"]) == 0
    assert capsys.readouterr().out == EXAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, content, message", [
    (["tariff", "import", "{d}", "{f}"], "setting;value\nprovider;Ö\n".encode("cp1254"),
     "line 2: not UTF-8 text (byte 0xd6)"),
    (["tariff", "import", "{d}", "{f}"], (HEAD + DEST).encode(), "line 8: destination Norge has no rate for band all"),
    (["tariff", "import", "{d}", "{tmp}/missing.csv"], b"", "no such file"),
    (["tariff", "export", "{d}", "--plan", "Bedrift", "-"], b"", "no such data directory"),
    (["tariff"], b"", "the following arguments are required: import|export"),
])
def test_cli_errors_are_one_line_and_exit_2(callbox, tmp_path, capsys, argv, content, message):
    f = tmp_path / "plan.csv"
    f.write_bytes(content)
    argv = [a.format(d=f"--data={tmp_path / 'nodata' if 'export' in argv else tmp_path / 'd'}", f=f, tmp=tmp_path)
            for a in argv]
    assert callbox(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
