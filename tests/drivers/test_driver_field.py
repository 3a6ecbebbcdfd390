"""Drivers against the field (issue 22): output of real installations that the drivers misread before."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest

from appliance.records import NotACallRecord
from drivers._common import dialplan_target
from drivers_helpers import FIXTURES, decode, frame, load_driver

AST_TARGETS = FIXTURES / "asterisk_csv" / "constructed-issue22-dialplan-targets.raw"
FS_TARGETS = FIXTURES / "freeswitch_csv" / "constructed-issue22-dialplan-targets.raw"


def parse_file(driver_name: str, raw, **options) -> list:
    """Every line of a file through ONE parser, as the pipeline does."""
    driver = load_driver(driver_name)
    parser = driver.make_parser(**options)
    out = []
    for line in frame(raw.read_bytes()):
        try:
            out.append(parser.parse(decode(line, driver.ENCODING)))
        except NotACallRecord as exc:
            out.append(exc)
    return out


# ---------------------------------------------------------------- 3: dialplan targets and feature codes

@pytest.mark.parametrize("dialled, target", [
    ("s", True), ("t", True), ("h", True), ("voicemail", True), ("*", True), ("*97", True), ("*201725", True),
    ("&", True), ("#31#", True), ("0698765432", False), ("+33 1 45 67 89 00", False), ("201", False),
    ("(0212) 555-12-12", False), ("0612345678#", False), ("", False)])
def test_a_dialplan_target_is_what_no_one_can_be_called_on(dialled, target):
    assert dialplan_target(dialled) is target


def test_asterisk_legs_to_ivr_menus_timeouts_and_feature_codes_are_system():
    recs = parse_file("asterisk_csv", AST_TARGETS)
    assert [(r.direction, r.party) for r in recs] == [
        ("system", "s"), ("system", "t"), ("system", "*97"), ("system", "h"), ("out", "0698765432"),
        ("out", "+33 1 45 67 89 00")]


def test_freeswitch_legs_to_voicemail_and_feature_codes_are_system():
    recs = parse_file("freeswitch_csv", FS_TARGETS)
    assert [(r.direction, r.party) for r in recs] == [
        ("system", "voicemail"), ("system", "*"), ("system", "*201725"), ("system", "&"), ("out", "0033145678900")]


# ---------------------------------------------------------------- 2: Asterisk cdr_custom, the sample mapping

AST_CUSTOM = FIXTURES / "asterisk_csv" / "constructed-cdr-custom-sample-mapping.raw"
# cdr_csv with newcdrcolumns=yes and neither uniqueid nor userfield: 19 columns too, accountcode first
AST_CSV_19 = ('"","201","0698765432","from-internal","""Anna"" <201>","SIP/201-00000004","SIP/provider-00000005",'
              '"Dial","SIP/provider/0698765432,300,T","2024-03-01 09:05:00","2024-03-01 09:05:12",'
              '"2024-03-01 09:10:12",312,300,"ANSWERED","DOCUMENTATION","","1709283900.4",3')


def test_asterisk_reads_cdr_customs_sample_mapping():
    recs = parse_file("asterisk_csv", AST_CUSTOM)
    inbound, outbound, internal, hires, feature = recs[:5]
    assert (inbound.direction, inbound.extension, inbound.party, inbound.talk_s, inbound.ring_s) == \
        ("in", "201", "0612345678", 120, 6)
    assert inbound.extra["clid"] == '"John Doe" <0612345678>' and inbound.call_key == "1715072400.33"
    assert (outbound.direction, outbound.party, outbound.account_code) == ("out", "0698765432", "4711")
    assert (internal.direction, internal.answered, internal.ring_s) == ("internal", False, 20)
    assert (hires.talk_s, hires.ring_s, hires.extra["userfield"]) == (60, 5, "userfield text")
    assert feature.direction == "system"
    assert [str(e) for e in recs[5:]] == ["start '2024-05-07 25:00:00' is not a date",
                                          "billsec '6o' is not a whole number of seconds"]


def test_asterisk_columns_option_custom_and_a_19_column_cdr_csv_row():
    auto = load_driver("asterisk_csv").make_parser()
    rec = auto.parse(AST_CSV_19)
    assert (rec.direction, rec.party, rec.call_key, rec.extra["sequence"]) == ("out", "0698765432", "1709283900.4", "3")
    custom = load_driver("asterisk_csv").make_parser(columns="custom")
    with pytest.raises(NotACallRecord):
        custom.parse(AST_CSV_19)
    line = frame(AST_CUSTOM.read_bytes())[1]
    assert custom.parse(decode(line, "utf-8")).party == "0698765432"
    assert auto.parse('"clid","src","dst","dcontext"' + ',"x"' * 15) is None   # a header an export added


