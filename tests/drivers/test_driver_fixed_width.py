"""Fixed-width drivers (NEC SL, Mitel MiVB, Mitel 5000): hand-checked lines, state, framing, login data.

The generic fixture walks are in test_drivers.py. These tests use make_parser() only: the module-level
parse() of a stateful driver is one shared parser, and feeding it here would change what test_drivers.py
sees later in the same session.
"""
from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from appliance.records import NotACallRecord
from drivers_helpers import FIXTURES, decode, expected_path, fixture_pairs, frame, load_driver, record_json

NEC = FIXTURES / "nec_sl" / "constructed-sl1100-date-column.raw"
NEC0 = FIXTURES / "nec_sl" / "constructed-sv9100-no-date-overseas.raw"
MIVB = FIXTURES / "mitel_mivb" / "constructed-3300-standard-12h.raw"
MIVB_EXT = FIXTURES / "mitel_mivb" / "constructed-mivb-extended-ani-24h.raw"
MIVB_NET = FIXTURES / "mitel_mivb" / "constructed-network-meter-pulses.raw"
M5_REAL = FIXTURES / "mitel_5000" / "smdr-logger-5000-doc-example.raw"
M5_FRAMED = FIXTURES / "mitel_5000" / "smdr-logger-5000-doc-example-framed.raw"
M5_BUILT = FIXTURES / "mitel_5000" / "constructed-5000-framed.raw"
OPTS = {MIVB: {"year": "2023"}, MIVB_EXT: {"extended_digits": "1", "ani_dnis": "1", "time_24h": "1", "year": "2024"},
        MIVB_NET: {"meter_pulses": "1", "network_format": "1", "time_24h": "1", "year": "2024"},
        NEC0: {"show_date": "0", "format": "1"}}


def lines_of(name: str, raw) -> list[str]:
    enc = load_driver(name).ENCODING
    return [decode(line, enc) for line in frame(raw.read_bytes())]


def run(name: str, raw, **options) -> dict:
    """{line number: record or None or the NotACallRecord} for one fresh parser over the whole file."""
    parser = load_driver(name).make_parser(**(options or OPTS.get(raw, {})))
    out = {}
    for number, text in enumerate(lines_of(name, raw), 1):
        try:
            out[number] = parser.parse(text)
        except NotACallRecord as exc:
            out[number] = exc
    return out


def mitel5000_real_line(framed: bool) -> str:
    return lines_of("mitel_5000", M5_FRAMED if framed else M5_REAL)[0]


# ---------------------------------------------------------------- NEC

def test_nec_headers_records_and_next_line():
    got = run("nec_sl", NEC)
    assert got[1] is None and got[2] is None and got[3] is None   # page header, column titles, empty line
    assert record_json(got[4]) == {"start": "2023-12-30T09:15:00", "direction": "out", "extension": "101",
                                   "party": "0311234567", "trunk": "001", "ring_s": 0, "talk_s": 133,
                                   "answered": True, "transferred": False, "account_code": "4711", "call_key": ""}
    assert got[6] is None and got[5].extra["name"] == "JOHN SMITH"   # NEXT names the previous record
    no_answer = got[7]   # PIN 10:53 ... 022 (blank duration) 2142623801 NO ANSWER
    assert (no_answer.direction, no_answer.answered, no_answer.account_code, no_answer.talk_s) == ("in", False, "", 0)
    assert (got[8].direction, got[8].trunk, got[8].start) == ("internal", "", datetime(2023, 12, 30, 11, 0))
    assert got[10].extra["class"] == "IVOTP" and got[10].talk_s == 605


def test_nec_class_codes():
    got = run("nec_sl", NEC)
    assert (got[11].direction, got[11].transferred) == ("in", True)    # PTRS on line 002, last seen PIN
    assert (got[12].direction, got[12].transferred) == ("out", True)   # PTRS on line 003, last seen POTA
    assert (got[13].extra["class"], got[13].direction, got[13].answered) == ("BRD", "out", False)
    assert got[14] is None                                              # ALB: an event
    assert isinstance(got[15], NotACallRecord) and "buffer full" in str(got[15])   # BFL: shown to the installer
    assert (got[16].extra["class"], got[16].direction) == ("SAD", "out")
    assert got[17].direction == "internal" and got[20].transferred   # SDTA, ITRS


