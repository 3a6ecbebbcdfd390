"""A central's reports over a named time range (`callbox report --time-range`, the web's time-range filter) count
its branch boxes' calls too: each call by its own local time (start and the branch's UTC offset), exactly as the
branch would; on SQLite and PostgreSQL."""
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from appliance import store
from appliance.central import apply as applier
from appliance.store import central_db
from appliance.store.sync import CentralBranch
from appliance.sync import wire
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from sync_helpers import cli_json

MAY = 1_777_582_800        # 2026-05-01 00:00 at +03:00


def _call(rnd: random.Random, start: int, offset: int) -> dict:
    return {"driver": "t", "call_key": "k", "start_utc": start, "utc_offset": offset, "direction": "out",
            "extension": "201", "party": "1", "trunk": "T1", "ring_s": 3, "talk_s": rnd.randrange(600), "answered": 1,
            "transferred": 0, "account_code": "", "kind": "mobile", "number": "+905321112233",
            "cost": f"{Decimal(rnd.randrange(1, 10**6)) / 10**6}", "currency": "TRY", "destination": "",
            "tariff": "", "capped": 0, "tenant": "default", "person": "p", "department": "Satış", "org_branch": "",
            "legs": "[]"}


def _business(start: int, offset: int) -> bool:
    local = datetime.fromtimestamp(start, timezone.utc) + timedelta(seconds=offset)
    return local.isoweekday() <= 5 and 8 <= local.hour < 18


@pytest.fixture
def central(tmp_path, engine):  # noqa: F811 (the fixture)
    store.open_db(tmp_path / "callbox.db")
    ini = "[pbx]\ntimezone = Europe/Istanbul\n"
    if engine is not None:
        pw = password_file(tmp_path)
        url = engine.url(engine.fresh_database())
        central_db.open_central(url, pw.name, tmp_path)
        ini += f"[central]\ndatabase = {url}\npassword_file = {pw.name}\n"
    (tmp_path / "callbox.ini").write_text(ini, encoding="utf-8")
    yield tmp_path
    store.close_db()


def test_a_time_range_report_counts_each_branch_boxs_calls_by_their_local_time(central):
    rnd = random.Random(4)
    want: dict[str, tuple[int, Decimal]] = {}
    # İzmir at +03:00, Warszawa at +02:00 (summer): the same UTC instant is another local hour
    for name, offset in (("izmir", 10800), ("warszawa", 7200)):
        CentralBranch.create(name=name, created_utc=0, cert_serial="1")
        rows = [{"op": "upsert", "rid": i, "call": _call(rnd, MAY + rnd.randrange(30 * 86400), offset)}
                for i in range(1, 801)]
        body = wire.encode(name, 1, "t", 0, rows)
        applier.apply(name, wire.decode(body, wire.headers(body, 1)))
        inside = [r["call"] for r in rows if _business(r["call"]["start_utc"], offset)]
        assert 0 < len(inside) < len(rows)
        want[name] = (len(inside), sum((Decimal(c["cost"]) for c in inside), Decimal(0)))
    out = cli_json("report", "--data", str(central), "--dims", "branch", "--measures", "calls,cost",
                   "--time-range", "business_hours", "--since", "2026-04-01", "--until", "2026-07-01", "--json")
    assert {r[0]: (r[1], Decimal(r[2])) for r in out["rows"]} == want
