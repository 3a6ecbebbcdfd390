"""A PostgreSQL central's received calls partitioned by month (`callbox central partition`): every row moved once,
then batches keep applying exactly once: re-rates, calls whose start moved to another month (even one without a
partition yet), deletions and new months; the month roll-up stays what a rebuild makes; a month's query reads one
partition. On SQLite the command refuses."""
import random
from decimal import Decimal

import pytest

from appliance import store
from appliance.central import apply as applier
from appliance.store import central_db, central_month, central_parts
from appliance.store.central_month import CentralMonth
from appliance.store.sync import CentralBranch
from appliance.sync import wire
from pg_server import password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import Central, Relay, branch_totals, central_totals, cli, cli_json, generate, make_branch

START = 1_767_225_600          # 2026-01-01 00:00 UTC
DAY = 86400


def _call(rnd: random.Random, start: int) -> dict:
    return {"driver": "t", "call_key": "k", "start_utc": start, "utc_offset": 10800, "direction": "out",
            "extension": "201", "party": "1", "trunk": "T1", "ring_s": 1, "talk_s": rnd.randrange(600), "answered": 1,
            "transferred": 0, "account_code": "", "kind": "mobile", "number": "+90532",
            "cost": f"{Decimal(rnd.randrange(1, 10**6)) / 10**6}", "currency": "TRY", "destination": "", "tariff": "",
            "capped": 0, "tenant": "default", "person": "p", "department": rnd.choice(("Satış", "Destek")),
            "org_branch": "", "legs": "[]"}


def _send(branch: str, seq: int, rows: list[dict]) -> applier.Applied:
    body = wire.encode(branch, seq, "t", 0, rows)
    return applier.apply(branch, wire.decode(body, wire.headers(body, seq)))


@pytest.fixture
def pg_central(tmp_path, postgres):  # noqa: F811 (the fixture)
    store.open_db(tmp_path / "callbox.db")
    pw = password_file(tmp_path)
    url = postgres.url(postgres.fresh_database())
    central_db.open_central(url, pw.name, tmp_path)
    (tmp_path / "callbox.ini").write_text(f"[central]\ndatabase = {url}\npassword_file = {pw.name}\n",
                                          encoding="utf-8")
    for name in ("izmir", "ankara"):
        CentralBranch.create(name=name, created_utc=0, cert_serial="1")
    yield tmp_path
    store.close_db()


def _stored() -> dict:
    rows = central_db.central_db.execute_sql("SELECT branch, rid, start_utc, cost FROM central_call").fetchall()
    assert len(rows) == len({(b, r) for b, r, _s, _c in rows})          # no call twice
    return {(b, r): (s, Decimal(c)) for b, r, s, c in rows}


def test_partitioned_by_month_and_still_exactly_once(pg_central):
    rnd = random.Random(9)
    truth: dict = {}
    for branch, n in (("izmir", 300), ("ankara", 200)):
        rows = [{"op": "upsert", "rid": i, "call": _call(rnd, START + rnd.randrange(90 * DAY))} for i in range(n)]
        _send(branch, 1, rows)
        truth.update({(branch, r["rid"]): r["call"] for r in rows})
    store.close_db()
    rc, out, err = cli("central", "partition", "--data", str(pg_central), "--json")
    assert rc == 0, err
    assert '"rows": 500' in out and '"already": false' in out
    rc, out, err = cli("central", "partition", "--data", str(pg_central), "--json")
    assert rc == 0 and '"already": true' in out
    store.open_db(pg_central / "callbox.db")
    central_db.open_central(*_url(pg_central))
    with central_db.connection():
        assert central_parts.is_partitioned()
        before = central_parts.partitions()
        assert before == ["central_call_p202601", "central_call_p202602", "central_call_p202603"]
        ids = sorted(r for b, r in truth if b == "izmir")
        rerated = [{"op": "upsert", "rid": i, "call": {**truth[("izmir", i)], "cost": "9.999999"}} for i in ids[:50]]
        moved = [{"op": "upsert", "rid": i, "call": {**truth[("izmir", i)], "start_utc": START + 160 * DAY}}
                 for i in ids[50:70]]                                   # into June: no partition yet
        gone = [{"op": "delete", "rid": i} for i in ids[70:80]]
        new = [{"op": "upsert", "rid": 1000 + i, "call": _call(rnd, START + 190 * DAY)} for i in range(30)]   # July
        batch = rerated + moved + gone + new
        assert not _send("izmir", 2, batch).duplicate
        assert _send("izmir", 2, batch).duplicate                       # the resend: acknowledged, not applied
        for r in batch:
            if r["op"] == "delete":
                truth.pop(("izmir", r["rid"]))
            else:
                truth[("izmir", r["rid"])] = r["call"]
        assert _stored() == {k: (c["start_utc"], Decimal(c["cost"])) for k, c in truth.items()}
        assert central_parts.partitions() == before + ["central_call_p202606", "central_call_p202607"]
        kept = {tuple(getattr(r, k) for k in central_month.KEYS): tuple(getattr(r, s) for s in central_month.SUMS)
                for r in CentralMonth.select()}
        central_month.rebuild()
        assert {tuple(getattr(r, k) for k in central_month.KEYS): tuple(getattr(r, s) for s in central_month.SUMS)
                for r in CentralMonth.select()} == kept
        plan = "\n".join(r[0] for r in central_db.central_db.execute_sql(
            "EXPLAIN SELECT COUNT(*) FROM central_call WHERE start_utc >= %s AND start_utc < %s",
            (START + 31 * DAY, START + 59 * DAY)).fetchall())
        assert "central_call_p202602" in plan and "central_call_p202601" not in plan   # one month: one partition