def test_nec_year_from_header_and_new_year():
    got = run("nec_sl", NEC)
    assert got[25].start == datetime(2023, 12, 31, 23, 58)
    assert got[26].start == datetime(2024, 1, 1, 0, 5)   # 01/01 on a page dated 12/31/2023
    assert got[27].start == datetime(2024, 1, 1, 0, 7)   # ICM without a date: the running day
    assert "02/30" in str(got[29]) and "66 characters" in str(got[32])


def test_nec_no_date_column_overseas():
    got = run("nec_sl", NEC0)
    assert (got[4].extension, got[4].trunk, got[4].start) == ("Reception", "Trunk 001", datetime(2023, 12, 31, 22, 10))
    assert got[6].start == datetime(2023, 12, 31, 23, 58)   # one minute back: still the same day
    assert got[7].start == datetime(2024, 1, 1, 0, 2)       # 12 hours back: midnight passed
    assert got[12].start == datetime(2024, 1, 2, 9, 0)      # header 02/01/2024 is DD/MM
    nec = load_driver("nec_sl")
    with pytest.raises(ValueError, match="show_date"):
        nec.make_parser(show_date="2")


def test_nec_impossible_values():
    line = lines_of("nec_sl", NEC)[3]
    assert "09:15 12/30" in line and "00:02:13" in line
    for good, bad in (("09:15", "9:15 "), ("09:15", "09:60"), ("12/30", "13/30"), ("12/30", "12-30"),
                      ("00:02:13", "00:02:60"), ("00:02:13", "-0:02:13"), ("00:02:13", "00:0213 ")):
        with pytest.raises(NotACallRecord):
            load_driver("nec_sl").make_parser().parse(line.replace(good, bad, 1))


# ---------------------------------------------------------------- Mitel MiVB

def test_mivb_standard_records():
    got = run("mitel_mivb", MIVB)
    assert record_json(got[1]) == {"start": "2023-12-30T21:15:00", "direction": "out", "extension": "2001",
                                   "party": "90311234567", "trunk": "012", "ring_s": 0, "talk_s": 133,
                                   "answered": True, "transferred": False, "account_code": "4711", "call_key": ""}
    assert (got[2].direction, got[2].extension, got[2].trunk, got[2].ring_s) == ("in", "2002", "005", 12)
    assert (got[3].direction, got[3].party) == ("internal", "2003")
    assert got[4].transferred and got[4].extra["third_party"] == "2005" and got[4].talk_s == 450
    assert got[5].extra["attendant"] == "A" and got[6].talk_s == 3723   # '%' 15 min, '+' 1 h 2 min 3 s
    assert (got[7].answered, got[7].extra["status"]) == (False, "B")
    assert (got[8].answered, got[8].extra["answer_s"]) == (False, "***")


def test_mivb_long_call_marker_is_checked():
    parser = load_driver("mitel_mivb").make_parser(year="2023")
    line = lines_of("mitel_mivb", MIVB)[0]   # ' 12/30 09:15P 00:02:13 ...'
    for marker, duration in (("-", "00:05:00"), ("-", "00:09:59"), ("%", "00:10:00"), ("%", "00:29:59"),
                             ("+", "00:30:00"), ("+", "99:99:99")):
        rec = parser.parse(marker + line[1:].replace("00:02:13", duration))
        assert rec.talk_s == (360000 if duration == "99:99:99" else int(duration[3:5]) * 60 + int(duration[6:]))
        with pytest.raises(NotACallRecord, match="long-call marker"):
            parser.parse(" " + line[1:].replace("00:02:13", duration))
    with pytest.raises(NotACallRecord, match="long-call marker"):
        parser.parse("-" + line[1:])


