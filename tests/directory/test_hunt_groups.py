"""Hunt groups (issue 20): [directory] hunt_groups names their numbers, and the drivers that say a call came through
one (IP Office's Targeting Cause HG with the group's name, Cisco CUCM's huntPilotDN) are read as such."""
from __future__ import annotations

import csv
import io

import pytest

from appliance import config
from appliance.directory import hunt_groups
from conftest import FIXTURES
from drivers import avaya_ipoffice, cisco_cucm


def test_the_setting_names_numbers_and_refuses_a_bad_line():
    parsed = hunt_groups.parse("200 = Sales\n# a comment\n\n 201=Destek ekibi ")
    assert parsed == {"200": "Sales", "201": "Destek ekibi"}
    assert hunt_groups.parse("") == {}
    for bad in ("200 Sales", "= Sales", "200 =", "2 00 = Sales"):
        with pytest.raises(config.ConfigError, match="line 1"):
            hunt_groups.parse(bad)


def test_ip_office_names_the_hunt_group_a_call_came_through():
    raw = (FIXTURES / "avaya_ipoffice" / "constructed-30-35-fields-sip.raw").read_text(encoding="utf-8")
    line = next(line for line in raw.splitlines() if ",HG fnr,Main," in line)
    extra = dict(avaya_ipoffice.parse(line).extra)
    assert hunt_groups.reported(extra, {}) == hunt_groups.HuntGroup("Main", "")
    assert hunt_groups.reported(extra, {"250": "Main"}) == hunt_groups.HuntGroup("Main", "250")
    user = next(line for line in raw.splitlines() if ",U,Anna," in line)            # targeted a user: no group
    assert hunt_groups.reported(dict(avaya_ipoffice.parse(user).extra), {"201": "Sales"}) is None


def test_cisco_gives_the_hunt_pilots_number_named_by_the_setting():
    raw = (FIXTURES / "cisco_cucm" / "constructed-cdr-12.5-no-header-crlf.raw").read_text(encoding="utf-8")
    row = next(csv.reader(io.StringIO(raw.splitlines()[0])))
    assert len(row) == len(cisco_cucm.CDR_FIELDS_12_5)
    parser = cisco_cucm.make_parser()
    assert hunt_groups.reported(dict(parser.parse(raw.splitlines()[0]).extra), {}) is None
    row[cisco_cucm.CDR_FIELDS_12_5.index("huntPilotDN")] = "7000"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    extra = dict(parser.parse(out.getvalue()).extra)
    assert hunt_groups.reported(extra, {"7000": "Support"}) == hunt_groups.HuntGroup("Support", "7000")
    assert hunt_groups.reported(extra, {}) == hunt_groups.HuntGroup("", "7000")