def _url(data):
    ini = (data / "callbox.ini").read_text(encoding="utf-8").splitlines()
    url = next(line.split(" = ", 1)[1] for line in ini if line.startswith("database"))
    return url, "central-db.pw", data


def test_sqlite_is_not_partitioned(tmp_path):
    rc, _out, err = cli("central", "partition", "--data", str(tmp_path))
    assert rc == 2 and "PostgreSQL" in err


@pytest.mark.slow
def test_a_partitioned_central_through_a_cut_link_and_a_sigkill(tmp_path, postgres):  # noqa: F811 (the fixture)
    """Branches sending to a partitioned central process: the link cut mid-batch, the central SIGKILLed and
    restarted, a week in a month with no partition yet: each branch's calls exactly, once."""
    central = Central(tmp_path / "central", postgres)
    central.data.mkdir(exist_ok=True)
    assert cli_json("central", "partition", "--data", str(central.data), "--json")["partitioned"] is True
    central.start()
    relay = Relay(central.port)
    try:
        boxes = {n: tmp_path / n for n in ("izmir", "ankara")}
        for i, (n, data) in enumerate(boxes.items()):
            make_branch(data, central, n, relay.url)
            generate(data, 1200, 1, seed=50 + i)
        relay.cut_after = 3000                              # the first connection dies inside the first batch
        assert cli("sync", "now", "--data", str(boxes["izmir"]), "--json")[0] == 1
        for data in boxes.values():
            assert cli_json("sync", "now", "--data", str(data), "--json")["pending"] == 0
        central.kill()
        central.start()
        for i, data in enumerate(boxes.values()):
            generate(data, 1500, 5000, seed=60 + i, start=1_790_000_000)    # 2026-09: a new partition
            assert cli_json("sync", "now", "--data", str(data), "--json") == {"sent": 1500, "pending": 0}
        for n, data in boxes.items():
            mine, theirs = branch_totals(data), central_totals(central, n)
            assert theirs[1] == len(theirs[0]) and mine == theirs
        names = {r[0] for r in central.query("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON "
                                             "c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                                             "WHERE p.relname = 'central_call'")}
        assert {"central_call_p202605", "central_call_p202606", "central_call_p202609"} <= names
    finally:
        relay.close()
        central.stop()


def test_branches_bringing_new_months_at_once_do_not_deadlock(pg_central):
    """Four branches apply batches at once, each bringing calls of months with no partition yet (as at every
    month's start): a partition is made apart from the batches' transactions, so none fails (PostgreSQL found a
    deadlock when two batches made partitions inside theirs) and every call is stored once."""
    import threading
    with central_db.central_db.connection_context():
        central_parts.partition()
        for name in ("b0", "b1", "b2", "b3"):
            CentralBranch.create(name=name, created_utc=0, cert_serial="1")
    truth, errors = {}, []
    barrier = threading.Barrier(4)

    def branch(name: str, seed: int) -> None:
        rnd = random.Random(seed)
        try:
            with central_db.central_db.connection_context():
                for seq in range(1, 7):      # each batch: 200 calls over the next three months
                    rows = [{"op": "upsert", "rid": seq * 1000 + i,
                             "call": _call(rnd, START + (seq * 90 + rnd.randrange(90)) * DAY)} for i in range(200)]
                    truth.update({(name, r["rid"]): (r["call"]["start_utc"], Decimal(r["call"]["cost"]))
                                  for r in rows})
                    barrier.wait(30)
                    assert not _send(name, seq, rows).duplicate
        except BaseException as e:   # noqa: BLE001 (reported after the join)
            errors.append(e)
            barrier.abort()
    threads = [threading.Thread(target=branch, args=(f"b{i}", i)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[0]
    with central_db.central_db.connection_context():
        assert _stored() == truth
        assert len(central_parts.partitions()) >= 18