def test_mivb_year_rollover_december_to_january():
    got = run("mitel_mivb", MIVB)
    assert got[9].start == datetime(2023, 12, 31, 23, 58)
    assert got[10].start == datetime(2024, 1, 1, 0, 5)     # 12:05 AM on 01/01 after 12/31: next year
    assert got[11].start == datetime(2023, 12, 31, 23, 59)  # a late 12/31 record stays in 2023
    assert got[12].start == datetime(2024, 1, 1, 12, 30)
    line = lines_of("mitel_mivb", MIVB)[9]   # the 01/01 record alone, year 2024 given
    assert load_driver("mitel_mivb").make_parser(year="2024").parse(line).start.year == 2024
    with pytest.raises(ValueError, match="year"):
        load_driver("mitel_mivb").make_parser(year="23")


def test_mivb_variants():
    ext = run("mitel_mivb", MIVB_EXT)
    assert (ext[1].direction, ext[1].extension, ext[1].party, ext[1].trunk) == ("in", "1234567", "0612345678", "0021")
    assert ext[1].extra["dnis"] == "5550100" and ext[2].account_code == "88"
    assert ext[3].start == datetime(2024, 3, 14, 17, 20) and ext[3].transferred
    assert "24-hour" in str(ext[4])
    net = run("mitel_mivb", MIVB_NET)
    assert net[1].call_key == net[2].call_key == "00001234"
    assert (net[2].account_code, net[2].extra["meter_pulses"]) == ("77", "00012")
    standard = lines_of("mitel_mivb", MIVB)[0]
    with pytest.raises(NotACallRecord, match="check the SMDR options"):
        load_driver("mitel_mivb").make_parser(extended_digits="1").parse(standard)


def test_mivb_layout_table_is_consistent():
    mivb = load_driver("mitel_mivb")
    for flags in [(e, a, m, n) for e in (0, 1) for a in (0, 1) for m in (0, 1) for n in (0, 1)]:
        cols = mivb.layout(*map(bool, flags))
        width = cols[-1][2]
        spans = sorted((a, b) for _, a, b in cols[:-1])
        assert all(a <= b for a, b in spans) and spans[-1][1] <= width
        assert all(b1 < a2 for (_, b1), (a2, _) in zip(spans, spans[1:])), f"overlap in {flags}"
    assert mivb.layout(False, False, False, False)[-1][2] == 90
    assert mivb.layout(True, False, False, False)[-1][2] == 101
    assert mivb.layout(False, True, False, False)[-1][2] == 112
    assert mivb.layout(True, True, False, False)[-1][2] == 120


# ---------------------------------------------------------------- Mitel 5000

@pytest.mark.parametrize("framed", [False, True])
def test_mitel5000_real_record(framed):
    # TLC 11202 94003 961-9000 ... 08:36 00:00:03 $00.00, plain and behind 52 00 00 00
    line = mitel5000_real_line(framed)
    assert line.startswith("R\x00\x00\x00TLC") if framed else line.startswith("TLC 11202")
    rec = load_driver("mitel_5000").make_parser(date="2024-01-02").parse(line)
    assert record_json(rec) == {"start": "2024-01-02T08:36:00", "direction": "out", "extension": "11202",
                                "party": "9619000", "trunk": "94003", "ring_s": 0, "talk_s": 3,
                                "answered": True, "transferred": False, "account_code": "", "call_key": ""}
    assert rec.extra == {"call_type": "TLC", "dialled": "961-9000", "cost": "$00.00"}


def test_mitel5000_length_prefix_is_checked():
    parser = load_driver("mitel_5000").make_parser(date="2024-01-02")
    record = mitel5000_real_line(False)
    for size in (80, 81, 82):   # CR LF stripped by capture; the count is the payload only
        assert parser.parse(chr(size) + "\x00\x00\x00" + record).talk_s == 3
    for size in (79, 83, 86, 82 + 256):   # 86 would be the doc's "count includes its own 4 bytes"
        with pytest.raises(NotACallRecord, match="length prefix"):
            parser.parse(bytes(size.to_bytes(4, "little")).decode("latin-1") + record)