# ---------------------------------------------------------------- 7: BUSY / NO ANSWER with billsec > 0

@pytest.mark.parametrize("disposition, billsec, answered", [
    ("BUSY", 30, True), ("NO ANSWER", 12, True), ("ANSWERED", 0, True), ("BUSY", 0, False), ("NO ANSWER", 0, False),
    ("FAILED", 0, False)])
def test_asterisk_a_connected_row_is_answered_whatever_its_disposition(disposition, billsec, answered):
    answer = '"2024-03-01 09:05:10"' if billsec or disposition == "ANSWERED" else ""
    line = ('"","201","0698765432","from-internal","""Anna"" <201>","SIP/201-00000004","SIP/provider-00000005",'
            f'"Dial","SIP/provider/0698765432,300,T","2024-03-01 09:05:00",{answer},"2024-03-01 09:06:00",'
            f'{billsec + 10},{billsec},"{disposition}","DOCUMENTATION","1709283900.4",""')
    rec = load_driver("asterisk_csv").parse(line)
    assert (rec.answered, rec.talk_s, rec.extra["disposition"]) == (answered, billsec, disposition)


# ---------------------------------------------------------------- 4, 5: CUCM gateways named by IP, spreadsheet damage

CUCM_FIELD = FIXTURES / "cisco_cucm" / "constructed-issue22-ip-gateways-spreadsheet.raw"


def test_cucm_gateways_named_by_ip_address_are_gateways_without_configuring_them():
    recs = [r for r in parse_file("cisco_cucm", CUCM_FIELD) if r is not None][:4]
    assert [(r.direction, r.extension, r.party, r.trunk) for r in recs] == [
        ("in", "2001", "0612345678", "10.10.1.1"),
        ("out", "2002", "0033145678900", "10.10.1.1"),
        # both device names IP addresses: the DN side is ours (an analog phone behind an FXS gateway)
        ("in", "2001", "0612345678", "10.10.1.1"),
        ("out", "2002", "0033145678900", "10.10.1.1")]
    # a configured gateway_pattern does not turn IP-named gateways back into phones
    parser = load_driver("cisco_cucm").make_parser(gateway_pattern="^CUBE")
    recs = [parser.parse(decode(line, "utf-8")) for line in frame(CUCM_FIELD.read_bytes())[:4]]
    assert [r.direction for r in recs[2:]] == ["in", "out"]


def test_cucm_numbers_in_scientific_notation_are_quarantined_with_the_reason():
    damaged = parse_file("cisco_cucm", CUCM_FIELD)[6:8]
    assert all(isinstance(e, NotACallRecord) for e in damaged)
    assert "finalCalledPartyNumber '9.12678E+11' is in scientific notation: a spreadsheet" in str(damaged[0])
    assert "callingPartyNumber '6.12346e+08'" in str(damaged[1])


def test_cucm_two_dns_between_gateways_are_internal_and_a_pstn_partition_wins():
    cucm = load_driver("cisco_cucm")
    parser = cucm.make_parser(pstn_partitions="PSTN_PT")
    # a DN behind gateway 10.10.1.2 calling out through gateway 10.10.1.1
    row = next(csv.reader([decode(frame(CUCM_FIELD.read_bytes())[5], "utf-8")]))
    called, partition = cucm.CDR_FIELDS.index("finalCalledPartyNumber"), \
        cucm.CDR_FIELDS.index("finalCalledPartyNumberPartition")

    def direction(**changes) -> str:
        fields = list(row)
        for index, value in changes.items():
            fields[int(index[1:])] = value
        out = io.StringIO()
        csv.writer(out, quoting=csv.QUOTE_ALL).writerow(fields)
        return parser.parse(out.getvalue().rstrip("\r\n")).direction
    assert direction() == "out"
    assert direction(**{f"c{called}": "2005"}) == "internal"   # DN to DN between two FXS gateways
    assert direction(**{f"c{called}": "112", f"c{partition}": "PSTN_PT"}) == "out"


# ---------------------------------------------------------------- 1: NEC Format2 printout

NEC_F2 = FIXTURES / "nec_sl" / "constructed-sl2100-format2-counter-rdcost.raw"


