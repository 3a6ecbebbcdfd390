"""The benchmark generator writes the legs of its incoming calls (issue 14): the call rows are the worker's summary
of them, every shape the missed-calls report distinguishes occurs (answered, answered elsewhere, missed direct,
missed transferred), most lost callers are called back, the same seed gives the same legs, and the missed-calls
report from the roll-ups equals the one from the legs for the whole box and a department's supervisor."""
from __future__ import annotations

import pytest

from appliance import store
from appliance.access.users import Account
from appliance.ingest.summary import recompute
from appliance.reports import missed as report_missed
from appliance.reports import offers
from appliance.tools import gen_calls

ADMIN = Account(1, "admin", "administrator", "all", "", "")
DEPT = Account(2, "dsup", "supervisor", "department", "default", "p00038")
SUMMARY = "SELECT * FROM call WHERE direction = 'in' ORDER BY id"
LEGS = "SELECT * FROM leg ORDER BY id"


def test_generated_incoming_calls_have_their_legs_and_the_missed_report_counts_them(tmp_path):
    made = gen_calls.generate(tmp_path / "a.db", 6000, seed=5, extensions=200)
    try:
        calls = store.db.execute_sql(SUMMARY).fetchall()
        legs = store.db.execute_sql(LEGS).fetchall()
        assert made["legs"] == len(legs) > len(calls) > 1500
        assert store.db.execute_sql("SELECT COUNT(*) FROM leg l JOIN call c ON c.id = l.call_id "
                                    "WHERE c.direction != 'in'").fetchone()[0] == 0
        assert store.db.execute_sql("SELECT COUNT(*) FROM call c WHERE direction = 'in' AND legs != "
                                    "(SELECT COUNT(*) FROM leg WHERE call_id = c.id)").fetchone()[0] == 0
        for (cid,) in store.db.execute_sql("SELECT id FROM call WHERE direction = 'in'").fetchall():
            recompute(cid)   # the worker's summary of the legs: the generated row as it is
        assert store.db.execute_sql(SUMMARY).fetchall() == calls
        lost = store.db.execute_sql("SELECT COUNT(*), COUNT(DISTINCT party) FROM call WHERE direction = 'in' "
                                    "AND NOT answered").fetchone()
        called_back = store.db.execute_sql(
            "SELECT COUNT(DISTINCT i.party) FROM call i JOIN call o ON o.direction = 'out' AND o.number = i.party "
            "AND o.start_utc > i.start_utc AND o.start_utc < i.start_utc + 3 * 86400 "
            "WHERE i.direction = 'in' AND NOT i.answered").fetchone()[0]
        assert 0.45 * lost[1] < called_back < 0.75 * lost[1]   # 60 % called back, the rest still lost
        since, until = gen_calls.START, gen_calls.START + gen_calls.YEARS * 366 * 86400
        for user in (ADMIN, DEPT):
            for by in report_missed.BY:
                raw = report_missed.raw_missed(user, "default", since, until, by)
                assert offers.missed(user, "default", since, until, by, True).to_dict() == raw.to_dict()
        total = report_missed.raw_missed(ADMIN, "default", since, until).total
        assert total.offered == len(calls) and total.missed_direct > total.missed_transferred > 0
        rows = report_missed.raw_missed(ADMIN, "default", since, until).rows
        assert sum(r.answered_elsewhere for r in rows) > 0 and sum(r.missed for r in rows) > total.missed
        assert 0 < report_missed.raw_missed(DEPT, "default", since, until).total.offered < total.offered / 5
    finally:
        store.close_db()
    gen_calls.generate(tmp_path / "b.db", 6000, seed=5, extensions=200, build_rollup=False)
    try:
        assert store.db.execute_sql(LEGS).fetchall() == legs   # reproducible by seed
        assert store.db.execute_sql(SUMMARY).fetchall() == calls
    finally:
        store.close_db()


def test_legs_added_to_a_database_generated_without_them_sum_up_to_its_calls(tmp_path):
    gen_calls.generate(tmp_path / "old.db", 4000, seed=2, extensions=200)
    try:   # as gen_calls wrote it before it wrote legs: none, one a call
        store.db.execute_sql("DELETE FROM leg")
        store.db.execute_sql("UPDATE call SET legs = 1, call_key = '', transferred = 0")
        calls = store.db.execute_sql(SUMMARY).fetchall()
    finally:
        store.close_db()
    made = gen_calls.add_legs(tmp_path / "old.db", extensions=200)
    try:
        assert made["legs"] > len(calls)
        for (cid,) in store.db.execute_sql("SELECT id FROM call WHERE direction = 'in'").fetchall():
            recompute(cid)
        after = store.db.execute_sql(SUMMARY).fetchall()
        legs_at = [c[1] for c in store.db.execute_sql("PRAGMA table_info(call)")].index("legs")
        assert [c[:legs_at] + c[legs_at + 1:] for c in after] == [c[:legs_at] + c[legs_at + 1:] for c in calls]
        assert store.db.execute_sql("SELECT COUNT(*) FROM call WHERE legs > 1").fetchone()[0] > len(calls) / 4
        since, until = gen_calls.START, gen_calls.START + gen_calls.YEARS * 366 * 86400
        for user in (ADMIN, DEPT):
            raw = report_missed.raw_missed(user, "default", since, until)
            assert offers.missed(user, "default", since, until, "extension", True).to_dict() == raw.to_dict()
            assert raw.total.missed_direct > raw.total.missed_transferred > 0
        with pytest.raises(SystemExit):
            store.close_db()
            gen_calls.add_legs(tmp_path / "old.db")
    finally:
        store.close_db()
