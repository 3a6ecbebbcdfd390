"""drivers.generic: the worked examples, hand-checked records, and every option error named."""
from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from appliance import config
from appliance.config import Config
from appliance.records import NotACallRecord
from drivers import generic
from drivers_helpers import FIXTURES, ROOT, decode, expected_path, frame, load_driver

EXAMPLES = ROOT / "provisioning" / "examples"
FOLDER = FIXTURES / "generic"
# provisioning/examples/generic-<x>.ini describes tests/fixtures/pbx/generic/constructed-<x>.raw
PAIRS = {ini: FOLDER / f"constructed-{ini.stem.removeprefix('generic-')}.raw"
         for ini in sorted(EXAMPLES.glob("generic-*.ini"))}
HIPATH = FOLDER / "constructed-siemens-hipath.raw"
FIXED = FOLDER / "constructed-fixed-width.raw"
NOT_DRIVER_OPTIONS = ("driver", "timezone", "group_window_h")


def options_of(raw) -> dict[str, str]:
    return json.loads(expected_path(raw).read_text(encoding="utf-8"))["options"]


def line_of(raw, number: int) -> str:
    return decode(frame(raw.read_bytes())[number - 1], generic.ENCODING)


def record(raw, number: int):
    return generic.make_parser(**options_of(raw)).parse(line_of(raw, number))


# ---------------------------------------------------------------- the worked examples

def test_every_example_has_a_fixture():
    assert set(PAIRS.values()) == {HIPATH, FIXED}
    assert all(raw.exists() and expected_path(raw).exists() for raw in PAIRS.values())


@pytest.mark.parametrize("ini", list(PAIRS), ids=lambda p: p.name)
def test_example_ini_options_are_the_fixture_options(ini):
    raw = Config(ini).raw_section("pbx")
    assert raw["driver"] == "generic"
    assert {k: v for k, v in raw.items() if k not in NOT_DRIVER_OPTIONS} == options_of(PAIRS[ini])


@pytest.mark.parametrize("ini", list(PAIRS), ids=lambda p: p.name)
def test_example_ini_loads_like_the_worker_loads_it(ini):
    cfg = Config(ini)
    for section in config.SECTIONS:
        cfg.section(section, extra=generic.OPTIONS if section == "pbx" else None)
    assert not cfg.warnings
    pbx = cfg.section("pbx", extra=generic.OPTIONS)
    parser = generic.make_parser(**{key: getattr(pbx, key) for key in generic.OPTIONS})
    assert parser.parse(line_of(PAIRS[ini], 3)) is not None


def test_options_are_all_strings():
    """Config types an option by its default: a non-str default would turn '0' into 0."""
    assert all(type(default) is str and help_ for default, help_ in generic.OPTIONS.values())


# ---------------------------------------------------------------- hand-checked records

def test_hipath_records():
    assert record(HIPATH, 1) is None and record(HIPATH, 9) is None   # repeated "Datum;..." header
    rec = record(HIPATH, 2)   # 14.03.24;09:05:43;701;101;00:00:12;00:01:05;0891234567;K;;0
    assert (rec.start, rec.direction, rec.extension, rec.party, rec.trunk) == (
        datetime(2024, 3, 14, 9, 5, 43), "in", "101", "0891234567", "701")
    assert (rec.ring_s, rec.talk_s, rec.answered, rec.extra) == (12, 65, True, {"direction": "K"})
    out = record(HIPATH, 3)
    assert (out.direction, out.account_code, out.talk_s) == ("out", "4711", 12 * 60 + 30)
    internal = record(HIPATH, 4)
    assert (internal.direction, internal.party, internal.trunk) == ("internal", "102", "")
    assert record(HIPATH, 5).answered is False   # 00:00:00 talk after 25 s ringing
    quoted = record(HIPATH, 6)   # "0049 89 555" and "12;34" are quoted; the ';' inside is data
    assert (quoted.party, quoted.account_code, quoted.talk_s) == ("0049 89 555", "12;34", 3723)
    assert record(HIPATH, 8).direction == "in"   # lower-case 'k'
    assert record(HIPATH, 12).extension == "101"   # empty last (ignored) column


def test_hipath_quarantine_reasons():
    parser = generic.make_parser(**options_of(HIPATH))
    reasons = {}
    for number in (10, 11, 13, 14, 15):
        with pytest.raises(NotACallRecord) as exc:
            parser.parse(line_of(HIPATH, number))
        reasons[number] = str(exc.value)
    assert reasons == {10: "direction 'X' is not one of K, G, I",
                       11: "start '31.02.24 10:00:00' is not a date and time in the configured format",
                       13: "8 fields, this layout has 10",
                       14: "talk '00:1:00' does not match the duration format",
                       15: "not a CSV row: unexpected end of data"}