def test_mitel5000_constructed_records():
    got = run("mitel_5000", M5_BUILT, date="2024-03-14")
    assert got[2].account_code == "12345678" and got[2].extra["far_end_disconnect"] == "1"
    assert (got[2].party, got[2].extra["dialled"]) == ("16029619000", "1-602-961-9000")
    assert (got[3].direction, got[3].party) == ("in", "6025551212")
    ring_in = got[4]   # DID with ***** : unanswered, ELAPSED is the ring time
    assert (ring_in.extension, ring_in.ring_s, ring_in.talk_s, ring_in.answered) == ("", 25, 0, False)
    assert (got[5].talk_s, got[5].extra["digits_cut"], got[5].extra["cost"]) == (125, "1", "$12345")
    assert got[6].start == datetime(2024, 3, 14, 23, 59) and got[7].start == datetime(2024, 3, 15, 0, 1)
    assert got[8].direction == "internal" and got[9] is None and got[10].start.minute == 6
    assert "86 bytes" in str(got[11])


def test_mitel5000_framing_and_handshake():
    m5 = load_driver("mitel_5000")
    assert m5.FRAMING == "le32"
    assert m5.handshake({}) == [("send", b"\x02\x00\x00\x00\x84\x00")]   # smdr-logger-5000's login
    assert m5.handshake({"password": "12345678"}) == [("send", b"\x0a\x00\x00\x00\x8412345678\x00")]   # [MI3]
    for bad in ("x" * 16, "pässword", "a\x00b"):
        with pytest.raises(ValueError, match="password"):
            m5.handshake({"password": bad})
    with pytest.raises(ValueError, match="date"):
        m5.make_parser(date="14/03/2024")


def test_mitel5000_impossible_values():
    line = mitel5000_real_line(False)
    for good, bad in (("08:36", "24:36"), ("08:36", "08:60"), ("08:36", "8:36 "), ("00:00:03", "00:00:60"),
                      ("00:00:03", "S=00x003"), ("TLC", "TLX")):
        with pytest.raises(NotACallRecord):
            load_driver("mitel_5000").make_parser(date="2024-01-02").parse(line.replace(good, bad, 1))


# ---------------------------------------------------------------- all three

@pytest.mark.parametrize("name", ["nec_sl", "mitel_mivb", "mitel_5000"])
def test_looks_like_own_and_others(name):
    driver = load_driver(name)
    for other, raw in fixture_pairs():
        score = driver.looks_like([decode(line, driver.ENCODING) for line in frame(raw.read_bytes())])
        if other == name:
            assert score >= 0.5, f"{name} does not recognise {raw.name} ({score})"
            bad = {q["line"] for q in json.loads(expected_path(raw).read_text())["quarantined"]}
            clean = [decode(line, driver.ENCODING) for n, line in enumerate(frame(raw.read_bytes()), 1)
                     if n not in bad]
            assert driver.looks_like(clean) >= 0.8, f"{name} on the good lines of {raw.name}"
        else:
            assert score < 0.2, f"{name} claims {raw.name} ({score})"


@pytest.mark.parametrize("name,raw", [("nec_sl", NEC), ("mitel_mivb", MIVB), ("mitel_5000", M5_BUILT)])
def test_parse_speed(name, raw):
    """Same budget as the IPO driver: well under 40 us per line."""
    texts = lines_of(name, raw) * 50
    parser = load_driver(name).make_parser(**OPTS.get(raw, {"date": "2024-03-14"} if name == "mitel_5000" else {}))
    t0 = time.process_time()
    for text in texts:
        try:
            parser.parse(text)
        except NotACallRecord:
            pass
    per_line = (time.process_time() - t0) / len(texts)
    assert per_line < 40e-6, f"{per_line * 1e6:.1f} us/line"
