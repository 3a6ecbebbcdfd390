"""The missed-calls report on a central sums its branch boxes' calls in SQL (issue 18): the facts worked out per call
when its batch is applied (central_missed) give exactly the figures of the calls read one by one (the report before),
by extension and by person, over any period, on SQLite and PostgreSQL; a central upgraded from a release without
them reads a box's calls one by one until its receiver fills them (once, at its start), with the same figures."""
from __future__ import annotations

from appliance.reports import missed, received_missed, received_traffic
from appliance.store import central_db
from appliance.store.sync import CentralBranch
from pg_server import engine, postgres  # noqa: F401  (fixtures)
from test_central_traffic import ADMIN, DAY, SINCE, START, UNTIL, branches, central  # noqa: F401  (fixtures)


def _report(by: str, since: int, until: int, raw: bool = False, seen=([], [])) -> missed.MissedReport:
    t = missed.Tally(by, "default", lambda a: True)
    (received_traffic.raw_missed_tally if raw else received_traffic.missed_tally)(t, seen, since, until)
    return t.report()


def _facts(report: missed.MissedReport) -> tuple:
    rows = tuple((r.branch, r.key, r.name, tuple(r.extensions), r.offered, r.answered, r.answered_elsewhere,
                  r.missed_direct, r.missed_transferred, r.ring_missed_s) for r in report.rows)
    t = report.total
    return rows, (t.offered, t.answered, t.missed_direct, t.missed_transferred, t.ring_missed_s)


def test_the_sql_sums_are_the_calls_one_by_one(central, branches):  # noqa: F811
    periods = ((SINCE, UNTIL), (START, UNTIL), (START + 3 * DAY + 3600, START + 9 * DAY - 7))
    with central_db.connection():
        assert central_db.execute("SELECT COUNT(*) FROM central_missed WHERE ext = ''")[0][0] == \
            central_db.execute("SELECT COUNT(*) FROM central_call WHERE direction = 'in'")[0][0] > 0
    for by in ("extension", "person"):
        for since, until in periods:
            got = _facts(_report(by, since, until))
            assert got == _facts(_report(by, since, until, raw=True)), (by, since, until)
            assert got[1][0] > 0
        one = (["branch = ?"], ["ankara"])
        assert _facts(_report(by, SINCE, UNTIL, seen=one)) == _facts(_report(by, SINCE, UNTIL, raw=True, seen=one))
    assert _facts(received_traffic.missed(ADMIN, "default", SINCE, UNTIL, "person", box="izmir"))[1] == \
        _facts(_report("person", SINCE, UNTIL, raw=True, seen=(["branch = ?"], ["izmir"])))[1]


def test_an_upgraded_central_reads_call_by_call_until_its_facts_are_made(central, branches):  # noqa: F811
    want = {by: _facts(_report(by, START, UNTIL, raw=True)) for by in ("extension", "person")}
    with central_db.connection():      # as a central of the release before left it
        central_db.central_db.execute_sql("DELETE FROM central_missed WHERE branch = 'izmir'")
        CentralBranch.update(missed_built=0).where(CentralBranch.name == "izmir").execute()
    assert received_missed.unbuilt() == ["izmir"]
    for by in want:
        assert _facts(_report(by, START, UNTIL)) == want[by]      # izmir read call by call, ankara summed
    with central_db.connection():
        incoming = central_db.execute("SELECT COUNT(*) FROM central_call WHERE branch = 'izmir' AND direction = 'in'")
    assert received_missed.backfill() == incoming[0][0] > 0
    assert received_missed.unbuilt() == [] and received_missed.backfill() == 0
    for by in want:
        assert _facts(_report(by, START, UNTIL)) == want[by]


def test_people_as_the_branch_attributed_them_by_person(central, branches):  # noqa: F811
    """Calls re-sent by the İzmir box with people (a re-attribution on the box: updates): by person, a row per person
    named as at their first call, the other extensions as `ext:NNN`; the same figures as call by call."""
    from appliance.central import apply as applier
    from appliance.sync import wire
    cols = ("rid",) + wire.CALL_FIELDS
    with central_db.connection():
        calls = central_db.execute(f"SELECT {', '.join(cols)} FROM central_call WHERE branch = 'izmir' "
                                   "AND direction = 'in' ORDER BY start_utc LIMIT 60")
        seq = central_db.execute("SELECT last_seq FROM central_branch WHERE name = 'izmir'")[0][0] + 1
    rows = []
    for i, c in enumerate(calls):
        call = dict(zip(cols, c))
        rid = call.pop("rid")
        call["person"] = ("Ayşe Yılmaz (P1)", "Ayşe Demir (P1)", "Can Öz (P2)", "")[i % 4] if i < 40 else "Zoë (P3)"
        rows.append({"rid": rid, "op": "upsert", "call": call})
    body = wire.encode("izmir", seq, "t", 0, rows)
    applier.apply("izmir", wire.decode(body, wire.headers(body, seq)))
    got = _facts(_report("person", START, UNTIL))
    assert got == _facts(_report("person", START, UNTIL, raw=True))
    names = {r[1]: r[2] for r in got[0] if r[0] == "izmir"}
    assert names.get("P1") == "Ayşe Yılmaz" and names.get("P2") == "Can Öz" and names.get("P3") == "Zoë"
    assert any(k.startswith("ext:") for k in names)
