"""Missed calls per extension and person (REP-6): the per-call rule on hand-built legs, real IP Office and
Asterisk output imported through the real pipeline, scope, and `callbox traffic missed`."""
from __future__ import annotations

import csv
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.access import users
from appliance.directory import organisation as directory
from appliance.reports import missed as report_missed
from appliance.reports.missed import ANSWERED, ELSEWHERE, MISSED_DIRECT, MISSED_TRANSFERRED, Ring, outcome, timeline
from appliance.store import directory as sd
from appliance.store.users import FILE_NAME, open_users_db
from conftest import FIXTURES
from test_pipeline import import_, run_cli

ADMIN = users.Account(0, "root", "administrator", "all", "", "")
IPO = FIXTURES / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw"
ASTERISK = FIXTURES / "asterisk_csv" / "constructed-21col-linkedid-badutf8.raw"
TZ = ZoneInfo("Europe/Warsaw")


# The rule on hand-built calls: one Ring per leg, in PBX order.

def test_a_call_that_rang_three_phones_and_was_answered_by_the_third_is_missed_for_nobody():
    r = outcome([Ring(0, 15, False, "201"), Ring(15, 15, False, "202"), Ring(30, 4, True, "203")])
    assert r.missed is None and r.wait_s == 0
    assert r.per_extension == {"201": (ELSEWHERE, 0), "202": (ELSEWHERE, 0), "203": (ANSWERED, 0)}


def test_a_fork_nobody_answers_is_missed_by_every_phone_it_rang_and_the_caller_waited_once():
    r = outcome([Ring(100, 20, False, "201"), Ring(100, 20, False, "202"), Ring(105, 12, False, "203")])
    assert r.missed == "direct" and r.wait_s == 20   # parallel rings: the caller waited 20 s, not 52
    assert r.per_extension == {"201": (MISSED_DIRECT, 20), "202": (MISSED_DIRECT, 20), "203": (MISSED_DIRECT, 12)}


def test_a_fork_answered_by_one_phone_is_not_missed_by_the_other_ringing_beside_it():
    r = outcome([Ring(0, 7, True, "201"), Ring(0, 7, False, "202")])
    assert r.missed is None and r.per_extension["202"] == (ELSEWHERE, 0)


def test_answered_then_transferred_and_lost_is_missed_transferred_for_the_target_only():
    r = outcome([Ring(0, 5, True, "201"), Ring(90, 25, False, "202")])
    assert r.missed == "transferred" and r.wait_s == 25
    assert r.per_extension == {"201": (ANSWERED, 0), "202": (MISSED_TRANSFERRED, 25)}
    # ...and a transfer the target took is missed for nobody
    assert outcome([Ring(0, 5, True, "201"), Ring(90, 3, True, "202")]).missed is None


def test_voicemail_is_neither_an_answer_nor_a_phone_that_missed_the_call():
    r = outcome([Ring(0, 20, False, "212"), Ring(20, 0, True, "V9511")])
    assert r.missed == "direct" and r.per_extension == {"212": (MISSED_DIRECT, 20)}
    straight_to_voicemail = outcome([Ring(0, 6, True, "V9511")])
    assert straight_to_voicemail.missed is None and straight_to_voicemail.per_extension == {}


def test_a_phone_that_rang_twice_in_a_hunt_loop_misses_the_call_once_with_both_rings():
    r = outcome([Ring(0, 10, False, "201"), Ring(10, 10, False, "202"), Ring(20, 10, False, "201")])
    assert r.per_extension == {"201": (MISSED_DIRECT, 20), "202": (MISSED_DIRECT, 10)} and r.wait_s == 30


def test_ip_office_segments_follow_each_other_on_the_timeline():
    # Segments all carry the call's start; the second began when the first ended (ring 5 + talk 60).
    legs = [(1000, 5, 60, True, "201"), (1000, 20, 0, False, "202")]
    assert timeline(legs, segments=True) == [Ring(1000, 5, True, "201"), Ring(1065, 20, False, "202")]
    assert outcome(timeline(legs, segments=True)).missed == "transferred"
    assert outcome(timeline(legs, segments=False)).missed is None   # as a fork it would be answered


# Real driver output through the real pipeline.

def missed_report(data) -> report_missed.MissedReport:
    """The missed-calls report of every call imported into `data`, as the box administrator sees it."""
    store.open_db(data / "callbox.db")
    try:
        return report_missed.missed(ADMIN, "default", 0, 2**40)
    finally:
        store.close_db()


