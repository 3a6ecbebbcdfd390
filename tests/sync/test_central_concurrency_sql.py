"""The central's concurrent calls summed in SQL (issue 18), on SQLite and PostgreSQL: the branch boxes' calls up at
once and busy line-seconds per local interval equal a sweep over every received call read one by one (the rule the
box uses), at steps of 1 minute to a day, in zones of whole, half and quarter hours, with a trunk group; with calls of
the central's own, its calls and the boxes' per-instant steps swept together equal one sweep of them all."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from appliance.reports import concurrency, received_traffic
from appliance.reports.concurrency import Traffic
from appliance.store.central_db import connection, execute
from pg_server import engine, password_file, postgres  # noqa: F401  (fixtures)
from test_central_traffic import ADMIN, SINCE, UNTIL, branches, central  # noqa: F401  (fixtures)

DAY = 86400
SEEN = ([], [])     # every box


def _calls(traffic: Traffic, since: int, until: int) -> list[tuple[int, int]]:
    """Every received call's [start, end) overlapping [since, until), read one by one."""
    where, args = received_traffic._where(SEEN, since - concurrency.LOOKBACK_S, until, traffic)
    with connection():
        rows = execute(f"SELECT start_utc, ring_s, talk_s FROM central_call WHERE {where}", args)
    return [(s, s + r + t) for s, r, t in rows if s + r + t > since]


@pytest.mark.parametrize("zone, step", [("UTC", 3600), ("Europe/Istanbul", 900), ("Asia/Kolkata", 3600),
                                        ("Asia/Kathmandu", 86400), ("America/New_York", 60),
                                        ("Europe/Istanbul", 7200)])
def test_the_sql_equals_a_sweep_of_every_call(central, zone, step):  # noqa: F811 (the fixture)
    tz = ZoneInfo(zone)
    since, until = (SINCE, SINCE + DAY) if step == 60 else (SINCE, UNTIL)
    bounds = concurrency.local_bounds(since, until, step, tz)
    want = concurrency.sweep(_calls(Traffic(), bounds[0], bounds[-1]), bounds)
    got = received_traffic.swept(SEEN, bounds, Traffic())
    assert got == want
    assert max(p for p, _b in got) >= 2 and sum(b for _p, b in got) > 0


def test_a_trunk_groups_calls_and_the_centrals_own(central):  # noqa: F811 (the fixture)
    tz = ZoneInfo("Europe/Istanbul")
    bounds = concurrency.local_bounds(SINCE, UNTIL, 3600, tz)
    got = received_traffic.swept(SEEN, bounds, Traffic(group="Turkcell"))
    assert 0 < sum(b for _p, b in got) < sum(b for _p, b in received_traffic.swept(SEEN, bounds, Traffic()))
    every = _calls(Traffic(), bounds[0], bounds[-1])
    own = [(s + 1800, e + 2400) for s, e in every[::3]]     # calls of the central's own, overlapping the boxes'
    merged = concurrency.sweep(own, bounds, received_traffic.steps(SEEN, bounds[0], bounds[-1], Traffic()))
    assert merged == concurrency.sweep(own + every, bounds)