def test_nec_format2_printout_reads_with_the_default_options():
    recs = parse_file("nec_sl", NEC_F2)   # format 0, show_date 1: what an installer starts with
    calls = [r for r in recs if r is not None and not isinstance(r, Exception)]
    first, pot = calls[0], calls[1]
    # 05/04/2024 under an RD/COST title: DD/MM, 5 April
    assert (first.start.isoformat(), first.direction, first.extension, first.party, first.trunk, first.talk_s) == \
        ("2024-04-05T09:19:00", "in", "201", "0612345678", "003", 65)
    assert first.extra == {"class": "PIN", "seq": "01", "name": "JOHN SMITH"}   # the NEXT line names its caller
    assert (pot.account_code, pot.extra["cost"], pot.extra["seq"]) == ("4711", "$0,450", "03")
    assert [c.extra["class"] for c in calls] == ["PIN", "POT", "ICM", "PTRS", "PIN", "IVOTP", "BRD", "POT", "POT"]
    assert calls[3].direction == "in" and calls[3].transferred   # PTRS on the PIN's line 003
    assert (calls[4].answered, calls[6].answered) == (False, False)
    assert [c.start.isoformat() for c in calls[-2:]] == ["2024-04-05T23:58:00", "2024-04-06T00:05:00"]
    assert [str(e) for e in recs if isinstance(e, Exception)] == [
        "56 characters, an NEC SMDR record is 79: cut short",
        "BFL: the PBX reports its SMDR buffer full, calls were lost inside the PBX",
        "class 'XYZ' is not an NEC SMDR call class", "Time '24:00' is not a 24-hour time",
        "40 characters, an NEC SMDR record is 79: cut short"]


def test_nec_page_header_day_first_is_read_as_a_day_whatever_the_format():
    parser = load_driver("nec_sl").make_parser(show_date="0")
    parser.parse(" " * 60 + "25/03/2024 PAGE 001")
    rec = parser.parse("01 PIN   09:19 003        00:01:05 201        0612345678" + " " * 24)
    assert rec.start.isoformat() == "2024-03-25T09:19:00"


# ---------------------------------------------------------------- 8: the date of a record that prints none

def test_dates_without_a_year_come_from_the_receive_time():
    received = datetime(2021, 6, 1, 0, 3, tzinfo=timezone.utc)
    nec = load_driver("nec_sl").make_parser(show_date="0")
    nec.clock(received)   # no page header yet: the day it was received; 23:58 printed at 00:03 is the day before
    assert nec.parse("01 POT   23:58 001        00:04:00 201        0311234567" + " " * 24).start == \
        datetime(2021, 5, 31, 23, 58)
    nec = load_driver("nec_sl").make_parser()
    nec.clock(received)   # a DATE column without a year: the year it was received
    line = "POT  09:15 12/30 001  00:02:13 101        0311234567           4711            "
    assert nec.parse(line).start == datetime(2020, 12, 30, 9, 15)
    mivb = load_driver("mitel_mivb").make_parser()
    mivb.clock(received)
    mivb_raw = FIXTURES / "mitel_mivb" / "constructed-3300-standard-12h.raw"
    mivb_line = decode(frame(mivb_raw.read_bytes())[0], "latin-1")
    assert mivb.parse(mivb_line).start == datetime(2020, 12, 30, 21, 15)   # 12/30 nearest 2021-06-01
    m5 = load_driver("mitel_5000").make_parser()
    m5.clock(received)
    m5_raw = FIXTURES / "mitel_5000" / "smdr-logger-5000-doc-example.raw"
    m5_line = decode(frame(m5_raw.read_bytes())[0], "latin-1")
    assert m5.parse(m5_line).start.date() == date(2021, 5, 31)   # 08:36, printed at 00:03: the day before
    # an option naming the file's date wins over the receive time (importing an old file)
    m5 = load_driver("mitel_5000").make_parser(date="2019-02-03")
    m5.clock(received)
    assert m5.parse(m5_line).start.date() == date(2019, 2, 3)


@pytest.mark.parametrize("driver, raw, good, damaged", [
    ("freeswitch_csv", FS_TARGETS, '"0033145678900"', '"3.31457E+11"'),
    ("threecx", FIXTURES / "threecx" / "dorel14-3cx-cdr-server-2020-05.raw", ",0611360468,", ",6.11E+08,")])
def test_other_csv_formats_quarantine_numbers_in_scientific_notation_too(driver, raw, good, damaged):
    module = load_driver(driver)
    line = next(text for text in (decode(b, module.ENCODING) for b in frame(raw.read_bytes())) if good in text)
    assert module.make_parser().parse(line) is not None
    with pytest.raises(NotACallRecord, match="scientific notation: a spreadsheet re-saved"):
        module.make_parser().parse(line.replace(good, damaged, 1))