def test_the_real_ip_office_month_matches_a_count_straight_from_the_raw_file(tmp_path, capsys):
    import_(capsys, tmp_path / "d", IPO)
    expected: dict[str, list[int]] = {}   # extension -> [offered, answered, missed]
    with open(IPO, encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) > 12 and row[4] == "I" and row[11].startswith("E"):
                counts = expected.setdefault(row[11][1:], [0, 0, 0])
                counts[0] += 1
                counts[1 if row[1] != "00:00:00" else 2] += 1
    report = missed_report(tmp_path / "d")
    got = {r.key: [r.offered, r.answered, r.missed] for r in report.rows}
    assert got == expected and expected["212"] == [51, 4, 47]
    row = report.rows[0]
    assert (row.key, row.missed_direct, row.missed_transferred, row.answered_elsewhere) == ("212", 47, 0, 0)
    assert row.avg_ring_abandon_s == pytest.approx(44.8, abs=0.05) and row.answer_rate == pytest.approx(4 / 51)
    # the call that went straight to voicemail (V9511) was offered to nobody: no row, not in the totals
    assert "V9511" not in got and report.total.offered == 53 and report.total.missed_direct == 47


def test_asterisk_fork_answered_by_201_is_not_a_missed_call_for_202(tmp_path, capsys):
    import_(capsys, tmp_path / "d", ASTERISK, driver="asterisk_csv")
    report = missed_report(tmp_path / "d")
    rows = {r.key: r.to_dict() for r in report.rows}
    assert rows["202"]["offered"] == 1 and rows["202"]["answered_elsewhere"] == 1 and rows["202"]["missed"] == 0
    assert rows["201"]["answered"] == 2 and report.total.missed == 0 and report.total.offered == 3


def ipo_in(start, ext, talk="00:00:00", ring=20, call_id=1000100, cont=0, caller="0612345678"):
    """An incoming 30-field IP Office SMDR segment (FORMATS.md §1)."""
    return (f"{start},{talk},{ring},{caller},I,{ext},5551000,,0,{call_id},{cont},E{ext},Anna,T9005,Line 5.0,0,0,"
            f",,,,,,,,,,,,\r\n").encode()


def test_an_ip_office_transfer_nobody_took_is_missed_transferred_for_the_target(tmp_path, capsys):
    src = tmp_path / "smdr.log"
    src.write_bytes(ipo_in("2024/03/05 10:00:00", "201", talk="00:01:00", ring=4, call_id=1000001, cont=1) +
                    ipo_in("2024/03/05 10:00:00", "202", ring=25, call_id=1000001) +       # lost in transfer
                    ipo_in("2024/03/05 11:00:00", "202", ring=30, call_id=1000002) +       # rang out: direct
                    ipo_in("2024/03/05 12:00:00", "202", talk="00:02:00", ring=3, call_id=1000003))
    import_(capsys, tmp_path / "d", src)
    report = missed_report(tmp_path / "d")
    rows = {r.key: r.to_dict() for r in report.rows}
    assert rows["202"] | {"name": "", "extensions": ["202"]} == {
        "key": "202", "name": "", "extensions": ["202"], "offered": 3, "answered": 1, "answered_elsewhere": 0,
        "missed_direct": 1, "missed_transferred": 1, "missed": 2, "answer_rate": 0.3333,
        "avg_ring_abandon_s": 27.5}
    assert rows["201"]["answered"] == 1 and rows["201"]["missed"] == 0
    total = report.total.to_dict()
    assert (total["offered"], total["missed_direct"], total["missed_transferred"], total["answered"]) == (3, 1, 1, 1)


# Scope: a staff user sees only their own row; a person's extensions are reported together.

def at(day: int, hour: int) -> int:
    return int(datetime(2024, 3, day, hour, tzinfo=TZ).timestamp())