def test_fixed_width_records():
    assert record(FIXED, 1) is None and record(FIXED, 2) is None   # page header and ruler
    rec = record(FIXED, 3)   # ends 14/03/24 09:07 after 00:01:05; caller 0612345678 -> 201
    assert (rec.start, rec.direction, rec.extension, rec.party, rec.trunk, rec.talk_s) == (
        datetime(2024, 3, 14, 9, 5, 55), "in", "201", "0612345678", "701", 65)
    assert rec.extra == {"caller": "0612345678", "called": "201"}
    out = record(FIXED, 4)
    assert (out.direction, out.extension, out.party, out.account_code) == ("out", "202", "00441234567890", "4711")
    assert record(FIXED, 5).direction == "internal"   # 201 -> 305, both match [1-4]\d\d
    forward = record(FIXED, 6)   # external -> external: "out", the caller stands in for the extension
    assert (forward.direction, forward.extension, forward.party) == ("out", "0612345678", "0698765432")
    night = record(FIXED, 7)   # ends 15/03 00:02 after 5 minutes
    assert night.start == datetime(2024, 3, 14, 23, 57)
    assert record(FIXED, 14).talk_s == 3600   # two trailing blanks past column 72 are fine
    parser = generic.make_parser(**options_of(FIXED))
    with pytest.raises(NotACallRecord, match="60 characters, this layout's lines are 72"):
        parser.parse(line_of(FIXED, 11))
    with pytest.raises(NotACallRecord, match="80 characters"):
        parser.parse(line_of(FIXED, 12))


def test_default_layout_is_a_neutral_csv():
    rec = generic.parse("2024-03-14 09:05:43,in,201,0612345678,701,12,65,ACC1,k-1")
    assert (rec.start, rec.direction, rec.extension, rec.party, rec.trunk, rec.ring_s, rec.talk_s,
            rec.account_code, rec.call_key) == (datetime(2024, 3, 14, 9, 5, 43), "in", "201", "0612345678",
                                                "701", 12, 65, "ACC1", "k-1")
    assert generic.parse("") is None and generic.parse("   ") is None
    assert generic.looks_like(["2024-03-14 09:05:43,in,201,0612345678,701,12,65,,"] * 10) == 0.0


def test_start_and_end_without_duration():
    parser = generic.make_parser(columns="start,end,ring,caller,called", datetime_format="%d.%m.%Y %H:%M:%S")
    rec = parser.parse("14.03.2024 09:00:00,14.03.2024 09:02:10,10,0612345678,201")
    assert (rec.direction, rec.ring_s, rec.talk_s, rec.extra["end"]) == ("in", 10, 120, "2024-03-14 09:02:10")
    with pytest.raises(NotACallRecord, match="end before start"):
        parser.parse("14.03.2024 09:00:00,14.03.2024 08:59:00,0,0612345678,201")


def test_end_columns_only_give_start_from_duration():
    parser = generic.make_parser(columns="end_date,end_time,duration,ring,extension,party,direction",
                                 date_format="%y%m%d", time_format="%H%M", duration_format="mm:ss")
    rec = parser.parse("240314,0907,2:05,0:20,201,0612345678,out")   # 125 s in all, 20 of them ringing
    assert (rec.start, rec.ring_s, rec.talk_s) == (datetime(2024, 3, 14, 9, 4, 55), 20, 105)


def test_panasonic_like_durations_tab_and_no_quoting():
    parser = generic.make_parser(columns="start,ring,talk,extension,party,direction", delimiter="tab",
                                 quotechar="", duration_format="hh:mm'ss", datetime_format="%m/%d/%y %H:%M")
    rec = parser.parse("02/11/11 13:06\t0'05\t00:01'05\t130\t\"0261\"\tin")
    assert (rec.start, rec.ring_s, rec.talk_s, rec.party) == (datetime(2011, 2, 11, 13, 6), 5, 65, '"0261"')
    with pytest.raises(NotACallRecord, match="duration format"):
        parser.parse("02/11/11 13:06\t0'05\t00:61'05\t130\t0261\tin")


