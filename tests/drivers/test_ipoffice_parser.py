"""The IP Office parser's caches (durations, ring times, device pairs by their text) change no record."""
from __future__ import annotations

import pytest

from appliance.records import NotACallRecord
from drivers import avaya_ipoffice
from drivers_helpers import FIXTURES

IPO = FIXTURES / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw"
LINE = ("2017/07/01 08:30:22,00:01:01,0,217,O,600988600,0600988600,,0,1005727,0,E217,GRZYBEK,T9005,Line 5.0,0,0,"
        ",,,,,,,,,,U,GRZYBEK,,192.168.0.201,20806,192.168.0.201,20809")


def read(parser: avaya_ipoffice.Parser, line: str) -> str:
    try:
        return repr(parser.parse(line))
    except NotACallRecord as e:
        return f"refused: {e}"


def test_one_parser_reads_every_line_as_a_new_parser_would(monkeypatch):
    monkeypatch.setattr(avaya_ipoffice, "CACHE_MAX", 7)   # full caches start again, many times over the capture
    kept = avaya_ipoffice.Parser()
    lines = IPO.read_bytes().decode("utf-8").splitlines()
    assert len(lines) > 1000
    for line in lines + lines:
        assert read(kept, line) == read(avaya_ipoffice.Parser(), line)
    assert max(map(len, (kept._talk, kept._ring, kept._devices))) <= 7


@pytest.mark.parametrize("field, bad", [(1, "00:61:00"), (2, "x"), (15, "-1")])
def test_a_bad_value_is_refused_each_time_after_good_ones(field, bad):
    parser = avaya_ipoffice.Parser()
    assert parser.parse(LINE).talk_s == 61
    f = LINE.split(",")
    f[field] = bad
    for _ in range(2):
        with pytest.raises(NotACallRecord):
            parser.parse(",".join(f))
    assert parser.parse(LINE).trunk == "9005"