@pytest.fixture
def office(db):
    """Ayşe (201, 211) and Piotr (202) in Sales, Ольга (203) in Support; a hunt group call nobody took,
    a call Ayşe took on her second phone, and Ольга's missed call."""
    t = sd.tenant_id("default", create=True)
    sales, support = sd.create_named(t, "department", "Sales"), sd.create_named(t, "department", "Support")
    for key, first, last, dept, exts in (("ayse", "Ayşe", "Demir", sales, ("201", "211")),
                                         ("piotr", "Piotr", "Wąsowski", sales, ("202",)),
                                         ("olga", "Ольга", "Петрова", support, ("203",))):
        pid = directory.add_person(t, key, first, last)
        directory.move_person(t, pid, None, department_id=sales if dept == sales else support)
        for ext in exts:
            directory.assign_extension(t, pid, ext, None)
    n = 0

    def call(start, *legs):
        nonlocal n
        n += 1
        cid = n * 100
        store.Call.create(id=cid, driver="test", call_key=str(n), start_utc=start, utc_offset=3600, direction="in",
                          extension=legs[0][0], party="0612345678", trunk="T1", ring_s=legs[0][1], talk_s=0,
                          answered=any(a for *_, a in legs), transferred=False, account_code="", legs=len(legs))
        for i, (ext, ring, offset, answered) in enumerate(legs):
            store.Leg.create(id=cid + i, call_id=cid, driver="test", call_key=str(n), start_utc=start + offset,
                             utc_offset=3600, direction="in", extension=ext, party="0612345678", trunk="T1",
                             ring_s=ring, talk_s=60 if answered else 0, answered=answered, transferred=False,
                             account_code="", jseg=0, joff=cid + i)
    call(at(4, 9), ("201", 15, 0, False), ("211", 15, 0, False), ("202", 15, 0, False))   # hunt group, lost
    call(at(4, 10), ("202", 10, 0, False), ("211", 5, 10, True))                         # Ayşe took it
    call(at(4, 11), ("203", 40, 0, False))                                                # Ольга's, lost
    return t


def test_by_person_reports_all_of_a_persons_phones_together_once_per_call(office):
    report = report_missed.missed(ADMIN, "default", at(1, 0), at(31, 0), by="person")
    rows = {r.key: r.to_dict() for r in report.rows}
    assert rows["ayse"] == {"key": "ayse", "name": "Ayşe Demir", "extensions": ["201", "211"], "offered": 1 + 1,
                            "answered": 1, "answered_elsewhere": 0, "missed_direct": 1, "missed_transferred": 0,
                            "missed": 1, "answer_rate": 0.5, "avg_ring_abandon_s": 15.0}
    assert rows["piotr"]["offered"] == 2 and rows["piotr"]["missed"] == 1 and rows["piotr"]["answered_elsewhere"] == 1
    assert rows["olga"]["name"] == "Ольга Петрова" and rows["olga"]["missed"] == 1
    assert (report.total.offered, report.total.missed, report.total.answered) == (3, 2, 1)
    by_ext = {r.key: r for r in report_missed.missed(ADMIN, "default", at(1, 0), at(31, 0)).rows}
    assert by_ext["201"].missed == 1 and by_ext["211"].missed == 1 and by_ext["211"].answered == 1


def test_a_staff_user_sees_only_their_own_row_and_a_department_supervisor_their_department(office):
    ayse = users.Account(5, "ayse", "staff", "own", "default", "ayse")
    report = report_missed.missed(ayse, "default", at(1, 0), at(31, 0), by="person")
    assert [r.key for r in report.rows] == ["ayse"] and report.total.offered == 1   # her own call only
    sales = users.Account(6, "piotr", "supervisor", "department", "default", "piotr")
    keys = {r.key for r in report_missed.missed(sales, "default", at(1, 0), at(31, 0)).rows}
    assert keys == {"201", "211", "202"}                      # not Ольга's 203 in Support
    stranger = users.Account(7, "boris", "staff", "own", "beta", "boris")
    assert report_missed.missed(stranger, "default", at(1, 0), at(31, 0)).rows == []


def test_cli_traffic_missed_with_as_user_and_bad_arguments(tmp_path, capsys):
    src = tmp_path / "smdr.log"
    src.write_bytes(ipo_in("2024/03/05 11:00:00", "202", ring=30, call_id=1000002))
    data = tmp_path / "d"
    import_(capsys, data, src)
    rc, out, err = run_cli(capsys, "traffic", "missed", "--data", str(data), "--period", "2024-03", "--json")
    assert rc == 0, err
    (row,) = json.loads(out)["rows"]
    assert (row["key"], row["offered"], row["missed_direct"], row["avg_ring_abandon_s"]) == ("202", 1, 1, 30.0)
    open_users_db(data / FILE_NAME)
    users.add_user("ops", "a long enough passphrase 1", "administrator", "tenant", "default")
    rc, out, err = run_cli(capsys, "traffic", "missed", "--data", str(data), "--period", "2024-03", "--as", "ops")
    assert rc == 0 and "202" in out and out.splitlines()[0].startswith("key"), err
    for bad, message in ((["--as", "nobody"], "no web user 'nobody'"), (["--by", "team"], "invalid choice"),
                         (["--since", "yesterday"], "not an ISO 8601"),
                         (["--since", "2024-03-05", "--until", "2024-03-01"], "the range is empty")):
        rc, out, err = run_cli(capsys, "traffic", "missed", "--data", str(data), *bad)
        assert rc == 2 and message in err, (bad, err)