@pytest.mark.parametrize("options, message", [
    ({"colour": "red"}, "generic has no option 'colour'"),
    ({"layout": "xml"}, "layout 'xml': expected one of csv, fixed"),
    ({"time_is": "middle"}, "time_is 'middle': expected one of start, end"),
    ({"duration_format": "minutes"}, "duration_format 'minutes': expected one of seconds, hh:mm:ss"),
    ({"columns": "start,talk,extension,party,direction,colour"}, "columns: ['colour'] is unknown or repeated"),
    ({"columns": "start,talk,extension,party,direction,talk"}, "columns: ['talk'] is unknown or repeated"),
    ({"columns": "start_date,talk,extension,party,direction"}, "columns: give start, or start_date with start_time"),
    ({"columns": "start,start_date,start_time,talk,extension,party,direction"}, "give start, or start_date"),
    ({"columns": "talk,extension,party,direction"}, "columns: no start or end date/time column"),
    ({"columns": "start,extension,party,direction"}, "columns: no talk or duration, nor start and end"),
    ({"columns": "start,talk,extension,party"}, "columns: needs caller and called"),
    ({"columns": "start,talk,direction,caller"}, "columns: needs caller and called"),
    ({"time_is": "end", "columns": "start,end,extension,party,direction"}, "time_is = end wants start columns"),
    ({"layout": "fixed", "columns": "start:1-19,talk:21-25,caller:27-30,called:30-40"},
     "columns: caller and called overlap"),
    ({"layout": "fixed", "columns": "start:1-19,talk:25-21,caller:27-30,called:31-40"}, "'talk:25-21' is not"),
    ({"layout": "fixed", "columns": "start:0-19,talk:21-25,caller:27-30,called:31-40"}, "'start:0-19' is not"),
    ({"layout": "fixed", "columns": "start,talk,caller,called"}, "columns: 'start' is not name:first-last"),
    ({"delimiter": ";;"}, "delimiter ';;' / quotechar '\"': one distinct symbol each"),
    ({"delimiter": "x"}, "delimiter 'x'"),
    ({"delimiter": '"'}, "delimiter '\"'"),
    ({"quotechar": "''"}, "quotechar \"''\""),
    ({"skip_lines_matching": "(Datum"}, "skip_lines_matching '(Datum': missing ), unterminated subpattern"),
    ({"extension_pattern": "[1-4"}, "extension_pattern '[1-4': unterminated character set"),
    ({"date_format": "%d.%m"}, "date_format '%d.%m': no %y or %Y"),
    ({"date_format": "%d.%m.%y %H"}, "date_format '%d.%m.%y %H': %H is not allowed or repeated"),
    ({"time_format": "%H:%M:%Q"}, "time_format '%H:%M:%Q': %Q is not allowed"),
    ({"time_format": "%H:%H"}, "%H is not allowed or repeated"),
    ({"time_format": "%M:%S"}, "time_format '%M:%S': no %H"),
    ({"datetime_format": "%Y-%m-%d"}, "datetime_format '%Y-%m-%d': no %H"),
    ({"datetime_format": "%Y-%m-%d %H:%M %"}, "% is not allowed"),
    ({"direction_in": "I", "direction_internal": "I"}, "direction_in / direction_out / direction_internal"),
    ({"direction_out": "O,,X"}, "a value is empty or used twice"),
    ({"direction_in": "I\x00"}, "direction_in 'I\\x00': not printable text"),
])
def test_option_errors_name_the_option(options, message):
    with pytest.raises(ValueError) as exc:
        generic.make_parser(**options)
    assert message in str(exc.value)


def test_a_bad_option_in_the_ini_is_a_config_error_naming_it(tmp_path):
    from appliance.registry import driver_parser
    ini = tmp_path / "callbox.ini"
    ini.write_text((EXAMPLES / "generic-fixed-width.ini").read_text().replace("time_is = end", "time_is = later"))
    with pytest.raises(config.ConfigError, match=r"\[pbx\] time_is 'later'"):
        driver_parser(Config(ini))


def test_huge_lines_with_the_example_layouts():
    for raw in (HIPATH, FIXED):
        parser = generic.make_parser(**options_of(raw))
        real = line_of(raw, 3)
        for text in (real + " " * 2**20, (real + ";") * 100, "x" * 2**20):
            t0 = time.process_time()
            with pytest.raises(NotACallRecord):
                parser.parse(text)
            assert time.process_time() - t0 < 0.5


def test_speed():
    results = {}
    for raw, number in ((HIPATH, 2), (FIXED, 3)):
        parser, line = generic.make_parser(**options_of(raw)), line_of(raw, number)
        t0 = time.process_time()        # CPU time: the machine may be busy with other work (load 10 seen)
        for _ in range(5000):
            parser.parse(line)
        results[raw.name] = (time.process_time() - t0) / 5000
    assert max(results.values()) < 30e-6, results


def test_is_never_auto_detected():
    lines = [decode(line, generic.ENCODING) for line in frame(HIPATH.read_bytes())]
    assert generic.looks_like(lines) == 0.0 and load_driver("generic") is generic
