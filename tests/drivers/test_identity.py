"""Record identity (registry.Driver.identity): what makes a record the same record when it comes again.

On every fixture, real captures included, no two records get one identity (a false duplicate would lose a call);
and the same record delivered again (CR LF for LF, another file position or peer port) keeps it.
"""
from __future__ import annotations

import json

import pytest

from appliance import registry
from appliance.records import CallRecord
from drivers._common import line_identity
from drivers_helpers import decode, expected_path, fixture_pairs, frame

OWN = {"avaya_ipoffice", "asterisk_csv", "cisco_cucm", "freeswitch_csv"}   # the drivers whose format names records


def records(name: str, raw) -> list[tuple[CallRecord, str]]:
    driver = registry.load(name)
    parser = driver.make_parser(**json.loads(expected_path(raw).read_text(encoding="utf-8"))["options"])
    out = []
    for line in frame(raw.read_bytes()):
        text = decode(line, driver.ENCODING)
        try:
            rec = parser.parse(text)
        except ValueError:
            continue
        if isinstance(rec, CallRecord):
            out.append((rec, text))
    return out


@pytest.mark.parametrize("name, raw", fixture_pairs(), ids=[f"{n}/{r.stem}" for n, r in fixture_pairs()])
def test_no_two_records_of_a_fixture_share_an_identity(name, raw):
    identity = registry.load(name).identity
    got = [identity(rec, text, f"file:/var/log/{raw.name}#12:{i}") for i, (rec, text) in enumerate(records(name, raw))]
    assert len(set(got)) == len(got)


def test_the_drivers_that_name_their_records_say_so_and_the_rest_use_the_default():
    for name in registry.names():
        identity = registry.load(name).identity
        assert callable(identity)
        assert (identity is not line_identity) == (name in OWN), name
    assert registry.OPTIONAL["identity"] is line_identity


def test_the_default_identity_leaves_out_what_varies_between_two_deliveries():
    rec = None
    same = {line_identity(rec, line, source) for line, source in [
        ("01/02/24 10:00AM   101 01 0612345678    0'05 00:01'05            \r", "tcp:10.0.0.5:51234"),
        ("01/02/24 10:00AM   101 01 0612345678    0'05 00:01'05", "tcp:10.0.0.5:51299"),
    ]}
    assert len(same) == 1
    assert line_identity(rec, "x", "file:/var/log/a.csv#77:120") == line_identity(rec, "x", "file:/var/log/a.csv#78:5")
    assert line_identity(rec, "x", "tcp:10.0.0.5:1") != line_identity(rec, "x", "tcp:10.0.0.6:1")
    assert line_identity(rec, "x", "import:/a.log") != line_identity(rec, "x", "import:/b.log")


def test_an_asterisk_cdr_is_its_uniqueid_and_sequence_from_any_file():
    name, raw = "asterisk_csv", next(r for n, r in fixture_pairs() if r.stem == "constructed-21col-linkedid-badutf8")
    identity = registry.load(name).identity
    rec, text = records(name, raw)[0]
    assert identity(rec, text, "file:/a") == identity(rec, text + "\r", "import:/elsewhere") == \
        f'{rec.extra["uniqueid"]}#{rec.extra["sequence"]}'
